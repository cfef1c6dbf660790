"""Optimizers from scratch: SGD (momentum, Nesterov), Adagrad, RMSprop, Adam and AdamW.

Introduced in 07_gradient_descent_and_optimizers.ipynb.

Each class is a ``torch.optim.Optimizer`` with torch.optim's signature, defaults and argument
checks, so it drops in where ``torch.optim.Adam`` stands. ``step`` is the published update rule
written with elementary tensor operations, in the same order of floating-point operations as
torch.optim's single-tensor code path, so both give the same parameters step after step.
Parameter groups, ``zero_grad``, ``state_dict`` and ``load_state_dict`` come from the base class;
the per-parameter state uses torch's names (``momentum_buffer``, ``sum``, ``square_avg``,
``exp_avg`` ...), so a state_dict saved by torch.optim loads here and the other way round.
Not supported (they only make torch faster or differentiable): ``foreach``, ``fused``,
``capturable``, ``differentiable``, tensor learning rates, sparse and complex gradients.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import Tensor
from torch.optim import Optimizer

__all__ = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"]

Params = Iterable[Tensor] | Iterable[dict[str, Any]]


def _check_at_least_zero(what: str, value: float, meaning: str) -> None:
    """Raise torch's ValueError (same condition, torch's wording first) plus a hint for students."""
    if not 0.0 <= value:  # written this way so that NaN fails too
        raise ValueError(f"Invalid {what}: {value}. {meaning}")


def _check_beta(index: int, value: float) -> None:
    if not 0.0 <= value < 1.0:
        raise ValueError(
            f"Invalid beta parameter at index {index}: {value}. Each beta is the decay rate of a "
            "moving average and must be in [0, 1), e.g. betas=(0.9, 0.999)"
        )


def _check_lr(lr: float) -> None:
    _check_at_least_zero(
        "learning rate", lr, "lr is a step size: use a positive number such as 0.01"
    )


def _check_weight_decay(weight_decay: float) -> None:
    _check_at_least_zero(
        "weight_decay value",
        weight_decay,
        "weight_decay pulls weights towards 0: use 0 (off) or a small positive number such as 1e-4",
    )


def _check_eps(eps: float) -> None:
    _check_at_least_zero(
        "epsilon value",
        eps,
        "eps only guards against dividing by 0: use a tiny number such as 1e-8",
    )


def _evaluate(closure: Callable[[], Tensor] | None) -> Tensor | None:
    """Run the closure (forward + backward) with gradients on, as torch.optim does."""
    if closure is None:
        return None
    with torch.enable_grad():
        return closure()


def _new_step_count() -> Tensor:
    # torch keeps the step count as a float32 tensor on the CPU; so do we, so that the
    # state_dicts of both can be exchanged.
    return torch.tensor(0.0, dtype=torch.float32)


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum: like ``torch.optim.SGD``.

    Update, with g the gradient (plus ``weight_decay * p``), v the momentum buffer:
    :math:`v \leftarrow \mu v + (1 - \tau) g` (the first step sets :math:`v = g`), then
    :math:`p \leftarrow p - \text{lr}\, v` (Nesterov: :math:`p \leftarrow p - \text{lr}(g + \mu v)`).
    Example: ``optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)``.
    """

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
    ) -> None:
        _check_lr(lr)
        _check_at_least_zero(
            "momentum value",
            momentum,
            "momentum is the fraction of the last velocity kept: use 0 (off) or e.g. 0.9",
        )
        _check_weight_decay(weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum and zero dampening: got "
                f"momentum={momentum}, dampening={dampening}. Use e.g. momentum=0.9, dampening=0 "
                "with nesterov=True, or set nesterov=False"
            )
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Update every parameter that has a gradient; returns the closure's loss (or None)."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            weight_decay, nesterov = group["weight_decay"], group["nesterov"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = -param.grad if group["maximize"] else param.grad
                if weight_decay != 0:
                    grad = grad.add(param, alpha=weight_decay)  # g + λ·p (L2 penalty's gradient)
                if momentum != 0:
                    state = self.state[param]
                    velocity = state.get("momentum_buffer")
                    if velocity is None:  # first step: the velocity starts as the gradient
                        velocity = state["momentum_buffer"] = grad.detach().clone()
                    else:  # v ← μ·v + (1 − dampening)·g
                        velocity.mul_(momentum).add_(grad, alpha=1 - dampening)
                    # Nesterov looks ahead: it steps along g + μ·v instead of v
                    grad = grad.add(velocity, alpha=momentum) if nesterov else velocity
                param.add_(grad, alpha=-lr)  # p ← p − lr·direction
        return loss


