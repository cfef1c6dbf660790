"""Activation functions and their derivatives, from elementary tensor operations.

Each equals PyTorch's own, and each is written to stay finite for any input: no exp ever
sees a large positive number.
"""

import math
from collections.abc import Callable

import torch
from torch import Tensor

from course_utils import guards

_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715  # the constant of the tanh approximation (Hendrycks & Gimpel, 2016)


def _magnitude(x: Tensor) -> Tensor:
    """|x| written with where, so that autograd gives slope 1 (not 0) at x = 0."""
    return torch.where(x >= 0, x, -x)


def step(x: Tensor) -> Tensor:
    """The Heaviside step: 1 where x > 0, else 0 (so ``step(0) = 0``), in x's dtype."""
    return (x > 0).to(x.dtype)


def step_grad(x: Tensor) -> Tensor:
    """The step's derivative: 0 wherever it exists, so a step neuron cannot learn by it.

    At the jump, x = 0, the derivative does not exist; this returns 0 there too.
    """
    return torch.zeros_like(x)


def sigmoid(x: Tensor) -> Tensor:
    """The logistic sigmoid 1 / (1 + exp(-x)), like torch.sigmoid: values in (0, 1)."""
    z = torch.exp(-_magnitude(x))  # exp(-|x|), in (0, 1]
    return torch.where(x >= 0, 1 / (1 + z), z / (1 + z))


def sigmoid_grad(x: Tensor) -> Tensor:
    """The sigmoid's derivative, sigmoid(x) * (1 - sigmoid(x)).

    Written as z / (1 + z)**2 with z = exp(-|x|), which stays finite for any x.
    """
    z = torch.exp(-_magnitude(x))
    return z / (1 + z) ** 2


def tanh(x: Tensor) -> Tensor:
    """The hyperbolic tangent (e^x - e^-x) / (e^x + e^-x), like torch.tanh.

    Its values lie in (-1, 1). Computed from expm1(-2|x|), which never overflows, and
    mirrored for negative x, since tanh is odd.
    """
    m = torch.expm1(-2 * _magnitude(x))
    magnitude_of_tanh = -m / (2 + m)
    return torch.where(x >= 0, magnitude_of_tanh, -magnitude_of_tanh)  # tanh is odd


def tanh_grad(x: Tensor) -> Tensor:
    """The tanh's derivative 1 - tanh(x)**2 = 4z / (1 + z)**2 with z = exp(-2|x|)."""
    z = torch.exp(-2 * _magnitude(x))
    return 4 * z / (1 + z) ** 2


def relu(x: Tensor) -> Tensor:
    """The rectified linear unit max(0, x), like ``F.relu``."""
    # where, not clamp: autograd then gives 0 at x = 0 (as for F.relu); NaN stays NaN
    return torch.where(x <= 0, torch.zeros_like(x), x)


def relu_grad(x: Tensor) -> Tensor:
    """ReLU's derivative: 1 where x > 0, else 0 (at 0 too, as autograd): the step."""
    return step(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else negative_slope * x, like ``F.leaky_relu``."""
    return torch.where(x > 0, x, negative_slope * x)


def leaky_relu_grad(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """Leaky ReLU's derivative: 1 where x > 0, else negative_slope, at 0 as well."""
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, negative_slope))


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """The exponential linear unit, like F.elu: x where x > 0, else alpha (e^x - 1)."""
    # expm1 sees 0 where x > 0, so a large x cannot overflow the branch where() drops;
    # that input is chosen with where, not clamp, for autograd's slope at x = 0 to be
    # alpha in every PyTorch (clamp's own slope at its bound went from 1 to 0 in 2.14)
    negative_part = torch.where(x > 0, torch.zeros_like(x), x)
    return torch.where(x > 0, x, alpha * torch.expm1(negative_part))


def elu_grad(x: Tensor, alpha: float = 1.0) -> Tensor:
    """ELU's derivative: 1 where x > 0, else alpha * exp(x) (as autograd at 0)."""
    return torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(x.clamp(max=0)))


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """The Gaussian error linear unit x * Phi(x), like F.gelu, in both its forms.

    Phi is the standard normal CDF; ``approximate="tanh"`` uses its tanh approximation,
    as F.gelu does.
    """
    guards.activations.check_gelu_form(approximate)
    if approximate == "tanh":
        return 0.5 * x * (1 + tanh(_SQRT_2_OVER_PI * (x + _GELU_CUBIC * x**3)))
    return 0.5 * x * (1 + torch.erf(x / _SQRT_2))


def gelu_grad(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU's derivative, for either form: exactly Phi(x) + x * phi(x) for the erf one.

    phi is the standard normal density; the tanh form's derivative follows its formula.
    """
    guards.activations.check_gelu_form(approximate)
    if approximate == "tanh":
        u = _SQRT_2_OVER_PI * (x + _GELU_CUBIC * x**3)  # the argument of tanh
        du_dx = _SQRT_2_OVER_PI * (1 + 3 * _GELU_CUBIC * x**2)
        return 0.5 * (1 + tanh(u)) + 0.5 * x * tanh_grad(u) * du_dx
    normal_cdf = 0.5 * (1 + torch.erf(x / _SQRT_2))
    normal_density = torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)
    return normal_cdf + x * normal_density


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``, like torch.softmax.

    The maximum is subtracted first: it does not change the result, and keeps exp from
    overflowing.
    """
    shifted = x - x.amax(dim=dim, keepdim=True)
    exponentials = torch.exp(shifted)
    return exponentials / exponentials.sum(dim=dim, keepdim=True)


# The element-wise activations (all but softmax) with their derivatives, by name.
ELEMENTWISE: dict[str, tuple[Callable[[Tensor], Tensor], Callable[[Tensor], Tensor]]] = {
    "step": (step, step_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "elu": (elu, elu_grad),
    "gelu": (gelu, gelu_grad),
}
