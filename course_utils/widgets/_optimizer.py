"""The optimizer explorer: pick a surface, an optimizer and a learning rate; watch the path."""

from __future__ import annotations

import math

import ipywidgets
from matplotlib.figure import Figure

from course_utils import plotting
from course_utils.surfaces import OPTIMIZERS, SURFACES, run_trajectory
from course_utils.widgets._explorer import Explorer

__all__ = ["optimizer_explorer", "OptimizerExplorer"]


def _describe(surface_name: str, optimizer: str, lr: float, steps: int, path) -> str:
    """One sentence on how the run went (shown above the plot)."""
    surface = SURFACES[surface_name]
    suggested = surface.learning_rates[optimizer]
    taken = len(path) - 1
    end = path[-1]
    loss = surface(end[0], end[1]).item()
    if taken < steps:
        return (
            f"⚠️ <b>diverged</b> after {taken + 1} of {steps} steps: lr={lr:.3g} is too large for "
            f"{optimizer} here, the path flew off the plot (shown up to where it left). "
            f"Try a smaller lr, e.g. {suggested:g}."
        )
    (xmin, xmax), (ymin, ymax) = surface.xlim, surface.ylim
    lowest, highest = path.new_tensor((xmin, ymin)), path.new_tensor((xmax, ymax))
    outside = bool(((path < lowest) | (path > highest)).any())  # a point beyond the window
    note = " Part of the path leaves the window (clipped)." if outside else ""
    loss_text = f"{loss:.4g}" if math.isfinite(loss) else "not finite"
    return (
        f"{optimizer}, lr={lr:.3g}: after {taken} steps w = ({end[0]:.3f}, {end[1]:.3f}), "
        f"loss {loss_text}.{note} A learning rate that works well here: {suggested:g}."
    )


class OptimizerExplorer(Explorer):
    """An optimizer's path over a loss surface's contours; the contours redrawn only per surface."""

    def __init__(self, surface: str, optimizer: str, lr: float, steps: int):
        self.surface: str | None = None  # the surface whose contours are drawn
        self.optimizer: str | None = None  # the optimizer whose colours the path wears
        controls = {
            "surface": ipywidgets.Dropdown(
                options=list(SURFACES), value=surface, description="surface"
            ),
            "optimizer": ipywidgets.Dropdown(
                options=list(OPTIMIZERS), value=optimizer, description="optimizer"
            ),
            "lr": ipywidgets.FloatLogSlider(
                value=lr,
                base=10,
                min=-4,
                max=0.5,
                step=0.05,
                description="lr",
                readout_format=".4f",
            ),
            "steps": ipywidgets.IntSlider(
                value=steps, min=0, max=300, step=10, description="steps"
            ),
        }
        super().__init__(controls, figsize=(6.5, 4.5), title="Optimizer explorer")

    def _draw_surface(self, figure: Figure, surface: str) -> None:
        """Clear the figure, draw the surface's contours, and an empty path and end marker."""
        figure.clear()
        figure.set_layout_engine("none")  # fixed margins: one drawing pass per redraw, not two
        ax = figure.add_axes((0.11, 0.11, 0.86, 0.82))  # (left, bottom, width, height)
        plotting.plot_surface(SURFACES[surface], ax=ax)
        (self.path_line,) = ax.plot([], [], marker="o", markersize=2.5, lw=1.4)
        (self.end_marker,) = ax.plot(
            [], [], linestyle="none", markersize=10, markeredgecolor=plotting.MARKER_EDGE
        )
        self.surface, self.optimizer = surface, None

    def _dress_path(self, figure: Figure, optimizer: str) -> None:
        """The optimizer's colour and end marker, as in the race."""
        style = plotting.OPTIMIZER_STYLES[optimizer]
        self.path_line.set(color=style["color"], label=optimizer)
        self.end_marker.set(color=style["color"], marker=style["marker"], label="end")
        figure.axes[0].legend(loc="lower right", fontsize="small")
        self.optimizer = optimizer

    def draw(self, figure: Figure, surface: str, optimizer: str, lr: float, steps: int) -> str:
        if self.surface != surface:
            self._draw_surface(figure, surface)
        if self.optimizer != optimizer:
            self._dress_path(figure, optimizer)
        path = run_trajectory(surface, optimizer, lr, steps)  # (steps + 1, 2), or fewer rows
        self.path_line.set_data(path[:, 0].numpy(), path[:, 1].numpy())
        self.end_marker.set_data(path[-1:, 0].numpy(), path[-1:, 1].numpy())
        figure.axes[0].set_title(f"{surface}: {optimizer}, lr = {lr:.3g}")
        return _describe(surface, optimizer, lr, steps, path)


def optimizer_explorer(
    surface: str = "elongated bowl", optimizer: str = "SGD", lr: float = 0.1, steps: int = 100
) -> OptimizerExplorer:
    """An explorer: surface and optimizer dropdowns, a log-scale learning-rate slider, a steps slider.

    The contours are drawn once per surface; moving a slider only updates the path's line data.
    A learning rate that diverges is shown up to where the path left, with a message.
    """
    return OptimizerExplorer(surface, optimizer, lr, steps)
