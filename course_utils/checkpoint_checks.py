"""The checks behind ``checkpoint``: what a checkpoint may hold, and a diagnosis of every bad file."""

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

from course_utils import models

FORMAT = "course_utils.checkpoint"
FORMAT_VERSION = 1
_HOW_TO_SAVE = "A checkpoint is made with checkpoint.save_checkpoint(path, model, ...)"
_ZIP_MAGIC = b"PK\x03\x04"  # torch.save's format
# torch's format before PyTorch 1.6 starts with a pickled magic number (0x1950a86a20f9469cfc6c)
_LEGACY_MAGIC = b"\x80\x02\x8a\nl\xfc\x9cF\xf9 j\xa8P\x19."


class CheckpointError(ValueError):
    """A checkpoint could not be saved or loaded; the message says why and what to do."""


class NotACheckpointError(CheckpointError):
    """The file is readable but is not a course checkpoint (e.g. a bare state_dict, or text)."""


class CorruptCheckpointError(CheckpointError):
    """The file is truncated or damaged (an interrupted copy or save)."""


class UnsafeCheckpointError(CheckpointError):
    """The file holds Python objects, which ``weights_only=True`` refuses to unpickle."""


class ArchitectureMismatchError(CheckpointError):
    """The checkpoint's weights do not fit the model they are loaded into."""


def check_save_target(path: Path, model: nn.Module) -> None:
    """Raise a clear error unless ``model`` can be rebuilt and ``path`` names a file in a folder."""
    if not isinstance(getattr(model, "init_args", None), dict):
        name = type(model).__name__
        raise CheckpointError(
            f"this {name} has no init_args, so a checkpoint could not rebuild it: set "
            f"self.init_args = {{...the arguments of __init__...}} in {name}.__init__, or save "
            "only the weights with torch.save(model.state_dict(), path)"
        )
    _check_not_a_folder(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"cannot save to '{path}': the folder '{path.parent}' does not exist. Create it first "
            "(Path(folder).mkdir(parents=True, exist_ok=True)) or check the path for a typo"
        )


def _check_not_a_folder(path: Path) -> None:
    if path.is_dir():
        raise IsADirectoryError(
            f"'{path}' is a folder, not a checkpoint file: name a file in it, e.g. '{path / 'model.pt'}'"
        )


def check_plain(value: Any, where: str) -> None:
    """Raise CheckpointError unless ``value`` is built from plain types and tensors only."""
    if value is None or isinstance(value, bool | int | float | str | Tensor):
        return
    if not isinstance(value, list | tuple | dict):
        raise CheckpointError(
            f"{where} is a {type(value).__name__}, which a checkpoint cannot hold: only numbers, "
            "strings, None, lists, tuples, dicts and tensors load back with weights_only=True. "
            "Convert it first (e.g. float(x), str(x), x.tolist())"
        )
    for key, item in value.items() if isinstance(value, dict) else enumerate(value):
        if not isinstance(key, str | int):
            raise CheckpointError(
                f"{where} has a key {key!r} of type {type(key).__name__}: use str keys"
            )
        check_plain(item, f"{where}[{key!r}]")


def build_saved_model(checkpoint: dict[str, Any], name: str) -> nn.Module:
    """The model a checkpoint describes, built untrained; a clear error for a class models lacks."""
    model_class, model_args = checkpoint["model_class"], checkpoint["model_args"]
    if model_class not in models.MODEL_CLASSES:
        raise CheckpointError(
            f"'{name}' holds a {model_class}, which course_utils.models cannot build: create "
            f"it yourself, {_architecture(model_class, model_args)}, and pass it as "
            "load_checkpoint(path, model=...)"
        )
    return models.build_model(model_class, model_args)


def _architecture(model_class: str, model_args: Mapping[str, Any]) -> str:
    """``SimpleClassifier(input_features=2, hidden_units=10)``: how to build that model."""
    arguments = ", ".join(f"{name}={value!r}" for name, value in model_args.items())
    return f"{model_class}({arguments})"


