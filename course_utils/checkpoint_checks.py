"""The checks behind ``checkpoint``: what a checkpoint may hold, and a diagnosis of every bad file.

``checkpoint.py`` holds the lesson (save, load, resume). This module keeps it safe: the error
classes, the plain-data check that lets ``torch.load(..., weights_only=True)`` read every
checkpoint back, and ``read_safely``, which turns each way a file can be wrong (missing, empty,
truncated, not a PyTorch file, a bare state_dict, pickled Python objects, a device this computer
lacks, weights of another architecture) into an error that says what to do.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import pickletools
import re
import struct
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

FORMAT = "course_utils.checkpoint"
FORMAT_VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint could not be saved or loaded; the message says why and what to do."""


class NotACheckpointError(CheckpointError):
    """The file is readable but is not a course checkpoint (e.g. a bare state_dict, or text)."""


class CorruptCheckpointError(CheckpointError):
    """The file is truncated or damaged (an interrupted copy or save)."""


class UnsafeCheckpointError(CheckpointError):
    """The file holds arbitrary Python objects, which ``weights_only=True`` refuses to unpickle."""


class ArchitectureMismatchError(CheckpointError):
    """The checkpoint's weights do not fit the model they are loaded into."""


# ---------------------------------------------------------------------------------------- saving


def check_plain(value: Any, where: str) -> None:
    """Raise CheckpointError unless ``value`` is built from plain types and tensors only."""
    if value is None or isinstance(value, bool | int | float | str | Tensor):
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            check_plain(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str | int):
                raise CheckpointError(
                    f"{where} has a key {key!r} of type {type(key).__name__}: use str keys"
                )
            check_plain(item, f"{where}[{key!r}]")
        return
    raise CheckpointError(
        f"{where} is a {type(value).__name__}, which a checkpoint cannot hold: only numbers, "
        "strings, None, lists, tuples, dicts and tensors load back with weights_only=True. "
        "Convert it first (e.g. float(x), str(x), x.tolist())"
    )


def plain_history(history: Any) -> dict[str, list[float]] | None:
    """A training History (or a dict of lists) as a plain dict of lists of floats."""
    if history is None:
        return None
    if hasattr(history, "as_dict"):  # course_utils.training.History
        history = history.as_dict()
    if not isinstance(history, Mapping):
        raise CheckpointError(
            f"history must be a training History or a dict of lists, got {type(history).__name__}"
        )
    return {str(name): [float(v) for v in values] for name, values in history.items()}


def architecture(model_class: str, model_args: Mapping[str, Any]) -> str:
    """``SimpleClassifier(input_features=2, hidden_units=10)``: how to build that model."""
    arguments = ", ".join(f"{name}={value!r}" for name, value in model_args.items())
    return f"{model_class}({arguments})"


