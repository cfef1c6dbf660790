"""Classification metrics: accuracy, confusion matrix, precision, recall, F1.

The binary ones first, on probabilities of class 1 and labels 0 and 1; then their
multi-class versions, on class scores (N, C) or indices and labels 0 to C - 1.
"""

from typing import Any

import torch
from torch import Tensor

from course_utils import guards

THRESHOLD = 0.5  # the default: class 1 when the probability is above it


def predicted_labels(probabilities: Any, threshold: float = THRESHOLD) -> Tensor:
    """The classes (int64 0 or 1) for probabilities of class 1: 1 where p > threshold.

    At the default 0.5, as the seed's ``round()``: a probability of exactly 0.5 gives 0.
    """
    guards.metrics.check_threshold(threshold)
    return (torch.as_tensor(probabilities) > threshold).long()


def _as_column(values: Any, name: str) -> Tensor:
    """``values`` as a CPU tensor of shape (N,), a column (N, 1) flattened."""
    # in its own dtype: a float32 probability meets the threshold in float32, as
    # `y_pred > 0.5` does
    tensor = torch.as_tensor(values).detach().cpu()
    tensor = tensor.reshape(-1) if tensor.dim() == 2 and tensor.shape[1] == 1 else tensor
    guards.metrics.check_one_per_example(tensor, name)
    return tensor


def _binary_labels(y_pred: Any, y_true: Any, threshold: float) -> tuple[Tensor, Tensor]:
    """Validate the inputs; the predicted and true labels as bool tensors (N,)."""
    predicted, actual = _as_column(y_pred, "y_pred"), _as_column(y_true, "y_true")
    guards.metrics.check_lengths(predicted, actual)
    guards.metrics.check_binary(predicted, actual)
    return predicted_labels(predicted, threshold) == 1, actual == 1


def confusion_matrix(y_pred: Any, y_true: Any, threshold: float = 0.5) -> Tensor:
    """The 2x2 int64 matrix ``[[TN, FP], [FN, TP]]``, in scikit-learn's layout.

    Rows are the true classes, columns the predicted ones.
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
    """TP / (TP + FP): of the examples predicted positive, the fraction that is."""
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


# -------------------------------------------------------------------------- multi-class


def _class_indices(y_pred: Any, y_true: Any, num_classes: int | None) -> tuple[Tensor, Tensor, int]:
    """Predicted and true class indices (N,), and the number of classes.

    ``y_pred`` may be class indices or scores (N, C), whose argmax is the predicted
    class.
    """
    predicted, actual = torch.as_tensor(y_pred), torch.as_tensor(y_true)
    guards.metrics.check_not_one_hot(actual)
    scores_columns = predicted.shape[1] if predicted.dim() == 2 and predicted.shape[1] > 1 else None
    if scores_columns:
        predicted = predicted.argmax(dim=1)  # the class with the highest score
    predicted, actual = _as_column(predicted, "y_pred"), _as_column(actual, "y_true")
    guards.metrics.check_lengths(predicted, actual)
    guards.metrics.check_whole_numbers(predicted, "y_pred")
    guards.metrics.check_whole_numbers(actual, "y_true")
    predicted, actual = predicted.long(), actual.long()
    guards.metrics.check_scores_columns(scores_columns, num_classes)
    if num_classes is None:
        num_classes = scores_columns or int(max(predicted.max(), actual.max())) + 1
    guards.metrics.check_class_range(predicted, "y_pred", num_classes)
    guards.metrics.check_class_range(actual, "y_true", num_classes)
    return predicted, actual, num_classes


def multiclass_confusion_matrix(y_pred: Any, y_true: Any, num_classes: int | None = None) -> Tensor:
    """The C x C int64 matrix counting at [i, j] the examples of class i predicted j.

    ``y_pred`` holds class indices or scores (N, C).
    """
    predicted, actual, num_classes = _class_indices(y_pred, y_true, num_classes)
    # each example adds 1 to cell (true, predicted):
    # count the flat index true * C + predicted
    counts = torch.bincount(actual * num_classes + predicted, minlength=num_classes**2)
    return counts.reshape(num_classes, num_classes)


def multiclass_accuracy(y_pred: Any, y_true: Any) -> float:
    """The fraction (0..1) of examples whose predicted class is the true one.

    With scores (N, C), the predicted class is their argmax.
    """
    predicted, actual, _ = _class_indices(y_pred, y_true, None)
    return (predicted == actual).double().mean().item()


def per_class_precision_recall(
    y_pred: Any, y_true: Any, num_classes: int | None = None
) -> tuple[Tensor, Tensor]:
    """Precision and recall of each class against all others, two float64 tensors (C,).

    One class at a time is the positive one and every other class negative ("one vs
    rest"): its precision and recall are then the binary ones of "predicted c" against
    "is c".
    """
    predicted, actual, num_classes = _class_indices(y_pred, y_true, num_classes)
    scores = [
        (precision(predicted == c, actual == c), recall(predicted == c, actual == c))
        for c in range(num_classes)
    ]
    precisions, recalls = zip(*scores, strict=True)
    return torch.tensor(precisions, dtype=torch.float64), torch.tensor(recalls, dtype=torch.float64)
