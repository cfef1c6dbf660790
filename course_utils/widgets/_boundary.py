"""What the decision-boundary trainer and the inference explorer share: a probability map.

The map is an ``imshow`` image created once; a redraw replaces its data (and the 0.5 contour),
so the figure and its axes are reused for every redraw.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from torch import Tensor, nn

from course_utils.plotting import class_style, decision_grid, probability_colormap

MAP_RESOLUTION = 80  # grid points per side: fine enough to see the boundary, fast to redraw


class ProbabilityMap:
    """The model's P(class 1) as an image under the data points, with the 0.5 boundary line."""

    def __init__(self, ax: Axes, X: Tensor, y: Tensor, margin: float = 1.0):
        self.ax, self.margin = ax, margin
        low = X.min(dim=0).values - margin
        high = X.max(dim=0).values + margin
        self.extent = (float(low[0]), float(high[0]), float(low[1]), float(high[1]))
        blank = [[0.5, 0.5], [0.5, 0.5]]
        self.image = ax.imshow(
            blank, extent=self.extent, origin="lower", cmap=probability_colormap(), vmin=0, vmax=1, alpha=0.6,
            aspect="auto", interpolation="bilinear",
        )  # fmt: skip
        self.boundary = None
        self.points = [
            ax.scatter([], [], s=14, alpha=0.85, label=f"class {label}", **class_style(label))
            for label in (0, 1)
        ]
        self.set_data(X, y)
        ax.set_xlim(self.extent[0], self.extent[1])
        ax.set_ylim(self.extent[2], self.extent[3])
        ax.set_xlabel("feature 1")
        ax.set_ylabel("feature 2")
        ax.legend(loc="upper left", fontsize="small")

    def set_data(self, X: Tensor, y: Tensor) -> None:
        """Show these points (the map keeps its extent)."""
        self.X = X
        labels = y.reshape(-1)
        for label, scatter in enumerate(self.points):
            scatter.set_offsets(X[labels == label].numpy())

    def update(self, model: nn.Module) -> Tensor:
        """Redraw the map for ``model``; returns the grid of probabilities (rows: feature 2)."""
        xx, yy, probability = decision_grid(model, self.X, MAP_RESOLUTION, self.margin)
        self.image.set_data(probability.numpy())
        self.image.set_extent((float(xx.min()), float(xx.max()), float(yy.min()), float(yy.max())))
        if self.boundary is not None:
            self.boundary.remove()
        self.boundary = self.ax.contour(
            xx.numpy(),
            yy.numpy(),
            probability.numpy(),
            levels=[0.5],
            colors="black",
            linewidths=1.2,
        )
        return probability