def sync_folder(folder: Path) -> None:
    """Flush the folder's entry for the renamed file to disk (POSIX; a no-op where unsupported)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


# --------------------------------------------------------------------------------------- loading

_ZIP_MAGIC = b"PK\x03\x04"
# torch's legacy format starts with a pickled magic number (0x1950a86a20f9469cfc6c)
_LEGACY_MAGIC = b"\x80\x02\x8a\nl\xfc\x9cF\xf9 j\xa8P\x19."
_SAFE_MODULES = ("torch", "collections", "_codecs", "numpy")  # what checkpoints reference


def _missing_file_message(path: Path) -> str:
    folder = path.parent
    if not folder.is_dir():
        return (
            f"no checkpoint at '{path}': the folder '{folder}' does not exist. Check the path, "
            "or save a checkpoint first with checkpoint.save_checkpoint(path, model, ...)"
        )
    others = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    listing = f" The folder holds: {', '.join(others[:8])}." if others else " The folder is empty."
    return (
        f"no checkpoint at '{path}'.{listing} Check the file name, or save a checkpoint first "
        "with checkpoint.save_checkpoint(path, model, ...)"
    )


def _pickle_globals(content: bytes) -> list[str] | None:
    """The globals a raw pickle would import, read WITHOUT unpickling; None if not a pickle."""
    if not content.startswith(b"\x80"):  # PROTO: every pickle of protocol 2+ starts with it
        return None
    found: list[str] = []
    strings: list[str] = []
    try:
        for opcode, argument, _ in pickletools.genops(content):
            if opcode.name in ("GLOBAL", "INST"):
                found.append(str(argument).replace(" ", "."))
            elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
                found.append(f"{strings[-2]}.{strings[-1]}")
            elif isinstance(argument, str):
                strings.append(argument)
    except Exception:  # not a well-formed pickle
        return None
    return found


def _refused(globals_: list[str]) -> UnsafeCheckpointError:
    unsafe = [g for g in globals_ if not g.startswith(_SAFE_MODULES)] or globals_
    named = f" ({', '.join(dict.fromkeys(unsafe))})" if unsafe else ""
    return UnsafeCheckpointError(
        f"refused: this file contains arbitrary Python objects{named}, and unpickling them could "
        "run any code on your computer, so torch.load(..., weights_only=True) will not load it; "
        "only load files you trust. A checkpoint or a state_dict holds only tensors and plain "
        "values: if you made this file yourself, save it again that way"
    )


def _describe_start(content: bytes) -> str:
    text = content[:40].decode("utf-8", errors="replace")
    if "\ufffd" not in text and all(c.isprintable() or c.isspace() for c in text):
        return f"it is text, starting with {text.splitlines()[0][:30]!r}"
    return "it does not start like any PyTorch file (random or binary data of another format?)"


def _available_devices() -> list[str]:
    """The device types this computer can load tensors onto, e.g. ['cpu'] or ['cpu', 'cuda']."""
    present = {"cuda": torch.cuda.is_available(), "mps": torch.backends.mps.is_available()}
    return ["cpu", *(device for device, found in present.items() if found)]


def _check_device(device: Any, argument: str) -> None:
    """Raise CheckpointError unless ``device`` names a device PyTorch knows and this computer has."""
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise CheckpointError(
            f"{argument}={device!r} is not a device PyTorch knows: use 'cpu', 'cuda' (or "
            "'cuda:0', 'cuda:1', ...) or 'mps', as a str or torch.device, or None to keep the "
            "devices the tensors were saved on"
        ) from None
    available = _available_devices()
    if device.type in ("cuda", "mps") and device.type not in available:
        raise CheckpointError(
            f"{argument}={str(device)!r}, but this computer has no {device.type} device (it has "
            f"{', '.join(map(repr, available))}): load onto the CPU with {argument}='cpu'"
        )


def _check_map_location(map_location: Any) -> None:
    """Raise a clear error for a map_location torch.load would fail on, before reading the file."""
    if map_location is None or callable(map_location):
        return  # None keeps the saved devices; a function's own errors keep their own message
    if isinstance(map_location, Mapping):
        for saved_on, load_onto in map_location.items():
            _check_device(load_onto, f"map_location[{saved_on!r}]")
        return
    if not isinstance(map_location, str | torch.device):
        raise TypeError(
            f"map_location must be a device ('cpu', 'cuda', 'mps' or a torch.device), a dict, a "
            f"function or None, got {type(map_location).__name__} {map_location!r}: for the CPU "
            "write map_location='cpu'"
        )
    _check_device(map_location, "map_location")


def _zip_entries(content: bytes) -> list[str] | None:
    """The file names in a complete zip archive; None when it is damaged (checked with zipfile)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if archive.testzip() is not None:  # the name of the first file with a bad CRC
                return None
            return archive.namelist()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        return None


def _ends_too_early(error: Exception) -> bool:
    """True for the errors torch raises on a legacy file or raw pickle that is cut short."""
    # found by cutting such files at every length: each cut gives one of these
    if isinstance(error, EOFError | struct.error | IndexError | pickle.UnpicklingError):
        return True
    return isinstance(error, RuntimeError) and "unexpected EOF" in str(error)


def _loads_on_cpu(path: Path) -> bool:
    """True when the file loads with map_location="cpu": it is intact and safe."""
    try:
        torch.load(path, map_location="cpu", weights_only=True)
    except Exception:
        return False
    return True


