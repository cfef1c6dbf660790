"""The training loop, evaluation, and the per-epoch history they record."""

import copy
import math
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, SequentialSampler, TensorDataset

from course_utils import losses
from course_utils.models import check_input_shape, eval_mode


class TrainingDiverged(RuntimeError):
    """Training cannot go on: NaN or inf in a batch (bad data), or in the predictions or the loss."""


@dataclass
class History:
    """Per-epoch metrics recorded by ``fit`` on the whole training set and the validation data."""

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """The number of epochs recorded."""
        return len(self.train_loss)

    @property
    def best_epoch(self) -> int | None:
        """The epoch (from 1) of the lowest validation loss, the first on a tie; None without one."""
        return self.val_loss.index(min(self.val_loss)) + 1 if self.val_loss else None

    def __len__(self) -> int:
        return self.epochs

    def as_dict(self) -> dict[str, list[float]]:
        """The metrics as a plain dict of lists (copies), e.g. to store in a checkpoint."""
        return asdict(self)


def _where(epoch: int | None, batch_index: int) -> str:
    batch = f"batch {batch_index + 1}"
    return batch if epoch is None else f"epoch {epoch}, {batch}"


def _non_finite_values(tensor: Tensor) -> str | None:
    """'1 NaN and 2 inf values' when a floating-point tensor holds any, else None."""
    # the usual case in one quick sum: a NaN or inf anywhere makes the sum NaN or inf
    if not torch.is_floating_point(tensor) or math.isfinite(tensor.detach().sum().item()):
        return None
    nan, infinite = int(torch.isnan(tensor).sum()), int(torch.isinf(tensor).sum())
    if nan + infinite == 0:
        return None  # only the sum overflowed
    counts = " and ".join(f"{n} {kind}" for n, kind in ((nan, "NaN"), (infinite, "inf")) if n)
    return counts + (" value" if nan + infinite == 1 else " values")


def _check_batch(model: nn.Module, features: Tensor, labels: Tensor, epoch, index: int) -> None:
    """Raise before the forward pass: on the first batch's shape, or NaN or inf in any batch."""
    if index == 0 and features.dim() <= 2:  # a model may flatten images before its first Linear
        layers = (m for m in model.modules() if next(m.parameters(recurse=False), None) is not None)
        first_layer = next(layers, None)
        if isinstance(first_layer, nn.Linear):
            check_input_shape(features, first_layer.in_features, type(model).__name__)
    bad = [
        (name, what, tensor, counts)
        for name, what, tensor in (("X", "inputs", features), ("y", "labels", labels))
        if (counts := _non_finite_values(tensor))
    ]
    if not bad:
        return
    holds = "; its ".join(f"{what} hold {counts}" for _, what, _, counts in bad)
    keep = " & ".join(
        f"torch.isfinite({name})" + (".all(dim=1)" if tensor.dim() == 2 else "")
        for name, _, tensor, _ in bad
    )
    raise TrainingDiverged(
        f"training stopped at {_where(epoch, index)}, before using it: this batch's {holds}. "
        "The data is bad, not the model or the learning rate. Remove or fix those rows before "
        f"training, e.g. keep = {keep}; X, y = X[keep], y[keep] (isfinite finds NaN and inf)."
    )


def _diverged(what: str, optimizer: torch.optim.Optimizer, epoch, index: int) -> TrainingDiverged:
    """The learning-rate diagnosis: the batch's data is finite, yet ``what`` is not."""
    lr = ", ".join(sorted({f"{float(group['lr']):g}" for group in optimizer.param_groups}))
    return TrainingDiverged(
        f"training diverged at {_where(epoch, index)}: {what}, although this batch's inputs "
        "and labels are finite. The likely cause is a learning rate that is too high "
        f"(lr = {lr}). Rebuild the model and optimizer and try a learning rate 10 times smaller."
    )


