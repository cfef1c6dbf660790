"""Binary classification metrics: accuracy, the confusion matrix, precision, recall and F1.

Introduced in 09_evaluation.ipynb.

Every function takes ``y_pred`` (predicted 0/1 labels, or probabilities of class 1) and ``y_true``
(0/1 labels), each of shape (N,) or (N, 1), as tensors or lists.

The threshold rule, the one the whole course uses (``predicted_labels``): a prediction is class 1
when it is strictly greater than ``threshold`` (0.5 by default), class 0 otherwise, so a
probability of exactly 0.5 is class 0. For probabilities and the threshold 0.5 that is exactly
``y_pred.round()``, the seed lesson's rule (``torch.round(0.5)`` is 0).

Where a ratio has nothing to count, it is 0.0 rather than an error (like scikit-learn's
``zero_division=0``): precision with no predicted positives, recall with no actual positives,
F1 when precision and recall are both 0.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

__all__ = [
    "THRESHOLD",
    "predicted_labels",
    "accuracy",
    "confusion_matrix",
    "precision",
    "recall",
    "f1",
]

THRESHOLD = 0.5  # the default: class 1 when the probability is above it


def predicted_labels(probabilities: Any, threshold: float = THRESHOLD) -> Tensor:
    """The classes (int64 0 or 1, same shape) for probabilities of class 1: 1 where p > threshold.

    Example: ``predicted_labels(torch.tensor([0.2, 0.5, 0.9]))`` -> ``tensor([0, 0, 1])``.
    """
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not 0 <= threshold <= 1
    ):
        raise ValueError(
            f"threshold must be a number between 0 and 1 (a probability), got {threshold!r}"
        )
    return (torch.as_tensor(probabilities) > threshold).long()


def _as_column(values: Any, name: str) -> Tensor:
    """Turn a tensor or list of shape (N,) or (N, 1) into a flat tensor of shape (N,)."""
    tensor = torch.as_tensor(values).detach()
    if tensor.dim() == 2 and tensor.shape[1] == 1:
        tensor = tensor.reshape(-1)
    if tensor.dim() != 1:
        raise ValueError(
            f"{name} must have shape (N,) or (N, 1), one value per example, got shape "
            f"{tuple(tensor.shape)}"
        )
    # kept in its own dtype: a float32 probability is compared with the threshold in float32, as
    # `y_pred > threshold` does in a notebook, so every way of applying the rule agrees
    return tensor


def _binary_labels(y_pred: Any, y_true: Any, threshold: float) -> tuple[Tensor, Tensor]:
    """Validate the inputs; returns predicted and true labels as bool tensors of shape (N,)."""
    predicted = _as_column(y_pred, "y_pred")
    actual = _as_column(y_true, "y_true")
    if len(predicted) != len(actual):
        raise ValueError(
            f"y_pred and y_true must have one value per example: got {len(predicted)} "
            f"predictions and {len(actual)} labels"
        )
    if len(actual) == 0:
        raise ValueError("y_pred and y_true are empty: there is nothing to measure")
    if not bool(((actual == 0) | (actual == 1)).all()):
        raise ValueError(
            "y_true must hold the labels 0 and 1 only; got values such as "
            f"{actual[(actual != 0) & (actual != 1)][0].item():g}"
        )
    if predicted.is_floating_point() and bool(predicted.isnan().any()):
        raise ValueError(
            f"y_pred holds {int(predicted.isnan().sum())} NaN value(s), not probabilities: the "
            "model's output is not a number (NaN in its input, or weights that blew up in training)"
        )
    if not bool(((predicted >= 0) & (predicted <= 1)).all()):
        raise ValueError(
            "y_pred must hold probabilities (0 to 1) or 0/1 labels; got values outside [0, 1]: "
            "if these are logits, apply torch.sigmoid first"
        )
    return predicted_labels(predicted, threshold) == 1, actual == 1


def confusion_matrix(y_pred: Any, y_true: Any, threshold: float = 0.5) -> Tensor:
    """The 2x2 confusion matrix ``[[TN, FP], [FN, TP]]``: rows are true classes, columns predicted.

    Row 0 holds the examples whose true label is 0 (true negatives, then false positives), row 1
    those whose true label is 1 (false negatives, then true positives); scikit-learn's layout.
    Returns an int64 tensor. Example: ``confusion_matrix([1, 0, 1], [1, 1, 0])`` ->
    ``tensor([[0, 1], [1, 1]])``. Introduced in 09_evaluation.ipynb.
    """
    predicted, actual = _binary_labels(y_pred, y_true, threshold)
    true_negatives = int((~predicted & ~actual).sum())
    false_positives = int((predicted & ~actual).sum())
    false_negatives = int((~predicted & actual).sum())
    true_positives = int((predicted & actual).sum())
    return torch.tensor([[true_negatives, false_positives], [false_negatives, true_positives]])


def accuracy(y_pred: Any, y_true: Any, threshold: float = 0.5) -> float:
    """The fraction (0..1) of examples whose predicted label equals the true one.

    Example: ``accuracy(torch.tensor([0.9, 0.2, 0.6]), torch.tensor([1, 0, 0]))`` -> 0.667.
    Introduced in 09_evaluation.ipynb.
    """
    predicted, actual = _binary_labels(y_pred, y_true, threshold)
    return (predicted == actual).double().mean().item()


def precision(y_pred: Any, y_true: Any, threshold: float = 0.5) -> float:
    """TP / (TP + FP): of the examples predicted positive, the fraction that are positive.

    0.0 when nothing is predicted positive. Example: ``precision([1, 1, 0], [1, 0, 0])`` -> 0.5.
    Introduced in 09_evaluation.ipynb.
    """
    (_, false_positives), (_, true_positives) = confusion_matrix(y_pred, y_true, threshold).tolist()
    predicted_positives = true_positives + false_positives
    return true_positives / predicted_positives if predicted_positives else 0.0


def recall(y_pred: Any, y_true: Any, threshold: float = 0.5) -> float:
    """TP / (TP + FN): of the positive examples, the fraction predicted positive.

    0.0 when there are no positive examples. Example: ``recall([1, 0, 0], [1, 1, 0])`` -> 0.5.
    Introduced in 09_evaluation.ipynb.
    """
    _, (false_negatives, true_positives) = confusion_matrix(y_pred, y_true, threshold).tolist()
    actual_positives = true_positives + false_negatives
    return true_positives / actual_positives if actual_positives else 0.0


def f1(y_pred: Any, y_true: Any, threshold: float = 0.5) -> float:
    """The harmonic mean of precision and recall, 2PR / (P + R); 0.0 when both are 0.

    Example: ``f1([1, 1, 0], [1, 0, 1])`` -> 0.5 (precision 0.5, recall 0.5).
    Introduced in 09_evaluation.ipynb.
    """
    p = precision(y_pred, y_true, threshold)
    r = recall(y_pred, y_true, threshold)
    return 2 * p * r / (p + r) if p + r > 0 else 0.0
