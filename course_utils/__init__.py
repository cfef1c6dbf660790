"""course_utils: the helper package of the course module "Neural Network Building Blocks".

Import the modules you need, e.g. ``from course_utils import data, models, checks``.
Submodules are imported on first use, so ``import course_utils`` stays fast and does not load
matplotlib or ipywidgets until a plot or a widget is asked for.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# The modules of the package, one per concept of the course.
MODULES = (
    "activations",
    "backprop",
    "checkpoint",
    "checks",
    "data",
    "environment",
    "figures",
    "initialization",
    "losses",
    "metrics",
    "models",
    "normalization",
    "optim",
    "plotting",
    "regularization",
    "source",
    "surfaces",
    "training",
    "widgets",
)

# Public names re-exported at the top level: name -> the module that defines it.
_EXPORTS = {
    "set_seed": "data",
    "make_blobs": "data",
    "make_moons": "data",
    "make_circles": "data",
    "make_xor": "data",
    "train_test_split": "data",
    "train_val_test_split": "data",
    "Standardizer": "data",
    "make_loaders": "data",
    "SimpleClassifier": "models",
    "MLPClassifier": "models",
    "build_model": "models",
    "train_one_epoch": "training",
    "evaluate": "training",
    "fit": "training",
    "should_stop": "training",
    "History": "training",
    "TrainingDiverged": "training",
    "accuracy": "metrics",
    "confusion_matrix": "metrics",
    "precision": "metrics",
    "recall": "metrics",
    "f1": "metrics",
    "plot_data": "plotting",
    "plot_decision_boundary": "plotting",
    "plot_history": "plotting",
    "plot_confusion_matrix": "plotting",
    "run_trajectory": "surfaces",
    "simple_classifier_gradients": "backprop",
    "gradient_check": "backprop",
    "save_checkpoint": "checkpoint",
    "load_checkpoint": "checkpoint",
    "load_model": "checkpoint",
    "CheckpointError": "checkpoint",
    "mae": "losses",
    "mse": "losses",
    "bce": "losses",
    "bce_with_logits": "losses",
    "cross_entropy": "losses",
    "check_close": "checks",
    "check_equal": "checks",
    "check_function": "checks",
}

__all__ = sorted({"MODULES", *MODULES, *_EXPORTS})


def __getattr__(name: str) -> Any:
    if name in MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
