"""Remedies for overfitting written from scratch: the L2 penalty and (inverted) dropout.

Each one equals PyTorch's own: ``l2_penalty`` added to the loss gives the gradients of
``torch.optim.SGD(weight_decay=...)``, and ``dropout`` draws its mask exactly as ``nn.Dropout``
does, so from the same seed it gives the same output.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["l2_penalty", "dropout", "Dropout"]


def l2_penalty(model: nn.Module, weight_decay: float) -> Tensor:
    """``weight_decay / 2`` times the sum of the squares of all the model's parameters.

    Its gradient is ``weight_decay * p`` for every parameter p: exactly what
    ``torch.optim.SGD(..., weight_decay=weight_decay)`` adds to each gradient. Like torch's
    optimizers it includes the biases.
    """
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
    """Inverted dropout: in training, zero each value with probability p and scale the rest by 1/(1-p).

    The scaling keeps every value's expected size, so in evaluation (``training=False``) the
    input passes unchanged. The mask is drawn like ``nn.Dropout``'s (a Bernoulli draw with
    probability 1-p of keeping), so after the same ``torch.manual_seed`` both give the same output.
    """
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
