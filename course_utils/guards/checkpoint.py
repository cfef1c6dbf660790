"""The guard of ``checkpoint``: what a checkpoint may hold, what is wrong with a file.

``checkpoint`` reads and writes the files; these functions judge what it gives them (a
path and whether its folder exists, the file's bytes, the dict torch.load returned) and
raise, or return, an error that says what is wrong and what to do. The diagnosis of a
file that torch.load refused works from the file's own bytes: how it starts, whether its
zip archive is complete, whether its pickles end early, which Python objects they would
import.
"""

import io
import pickletools
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

_HOW_TO_SAVE = "A checkpoint is made with checkpoint.save_checkpoint(path, model, ...)"
_ZIP_MAGIC = b"PK\x03\x04"  # torch.save's format since PyTorch 1.6: a zip archive
# torch's format before PyTorch 1.6 starts with a pickled magic number
# (0x1950a86a20f9469cfc6c)
_LEGACY_MAGIC = b"\x80\x02\x8a\nl\xfc\x9cF\xf9 j\xa8P\x19."
# a legacy file is five pickles (magic number, protocol version, system info, the
# object, its storages' keys), then the tensors' raw bytes
_LEGACY_PICKLES = 5


class CheckpointError(ValueError):
    """A checkpoint could not be saved or loaded: the message says why, and what to do.

    The subclasses below name the kind of fault, so that code can catch one of them.
    """


class NotACheckpointError(CheckpointError):
    """The file is readable, but not a course checkpoint (a bare state_dict, text)."""


class CorruptCheckpointError(CheckpointError):
    """The file is truncated or damaged (an interrupted copy or save)."""


class UnsafeCheckpointError(CheckpointError):
    """The file holds Python objects, which ``weights_only=True`` will not unpickle."""


class ArchitectureMismatchError(CheckpointError):
    """The checkpoint's weights do not fit the model they are loaded into."""


# ----------------------------------------------------------------------------- saving


def check_save_target(path: Path, model: nn.Module, *, is_folder: bool, folder_exists: bool):
    """Raise unless ``model`` can be rebuilt and ``path`` names a file in a real folder.

    The folder must exist: a typo in a path should not quietly create new folders.
    """
    if not isinstance(getattr(model, "init_args", None), dict):
        name = type(model).__name__
        raise CheckpointError(
            f"this {name} has no init_args, so a checkpoint could not rebuild it: set "
            f"self.init_args = {{...the arguments of __init__...}} in {name}.__init__, or save "
            "only the weights with torch.save(model.state_dict(), path)"
        )
    check_not_a_folder(path, is_folder)
    if not folder_exists:
        raise FileNotFoundError(
            f"cannot save to '{path}': the folder '{path.parent}' does not exist. Create it "
            "first (Path(folder).mkdir(parents=True, exist_ok=True)) or check the path for a typo"
        )


def check_not_a_folder(path: Path, is_folder: bool) -> None:
    """Raise when the path given for a checkpoint file is a folder."""
    if is_folder:
        raise IsADirectoryError(
            f"'{path}' is a folder, not a checkpoint file: name a file in it, e.g. "
            f"'{path / 'model.pt'}'"
        )


def check_plain(value: Any, where: str) -> None:
    """Raise CheckpointError unless ``value`` is made of plain types and tensors only.

    Only those load back with ``weights_only=True``; anything else would make the file
    unloadable without trusting it, so it is refused when saving.
    """
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


# ----------------------------------------------------------------------------- loading


def check_map_location(map_location: Any) -> None:
    """Raise a clear error for a map_location that torch.load would fail on."""
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
    for argument, device in devices.items():
        _check_device(argument, device)


def _check_device(argument: str, device: Any) -> None:
    """Raise unless ``device`` is a device that PyTorch knows and this computer has."""
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise CheckpointError(
            f"{argument}={device!r} is not a device PyTorch knows: use 'cpu', 'cuda' (or "
            "'cuda:0', 'cuda:1', ...) or 'mps', or None to keep the saved devices"
        ) from None
    present = {"cuda": torch.cuda.is_available(), "mps": torch.backends.mps.is_available()}
    if not present.get(device.type, True):
        available = ", ".join(["'cpu'", *(repr(name) for name, on in present.items() if on)])
        raise CheckpointError(
            f"{argument}={str(device)!r}, but this computer has no {device.type} device (it "
            f"has {available}): load onto the CPU with {argument}='cpu'"
        )


def missing_file_error(path: Path, files_in_folder: list[str] | None) -> FileNotFoundError:
    """The error for a checkpoint that is not there, naming the files that are.

    Naming them makes a typo in the file name easy to see. ``files_in_folder`` is None
    when the folder itself does not exist.
    """
    if files_in_folder is None:
        problem = f": the folder '{path.parent}' does not exist. Check the path"
    else:
        if files_in_folder:
            holds = f"The folder holds: {', '.join(files_in_folder[:8])}."
        else:
            holds = "The folder is empty."
        problem = f". {holds} Check the file name"
    return FileNotFoundError(
        f"no checkpoint at '{path}'{problem}, or save a checkpoint first with "
        "checkpoint.save_checkpoint(path, model, ...)"
    )


