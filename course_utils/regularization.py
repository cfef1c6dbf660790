"""Remedies for overfitting from scratch, each equal to PyTorch's: weight decay and dropout.

Weight decay here follows common practice: it applies to the weights (every parameter with two or
more dimensions, such as a ``Linear`` layer's weight matrix), not to the biases or batch norm's
scale and shift. ``decay_groups`` gives an optimizer that rule; ``DecayLedger`` measures the decay
that Adam and AdamW actually apply to each weight.
"""

import torch
from torch import Tensor, nn


def weights_to_decay(model: nn.Module) -> list[nn.Parameter]:
    """The parameters weight decay applies to: those with 2 or more dimensions (weight matrices).

    A weight matrix decides how steeply a unit responds to its inputs, which is what large
    weights make over-sharp. A bias (1-D) only shifts where a unit switches on, and batch norm's
    1-D scale and shift set the range of a normalized feature: shrinking them towards 0 smooths
    nothing. They are few, so leaving them out costs little.
    """
    return [parameter for parameter in model.parameters() if parameter.dim() >= 2]


def l2_penalty(model: nn.Module, weight_decay: float) -> Tensor:
    """``weight_decay / 2`` times the sum of the squared weights (biases and norms left out).

    Its gradient is ``weight_decay * w`` for each weight w: what ``SGD`` adds to the gradient of
    the parameters it decays (with ``decay_groups(model, weight_decay)``, exactly these).
    """
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be 0 or more, got {weight_decay}")
    weights = weights_to_decay(model)
    if not weights:
        raise ValueError(
            f"{type(model).__name__} has no weight matrix (no parameter with 2 or more "
            "dimensions): there is nothing for weight decay to penalize"
        )
    squares = sum(weight.pow(2).sum() for weight in weights)
    return weight_decay / 2 * squares


def decay_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    """Parameter groups for an optimizer: decay the weights, leave biases and norms undecayed.

    ``torch.optim.AdamW(decay_groups(model, 0.1), lr=...)``: each group may set its own options,
    so the weights get ``weight_decay`` and every other parameter 0.
    """
    weights = weights_to_decay(model)
    decayed = {id(weight) for weight in weights}
    others = [parameter for parameter in model.parameters() if id(parameter) not in decayed]
    return [
        {"params": weights, "weight_decay": weight_decay},
        {"params": others, "weight_decay": 0.0},
    ]


class DecayLedger:
    """Adds up, weight by weight, the decay that an Adam or AdamW optimizer actually applies.

    Call ``ledger.step()`` where you would call ``optimizer.step()``. Afterwards, for every entry
    of a parameter ``p``: ``received[p]`` is the sum, over the steps, of the size of the decay's
    share of its update; ``nominal[p]`` the sum of lr·λ·|w|, the shrink that decoupled decay
    gives the weight w in one step; ``squared_gradients[p]`` the sum of the data's gradient
    squared (its root mean square is the weight's typical gradient size).

    AdamW shrinks each weight apart from its Adam step, w ← w − lr·λ·w: its share is measured as
    the whole change minus that Adam step, lr·m̂ / (√v̂ + ε). ``Adam(weight_decay=λ)`` instead adds
    λ·w to the gradient, so the decay goes through the Adam step. m is a running mean, so it is
    the sum of a data part and a decay part, and the decay's share of the step is
    lr·m̂_decay / (√v̂ + ε), m_decay being the running mean of λ·w alone: divided by √v̂, the
    weight's typical gradient size. So weights with large gradients get less decay, and weights
    with tiny gradients more, than AdamW gives them.
    """

    def __init__(self, optimizer: torch.optim.Optimizer):
        _check_plain_adam(optimizer)
        self.optimizer = optimizer
        self.steps = 0
        parameters = [p for group in optimizer.param_groups for p in group["params"]]
        self.received = {p: torch.zeros_like(p) for p in parameters}
        self.nominal = {p: torch.zeros_like(p) for p in parameters}
        self.squared_gradients = {p: torch.zeros_like(p) for p in parameters}
        self._decay_mean = {p: torch.zeros_like(p) for p in parameters}  # m_decay

    @torch.no_grad()
    def step(self) -> None:
        """One optimizer step, with the decay's share of each weight's update added up."""
        before = {p: p.detach().clone() for p in self.received}
        self.optimizer.step()
        self.steps += 1
        for group in self.optimizer.param_groups:
            lr, (beta1, beta2) = group["lr"], group["betas"]
            eps, decay = group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                self.squared_gradients[p] += p.grad**2  # the data's gradient: torch adds λ·w inside
                if decay == 0:
                    continue  # an undecayed group (biases): nothing to measure
                w, state = before[p], self.optimizer.state[p]
                t = state["step"].item()
                denominator = (state["exp_avg_sq"] / (1 - beta2**t)).sqrt() + eps  # √v̂ + ε
                if group["decoupled_weight_decay"]:  # AdamW
                    adam_step = lr * state["exp_avg"] / (1 - beta1**t) / denominator
                    share = (w - p) - adam_step
                else:  # Adam with the L2 term λ·w in its gradient
                    # m_decay ← β1·m_decay + (1−β1)·λ·w
                    self._decay_mean[p].lerp_(decay * w, 1 - beta1)
                    share = lr * self._decay_mean[p] / (1 - beta1**t) / denominator
                self.received[p] += share.abs()
                self.nominal[p] += lr * decay * w.abs()


def _check_plain_adam(optimizer: torch.optim.Optimizer) -> None:
    if not isinstance(optimizer, torch.optim.Adam):  # AdamW is a subclass of Adam
        raise TypeError(
            f"DecayLedger reads the state of torch.optim.Adam or AdamW, got {type(optimizer).__name__}"
        )
    for group in optimizer.param_groups:
        if group["amsgrad"] or group["maximize"] or torch.is_tensor(group["lr"]):
            raise ValueError(
                "DecayLedger follows plain Adam and AdamW: build the optimizer without amsgrad, "
                "maximize or a tensor learning rate"
            )


def _check_probability(p: float) -> None:
    if not 0 <= p < 1:
        raise ValueError(
            f"p is the probability of dropping a value and must be in [0, 1), got {p}: "
            "p=1 would drop everything"
        )


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: in training, zero each value with probability p, scale the rest by 1/(1-p).

    The mask is drawn as ``nn.Dropout`` draws it on the CPU (one ``bernoulli_`` draw per value),
    so from the same seed both drop the same values there.
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
