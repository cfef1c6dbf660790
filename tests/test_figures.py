"""course_tools.figures writes the course's pictures.

It runs as `python -m course_tools.figures --out DIR`.
"""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import matplotlib.image
import pytest

from course_tools import figures
from course_utils import models
from tests.nbval_figures import figure_difference

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["mlp_diagram.png", "neuron_diagram.png", "activation_functions.png"]


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    out = tmp_path_factory.mktemp("images")
    written = figures.main(["--out", str(out)])
    return out, written


def test_the_command_writes_all_three_pictures(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "course_tools.figures", "--out", str(tmp_path / "pictures")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "pictures").iterdir()) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_picture_is_a_real_non_trivial_png_of_commit_worthy_size(drawn, name):
    out, written = drawn
    path = out / name
    assert path in written
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert 10_000 < path.stat().st_size < 150_000
    pixels = matplotlib.image.imread(path)
    height, width, channels = pixels.shape
    assert width >= 600 and height >= 300 and channels in (3, 4)
    # not a blank canvas: many pixels differ from the white background
    assert (pixels[..., :3] < 0.9).any(axis=-1).mean() > 0.02


def test_default_output_is_images_and_drawing_twice_gives_the_same_bytes(
    drawn, tmp_path, monkeypatch
):
    out, _ = drawn
    monkeypatch.chdir(tmp_path)
    written = figures.main([])
    assert written == [Path("images") / name for name in NAMES]
    for name in NAMES:
        assert (tmp_path / "images" / name).read_bytes() == (out / name).read_bytes(), name


def test_pngs_carry_no_software_or_date_metadata(drawn):
    out, _ = drawn
    for name in NAMES:
        head = (out / name).read_bytes()[:2000]
        assert b"matplotlib" not in head.lower() and b"Software" not in head


@pytest.mark.pins  # drawn by another matplotlib, the pixels differ a little
@pytest.mark.parametrize("name", NAMES)
def test_committed_pictures_are_the_ones_the_command_draws(drawn, name, tmp_path):
    # images/ is made by the command: regenerate with `python -m course_tools.figures`.
    # The notebooks' rule (tests/nbval_figures.py): RMS of the pixel differences at most
    # 0.5 of 255, which a fresh drawing meets with 0 and one moved marker does not.
    out, _ = drawn
    committed = ROOT / "images" / name
    assert committed.exists(), f"{name} missing: run `python -m course_tools.figures`"
    problem = figure_difference(committed.read_bytes(), (out / name).read_bytes(), lambda: tmp_path)
    assert not problem, (
        f"images/{name} is not what `python -m course_tools.figures` draws now: regenerate it "
        f"(or fix the drawing)\n{problem}"
    )


def drawn_layer_sizes(figure):
    """The number of circles (neurons) in each column of a network diagram.

    The columns are counted left to right.
    """
    from matplotlib.patches import Circle

    (ax,) = figure.axes
    columns = Counter(
        round(patch.center[0], 6) for patch in ax.patches if isinstance(patch, Circle)
    )
    return tuple(columns[x] for x in sorted(columns))


def test_the_mlp_diagram_draws_the_courses_classifier():
    # the classifier every notebook builds:
    # SimpleClassifier(input_features=2, hidden_units=10)
    model = models.SimpleClassifier(input_features=2, hidden_units=10)
    classifier_sizes = (
        model.linear1.in_features,
        model.linear1.out_features,
        model.linear2.out_features,
    )
    assert drawn_layer_sizes(figures.draw_mlp_diagram()) == classifier_sizes == (2, 10, 1)
    assert drawn_layer_sizes(figures.draw_mlp_diagram((3, 4, 2))) == (3, 4, 2)
    with pytest.raises(ValueError, match="inputs, hidden neurons, outputs"):
        figures.draw_mlp_diagram((2, 0, 1))


def test_the_alt_text_of_the_mlp_diagram_says_its_layer_sizes():
    inputs, hidden, outputs = drawn_layer_sizes(figures.draw_mlp_diagram())
    alt_texts = [
        alt
        for notebook in sorted((ROOT / "notebooks").glob("*.ipynb"))
        for cell in json.loads(notebook.read_text())["cells"]
        for alt in re.findall(r"!\[([^\]]*)\]\([^)]*mlp_diagram\.png\)", "".join(cell["source"]))
    ]
    assert alt_texts, "no notebook shows images/mlp_diagram.png"
    for alt in alt_texts:
        for words in (f"{inputs} inputs", f"{hidden} neurons", f"{outputs} output"):
            assert words in alt, f"the alt text should say {words!r}: {alt}"
