"""The loss explorer, headless: move its controls, check its plot against PyTorch."""

import numpy as np
import pytest
import torch
from torch import nn

from course_utils import widgets
from course_utils.widgets._explorer import Explorer

TORCH_LOSSES = {"MAE": nn.L1Loss, "MSE": nn.MSELoss, "BCE": nn.BCELoss}


def line(explorer, name):
    (found,) = [ln for ax in explorer.figure.axes for ln in ax.lines if ln.get_gid() == name]
    return found


def torch_curves(name, p, target):
    """PyTorch's loss of each prediction p = sigmoid(z), and dL/dz by autograd."""
    p = torch.as_tensor(np.asarray(p, dtype=np.float64))
    z = torch.logit(p).requires_grad_(True)
    values = TORCH_LOSSES[name](reduction="none")(torch.sigmoid(z), torch.full_like(p, target))
    (grad,) = torch.autograd.grad(values.sum(), z)
    return values.detach().numpy(), grad.numpy()


def slope_by_hand(name, p, target):
    """dL/dz by the chain rule, dL/dp * p(1 - p), worked out for each loss."""
    p = np.asarray(p, dtype=np.float64)
    sigmoid_slope = p * (1 - p)
    return {
        "MAE": np.sign(p - target) * sigmoid_slope,
        "MSE": 2 * (p - target) * sigmoid_slope,
        "BCE": p - target,  # the 1/p of the log cancels the sigmoid's slope
    }[name]


def test_is_an_explorer_with_a_target_toggle_and_a_prediction_slider():
    explorer = widgets.loss_explorer()
    assert isinstance(explorer, Explorer)
    assert set(explorer.controls) == {"target", "prediction"}
    assert explorer.values == {"target": 1.0, "prediction": 0.3}
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    assert "BCE = 1.2040" in explorer.message.value  # -log(0.3)


@pytest.mark.parametrize(("target", "prediction"), [(0.0, 0.9), (1.0, 0.05), (0.0, 0.5)])
def test_moving_the_controls_redraws_torchs_values_in_the_same_figure(target, prediction):
    explorer = widgets.loss_explorer()
    figure = explorer.figure
    lines = [list(ax.lines) for ax in figure.axes]
    before = {name: line(explorer, name).get_ydata().copy() for name in TORCH_LOSSES}
    first_png = bytes(explorer.image.value)

    explorer.controls["target"].value = target
    explorer.controls["prediction"].value = prediction

    assert explorer.figure is figure and len(figure.axes) == 2
    assert [list(ax.lines) for ax in figure.axes] == lines, "a redraw must reuse the lines"
    for name in TORCH_LOSSES:
        x = line(explorer, name).get_xdata()
        values, grads = torch_curves(name, x, target)
        np.testing.assert_allclose(line(explorer, name).get_ydata(), values, atol=1e-9)
        plotted_slope = line(explorer, f"{name}_grad").get_ydata()
        np.testing.assert_allclose(plotted_slope, grads, atol=1e-9)
        np.testing.assert_allclose(plotted_slope, slope_by_hand(name, x, target), atol=1e-9)
        marker_x, marker_y = line(explorer, f"{name}_marker").get_data()
        value, grad = torch_curves(name, [prediction], target)
        assert list(marker_x) == [prediction]
        np.testing.assert_allclose(marker_y, value, atol=1e-9)
        grad_y = line(explorer, f"{name}_grad_marker").get_ydata()
        np.testing.assert_allclose(grad_y, grad, atol=1e-9)
        assert -1.1 < grad_y[0] < 1.1, "the marker is on the plot"
        assert f"{name} = {value[0]:.4f}" in explorer.message.value
    if target == 0.0:  # the curves flipped from the target-1 picture
        assert not np.allclose(line(explorer, "BCE").get_ydata(), before["BCE"])
    assert bytes(explorer.image.value) != first_png
    assert f"y = {target:.0f}" in figure.axes[0].get_title()


def test_confidently_wrong_bces_slope_stays_large_and_mses_vanishes():
    # what the README's live demo says to show: target 1, prediction 0.01
    explorer = widgets.loss_explorer(target=1.0, prediction=0.01)
    slopes = {name: line(explorer, f"{name}_grad_marker").get_ydata()[0] for name in TORCH_LOSSES}
    assert slopes["BCE"] == pytest.approx(0.01 - 1)
    assert abs(slopes["MSE"]) < 0.02 and abs(slopes["MAE"]) < 0.01
    _, grad_ax = explorer.figure.axes
    assert "dL/dz" in grad_ax.get_ylabel() and "dL/dz" in grad_ax.get_title()
    assert "BCE = 4.6052 (dL/dz -0.9900)" in explorer.message.value  # -log(0.01), 0.01 - 1


def test_refuses_a_target_that_is_not_a_class_label():
    with pytest.raises(ValueError, match="0.0 or 1.0"):
        widgets.loss_explorer(target=0.5)
