"""course_utils: the helper package of the course "Neural Network Building Blocks".

Import the modules you need, e.g. ``from course_utils import data, models, checks``.
Submodules are imported on first use, so ``import course_utils`` stays fast and does not
load matplotlib or ipywidgets until a plot or a widget is asked for.
"""

import importlib
from types import ModuleType

__version__ = "0.1.0"

# The modules of the package, one per concept of the course.
MODULES = (
    "activations",
    "backprop",
    "checkpoint",
    "checks",
    "data",
    "environment",
    "guards",
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

__all__ = ["MODULES", *MODULES]


def __getattr__(name: str) -> ModuleType:
    """``course_utils.models`` etc.: import a module the first time it is asked for."""
    if name in MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