def read_safely(path: Path, map_location: Any) -> Any:
    """torch.load with weights_only=True, turning its errors into ones a student can act on.

    Only a file that cannot be read (a damaged zip archive, a pickle that ends too early) is called
    corrupted; any other failure keeps its own message, chained, with what to check.
    """
    _check_map_location(map_location)
    if not path.exists():
        raise FileNotFoundError(_missing_file_message(path))
    if path.is_dir():
        raise CheckpointError(f"'{path}' is a folder, not a checkpoint file")
    content = path.read_bytes()
    if not content:
        raise CorruptCheckpointError(_corrupted(path, content, "the file is empty"))
    try:
        with warnings.catch_warnings():
            # a raw pickle of protocol 4+ makes torch warn before refusing it; the error says more
            warnings.filterwarnings("ignore", message="Detected pickle protocol")
            return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as error:
        if map_location not in (None, "cpu") and _loads_on_cpu(path):
            raise CheckpointError(
                f"'{path.name}' is intact (it loads with map_location='cpu'), but loading it with "
                f"map_location={map_location!r} failed: {type(error).__name__}: {error}"
            ) from error
        diagnosis = _diagnose(error, path, content)
        # torch's own error is kept as the cause only when the diagnosis could not name the fault
        raise diagnosis from (error if type(diagnosis) is CheckpointError else None)


def _corrupted(path: Path, content: bytes, why: str) -> str:
    return (
        f"'{path.name}' is truncated or corrupted ({len(content)} bytes; {why}): probably an "
        "interrupted copy or save. Copy it again or re-save it with save_checkpoint"
    )


def _diagnose(error: Exception, path: Path, content: bytes) -> CheckpointError:
    """What is wrong with a file torch.load refused, judged from its first bytes and the error."""
    name = path.name
    # weights_only names what it refused: "Unsupported global: GLOBAL posix.system ..."
    refused_globals = [g.rstrip(".") for g in re.findall(r"GLOBAL ([\w.]+)", str(error))]
    if content.startswith(_ZIP_MAGIC):  # the format of torch.save
        return _diagnose_zip(error, path, content, refused_globals)
    if content.startswith(_LEGACY_MAGIC):  # torch.save's format before PyTorch 1.6
        # a legacy file cut short can make torch report a torch global it could not find
        if refused_globals and not refused_globals[0].startswith("torch"):
            return _refused(refused_globals)
        if _ends_too_early(error):
            return CorruptCheckpointError(_corrupted(path, content, "it ends too early"))
        return CheckpointError(
            f"torch.load could not read '{name}' (PyTorch's format before version 1.6): "
            f"{type(error).__name__}: {error}"
        )
    globals_ = _pickle_globals(content)
    if globals_:
        return _refused(globals_)
    if content.startswith(b"\x80") and isinstance(error, EOFError):
        # torch's legacy (non-zip) format or a pickle that ends too early
        return CorruptCheckpointError(_corrupted(path, content, "it ends too early"))
    return NotACheckpointError(
        f"'{name}' is not a PyTorch file: {_describe_start(content)}. A checkpoint is made "
        "with checkpoint.save_checkpoint(path, model, ...)"
    )


def _diagnose_zip(
    error: Exception, path: Path, content: bytes, refused_globals: list[str]
) -> CheckpointError:
    """What is wrong with a zip file (torch.save's format) that torch.load refused."""
    if refused_globals:
        return _refused(refused_globals)
    entries = _zip_entries(content)
    if entries is None:
        return CorruptCheckpointError(
            _corrupted(path, content, "it cannot be read as a zip archive")
        )
    if not any(entry.rsplit("/", 1)[-1] == "data.pkl" for entry in entries):
        return NotACheckpointError(
            f"'{path.name}' is a zip archive, but not one written by torch.save (it holds "
            f"{', '.join(entries[:4]) or 'no files'}). A checkpoint is made with "
            "checkpoint.save_checkpoint(path, model, ...)"
        )
    return CheckpointError(
        f"'{path.name}' is a complete, undamaged file, but torch.load could not read it: "
        f"{type(error).__name__}: {error}"
    )


def _is_state_dict(content: Any) -> bool:
    return (
        isinstance(content, Mapping)
        and len(content) > 0
        and all(isinstance(k, str) and isinstance(v, Tensor) for k, v in content.items())
    )


