"""The guard of ``regularization``: weight decay, dropout, what DecayLedger follows."""

import torch
from torch import nn


def check_penalty(model: nn.Module, weight_decay: float, weights: list[nn.Parameter]) -> None:
    """Raise unless ``weight_decay`` is 0 or more and the model has weights to decay."""
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be 0 or more, got {weight_decay}")
    if not weights:
        raise ValueError(
            f"{type(model).__name__} has no weight matrix (no parameter with 2 or more "
            "dimensions): there is nothing for weight decay to penalize"
        )


def check_plain_adam(optimizer: torch.optim.Optimizer) -> None:
    """Raise unless ``optimizer`` is a plain torch.optim.Adam or AdamW.

    ``DecayLedger`` repeats plain Adam's arithmetic to split each update into its parts;
    amsgrad, maximize and a tensor learning rate change that arithmetic.
    """
    if not isinstance(optimizer, torch.optim.Adam):  # AdamW is a subclass of Adam
        raise TypeError(
            "DecayLedger reads the state of torch.optim.Adam or AdamW, got "
            f"{type(optimizer).__name__}"
        )
    for group in optimizer.param_groups:
        if group["amsgrad"] or group["maximize"] or torch.is_tensor(group["lr"]):
            raise ValueError(
                "DecayLedger follows plain Adam and AdamW: build the optimizer without "
                "amsgrad, maximize or a tensor learning rate"
            )


def check_probability(p: float) -> None:
    """Raise unless dropout's ``p`` is in [0, 1): p = 1 would drop every value."""
    if not 0 <= p < 1:
        raise ValueError(
            f"p is the probability of dropping a value and must be in [0, 1), got {p}: "
            "p=1 would drop everything"
        )