def sync_folder(folder: Path) -> None:
    """Flush the folder's entry for a renamed file to disk (POSIX; a no-op where unsupported)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _check_map_location(map_location: Any) -> None:
    """Raise a clear error for a map_location torch.load would fail on, before reading the file."""
    if isinstance(map_location, Mapping):
        devices = {f"map_location[{saved!r}]": onto for saved, onto in map_location.items()}
    elif isinstance(map_location, str | torch.device):
        devices = {"map_location": map_location}
    elif map_location is None or callable(map_location):
        return  # None keeps the saved devices; a function's own errors keep their own message
    else:
        raise TypeError(
            "map_location must be a device name, a dict, a function or None, got "
            f"{type(map_location).__name__} {map_location!r}: for the CPU write map_location='cpu'"
        )
    present = {"cuda": torch.cuda.is_available(), "mps": torch.backends.mps.is_available()}
    for argument, device in devices.items():
        try:
            device = torch.device(device)
        except (RuntimeError, TypeError, ValueError):
            raise CheckpointError(
                f"{argument}={device!r} is not a device PyTorch knows: use 'cpu', 'cuda' (or "
                "'cuda:0', 'cuda:1', ...) or 'mps', or None to keep the saved devices"
            ) from None
        if not present.get(device.type, True):
            available = ", ".join(["'cpu'", *(repr(name) for name, on in present.items() if on)])
            raise CheckpointError(
                f"{argument}={str(device)!r}, but this computer has no {device.type} device (it "
                f"has {available}): load onto the CPU with {argument}='cpu'"
            )


def _missing_file_message(path: Path) -> str:
    folder = path.parent
    if not folder.is_dir():
        problem = f": the folder '{folder}' does not exist. Check the path"
    else:
        files = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name[0] != ".")
        holds = f"The folder holds: {', '.join(files[:8])}." if files else "The folder is empty."
        problem = f". {holds} Check the file name"
    return (
        f"no checkpoint at '{path}'{problem}, or save a checkpoint first with "
        "checkpoint.save_checkpoint(path, model, ...)"
    )


def read_checkpoint(path: Path, map_location: Any) -> dict[str, Any]:
    """The checkpoint dict in ``path``, read with weights_only=True; a clear error for a bad file."""
    _check_map_location(map_location)
    if not path.exists():
        raise FileNotFoundError(_missing_file_message(path))
    _check_not_a_folder(path)
    try:
        with warnings.catch_warnings():
            # a raw pickle of protocol 4+ makes torch warn before refusing it; the error says more
            warnings.filterwarnings("ignore", message="Detected pickle protocol")
            content = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as error:
        if map_location not in (None, "cpu") and _loads_on_cpu(path):
            raise CheckpointError(
                f"'{path.name}' is intact (it loads with map_location='cpu'), but loading it with "
                f"map_location={map_location!r} failed: {type(error).__name__}: {error}"
            ) from error
        diagnosis = _diagnose(error, path.name, path.read_bytes())
        # torch's own error is kept as the cause only when the diagnosis could not name the fault
        raise diagnosis from (error if type(diagnosis) is CheckpointError else None)
    return _check_format(content, path.name)


def _loads_on_cpu(path: Path) -> bool:
    with contextlib.suppress(Exception):
        torch.load(path, map_location="cpu", weights_only=True)
        return True
    return False


def _diagnose(error: Exception, name: str, content: bytes) -> CheckpointError:
    """What is wrong with a file torch.load refused, judged from its first bytes and the error."""
    is_zip, is_legacy = content.startswith(_ZIP_MAGIC), content.startswith(_LEGACY_MAGIC)
    # weights_only names what it refused ("Unsupported global: GLOBAL posix.system"); a raw pickle
    # of protocol 4+ is read here instead. A legacy file cut short makes torch name its own torch.*
    # globals: those are not what the file smuggles in, so they are not counted as refused.
    named = [g.rstrip(".") for g in re.findall(r"GLOBAL ([\w.]+)", str(error))]
    refused = [g for g in named if not (is_legacy and g.startswith("torch"))]
    refused = refused or _pickle_globals(content)
    entries = _zip_entries(content) if is_zip else []
    # how a cut raw pickle or legacy file fails (found by cutting such files at every length)
    cut_errors = (
        (EOFError, struct.error, IndexError, pickle.UnpicklingError) if is_legacy else EOFError
    )
    cut_short = isinstance(error, cut_errors) or (is_legacy and "EOF" in str(error))
    if not content:
        return _corrupted(name, content, "the file is empty")
    if refused:
        return _refused(refused)
    if entries is None:
        return _corrupted(name, content, "it cannot be read as a zip archive")
    if is_zip and not any(entry.rsplit("/", 1)[-1] == "data.pkl" for entry in entries):
        return NotACheckpointError(
            f"'{name}' is a zip archive, but not one written by torch.save (it holds "
            f"{', '.join(entries[:4]) or 'no files'}). {_HOW_TO_SAVE}"
        )
    if content.startswith(b"\x80") and cut_short:
        return _corrupted(name, content, "it ends too early")
    if is_zip or is_legacy:
        what = "a complete, undamaged file" if is_zip else "PyTorch's format before version 1.6"
        return CheckpointError(
            f"torch.load could not read '{name}' ({what}): {type(error).__name__}: {error}"
        )
    return NotACheckpointError(
        f"'{name}' is not a PyTorch file: {_describe_start(content)}. {_HOW_TO_SAVE}"
    )


def _pickle_globals(content: bytes) -> list[str]:
    """The globals a raw pickle would import, read WITHOUT unpickling it."""
    if not content.startswith(b"\x80"):  # PROTO: every pickle of protocol 2+ starts with it
        return []
    found, strings = [], []
    with contextlib.suppress(Exception):  # a damaged pickle: the globals before the damage
        for opcode, argument, _ in pickletools.genops(content):
            if opcode.name in ("GLOBAL", "INST"):
                found.append(str(argument).replace(" ", "."))
            elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
                found.append(f"{strings[-2]}.{strings[-1]}")
            elif isinstance(argument, str):
                strings.append(argument)
    return found


def _zip_entries(content: bytes) -> list[str] | None:
    """The file names in a complete zip archive; None when it is damaged."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return archive.namelist() if archive.testzip() is None else None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        return None


