"""The probability map the decision-boundary trainer and inference explorer share."""

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from torch import Tensor, nn

from course_utils.metrics import THRESHOLD
from course_utils.plotting import class_style, decision_grid, probability_colormap

_IMAGE_STYLE = {"origin": "lower", "vmin": 0, "vmax": 1, "alpha": 0.6, "aspect": "auto"}


class ProbabilityMap:
    """The model's P(class 1) as an image under the points; the line P = threshold."""

    def __init__(self, ax: Axes, X: Tensor, y: Tensor, margin: float = 1.0):
        self.ax, self.margin, self.threshold = ax, margin, THRESHOLD
        self.image = ax.imshow(
            [[0.5]], cmap=probability_colormap(), interpolation="bilinear", **_IMAGE_STYLE
        )
        self.boundary = None
        self.points = [
            ax.scatter([], [], s=14, alpha=0.85, label=f"class {label}", **class_style(label))
            for label in (0, 1)
        ]
        self.set_data(X, y)
        ax.set(xlabel="feature 1", ylabel="feature 2")
        ax.legend(loc="upper left", fontsize="small")

    def set_data(self, X: Tensor, y: Tensor) -> None:
        """Show these points, the axes fitted to them (and the margin); no map yet."""
        self.X = X
        for label, scatter in enumerate(self.points):
            scatter.set_offsets(X[y.reshape(-1) == label].numpy())
        low = (X.min(dim=0).values - self.margin).tolist()
        high = (X.max(dim=0).values + self.margin).tolist()
        self.image.set_extent((low[0], high[0], low[1], high[1]))
        self.ax.set(xlim=(low[0], high[0]), ylim=(low[1], high[1]))
        self.grid = None  # xx, yy, probability: the old map belongs to the old points
        self.draw_boundary(self.threshold)

    def artists(self) -> list[Artist]:
        """The map, its boundary (once drawn) and the points: what a new model moves."""
        boundary = [] if self.boundary is None else [self.boundary]
        return [self.image, *boundary, *self.points]

    def update(self, model: nn.Module) -> None:
        """Redraw the map and the boundary for ``model``."""
        self.grid = decision_grid(model, self.X, 80, self.margin)  # 80 points per side
        self.image.set_data(self.grid[2].numpy())
        self.draw_boundary(self.threshold)

    def draw_boundary(self, threshold: float) -> None:
        """Draw the line where P(class 1) = ``threshold``, from the map already made."""
        self.threshold = threshold
        if self.boundary is not None:
            self.boundary.remove()
            self.boundary = None
        if self.grid is not None:
            xx, yy, probability = (tensor.numpy() for tensor in self.grid)
            self.boundary = self.ax.contour(
                xx, yy, probability, levels=[threshold], colors="black", linewidths=1.2
            )
