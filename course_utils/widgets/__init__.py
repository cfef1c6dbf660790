"""Interactive explorers for JupyterLab. Only this package imports ipywidgets.

Every explorer is built the same way (see ``_explorer.Explorer``): a row of controls, one
matplotlib figure that is reused for every redraw, and an image widget that shows it. Display
one by leaving it as the last expression of a cell, e.g. ``widgets.activation_explorer()``.
``widgets.quiz(...)`` asks a "predict, then run" question.
"""

from __future__ import annotations

import importlib
from typing import Any

# explorer name -> the module that defines it
_EXPLORERS: dict[str, str] = {
    "activation_explorer": "_activation",  # 01_neuron_and_activations
    "loss_explorer": "_loss",  # 05_loss_and_cost
    "optimizer_explorer": "_optimizer",  # 07_gradient_descent_and_optimizers
    "decision_boundary_trainer": "_trainer",  # 08_training
    "inference_explorer": "_inference",  # 11_inference
    "digit_pad": "_digit_pad",  # 13_capstone_digits
}
# other widgets, not explorers: name -> the module that defines it
_OTHER_WIDGETS: dict[str, str] = {
    "quiz": "_quiz",  # "predict, then run" questions in several notebooks
}


def __getattr__(name: str) -> Any:
    if name == "Explorer":
        return importlib.import_module(f"{__name__}._explorer").Explorer
    module = _EXPLORERS.get(name) or _OTHER_WIDGETS.get(name)
    if module:
        return getattr(importlib.import_module(f"{__name__}.{module}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(["Explorer", *_EXPLORERS, *_OTHER_WIDGETS])