class Adagrad(Optimizer):
    r"""Adagrad: each weight's step shrinks with the sum of its squared gradients. Like ``torch.optim.Adagrad``.

    Update: :math:`s \leftarrow s + g^2`, then
    :math:`p \leftarrow p - \frac{\text{lr}}{1 + (t - 1)\,\text{lr\_decay}} \cdot \frac{g}{\sqrt{s} + \epsilon}`.
    Example: ``optimizer = Adagrad(model.parameters(), lr=0.1)``.
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
    ) -> None:
        _check_lr(lr)
        _check_at_least_zero(
            "lr_decay value",
            lr_decay,
            "lr_decay shrinks the learning rate over the steps: use 0 (off) or a small positive number",
        )
        _check_weight_decay(weight_decay)
        _check_at_least_zero(
            "initial_accumulator_value value",
            initial_accumulator_value,
            "it is the starting sum of squared gradients: use 0 or a small positive number such as 0.1",
        )
        _check_eps(eps)
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Update every parameter that has a gradient; returns the closure's loss (or None)."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
            weight_decay = group["weight_decay"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                state = self.state[param]
                if len(state) == 0:
                    state["step"] = _new_step_count()
                    state["sum"] = torch.full_like(param, group["initial_accumulator_value"])
                state["step"] += 1
                step = state["step"].item()
                grad = -param.grad if group["maximize"] else param.grad
                if weight_decay != 0:
                    grad = grad.add(param, alpha=weight_decay)
                clr = lr / (1 + (step - 1) * lr_decay)  # the decayed learning rate of step t
                squared_sum = state["sum"]
                squared_sum.addcmul_(grad, grad, value=1)  # s ← s + g²
                std = squared_sum.sqrt().add_(eps)  # √s + ε
                param.addcdiv_(grad, std, value=-clr)  # p ← p − clr·g / (√s + ε)
        return loss


class RMSprop(Optimizer):
    r"""RMSprop: divide the step by a moving root mean square of the gradients. Like ``torch.optim.RMSprop``.

    Update: :math:`v \leftarrow \alpha v + (1 - \alpha) g^2`, then
    :math:`p \leftarrow p - \text{lr} \cdot g / (\sqrt{v} + \epsilon)`; ``centered`` subtracts the
    squared moving mean of g from v; ``momentum`` keeps a buffer of these steps.
    Example: ``optimizer = RMSprop(model.parameters(), lr=0.01)``.
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
    ) -> None:
        _check_lr(lr)
        _check_eps(eps)
        _check_at_least_zero(
            "momentum value",
            momentum,
            "momentum is the fraction of the last step kept: use 0 (off) or e.g. 0.9",
        )
        _check_weight_decay(weight_decay)
        _check_at_least_zero(
            "alpha value",
            alpha,
            "alpha is the decay rate of the moving average of g²: use a number just below 1, e.g. 0.99",
        )
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Update every parameter that has a gradient; returns the closure's loss (or None)."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            weight_decay, momentum = group["weight_decay"], group["momentum"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                state = self.state[param]
                if len(state) == 0:
                    state["step"] = _new_step_count()
                    state["square_avg"] = torch.zeros_like(param)
                    if momentum > 0:
                        state["momentum_buffer"] = torch.zeros_like(param)
                    if group["centered"]:
                        state["grad_avg"] = torch.zeros_like(param)
                state["step"] += 1
                grad = -param.grad if group["maximize"] else param.grad
                if weight_decay != 0:
                    grad = grad.add(param, alpha=weight_decay)
                square_avg = state["square_avg"]
                square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)  # v ← α·v + (1−α)·g²
                if group["centered"]:
                    # m ← α·m + (1−α)·g (lerp computes m + (1−α)·(g − m)); use v − m², a variance
                    grad_avg = state["grad_avg"]
                    grad_avg.lerp_(grad, 1 - alpha)
                    avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
                else:
                    avg = square_avg.sqrt()
                avg = avg.add_(eps)  # √v + ε
                if momentum > 0:
                    buffer = state["momentum_buffer"]
                    buffer.mul_(momentum).addcdiv_(grad, avg)  # b ← μ·b + g / (√v + ε)
                    param.add_(buffer, alpha=-lr)
                else:
                    param.addcdiv_(grad, avg, value=-lr)  # p ← p − lr·g / (√v + ε)
        return loss


