"""Interactive explorers for JupyterLab (only this package imports ipywidgets).

Each explorer is a row of controls over one reused figure (``Explorer``); leave it as
the last expression of a cell to display it. ``quiz(...)`` asks a "predict, then run"
question.
"""

import importlib
from typing import Any

# explorer name -> "module.Class" that builds it, imported on first use (ipywidgets
# is heavy)
_EXPLORERS = {
    "activation_explorer": "_activation.ActivationExplorer",  # 01_neuron_and_activations
    "loss_explorer": "_loss.LossExplorer",  # 05_loss_and_cost
    "optimizer_explorer": "_optimizer.OptimizerExplorer",  # 07_gradient_descent_and_optimizers
    "decision_boundary_trainer": "_trainer.DecisionBoundaryTrainer",  # 08_training
    "inference_explorer": "_inference.InferenceExplorer",  # 11_inference
    "digit_pad": "_digit_pad.DigitPad",  # 13_capstone_digits
}
_OTHERS = {"quiz": "_quiz.Quiz", "Explorer": "_explorer.Explorer"}
# the explorers' names, in the order of the notebooks that use them
EXPLORERS = tuple(_EXPLORERS)


def __getattr__(name: str) -> Any:
    if name not in _EXPLORERS and name not in _OTHERS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = (_EXPLORERS.get(name) or _OTHERS[name]).split(".")
    return getattr(importlib.import_module(f"{__name__}.{module}"), attribute)


def __dir__() -> list[str]:
    return sorted(["EXPLORERS", *_EXPLORERS, *_OTHERS])
