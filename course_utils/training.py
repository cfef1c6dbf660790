"""The training loop, evaluation, and the per-epoch history they record.

``fit`` runs the seed lesson's loop: it iterates the shuffled training DataLoader once per epoch
and draws nothing else from PyTorch's global random number generator, so from the same start it
gives exactly the seed's numbers (``Epoch 1/5 | Loss: 0.1657`` ...). Evaluation never consumes
that generator either: creating a DataLoader iterator draws one random number, so ``evaluate``
puts the generator's state back afterwards.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field, fields
from typing import Any, Literal, get_args

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, SequentialSampler, TensorDataset

from course_utils.losses import check_cross_entropy_inputs
from course_utils.models import check_input_shape, eval_mode

__all__ = ["History", "TrainingDiverged", "train_one_epoch", "evaluate", "fit", "should_stop"]


class TrainingDiverged(RuntimeError):
    """Raised when training cannot go on; the message says where and why.

    Either a batch holds NaN or inf (bad data: the message names inputs or labels), or the data
    is finite but the predictions or the loss become NaN or inf (likely the learning rate).
    """


@dataclass
class History:
    """Per-epoch metrics recorded by ``fit``: one entry per epoch in each list.

    ``train_loss`` is the loss on the whole training set in eval mode after each epoch (what the
    seed lesson prints); ``train_accuracy`` is the training set's accuracy (fraction 0..1);
    ``val_loss`` and ``val_accuracy`` are the validation set's, and stay empty when ``fit`` got
    no validation data.
    """

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
        """The epoch (counted from 1) with the lowest validation loss; None without validation data.

        The first one on a tie. ``fit(..., patience=k)`` restores this epoch's weights.
        """
        if not self.val_loss:
            return None
        return min(range(len(self.val_loss)), key=self.val_loss.__getitem__) + 1

    def __len__(self) -> int:
        return self.epochs

    def as_dict(self) -> dict[str, list[float]]:
        """The metrics as a plain dict of lists (copies), e.g. to store in a checkpoint."""
        return {f.name: list(getattr(self, f.name)) for f in fields(self)}


def _first_layer_features(model: nn.Module) -> int | None:
    """in_features of the model's first layer with parameters, when that layer is an nn.Linear."""
    for module in model.modules():
        if next(module.parameters(recurse=False), None) is not None:
            return module.in_features if isinstance(module, nn.Linear) else None
    return None


def _check_first_batch(model: nn.Module, batch_features: Tensor) -> None:
    """Raise the course models' shape error before the forward pass, for any Linear-first model."""
    expected = _first_layer_features(model)
    # only 2-D input can be checked: a model may flatten images etc. before its first Linear
    if expected is not None and batch_features.dim() <= 2:
        check_input_shape(batch_features, expected, type(model).__name__)


def _where(epoch: int | None, batch_index: int) -> str:
    batch = batch_index + 1  # counted from 1, like the epochs
    return f"epoch {epoch}, batch {batch}" if epoch is not None else f"batch {batch}"


def _non_finite_values(tensor: Tensor) -> str | None:
    """'1 NaN and 2 inf values' when a floating-point tensor holds any, else None."""
    if not isinstance(tensor, Tensor) or not torch.is_floating_point(tensor):
        return None
    # the usual case, in one quick sum: a NaN or inf anywhere makes the sum NaN or inf
    if math.isfinite(tensor.detach().sum().item()):
        return None
    nan, infinite = int(torch.isnan(tensor).sum()), int(torch.isinf(tensor).sum())
    if nan + infinite == 0:
        return None  # only the sum overflowed: every value is finite
    counts = " and ".join(f"{n} {kind}" for n, kind in ((nan, "NaN"), (infinite, "inf")) if n)
    return counts + (" value" if nan + infinite == 1 else " values")


def _finite_rows(name: str, tensor: Tensor) -> str:
    """The code that marks the rows of ``name`` holding only finite numbers."""
    return f"torch.isfinite({name})" + (".all(dim=1)" if tensor.dim() == 2 else "")


def _check_batch_is_finite(
    batch_features: Tensor, batch_labels: Tensor, epoch: int | None, batch_index: int
) -> None:
    """Raise TrainingDiverged, naming the inputs or labels, if the batch holds NaN or inf."""
    found = [
        (name, what, tensor, described)
        for name, what, tensor in (("X", "inputs", batch_features), ("y", "labels", batch_labels))
        if (described := _non_finite_values(tensor)) is not None
    ]
    if not found:
        return
    holds = "; its ".join(f"{what} hold {described}" for _, what, _, described in found)
    keep = " & ".join(_finite_rows(name, tensor) for name, _, tensor, _ in found)
    raise TrainingDiverged(
        f"training stopped at {_where(epoch, batch_index)}, before using it: this batch's {holds}. "
        f"The data is bad, not the model or the learning rate. Remove or fix those rows before "
        f"training, e.g. keep = {keep}; X, y = X[keep], y[keep] (isfinite finds NaN and inf)."
    )


