"""The guard of ``training``: the arguments of ``fit``, and what the loop meets.

Two faults look alike to a student, since either fills the loss with NaN: bad data (a
NaN or inf in a batch) and a learning rate too high (the weights blow up). The loop asks
these checks at each batch, so that each is reported as what it is, where it happened,
and what to do about it.
"""

import math

import torch
from torch import Tensor, nn

from course_utils.guards.losses import check_cross_entropy_inputs
from course_utils.guards.models import check_input_shape


class TrainingDiverged(RuntimeError):
    """Training cannot go on: NaN or inf in a batch, the predictions or the loss."""


def check_fit_arguments(
    model: nn.Module,
    train_loader: object,
    optimizer: torch.optim.Optimizer,
    *,
    epochs: object,
    val_loader: object,
    patience: object,
    outputs: str | None,
    test_loader: object,
) -> None:
    """Raise a clear error for an argument ``fit`` cannot use, before any training."""
    if test_loader is not None:
        raise TypeError(
            "fit takes no test_loader: watch validation data with val_loader=..., and measure "
            "the test set once, at the end, with training.evaluate(model, test_loader, loss_fn)"
        )
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive whole number, got {epochs!r}")
    if patience is not None and (not isinstance(patience, int) or patience < 1):
        raise ValueError(f"patience must be a positive whole number or None, got {patience!r}")
    check_outputs(outputs)  # a bad ``outputs`` fails now, not after the first epoch
    if patience is not None and val_loader is None:
        raise ValueError(
            "patience needs validation data: early stopping watches the validation loss, so "
            "pass val_loader=... (never the test set), or leave patience=None"
        )
    if getattr(train_loader, "dataset", None) is None:
        raise TypeError(
            "train_loader must be a DataLoader (it needs .dataset to measure the training "
            "loss); make one with data.make_loaders(...) or DataLoader(TensorDataset(X, y), ...)"
        )
    check_optimizer_updates(model, optimizer)


def check_outputs(outputs: str | None) -> None:
    """Raise unless ``outputs`` names what a single output is, or is None.

    None leaves ``evaluate`` to judge from the loss function: a logit with a
    BCE-with-logits loss, else a probability.
    """
    if outputs not in (None, "probabilities", "logits"):
        raise ValueError(
            "outputs must be 'probabilities' (after a sigmoid, as with nn.BCELoss) or 'logits' "
            f"(raw scores, as with nn.BCEWithLogitsLoss), got {outputs!r}"
        )


def check_optimizer_updates(model: nn.Module, optimizer: torch.optim.Optimizer) -> None:
    """Raise unless ``optimizer`` updates this model's trainable parameters, only them.

    Frozen parameters (``requires_grad=False``) may stay out of the optimizer. Tensors
    are compared by identity: an optimizer built on another model, even an identical
    copy, holds other tensors.
    """
    optimizer_ids = {id(p) for group in optimizer.param_groups for p in group["params"]}
    model_ids = {id(p) for p in model.parameters()}
    trainable_ids = {id(p) for p in model.parameters() if p.requires_grad}
    foreign = optimizer_ids - model_ids
    missing = trainable_ids - optimizer_ids
    if not optimizer_ids & model_ids:
        raise _wrong_optimizer(
            optimizer,
            "the optimizer was built for another model's parameters: none of the "
            f"{len(optimizer_ids)} tensors it updates belong to this {type(model).__name__}, "
            "so training would never change this model",
        )
    if foreign:
        raise _wrong_optimizer(
            optimizer, f"{len(foreign)} of the optimizer's tensors are not this model's parameters"
        )
    if missing:
        raise _wrong_optimizer(
            optimizer,
            f"the optimizer updates only {len(trainable_ids) - len(missing)} of this model's "
            f"{len(trainable_ids)} trainable parameter tensors, so the others would never learn",
        )


def _wrong_optimizer(optimizer: torch.optim.Optimizer, problem: str) -> ValueError:
    return ValueError(
        f"{problem}. To fix it, build the optimizer from this model, after creating the model: "
        f"optimizer = torch.optim.{type(optimizer).__name__}(model.parameters(), lr=...)"
    )


def check_batch(
    model: nn.Module, features: Tensor, labels: Tensor, epoch: int | None, batch_index: int
) -> None:
    """Raise before a batch is used: on the first batch's shape; on NaN or inf."""
    if batch_index == 0:
        _check_first_batch_shape(model, features)
    bad_features = _non_finite_values(features)
    bad_labels = _non_finite_values(labels)
    if bad_features is None and bad_labels is None:
        return
    holds, keep = [], []
    if bad_features is not None:
        holds.append(f"inputs hold {bad_features}")
        keep.append(_finite_rows("X", features))
    if bad_labels is not None:
        holds.append(f"labels hold {bad_labels}")
        keep.append(_finite_rows("y", labels))
    raise TrainingDiverged(
        f"training stopped at {_where(epoch, batch_index)}, before using it: this batch's "
        f"{'; its '.join(holds)}. The data is bad, not the model or the learning rate. Remove "
        f"or fix those rows before training, e.g. keep = {' & '.join(keep)}; X, y = X[keep], "
        "y[keep] (isfinite finds NaN and inf)."
    )


