"""Every explorer registered in course_utils.widgets keeps to the course's contract:
moving any control redraws the one figure it owns (no new figure, no pyplot window) and
changes what it shows."""

import ipywidgets
import matplotlib.pyplot as plt
import pytest
import torch

from course_utils import data, models, widgets


def build(name):
    if name == "inference_explorer":
        torch.manual_seed(0)
        X, y = data.make_blobs(n_per_class=50, generator=torch.Generator().manual_seed(0))
        return widgets.inference_explorer(models.SimpleClassifier(2, 10), X, y)
    if name == "digit_pad":
        torch.manual_seed(0)
        X, y = data.load_digits()
        return widgets.digit_pad(models.MulticlassMLP(64, 16, 10), examples=(X[:30], y[:30]))
    return getattr(widgets, name)()


def another_value(control):
    """A valid value different from the control's current one."""
    if isinstance(control, ipywidgets.FloatLogSlider):
        exponent = (control.min + control.max) / 2
        return (
            control.base**exponent
            if control.value != control.base**exponent
            else control.base**control.min
        )
    if hasattr(control, "options"):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return next(v for v in values if v != control.value)
    if isinstance(control, ipywidgets.Checkbox | ipywidgets.ToggleButton):
        return not control.value
    middle = type(control.value)((control.min + control.max) / 2)
    return middle if middle != control.value else control.max


@pytest.mark.parametrize("name", sorted(widgets._EXPLORERS))
def test_every_control_redraws_the_same_figure(name):
    figures_before = plt.get_fignums()
    explorer = build(name)
    figure, axes = explorer.figure, len(explorer.figure.axes)
    assert explorer.controls, f"{name} has no controls"
    for control_name, control in explorer.controls.items():
        shown = (bytes(explorer.image.value), explorer.message.value)
        count = explorer.redraw_count
        control.value = another_value(control)
        assert explorer.redraw_count == count + 1, f"{name}: moving {control_name} did not redraw"
        assert explorer.figure is figure and len(figure.axes) == axes
        now = (bytes(explorer.image.value), explorer.message.value)
        assert now != shown, f"{name}: moving {control_name} changed neither picture nor message"
    assert plt.get_fignums() == figures_before, f"{name} opened a pyplot figure"


# What the browser must know to draw a widget: its model's and view's JavaScript modules. Colab's
# output area, like JupyterLab, knows only the standard ones that come with ipywidgets.
STANDARD_MODULES = {"@jupyter-widgets/base", "@jupyter-widgets/controls", "@jupyter-widgets/output"}


def widget_tree(widget):
    """The widget, its children, theirs, ... and the layouts and styles they use."""
    yield widget
    for name in ("layout", "style"):
        if isinstance(getattr(widget, name, None), ipywidgets.Widget):
            yield getattr(widget, name)
    for child in getattr(widget, "children", ()):
        yield from widget_tree(child)


@pytest.mark.parametrize("name", [*sorted(widgets._EXPLORERS), "quiz"])
def test_every_explorer_is_made_of_standard_ipywidgets_only(name):
    if name == "quiz":
        shown = widgets.quiz("Which?", ["a", "b"], 0, ["yes", "no"])
    else:
        shown = build(name).widget
    drawn = list(widget_tree(shown))
    assert len(drawn) > 3
    for widget in drawn:
        modules = {widget._model_module, widget._view_module} - {None}
        assert modules <= STANDARD_MODULES, f"{name}: {type(widget).__name__} needs {modules}"