def _learning_rates(optimizer: torch.optim.Optimizer) -> str:
    rates = sorted({group.get("lr") for group in optimizer.param_groups}, key=str)
    return ", ".join(f"{float(lr):g}" for lr in rates if lr is not None) or "unknown"


def _diverged(
    what: str, optimizer: torch.optim.Optimizer, epoch: int | None, batch_index: int
) -> TrainingDiverged:
    """The learning-rate diagnosis: the batch's data is finite, yet ``what`` is not."""
    return TrainingDiverged(
        f"training diverged at {_where(epoch, batch_index)}: {what}, although this batch's inputs "
        f"and labels are finite. The likely cause is a learning rate that is too high "
        f"(lr = {_learning_rates(optimizer)}): each step overshoots and the weights blow up. "
        "Rebuild the model and optimizer and try a learning rate 10 times smaller."
    )


def _check_batch(
    model: nn.Module, batch_features: Tensor, batch_labels: Tensor, epoch: int | None, index: int
) -> None:
    """Raise before the forward pass: on the first batch's shape, or NaN or inf in any batch."""
    if index == 0:
        _check_first_batch(model, batch_features)
    _check_batch_is_finite(batch_features, batch_labels, epoch, index)


def _check_predictions(y_pred, batch_labels, loss_fn, optimizer, epoch, batch_index) -> None:
    """Raise before the loss: on NaN or inf predictions, or the first batch's cross-entropy misuse."""
    # checked before the loss, which may refuse NaN probabilities with an error of its own
    if bad_predictions := _non_finite_values(y_pred):
        what = f"the model's predictions contain {bad_predictions}"
        raise _diverged(what, optimizer, epoch, batch_index)
    if batch_index == 0 and isinstance(loss_fn, nn.CrossEntropyLoss):
        # PyTorch reports float or one-hot labels, too few outputs or softmaxed outputs
        # cryptically or not at all: the course's check says what to do instead
        check_cross_entropy_inputs(y_pred, batch_labels, "nn.CrossEntropyLoss")


def train_one_epoch(
    model: nn.Module,
    loader: Iterable[tuple[Tensor, Tensor]],
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: torch.optim.Optimizer,
    *,
    epoch: int | None = None,
) -> float:
    """One pass over ``loader`` with the five steps of training; returns the mean batch loss.

    Raises TrainingDiverged before a batch holding NaN or inf (bad data), or when the
    predictions or the loss become NaN or inf (the learning rate); ``epoch`` (optional) only
    names the epoch in that error.
    """
    model.train()  # training mode: layers like Dropout behave as in training
    batch_losses = []
    for batch_index, (batch_features, batch_labels) in enumerate(loader):
        _check_batch(model, batch_features, batch_labels, epoch, batch_index)  # shape, NaN, inf
        # 1. forward pass: predictions for this batch, shape (batch_size, 1)
        y_pred = model(batch_features)
        _check_predictions(y_pred, batch_labels, loss_fn, optimizer, epoch, batch_index)
        # 2. loss: how far the predictions are from the labels (one number)
        loss = loss_fn(y_pred, batch_labels)
        if not math.isfinite(loss.item()):
            raise _diverged(f"the loss is {loss.item()}", optimizer, epoch, batch_index)
        # 3. zero_grad: clear the gradients left over from the previous batch
        optimizer.zero_grad()
        # 4. backward: backpropagation fills p.grad for every parameter p
        loss.backward()
        # 5. step: the optimizer updates the parameters using their gradients
        optimizer.step()
        batch_losses.append(loss.item())
    if not batch_losses:
        raise ValueError("the training loader gave no batches: is the training set empty?")
    return sum(batch_losses) / len(batch_losses)


Outputs = Literal["probabilities", "logits"]


def _binary_outputs(loss_fn: Callable[[Tensor, Tensor], Tensor], outputs: Outputs | None) -> str:
    """What a single-output model's outputs are: as given, else logits for BCEWithLogitsLoss."""
    if outputs is None:
        return "logits" if isinstance(loss_fn, nn.BCEWithLogitsLoss) else "probabilities"
    if outputs not in get_args(Outputs):
        raise ValueError(
            f"outputs must be 'probabilities' (after a sigmoid, as with nn.BCELoss) or 'logits' "
            f"(raw scores, as with nn.BCEWithLogitsLoss), got {outputs!r}"
        )
    return outputs