class Adam(Optimizer):
    r"""Adam: momentum (a moving mean of g) divided by a moving RMS of g, bias-corrected. Like ``torch.optim.Adam``.

    Update: :math:`m \leftarrow \beta_1 m + (1 - \beta_1) g`,
    :math:`v \leftarrow \beta_2 v + (1 - \beta_2) g^2`, then
    :math:`p \leftarrow p - \frac{\text{lr}}{1 - \beta_1^t} \cdot \frac{m}{\sqrt{v} / \sqrt{1 - \beta_2^t} + \epsilon}`.
    ``amsgrad`` divides by the largest v seen so far; ``decoupled_weight_decay`` makes it AdamW.
    Example: ``optimizer = Adam(model.parameters(), lr=0.01)``.
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
    ) -> None:
        _check_lr(lr)
        _check_eps(eps)
        _check_beta(0, betas[0])
        _check_beta(1, betas[1])
        _check_weight_decay(weight_decay)
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Update every parameter that has a gradient; returns the closure's loss (or None)."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                state = self.state[param]
                if len(state) == 0:
                    state["step"] = _new_step_count()
                    state["exp_avg"] = torch.zeros_like(param)  # m: moving mean of g
                    state["exp_avg_sq"] = torch.zeros_like(param)  # v: moving mean of g²
                    if amsgrad:
                        state["max_exp_avg_sq"] = torch.zeros_like(param)
                state["step"] += 1
                step = state["step"].item()
                grad = -param.grad if group["maximize"] else param.grad
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:  # AdamW: shrink the weights directly
                        param.mul_(1 - lr * weight_decay)
                    else:  # Adam: add the L2 penalty's gradient λ·p to g
                        grad = grad.add(param, alpha=weight_decay)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg.lerp_(grad, 1 - beta1)  # m ← β1·m + (1−β1)·g, computed as m + (1−β1)(g − m)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)  # v ← β2·v + (1−β2)·g²
                # m and v start at 0, so early on they are too small: divide by 1 − β^t
                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                step_size = lr / bias_correction1
                if amsgrad:  # never let the denominator shrink: use the largest v so far
                    max_exp_avg_sq = state["max_exp_avg_sq"]
                    torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
                    exp_avg_sq = max_exp_avg_sq
                denom = (exp_avg_sq.sqrt() / bias_correction2**0.5).add_(eps)  # √v̂ + ε
                param.addcdiv_(exp_avg, denom, value=-step_size)  # p ← p − lr·m̂ / (√v̂ + ε)
        return loss


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay (:math:`p \leftarrow p(1 - \text{lr}\,\lambda)` before the Adam step).

    Like ``torch.optim.AdamW``; note the default ``weight_decay=1e-2``.
    Example: ``optimizer = AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)``.
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
    ) -> None:
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
