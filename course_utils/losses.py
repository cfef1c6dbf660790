"""Losses from elementary tensor operations, each equal to its PyTorch counterpart, with PyTorch's ``reduction``."""

import torch
from torch import Tensor


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return losses
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be one of 'mean', 'sum', 'none', got {reduction!r}")
    return losses.mean() if reduction == "mean" else losses.sum()


def _reshape_hint(got: tuple[int, ...], want: tuple[int, ...]) -> str:
    if got == (*want, 1):
        return f"use target.unsqueeze({len(want)}) or pred.squeeze({len(want)})"
    if want == (*got, 1):
        return f"use pred.unsqueeze({len(got)}) or target.squeeze({len(got)})"
    return f"reshape one of them, e.g. target.reshape{got}"


def _check_pair(name: str, pred: Tensor, target: Tensor, labels: bool = False) -> None:
    """Raise unless pred and target are floating-point tensors of one shape (labels: the target may be integers)."""
    if not isinstance(pred, Tensor) or not isinstance(target, Tensor):
        raise TypeError(
            f"{name} expects two tensors (pred, target), got {type(pred).__name__} and "
            f"{type(target).__name__}: wrap numbers with torch.tensor(...)"
        )
    got, want = tuple(pred.shape), tuple(target.shape)
    if got != want:
        raise ValueError(
            f"{name}: pred has shape {got} but target has shape {want}; they must be the same "
            f"shape, else broadcasting pairs predictions with the wrong targets: "
            f"{_reshape_hint(got, want)}"
        )
    for what, tensor in (("pred", pred), ("target", target)):
        if not (tensor.is_floating_point() or (labels and what == "target")):
            raise TypeError(
                f"{name}: {what} is {tensor.dtype}, not floating point: use {what}.float()"
            )


