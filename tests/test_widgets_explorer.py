import io

import ipywidgets
import numpy as np
import pytest
from PIL import Image

from course_utils import widgets
from course_utils.widgets import Explorer


class LineExplorer(Explorer):
    def __init__(self):
        slider = ipywidgets.FloatSlider(value=1.0, min=-5, max=5)
        super().__init__({"slope": slider}, "line", figsize=(4, 3))

    def setup(self, figure):
        figure.add_subplot().plot([0, 1], [0, 0])

    def draw(self, figure, slope):
        figure.axes[0].lines[0].set_ydata([0, slope])
        figure.axes[0].set_ylim(-5, 5)


class CountExplorer(Explorer):
    def __init__(self):
        super().__init__({"n": ipywidgets.IntSlider(value=1)}, "count", figsize=(2, 2))

    def draw(self, figure, n):
        return f"n is {n}"


def test_changing_a_control_redraws_the_same_figure():
    explorer = LineExplorer()
    figure, first_png = explorer.figure, bytes(explorer.image.value)
    assert explorer.redraw_count == 1 and first_png.startswith(b"\x89PNG")
    explorer.controls["slope"].value = -3.0
    assert explorer.redraw_count == 2
    assert explorer.figure is figure and len(figure.axes) == 1
    assert list(figure.axes[0].lines[0].get_ydata()) == [0, -3.0]
    assert bytes(explorer.image.value) != first_png
    assert explorer.values == {"slope": -3.0}


def test_the_text_draw_returns_is_shown_as_the_message():
    explorer = CountExplorer()
    assert explorer.message.value == "n is 1"  # the first draw, inside the constructor
    explorer.controls["n"].value = 4
    assert explorer.message.value == "n is 4"


# Blitting: an explorer that names its moving artists paints them over a kept picture of
# the rest. The oracle is matplotlib's own full draw of the same figure.


def shown_pixels(explorer):
    return np.asarray(Image.open(io.BytesIO(explorer.image.value)).convert("RGBA"))


def full_draw_pixels(explorer):
    """The figure as a plain matplotlib draw paints it, every artist in its turn."""
    buffer = io.BytesIO()
    explorer.figure.savefig(buffer, format="rgba", dpi=explorer.figure.dpi)
    width, height = explorer.figure.canvas.get_width_height()
    return np.frombuffer(buffer.getvalue(), np.uint8).reshape(height, width, 4)


def off_the_spines(explorer, differing):
    """The differing pixels more than a pixel away from every axes' frame."""
    height = differing.shape[0]
    allowed = np.zeros_like(differing)
    for ax in explorer.figure.axes:
        x0, y0, x1, y1 = ax.bbox.extents
        top, bottom = height - y1, height - y0  # the picture's rows run downwards
        for column in (x0, x1):
            allowed[int(top) - 1 : int(bottom) + 2, int(column) - 1 : int(column) + 2] = True
        for row in (top, bottom):
            allowed[int(row) - 1 : int(row) + 2, int(x0) - 1 : int(x1) + 2] = True
    return int((differing & ~allowed).sum())


def moves_of_the_activation_explorer(explorer):
    for function, w, b in [("sigmoid", 2.0, 0.0), ("relu", -1.7, 0.6), ("relu", 3.0, 3.0)]:
        explorer.controls["function"].value = function
        explorer.controls["w"].value = w  # the y axes rescale: their ticks and numbers move
        explorer.controls["b"].value = b
        yield f"{function}, w {w}, b {b}"


def moves_of_the_loss_explorer(explorer):
    for prediction in (0.05, 0.5, 0.9):
        explorer.controls["prediction"].value = prediction
        yield f"prediction {prediction}"
    explorer.controls["target"].value = 0.0  # the frame changes: a title names the target
    yield "target 0"
    explorer.controls["prediction"].value = 0.01
    yield "target 0, prediction 0.01"


def moves_of_the_trainer(explorer):
    explorer.controls["hidden_units"].value = 3
    yield "3 hidden units"
    explorer.controls["epochs"].value = 20
    explorer.train()  # the loss curve and the map move; the loss axes' limits too
    yield "trained 20 epochs"
    explorer.controls["dataset"].value = "circles"  # new points: new limits
    yield "circles"
    explorer.controls["epochs"].value = 5
    explorer.train()
    yield "circles, trained 5 epochs"
    explorer.controls["epochs"].value = 7  # more epochs planned: the loss axes widen
    yield "7 more epochs planned"


@pytest.mark.parametrize(
    ("name", "moves"),
    [
        ("activation_explorer", moves_of_the_activation_explorer),
        ("loss_explorer", moves_of_the_loss_explorer),
        ("decision_boundary_trainer", moves_of_the_trainer),
    ],
)
def test_a_blitted_redraw_shows_what_a_full_draw_shows(name, moves):
    explorer = getattr(widgets, name)()
    assert explorer.moving(), "this explorer is meant to paint only what moves"
    for move in moves(explorer):
        shown = shown_pixels(explorer)
        differing = (shown != full_draw_pixels(explorer)).any(axis=2)
        # where a tick meets a spine the two are painted in the other order: a pixel
        assert off_the_spines(explorer, differing) == 0, f"after {move}: a stale picture"
        assert differing.sum() <= 20, f"after {move}: {differing.sum()} pixels differ"
