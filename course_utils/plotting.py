"""Plots used across the course. matplotlib is imported here only, when a plot is asked for.

Each function draws on the ``ax`` it is given (or a new figure) and returns the Axes, so a
notebook can combine plots and a widget can redraw into the same figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import Tensor, nn

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_data", "plot_decision_boundary", "decision_grid", "CLASS_COLORS"]

CLASS_COLORS = ("#1f77b4", "#d62728")  # class 0 blue, class 1 red, everywhere in the course


def _axes(ax: Axes | None, figsize: tuple[float, float] = (5, 4)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_data(X: Tensor, y: Tensor, ax: Axes | None = None, title: str = "", **scatter) -> Axes:
    """Scatter 2-D points coloured by their 0/1 label. Example: ``plot_data(X, y, title="blobs")``."""
    ax = _axes(ax)
    labels = y.reshape(-1)
    for label, color in enumerate(CLASS_COLORS):
        points = X[labels == label]
        options = {"s": 12, "alpha": 0.7, "edgecolors": "none", **scatter}
        ax.scatter(points[:, 0], points[:, 1], color=color, label=f"class {label}", **options)
    ax.set_xlabel("feature 1")
    ax.set_ylabel("feature 2")
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    return ax


def decision_grid(
    model: nn.Module, X: Tensor, resolution: int = 200, margin: float = 1.0
) -> tuple[Tensor, Tensor, Tensor]:
    """The model's probability of class 1 on a grid around ``X``: returns xx, yy, probability.

    The model is evaluated in eval mode, without gradients, on the device its parameters are on;
    its mode is restored afterwards and its parameters are not touched.
    """
    low = X.min(dim=0).values - margin
    high = X.max(dim=0).values + margin
    xs = torch.linspace(float(low[0]), float(high[0]), resolution)
    ys = torch.linspace(float(low[1]), float(high[1]), resolution)
    xx, yy = torch.meshgrid(xs, ys, indexing="xy")
    grid = torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1)
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            probability = model(grid.to(device)).reshape(xx.shape).cpu()
    finally:
        model.train(was_training)
    return xx, yy, probability


def plot_decision_boundary(
    model: nn.Module,
    X: Tensor,
    y: Tensor,
    ax: Axes | None = None,
    title: str = "",
    resolution: int = 200,
) -> Axes:
    """Draw the model's probability of class 1 as a colour map, the 0.5 boundary, and the points.

    The model must map (N, 2) inputs to probabilities (N, 1). It is left as it was found: same
    device, same train/eval mode, same parameters.
    Example: ``plot_decision_boundary(model, X_test, y_test, title="after training")``.
    """
    ax = _axes(ax)
    xx, yy, probability = decision_grid(model, X, resolution)
    mesh = ax.contourf(xx, yy, probability, levels=20, cmap="RdBu_r", vmin=0, vmax=1, alpha=0.6)
    ax.contour(xx, yy, probability, levels=[0.5], colors="black", linewidths=1.5)
    plot_data(X, y, ax=ax, title=title)
    if not getattr(ax, "_course_colorbar", False):
        ax.figure.colorbar(mesh, ax=ax, label="P(class 1)")
        ax._course_colorbar = True
    return ax
