import ipywidgets

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