def check_format(content: Any, path: Path) -> dict[str, Any]:
    """The file's content as a checkpoint dict; NotACheckpointError if it is something else."""
    name = path.name
    if _is_state_dict(content):
        shapes = ", ".join(f"{k} {tuple(v.shape)}" for k, v in list(content.items())[:4])
        raise NotACheckpointError(
            f"'{name}' holds a bare state_dict (only weights: {shapes}{', ...' if len(content) > 4 else ''}), "
            "as saved by torch.save(model.state_dict(), path), not a checkpoint: it does not say "
            "which architecture it belongs to. Build a model of that architecture, then "
            "model.load_state_dict(torch.load(path, weights_only=True)). To get a file that "
            "rebuilds its model, save it with checkpoint.save_checkpoint(path, model)"
        )
    if not isinstance(content, Mapping) or content.get("format") != FORMAT:
        what = (
            f"a dict with keys {sorted(map(str, content))[:6]}"
            if isinstance(content, Mapping)
            else f"a {type(content).__name__}"
        )
        raise NotACheckpointError(
            f"'{name}' is a PyTorch file but not a course checkpoint: it holds {what}. "
            "A checkpoint is made with checkpoint.save_checkpoint(path, model, ...)"
        )
    version = content.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise CheckpointError(
            f"'{name}' is a checkpoint of format version {version!r}, newer than this "
            f"course_utils reads ({FORMAT_VERSION}): update course_utils"
        )
    return dict(content)


def check_fits(model: nn.Module, checkpoint: dict[str, Any], name: str) -> None:
    """Raise ArchitectureMismatchError, naming what differs, unless the weights fit ``model``."""
    saved = checkpoint["model_state"]
    current = model.state_dict()
    problems = [
        f"{key}: file {tuple(saved[key].shape)}, model {tuple(current[key].shape)}"
        for key in saved
        if key in current and saved[key].shape != current[key].shape
    ]
    problems += [f"{key}: only in the file" for key in saved if key not in current]
    problems += [f"{key}: only in the model" for key in current if key not in saved]
    if not problems:
        return
    held = architecture(checkpoint["model_class"], checkpoint["model_args"])
    given = type(model).__name__
    if isinstance(getattr(model, "init_args", None), dict):
        given = architecture(given, model.init_args)
    raise ArchitectureMismatchError(
        f"'{name}' holds the weights of a {held}, but the model you passed is a {given}. "
        f"Parameters that differ:\n  " + "\n  ".join(problems) + "\nBuild the model as "
        f"{held} before loading, or let checkpoint.load_model(path) build it for you"
    )


def check_save_target(path: Path, model: nn.Module) -> None:
    """Raise a clear error unless ``model`` can be rebuilt and ``path`` names a file in a folder."""
    if not isinstance(getattr(model, "init_args", None), dict):
        name = type(model).__name__
        raise CheckpointError(
            f"this {name} has no init_args, so a checkpoint could not rebuild it: the course's "
            f"models store their constructor arguments in model.init_args. For your own model, "
            f"set self.init_args = {{...the arguments of __init__...}} in {name}.__init__, or "
            "save only the weights with torch.save(model.state_dict(), path)"
        )
    if path.is_dir():
        raise CheckpointError(f"'{path}' is a folder: give a file name, e.g. '{path / 'model.pt'}'")
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"cannot save to '{path}': the folder '{path.parent}' does not exist. Create it first "
            "(Path(folder).mkdir(parents=True, exist_ok=True)) or check the path for a typo"
        )


def load_optimizer_state(
    optimizer: torch.optim.Optimizer, checkpoint: dict[str, Any], name: str
) -> None:
    """Load the checkpoint's optimizer state into ``optimizer``, or say why it does not fit."""
    saved_class = checkpoint.get("optimizer_class")
    if checkpoint.get("optimizer_state") is None:
        raise CheckpointError(
            f"'{name}' was saved without an optimizer: pass optimizer=None, or save with "
            "save_checkpoint(path, model, optimizer) to be able to resume training"
        )
    if saved_class != type(optimizer).__name__:
        raise CheckpointError(
            f"'{name}' holds the state of a {saved_class} optimizer, but you passed a "
            f"{type(optimizer).__name__}: build a torch.optim.{saved_class} on "
            "model.parameters() to resume"
        )
    try:
        optimizer.load_state_dict(checkpoint["optimizer_state"])
    except ValueError as error:
        raise CheckpointError(
            f"the optimizer state in '{name}' does not fit the optimizer you passed ({error}): "
            "build the optimizer on the loaded model's parameters, "
            f"torch.optim.{saved_class}(model.parameters(), ...)"
        ) from None
