"""The training loop, evaluation, and the per-epoch history they record.

``train_one_epoch`` is notebook 08's loop, five steps per batch. ``evaluate`` measures a
model on a loader. ``fit`` alternates the two for some epochs, records the measurements
in a ``History`` and, with ``patience``, stops early by ``should_stop``'s rule. What
checks their arguments, and the data and numbers the loop meets, is in
``guards.training``.
"""

import copy
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset, SequentialSampler, TensorDataset

from course_utils import guards, losses
from course_utils.models import eval_mode

# Raised by the guards when a batch, the predictions or the loss hold NaN or inf; catch
# it as training.TrainingDiverged.
TrainingDiverged = guards.training.TrainingDiverged


def _best_epoch(val_loss: list[float]) -> int:
    """The epoch (counted from 1) of the lowest validation loss; the first of a tie."""
    lowest = min(val_loss)
    return val_loss.index(lowest) + 1  # index finds the first occurrence


@dataclass
class History:
    """Per-epoch metrics that ``fit`` records, on the training and the validation data.

    Each list has one value per epoch, measured after the epoch's training. The
    validation lists stay empty when ``fit`` is given no validation data.
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
        """The epoch (from 1) of the lowest validation loss, or None without one.

        Of epochs tied for the lowest loss, the first.
        """
        if not self.val_loss:
            return None
        return _best_epoch(self.val_loss)

    def __len__(self) -> int:
        return self.epochs

    def append(self, metrics: dict[str, float]) -> None:
        """Record one epoch's metrics, as ``measure_epoch`` returns them."""
        self.train_loss.append(metrics["train_loss"])
        self.train_accuracy.append(metrics["train_accuracy"])
        if "val_loss" in metrics:
            self.val_loss.append(metrics["val_loss"])
            self.val_accuracy.append(metrics["val_accuracy"])

    def as_dict(self) -> dict[str, list[float]]:
        """The metrics as a plain dict of lists (copies), e.g. for a checkpoint."""
        return asdict(self)


def train_one_epoch(
    model: nn.Module,
    loader: Iterable[tuple[Tensor, Tensor]],
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: torch.optim.Optimizer,
    *,
    epoch: int | None = None,
) -> float:
    """One pass over ``loader``, five steps per batch; returns the mean batch loss.

    Each batch is checked before it is used (the first batch's shape; NaN or inf in
    any), so that bad data is reported as bad data rather than as a model that diverged.
    ``epoch`` only helps an error say where training stopped.
    """
    model.train()  # training mode: layers like Dropout behave as in training
    batch_losses = []
    for batch_index, (batch_features, batch_labels) in enumerate(loader):
        guards.training.check_batch(model, batch_features, batch_labels, epoch, batch_index)
        # 1. forward pass: predictions for this batch, one row per example:
        #    (batch_size, 1) for the seed's classifier, (batch_size, 10) for 13's digits
        y_pred = model(batch_features)
        guards.training.check_predictions(
            y_pred, batch_labels, loss_fn, optimizer, epoch, batch_index
        )
        # 2. loss: how far the predictions are from the labels (one number)
        loss = loss_fn(y_pred, batch_labels)
        loss_value = loss.item()  # a Python float, to check and to average
        guards.training.check_loss(loss_value, optimizer, epoch, batch_index)
        # 3. zero_grad: clear the gradients left over from the previous batch
        optimizer.zero_grad()
        # 4. backward: backpropagation fills p.grad for every parameter p
        loss.backward()
        # 5. step: the optimizer updates the parameters using their gradients
        optimizer.step()
        batch_losses.append(loss_value)
    guards.training.check_batches_seen(len(batch_losses))
    return sum(batch_losses) / len(batch_losses)


_LOGIT_LOSSES = (nn.functional.binary_cross_entropy_with_logits, losses.bce_with_logits)


def _takes_logits(loss_fn: Callable[[Tensor, Tensor], Tensor], outputs: str | None) -> bool:
    """Whether a single output is a logit: as ``outputs`` says, else by ``loss_fn``."""
    if outputs is None:
        return isinstance(loss_fn, nn.BCEWithLogitsLoss) or loss_fn in _LOGIT_LOSSES
    return outputs == "logits"


def _correct_predictions(y_pred: Tensor, labels: Tensor, logits: bool) -> int:
    """How many predictions name the right class, among ``labels``.

    With several outputs the class is the argmax; a single output means class 1 above
    0.5 (a probability) or above 0 (a logit).
    """
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
    """The loss (mean over examples) and accuracy (0 to 1) of ``model`` on ``loader``.

    A single output is a logit with a BCE-with-logits loss, else a probability; for
    another loss of logits (a lambda, a partial) say so with ``outputs="logits"``. The
    model is measured in eval mode without gradients, and left in the mode it was in.
    """
    guards.training.check_outputs(outputs)
    logits = _takes_logits(loss_fn, outputs)
    total_loss, correct, examples = 0.0, 0, 0
    # iterating a DataLoader draws a seed from PyTorch's global generator: fork_rng puts
    # the generator back afterwards, so that measuring a model does not change the
    # training after it
    with eval_mode(model), torch.random.fork_rng([]):
        for batch_features, batch_labels in loader:
            y_pred = model(batch_features)
            # weighted by batch size: the last batch may be smaller than the others
            total_loss += loss_fn(y_pred, batch_labels).item() * len(batch_labels)
            correct += _correct_predictions(y_pred, batch_labels, logits)
            examples += len(batch_labels)
    guards.training.check_examples_seen(examples)
    return {"loss": total_loss / examples, "accuracy": correct / examples}