def _check_predictions(y_pred, batch_labels, loss_fn, optimizer, epoch, index: int) -> None:
    """Raise before the loss: on NaN or inf predictions, or the first batch's cross-entropy misuse."""
    # before the loss, which may refuse NaN probabilities with an error of its own
    if bad_predictions := _non_finite_values(y_pred):
        what = f"the model's predictions contain {bad_predictions}"
        raise _diverged(what, optimizer, epoch, index)
    if index == 0 and isinstance(loss_fn, nn.CrossEntropyLoss):
        # PyTorch reports float or one-hot labels, too few or softmaxed outputs badly or not at all
        losses.check_cross_entropy_inputs(y_pred, batch_labels, "nn.CrossEntropyLoss")


def train_one_epoch(
    model: nn.Module,
    loader: Iterable[tuple[Tensor, Tensor]],
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: torch.optim.Optimizer,
    *,
    epoch: int | None = None,
) -> float:
    """One pass over ``loader`` with the five steps of training; returns the mean batch loss."""
    model.train()  # training mode: layers like Dropout behave as in training
    batch_losses = []
    for batch_index, (batch_features, batch_labels) in enumerate(loader):
        _check_batch(model, batch_features, batch_labels, epoch, batch_index)  # shape, NaN, inf
        # 1. forward pass: predictions for this batch, shape (batch_size, 1)
        y_pred = model(batch_features)
        _check_predictions(y_pred, batch_labels, loss_fn, optimizer, epoch, batch_index)
        # 2. loss: how far the predictions are from the labels (one number)
        loss = loss_fn(y_pred, batch_labels)
        loss_value = loss.item()  # a Python float, to check and to average
        if not math.isfinite(loss_value):
            raise _diverged(f"the loss is {loss_value}", optimizer, epoch, batch_index)
        # 3. zero_grad: clear the gradients left over from the previous batch
        optimizer.zero_grad()
        # 4. backward: backpropagation fills p.grad for every parameter p
        loss.backward()
        # 5. step: the optimizer updates the parameters using their gradients
        optimizer.step()
        batch_losses.append(loss_value)
    if not batch_losses:
        raise ValueError("the training loader gave no batches: is the training set empty?")
    return sum(batch_losses) / len(batch_losses)


_LOGIT_LOSSES = (nn.functional.binary_cross_entropy_with_logits, losses.bce_with_logits)


def _takes_logits(loss_fn: Callable[[Tensor, Tensor], Tensor], outputs: str | None) -> bool:
    """Whether a single output is a logit: as ``outputs`` says, else judged from ``loss_fn``."""
    if outputs is None:
        return isinstance(loss_fn, nn.BCEWithLogitsLoss) or loss_fn in _LOGIT_LOSSES
    if outputs not in ("probabilities", "logits"):
        raise ValueError(
            f"outputs must be 'probabilities' (after a sigmoid, as with nn.BCELoss) or 'logits' "
            f"(raw scores, as with nn.BCEWithLogitsLoss), got {outputs!r}"
        )
    return outputs == "logits"


def _correct_predictions(y_pred: Tensor, labels: Tensor, logits: bool) -> int:
    """How many predictions name the right class: the argmax, or one output above 0.5 or logit 0."""
    if y_pred.dim() == 2 and y_pred.shape[1] > 1:
        predicted_labels = y_pred.argmax(dim=1)
    elif logits:
        predicted_labels = (y_pred > 0).to(labels.dtype)
    else:
        predicted_labels = y_pred.round()  # as in the seed: 0.5 itself is class 0
    return int((predicted_labels.reshape(labels.shape) == labels).sum())


