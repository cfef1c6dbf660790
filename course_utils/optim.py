"""Optimizers from scratch, each ``step`` a published update rule, with torch.optim's signatures, defaults and state."""

from collections.abc import Callable, Iterable, Iterator
from inspect import Parameter, Signature
from typing import Any

import torch
from torch import Tensor
from torch.optim import Optimizer

Params = Iterable[Tensor] | Iterable[dict[str, Any]]
Closure = Callable[[], Tensor] | None

# The arguments that must be >= 0: torch's name for each in its error, and a typical value.
_AT_LEAST_ZERO = {
    "lr": ("learning rate", 0.01),
    "momentum": ("momentum value", 0.9),
    "weight_decay": ("weight_decay value", 1e-4),
    "eps": ("epsilon value", 1e-8),
    "lr_decay": ("lr_decay value", 1e-4),
    "initial_accumulator_value": ("initial_accumulator_value value", 0.1),
    "alpha": ("alpha value", 0.99),
}


def _check_arguments(defaults: dict[str, Any]) -> None:
    """Raise torch's ValueError (its condition, its wording first) with a hint for students."""
    if defaults.get("nesterov") and (defaults["momentum"] <= 0 or defaults["dampening"] != 0):
        raise ValueError(
            f"Nesterov momentum requires a momentum and zero dampening, got momentum="
            f"{defaults['momentum']}, dampening={defaults['dampening']}: use momentum=0.9, "
            "dampening=0, or nesterov=False"
        )
    for name, (what, example) in _AT_LEAST_ZERO.items():
        value = defaults.get(name, 0.0)
        if not 0.0 <= value:  # written this way so that NaN fails too
            raise ValueError(
                f"Invalid {what}: {value}; it must be 0 or more, e.g. {name}={example}"
            )
    for index, beta in enumerate(defaults.get("betas", ())):
        if not 0.0 <= beta < 1.0:
            raise ValueError(
                f"Invalid beta parameter at index {index}: {beta}. Each beta is a moving average's "
                "decay rate, in [0, 1), e.g. betas=(0.9, 0.999)"
            )


def _signature(positional: dict[str, Any], keyword_only: dict[str, Any]) -> Signature:
    """A constructor signature like torch's: ``params``, the positional options, the keyword-only ones."""
    either, keyword = Parameter.POSITIONAL_OR_KEYWORD, Parameter.KEYWORD_ONLY
    parameters = [Parameter("params", either)]
    parameters += [Parameter(name, either, default=value) for name, value in positional.items()]
    parameters += [Parameter(name, keyword, default=value) for name, value in keyword_only.items()]
    return Signature(parameters)


def _new_state(param: Tensor, *names: str, fill: float = 0.0) -> dict[str, Tensor]:
    """A step counter (a float32 CPU tensor, as torch keeps it) and, under each name, ``fill`` like ``param``."""
    buffers = {name: torch.full_like(param, fill) for name in names}
    return {"step": torch.tensor(0.0, dtype=torch.float32), **buffers}


class _FromScratch(Optimizer):
    """What the optimizers share: the signature in ``__signature__``, argument checks, the closure, the loop."""

    __signature__: Signature
    fixed_options: dict[str, Any] = {}

    def __init__(self, params: Params, *args: Any, **kwargs: Any) -> None:
        try:
            arguments = self.__signature__.bind(params, *args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{type(self).__name__}{self.__signature__}: {error}") from None
        arguments.apply_defaults()
        defaults = {**arguments.arguments, **self.fixed_options}
        del defaults["params"]
        _check_arguments(defaults)
        if "betas" in defaults:
            defaults["betas"] = tuple(defaults["betas"])
        super().__init__(params, defaults)

    def initial_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Tensor]:
        """The state a parameter starts with, before its first step."""
        return {}

    def gradients(self) -> Iterator[tuple[Tensor, Tensor, dict[str, Any], dict[str, Any]]]:
        """Each parameter with a gradient as ``(param, g, state, group)``, g with maximize and L2 applied."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                state = self.state[param]
                if not state:
                    state.update(self.initial_state(param, group))
                grad = -param.grad if group["maximize"] else param.grad
                if group["weight_decay"] != 0 and not group.get("decoupled_weight_decay"):
                    grad = grad.add(param, alpha=group["weight_decay"])  # g + λ·p
                yield param, grad, state, group

    def _evaluate(self, closure: Closure) -> Tensor | None:
        if closure is None:
            return None
        with torch.enable_grad():
            return closure()


class SGD(_FromScratch):
    """Stochastic gradient descent, optionally with (Nesterov) momentum: like ``torch.optim.SGD``."""

    __signature__ = _signature(
        dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False), dict(maximize=False)
    )

    @torch.no_grad()
    def step(self, closure: Closure = None) -> Tensor | None:
        loss = self._evaluate(closure)
        for param, grad, state, group in self.gradients():
            momentum = group["momentum"]
            if momentum != 0:
                velocity = state.get("momentum_buffer")
                if velocity is None:  # first step: the velocity starts as the gradient
                    velocity = state["momentum_buffer"] = grad.detach().clone()
                else:  # v ← μ·v + (1 − dampening)·g
                    velocity.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
                # Nesterov looks ahead: it steps along g + μ·v instead of v
                grad = grad.add(velocity, alpha=momentum) if group["nesterov"] else velocity
            param.add_(grad, alpha=-group["lr"])  # p ← p − lr·direction
        return loss


class Adagrad(_FromScratch):
    """Adagrad: each weight's step shrinks with the sum of its squared gradients. Like ``torch.optim.Adagrad``."""

    __signature__ = _signature(
        dict(lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10),
        dict(maximize=False),
    )

    def initial_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Tensor]:
        return _new_state(param, "sum", fill=group["initial_accumulator_value"])

    @torch.no_grad()
    def step(self, closure: Closure = None) -> Tensor | None:
        loss = self._evaluate(closure)
        for param, grad, state, group in self.gradients():
            t = state["step"].add_(1).item()
            lr = group["lr"] / (1 + (t - 1) * group["lr_decay"])  # the learning rate, decayed
            squared_sum = state["sum"].addcmul_(grad, grad, value=1)  # s ← s + g²
            std = squared_sum.sqrt().add_(group["eps"])  # √s + ε
            param.addcdiv_(grad, std, value=-lr)  # p ← p − lr·g / (√s + ε)
        return loss


