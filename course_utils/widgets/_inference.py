"""The inference explorer: move a point with sliders and read the model's answer."""

import ipywidgets
import torch
from matplotlib.figure import Figure
from torch import Tensor, nn

from course_utils import metrics, models
from course_utils.plotting import PALETTE
from course_utils.widgets._boundary import ProbabilityMap
from course_utils.widgets._explorer import Explorer


class InferenceExplorer(Explorer):
    """Move one point over the model's probability map and a threshold; see its class.

    The point is class 1 when P(class 1) > threshold (``metrics.predicted_labels``); the
    black line, the decision boundary, is where P(class 1) equals the threshold.
    ``model`` maps (N, 2) to probabilities (N, 1) and runs in eval mode without
    gradients, keeping its own mode.
    """

    def __init__(
        self, model: nn.Module, X: Tensor, y: Tensor, point: tuple[float, float] = (-2.5, 3.0)
    ):
        if X.dim() != 2 or X.shape[1] != 2:
            raise ValueError(f"expected X of shape (N, 2) to draw on a plane, got {tuple(X.shape)}")
        self.model, self.X, self.y = model, X, y
        low = (X.min(dim=0).values - 4).round().tolist()
        high = (X.max(dim=0).values + 4).round().tolist()
        controls = {  # each feature's slider spans the data's range and 4 more on each side
            f"x{i + 1}": ipywidgets.FloatSlider(
                value=point[i], min=low[i], max=high[i], step=0.1, description=f"feature {i + 1}"
            )
            for i in range(2)
        }
        controls["threshold"] = ipywidgets.FloatSlider(
            value=0.5, min=0.05, max=0.95, step=0.05, description="threshold"
        )
        super().__init__(controls, "Inference explorer", figsize=(6, 4.5))

    def setup(self, figure: Figure) -> None:
        self.ax = figure.add_axes((0.12, 0.11, 0.85, 0.76))
        self.map = ProbabilityMap(self.ax, self.X, self.y, margin=4.0)
        self.map.update(self.model)  # once: the model does not change, only the threshold line
        (self.marker,) = self.ax.plot(
            [], [], marker="*", markersize=18, color=PALETTE["yellow"], markeredgecolor="black"
        )

    def draw(self, figure: Figure, x1: float, x2: float, threshold: float) -> str:
        with models.eval_mode(self.model):
            probability = self.model(torch.tensor([[x1, x2]], dtype=torch.float32)).item()
        predicted = int(metrics.predicted_labels(probability, threshold))
        self.probability, self.predicted = probability, predicted
        if threshold != self.map.threshold:
            self.map.draw_boundary(threshold)
        self.marker.set_data([x1], [x2])
        above = ">" if predicted else "≤"
        self.ax.set_title(
            f"point ({x1:.1f}, {x2:.1f}): P(class 1) = {probability:.4f} {above} {threshold:.2f} "
            f"→ class {predicted}\nblack line: P(class 1) = threshold {threshold:.2f}",
            fontsize="medium",
        )
        return (
            f"P(class 1) = <b>{probability:.4f}</b>; with threshold {threshold:.2f} "
            f"the point is <b>class {predicted}</b> (class 1 when P(class 1) > threshold)."
        )

    def prediction(self) -> tuple[float, int]:
        """The point's probability of class 1 and its class, as last drawn."""
        return self.probability, self.predicted
