"""What the decision-boundary trainer and the inference explorer share: a probability map.

The map is an ``imshow`` image created once; a redraw replaces its data (and the boundary
contour), so the figure and its axes are reused for every redraw.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from torch import Tensor, nn

from course_utils.metrics import THRESHOLD
from course_utils.plotting import class_style, decision_grid, probability_colormap

MAP_RESOLUTION = 80  # grid points per side: fine enough to see the boundary, fast to redraw


class ProbabilityMap:
    """The model's P(class 1) as an image under the data points, with the decision boundary.

    The boundary is the line where P(class 1) equals ``threshold``: on one side P > threshold
    (class 1, the rule of ``metrics.predicted_labels``), on the other class 0.
    """

    def __init__(
        self, ax: Axes, X: Tensor, y: Tensor, margin: float = 1.0, threshold: float = THRESHOLD
    ):
        self.ax, self.margin, self.threshold = ax, margin, threshold
        blank = [[0.5, 0.5], [0.5, 0.5]]
        self.image = ax.imshow(
            blank, origin="lower", cmap=probability_colormap(), vmin=0, vmax=1, alpha=0.6,
            aspect="auto", interpolation="bilinear",
        )  # fmt: skip
        self.boundary = None
        self.grid: tuple[Tensor, Tensor, Tensor] | None = None  # xx, yy, probability
        self.points = [
            ax.scatter([], [], s=14, alpha=0.85, label=f"class {label}", **class_style(label))
            for label in (0, 1)
        ]
        self.set_data(X, y)
        ax.set_xlabel("feature 1")
        ax.set_ylabel("feature 2")
        ax.legend(loc="upper left", fontsize="small")

    def set_data(self, X: Tensor, y: Tensor) -> None:
        """Show these points; the map and the axes are fitted to them (plus the margin)."""
        self.X = X
        labels = y.reshape(-1)
        for label, scatter in enumerate(self.points):
            scatter.set_offsets(X[labels == label].numpy())
        low = X.min(dim=0).values - self.margin
        high = X.max(dim=0).values + self.margin
        self.extent = (float(low[0]), float(high[0]), float(low[1]), float(high[1]))
        self.image.set_extent(self.extent)
        self.ax.set_xlim(self.extent[0], self.extent[1])
        self.ax.set_ylim(self.extent[2], self.extent[3])
        self.grid = None  # the old map belongs to the old points: update() draws a new one
        self._draw_boundary()

    def update(self, model: nn.Module) -> Tensor:
        """Redraw the map for ``model``; returns the grid of probabilities (rows: feature 2)."""
        self.grid = decision_grid(model, self.X, MAP_RESOLUTION, self.margin)
        probability = self.grid[2]
        self.image.set_data(probability.numpy())
        self._draw_boundary()
        return probability

    def set_threshold(self, threshold: float) -> None:
        """Move the boundary line to P(class 1) = ``threshold`` (the model is not run again)."""
        if threshold != self.threshold:
            self.threshold = threshold
            self._draw_boundary()

    def _draw_boundary(self) -> None:
        if self.boundary is not None:
            self.boundary.remove()
            self.boundary = None
        if self.grid is None:
            return
        xx, yy, probability = (tensor.numpy() for tensor in self.grid)
        self.boundary = self.ax.contour(
            xx, yy, probability, levels=[self.threshold], colors="black", linewidths=1.2
        )
