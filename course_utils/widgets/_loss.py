"""The loss explorer: MAE, MSE and BCE of one prediction, and the slope that reaches the weights.

The prediction is a probability p = sigmoid(z) of a logit z, as in the course's classifier. The
right-hand plot shows each loss's slope with respect to that logit, dL/dz = dL/dp * p(1 - p):
the number backpropagation carries from the loss into the network's weights. (dL/dp alone
would mislead: MSE's dL/dp is largest exactly where its dL/dz vanishes.)
"""

from __future__ import annotations

import ipywidgets
import torch
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from course_utils import losses
from course_utils.plotting import PALETTE
from course_utils.widgets._explorer import Explorer

__all__ = [
    "loss_explorer",
    "LossExplorer",
    "loss_values_and_logit_gradients",
    "LOSSES",
    "PREDICTION_RANGE",
]

# the losses shown, by name: each f(pred, target, reduction) from course_utils.losses
LOSSES = {"MAE": losses.mae, "MSE": losses.mse, "BCE": losses.bce}
# each loss its own colour-blind-safe colour and line style, so the curves differ without colour
STYLES = {
    "MAE": {"color": PALETTE["bluish green"], "linestyle": ":"},
    "MSE": {"color": PALETTE["blue"], "linestyle": "--"},
    "BCE": {"color": PALETTE["vermillion"], "linestyle": "-"},
}
PREDICTION_RANGE = (0.005, 0.995)  # BCE is infinite at 0 and 1 (before its clamp): stay inside
_POINTS = 199
_GRADIENT_LIMIT = 1.1  # every dL/dz here lies in [-1, 1]: BCE's is p - y


def loss_values_and_logit_gradients(
    prediction: torch.Tensor, target: float
) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Each loss of every prediction p (reduction="none") and its slope dL/dz by autograd.

    z is the logit of p (p = sigmoid(z)), so the slope is the one that reaches the weights.
    Returns {name: (values, gradients)} as float64 tensors shaped like ``prediction``.
    """
    p = prediction.detach().to(torch.float64)
    logit = torch.log(p / (1 - p)).requires_grad_(True)  # z with sigmoid(z) = p
    results = {}
    for name, loss_fn in LOSSES.items():
        probability = torch.sigmoid(logit)
        values = loss_fn(probability, torch.full_like(p, target), reduction="none")
        (gradients,) = torch.autograd.grad(values.sum(), logit)
        results[name] = (values.detach(), gradients)
    return results


def _setup(figure: Figure, p: torch.Tensor) -> dict[str, Line2D]:
    """Create the two axes, a curve and a marker per loss on each; redraws only change data."""
    figure.set_layout_engine("none")
    loss_ax = figure.add_axes((0.07, 0.15, 0.40, 0.72))  # (left, bottom, width, height)
    grad_ax = figure.add_axes((0.57, 0.15, 0.40, 0.72))
    lines: dict[str, Line2D] = {}
    for name, style in STYLES.items():
        (lines[name],) = loss_ax.plot(p.numpy(), p.numpy(), lw=2, label=name, **style)
        (lines[f"{name}_marker"],) = loss_ax.plot([0.5], [0.0], "o", color=style["color"], ms=8)
        (lines[f"{name}_grad"],) = grad_ax.plot(p.numpy(), p.numpy(), lw=2, label=name, **style)
        (lines[f"{name}_grad_marker"],) = grad_ax.plot(
            [0.5], [0.0], "o", color=style["color"], ms=8
        )
    for name, line in lines.items():
        line.set_gid(name)  # lets a test find each line
    loss_ax.set_ylim(-0.1, 5.4)
    loss_ax.set_ylabel("loss L")
    grad_ax.set_ylim(-_GRADIENT_LIMIT, _GRADIENT_LIMIT)
    grad_ax.set_ylabel("dL/dz  (z: the logit, p = σ(z))")
    grad_ax.axhline(0, color="#bbbbbb", lw=0.8, zorder=0)
    for ax in (loss_ax, grad_ax):
        ax.set_xlim(0, 1)
        ax.set_xlabel("prediction p")
        ax.grid(alpha=0.25)
        ax.legend(loc="upper center", fontsize="small", ncol=3)
    return lines


class LossExplorer(Explorer):
    """Each loss (left) and its slope dL/dz (right) over p, with a marker at the chosen p."""

    def __init__(self, target: float, prediction: float):
        if target not in (0.0, 1.0):
            raise ValueError(f"target must be 0.0 or 1.0 (a class label), got {target!r}")
        if not 0.01 <= prediction <= 0.99:
            raise ValueError(
                f"prediction must be a probability between 0.01 and 0.99, got {prediction!r}"
            )
        self.p = torch.linspace(*PREDICTION_RANGE, _POINTS, dtype=torch.float64)
        controls = {
            "target": ipywidgets.ToggleButtons(
                options=[("target y = 0", 0.0), ("target y = 1", 1.0)], value=float(target)
            ),
            "prediction": ipywidgets.FloatSlider(
                value=prediction,
                min=0.01,
                max=0.99,
                step=0.01,
                description="prediction p",
                continuous_update=True,
            ),
        }
        super().__init__(controls, figsize=(9, 3.6), title="Loss explorer: one prediction")

    def setup(self, figure: Figure) -> None:
        self.lines = _setup(figure, self.p)

    def draw(self, figure: Figure, target: float, prediction: float) -> str:
        curves = loss_values_and_logit_gradients(self.p, target)
        here = loss_values_and_logit_gradients(
            torch.tensor([prediction], dtype=torch.float64), target
        )
        parts = []
        for name in LOSSES:
            values, gradients = curves[name]
            value, gradient = (t.item() for t in here[name])
            self.lines[name].set_ydata(values.numpy())
            self.lines[f"{name}_grad"].set_ydata(gradients.numpy())
            self.lines[f"{name}_marker"].set_data([prediction], [value])
            self.lines[f"{name}_grad_marker"].set_data([prediction], [gradient])
            parts.append(f"{name} = {value:.4f} (dL/dz {gradient:+.4f})")
        loss_ax, grad_ax = figure.axes
        loss_ax.set_title(f"loss of one prediction, target y = {target:.0f}")
        grad_ax.set_title("slope dL/dz: what reaches the weights")
        return f"p = {prediction:.2f}, y = {target:.0f}: " + "; ".join(parts)


def loss_explorer(target: float = 1.0, prediction: float = 0.3) -> LossExplorer:
    """An explorer: pick the target (0 or 1), move the prediction p = σ(z), see each loss and dL/dz.

    Returns an ``Explorer``; leave it as the last expression of a cell to display it.
    """
    return LossExplorer(target, prediction)