def not_loadable_onto(map_location: Any, error: Exception, name: str) -> CheckpointError:
    """The error for an intact file (it loads onto the CPU) that map_location broke."""
    return CheckpointError(
        f"'{name}' is intact (it loads with map_location='cpu'), but loading it with "
        f"map_location={map_location!r} failed: {type(error).__name__}: {error}"
    )


def diagnose(error: Exception, name: str, content: bytes) -> CheckpointError:
    """What is wrong with a file that torch.load refused, worked out from its bytes.

    ``error`` is torch.load's; it is read only for a file in PyTorch's format before 1.6
    (see ``_diagnose_legacy``), or shown as it is when nothing in the file explains it.
    """
    if not content:
        return _corrupted(name, content, "the file is empty")
    if content.startswith(_ZIP_MAGIC):
        return _diagnose_zip(error, name, content)
    if content.startswith(_LEGACY_MAGIC):
        return _diagnose_legacy(error, name, content)
    if content.startswith(b"\x80"):  # PROTO: a pickle (protocol 2 or more), not torch.save's
        return _diagnose_pickle(name, content)
    return NotACheckpointError(
        f"'{name}' is not a PyTorch file: {_describe_start(content)}. {_HOW_TO_SAVE}"
    )


def _diagnose_zip(error: Exception, name: str, content: bytes) -> CheckpointError:
    """A zip archive: damaged, not torch.save's, or holding objects that are refused."""
    entries = _zip_entries(content)
    if entries is None:
        return _corrupted(name, content, "it cannot be read as a zip archive")
    if not any(entry.rsplit("/", 1)[-1] == "data.pkl" for entry in entries):
        return NotACheckpointError(
            f"'{name}' is a zip archive, but not one written by torch.save (it holds "
            f"{', '.join(entries[:4]) or 'no files'}). {_HOW_TO_SAVE}"
        )
    refused = _refused_globals_in_zip(content)
    if refused:
        return _refused(refused)
    return CheckpointError(
        f"torch.load could not read '{name}' (a complete, undamaged file): "
        f"{type(error).__name__}: {error}"
    )


def _diagnose_legacy(error: Exception, name: str, content: bytes) -> CheckpointError:
    """A file in PyTorch's format before 1.6: cut short, or holding refused objects.

    A cut in its pickles shows in the bytes. Two faults do not, so torch's message is
    read: which globals weights_only refused (only torch's unpickler knows which it
    allows, and ``get_unsafe_globals_in_checkpoint`` reads only the zip format), and a
    cut in the tensors' raw bytes after the pickles (their sizes are known only to
    torch's reader). Each message form read here has a test in tests/test_checkpoint.py.
    """
    if _pickles_end_early(content, _LEGACY_PICKLES):
        return _corrupted(name, content, "it ends too early")
    message = str(error)
    refused = re.findall(r"GLOBAL ([\w.]+) was not an allowed global", message)
    if refused:
        return _refused(refused)
    if "unexpected EOF" in message:
        return _corrupted(name, content, "it ends too early")
    return CheckpointError(
        f"torch.load could not read '{name}' (PyTorch's format before version 1.6): "
        f"{type(error).__name__}: {error}"
    )


def _diagnose_pickle(name: str, content: bytes) -> CheckpointError:
    """A raw pickle, written by pickle.dump: the objects it would import, or a cut.

    torch.load cannot read a raw pickle at all, so every object it would import is one
    that loading it would have to trust.
    """
    imported = _pickle_globals(content)
    if imported:
        return _refused(imported)
    if _pickles_end_early(content, 1):
        return _corrupted(name, content, "it ends too early")
    return NotACheckpointError(
        f"'{name}' is not a PyTorch file: {_describe_start(content)}. {_HOW_TO_SAVE}"
    )


def _zip_entries(content: bytes) -> list[str] | None:
    """The file names in a complete zip archive; None when it is damaged."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return archive.namelist() if archive.testzip() is None else None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        return None


def _refused_globals_in_zip(content: bytes) -> list[str]:
    """The globals in a torch.save archive that weights_only refuses, read, not run."""
    try:
        return torch.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(content))
    except (RuntimeError, ValueError):  # not a pickle torch can read: no globals to name
        return []


class _Bytes(io.BytesIO):
    """A file's bytes that note whether a reader asked for more than there were."""

    ran_out = False

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if size is not None and 0 < size and len(data) < size:
            self.ran_out = True
        return data

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        if not line.endswith(b"\n"):
            self.ran_out = True
        return line