class RMSprop(_FromScratch):
    """RMSprop: divide the step by a moving root mean square of the gradients. Like ``torch.optim.RMSprop``."""

    __signature__ = _signature(
        dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False),
        dict(maximize=False),
    )

    def initial_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Tensor]:
        needed = {"momentum_buffer": group["momentum"] > 0, "grad_avg": group["centered"]}
        return _new_state(param, "square_avg", *[name for name, used in needed.items() if used])

    @torch.no_grad()
    def step(self, closure: Closure = None) -> Tensor | None:
        loss = self._evaluate(closure)
        for param, grad, state, group in self.gradients():
            lr, alpha = group["lr"], group["alpha"]
            state["step"] += 1
            square_avg = state["square_avg"]
            square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)  # v ← α·v + (1−α)·g²
            if group["centered"]:  # use v − m², a variance, with m ← α·m + (1−α)·g
                grad_avg = state["grad_avg"].lerp_(grad, 1 - alpha)
                square_avg = square_avg.addcmul(grad_avg, grad_avg, value=-1)
            root_mean_square = square_avg.sqrt().add_(group["eps"])  # √v + ε
            if group["momentum"] > 0:  # b ← μ·b + g / (√v + ε), then p ← p − lr·b
                buffer = state["momentum_buffer"]
                buffer.mul_(group["momentum"]).addcdiv_(grad, root_mean_square)
                param.add_(buffer, alpha=-lr)
            else:
                param.addcdiv_(grad, root_mean_square, value=-lr)  # p ← p − lr·g / (√v + ε)
        return loss


class Adam(_FromScratch):
    """Adam: momentum (a moving mean of g) over a moving RMS of g, bias-corrected. Like ``torch.optim.Adam``."""

    __signature__ = _signature(
        dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False),
        dict(maximize=False, decoupled_weight_decay=False),
    )

    def initial_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Tensor]:
        maximum = ["max_exp_avg_sq"] if group["amsgrad"] else []
        return _new_state(param, "exp_avg", "exp_avg_sq", *maximum)

    @torch.no_grad()
    def step(self, closure: Closure = None) -> Tensor | None:
        loss = self._evaluate(closure)
        for param, grad, state, group in self.gradients():
            lr, (beta1, beta2) = group["lr"], group["betas"]
            if group["decoupled_weight_decay"]:  # AdamW: shrink the weights, not the gradient
                param.mul_(1 - lr * group["weight_decay"])
            t = state["step"].add_(1).item()
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m.lerp_(grad, 1 - beta1)  # m ← β1·m + (1−β1)·g
            v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)  # v ← β2·v + (1−β2)·g²
            if group["amsgrad"]:  # never let the denominator shrink: the largest v so far
                v = torch.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            # m and v start at 0, so early on they are too small: divide by 1 − β^t
            denominator = (v.sqrt() / (1 - beta2**t) ** 0.5).add_(group["eps"])  # √v̂ + ε
            param.addcdiv_(m, denominator, value=-lr / (1 - beta1**t))  # p ← p − lr·m̂ / (√v̂ + ε)
        return loss


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay (default 1e-2), like ``torch.optim.AdamW``."""

    __signature__ = _signature(
        dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False),
        dict(maximize=False),
    )
    fixed_options = {"decoupled_weight_decay": True}
