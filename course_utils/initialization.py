"""Weight initialization from scratch (Xavier, Kaiming), equal to torch.nn.init's, and scale through depth."""

import math
from collections.abc import Callable

import torch
from torch import Tensor, nn


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
    init: Callable[[Tensor], object],
    activation: Callable[[], nn.Module] = nn.ReLU,
) -> nn.Sequential:
    """``depth`` blocks of Linear(width, width) then ``activation``, weights set by ``init``, biases 0."""
    layers: list[nn.Module] = []
    for _ in range(depth):
        linear = nn.Linear(width, width)
        with torch.no_grad():  # init may be any in-place function of the weight
            init(linear.weight)
            linear.bias.zero_()
        layers += [linear, activation()]
    return nn.Sequential(*layers)


def layer_scales(
    stack: nn.Sequential, X: Tensor, generator: torch.Generator | None = None
) -> tuple[list[float], list[float]]:
    """The std of each block's output for ``X`` and of the gradient (standard normal at the top) arriving at it."""
    outputs: list[Tensor] = []
    hidden = X
    for module in stack:
        hidden = module(hidden)
        if not isinstance(module, nn.Linear):  # the end of a block
            hidden.retain_grad()  # keep the gradient of this intermediate tensor
            outputs.append(hidden)
    hidden.backward(torch.randn(hidden.shape, generator=generator))
    return [o.std().item() for o in outputs], [o.grad.std().item() for o in outputs]
