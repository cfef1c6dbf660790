"""The figure comparison that runs with nbval, on figures drawn here.

The comparison is tests/nbval_figures.py.
"""

import base64
import functools
import io
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from tests.nbval_figures import TOLERANCE_RMS, figure_difference, figure_mismatches


def draw(moved: float = 0.0, title: str = "loss", size: tuple = (6, 4)) -> bytes:
    """A scatter of 100 points and a curve, as PNG bytes; ``moved`` shifts one point."""
    x, y = np.random.default_rng(0).normal(size=(2, 100))
    x[0] += moved
    figure, axes = plt.subplots(figsize=size)
    axes.scatter(x, y, s=20)
    axes.plot(np.linspace(-2, 2, 50), np.linspace(-2, 2, 50) ** 2 / 4)
    axes.set_title(title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def new_folder(tmp_path):
    """A ``new_folder`` for the comparison: tmp_path/figures, made on demand."""

    def make():
        (tmp_path / "figures").mkdir()
        return tmp_path / "figures"

    return make


def as_output(png: bytes) -> dict:
    """A display_data output as a notebook stores a figure."""
    return {"output_type": "display_data", "data": {"image/png": base64.b64encode(png).decode()}}


def test_the_same_plot_drawn_again_matches(tmp_path):
    assert figure_difference(draw(), draw(), new_folder(tmp_path)) == ""


def test_the_same_pixels_encoded_differently_match(tmp_path):
    buffer = io.BytesIO()
    Image.open(io.BytesIO(draw())).save(buffer, format="png", compress_level=0)
    assert buffer.getvalue() != draw()  # other bytes, same picture
    assert figure_difference(draw(), buffer.getvalue(), new_folder(tmp_path)) == ""
    assert not (tmp_path / "figures").exists(), "a match keeps no files"


def test_one_point_moved_or_another_title_fails(tmp_path):
    for number, changed in enumerate((draw(moved=0.05), draw(title="lost"))):
        (tmp_path / str(number)).mkdir()
        problem = figure_difference(draw(), changed, new_folder(tmp_path / str(number)))
        assert "did not match" in problem and f"Tolerance: \n    {TOLERANCE_RMS}" in problem
        rms = float(problem.split("RMS Value: ")[1].split()[0])
        assert rms > TOLERANCE_RMS
    # the committed and fresh figures and their difference are kept to look at
    kept = {p.name for p in (tmp_path / "0" / "figures").iterdir()}
    assert {"committed.png", "fresh.png", "fresh-failed-diff.png"} <= kept


def test_a_figure_of_another_size_fails_with_a_message(tmp_path):
    problem = figure_difference(draw(), draw(size=(5, 4)), new_folder(tmp_path))
    assert "size" in problem and "committed.png" in problem


def test_a_missing_or_extra_figure_fails(tmp_path):
    text = {"output_type": "stream", "name": "stdout", "text": "hello\n"}
    one = [text, as_output(draw())]
    assert figure_mismatches(one, one, new_folder(tmp_path)) == []
    assert figure_mismatches(one, [text], new_folder(tmp_path)) == [
        "the cell drew 0 figure(s) but the notebook has 1 committed"
    ]
    problems = figure_mismatches(one, [text, as_output(draw(title="lost"))], new_folder(tmp_path))
    assert len(problems) == 1 and problems[0].startswith("figure 1 of the cell differs")


def largest_committed_figure() -> tuple[int, int, str]:
    """(width, height, where) of the figure with the most pixels in the notebooks."""
    sizes = []
    for notebook in sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")):
        for cell in json.loads(notebook.read_text())["cells"]:
            for output in cell.get("outputs", []):
                if "image/png" in output.get("data", {}):
                    png = base64.b64decode(output["data"]["image/png"])
                    width, height = Image.open(io.BytesIO(png)).size
                    sizes.append((width * height, width, height, notebook.name))
    assert sizes, "no figure in the notebooks"
    _, width, height, name = max(sizes)
    return width, height, name


@functools.cache
def race_paths() -> dict[str, list]:
    """Each surface of 07's race -> (optimizer, learning rate, path) of each optimizer.

    A surface has six optimizers.
    """
    from course_utils import surfaces

    return {
        surface_name: [
            (name, lr, surfaces.run_trajectory(surface, name, lr=lr, steps=200))
            for name, lr in surface.learning_rates.items()
        ]
        for surface_name, surface in surfaces.SURFACES.items()
    }


def draw_optimizer_race(size_px: tuple[int, int], moved_px: float = 0.0) -> bytes:
    """07's optimizer race (three surfaces, six paths) at ``size_px``.

    Its smallest marker, the middle surface's 6-pt start dot, is moved right by
    ``moved_px`` pixels.
    """
    from course_utils import plotting, surfaces

    dpi = 100
    figure, axes = plt.subplots(
        1, 3, figsize=(size_px[0] / dpi, size_px[1] / dpi), dpi=dpi, layout="constrained"
    )
    for ax, surface in zip(axes, surfaces.SURFACES.values(), strict=True):
        plotting.plot_surface(surface, ax=ax, levels=15)
        for name, lr, path in race_paths()[surface.name]:
            plotting.plot_path(path, ax, name, label=f"{name} (lr={lr:g})")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize="small")
    figure.canvas.draw()  # fixes the layout, so that the move is in final pixels
    start = next(line for line in axes[1].lines if line.get_label() == "start")
    pixels = axes[1].transData.transform(np.column_stack(start.get_data()))
    start.set_data(*axes[1].transData.inverted().transform(pixels + [moved_px, 0]).T)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    plt.close(figure)
    return buffer.getvalue()


def test_a_marker_moved_by_two_pixels_is_caught_on_the_courses_largest_figure(tmp_path):
    # The RMS is a mean over all pixels: the larger the figure, the more a small change
    # is diluted. Drawn at the size of the largest figure in the notebooks, the smallest
    # marker of 07's race moved by 2 pixels (a third of its width) must still be above
    # the tolerance.
    width, height, notebook = largest_committed_figure()
    same = draw_optimizer_race((width, height))
    assert Image.open(io.BytesIO(same)).size == (width, height), f"not the size of {notebook}'s"
    assert figure_difference(same, draw_optimizer_race((width, height)), new_folder(tmp_path)) == ""
    problem = figure_difference(
        same, draw_optimizer_race((width, height), moved_px=2), new_folder(tmp_path)
    )
    assert "did not match" in problem, f"a moved marker passes on a {width}×{height} figure"
    rms = float(problem.split("RMS Value: ")[1].split()[0])
    assert rms > TOLERANCE_RMS