def evaluate(
    model: nn.Module,
    loader: Iterable[tuple[Tensor, Tensor]],
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    outputs: str | None = None,
) -> dict[str, float]:
    """Loss (mean over examples) and accuracy (fraction 0..1) of ``model`` on ``loader``.

    A single output is a logit with a BCE-with-logits loss, else a probability; for another loss
    of logits (a lambda, a partial) say so with ``outputs="logits"``.
    """
    logits = _takes_logits(loss_fn, outputs)
    total_loss, correct, examples = 0.0, 0, 0
    # iterating a DataLoader draws from PyTorch's global generator: leave it as it was (a list
    # of batches draws nothing, and forking costs time in every epoch of fit)
    keep_generator = nullcontext() if isinstance(loader, list) else torch.random.fork_rng([])
    with eval_mode(model), keep_generator:
        for batch_features, batch_labels in loader:
            y_pred = model(batch_features)
            # weighted by batch size: the last batch may be smaller than the others
            total_loss += loss_fn(y_pred, batch_labels).item() * len(batch_labels)
            correct += _correct_predictions(y_pred, batch_labels, logits)
            examples += len(batch_labels)
    if examples == 0:
        raise ValueError("the loader gave no examples: there is nothing to evaluate")
    return {"loss": total_loss / examples, "accuracy": correct / examples}


def should_stop(val_loss: list[float], patience: int) -> bool:
    """Early stopping's rule: True when the last ``patience`` epochs brought no strictly lower loss."""
    return bool(val_loss) and len(val_loss) - 1 - val_loss.index(min(val_loss)) >= patience


def _check_fit_arguments(
    model, train_loader, loss_fn, optimizer, epochs, val_loader, patience, outputs, test_loader
) -> None:
    """Raise a clear error for arguments ``fit`` cannot use, e.g. an optimizer of another model."""
    if test_loader is not None:
        raise TypeError(
            "fit takes no test_loader: watch validation data with val_loader=..., and measure the "
            "test set once, at the end, with training.evaluate(model, test_loader, loss_fn)"
        )
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive whole number, got {epochs!r}")
    if patience is not None and (not isinstance(patience, int) or patience < 1):
        raise ValueError(f"patience must be a positive whole number or None, got {patience!r}")
    _takes_logits(loss_fn, outputs)  # a bad `outputs` fails now, not after the first epoch
    if patience is not None and val_loader is None:
        raise ValueError(
            "patience needs validation data: early stopping watches the validation loss, so "
            "pass val_loader=... (never the test set), or leave patience=None"
        )
    if getattr(train_loader, "dataset", None) is None:
        raise TypeError(
            "train_loader must be a DataLoader (it needs .dataset to measure the training loss); "
            "make one with data.make_loaders(...) or DataLoader(TensorDataset(X, y), ...)"
        )
    optimizer_ids = {id(p) for group in optimizer.param_groups for p in group["params"]}
    model_ids = {id(p) for p in model.parameters()}
    trainable_ids = {id(p) for p in model.parameters() if p.requires_grad}
    if not optimizer_ids & model_ids:
        problem = (
            "the optimizer was built for another model's parameters: none of the "
            f"{len(optimizer_ids)} tensors it updates belong to this {type(model).__name__}, so "
            "training would never change this model"
        )
    elif foreign := optimizer_ids - model_ids:
        problem = f"{len(foreign)} of the optimizer's tensors are not this model's parameters"
    elif missing := trainable_ids - optimizer_ids:
        problem = (
            f"the optimizer updates only {len(trainable_ids) - len(missing)} of this model's "
            f"{len(trainable_ids)} trainable parameter tensors, so the others would never learn"
        )
    else:
        return
    raise ValueError(
        f"{problem}. To fix it, build the optimizer from this model, after creating the model: "
        f"optimizer = torch.optim.{type(optimizer).__name__}(model.parameters(), lr=...)"
    )


