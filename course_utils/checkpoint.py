"""Checkpoints: save a model with what rebuilds it and resumes training; load it safely.

A checkpoint is a dict saved with ``torch.save`` that holds only plain values and
tensors, so that ``torch.load(..., weights_only=True)`` reads it without running any
code from the file. This module reads and writes the files; ``guards.checkpoint`` checks
what is saved and works out what is wrong with a file that does not load.
"""

import contextlib
import os
import secrets
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
from torch import nn

from course_utils import guards, models, training

FORMAT = "course_utils.checkpoint"  # what a checkpoint says it is
FORMAT_VERSION = 1  # raised when the layout changes, so that an old course_utils can tell

# the errors loading raises, so that a notebook can catch checkpoint.NotACheckpointError
CheckpointError = guards.checkpoint.CheckpointError
NotACheckpointError = guards.checkpoint.NotACheckpointError
CorruptCheckpointError = guards.checkpoint.CorruptCheckpointError
UnsafeCheckpointError = guards.checkpoint.UnsafeCheckpointError
ArchitectureMismatchError = guards.checkpoint.ArchitectureMismatchError


def save_checkpoint(
    path: str | os.PathLike,
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
    epoch: int | None = None,
    history: Any = None,
    **metadata: Any,
) -> Path:
    """Save the model, what rebuilds it, and optionally more; returns the path.

    The optimizer's state, the epoch and the history (a ``training.History`` or plain
    values) make it possible to resume training where it stopped.

    Extra keyword arguments (plain values or tensors) go to ``checkpoint["metadata"]``.
    The folder must exist: a typo in a path should not quietly create new folders.
    """
    path = Path(path)
    guards.checkpoint.check_save_target(
        path, model, is_folder=path.is_dir(), folder_exists=path.parent.is_dir()
    )
    checkpoint = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model_class": type(model).__name__,
        "model_args": dict(model.init_args),
        "model_state": model.state_dict(),
        "optimizer_class": type(optimizer).__name__ if optimizer is not None else None,
        "optimizer_state": optimizer.state_dict() if optimizer is not None else None,
        "epoch": epoch,
        "history": history.as_dict() if isinstance(history, training.History) else history,
        "metadata": {
            "torch_version": str(torch.__version__),  # str: TorchVersion is not a plain type
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **metadata,
        },
    }
    for key, value in checkpoint.items():
        guards.checkpoint.check_plain(value, key)
    _save_atomically(checkpoint, path)
    return path


def _save_atomically(checkpoint: dict[str, Any], path: Path) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path``.

    A save that fails halfway (a full disk, an interrupt) leaves the previous checkpoint
    as it was: the file at ``path`` is only ever replaced by a complete one.

    In the same folder, ``os.replace`` is an atomic rename; "x" never overwrites another
    file.
    """
    temporary = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    try:
        with open(temporary, "xb") as file:
            torch.save(checkpoint, file)
            file.flush()
            os.fsync(file.fileno())  # the bytes are on disk before the rename makes them visible
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Write the folder's entry for the renamed file to disk (where the system can).

    Without it, a crash soon after the rename could leave the folder listing the old
    file.
    """
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def load_checkpoint(
    path: str | os.PathLike,
    model: nn.Module | None = None,
    optimizer: torch.optim.Optimizer | None = None,
    map_location: Any = "cpu",
) -> dict[str, Any]:
    """Load a checkpoint into ``model`` (built from the file if None) and ``optimizer``.

    The returned dict has the saved entries ("epoch", "history", "metadata", ...) plus
    "model", and "optimizer" when one is passed. Build the optimizer on the loaded
    model's parameters before passing it in.
    """
    path = Path(path)
    checkpoint = _read_checkpoint(path, map_location)
    if model is None:
        guards.checkpoint.check_buildable(checkpoint, models.MODEL_CLASSES, path.name)
        model = models.build_model(checkpoint["model_class"], checkpoint["model_args"])
    guards.checkpoint.check_fits(model, checkpoint, path.name)
    model.load_state_dict(checkpoint["model_state"])
    checkpoint["model"] = model
    if optimizer is not None:
        guards.checkpoint.check_optimizer(optimizer, checkpoint, path.name)
        _load_optimizer_state(optimizer, checkpoint, path.name)
        checkpoint["optimizer"] = optimizer
    return checkpoint


def _read_checkpoint(path: Path, map_location: Any) -> dict[str, Any]:
    """The checkpoint dict in ``path``, read safely; a clear error for a bad file."""
    guards.checkpoint.check_map_location(map_location)
    if not path.exists():
        raise guards.checkpoint.missing_file_error(path, _files_in(path.parent))
    guards.checkpoint.check_not_a_folder(path, path.is_dir())
    try:
        content = _torch_load(path, map_location)
    except Exception as error:
        if map_location not in (None, "cpu") and _loads_on_cpu(path):
            raise guards.checkpoint.not_loadable_onto(map_location, error, path.name) from error
        diagnosis = guards.checkpoint.diagnose(error, path.name, path.read_bytes())
        # torch's own error is kept as the cause only when the diagnosis could not name
        # the fault
        raise diagnosis from (error if type(diagnosis) is CheckpointError else None)
    return guards.checkpoint.check_format(content, path.name, FORMAT, FORMAT_VERSION)


def _torch_load(path: Path, map_location: Any) -> Any:
    """torch.load with weights_only=True: values and tensors, no code from the file."""
    with warnings.catch_warnings():
        # a raw pickle of protocol 4+ makes torch warn before refusing it; the error
        # says more
        warnings.filterwarnings("ignore", message="Detected pickle protocol")
        return torch.load(path, map_location=map_location, weights_only=True)


def _loads_on_cpu(path: Path) -> bool:
    """Whether the file loads onto the CPU: if so, it is intact; map_location failed."""
    with contextlib.suppress(Exception):
        _torch_load(path, "cpu")
        return True
    return False


def _files_in(folder: Path) -> list[str] | None:
    """The visible files in ``folder`` by name, sorted; None if it does not exist."""
    if not folder.is_dir():
        return None
    return sorted(p.name for p in folder.iterdir() if p.is_file() and p.name[0] != ".")


def _load_optimizer_state(optimizer: torch.optim.Optimizer, checkpoint: dict, name: str) -> None:
    """Load the saved optimizer state into ``optimizer``, or say why it does not fit."""
    try:
        optimizer.load_state_dict(checkpoint["optimizer_state"])
    except ValueError as error:
        saved_class = checkpoint["optimizer_class"]
        raise guards.checkpoint.optimizer_mismatch(error, name, saved_class) from None


def load_model(path: str | os.PathLike, map_location: Any = "cpu") -> nn.Module:
    """Rebuild the model stored in a checkpoint, with its weights, in eval mode."""
    return load_checkpoint(path, map_location=map_location)["model"].eval()
