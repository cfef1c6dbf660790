"""Loss functions from elementary tensor operations, each equal to its PyTorch counterpart.

``mae`` = ``nn.L1Loss``, ``mse`` = ``nn.MSELoss``, ``bce`` = ``nn.BCELoss``, ``bce_with_logits``
= ``nn.BCEWithLogitsLoss``, ``cross_entropy`` = ``nn.CrossEntropyLoss``, none calling PyTorch's
losses, ``logsumexp`` or ``log_softmax``. A *loss* scores one example, the *cost* is their mean:
``reduction="none"`` returns the losses, ``"mean"`` (the default) the cost, ``"sum"`` their sum.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = [
    "mae",
    "mse",
    "bce",
    "bce_with_logits",
    "cross_entropy",
    "check_cross_entropy_inputs",
    "REDUCTIONS",
    "LOG_CLAMP",
]

REDUCTIONS = ("mean", "sum", "none")
# nn.BCELoss clamps each log at -100, so one example's loss is at most 100 (never inf)
LOG_CLAMP = -100.0
# nn.BCELoss's backward divides by max(p * (1 - p), 1e-12), so its gradient stays finite
_BCE_GRAD_EPSILON = 1e-12


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    """The per-example ``losses`` reduced as asked: their mean (the cost), their sum, or as they are."""
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    if reduction == "none":
        return losses
    raise ValueError(
        f"reduction must be one of {', '.join(map(repr, REDUCTIONS))} (as in PyTorch), "
        f"got {reduction!r}"
    )


def _check_same_shape(name: str, pred: Tensor, target: Tensor) -> None:
    """Raise a ValueError saying how to fix it when ``pred`` and ``target`` differ in shape.

    (N, 1) against (N,) broadcasts into an (N, N) grid of wrong pairs: ``nn.MSELoss`` and
    ``nn.L1Loss`` only warn, ``nn.BCELoss`` raises, a formula written by hand says nothing.
    Here it is always an error.
    """
    if not isinstance(pred, Tensor) or not isinstance(target, Tensor):
        raise TypeError(
            f"{name} expects two tensors (pred, target), got {type(pred).__name__} and "
            f"{type(target).__name__}: wrap numbers with torch.tensor(...)"
        )
    if pred.shape == target.shape:
        return
    got, want = tuple(pred.shape), tuple(target.shape)
    if got == (*want, 1):
        dim = len(want)
        fix = (
            f"target.unsqueeze({dim}) makes the target match, or pred.squeeze({dim}) the prediction"
        )
    elif want == (*got, 1):
        dim = len(got)
        fix = (
            f"pred.unsqueeze({dim}) makes the prediction match, or target.squeeze({dim}) the target"
        )
    else:
        fix = f"reshape one of them, e.g. target.reshape{got}"
    raise ValueError(
        f"{name}: pred has shape {got} but target has shape {want}; they must be the same shape "
        f"(one prediction per target), else broadcasting can pair predictions with the wrong targets "
        f"(nn.MSELoss and nn.L1Loss only warn, a formula written by hand does not even warn). "
        f"{fix}."
    )


def _check_floating(name: str, pred: Tensor, target: Tensor) -> None:
    for what, tensor in (("pred", pred), ("target", target)):
        if not tensor.is_floating_point():
            raise TypeError(
                f"{name}: {what} has dtype {tensor.dtype}, expected a floating-point tensor: "
                f"convert it with {what}.float()"
            )


def _labels_as_float(target: Tensor, pred: Tensor) -> Tensor:
    """Integer or bool labels (0 and 1) as floats of pred's dtype, as nn.BCELoss needs them."""
    if target.is_floating_point() or not pred.is_floating_point():
        return target
    return target.to(pred.dtype)


def mae(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean absolute error (L1 loss) mean(|pred - target|), like ``nn.L1Loss``."""
    _check_same_shape("mae", pred, target)
    _check_floating("mae", pred, target)
    # abs has slope 0 at 0 under autograd, as nn.L1Loss: a perfect prediction gets no push
    return _reduce((pred - target).abs(), reduction)


def mse(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean squared error (L2 loss) mean((pred - target)**2), like ``nn.MSELoss``."""
    _check_same_shape("mse", pred, target)
    _check_floating("mse", pred, target)
    return _reduce((pred - target) ** 2, reduction)


def _bce_per_example(pred: Tensor, target: Tensor) -> Tensor:
    """-(y log p + (1 - y) log(1 - p)), each log clamped at -100, as nn.BCELoss computes it."""
    log_p = torch.log(pred).clamp(min=LOG_CLAMP)  # log(0) = -inf becomes -100
    log_one_minus_p = torch.log1p(-pred).clamp(min=LOG_CLAMP)  # log1p(-p) = log(1 - p), precisely
    return -(target * log_p + (1 - target) * log_one_minus_p)


class _BinaryCrossEntropy(torch.autograd.Function):
    """Binary cross-entropy with nn.BCELoss's own backward formula.

    Why not let autograd differentiate ``_bce_per_example``? At p = 0 or 1 the clamped log is
    flat, and autograd would give NaN (0 * 1/0) there. PyTorch's BCELoss has a hand-written
    backward instead: dL/dp = (p - y) / max(p(1 - p), 1e-12), huge but finite at p = 0 or 1.
    We write the same formula, from elementary operations.
    """

    @staticmethod
    def forward(ctx, pred: Tensor, target: Tensor) -> Tensor:
        ctx.save_for_backward(pred, target)
        return _bce_per_example(pred, target)

    @staticmethod
    def backward(ctx, grad_output: Tensor) -> tuple[Tensor | None, Tensor | None]:
        pred, target = ctx.saved_tensors
        grad_pred = grad_target = None
        if ctx.needs_input_grad[0]:
            # -y/p + (1 - y)/(1 - p) = (p - y) / (p (1 - p)), with the denominator kept >= 1e-12
            denominator = (pred * (1 - pred)).clamp(min=_BCE_GRAD_EPSILON)
            grad_pred = grad_output * (pred - target) / denominator
        if ctx.needs_input_grad[1]:
            # dL/dy = log(1 - p) - log(p), unclamped (as PyTorch): +-inf at p = 0 or 1
            grad_target = grad_output * (torch.log1p(-pred) - torch.log(pred))
        return grad_pred, grad_target


def _first_outside_0_1(tensor: Tensor) -> float | None:
    """The first value of ``tensor`` below 0 or above 1, or None when there is none."""
    outside = (tensor < 0) | (tensor > 1)
    return tensor.detach()[outside][0].item() if outside.any() else None


# What NaN or a value outside [0, 1] most likely means in bce's pred, then in its target.
_BCE_PRED_PROBLEMS = (
    "bce got NaN in pred: the predictions are not numbers, so something before the loss "
    "produced NaN. Check the inputs (torch.isnan(X).any()); if they are fine, the model's "
    "weights may have blown up during training (try a smaller learning rate)",
    "bce expects probabilities in [0, 1] as pred, got {value:g}: these look like logits "
    "(raw scores). Use bce_with_logits(pred, target) on the logits (the stable choice), "
    "or turn them into probabilities first with torch.sigmoid(pred).",
)
_BCE_TARGET_PROBLEMS = (
    "bce got NaN in target: some labels are missing. Remove those examples before "
    "computing the loss, e.g. keep = ~torch.isnan(target); pred, target = pred[keep], "
    "target[keep]",
    "bce expects targets between 0 and 1 (the labels 0. and 1.), got {value:g}: labels "
    "-1 and 1 become 0 and 1 with (target + 1) / 2; class indices of more than two "
    "classes need cross_entropy",
)


def _check_bce_inputs(pred: Tensor, target: Tensor) -> None:
    """Raise a ValueError naming the likely cause unless pred and target are all in [0, 1]."""
    for tensor, (if_nan, if_outside) in (
        (pred, _BCE_PRED_PROBLEMS),
        (target, _BCE_TARGET_PROBLEMS),
    ):
        if torch.isnan(tensor).any():
            raise ValueError(if_nan)
        if (value := _first_outside_0_1(tensor)) is not None:
            raise ValueError(if_outside.format(value=value))


def bce(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities, -mean(y log p + (1 - y) log(1 - p)), like ``nn.BCELoss``.

    ``pred`` holds probabilities in [0, 1] (a sigmoid's output), ``target`` the labels 0 or 1
    (or any number in [0, 1]). As in PyTorch, each log is clamped at -100, so a prediction of
    exactly 0 or 1 that is wrong costs 100 rather than infinity, and the gradient is PyTorch's
    (p - y) / max(p(1 - p), 1e-12). For logits, prefer ``bce_with_logits``: it is exact there.
    """
    _check_same_shape("bce", pred, target)
    target = _labels_as_float(target, pred)
    _check_floating("bce", pred, target)
    _check_bce_inputs(pred, target)
    return _reduce(_BinaryCrossEntropy.apply(pred, target), reduction)


def _softplus_of_minus_magnitude(z: Tensor) -> Tensor:
    """log(1 + exp(-|z|)): the exponent is never positive, so exp cannot overflow."""
    magnitude = torch.where(z >= 0, z, -z)  # |z|, with slope +1 at z = 0 (see bce_with_logits)
    return torch.log1p(torch.exp(-magnitude))


def bce_with_logits(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of logits z: the same as ``bce(sigmoid(z), y)``, like ``nn.BCEWithLogitsLoss``.

    Computed in the stable form max(z, 0) - z*y + log(1 + exp(-|z|)), which is exact for any
    logit: sigmoid(z) is never formed, so it cannot round to 0 or 1, and no exp overflows.
    Its gradient is sigmoid(z) - y.
    """
    _check_same_shape("bce_with_logits", pred, target)
    target = _labels_as_float(target, pred)
    _check_floating("bce_with_logits", pred, target)
    # max(z, 0) and |z| both take their z >= 0 branch at z = 0, so autograd's slope there is
    # 1 - y - 1/2 = sigmoid(0) - y, the true derivative
    positive_part = torch.where(pred >= 0, pred, torch.zeros_like(pred))  # max(z, 0)
    losses = positive_part - pred * target + _softplus_of_minus_magnitude(pred)
    return _reduce(losses, reduction)


def check_cross_entropy_inputs(pred: Tensor, target: Tensor, name: str = "cross_entropy") -> None:
    """Raise an error that says what to do unless ``pred`` are logits (N, C) and ``target`` indices (N,).

    Catches the mistakes of a first multi-class model, which PyTorch's ``nn.CrossEntropyLoss``
    reports cryptically or not at all: float or one-hot labels, a model with one output for
    several classes, probabilities (a softmax's output) where logits belong, tensors on two
    devices.
    """
    _check_logits(pred, target, name)
    _check_class_indices(pred, target, name)
    n, classes = pred.shape
    if n > 0 and classes > 1 and _look_like_probabilities(pred.detach()):
        raise ValueError(
            f"{name} expects logits (raw scores), but every row of pred is between 0 and 1 and "
            "sums to 1: these look like probabilities (a softmax's output). Pass the model's "
            "raw output: the loss applies log-softmax itself, and a second softmax would "
            "flatten the scores so the model learns slowly. Use softmax only to read probabilities"
        )


def _check_logits(pred: Tensor, target: Tensor, name: str) -> None:
    """Raise unless ``pred`` is a floating-point (N, C) tensor on the labels' device."""
    if not isinstance(pred, Tensor) or not isinstance(target, Tensor):
        raise TypeError(f"{name} expects two tensors: logits (N, C) and class indices (N,)")
    if pred.dim() != 2:
        hint = (
            ": for one example use pred.unsqueeze(0) and target.unsqueeze(0)"
            if pred.dim() == 1
            else ""
        )
        raise ValueError(
            f"{name} expects logits of shape (N, C), one row of C class scores per "
            f"example, got shape {tuple(pred.shape)}{hint}"
        )
    if not pred.is_floating_point():
        raise TypeError(f"{name}: the logits have dtype {pred.dtype}; use pred.float()")
    if pred.device != target.device:
        raise ValueError(
            f"{name}: the logits are on the device {pred.device.type!r} but the labels on "
            f"{target.device.type!r}; both must be on one device. Move each batch where the "
            "model is: X_batch, y_batch = X_batch.to(device), y_batch.to(device)"
        )


def _check_class_indices(pred: Tensor, target: Tensor, name: str) -> None:
    """Raise unless ``target`` holds one integer class index per row of ``pred``, in range."""
    n, classes = pred.shape
    if target.is_floating_point():
        if target.shape == pred.shape:
            raise ValueError(
                f"{name} expects class indices of shape ({n},), got a float tensor of shape "
                f"{tuple(target.shape)} (one-hot or probabilities?): turn one-hot rows into "
                f"indices with target.argmax(dim=1)"
            )
        raise TypeError(
            f"{name} expects integer class indices (dtype torch.long), got dtype "
            f"{target.dtype}: convert them with target.long()"
        )
    if target.shape != (n,):
        fix = (
            "target.squeeze(-1) removes the extra dimension"
            if target.shape == (n, 1)
            else f"there must be one class index per row of the {n} rows of logits"
        )
        raise ValueError(
            f"{name} expects class indices of shape ({n},), got {tuple(target.shape)}: {fix}"
        )
    if n > 0 and classes == 1 and target.max() > 0:
        raise ValueError(
            f"{name}: the logits have 1 column, but the labels go up to {target.max().item()}: "
            "a model for C classes needs C outputs, one logit per class. Build its last layer "
            f"with at least {target.max().item() + 1} outputs, e.g. nn.Linear(hidden_units, num_classes)"
        )
    if n > 0 and (target.min() < 0 or target.max() >= classes):
        raise ValueError(
            f"{name}: class indices must be between 0 and {classes - 1} for {classes} columns of "
            f"logits, got values from {target.min().item()} to {target.max().item()}"
        )


def _look_like_probabilities(pred: Tensor) -> bool:
    """True when each row is non-negative and sums to 1: almost never true of real logits."""
    row_sums = pred.sum(dim=1)
    return bool((pred >= 0).all()) and bool(
        torch.isclose(row_sums, torch.ones_like(row_sums), atol=1e-4).all()
    )


def cross_entropy(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Categorical cross-entropy of logits (N, C) and class indices (N,), like ``nn.CrossEntropyLoss``.

    Each example's loss is -log(softmax(z)[y]) = log(sum_j exp(z_j)) - z_y. The log-sum-exp is
    computed stably: the largest logit m is subtracted first, log(sum_j exp(z_j - m)) + m,
    so every exponent is <= 0 and nothing overflows, even for logits of 1000.
    """
    check_cross_entropy_inputs(pred, target)
    n = pred.shape[0]
    # the shift m does not change the result, only keeps exp in range: no gradient through it
    m = pred.detach().amax(dim=1, keepdim=True)  # (N, 1)
    log_sum_exp = torch.log(torch.exp(pred - m).sum(dim=1)) + m.squeeze(1)  # (N,)
    correct_logit = pred[torch.arange(n), target]  # (N,): z_y for each example
    return _reduce(log_sum_exp - correct_logit, reduction)
