"""The activation explorer: one neuron's output f(w·x + b) and its slope, as w and b move."""

from __future__ import annotations

import ipywidgets
import torch
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from course_utils.activations import ELEMENTWISE
from course_utils.plotting import PALETTE
from course_utils.widgets._explorer import Explorer

__all__ = ["activation_explorer", "ActivationExplorer", "X_RANGE"]

X_RANGE = (-5.0, 5.0)
_POINTS = 401


def _curves(function: str, w: float, b: float, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """f(w·x + b) and its derivative d/dx = w · f'(w·x + b) (chain rule), as float64 tensors."""
    activation, derivative = ELEMENTWISE[function]
    z = w * x + b
    return activation(z), w * derivative(z)


def _setup(figure: Figure, x: torch.Tensor) -> dict[str, Line2D]:
    """Create the two axes and their four lines once; a redraw only changes the lines' data.

    Returns the lines by name: "value" f(w·x + b), "slope" its derivative, and in grey
    "plain_value" f(x), "plain_slope" f'(x) (w = 1, b = 0) for comparison.
    """
    # fixed margins instead of the constrained layout: one drawing pass per redraw, not two
    figure.set_layout_engine("none")
    value_ax = figure.add_axes((0.065, 0.15, 0.425, 0.75))  # (left, bottom, width, height)
    slope_ax = figure.add_axes((0.565, 0.15, 0.425, 0.75))
    for ax in (value_ax, slope_ax):
        ax.axhline(0, color="#bbbbbb", lw=0.8, zorder=0)
        ax.axvline(0, color="#bbbbbb", lw=0.8, zorder=0)
        ax.set_xlim(*X_RANGE)
        ax.set_xlabel("x")
        ax.grid(alpha=0.25)
    grey = {"color": "#999999", "lw": 1.2}
    (plain_value,) = value_ax.plot(x.numpy(), x.numpy(), label="f(x)", **grey)
    (value,) = value_ax.plot(
        x.numpy(), x.numpy(), color=PALETTE["blue"], lw=2.2, label="f(w·x + b)"
    )
    (plain_slope,) = slope_ax.plot(x.numpy(), x.numpy(), label="f'(x)", **grey)
    (slope,) = slope_ax.plot(
        x.numpy(), x.numpy(), color=PALETTE["vermillion"], lw=2.2, ls="--", label="d/dx f(w·x + b)"
    )
    value_ax.legend(loc="best", fontsize="small")
    slope_ax.legend(loc="best", fontsize="small")
    lines = {"value": value, "slope": slope, "plain_value": plain_value, "plain_slope": plain_slope}
    for name, line in lines.items():
        line.set_gid(name)  # lets a test find each line
    return lines


def _fit_y_limits(ax, *curves: torch.Tensor) -> None:
    low = min(float(c.min()) for c in curves)
    high = max(float(c.max()) for c in curves)
    pad = max(0.1, 0.08 * (high - low))
    ax.set_ylim(low - pad, high + pad)


class ActivationExplorer(Explorer):
    """f(w·x + b) and its derivative (colour) beside f(x) and f'(x) (grey), for the chosen f."""

    def __init__(self, function: str, w: float, b: float):
        if function not in ELEMENTWISE:
            raise ValueError(
                f"unknown activation {function!r}: choose one of {', '.join(ELEMENTWISE)}"
            )
        self.x = torch.linspace(*X_RANGE, _POINTS, dtype=torch.float64)
        slider = {"min": -3.0, "max": 3.0, "step": 0.1, "continuous_update": True}
        controls = {
            "function": ipywidgets.Dropdown(
                options=list(ELEMENTWISE), value=function, description="f"
            ),
            "w": ipywidgets.FloatSlider(value=w, description="weight w", **slider),
            "b": ipywidgets.FloatSlider(value=b, description="bias b", **slider),
        }
        super().__init__(controls, figsize=(9, 3.4), title="Activation explorer: one neuron")

    def setup(self, figure: Figure) -> None:
        self.lines = _setup(figure, self.x)

    def draw(self, figure: Figure, function: str, w: float, b: float) -> None:
        value_ax, slope_ax = figure.axes
        plain_value, plain_slope = _curves(function, 1.0, 0.0, self.x)
        value, slope = _curves(function, w, b, self.x)
        self.lines["plain_value"].set_ydata(plain_value.numpy())
        self.lines["value"].set_ydata(value.numpy())
        self.lines["plain_slope"].set_ydata(plain_slope.numpy())
        self.lines["slope"].set_ydata(slope.numpy())
        _fit_y_limits(value_ax, plain_value, value)
        _fit_y_limits(slope_ax, plain_slope, slope)
        inside = f"{w:.1f}·x + {b:.1f}".replace("+ -", "− ")
        value_ax.set_title(f"y = {function}({inside})")
        slope_ax.set_title(f"dy/dx = {w:.1f} · {function}'({inside})")


def activation_explorer(
    function: str = "sigmoid", w: float = 1.0, b: float = 0.0
) -> ActivationExplorer:
    """An explorer: choose an activation, move w and b, see f(w·x + b) and its derivative d/dx.

    Returns an ``Explorer``; leave it as the last expression of a cell to display it.
    """
    return ActivationExplorer(function, w, b)
