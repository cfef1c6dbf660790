"""Losses from elementary tensor operations, each equal to its PyTorch counterpart.

Each takes ``(pred, target, reduction="mean")`` like PyTorch's losses: "mean" averages
the per-example losses (the cost), "sum" adds them, "none" returns them. Their inputs
are checked by ``guards.losses``.
"""

import torch
from torch import Tensor

from course_utils import guards


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    """The per-example ``losses``, averaged ("mean"), added ("sum") or as they are."""
    guards.losses.check_reduction(reduction)
    if reduction == "none":
        return losses
    return losses.mean() if reduction == "mean" else losses.sum()


def mae(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean absolute error (L1 loss) mean(|pred - target|), like ``nn.L1Loss``."""
    guards.losses.check_pair("mae", pred, target)
    # abs has slope 0 at 0 under autograd, as in nn.L1Loss: a perfect prediction gets
    # no push
    return _reduce((pred - target).abs(), reduction)


def mse(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean squared error (L2 loss) mean((pred - target)**2), like ``nn.MSELoss``."""
    guards.losses.check_pair("mse", pred, target)
    return _reduce((pred - target) ** 2, reduction)


class _BCELossGradient(torch.autograd.Function):
    """The per-example BCE losses as they are, with the gradient that nn.BCELoss gives.

    The gradient of -(y log p + (1 - y) log(1 - p)) is (p - y) / (p (1 - p)). Autograd,
    going through the two clamped logs one at a time, gets NaN where p is exactly 0 or 1
    (0 times an infinite slope); nn.BCELoss divides by p (1 - p) no smaller than 1e-12,
    so its gradient stays finite there. This keeps the losses and gives their inputs
    that gradient, so that the course's bce trains exactly as nn.BCELoss does.
    """

    @staticmethod
    def forward(ctx, losses: Tensor, pred: Tensor, target: Tensor) -> Tensor:
        ctx.save_for_backward(pred, target)
        return losses.clone()

    @staticmethod
    def backward(ctx, grad_output: Tensor) -> tuple[None, Tensor | None, Tensor | None]:
        pred, target = ctx.saved_tensors
        grad_pred = grad_target = None
        if ctx.needs_input_grad[1]:  # -y/p + (1 - y)/(1 - p) = (p - y) / (p (1 - p))
            grad_pred = grad_output * (pred - target) / (pred * (1 - pred)).clamp(min=1e-12)
        if ctx.needs_input_grad[2]:  # log(1 - p) - log(p), unclamped as in PyTorch
            grad_target = grad_output * (torch.log1p(-pred) - torch.log(pred))
        return None, grad_pred, grad_target


def bce(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities, -mean(y log p + (1 - y) log(1 - p)).

    Like ``nn.BCELoss``, each log is clamped at -100: a prediction of exactly 0 or 1 for
    the wrong class costs 100, not infinity. Its gradient is nn.BCELoss's too (see
    ``_BCELossGradient``).
    """
    guards.losses.check_bce(pred, target)
    target = target.to(pred.dtype)  # labels 0 and 1 may be integers
    log_p = torch.log(pred).clamp(min=-100)  # log(0) = -inf becomes -100, as in nn.BCELoss
    log_one_minus_p = torch.log1p(-pred).clamp(min=-100)  # log1p(-p) = log(1 - p), precisely
    losses = -(target * log_p + (1 - target) * log_one_minus_p)  # (N, ...), one per example
    # the gradient nn.BCELoss gives, finite even where p is exactly 0 or 1
    losses = _BCELossGradient.apply(losses, pred, target)
    return _reduce(losses, reduction)


def bce_with_logits(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of logits z, like ``nn.BCEWithLogitsLoss``.

    The value of ``bce(sigmoid(z), y)``, without forming sigmoid(z): for a large z it
    rounds to exactly 1.0, which loses the loss and its gradient (notebook 05).
    """
    guards.losses.check_pair("bce_with_logits", pred, target, labels=True)
    target = target.to(pred.dtype)
    # both where's take their z >= 0 branch at z = 0, so autograd's slope there is
    # sigmoid(0) - y
    positive_part = torch.where(pred >= 0, pred, torch.zeros_like(pred))  # max(z, 0)
    magnitude = torch.where(pred >= 0, pred, -pred)  # |z|
    losses = positive_part - pred * target + torch.log1p(torch.exp(-magnitude))
    return _reduce(losses, reduction)


def cross_entropy(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """-log(softmax(z)[y]) of logits (N, C) and class indices (N,): nn.CrossEntropyLoss.

    Like it, a float target of shape (N, C) holds class probabilities p (one-hot rows,
    smoothed labels): a row's loss is then -Σ_c p_c log softmax(z)_c, the same number
    for a one-hot row as for its class index.
    """
    guards.losses.check_cross_entropy_inputs(pred, target, probabilities=True)
    n = pred.shape[0]
    # the shift m does not change the result, it only keeps exp in range: so no
    # gradient goes through it
    m = pred.detach().amax(dim=1, keepdim=True)  # (N, 1)
    log_sum_exp = torch.log(torch.exp(pred - m).sum(dim=1)) + m.squeeze(1)  # (N,)
    if target.is_floating_point():  # class probabilities (N, C)
        log_softmax = pred - log_sum_exp.unsqueeze(1)  # (N, C): log softmax(z)_c
        return _reduce(-(target.to(pred.dtype) * log_softmax).sum(dim=1), reduction)
    correct_logit = pred[torch.arange(n), target]  # (N,): z_y for each example
    return _reduce(log_sum_exp - correct_logit, reduction)