def _check_first_batch_shape(model: nn.Module, features: Tensor) -> None:
    """Check the features against the model's first layer, if it is a Linear one."""
    if features.dim() > 2:
        return  # images, say: a model may flatten them before its first Linear layer
    first_layer = next((m for m in model.modules() if _has_own_parameters(m)), None)
    if isinstance(first_layer, nn.Linear):
        check_input_shape(features, first_layer.in_features, type(model).__name__)


def _has_own_parameters(module: nn.Module) -> bool:
    return next(module.parameters(recurse=False), None) is not None


def _finite_rows(name: str, tensor: Tensor) -> str:
    """The code that keeps the rows of ``name`` without NaN or inf, for the student."""
    return f"torch.isfinite({name})" + (".all(dim=1)" if tensor.dim() == 2 else "")


def check_predictions(
    y_pred: Tensor,
    labels: Tensor,
    loss_fn: object,
    optimizer: torch.optim.Optimizer,
    epoch: int | None,
    batch_index: int,
) -> None:
    """Raise before the loss: on NaN or inf predictions, or misused cross-entropy.

    Cross-entropy's inputs are checked on the first batch only: a misuse shows there.

    It runs before the loss, which may refuse NaN probabilities with an error of its own
    that would not say why they are NaN.
    """
    bad_predictions = _non_finite_values(y_pred)
    if bad_predictions is not None:
        what = f"the model's predictions contain {bad_predictions}"
        raise _diverged(what, optimizer, epoch, batch_index)
    if batch_index == 0 and isinstance(loss_fn, nn.CrossEntropyLoss):
        # PyTorch reports float or one-hot labels, too few or softmaxed outputs badly or
        # not at all
        check_cross_entropy_inputs(y_pred, labels, "nn.CrossEntropyLoss")


def check_loss(
    loss_value: float, optimizer: torch.optim.Optimizer, epoch: int | None, batch_index: int
) -> None:
    """Raise when the loss is NaN or inf, though the data and predictions are finite."""
    if not math.isfinite(loss_value):
        raise _diverged(f"the loss is {loss_value}", optimizer, epoch, batch_index)


def check_batches_seen(batches: int) -> None:
    """Raise when an epoch of training saw no batch at all."""
    if batches == 0:
        raise ValueError("the training loader gave no batches: is the training set empty?")


def check_examples_seen(examples: int) -> None:
    """Raise when a measurement saw no example at all."""
    if examples == 0:
        raise ValueError("the loader gave no examples: there is nothing to evaluate")


def _non_finite_values(tensor: Tensor) -> str | None:
    """'1 NaN and 2 inf values' when a floating-point tensor holds any, else None.

    Fast path: the loop asks this of every batch, and a NaN or inf anywhere makes the
    sum NaN or inf, so one sum settles the usual case, all finite (about 3 µs for a
    batch of 32 examples). Counting the NaN and inf values takes two more passes (about
    11 µs) and is left for the rare batch that needs a message.
    """
    if not torch.is_floating_point(tensor) or math.isfinite(tensor.detach().sum().item()):
        return None
    nan, infinite = int(torch.isnan(tensor).sum()), int(torch.isinf(tensor).sum())
    if nan + infinite == 0:
        return None  # only the sum overflowed: huge values, all finite
    counts = [f"{n} {kind}" for n, kind in ((nan, "NaN"), (infinite, "inf")) if n]
    return " and ".join(counts) + (" value" if nan + infinite == 1 else " values")


def _diverged(
    what: str, optimizer: torch.optim.Optimizer, epoch: int | None, batch_index: int
) -> TrainingDiverged:
    """The learning-rate diagnosis: the batch's data is finite, yet ``what`` is not."""
    lr = ", ".join(sorted({f"{float(group['lr']):g}" for group in optimizer.param_groups}))
    return TrainingDiverged(
        f"training diverged at {_where(epoch, batch_index)}: {what}, although this batch's "
        "inputs and labels are finite. The likely cause is a learning rate that is too high "
        f"(lr = {lr}). Rebuild the model and optimizer and try a learning rate 10 times smaller."
    )


def _where(epoch: int | None, batch_index: int) -> str:
    """'epoch 3, batch 7' (batches counted from 1), or 'batch 7' outside ``fit``."""
    batch = f"batch {batch_index + 1}"
    return batch if epoch is None else f"epoch {epoch}, {batch}"
