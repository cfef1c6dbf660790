"""Weight initialization from scratch (Xavier, Kaiming), equal to torch.nn.init's, and scale through depth.

A Linear layer with n inputs and weights of variance σ² multiplies the mean square of its input by
about n·σ² (a ReLU then halves it). ``deep_stack`` and ``layer_scales`` measure what that factor,
repeated layer after layer, does to the signal and to the gradients.
"""

import math
from collections.abc import Callable
from typing import NamedTuple

import torch
from torch import Tensor, nn

from course_utils import normalization


def _fans(weight: Tensor) -> tuple[int, int]:
    if weight.dim() != 2:
        raise ValueError(
            f"expected a Linear layer's 2-D weight (out_features, in_features), got shape "
            f"{tuple(weight.shape)}"
        )
    fan_out, fan_in = weight.shape
    return fan_in, fan_out


@torch.no_grad()
def xavier_uniform_(weight: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Fill ``weight`` in place from U(-a, a) with std sqrt(2 / (fan_in + fan_out)): Glorot's rule for tanh."""
    fan_in, fan_out = _fans(weight)
    std = math.sqrt(2.0 / (fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return weight.uniform_(-bound, bound, generator=generator)


@torch.no_grad()
def kaiming_normal_(weight: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Fill ``weight`` in place from N(0, 2 / fan_in): He's rule, the 2 making up for ReLU's zeroed half."""
    fan_in, _ = _fans(weight)
    std = math.sqrt(2.0) / math.sqrt(fan_in)
    return weight.normal_(0.0, std, generator=generator)


def deep_stack(
    depth: int,
    width: int,
    init: Callable[[Tensor], object] | None,
    activation: Callable[[], nn.Module] = nn.ReLU,
    batch_norm: bool = False,
) -> nn.Sequential:
    """``depth`` blocks of Linear(width, width), optional batch norm, then ``activation``.

    ``init`` fills each Linear's weight in place; ``None`` keeps PyTorch's default for
    ``nn.Linear`` (uniform in ±1/√fan_in). The biases start at 0, so that the weights alone set
    the scale. Each block is an ``nn.Sequential`` of its own: ``layer_scales`` measures its output.
    """
    blocks: list[nn.Module] = []
    for _ in range(depth):
        linear = nn.Linear(width, width)
        with torch.no_grad():  # init may be any in-place function of the weight
            if init is not None:
                init(linear.weight)
            linear.bias.zero_()
        normalize = [normalization.BatchNorm1d(width)] if batch_norm else []
        blocks.append(nn.Sequential(linear, *normalize, activation()))
    return nn.Sequential(*blocks)


class LayerScales(NamedTuple):
    """Per block of a deep stack: how large its output, and the gradients, are (standard deviations).

    ``outputs``: the block's output (forward). ``output_gradients``: the gradient of the loss with
    respect to that output, arriving from above (backward). ``weight_gradients``: the gradient
    with respect to the block's Linear weight, what the optimizer uses.
    """

    outputs: list[float]
    output_gradients: list[float]
    weight_gradients: list[float]


def layer_scales(
    stack: nn.Sequential, X: Tensor, generator: torch.Generator | None = None
) -> LayerScales:
    """The std of each block's output for ``X``, and of the gradients a random one at the top sends.

    The gradient entering at the top is standard normal (drawn with ``generator``); backward
    then gives each block's output and each Linear weight their gradients.
    """
    outputs: list[Tensor] = []
    hidden = X
    for block in stack:
        hidden = block(hidden)
        hidden.retain_grad()  # keep the gradient of this intermediate tensor
        outputs.append(hidden)
    stack.zero_grad()
    hidden.backward(torch.randn(hidden.shape, generator=generator))
    weights = [block[0].weight for block in stack]  # each block starts with its Linear
    return LayerScales(
        outputs=[o.std().item() for o in outputs],
        output_gradients=[o.grad.std().item() for o in outputs],
        weight_gradients=[w.grad.std().item() for w in weights],
    )
