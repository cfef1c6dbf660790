"""The loss explorer: MAE, MSE and BCE of one prediction p = σ(z), and slopes dL/dz.

dL/dz, not dL/dp, is what backpropagation carries into the weights (MSE's dL/dp is
largest where its dL/dz vanishes).
"""

from collections.abc import Hashable

import ipywidgets
import torch
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from course_utils import losses
from course_utils.plotting import PALETTE
from course_utils.widgets._explorer import Explorer

# each loss f(pred, target, reduction), in a colour-blind-safe colour and line style
_LOSSES = {
    "MAE": (losses.mae, {"color": PALETTE["bluish green"], "linestyle": ":"}),
    "MSE": (losses.mse, {"color": PALETTE["blue"], "linestyle": "--"}),
    "BCE": (losses.bce, {"color": PALETTE["vermillion"], "linestyle": "-"}),
}


def _values_and_slopes(p: torch.Tensor, target: float) -> dict[str, tuple[torch.Tensor, ...]]:
    """Each loss of every prediction p (no reduction), its slope dL/dz by autograd."""
    logit = torch.logit(p).requires_grad_(True)
    results = {}
    for name, (loss_fn, _) in _LOSSES.items():
        values = loss_fn(torch.sigmoid(logit), torch.full_like(p, target), reduction="none")
        (slopes,) = torch.autograd.grad(values.sum(), logit)
        results[name] = (values.detach(), slopes)
    return results


class LossExplorer(Explorer):
    """Pick the target (0 or 1) and move p = σ(z): each loss and its slope dL/dz."""

    def __init__(self, target: float = 1.0, prediction: float = 0.3):
        if target not in (0.0, 1.0):
            raise ValueError(f"target must be 0.0 or 1.0 (a class label), got {target!r}")
        if not 0.01 <= prediction <= 0.99:
            raise ValueError(
                f"prediction must be a probability between 0.01 and 0.99, got {prediction!r}"
            )
        # BCE is infinite at 0 and 1: stay inside
        self.p = torch.linspace(0.005, 0.995, 199, dtype=torch.float64)
        controls = {
            "target": ipywidgets.ToggleButtons(
                options=[("target y = 0", 0.0), ("target y = 1", 1.0)], value=float(target)
            ),
            "prediction": ipywidgets.FloatSlider(
                value=prediction, min=0.01, max=0.99, step=0.01, description="prediction p"
            ),
        }
        super().__init__(controls, "Loss explorer: one prediction", figsize=(9, 3.6))

    def setup(self, figure: Figure) -> None:
        loss_ax, slope_ax = (figure.add_axes((left, 0.15, 0.40, 0.72)) for left in (0.07, 0.57))
        p = self.p.numpy()
        self.lines = {}  # a curve and a marker per loss on each axes, found by gid in the tests
        for name, (_, style) in _LOSSES.items():
            for gid, ax in ((name, loss_ax), (f"{name}_grad", slope_ax)):
                (self.lines[gid],) = ax.plot(p, p, lw=2, label=name, gid=gid, **style)
                (self.lines[f"{gid}_marker"],) = ax.plot(
                    [0.5], [0.0], "o", color=style["color"], ms=8, gid=f"{gid}_marker"
                )
        loss_ax.set(ylim=(-0.1, 5.4), ylabel="loss L")
        slope_ax.set(ylim=(-1.1, 1.1), ylabel="dL/dz  (z: the logit, p = σ(z))")  # BCE's: p - y
        slope_ax.axhline(0, color="#bbbbbb", lw=0.8, zorder=0)
        for ax in (loss_ax, slope_ax):
            ax.set(xlim=(0, 1), xlabel="prediction p")
            ax.grid(alpha=0.25)
            ax.legend(loc="upper center", fontsize="small", ncol=3)

    def moving(self) -> list[Artist]:
        """The curves and markers, and the legends drawn over them."""
        return [*self.lines.values(), *(ax.get_legend() for ax in self.figure.axes)]

    def frame(self) -> Hashable:
        """The titles (one names the target); the axes' limits never change."""
        return tuple(ax.get_title() for ax in self.figure.axes)

    def draw(self, figure: Figure, target: float, prediction: float) -> str:
        curves = _values_and_slopes(self.p, target)
        here = _values_and_slopes(torch.tensor([prediction], dtype=torch.float64), target)
        parts = []
        for name, (values, slopes) in curves.items():
            value, slope = (t.item() for t in here[name])
            self.lines[name].set_ydata(values.numpy())
            self.lines[f"{name}_grad"].set_ydata(slopes.numpy())
            self.lines[f"{name}_marker"].set_data([prediction], [value])
            self.lines[f"{name}_grad_marker"].set_data([prediction], [slope])
            parts.append(f"{name} = {value:.4f} (dL/dz {slope:+.4f})")
        figure.axes[0].set_title(f"loss of one prediction, target y = {target:.0f}")
        figure.axes[1].set_title("slope dL/dz: what reaches the weights")
        return f"p = {prediction:.2f}, y = {target:.0f}: " + "; ".join(parts)
