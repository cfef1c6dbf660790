"""Synthetic data sets, splits, standardization and DataLoaders; random draws take an optional ``generator``."""

import importlib.util
import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import DataLoader, Dataset, TensorDataset

from course_utils.models import SimpleClassifier


def set_seed(seed: int = 42) -> None:
    """Seed PyTorch's, NumPy's and Python's global random number generators."""
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


def _check_count(name: str, value: int) -> None:
    if not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")


def _check_rows(X: Tensor, y: Tensor) -> None:
    if len(X) != len(y):
        raise ValueError(f"X and y need one row per example: X has {len(X)} rows, y has {len(y)}")


def make_blobs(
    n_per_class: int = 500,
    n_features: int = 2,
    centers: tuple[float, float] = (-2.0, 2.0),
    generator: torch.Generator | None = None,
) -> tuple[Tensor, Tensor]:
    """Two unit-variance Gaussian classes, the seed lesson's data: ``X`` (N, n_features), ``y`` (N, 1)."""
    _check_count("n_per_class", n_per_class)
    _check_count("n_features", n_features)
    class0_points = torch.randn(n_per_class, n_features, generator=generator) + centers[0]
    class1_points = torch.randn(n_per_class, n_features, generator=generator) + centers[1]
    X = torch.cat([class0_points, class1_points], dim=0)
    y = torch.cat([torch.zeros(n_per_class, 1), torch.ones(n_per_class, 1)], dim=0)
    return X, y


def make_moons(
    n_per_class: int = 250, noise: float = 0.2, generator: torch.Generator | None = None
) -> tuple[Tensor, Tensor]:
    """Two interleaving half circles that no straight line separates: ``X`` (N, 2), ``y`` (N, 1)."""
    _check_count("n_per_class", n_per_class)
    angle = torch.rand(n_per_class, generator=generator) * math.pi
    upper = torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    angle = torch.rand(n_per_class, generator=generator) * math.pi
    lower = torch.stack([1 - torch.cos(angle), 0.5 - torch.sin(angle)], dim=1)
    X = torch.cat([upper, lower]) + noise * torch.randn(2 * n_per_class, 2, generator=generator)
    return X, torch.cat([torch.zeros(n_per_class, 1), torch.ones(n_per_class, 1)])


def make_circles(
    n_per_class: int = 250,
    noise: float = 0.1,
    factor: float = 0.5,
    generator: torch.Generator | None = None,
) -> tuple[Tensor, Tensor]:
    """A small circle (class 1, radius ``factor``) inside a large one (class 0, radius 1)."""
    _check_count("n_per_class", n_per_class)
    if not 0 < factor < 1:
        raise ValueError(f"factor is the inner circle's radius and must be in (0, 1), got {factor}")
    angle = torch.rand(2 * n_per_class, generator=generator) * 2 * math.pi
    radius = torch.cat([torch.ones(n_per_class), torch.full((n_per_class,), factor)])
    X = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)
    X = X + noise * torch.randn(2 * n_per_class, 2, generator=generator)
    return X, torch.cat([torch.zeros(n_per_class, 1), torch.ones(n_per_class, 1)])