def fit(
    model: nn.Module,
    train_loader: DataLoader,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: torch.optim.Optimizer,
    epochs: int,
    val_loader: Iterable[tuple[Tensor, Tensor]] | None = None,
    patience: int | None = None,
    progress: bool = False,
    callback: Callable[[int, History], None] | None = None,
    verbose: bool = False,
    outputs: str | None = None,
    *,
    test_loader: None = None,
) -> History:
    """Train ``model`` for ``epochs`` epochs; returns a History of per-epoch metrics.

    ``patience=k`` stops after k epochs without a lower validation loss and restores the weights
    of ``history.best_epoch``. There is no test set here on purpose: choosing or stopping on it
    would make its score optimistic; measure it once, at the end, with ``evaluate``. ``outputs``
    goes to ``evaluate``.
    """
    _check_fit_arguments(
        model, train_loader, loss_fn, optimizer, epochs, val_loader, patience, outputs, test_loader
    )
    history, best_weights, was_training = History(), None, model.training
    bar = _progress_bar(epochs) if progress else None
    try:
        for epoch in range(1, epochs + 1):
            train_one_epoch(model, train_loader, loss_fn, optimizer, epoch=epoch)
            line = _record_epoch(model, train_loader.dataset, val_loader, loss_fn, history, outputs)
            if bar is not None:
                bar.set_postfix(loss=f"{history.train_loss[-1]:.4f}", refresh=False)
                bar.update(1)
            if verbose:
                print(f"Epoch {epoch}/{epochs} | {line}")
            if callback is not None:
                callback(epoch, history)
            if patience is not None and history.best_epoch == epoch:  # a new lowest val loss
                best_weights = copy.deepcopy(model.state_dict())
            elif patience is not None and should_stop(history.val_loss, patience):
                _stop_early(history, epoch, patience, verbose, bar)
                break
        if best_weights is not None:
            model.load_state_dict(best_weights)
    finally:
        if bar is not None:
            bar.close()
        model.train(was_training)  # leave the model in the mode it was given in
    return history


def _progress_bar(epochs: int) -> Any:
    # imported here: in a notebook tqdm.auto loads ipywidgets, needed only when a bar is asked for
    from tqdm.auto import tqdm

    return tqdm(total=epochs, desc="training", unit="epoch")


def _stop_early(history: History, epoch: int, patience: int, verbose: bool, bar: Any) -> None:
    """Say why training stops here (when ``verbose``); end the bar full, not red as on a failure."""
    if verbose:
        best = history.best_epoch
        print(
            f"Early stop after epoch {epoch}: no lower validation loss for {patience} epochs; "
            f"restored epoch {best} (val loss {history.val_loss[best - 1]:.4f})"
        )
    if bar is not None:
        started = bar.start_t
        bar.reset(total=epoch)
        bar.start_t = started  # reset restarts the clock: keep the elapsed time and the rate right
        bar.update(epoch)


def _one_batch(dataset: object) -> list[tuple[Tensor, Tensor]] | None:
    """A (features, labels) TensorDataset as a list of one batch, all of it; else None."""
    if isinstance(dataset, TensorDataset) and len(dataset.tensors) == 2:
        return [tuple(dataset.tensors)]
    return None


def _in_one_pass(loader: Iterable[tuple[Tensor, Tensor]]) -> Iterable[tuple[Tensor, Tensor]]:
    """The loader's data as one batch if it reads a whole TensorDataset in order, else the loader."""
    in_order = isinstance(getattr(loader, "sampler", None), SequentialSampler)
    return (in_order and _one_batch(loader.dataset)) or loader


def _record_epoch(model, train_dataset, val_loader, loss_fn, history: History, outputs) -> str:
    """Measure the model after an epoch, append to ``history``; returns the metrics as text."""
    train_batches = _one_batch(train_dataset) or DataLoader(train_dataset, batch_size=256)
    train = evaluate(model, train_batches, loss_fn, outputs)
    history.train_loss.append(train["loss"])
    history.train_accuracy.append(train["accuracy"])
    line = f"Loss: {train['loss']:.4f}"  # the seed's format
    if val_loader is not None:
        val = evaluate(model, _in_one_pass(val_loader), loss_fn, outputs)
        history.val_loss.append(val["loss"])
        history.val_accuracy.append(val["accuracy"])
        line += f" | Val loss: {val['loss']:.4f} | Val accuracy: {100 * val['accuracy']:.2f}%"
    return line
