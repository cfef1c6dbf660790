"""Classification metrics: accuracy, the confusion matrix, precision, recall, F1; C-class at the end.

``y_pred`` holds 0/1 labels or probabilities of class 1 and ``y_true`` 0/1 labels, shape (N,) or
(N, 1), tensors or lists. The course's one threshold rule (``predicted_labels``): class 1 when
strictly above ``threshold`` (0.5), so 0.5 itself is class 0, as the seed's ``y_pred.round()``.
A ratio with nothing to count is 0.0, not an error (scikit-learn's ``zero_division=0``).
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
    "multiclass_confusion_matrix",
    "multiclass_accuracy",
    "per_class_precision_recall",
]

THRESHOLD = 0.5  # the default: class 1 when the probability is above it


def predicted_labels(probabilities: Any, threshold: float = THRESHOLD) -> Tensor:
    """The classes (int64 0 or 1, same shape) for probabilities of class 1: 1 where p > threshold."""
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


def _check_lengths(predicted: Tensor, actual: Tensor) -> None:
    """Raise a ValueError unless there is one prediction per label, and at least one."""
    if len(predicted) != len(actual):
        raise ValueError(
            f"y_pred and y_true must have one value per example: got {len(predicted)} "
            f"predictions and {len(actual)} labels"
        )
    if len(actual) == 0:
        raise ValueError("y_pred and y_true are empty: there is nothing to measure")


def _binary_labels(y_pred: Any, y_true: Any, threshold: float) -> tuple[Tensor, Tensor]:
    """Validate the inputs; returns predicted and true labels as bool tensors of shape (N,)."""
    predicted = _as_column(y_pred, "y_pred")
    actual = _as_column(y_true, "y_true")
    _check_lengths(predicted, actual)
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
    Returns an int64 tensor.
    """
    predicted, actual = _binary_labels(y_pred, y_true, threshold)
    true_negatives = int((~predicted & ~actual).sum())
    false_positives = int((predicted & ~actual).sum())
    false_negatives = int((~predicted & actual).sum())
    true_positives = int((predicted & actual).sum())
    return torch.tensor([[true_negatives, false_positives], [false_negatives, true_positives]])


def accuracy(y_pred: Any, y_true: Any, threshold: float = 0.5) -> float:
    """The fraction (0..1) of examples whose predicted label equals the true one."""
    predicted, actual = _binary_labels(y_pred, y_true, threshold)
    return (predicted == actual).double().mean().item()


def precision(y_pred: Any, y_true: Any, threshold: float = 0.5) -> float:
    """TP / (TP + FP): of the examples predicted positive, the fraction that are positive.

    0.0 when nothing is predicted positive.
    """
    (_, false_positives), (_, true_positives) = confusion_matrix(y_pred, y_true, threshold).tolist()
    predicted_positives = true_positives + false_positives
    return true_positives / predicted_positives if predicted_positives else 0.0


def recall(y_pred: Any, y_true: Any, threshold: float = 0.5) -> float:
    """TP / (TP + FN): of the positive examples, the fraction predicted positive.

    0.0 when there are no positive examples.
    """
    _, (false_negatives, true_positives) = confusion_matrix(y_pred, y_true, threshold).tolist()
    actual_positives = true_positives + false_negatives
    return true_positives / actual_positives if actual_positives else 0.0


def f1(y_pred: Any, y_true: Any, threshold: float = 0.5) -> float:
    """The harmonic mean of precision and recall, 2PR / (P + R); 0.0 when both are 0."""
    p = precision(y_pred, y_true, threshold)
    r = recall(y_pred, y_true, threshold)
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


# ------------------------------------------------------------------------------------ multi-class


