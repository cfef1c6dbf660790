"""The guard of ``metrics``: the predictions and labels compared, the threshold."""

from torch import Tensor


def check_threshold(threshold: object) -> None:
    """Raise unless ``threshold`` is a number (not a bool) between 0 and 1."""
    is_number = isinstance(threshold, int | float) and not isinstance(threshold, bool)
    if not (is_number and 0 <= threshold <= 1):
        raise ValueError(f"threshold must be a number between 0 and 1, got {threshold!r}")


def check_one_per_example(values: Tensor, name: str) -> None:
    """Raise unless ``values`` holds one value per example, shape (N,)."""
    if values.dim() != 1:
        raise ValueError(f"{name} must have shape (N,) or (N, 1), got {tuple(values.shape)}")


def check_lengths(predicted: Tensor, actual: Tensor) -> None:
    """Raise unless there are as many predictions as labels, and at least one."""
    if len(predicted) != len(actual):
        raise ValueError(
            f"y_pred and y_true need one value per example: got {len(predicted)} predictions and "
            f"{len(actual)} labels"
        )
    if len(actual) == 0:
        raise ValueError("y_pred and y_true are empty: there is nothing to measure")


def check_binary(predicted: Tensor, actual: Tensor) -> None:
    """Raise unless labels are 0 and 1, and predictions probabilities or 0/1 labels."""
    not_0_or_1 = actual[(actual != 0) & (actual != 1)].tolist()
    if not_0_or_1:
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


def check_not_one_hot(actual: Tensor) -> None:
    """Raise when labels come as rows (one-hot), not one class index per example."""
    if actual.dim() == 2 and actual.shape[1] > 1:
        raise ValueError(
            f"y_true must hold one class index per example, got shape {tuple(actual.shape)} "
            "(one-hot rows?): turn them into indices with y_true.argmax(dim=1)"
        )


def check_whole_numbers(values: Tensor, name: str) -> None:
    """Raise unless ``values`` are whole numbers, as class indices are."""
    fractional = values[values != values.round()]
    if len(fractional) > 0:
        raise ValueError(
            f"{name} must hold whole class indices (0, 1, 2, ...), got values such as "
            f"{fractional[0].item():g}: pass scores as the whole (N, C) tensor"
        )


def check_scores_columns(scores_columns: int | None, num_classes: int | None) -> None:
    """Raise when scores have another number of columns than ``num_classes``."""
    if scores_columns and num_classes not in (None, scores_columns):
        raise ValueError(
            f"y_pred has {scores_columns} columns of scores but num_classes={num_classes}: "
            "one column per class"
        )


def check_class_range(values: Tensor, name: str, num_classes: int) -> None:
    """Raise unless every class index in ``values`` is from 0 to num_classes - 1."""
    if values.min() < 0 or values.max() >= num_classes:
        raise ValueError(
            f"{name} holds class indices from {values.min().item()} to {values.max().item()}, "
            f"but there are {num_classes} classes (0 to {num_classes - 1})"
        )