def _correct_predictions(y_pred: Tensor, labels: Tensor, outputs: str) -> int:
    """How many predictions name the right class.

    Several output columns: the class is the argmax (the same for logits and probabilities).
    One column: class 1 when the probability is above 0.5, i.e. when the logit is above 0
    (``round`` as in the seed lesson: 0.5 itself is class 0).
    """
    if y_pred.dim() == 2 and y_pred.shape[1] > 1:
        predicted_labels = y_pred.argmax(dim=1).reshape(labels.shape)
    elif outputs == "logits":
        predicted_labels = (y_pred > 0).to(labels.dtype).reshape(labels.shape)
    else:
        predicted_labels = y_pred.round().reshape(labels.shape)
    return int((predicted_labels == labels).sum().item())


def evaluate(
    model: nn.Module,
    loader: Iterable[tuple[Tensor, Tensor]],
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    outputs: Outputs | None = None,
) -> dict[str, float]:
    """Loss (mean over examples) and accuracy (fraction 0..1) of ``model`` on ``loader``.

    Runs in eval mode without gradients and restores the model's previous mode. Accuracy: a
    multi-class model's class is the argmax of its outputs; a single-output model predicts class
    1 when its probability is above 0.5 (the seed's rounding), or its logit above 0.
    ``outputs`` says which a single output is, "probabilities" or "logits"; by default it is
    "logits" when ``loss_fn`` is an ``nn.BCEWithLogitsLoss`` and "probabilities" otherwise.
    PyTorch's global random generator is left as it was (a DataLoader draws from it when iterated).
    """
    outputs = _binary_outputs(loss_fn, outputs)
    total_loss, correct, examples = 0.0, 0, 0
    # a DataLoader draws from PyTorch's global generator when iterated: fork it; a list does not
    keep_generator = nullcontext() if isinstance(loader, list) else torch.random.fork_rng([])
    with eval_mode(model), keep_generator:
        for batch_features, batch_labels in loader:
            y_pred = model(batch_features)
            size = len(batch_labels)
            # weight by batch size: the last batch may be smaller than the others
            total_loss += loss_fn(y_pred, batch_labels).item() * size
            correct += _correct_predictions(y_pred, batch_labels, outputs)
            examples += size
    if examples == 0:
        raise ValueError("the loader gave no examples: there is nothing to evaluate")
    return {"loss": total_loss / examples, "accuracy": correct / examples}


def _as_one_batch(dataset: object) -> list[tuple[Tensor, Tensor]] | None:
    """A (features, labels) TensorDataset as a list of one batch: all of it; else None.

    One forward pass over all of X is how the seed computes its epoch loss, and on the course's
    small data sets it is much faster than fetching examples one by one.
    """
    if isinstance(dataset, TensorDataset) and len(dataset.tensors) == 2:
        return [tuple(dataset.tensors)]
    return None


def _check_optimizer_matches(model: nn.Module, optimizer: torch.optim.Optimizer) -> None:
    """Raise a ValueError unless the optimizer holds exactly the model's trainable parameters."""
    optimizer_ids = {id(p) for group in optimizer.param_groups for p in group["params"]}
    model_ids = {id(p) for p in model.parameters()}
    trainable_ids = {id(p) for p in model.parameters() if p.requires_grad}
    optimizer_name = type(optimizer).__name__
    fix = (
        f"build the optimizer from this model, after creating the model: "
        f"optimizer = torch.optim.{optimizer_name}(model.parameters(), lr=...)"
    )
    if not optimizer_ids & model_ids:
        raise ValueError(
            f"the optimizer was built for another model's parameters: none of the "
            f"{len(optimizer_ids)} tensors it updates belong to this {type(model).__name__}, so "
            f"training would never change this model. To fix it, {fix}"
        )
    foreign = optimizer_ids - model_ids
    if foreign:
        raise ValueError(
            f"the optimizer holds {len(foreign)} parameter tensor(s) that are not this model's "
            f"(parameters of another model?). To fix it, {fix}"
        )
    missing = trainable_ids - optimizer_ids
    if missing:
        raise ValueError(
            f"the optimizer updates only {len(trainable_ids) - len(missing)} of this model's "
            f"{len(trainable_ids)} trainable parameter tensors, so the others would never learn. "
            f"Was the model rebuilt after the optimizer was created? To fix it, {fix}"
        )


def should_stop(val_loss: list[float], patience: int) -> bool:
    """Early stopping's rule: True when the last ``patience`` epochs brought no new lowest loss.

    ``val_loss`` holds one validation loss per epoch so far. Only a loss strictly lower than
    every earlier one counts as an improvement.
    """
    if not val_loss:
        return False
    best_index = min(range(len(val_loss)), key=val_loss.__getitem__)
    return len(val_loss) - 1 - best_index >= patience


