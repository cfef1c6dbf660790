"""The activation explorer, headless: move its controls, check its plot."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils import widgets
from course_utils.widgets._explorer import Explorer

TORCH_FUNCTIONS = {
    "step": lambda z: torch.heaviside(z, torch.tensor(0.0, dtype=z.dtype)),
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
    "gelu": F.gelu,
}


def line(explorer, name):
    (found,) = [ln for ax in explorer.figure.axes for ln in ax.lines if ln.get_gid() == name]
    return found


def expected_curves(function, x, w, b):
    """PyTorch's activation of w·x + b, and its derivative d/dx by autograd."""
    x = torch.as_tensor(x, dtype=torch.float64).requires_grad_(True)
    y = TORCH_FUNCTIONS[function](w * x + b)
    if function == "step":  # autograd has no derivative for heaviside: it is 0 except at the jump
        return y.detach().numpy(), np.zeros(len(x))
    (slope,) = torch.autograd.grad(y.sum(), x)
    return y.detach().numpy(), slope.numpy()


def test_is_an_explorer_with_a_dropdown_and_two_sliders():
    explorer = widgets.activation_explorer()
    assert isinstance(explorer, Explorer)
    assert set(explorer.controls) == {"function", "w", "b"}
    assert set(explorer.controls["function"].options) == set(TORCH_FUNCTIONS)
    assert explorer.values == {"function": "sigmoid", "w": 1.0, "b": 0.0}
    assert bytes(explorer.image.value).startswith(b"\x89PNG")


def test_the_first_picture_is_the_sigmoid_and_its_derivative():
    explorer = widgets.activation_explorer()
    x = line(explorer, "value").get_xdata()
    value, slope = expected_curves("sigmoid", x, 1.0, 0.0)
    np.testing.assert_allclose(line(explorer, "value").get_ydata(), value, atol=1e-9)
    np.testing.assert_allclose(line(explorer, "slope").get_ydata(), slope, atol=1e-9)


@pytest.mark.parametrize("function", list(TORCH_FUNCTIONS))
def test_moving_the_controls_redraws_the_expected_curves_in_the_same_figure(function):
    explorer = widgets.activation_explorer()
    figure, lines = explorer.figure, list(explorer.figure.axes[0].lines)
    before = line(explorer, "value").get_ydata().copy()
    first_png = bytes(explorer.image.value)

    explorer.controls["function"].value = function
    explorer.controls["w"].value = -1.7
    explorer.controls["b"].value = 0.6

    assert explorer.figure is figure and len(figure.axes) == 2
    assert list(figure.axes[0].lines) == lines, "a redraw must reuse the lines, not add new ones"
    x = line(explorer, "value").get_xdata()
    value, slope = expected_curves(function, x, -1.7, 0.6)
    after = line(explorer, "value").get_ydata()
    assert not np.allclose(after, before)
    np.testing.assert_allclose(after, value, atol=1e-9)
    np.testing.assert_allclose(line(explorer, "slope").get_ydata(), slope, atol=1e-9)
    # the grey reference curves show the plain f(x) and f'(x)
    plain_value, plain_slope = expected_curves(function, x, 1.0, 0.0)
    np.testing.assert_allclose(line(explorer, "plain_value").get_ydata(), plain_value, atol=1e-9)
    np.testing.assert_allclose(line(explorer, "plain_slope").get_ydata(), plain_slope, atol=1e-9)
    assert bytes(explorer.image.value) != first_png
    assert function in figure.axes[0].get_title() and "-1.7" in figure.axes[0].get_title()


def test_the_curves_stay_inside_the_axes_limits():
    explorer = widgets.activation_explorer("relu")
    explorer.controls["w"].value = 3.0
    explorer.controls["b"].value = 3.0
    for ax, name in zip(explorer.figure.axes, ["value", "slope"], strict=True):
        low, high = ax.get_ylim()
        data = line(explorer, name).get_ydata()
        assert low < data.min() and data.max() < high


def test_each_slider_move_redraws_once():
    # how fast a redraw is, `make bench` measures (timings do not belong in tests)
    explorer = widgets.activation_explorer()
    for i in range(5):
        explorer.controls["b"].value = -2.0 + i
    assert explorer.redraw_count == 6


def test_an_unknown_function_is_explained():
    with pytest.raises(ValueError, match="choose one of step, sigmoid"):
        widgets.activation_explorer("swish")
