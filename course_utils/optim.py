"""Optimizers from scratch, each ``step`` a published update rule.

Each class drops in where its ``torch.optim`` namesake stands: the same constructor
(parameter names, order and defaults), the same ``param_groups`` and the same state, so
that a ``state_dict`` moves between the two. Their options are checked by
``guards.optim``.
"""

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import torch
from torch import Tensor
from torch.optim import Optimizer

from course_utils import guards

Params = Iterable[Tensor] | Iterable[dict[str, Any]]
Closure = Callable[[], Tensor] | None


def _new_state(param: Tensor, *names: str, fill: float = 0.0) -> dict[str, Tensor]:
    """A step counter and, under each of ``names``, a tensor like ``param`` of ``fill``.

    The counter is a float32 CPU tensor, as torch keeps it, so that a state_dict saved
    by one loads into the other.
    """
    buffers = {name: torch.full_like(param, fill) for name in names}
    return {"step": torch.tensor(0.0, dtype=torch.float32), **buffers}


class _FromScratch(Optimizer):
    """What the optimizers share: the closure, and the loop over the parameters.

    Each subclass writes out its constructor as torch.optim does and gives
    ``torch.optim.Optimizer`` its options as ``defaults``; each ``step`` is its update
    rule.
    """

    def initial_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Tensor]:
        """The state a parameter starts with, before its first step."""
        return {}

    def gradients(self) -> Iterator[tuple[Tensor, Tensor, dict[str, Any], dict[str, Any]]]:
        """Each parameter with a gradient, as ``(param, g, state, group)``.

        g is the gradient to descend: negated with ``maximize``, and with the L2 term
        λ·p of ``weight_decay`` added (AdamW's decoupled decay shrinks the weights in
        its step instead). A parameter's state is filled by ``initial_state`` before its
        first step.
        """
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
        """The loss from ``closure``, which recomputes it with gradients; or None."""
        if closure is None:
            return None
        with torch.enable_grad():
            return closure()


class SGD(_FromScratch):
    """Stochastic gradient descent, with (Nesterov) momentum, like torch.optim.SGD."""

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ):
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        guards.optim.check_options(defaults)
        super().__init__(params, defaults)

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
    """Adagrad, like torch.optim.Adagrad: steps that shrink as squared gradients add up.

    Each weight has its own step size: lr divided by the root of the sum of its squared
    gradients so far, so a weight that has had large gradients moves less from now on.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ):
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
        )
        guards.optim.check_options(defaults)
        super().__init__(params, defaults)

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
    """RMSprop, like torch.optim.RMSprop: steps divided by a moving RMS of gradients.

    Unlike Adagrad's sum, the moving mean of g² forgets old gradients (at the rate 1 -
    alpha), so the step size does not shrink for ever. torch lists ``maximize`` after
    two options this class does not take (capturable, foreach): here it can only be
    given by name.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ):
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        guards.optim.check_options(defaults)
        super().__init__(params, defaults)

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
    """Adam, like torch.optim.Adam: momentum over a moving RMS of the gradients.

    Momentum is a moving mean m of g; the step divides it by the root of a moving mean v
    of g², like RMSprop. Both start at 0, so both are corrected for that bias.
    ``decoupled_weight_decay=True`` makes it AdamW.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ):
        defaults = dict(
            lr=lr,
            betas=tuple(betas),  # a list would do too, but torch keeps a tuple
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        guards.optim.check_options(defaults)
        super().__init__(params, defaults)

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
    """AdamW, like torch.optim.AdamW: Adam with decoupled weight decay, 1e-2 by default.

    The decay shrinks each weight apart from the Adam step, w ← w − lr·λ·w, instead of
    adding λ·w to the gradient, where Adam's division by √v̂ would change its size
    weight by weight. As in torch, it is always decoupled: AdamW takes no
    ``decoupled_weight_decay``.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ):
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )
