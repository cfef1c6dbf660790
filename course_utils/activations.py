"""Activation functions and their derivatives from elementary tensor operations, stable for any input."""

import math
from collections.abc import Callable

import torch
from torch import Tensor

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
    """The step's derivative: 0 wherever it exists, so step neurons cannot learn by gradient.

    At the jump, x = 0, the derivative does not exist; this returns 0 there too.
    """
    return torch.zeros_like(x)


def sigmoid(x: Tensor) -> Tensor:
    """The logistic sigmoid 1 / (1 + exp(-x)), like ``torch.sigmoid``: values in (0, 1)."""
    z = torch.exp(-_magnitude(x))  # exp(-|x|), in (0, 1]
    return torch.where(x >= 0, 1 / (1 + z), z / (1 + z))


def sigmoid_grad(x: Tensor) -> Tensor:
    """The sigmoid's derivative sigmoid(x) * (1 - sigmoid(x)) = z / (1 + z)**2 with z = exp(-|x|)."""
    z = torch.exp(-_magnitude(x))
    return z / (1 + z) ** 2


def tanh(x: Tensor) -> Tensor:
    """The hyperbolic tangent (e^x - e^-x) / (e^x + e^-x), like ``torch.tanh``: values in (-1, 1)."""
    m = torch.expm1(-2 * _magnitude(x))
    magnitude_of_tanh = -m / (2 + m)
    return torch.where(x >= 0, magnitude_of_tanh, -magnitude_of_tanh)  # tanh is odd


def tanh_grad(x: Tensor) -> Tensor:
    """The tanh's derivative 1 - tanh(x)**2 = 4z / (1 + z)**2 with z = exp(-2|x|)."""
    z = torch.exp(-2 * _magnitude(x))
    return 4 * z / (1 + z) ** 2


def relu(x: Tensor) -> Tensor:
    """The rectified linear unit max(0, x), like ``F.relu``."""
    # where, not clamp: autograd then gives 0 at x = 0 (as for F.relu), and NaN stays NaN
    return torch.where(x <= 0, torch.zeros_like(x), x)


def relu_grad(x: Tensor) -> Tensor:
    """ReLU's derivative, 1 where x > 0, else 0 (also at 0, as autograd): exactly the step function."""
    return step(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else negative_slope * x, like ``F.leaky_relu``."""
    return torch.where(x > 0, x, negative_slope * x)


def leaky_relu_grad(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """Leaky ReLU's derivative: 1 where x > 0, else negative_slope (also at x = 0, as autograd)."""
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, negative_slope))


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """The exponential linear unit: x where x > 0, else alpha * (exp(min(x, 0)) - 1), like ``F.elu``."""
    # expm1 sees 0 where x > 0, so a large x cannot overflow the branch where() drops; that
    # input is chosen with where, not clamp, for autograd's slope at x = 0 to be alpha in every
    # PyTorch (clamp's own slope at its bound went from 1 to 0 in PyTorch 2.14)
    negative_part = torch.where(x > 0, torch.zeros_like(x), x)
    return torch.where(x > 0, x, alpha * torch.expm1(negative_part))


def elu_grad(x: Tensor, alpha: float = 1.0) -> Tensor:
    """ELU's derivative: 1 where x > 0, else alpha * exp(x) (alpha at x = 0, as autograd)."""
    return torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(x.clamp(max=0)))


def _check_approximate(approximate: str) -> None:
    if approximate not in ("none", "tanh"):
        raise ValueError(
            f"approximate must be 'none' (the exact erf form) or 'tanh' (the tanh approximation), "
            f"as in torch.nn.functional.gelu; got {approximate!r}"
        )


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """The Gaussian error linear unit x * Phi(x) (Phi: the normal CDF), like ``F.gelu``, in both its forms."""
    _check_approximate(approximate)
    if approximate == "tanh":
        return 0.5 * x * (1 + tanh(_SQRT_2_OVER_PI * (x + _GELU_CUBIC * x**3)))
    return 0.5 * x * (1 + torch.erf(x / _SQRT_2))


def gelu_grad(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU's derivative, for either form: Phi(x) + x * phi(x) exactly (phi: the normal density)."""
    _check_approximate(approximate)
    if approximate == "tanh":
        u = _SQRT_2_OVER_PI * (x + _GELU_CUBIC * x**3)  # the argument of tanh
        du_dx = _SQRT_2_OVER_PI * (1 + 3 * _GELU_CUBIC * x**2)
        return 0.5 * (1 + tanh(u)) + 0.5 * x * tanh_grad(u) * du_dx
    normal_cdf = 0.5 * (1 + torch.erf(x / _SQRT_2))
    normal_density = torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)
    return normal_cdf + x * normal_density


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``, like ``torch.softmax``, the maximum subtracted first."""
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
