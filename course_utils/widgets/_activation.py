"""The activation explorer: a neuron's f(w·x + b) and its slope, as w and b move."""

import ipywidgets
import torch
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from course_utils.activations import ELEMENTWISE
from course_utils.plotting import PALETTE
from course_utils.widgets._explorer import Explorer

_GREY = {"color": "#999999", "lw": 1.2}
# each line's name (a test finds it by this gid):
# its axes (0 values, 1 slopes), label, style
_LINES = {
    "plain_value": (0, "f(x)", _GREY),
    "value": (0, "f(w·x + b)", {"color": PALETTE["blue"], "lw": 2.2}),
    "plain_slope": (1, "f'(x)", _GREY),
    "slope": (1, "d/dx f(w·x + b)", {"color": PALETTE["vermillion"], "lw": 2.2, "ls": "--"}),
}


class ActivationExplorer(Explorer):
    """Choose an activation f and move w and b: f(w·x + b) and its slope d/dx.

    The neuron's output and slope are drawn in colour, f(x) and f'(x) in grey, so that
    w is seen to stretch the curve and b to shift it.
    """

    def __init__(self, function: str = "sigmoid", w: float = 1.0, b: float = 0.0):
        if function not in ELEMENTWISE:
            raise ValueError(
                f"unknown activation {function!r}: choose one of {', '.join(ELEMENTWISE)}"
            )
        self.x = torch.linspace(-5.0, 5.0, 401, dtype=torch.float64)
        slider = {"min": -3.0, "max": 3.0, "step": 0.1}
        controls = {
            "function": ipywidgets.Dropdown(
                options=list(ELEMENTWISE), value=function, description="f"
            ),
            "w": ipywidgets.FloatSlider(value=w, description="weight w", **slider),
            "b": ipywidgets.FloatSlider(value=b, description="bias b", **slider),
        }
        super().__init__(controls, "Activation explorer: one neuron", figsize=(9, 3.4))

    def setup(self, figure: Figure) -> None:
        axes = [figure.add_axes((left, 0.15, 0.425, 0.75)) for left in (0.065, 0.565)]
        x = self.x.numpy()
        self.lines = {
            name: axes[i].plot(x, x, label=label, gid=name, **style)[0]
            for name, (i, label, style) in _LINES.items()
        }
        self.zero_lines = []
        for ax in axes:
            # just above the grid, which sits at 1.5 (and below the curves, at 2)
            self.zero_lines.append(ax.axhline(0, color="#bbbbbb", lw=0.8, zorder=1.6))
            self.zero_lines.append(ax.axvline(0, color="#bbbbbb", lw=0.8, zorder=1.6))
            ax.set(xlim=(-5.0, 5.0), xlabel="x")
            ax.grid(alpha=0.25)
            ax.legend(loc="best", fontsize="small")

    def moving(self) -> list[Artist]:
        """All but the x axes: w and b move the curves, the y axes and the titles.

        The y axes (ticks, numbers, grid lines) follow the curves' range, and the zero
        lines and legends are painted with them, over the x axes' grid lines and under
        the curves, as a full draw paints them. The x axes and their labels are the same
        for every function, w and b: the frame never changes (``frame()`` is None).
        """
        axes = self.figure.axes
        return [
            *self.lines.values(),
            *self.zero_lines,
            *(ax.yaxis for ax in axes),
            *(ax.get_legend() for ax in axes),
            *(ax.title for ax in axes),
        ]

    def draw(self, figure: Figure, function: str, w: float, b: float) -> None:
        activation, derivative = ELEMENTWISE[function]
        z = w * self.x + b
        curves = {
            "plain_value": activation(self.x),
            "value": activation(z),
            "plain_slope": derivative(self.x),
            "slope": w * derivative(z),  # the chain rule: d/dx f(w·x + b) = w · f'(w·x + b)
        }
        for name, curve in curves.items():
            self.lines[name].set_ydata(curve.numpy())
        for i, ax in enumerate(figure.axes):
            shown = torch.cat([curve for name, curve in curves.items() if _LINES[name][0] == i])
            low, high = shown.min().item(), shown.max().item()
            pad = max(0.1, 0.08 * (high - low))
            ax.set_ylim(low - pad, high + pad)
        inside = f"{w:.1f}·x + {b:.1f}".replace("+ -", "− ")
        figure.axes[0].set_title(f"y = {function}({inside})")
        figure.axes[1].set_title(f"dy/dx = {w:.1f} · {function}'({inside})")
