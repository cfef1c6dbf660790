"""Checkpoints: save a model with what rebuilds it and resumes its training; load one safely."""

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
from torch import nn

from course_utils import checkpoint_checks, training

# the errors loading raises, so that a notebook can catch checkpoint.NotACheckpointError
CheckpointError = checkpoint_checks.CheckpointError
NotACheckpointError = checkpoint_checks.NotACheckpointError
CorruptCheckpointError = checkpoint_checks.CorruptCheckpointError
UnsafeCheckpointError = checkpoint_checks.UnsafeCheckpointError
ArchitectureMismatchError = checkpoint_checks.ArchitectureMismatchError


def save_checkpoint(
    path: str | os.PathLike,
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
    epoch: int | None = None,
    history: Any = None,
    **metadata: Any,
) -> Path:
    """Save the model, what rebuilds it and optionally optimizer, epoch, history; returns the path.

    Extra keyword arguments (plain values or tensors) go to ``checkpoint["metadata"]``. The folder
    must exist: a typo in a path should not quietly create new folders.
    """
    path = Path(path)
    checkpoint_checks.check_save_target(path, model)
    checkpoint = {
        "format": checkpoint_checks.FORMAT,
        "format_version": checkpoint_checks.FORMAT_VERSION,
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
        checkpoint_checks.check_plain(value, key)
    _save_atomically(checkpoint, path)
    return path


def _save_atomically(checkpoint: dict[str, Any], path: Path) -> None:
    """Write to a temporary file beside ``path``, then rename it: a failed save leaves the old file.

    In the same folder, ``os.replace`` is an atomic rename; "x" never overwrites another file.
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
    checkpoint_checks.sync_folder(path.parent)


def load_checkpoint(
    path: str | os.PathLike,
    model: nn.Module | None = None,
    optimizer: torch.optim.Optimizer | None = None,
    map_location: Any = "cpu",
) -> dict[str, Any]:
    """Load a checkpoint into ``model`` (built from the file when None) and ``optimizer``; returns it.

    The returned dict has the saved entries ("epoch", "history", "metadata", ...) plus "model", and
    "optimizer" when one is passed. Build the optimizer on the loaded model's parameters before passing it in.
    """
    path = Path(path)
    checkpoint = checkpoint_checks.read_checkpoint(path, map_location)
    if model is None:
        model = checkpoint_checks.build_saved_model(checkpoint, path.name)
    checkpoint_checks.check_fits(model, checkpoint, path.name)
    model.load_state_dict(checkpoint["model_state"])
    checkpoint["model"] = model
    if optimizer is not None:
        checkpoint_checks.load_optimizer(optimizer, checkpoint, path.name)
        checkpoint["optimizer"] = optimizer
    return checkpoint


def load_model(path: str | os.PathLike, map_location: Any = "cpu") -> nn.Module:
    """Rebuild the model stored in a checkpoint, with its weights; returns it in eval mode."""
    return load_checkpoint(path, map_location=map_location)["model"].eval()