def _pickles_end_early(content: bytes, count: int) -> bool:
    """Whether the file ends before the ``count``-th pickle in it is complete.

    Each pickle is walked opcode by opcode (pickletools.genops), which imports and runs
    nothing; only a walk that ran out of bytes counts, not one that met a byte that is
    no opcode (a damaged or foreign file).
    """
    stream = _Bytes(content)
    for _ in range(count):
        try:
            for _ in pickletools.genops(stream):
                pass
        except Exception:  # genops raises ValueError, or others on garbage
            return stream.ran_out
    return False


def _pickle_globals(content: bytes) -> list[str]:
    """The globals a raw pickle would import, read WITHOUT unpickling it."""
    found, strings = [], []
    try:
        for opcode, argument, _ in pickletools.genops(content):
            if opcode.name in ("GLOBAL", "INST"):
                found.append(str(argument).replace(" ", "."))
            elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
                found.append(f"{strings[-2]}.{strings[-1]}")  # module and name, pushed last
            elif isinstance(argument, str):
                strings.append(argument)
    except Exception:  # a damaged pickle: the globals before the damage
        pass
    return found


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
    """'it is text, starting with ...', or that it is binary data of another format."""
    text = content[:40].decode("utf-8", errors="replace")
    if "\ufffd" not in text and all(c.isprintable() or c.isspace() for c in text):
        return f"it is text, starting with {text.splitlines()[0][:30]!r}"
    return "it does not start like any PyTorch file (random or binary data of another format?)"


def check_format(content: Any, name: str, format_name: str, version: int) -> dict[str, Any]:
    """The file's content as a checkpoint dict; NotACheckpointError if it is not one.

    A checkpoint names its format (``format_name``) and the version it was written in: a
    version newer than ``version``, the newest this course_utils reads, asks for an
    update.
    """
    if (
        isinstance(content, Mapping)
        and len(content) > 0
        and all(isinstance(k, str) and isinstance(v, Tensor) for k, v in content.items())
    ):
        raise _bare_state_dict(content, name)
    if not isinstance(content, Mapping) or content.get("format") != format_name:
        what = f"a {type(content).__name__}"
        if isinstance(content, Mapping):
            what = f"a dict with keys {sorted(map(str, content))[:6]}"
        raise NotACheckpointError(
            f"'{name}' is a PyTorch file but not a course checkpoint: it holds {what}. "
            + _HOW_TO_SAVE
        )
    saved_version = content.get("format_version")
    if not isinstance(saved_version, int) or saved_version > version:
        raise CheckpointError(
            f"'{name}' is a checkpoint of format version {saved_version!r}, newer than this "
            f"course_utils reads ({version}): update course_utils"
        )
    return dict(content)


def _bare_state_dict(content: Mapping[str, Tensor], name: str) -> NotACheckpointError:
    shapes = [f"{key} {tuple(value.shape)}" for key, value in content.items()]
    return NotACheckpointError(
        f"'{name}' holds a bare state_dict (only weights: {', '.join(shapes[:4])}"
        f"{', ...' if len(shapes) > 4 else ''}), not a checkpoint: it does not say which "
        "model it belongs to. Build that model, then model.load_state_dict(torch.load(path, "
        "weights_only=True)); checkpoint.save_checkpoint(path, model) saves one that does"
    )


def _architecture(model_class: str, model_args: Mapping[str, Any]) -> str:
    """The model as code, e.g. ``SimpleClassifier(input_features=2, hidden_units=10)``.

    A message shows it, so that the student can copy it.
    """
    arguments = ", ".join(f"{name}={value!r}" for name, value in model_args.items())
    return f"{model_class}({arguments})"


def check_buildable(checkpoint: dict[str, Any], buildable: Mapping[str, Any], name: str) -> None:
    """Raise unless the checkpoint's model class is one of the ``buildable`` classes."""
    model_class, model_args = checkpoint["model_class"], checkpoint["model_args"]
    if model_class not in buildable:
        raise CheckpointError(
            f"'{name}' holds a {model_class}, which course_utils.models cannot build: create "
            f"it yourself, {_architecture(model_class, model_args)}, and pass it as "
            "load_checkpoint(path, model=...)"
        )


def check_fits(model: nn.Module, checkpoint: dict, name: str) -> None:
    """Raise ArchitectureMismatchError, naming what differs, unless the weights fit."""
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


def check_optimizer(optimizer: torch.optim.Optimizer, checkpoint: dict, name: str) -> None:
    """Raise unless the checkpoint holds the state of an optimizer of the same class."""
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


def optimizer_mismatch(error: ValueError, name: str, saved_class: str) -> CheckpointError:
    """The error for a saved optimizer state that torch's load_state_dict refused."""
    return CheckpointError(
        f"the optimizer state in '{name}' does not fit the optimizer you passed ({error}): "
        "build the optimizer on the loaded model's parameters, "
        f"torch.optim.{saved_class}(model.parameters(), ...)"
    )