def mae(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean absolute error (L1 loss) mean(|pred - target|), like ``nn.L1Loss``."""
    _check_pair("mae", pred, target)
    # abs has slope 0 at 0 under autograd, as nn.L1Loss: a perfect prediction gets no push
    return _reduce((pred - target).abs(), reduction)


def mse(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean squared error (L2 loss) mean((pred - target)**2), like ``nn.MSELoss``."""
    _check_pair("mse", pred, target)
    return _reduce((pred - target) ** 2, reduction)


class _BinaryCrossEntropy(torch.autograd.Function):
    """-(y log p + (1 - y) log(1 - p)), logs clamped at -100, with nn.BCELoss's backward: finite where autograd's is NaN."""

    @staticmethod
    def forward(ctx, pred: Tensor, target: Tensor) -> Tensor:
        ctx.save_for_backward(pred, target)
        log_p = torch.log(pred).clamp(min=-100)  # log(0) = -inf becomes -100, as in nn.BCELoss
        log_one_minus_p = torch.log1p(-pred).clamp(min=-100)  # log1p(-p) = log(1 - p), precisely
        return -(target * log_p + (1 - target) * log_one_minus_p)

    @staticmethod
    def backward(ctx, grad_output: Tensor) -> tuple[Tensor | None, Tensor | None]:
        pred, target = ctx.saved_tensors
        grad_pred = grad_target = None
        if ctx.needs_input_grad[0]:  # -y/p + (1 - y)/(1 - p) = (p - y) / (p (1 - p))
            grad_pred = grad_output * (pred - target) / (pred * (1 - pred)).clamp(min=1e-12)
        if ctx.needs_input_grad[1]:  # log(1 - p) - log(p), unclamped as in PyTorch
            grad_target = grad_output * (torch.log1p(-pred) - torch.log(pred))
        return grad_pred, grad_target


# What NaN, then a value outside [0, 1], most likely means in bce's pred and in its target.
_BCE_PROBLEMS = {
    "pred": (
        "bce got NaN in pred: check the inputs (torch.isnan(X).any()); if they are fine, the "
        "weights blew up in training: try a smaller learning rate",
        "bce expects probabilities in [0, 1] as pred, got {value:g}: for logits use "
        "bce_with_logits(pred, target), or torch.sigmoid(pred) first",
    ),
    "target": (
        "bce got NaN in target: some labels are missing; drop those examples, e.g. with "
        "keep = ~torch.isnan(target)",
        "bce expects targets between 0 and 1, got {value:g}: labels -1 and 1 become 0 and 1 "
        "with (target + 1) / 2; more than two classes need cross_entropy",
    ),
}


def _check_probabilities(pred: Tensor, target: Tensor) -> None:
    for what, tensor in (("pred", pred), ("target", target)):
        if_nan, if_outside = _BCE_PROBLEMS[what]
        if torch.isnan(tensor).any():
            raise ValueError(if_nan)
        outside = (tensor < 0) | (tensor > 1)
        if outside.any():
            raise ValueError(if_outside.format(value=tensor.detach()[outside][0].item()))


def bce(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities, -mean(y log p + (1 - y) log(1 - p)), like ``nn.BCELoss``."""
    _check_pair("bce", pred, target, labels=True)
    target = target.to(pred.dtype)  # labels 0 and 1 may be integers
    _check_probabilities(pred, target)
    return _reduce(_BinaryCrossEntropy.apply(pred, target), reduction)


def bce_with_logits(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of logits z, ``bce(sigmoid(z), y)`` without forming sigmoid(z), like ``nn.BCEWithLogitsLoss``."""
    _check_pair("bce_with_logits", pred, target, labels=True)
    target = target.to(pred.dtype)
    # both where's take their z >= 0 branch at z = 0, so autograd's slope there is sigmoid(0) - y
    positive_part = torch.where(pred >= 0, pred, torch.zeros_like(pred))  # max(z, 0)
    magnitude = torch.where(pred >= 0, pred, -pred)  # |z|
    losses = positive_part - pred * target + torch.log1p(torch.exp(-magnitude))
    return _reduce(losses, reduction)


def check_cross_entropy_inputs(
    pred: Tensor, target: Tensor, name: str = "cross_entropy", probabilities: bool = False
) -> None:
    """Raise an error that says what to do unless ``pred`` are logits (N, C) and ``target`` class indices (N,).

    With ``probabilities``, a float target of shape (N, C) may hold class probabilities instead.
    """
    if not isinstance(pred, Tensor) or not isinstance(target, Tensor):
        raise TypeError(f"{name} expects two tensors: logits (N, C) and class indices (N,)")
    if pred.dim() != 2 or not pred.is_floating_point():
        hint = (
            "; for one example use pred.unsqueeze(0) and target.unsqueeze(0)"
            if pred.dim() == 1
            else ""
        )
        raise ValueError(
            f"{name} expects float logits of shape (N, C), one row of class scores per example, "
            f"got {pred.dtype} of shape {tuple(pred.shape)}{hint}"
        )
    if pred.device != target.device:
        raise ValueError(
            f"{name}: the logits are on {pred.device.type!r} but the labels on "
            f"{target.device.type!r}: move each batch where the model is, "
            "X_batch, y_batch = X_batch.to(device), y_batch.to(device)"
        )
    if probabilities and target.is_floating_point() and target.shape == pred.shape:
        _check_class_probabilities(target, name)
    else:
        _check_class_indices(pred, target, name)
    rows_sum_to_1 = ((pred.detach().sum(dim=1) - 1).abs() <= 1e-4).all()
    if len(pred) > 0 and pred.shape[1] > 1 and (pred >= 0).all() and rows_sum_to_1:
        raise ValueError(
            f"{name} expects logits, but every row of pred is in [0, 1] and sums to 1: these look "
            "like probabilities (a softmax's output). Pass the model's raw output: the loss "
            "applies log-softmax itself, and a second softmax slows learning"
        )


def _check_class_indices(pred: Tensor, target: Tensor, name: str) -> None:
    n, classes = pred.shape
    if target.is_floating_point() and target.shape == pred.shape:
        raise ValueError(
            f"class indices of shape ({n},) are needed here, got floats of shape "
            f"{tuple(target.shape)} (one-hot rows?): {name} would read them as class "
            "probabilities, but accuracy is counted against class indices: turn them into "
            "indices with target.argmax(dim=1)"
        )
    if target.is_floating_point():
        raise TypeError(
            f"{name} expects integer class indices, got {target.dtype}: use target.long()"
        )
    if target.shape != (n,):
        fix = "target.squeeze(-1)" if target.shape == (n, 1) else "one index per row of logits"
        raise ValueError(f"{name}: target needs shape ({n},), got {tuple(target.shape)}: {fix}")
    if n > 0 and classes == 1 and target.max() > 0:
        raise ValueError(
            f"{name}: the logits have 1 column, but the labels go up to {target.max().item()}: "
            f"a model for C classes needs C outputs; build its last layer with at least "
            f"{target.max().item() + 1} outputs, nn.Linear(hidden_units, num_classes)"
        )
    if n > 0 and (target.min() < 0 or target.max() >= classes):
        raise ValueError(
            f"{name}: class indices must be between 0 and {classes - 1} for {classes} columns of "
            f"logits, got values from {target.min().item()} to {target.max().item()}"
        )


def _check_class_probabilities(target: Tensor, name: str) -> None:
    outside = ((target < 0) | (target > 1)).any(dim=1)
    not_summing_to_1 = (target.detach().sum(dim=1) - 1).abs() > 1e-4
    if (bad_rows := (outside | not_summing_to_1).nonzero()).numel():
        row = int(bad_rows[0])
        raise ValueError(
            f"{name}: a float target of shape {tuple(target.shape)} holds class probabilities, "
            f"each row between 0 and 1 and summing to 1, but row {row} is "
            f"{[round(v, 4) for v in target[row].tolist()]}: one class per example needs a single "
            "1 per row (or class indices); several labels per example need bce_with_logits"
        )


def cross_entropy(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """-log(softmax(z)[y]) of logits (N, C) and class indices (N,), like ``nn.CrossEntropyLoss``.

    Like it, a float target of shape (N, C) holds class probabilities p (one-hot rows, smoothed
    labels): a row's loss is then -Σ_c p_c log softmax(z)_c, the same number for a one-hot row as
    for its class index.
    """
    check_cross_entropy_inputs(pred, target, probabilities=True)
    n = pred.shape[0]
    # the shift m does not change the result, only keeps exp in range: no gradient through it
    m = pred.detach().amax(dim=1, keepdim=True)  # (N, 1)
    log_sum_exp = torch.log(torch.exp(pred - m).sum(dim=1)) + m.squeeze(1)  # (N,)
    if target.is_floating_point():  # class probabilities (N, C)
        log_softmax = pred - log_sum_exp.unsqueeze(1)  # (N, C): log softmax(z)_c
        return _reduce(-(target.to(pred.dtype) * log_softmax).sum(dim=1), reduction)
    correct_logit = pred[torch.arange(n), target]  # (N,): z_y for each example
    return _reduce(log_sum_exp - correct_logit, reduction)
