"""The optimizer explorer: pick a surface, an optimizer and a learning rate; watch the path."""

import math

import ipywidgets
from matplotlib.figure import Figure
from torch import Tensor

from course_utils import plotting
from course_utils.surfaces import OPTIMIZERS, SURFACES, run_trajectory
from course_utils.widgets._explorer import Explorer


def _describe(surface_name: str, optimizer: str, lr: float, steps: int, path: Tensor) -> str:
    """One sentence on how the run went (shown above the plot)."""
    surface = SURFACES[surface_name]
    suggested, taken, end = surface.learning_rates[optimizer], len(path) - 1, path[-1]
    if taken < steps:
        return (
            f"⚠️ <b>diverged</b> after {taken + 1} of {steps} steps: lr={lr:.3g} is too large for "
            f"{optimizer} here, the path flew off the plot (shown up to where it left). "
            f"Try a smaller lr, e.g. {suggested:g}."
        )
    limits = path.new_tensor((surface.xlim, surface.ylim))  # rows w1, w2; columns low, high
    outside = bool(((path < limits[:, 0]) | (path > limits[:, 1])).any())
    note = " Part of the path leaves the window (clipped)." if outside else ""
    loss = surface(end[0], end[1]).item()
    loss_text = f"{loss:.4g}" if math.isfinite(loss) else "not finite"
    return (
        f"{optimizer}, lr={lr:.3g}: after {taken} steps w = ({end[0]:.3f}, {end[1]:.3f}), "
        f"loss {loss_text}.{note} The optimizer race uses lr={suggested:g} for it here."
    )


class OptimizerExplorer(Explorer):
    """An optimizer's path over a loss surface's contours (drawn once per surface), for any lr."""

    def __init__(
        self,
        surface: str = "elongated bowl",
        optimizer: str = "SGD",
        lr: float = 0.1,
        steps: int = 100,
    ):
        self.surface: str | None = None  # the surface whose contours are drawn
        self.optimizer: str | None = None  # the optimizer whose colours the path wears
        log_scale = {"base": 10, "min": -4, "max": 0.5, "step": 0.05, "readout_format": ".4f"}
        controls = {
            "surface": ipywidgets.Dropdown(
                options=list(SURFACES), value=surface, description="surface"
            ),
            "optimizer": ipywidgets.Dropdown(
                options=list(OPTIMIZERS), value=optimizer, description="optimizer"
            ),
            "lr": ipywidgets.FloatLogSlider(value=lr, description="lr", **log_scale),
            "steps": ipywidgets.IntSlider(
                value=steps, min=0, max=300, step=10, description="steps"
            ),
        }
        super().__init__(controls, "Optimizer explorer", figsize=(6.5, 4.5))

    def draw(self, figure: Figure, surface: str, optimizer: str, lr: float, steps: int) -> str:
        if self.surface != surface:  # a new surface: a new axes, its contours, an empty path
            figure.clear()
            ax = figure.add_axes((0.11, 0.11, 0.86, 0.82))
            plotting.plot_surface(SURFACES[surface], ax=ax)
            (self.path_line,) = ax.plot([], [], marker="o", markersize=2.5, lw=1.4)
            (self.end_marker,) = ax.plot(
                [], [], linestyle="none", markersize=10, markeredgecolor=plotting.MARKER_EDGE
            )
            self.surface, self.optimizer = surface, None
        if self.optimizer != optimizer:  # the optimizer's colour and end marker, as in the race
            style = plotting.OPTIMIZER_STYLES[optimizer]
            self.path_line.set(color=style["color"], label=optimizer)
            self.end_marker.set(color=style["color"], marker=style["marker"], label="end")
            figure.axes[0].legend(loc="lower right", fontsize="small")
            self.optimizer = optimizer
        path = run_trajectory(surface, optimizer, lr, steps)  # (steps + 1, 2), or fewer rows
        self.path_line.set_data(path[:, 0].numpy(), path[:, 1].numpy())
        self.end_marker.set_data(path[-1:, 0].numpy(), path[-1:, 1].numpy())
        figure.axes[0].set_title(f"{surface}: {optimizer}, lr = {lr:.3g}")
        return _describe(surface, optimizer, lr, steps, path)