def _check_fit_arguments(
    model, train_loader, loss_fn, optimizer, epochs, val_loader, patience, outputs, test_loader
) -> None:
    """Raise a clear error for arguments ``fit`` cannot use, before any training."""
    if test_loader is not None:
        raise TypeError(
            "fit no longer takes test_loader: watch validation data during training with "
            "val_loader=..., and measure the test set once, at the end, with "
            "training.evaluate(model, test_loader, loss_fn)"
        )
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive whole number, got {epochs!r}")
    if patience is not None:
        if not isinstance(patience, int) or patience < 1:
            raise ValueError(f"patience must be a positive whole number or None, got {patience!r}")
        if val_loader is None:
            raise ValueError(
                "patience needs validation data: early stopping watches the validation loss, so "
                "pass val_loader=... (never the test set), or leave patience=None"
            )
    if getattr(train_loader, "dataset", None) is None:
        raise TypeError(
            "train_loader must be a DataLoader (it needs .dataset to measure the training loss); "
            "make one with data.make_loaders(...) or DataLoader(TensorDataset(X, y), ...)"
        )
    _binary_outputs(loss_fn, outputs)  # a bad `outputs` fails now, not after the first epoch
    _check_optimizer_matches(model, optimizer)


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
    outputs: Outputs | None = None,
    *,
    test_loader: None = None,
) -> History:
    """Train ``model`` for ``epochs`` epochs; returns a History of per-epoch metrics.

    After each epoch: ``train_loss`` is the loss on the whole training set in eval mode (the
    number the seed lesson prints), then validation loss and accuracy when ``val_loader`` is
    given. ``patience=k`` stops after k epochs in a row without a lower validation loss and,
    stopped or not, ends with the weights of ``history.best_epoch`` (not the optimizer's state).
    ``verbose`` prints ``Epoch 1/5 | Loss: 0.1657`` each epoch; ``progress`` shows a tqdm bar;
    ``callback(epoch, history)`` runs after each epoch (from 1), e.g. to redraw a live plot.
    ``outputs`` ("probabilities" or "logits") goes to ``evaluate`` for the accuracy. The model is
    left in the train/eval mode it was given in.

    There is no test set here on purpose: choosing or stopping on the test set would make its
    score optimistic. Measure it once, at the end, with ``evaluate(model, test_loader, loss_fn)``.
    """
    _check_fit_arguments(
        model, train_loader, loss_fn, optimizer, epochs, val_loader, patience, outputs, test_loader
    )
    history = History()
    best_weights = None
    was_training = model.training
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
                best_weights = copy.deepcopy(model.state_dict())  # remember these weights
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
    """A tqdm progress bar for ``epochs`` epochs, moved on by ``update(1)`` after each epoch."""
    # imported here: in a notebook tqdm.auto loads ipywidgets, needed only when a bar is asked for
    from tqdm.auto import tqdm

    return tqdm(total=epochs, desc="training", unit="epoch")


def _end_bar_early(bar: Any, epoch: int) -> None:
    """Make ``epoch`` the bar's total, so it ends full, not red (tqdm's sign of a failed run)."""
    started = bar.start_t
    bar.reset(total=epoch)
    bar.start_t = started  # reset restarts the clock: keep the elapsed time and the rate right
    bar.update(epoch)


def _stop_early(history: History, epoch: int, patience: int, verbose: bool, bar: Any) -> None:
    """Say why training stops here (when ``verbose``) and end the progress bar (if any) full."""
    if verbose:
        best = history.best_epoch
        print(
            f"Early stop after epoch {epoch}: no lower validation loss for {patience} epochs; "
            f"restored epoch {best} (val loss {history.val_loss[best - 1]:.4f})"
        )
    if bar is not None:
        _end_bar_early(bar, epoch)


def _in_one_pass(loader: Iterable[tuple[Tensor, Tensor]]) -> Iterable[tuple[Tensor, Tensor]]:
    """The loader's data as one batch if it reads a whole TensorDataset in order, else the loader."""
    in_order = isinstance(getattr(loader, "sampler", None), SequentialSampler)
    return (in_order and _as_one_batch(loader.dataset)) or loader


def _record_epoch(model, train_dataset, val_loader, loss_fn, history, outputs=None) -> str:
    """Measure the model after an epoch, append to ``history``; returns the metrics as text."""
    train_batches = _as_one_batch(train_dataset) or DataLoader(train_dataset, batch_size=256)
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
