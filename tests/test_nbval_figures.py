"""The figure comparison that runs with nbval (tests/nbval_figures.py), on figures drawn here."""

import base64
import io

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
