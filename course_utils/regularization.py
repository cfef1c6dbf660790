"""Remedies for overfitting from scratch, each equal to PyTorch's: the L2 penalty and (inverted) dropout."""

import torch
from torch import Tensor, nn


def l2_penalty(model: nn.Module, weight_decay: float) -> Tensor:
    """``weight_decay / 2`` times the sum of the squared parameters: its gradient is SGD's ``weight_decay * p``."""
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be 0 or more, got {weight_decay}")
    squares = sum(parameter.pow(2).sum() for parameter in model.parameters())
    return weight_decay / 2 * squares


def _check_probability(p: float) -> None:
    if not 0 <= p < 1:
        raise ValueError(
            f"p is the probability of dropping a value and must be in [0, 1), got {p}: "
            "p=1 would drop everything"
        )


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: in training, zero each value with probability p (as ``nn.Dropout``) and scale the rest by 1/(1-p)."""
    _check_probability(p)
    if not training or p == 0:
        return x
    keep = torch.empty_like(x).bernoulli_(1 - p)  # 1 = keep, 0 = drop; shape of x
    return x * (keep / (1 - p))


class Dropout(nn.Module):
    """``dropout`` as a layer for ``nn.Sequential``: active in ``train()`` mode, a no-op in ``eval()``."""

    def __init__(self, p: float = 0.5):
        super().__init__()
        _check_probability(p)
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        return dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
