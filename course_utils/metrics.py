"""Classification metrics: accuracy, confusion matrix, precision, recall, F1; C classes at the end."""

from typing import Any

import torch
from torch import Tensor

THRESHOLD = 0.5  # the default: class 1 when the probability is above it


def predicted_labels(probabilities: Any, threshold: float = THRESHOLD) -> Tensor:
    """The classes (int64 0 or 1) for probabilities of class 1: 1 where p > threshold, as the seed's round()."""
    is_number = isinstance(threshold, int | float) and not isinstance(threshold, bool)
    if not (is_number and 0 <= threshold <= 1):
        raise ValueError(f"threshold must be a number between 0 and 1, got {threshold!r}")
    return (torch.as_tensor(probabilities) > threshold).long()


def _as_column(values: Any, name: str) -> Tensor:
    # in its own dtype: a float32 probability meets the threshold in float32, as `y_pred > 0.5` does
    tensor = torch.as_tensor(values).detach().cpu()
    tensor = tensor.reshape(-1) if tensor.dim() == 2 and tensor.shape[1] == 1 else tensor
    if tensor.dim() != 1:
        raise ValueError(f"{name} must have shape (N,) or (N, 1), got {tuple(tensor.shape)}")
    return tensor


def _check_lengths(predicted: Tensor, actual: Tensor) -> None:
    if len(predicted) != len(actual):
        raise ValueError(
            f"y_pred and y_true need one value per example: got {len(predicted)} predictions and "
            f"{len(actual)} labels"
        )
    if len(actual) == 0:
        raise ValueError("y_pred and y_true are empty: there is nothing to measure")


def _binary_labels(y_pred: Any, y_true: Any, threshold: float) -> tuple[Tensor, Tensor]:
    """Validate the inputs; returns predicted and true labels as bool tensors of shape (N,)."""
    predicted, actual = _as_column(y_pred, "y_pred"), _as_column(y_true, "y_true")
    _check_lengths(predicted, actual)
    if not_0_or_1 := actual[(actual != 0) & (actual != 1)].tolist():
        raise ValueError(f"y_true must hold the labels 0 and 1 only; got {not_0_or_1[0]:g}")
    if predicted.is_floating_point() and predicted.isnan().any():
        raise ValueError(
            f"y_pred holds {int(predicted.isnan().sum())} NaN value(s), not probabilities: NaN "
            "in the model's input, or weights that blew up in training"
        )
    if not ((predicted >= 0) & (predicted <= 1)).all():
        raise ValueError(
            "y_pred must hold probabilities (0 to 1) or 0/1 labels; got values outside [0, 1]: "
            "if these are logits, apply torch.sigmoid first"
        )
    return predicted_labels(predicted, threshold) == 1, actual == 1


def confusion_matrix(y_pred: Any, y_true: Any, threshold: float = 0.5) -> Tensor:
    """The 2x2 int64 matrix ``[[TN, FP], [FN, TP]]``: rows are true classes, columns predicted (scikit-learn's layout)."""
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
    """TP / (TP + FP): of the examples predicted positive, the fraction that are positive."""
    (_, false_positives), (_, true_positives) = confusion_matrix(y_pred, y_true, threshold).tolist()
    predicted_positives = true_positives + false_positives
    return true_positives / predicted_positives if predicted_positives else 0.0


def recall(y_pred: Any, y_true: Any, threshold: float = 0.5) -> float:
    """TP / (TP + FN): of the positive examples, the fraction predicted positive."""
    _, (false_negatives, true_positives) = confusion_matrix(y_pred, y_true, threshold).tolist()
    actual_positives = true_positives + false_negatives
    return true_positives / actual_positives if actual_positives else 0.0


def f1(y_pred: Any, y_true: Any, threshold: float = 0.5) -> float:
    """The harmonic mean of precision and recall, 2PR / (P + R)."""
    p = precision(y_pred, y_true, threshold)
    r = recall(y_pred, y_true, threshold)
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


# ------------------------------------------------------------------------------------ multi-class


def _class_indices(y_pred: Any, y_true: Any, num_classes: int | None) -> tuple[Tensor, Tensor, int]:
    """Predicted and true class indices (N,) and the number of classes; y_pred may be scores (N, C)."""
    predicted, actual = torch.as_tensor(y_pred), torch.as_tensor(y_true)
    if actual.dim() == 2 and actual.shape[1] > 1:
        raise ValueError(
            f"y_true must hold one class index per example, got shape {tuple(actual.shape)} "
            "(one-hot rows?): turn them into indices with y_true.argmax(dim=1)"
        )
    scores_columns = predicted.shape[1] if predicted.dim() == 2 and predicted.shape[1] > 1 else None
    if scores_columns:
        predicted = predicted.argmax(dim=1)  # the class with the highest score
    predicted, actual = _as_column(predicted, "y_pred"), _as_column(actual, "y_true")
    _check_lengths(predicted, actual)
    for name, values in (("y_pred", predicted), ("y_true", actual)):
        if (values != values.round()).any():
            raise ValueError(
                f"{name} must hold whole class indices (0, 1, 2, ...), got values such as "
                f"{values[values != values.round()][0].item():g}: pass scores as the whole (N, C) tensor"
            )
    predicted, actual = predicted.long(), actual.long()
    if scores_columns and num_classes not in (None, scores_columns):
        raise ValueError(
            f"y_pred has {scores_columns} columns of scores but num_classes={num_classes}: "
            "one column per class"
        )
    if num_classes is None:
        num_classes = scores_columns or int(max(predicted.max(), actual.max())) + 1
    for name, values in (("y_pred", predicted), ("y_true", actual)):
        if values.min() < 0 or values.max() >= num_classes:
            raise ValueError(
                f"{name} holds class indices from {values.min().item()} to {values.max().item()}, "
                f"but there are {num_classes} classes (0 to {num_classes - 1})"
            )
    return predicted, actual, num_classes


def multiclass_confusion_matrix(y_pred: Any, y_true: Any, num_classes: int | None = None) -> Tensor:
    """The C x C int64 matrix counting at [i, j] the examples of class i predicted j (y_pred: indices or scores)."""
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
    """Precision and recall of each class against all others, two float64 tensors of shape (C,).

    One class at a time is the positive one and every other class negative ("one vs rest"): its
    precision and recall are then the binary ones of "predicted c" against "is c".
    """
    predicted, actual, num_classes = _class_indices(y_pred, y_true, num_classes)
    scores = [
        (precision(predicted == c, actual == c), recall(predicted == c, actual == c))
        for c in range(num_classes)
    ]
    precisions, recalls = zip(*scores, strict=True)
    return torch.tensor(precisions, dtype=torch.float64), torch.tensor(recalls, dtype=torch.float64)