def make_xor(
    n_per_class: int = 200, noise: float = 0.15, generator: torch.Generator | None = None
) -> tuple[Tensor, Tensor]:
    """The XOR pattern: class 1 where exactly one coordinate is positive (four noisy clusters)."""
    _check_count("n_per_class", n_per_class)
    corners = torch.tensor([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]])
    per_corner = [n_per_class // 2, n_per_class - n_per_class // 2] * 2
    centres = torch.cat([c.expand(n, 2) for c, n in zip(corners, per_corner, strict=True)])
    X = centres + noise * 2 * torch.randn(2 * n_per_class, 2, generator=generator)
    return X, torch.cat([torch.zeros(n_per_class, 1), torch.ones(n_per_class, 1)])


def train_test_split(
    X: Tensor,
    y: Tensor,
    train_fraction: float = 0.8,
    generator: torch.Generator | None = None,
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Shuffle the rows and split them as the seed does: returns X_train, X_test, y_train, y_test."""
    _check_rows(X, y)
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must be between 0 and 1, got {train_fraction}")
    train_size = int(train_fraction * len(X))
    if train_size == 0 or train_size == len(X):
        raise ValueError(
            f"{len(X)} examples with train_fraction={train_fraction} leave one of the two sets "
            "empty: use more data or a fraction nearer 0.5"
        )
    shuffled_indices = torch.randperm(len(X), generator=generator)
    train_indices = shuffled_indices[:train_size]
    test_indices = shuffled_indices[train_size:]
    return X[train_indices], X[test_indices], y[train_indices], y[test_indices]


def train_val_test_split(
    X: Tensor,
    y: Tensor,
    fractions: tuple[float, float, float] = (0.7, 0.15, 0.15),
    generator: torch.Generator | None = None,
) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]:
    """Shuffle the rows and split them in three: X_train, X_val, X_test, y_train, y_val, y_test."""
    _check_rows(X, y)
    if (
        len(fractions) != 3
        or any(not 0 < f < 1 for f in fractions)
        or not math.isclose(sum(fractions), 1.0, abs_tol=1e-9)
    ):
        raise ValueError(
            f"fractions must be three numbers between 0 and 1 that sum to 1 (train, validation, "
            f"test), got {fractions!r}: e.g. fractions=(0.7, 0.15, 0.15)"
        )
    train_size = int(fractions[0] * len(X))
    val_size = int(fractions[1] * len(X))
    sizes = {"training": train_size, "validation": val_size, "test": len(X) - train_size - val_size}
    if empty := [name for name, size in sizes.items() if size == 0]:
        raise ValueError(
            f"{len(X)} examples split with fractions={fractions!r} leave the {' and '.join(empty)} "
            f"set empty (sizes {list(sizes.values())}): use more data or larger fractions for it"
        )
    parts = torch.randperm(len(X), generator=generator).split(list(sizes.values()))
    return tuple(X[part] for part in parts) + tuple(y[part] for part in parts)


def kfold_indices(n: int, k: int) -> list[tuple[Tensor, Tensor]]:
    """k-fold cross-validation: k (train_indices, val_indices) pairs, as scikit-learn's ``KFold``.

    The n examples are cut, in order, into k consecutive folds (the first n % k folds one
    example larger); the i-th pair validates on fold i and trains on all the others. Every
    example is validated exactly once. Shuffle the data first (``train_val_test_split`` does),
    so that each fold is a random sample.
    """
    _check_count("n", n)
    if not isinstance(k, int) or not 2 <= k <= n:
        raise ValueError(
            f"k must be a whole number from 2 to n = {n} (each fold needs an example), got {k!r}"
        )
    fold_sizes = [n // k + (1 if fold < n % k else 0) for fold in range(k)]
    folds = torch.arange(n).split(fold_sizes)
    return [(torch.cat(folds[:fold] + folds[fold + 1 :]), folds[fold]) for fold in range(k)]


class Standardizer:
    """Rescales each feature to mean 0 and std 1 with the training set's statistics (a constant feature: scale 1)."""

    def __init__(self) -> None:
        self.mean: Tensor | None = None
        self.scale: Tensor | None = None

    def fit(self, X: Tensor) -> Self:
        """Keep the training set's per-feature mean and population standard deviation."""
        if X.dim() != 2 or len(X) == 0:
            raise ValueError(
                f"fit expects the training set as a 2-D tensor (N, features) with at least one "
                f"row, got shape {tuple(X.shape)}"
            )
        if not torch.is_floating_point(X):
            raise TypeError(f"fit expects floating-point features, got {X.dtype}: use X.float()")
        self.mean = X.mean(dim=0)
        std = X.std(dim=0, correction=0)  # population standard deviation, as scikit-learn
        constant = (X == X[0]).all(dim=0)
        self.scale = torch.where(constant, torch.ones_like(std), std)
        return self

    def _check(self, X: Tensor, method: str) -> None:
        if self.mean is None:
            raise RuntimeError(
                f"this Standardizer has not been fitted yet: call fit(X_train) before {method}"
            )
        if X.dim() != 2 or X.shape[1] != len(self.mean):
            raise ValueError(
                f"{method} expects shape (N, {len(self.mean)}): the Standardizer was fitted on "
                f"{len(self.mean)} features, got shape {tuple(X.shape)}"
            )

    def transform(self, X: Tensor) -> Tensor:
        """(X - mean) / scale with the fitted statistics."""
        self._check(X, "transform")
        return (X - self.mean) / self.scale

    def inverse_transform(self, X_scaled: Tensor) -> Tensor:
        """Undo ``transform``: back in the original units."""
        self._check(X_scaled, "inverse_transform")
        return X_scaled * self.scale + self.mean

    def __repr__(self) -> str:
        if self.mean is None:
            return "Standardizer(not fitted)"
        mean, scale = (", ".join(f"{v:.4g}" for v in t.tolist()) for t in (self.mean, self.scale))
        return f"Standardizer(mean=[{mean}], scale=[{scale}])"


def make_loaders(
    X_train: Tensor,
    y_train: Tensor,
    X_test: Tensor,
    y_test: Tensor,
    batch_size: int = 32,
    generator: torch.Generator | None = None,
) -> tuple[DataLoader, DataLoader]:
    """Wrap the two sets in TensorDatasets and DataLoaders: the training one shuffled, the test one not."""
    _check_count("batch_size", batch_size)
    train_dataset = TensorDataset(X_train, y_train)
    test_dataset = TensorDataset(X_test, y_test)
    train_loader = DataLoader(
        train_dataset, batch_size=batch_size, shuffle=True, generator=generator
    )
    test_loader = DataLoader(test_dataset, batch_size=batch_size, shuffle=False)
    return train_loader, test_loader


class NoisyDataset(Dataset):
    """Example i is (X[i] + fresh Gaussian noise, y[i]): a new draw at every read, like augmentation.

    The noise comes from PyTorch's global generator in the process that reads the example: the
    notebook's own, or in a ``DataLoader`` with ``num_workers > 0`` each worker's, which the
    loader seeds from its ``generator``. The class lives in the package, not in a notebook,
    because worker processes that are spawned (Windows, macOS) must import what they run.
    """

    def __init__(self, X: Tensor, y: Tensor, noise: float = 0.1):
        _check_rows(X, y)
        self.X, self.y, self.noise = X, y, noise

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        noise = self.noise * torch.randn(self.X.shape[1:])  # drawn now, in this process
        return self.X[index] + noise, self.y[index]


@dataclass(frozen=True, eq=False)  # eq=False: tensors have no single truth value
class SeedLesson:
    """The seed lesson's data, loaders and untrained model, as its code leaves them before training."""

    X_train: Tensor
    X_test: Tensor
    y_train: Tensor
    y_test: Tensor
    train_loader: DataLoader
    test_loader: DataLoader
    model: SimpleClassifier


def seed_lesson() -> SeedLesson:
    """Rebuild the seed lesson's data, split, loaders and untrained model exactly.

    The seed draws everything from the global generator, so its numbers come out only if the
    draws happen in its order: seed 42, two ``randn``, one ``randperm``, the first-batch peek,
    the model's weights. This replays them, so training next reproduces the seed's losses.
    """
    set_seed(42)
    X, y = make_blobs(n_per_class=500, n_features=2)
    X_train, X_test, y_train, y_test = train_test_split(X, y, train_fraction=0.8)
    train_loader, test_loader = make_loaders(X_train, y_train, X_test, y_test, batch_size=32)
    next(iter(train_loader))  # the seed's first-batch peek draws one shuffle from the generator
    model = SimpleClassifier(input_features=2, hidden_units=10)
    return SeedLesson(X_train, X_test, y_train, y_test, train_loader, test_loader, model)


def load_digits() -> tuple[Tensor, Tensor]:
    """The UCI digits, ``X`` float32 (1797, 64) in [0, 1] and ``y`` int64, read from scikit-learn's file without importing it."""
    table = np.loadtxt(_sklearn_data_file("digits.csv.gz"), delimiter=",", dtype=np.float32)
    X = torch.from_numpy(table[:, :-1]) / 16.0  # 64 pixels counting ink from 0 to 16
    y = torch.from_numpy(table[:, -1].astype(np.int64))  # the last column: the digit
    return X, y


def _sklearn_data_file(name: str) -> Path:
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "scikit-learn is not installed, and its package holds the digits data: run `make lab` "
            "again, or with conda `conda env update -f environment.yml`"
        )
    path = Path(spec.submodule_search_locations[0], "datasets", "data", name)
    if not path.is_file():
        raise FileNotFoundError(f"scikit-learn's data file {path} is missing: reinstall it")
    return path
