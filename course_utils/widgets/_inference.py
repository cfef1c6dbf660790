"""The inference explorer: move a point with sliders and read the model's answer for it.

Introduced in 11_inference.ipynb.
"""

from __future__ import annotations

import ipywidgets
import torch
from matplotlib.figure import Figure
from torch import Tensor, nn

from course_utils import metrics
from course_utils.plotting import PALETTE
from course_utils.widgets._boundary import ProbabilityMap
from course_utils.widgets._explorer import Explorer

__all__ = ["inference_explorer"]


def inference_explorer(
    model: nn.Module, X: Tensor, y: Tensor, point: tuple[float, float] = (-2.5, 3.0)
) -> Explorer:
    """An explorer: sliders move one point over the model's probability map; a threshold slider
    turns its probability into a class. Shows P(class 1) and the class for the point.

    The point is class 1 when P(class 1) > threshold (``metrics.predicted_labels``); the black
    line, the decision boundary, is drawn where P(class 1) equals the threshold.

    ``model`` maps (N, 2) to probabilities (N, 1), e.g. a trained SimpleClassifier; ``X``, ``y``
    are the points drawn under the map. The model is used in eval mode without gradients and
    left in the mode it was given in.
    Example: ``widgets.inference_explorer(model, X_test, y_test)``.
    Introduced in 11_inference.ipynb.
    """
    if X.dim() != 2 or X.shape[1] != 2:
        raise ValueError(f"expected X of shape (N, 2) to draw on a plane, got {tuple(X.shape)}")
    low = (X.min(dim=0).values - 4).tolist()
    high = (X.max(dim=0).values + 4).tolist()
    controls = {
        "x1": ipywidgets.FloatSlider(value=point[0], min=round(low[0]), max=round(high[0]), step=0.1, description="feature 1"),
        "x2": ipywidgets.FloatSlider(value=point[1], min=round(low[1]), max=round(high[1]), step=0.1, description="feature 2"),
        "threshold": ipywidgets.FloatSlider(value=0.5, min=0.05, max=0.95, step=0.05, description="threshold"),
    }  # fmt: skip
    state: dict = {}

    def setup(figure: Figure) -> None:
        figure.set_layout_engine("none")  # fixed margins: one drawing pass per redraw, not three
        ax = figure.subplots(gridspec_kw={"left": 0.12, "right": 0.97, "bottom": 0.11, "top": 0.87})
        state["map"] = ProbabilityMap(ax, X, y, margin=4.0)
        state["map"].update(model)  # once: the model does not change, only the threshold line
        (state["marker"],) = ax.plot(
            [], [], marker="*", markersize=18, color=PALETTE["yellow"], markeredgecolor="black"
        )
        state["ax"] = ax

    def probability_of(x1: float, x2: float) -> float:
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                return float(model(torch.tensor([[x1, x2]], dtype=torch.float32)).item())
        finally:
            model.train(was_training)

    def draw(figure: Figure, x1: float, x2: float, threshold: float) -> str:
        if not figure.axes:
            setup(figure)
        probability = probability_of(x1, x2)
        predicted = int(metrics.predicted_labels(probability, threshold))
        state["map"].set_threshold(threshold)
        state["marker"].set_data([x1], [x2])
        above = ">" if predicted else "≤"
        state["ax"].set_title(
            f"point ({x1:.1f}, {x2:.1f}): P(class 1) = {probability:.4f} {above} {threshold:.2f} "
            f"→ class {predicted}\nblack line: P(class 1) = threshold {threshold:.2f}",
            fontsize="medium",
        )
        state["probability"], state["predicted"] = probability, predicted
        return (
            f"P(class 1) = <b>{probability:.4f}</b>; with threshold {threshold:.2f} "
            f"the point is <b>class {predicted}</b> (class 1 when P(class 1) > threshold)."
        )

    explorer = Explorer(controls, draw, figsize=(6, 4.5), title="Inference explorer")
    explorer.prediction = lambda: (state["probability"], state["predicted"])
    return explorer
