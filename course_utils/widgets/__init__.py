"""Interactive explorers for JupyterLab. Only this package imports ipywidgets.

Every explorer is built the same way (see ``_explorer.Explorer``): a row of controls, one
matplotlib figure that is reused for every redraw, and an image widget that shows it. Display
one by leaving it as the last expression of a cell, e.g. ``widgets.activation_explorer()``.
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


def __getattr__(name: str) -> Any:
    if name == "Explorer":
        return importlib.import_module(f"{__name__}._explorer").Explorer
    if name in _EXPLORERS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPLORERS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(["Explorer", *_EXPLORERS])
