"""The guard of ``data``: the sizes, fractions and tensors data functions are given."""

import math

import torch
from torch import Tensor


def check_counts(**counts: object) -> None:
    """Raise unless each count, given by name (``n_per_class=500``), is positive.

    A count is a whole number, 1 or more: 500, not 500.0 and not 0.
    """
    for name, value in counts.items():
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive whole number, got {value!r}")


def check_same_rows(X: Tensor, y: Tensor) -> None:
    """Raise unless X and y have one row per example each: as many rows."""
    if len(X) != len(y):
        raise ValueError(f"X and y need one row per example: X has {len(X)} rows, y has {len(y)}")


def check_circle_factor(factor: float) -> None:
    """Raise unless the inner circle's radius is between 0 and the outer one's, 1."""
    if not 0 < factor < 1:
        raise ValueError(f"factor is the inner circle's radius and must be in (0, 1), got {factor}")


def check_split(X: Tensor, y: Tensor, train_fraction: float) -> None:
    """Raise unless X and y match and ``train_fraction`` leaves both sets examples."""
    check_same_rows(X, y)
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must be between 0 and 1, got {train_fraction}")
    train_size = int(train_fraction * len(X))  # as train_test_split cuts
    if train_size == 0 or train_size == len(X):
        raise ValueError(
            f"{len(X)} examples with train_fraction={train_fraction} leave one of the two sets "
            "empty: use more data or a fraction nearer 0.5"
        )


def check_three_fractions(fractions: tuple[float, float, float]) -> None:
    """Raise unless ``fractions`` are three numbers in (0, 1) that sum to 1."""
    if (
        len(fractions) != 3
        or any(not 0 < f < 1 for f in fractions)
        or not math.isclose(sum(fractions), 1.0, abs_tol=1e-9)
    ):
        raise ValueError(
            f"fractions must be three numbers between 0 and 1 that sum to 1 (train, validation, "
            f"test), got {fractions!r}: e.g. fractions=(0.7, 0.15, 0.15)"
        )


def check_no_empty_set(examples: int, fractions: tuple, sizes: dict[str, int]) -> None:
    """Raise when a split into ``sizes`` (set name -> size) leaves a set empty."""
    empty = [name for name, size in sizes.items() if size == 0]
    if empty:
        raise ValueError(
            f"{examples} examples split with fractions={fractions!r} leave the "
            f"{' and '.join(empty)} set empty (sizes {list(sizes.values())}): use more data or "
            "larger fractions for it"
        )


def check_folds(n: int, k: int) -> None:
    """Raise unless n examples can be cut into k >= 2 folds of one example or more."""
    check_counts(n=n)
    if not isinstance(k, int) or not 2 <= k <= n:
        raise ValueError(
            f"k must be a whole number from 2 to n = {n} (each fold needs an example), got {k!r}"
        )


def check_training_features(X: Tensor) -> None:
    """Raise unless X is a training set to fit on: float (N, features), N > 0."""
    if X.dim() != 2 or len(X) == 0:
        raise ValueError(
            f"fit expects the training set as a 2-D tensor (N, features) with at least one "
            f"row, got shape {tuple(X.shape)}"
        )
    if not torch.is_floating_point(X):
        raise TypeError(f"fit expects floating-point features, got {X.dtype}: use X.float()")


def check_fitted_features(X: Tensor, mean: Tensor | None, method: str) -> None:
    """Raise unless the Standardizer was fitted, on as many features as X has."""
    if mean is None:
        raise RuntimeError(
            f"this Standardizer has not been fitted yet: call fit(X_train) before {method}"
        )
    if X.dim() != 2 or X.shape[1] != len(mean):
        raise ValueError(
            f"{method} expects shape (N, {len(mean)}): the Standardizer was fitted on "
            f"{len(mean)} features, got shape {tuple(X.shape)}"
        )