def should_stop(val_loss: list[float], patience: int) -> bool:
    """Early stopping's rule: stop once ``patience`` epochs have passed since the best.

    The best epoch has the lowest validation loss so far; an epoch improves on it only
    with a strictly lower loss, so a tie does not reset the count.
    """
    if not val_loss:
        return False
    best_epoch = _best_epoch(val_loss)
    epochs_since_best = len(val_loss) - best_epoch
    return epochs_since_best >= patience


def _whole_training_set(dataset: Dataset) -> Iterable[tuple[Tensor, Tensor]]:
    """The training set to measure after an epoch: one batch of all of it, when it can.

    A (features, labels) ``TensorDataset`` becomes a list of one batch. That is the
    seed's measure, the epoch's final weights on every training example at once, and it
    is quick: for the seed's 800 examples, one batch takes about 0.3 ms where a
    DataLoader, which fetches the examples one by one and stacks them, takes about 5 ms,
    a third as long as the epoch's 25 training batches. Any other dataset is read by a
    DataLoader in batches of 256.
    """
    if isinstance(dataset, TensorDataset) and len(dataset.tensors) == 2:
        return [tuple(dataset.tensors)]
    return DataLoader(dataset, batch_size=256)


def _in_one_pass(loader: Iterable[tuple[Tensor, Tensor]]) -> Iterable[tuple[Tensor, Tensor]]:
    """The loader's data as one batch if it reads a whole TensorDataset in order.

    The same examples, each once, so the same loss and accuracy (up to rounding),
    measured in one forward pass: for 200 examples in batches of 32, about 0.1 ms
    instead of 2.5 ms, in every epoch. A loader that shuffles or samples part of its
    dataset is left alone.
    """
    in_order = isinstance(getattr(loader, "sampler", None), SequentialSampler)
    dataset = getattr(loader, "dataset", None)
    if in_order and isinstance(dataset, TensorDataset) and len(dataset.tensors) == 2:
        return [tuple(dataset.tensors)]
    return loader


def measure_epoch(
    model: nn.Module,
    train_dataset: Dataset,
    val_loader: Iterable[tuple[Tensor, Tensor]] | None,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    outputs: str | None = None,
) -> dict[str, float]:
    """The model's loss and accuracy after an epoch, on training and validation data.

    Returns ``train_loss`` and ``train_accuracy`` on the whole training set, and, when
    ``val_loader`` is given, ``val_loss`` and ``val_accuracy`` on it.
    """
    train = evaluate(model, _whole_training_set(train_dataset), loss_fn, outputs)
    metrics = {"train_loss": train["loss"], "train_accuracy": train["accuracy"]}
    if val_loader is not None:
        val = evaluate(model, _in_one_pass(val_loader), loss_fn, outputs)
        metrics |= {"val_loss": val["loss"], "val_accuracy": val["accuracy"]}
    return metrics


def _epoch_line(metrics: dict[str, float]) -> str:
    """'Loss: 0.1657' as the seed prints it, then the validation metrics if measured."""
    line = f"Loss: {metrics['train_loss']:.4f}"
    if "val_loss" in metrics:
        line += f" | Val loss: {metrics['val_loss']:.4f}"
        line += f" | Val accuracy: {100 * metrics['val_accuracy']:.2f}%"
    return line


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

    ``patience=k`` stops after k epochs without a lower validation loss and restores the
    weights of ``history.best_epoch``. There is no test set here on purpose: choosing or
    stopping on it would make its score optimistic; measure it once, at the end, with
    ``evaluate``. ``outputs`` goes to ``evaluate``; ``callback(epoch, history)`` is
    called after each epoch.
    """
    guards.training.check_fit_arguments(
        model,
        train_loader,
        optimizer,
        epochs=epochs,
        val_loader=val_loader,
        patience=patience,
        outputs=outputs,
        test_loader=test_loader,
    )
    history = History()
    best_weights = None
    was_training = model.training
    bar = _progress_bar(epochs) if progress else None
    try:
        for epoch in range(1, epochs + 1):
            # train_one_epoch's mean batch loss is not kept: it averages the losses of
            # weights that changed from batch to batch. Like the seed, the History keeps
            # the loss of the epoch's final weights on the whole training set.
            _ = train_one_epoch(model, train_loader, loss_fn, optimizer, epoch=epoch)
            metrics = measure_epoch(model, train_loader.dataset, val_loader, loss_fn, outputs)
            history.append(metrics)
            _report_epoch(epoch, epochs, metrics, bar, verbose)
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


def _report_epoch(
    epoch: int, epochs: int, metrics: dict[str, float], bar: Any, verbose: bool
) -> None:
    """Move the progress bar on, showing the loss; print the epoch's line if verbose."""
    if bar is not None:
        bar.set_postfix(loss=f"{metrics['train_loss']:.4f}", refresh=False)
        bar.update(1)
    if verbose:
        print(f"Epoch {epoch}/{epochs} | {_epoch_line(metrics)}")


def _progress_bar(epochs: int) -> Any:
    """A tqdm bar of ``epochs`` steps (in a notebook, a widget)."""
    # imported here: in a notebook tqdm.auto loads ipywidgets, needed only for a bar
    from tqdm.auto import tqdm

    return tqdm(total=epochs, desc="training", unit="epoch")


def _stop_early(history: History, epoch: int, patience: int, verbose: bool, bar: Any) -> None:
    """Say why training stops early (if verbose), and end the progress bar full.

    A bar that ends short of its total is drawn red, as if training had failed; reset to
    the epochs run, it ends full.
    """
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