def _corrupted(name: str, content: bytes, why: str) -> CorruptCheckpointError:
    return CorruptCheckpointError(
        f"'{name}' is truncated or corrupted ({len(content)} bytes; {why}): probably an "
        "interrupted copy or save. Copy it again or re-save it with save_checkpoint"
    )


def _refused(names: list[str]) -> UnsafeCheckpointError:
    return UnsafeCheckpointError(
        "refused: this file contains arbitrary Python objects "
        f"({', '.join(dict.fromkeys(names))}): unpickling them could run any code, so "
        "weights_only=True will not load them; only load files you trust. If you made this file, "
        "save only tensors and plain values in it"
    )


def _describe_start(content: bytes) -> str:
    text = content[:40].decode("utf-8", errors="replace")
    if "\ufffd" not in text and all(c.isprintable() or c.isspace() for c in text):
        return f"it is text, starting with {text.splitlines()[0][:30]!r}"
    return "it does not start like any PyTorch file (random or binary data of another format?)"


def _check_format(content: Any, name: str) -> dict[str, Any]:
    """The file's content as a checkpoint dict; NotACheckpointError if it is something else."""
    if (
        isinstance(content, Mapping)
        and len(content) > 0
        and all(isinstance(k, str) and isinstance(v, Tensor) for k, v in content.items())
    ):
        shapes = [f"{key} {tuple(value.shape)}" for key, value in content.items()]
        raise NotACheckpointError(
            f"'{name}' holds a bare state_dict (only weights: {', '.join(shapes[:4])}"
            f"{', ...' if len(shapes) > 4 else ''}), not a checkpoint: it does not say which "
            "model it belongs to. Build that model, then model.load_state_dict(torch.load(path, "
            "weights_only=True)); checkpoint.save_checkpoint(path, model) saves one that does"
        )
    if not isinstance(content, Mapping) or content.get("format") != FORMAT:
        what = f"a {type(content).__name__}"
        if isinstance(content, Mapping):
            what = f"a dict with keys {sorted(map(str, content))[:6]}"
        raise NotACheckpointError(
            f"'{name}' is a PyTorch file but not a course checkpoint: it holds {what}. "
            + _HOW_TO_SAVE
        )
    version = content.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise CheckpointError(
            f"'{name}' is a checkpoint of format version {version!r}, newer than this "
            f"course_utils reads ({FORMAT_VERSION}): update course_utils"
        )
    return dict(content)


def check_fits(model: nn.Module, checkpoint: dict, name: str) -> None:
    """Raise ArchitectureMismatchError, naming what differs, unless the weights fit ``model``."""
    saved, current = checkpoint["model_state"], model.state_dict()
    problems = [
        f"{key}: file {tuple(saved[key].shape)}, model {tuple(current[key].shape)}"
        for key in saved
        if key in current and saved[key].shape != current[key].shape
    ]
    problems += [f"{key}: only in the file" for key in saved if key not in current]
    problems += [f"{key}: only in the model" for key in current if key not in saved]
    if not problems:
        return
    held = _architecture(checkpoint["model_class"], checkpoint["model_args"])
    given = type(model).__name__
    if isinstance(getattr(model, "init_args", None), dict):
        given = _architecture(given, model.init_args)
    raise ArchitectureMismatchError(
        f"'{name}' holds the weights of a {held}, but the model you passed is a {given}. "
        "Parameters that differ:\n  " + "\n  ".join(problems) + "\nBuild the model as "
        f"{held} before loading, or let checkpoint.load_model(path) build it for you"
    )


def load_optimizer(optimizer: torch.optim.Optimizer, checkpoint: dict, name: str) -> None:
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