def _class_indices(y_pred: Any, y_true: Any, num_classes: int | None) -> tuple[Tensor, Tensor, int]:
    """Validate multi-class inputs; returns predicted and true class indices (N,) and the count.

    ``y_pred`` is class indices (N,) or one row of scores per example (N, C): logits or
    probabilities, whose argmax is the predicted class.
    """
    # on the CPU: predictions from a GPU model may meet labels that stayed on the CPU
    predicted = torch.as_tensor(y_pred).detach().cpu()
    actual = torch.as_tensor(y_true).detach().cpu()
    if actual.dim() == 2 and actual.shape[1] > 1:
        raise ValueError(
            f"y_true must hold one class index per example, shape (N,), got shape "
            f"{tuple(actual.shape)} (one-hot rows?): turn them into indices with y_true.argmax(dim=1)"
        )
    actual = actual.reshape(-1) if actual.dim() == 2 else actual
    if actual.dim() != 1:
        raise ValueError(f"y_true must have shape (N,), got {tuple(actual.shape)}")
    if predicted.dim() == 2 and predicted.shape[1] > 1:
        scores_columns = predicted.shape[1]
        predicted = predicted.argmax(dim=1)  # the class with the highest score
    else:
        scores_columns = None
        predicted = predicted.reshape(-1) if predicted.dim() == 2 else predicted
        if predicted.dim() != 1:
            raise ValueError(
                f"y_pred must be class indices (N,) or scores (N, C), got {tuple(predicted.shape)}"
            )
    _check_lengths(predicted, actual)
    for name, values in (("y_pred", predicted), ("y_true", actual)):
        if values.is_floating_point() and not bool((values == values.round()).all()):
            raise ValueError(
                f"{name} must hold whole class indices (0, 1, 2, ...), got values such as "
                f"{values[values != values.round()][0].item():g}: for scores of shape (N, C), "
                "pass the whole (N, C) tensor, or take .argmax(dim=1) first"
            )
    predicted, actual = predicted.long(), actual.long()
    if num_classes is None:
        num_classes = scores_columns or int(max(predicted.max(), actual.max())) + 1
    elif scores_columns is not None and scores_columns != num_classes:
        raise ValueError(
            f"y_pred has {scores_columns} columns of scores but num_classes={num_classes}: "
            "one column per class"
        )
    for name, values in (("y_pred", predicted), ("y_true", actual)):
        if values.min() < 0 or values.max() >= num_classes:
            raise ValueError(
                f"{name} holds class indices from {values.min().item()} to {values.max().item()}, "
                f"but there are {num_classes} classes (0 to {num_classes - 1})"
            )
    return predicted, actual, num_classes


def multiclass_confusion_matrix(y_pred: Any, y_true: Any, num_classes: int | None = None) -> Tensor:
    """The C x C confusion matrix: entry [i, j] counts examples of true class i predicted as j.

    ``y_pred`` is predicted class indices (N,) or scores (N, C) (logits or probabilities: the
    argmax is taken); ``y_true`` the true class indices (N,). Rows are true classes and columns
    predicted ones, as in the binary ``confusion_matrix``: the diagonal holds the correct answers.
    Returns an int64 tensor.
    """
    predicted, actual, num_classes = _class_indices(y_pred, y_true, num_classes)
    # each example adds 1 to cell (true, predicted): count the flat index true * C + predicted
    counts = torch.bincount(actual * num_classes + predicted, minlength=num_classes**2)
    return counts.reshape(num_classes, num_classes)


def multiclass_accuracy(y_pred: Any, y_true: Any) -> float:
    """The fraction (0..1) of examples whose predicted class (argmax of the scores) is the true one."""
    predicted, actual, _ = _class_indices(y_pred, y_true, None)
    return (predicted == actual).double().mean().item()


def per_class_precision_recall(
    y_pred: Any, y_true: Any, num_classes: int | None = None
) -> tuple[Tensor, Tensor]:
    """Precision and recall of each class, two float64 tensors of shape (C,).

    Each class in turn is "positive" and all others "negative": precision[c] is the fraction of
    the examples predicted c that are c (column c of the confusion matrix), recall[c] the
    fraction of the examples of class c predicted c (row c). 0.0 where nothing is counted.
    """
    matrix = multiclass_confusion_matrix(y_pred, y_true, num_classes).double()
    correct = matrix.diagonal()
    predicted_as = matrix.sum(dim=0)  # column sums: how often each class was predicted
    actually_is = matrix.sum(dim=1)  # row sums: how many examples each class has
    precision_per_class = torch.where(predicted_as > 0, correct / predicted_as.clamp(min=1), 0.0)
    recall_per_class = torch.where(actually_is > 0, correct / actually_is.clamp(min=1), 0.0)
    return precision_per_class, recall_per_class
