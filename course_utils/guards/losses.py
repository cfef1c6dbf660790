"""The guard of ``losses``: a loss's predictions and targets, checked first.

A loss that broadcasts a (N, 1) prediction against a (N,) target, or reads logits as
probabilities, still returns a number, just the wrong one. These checks turn such silent
mistakes into errors that say which shape or which kind of value was expected.
"""

import torch
from torch import Tensor


def check_reduction(reduction: str) -> None:
    """Raise unless ``reduction`` is one of PyTorch's: 'mean', 'sum' or 'none'."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction must be one of 'mean', 'sum', 'none', got {reduction!r}")


def _reshape_hint(got: tuple[int, ...], want: tuple[int, ...]) -> str:
    """How to make a prediction of shape ``got`` match a target of shape ``want``."""
    if got == (*want, 1):
        return f"use target.unsqueeze({len(want)}) or pred.squeeze({len(want)})"
    if want == (*got, 1):
        return f"use pred.unsqueeze({len(got)}) or target.squeeze({len(got)})"
    return f"reshape one of them, e.g. target.reshape{got}"


def check_pair(name: str, pred: Tensor, target: Tensor, labels: bool = False) -> None:
    """Raise unless pred and target are floating-point tensors of one shape.

    With ``labels``, the target may hold integers (labels 0 and 1). The same shape
    matters because broadcasting would pair every prediction with every target.
    """
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


# What NaN, then a value outside [0, 1], most likely means in bce's pred and target.
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


def check_bce(pred: Tensor, target: Tensor) -> None:
    """Raise unless pred holds probabilities and target labels in [0, 1], of one shape.

    A NaN, or a value outside [0, 1], is told apart in each: a logit passed as ``pred``
    (use ``bce_with_logits``), labels -1 and 1, or missing labels.
    """
    check_pair("bce", pred, target, labels=True)
    for what, tensor in (("pred", pred), ("target", target)):
        if_nan, if_outside = _BCE_PROBLEMS[what]
        if torch.isnan(tensor).any():
            raise ValueError(if_nan)
        outside = (tensor < 0) | (tensor > 1)
        if outside.any():
            raise ValueError(if_outside.format(value=tensor.detach()[outside][0].item()))


def check_cross_entropy_inputs(
    pred: Tensor, target: Tensor, name: str = "cross_entropy", probabilities: bool = False
) -> None:
    """Raise an error that says what to do unless pred are logits, target class indices.

    ``pred`` must be float logits (N, C) and ``target`` class indices (N,); with
    ``probabilities``, a float target of shape (N, C) may hold class probabilities
    instead. PyTorch reports float or one-hot labels, too few outputs or softmaxed
    outputs badly or not at all.
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
    _check_not_probabilities(pred, name)


def _check_not_probabilities(pred: Tensor, name: str) -> None:
    """Raise when every row of ``pred`` looks like a softmax's output, not logits."""
    rows_sum_to_1 = ((pred.detach().sum(dim=1) - 1).abs() <= 1e-4).all()
    if len(pred) > 0 and pred.shape[1] > 1 and (pred >= 0).all() and rows_sum_to_1:
        raise ValueError(
            f"{name} expects logits, but every row of pred is in [0, 1] and sums to 1: these look "
            "like probabilities (a softmax's output). Pass the model's raw output: the loss "
            "applies log-softmax itself, and a second softmax slows learning"
        )


def _check_class_indices(pred: Tensor, target: Tensor, name: str) -> None:
    """Raise unless ``target`` holds a class index per row of pred, in range."""
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
    """Raise unless each row of a float (N, C) target is a probability distribution."""
    outside = ((target < 0) | (target > 1)).any(dim=1)
    not_summing_to_1 = (target.detach().sum(dim=1) - 1).abs() > 1e-4
    bad_rows = (outside | not_summing_to_1).nonzero()
    if bad_rows.numel() == 0:
        return
    row = int(bad_rows[0])
    raise ValueError(
        f"{name}: a float target of shape {tuple(target.shape)} holds class probabilities, "
        f"each row between 0 and 1 and summing to 1, but row {row} is "
        f"{[round(v, 4) for v in target[row].tolist()]}: one class per example needs a single "
        "1 per row (or class indices); several labels per example need bce_with_logits"
    )
