"""Tests for course_utils.checkpoint: round trip, resume, atomic saves, clear errors."""

import copy
import io
import os
import pickle
import pickletools
import re
import struct
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import torch
from torch import nn

from course_utils import checkpoint, data, models, training
from course_utils.checkpoint import (
    ArchitectureMismatchError,
    CheckpointError,
    CorruptCheckpointError,
    NotACheckpointError,
    UnsafeCheckpointError,
)


def small_loader(seed=0, n=64):
    generator = torch.Generator().manual_seed(seed)
    X, y = data.make_blobs(n_per_class=n // 2, generator=generator)
    return torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(X, y), batch_size=16, shuffle=True
    )


def trained(hidden_units=10, epochs=2, seed=0):
    torch.manual_seed(seed)
    model = models.SimpleClassifier(2, hidden_units)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    history = training.fit(model, small_loader(seed), nn.BCELoss(), optimizer, epochs=epochs)
    return model, optimizer, history


def assert_same_tensors(a, b):
    """Nested dicts/lists of tensors and plain values are exactly equal."""
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            assert_same_tensors(a[key], b[key])
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_same_tensors(x, y)
    else:
        assert a == b


# --------------------------------------------------------------------------- round trip


def test_round_trip_gives_the_same_outputs_optimizer_state_and_metadata(tmp_path):
    model, optimizer, history = trained()
    before = datetime.now(UTC).replace(microsecond=0)
    path = checkpoint.save_checkpoint(
        tmp_path / "model.pt", model, optimizer, epoch=2, history=history, note="blobs", lr=0.01
    )
    assert path == tmp_path / "model.pt"

    # torch itself reads the file with weights_only=True:
    # only plain types and tensors inside
    raw = torch.load(path, weights_only=True)
    assert raw["format"] == "course_utils.checkpoint" and raw["format_version"] == 1
    assert raw["model_class"] == "SimpleClassifier"
    assert raw["model_args"] == {"input_features": 2, "hidden_units": 10}
    assert raw["optimizer_class"] == "Adam"
    assert raw["epoch"] == 2
    assert raw["history"]["train_loss"] == history.train_loss
    assert type(raw["history"]["train_loss"]) is list
    assert raw["metadata"]["torch_version"] == str(torch.__version__)
    saved_at = datetime.fromisoformat(raw["metadata"]["saved_at"])
    assert before <= saved_at <= datetime.now(UTC) + timedelta(seconds=1)
    assert raw["metadata"]["note"] == "blobs" and raw["metadata"]["lr"] == 0.01
    assert_same_tensors(raw["model_state"], model.state_dict())

    fresh = models.SimpleClassifier(2, 10)
    fresh_optimizer = torch.optim.Adam(fresh.parameters(), lr=0.5)
    loaded = checkpoint.load_checkpoint(path, model=fresh, optimizer=fresh_optimizer)
    assert loaded["model"] is fresh and loaded["optimizer"] is fresh_optimizer
    X = torch.randn(20, 2)
    with torch.no_grad():
        assert torch.equal(fresh(X), model(X))
    assert_same_tensors(fresh_optimizer.state_dict(), optimizer.state_dict())
    assert fresh_optimizer.param_groups[0]["lr"] == 0.01  # the saved lr, not the new one
    assert loaded["history"] == history.as_dict()


def test_load_model_rebuilds_the_architecture_in_eval_mode(tmp_path):
    torch.manual_seed(1)
    model = models.MLPClassifier(2, hidden_units=7, activation="tanh", hidden_layers=2)
    checkpoint.save_checkpoint(tmp_path / "mlp.pt", model)
    loaded = checkpoint.load_model(tmp_path / "mlp.pt")
    assert type(loaded) is models.MLPClassifier and not loaded.training
    assert loaded.init_args == model.init_args
    X = torch.randn(10, 2)
    with torch.no_grad():
        assert torch.equal(loaded(X), model(X))
    # load_checkpoint without a model builds one too
    assert isinstance(checkpoint.load_checkpoint(tmp_path / "mlp.pt")["model"], nn.Module)


def test_resuming_from_a_checkpoint_continues_exactly_like_uninterrupted_training(tmp_path):
    loader = small_loader(seed=3)

    def start():
        torch.manual_seed(7)
        model = models.SimpleClassifier(2, 10)
        return model, torch.optim.Adam(model.parameters(), lr=0.01)

    # oracle: five epochs without interruption
    model, optimizer = start()
    uninterrupted = training.fit(model, loader, nn.BCELoss(), optimizer, epochs=5)

    # three epochs, save (with the global RNG state
    # that the loader's shuffling draws from) ...
    first, first_optimizer = start()
    history = training.fit(first, loader, nn.BCELoss(), first_optimizer, epochs=3)
    checkpoint.save_checkpoint(
        tmp_path / "epoch3.pt", first, first_optimizer, epoch=3, history=history,
        rng_state=torch.get_rng_state(),
    )  # fmt: skip
    del first, first_optimizer
    torch.manual_seed(999)  # anything may happen to the RNG in between

    # ... then fresh objects, loaded, and two more epochs
    loaded = checkpoint.load_checkpoint(tmp_path / "epoch3.pt")
    resumed = loaded["model"]
    resumed_optimizer = torch.optim.Adam(resumed.parameters(), lr=0.01)
    checkpoint.load_checkpoint(tmp_path / "epoch3.pt", model=resumed, optimizer=resumed_optimizer)
    torch.set_rng_state(loaded["metadata"]["rng_state"])
    rest = training.fit(resumed, loader, nn.BCELoss(), resumed_optimizer, epochs=2)

    for (name, p), q in zip(model.named_parameters(), resumed.parameters(), strict=True):
        assert torch.equal(p, q), name
    assert_same_tensors(optimizer.state_dict(), resumed_optimizer.state_dict())
    assert loaded["history"]["train_loss"] + rest.train_loss == uninterrupted.train_loss


def test_resuming_without_the_rng_state_shuffles_differently(tmp_path):
    # the reason the checkpoint above stores the
    # RNG state: without it the result differs
    loader = small_loader(seed=3)
    torch.manual_seed(7)
    model = models.SimpleClassifier(2, 10)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    training.fit(model, loader, nn.BCELoss(), optimizer, epochs=3)
    checkpoint.save_checkpoint(tmp_path / "c.pt", model, optimizer)
    state = torch.get_rng_state()
    reference = copy.deepcopy(model)
    reference_optimizer = torch.optim.Adam(reference.parameters(), lr=0.01)
    reference_optimizer.load_state_dict(optimizer.state_dict())
    training.fit(reference, loader, nn.BCELoss(), reference_optimizer, epochs=1)

    torch.set_rng_state(state)
    torch.rand(1)  # one extra draw, e.g. a model built in between
    loaded = checkpoint.load_checkpoint(tmp_path / "c.pt")
    resumed_optimizer = torch.optim.Adam(loaded["model"].parameters(), lr=0.01)
    checkpoint.load_checkpoint(tmp_path / "c.pt", loaded["model"], resumed_optimizer)
    training.fit(loaded["model"], loader, nn.BCELoss(), resumed_optimizer, epochs=1)
    assert not torch.equal(reference.linear1.weight, loaded["model"].linear1.weight)


def test_map_location_is_passed_to_torch_load(tmp_path):
    model, _, _ = trained(epochs=1)
    checkpoint.save_checkpoint(tmp_path / "m.pt", model)
    seen = []

    def to_cpu(storage, location):
        seen.append(location)
        return storage

    loaded = checkpoint.load_checkpoint(tmp_path / "m.pt", map_location=to_cpu)
    assert seen and all(location == "cpu" for location in seen)
    assert loaded["model_state"]["linear1.weight"].device == torch.device("cpu")
    loaded = checkpoint.load_checkpoint(tmp_path / "m.pt", map_location=torch.device("cpu"))
    assert loaded["model"].linear1.weight.device == torch.device("cpu")


# ---------------------------------------------------------------------------- atomicity


def test_a_save_that_fails_midway_leaves_the_old_checkpoint_intact(tmp_path, monkeypatch):
    old_model, _, _ = trained(epochs=1, seed=0)
    path = checkpoint.save_checkpoint(tmp_path / "model.pt", old_model)
    old_bytes = path.read_bytes()
    new_model, _, _ = trained(epochs=2, seed=5)
    real_save = torch.save

    def save_half_then_fail(obj, file, *args, **kwargs):
        real_save(obj, file, *args, **kwargs)
        file.truncate(100)  # only part of the bytes made it
        raise OSError("No space left on device")

    monkeypatch.setattr(torch, "save", save_half_then_fail)
    with pytest.raises(OSError, match="No space left"):
        checkpoint.save_checkpoint(path, new_model)
    monkeypatch.undo()

    assert path.read_bytes() == old_bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt"]  # no temporary file left
    X = torch.randn(5, 2)
    with torch.no_grad():
        assert torch.equal(checkpoint.load_model(path)(X), old_model(X))


def test_a_failing_rename_removes_the_temporary_file(tmp_path, monkeypatch):
    model, _, _ = trained(epochs=1)

    def failing_replace(source, target):
        raise PermissionError("target is read-only")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(PermissionError):
        checkpoint.save_checkpoint(tmp_path / "model.pt", model)
    assert list(tmp_path.iterdir()) == []


def test_interrupting_a_save_leaves_no_file(tmp_path, monkeypatch):
    model, _, _ = trained(epochs=1)

    def interrupted(obj, file, *args, **kwargs):
        file.write(b"PK\x03\x04partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        checkpoint.save_checkpoint(tmp_path / "model.pt", model)
    assert list(tmp_path.iterdir()) == []


def test_saving_into_a_missing_folder_is_a_clear_error(tmp_path):
    model = models.SimpleClassifier(2, 3)
    with pytest.raises(FileNotFoundError, match="does not exist") as caught:
        checkpoint.save_checkpoint(tmp_path / "no_such_folder" / "model.pt", model)
    assert "no_such_folder" in str(caught.value) and "mkdir" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_given_as_the_checkpoint_path_is_a_clear_error(tmp_path):
    model = models.SimpleClassifier(2, 3)
    for act in (
        lambda: checkpoint.save_checkpoint(tmp_path, model),
        lambda: checkpoint.load_model(tmp_path),
    ):
        with pytest.raises(IsADirectoryError, match="is a folder, not a checkpoint file") as caught:
            act()
        assert str(tmp_path / "model.pt") in str(caught.value)
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file left


def test_a_model_without_init_args_cannot_be_checkpointed(tmp_path):
    with pytest.raises(CheckpointError, match="init_args") as caught:
        checkpoint.save_checkpoint(tmp_path / "m.pt", nn.Linear(2, 1))
    assert "state_dict" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_metadata_that_would_not_load_back_is_refused_at_save_time(tmp_path):
    with pytest.raises(CheckpointError, match=r"metadata\['when'\] is a datetime"):
        checkpoint.save_checkpoint(
            tmp_path / "m.pt", models.SimpleClassifier(2, 3), when=datetime.now()
        )
    with pytest.raises(
        CheckpointError, match=r"metadata\['notes'\] has a key \(1, 2\) of type tuple"
    ):
        checkpoint.save_checkpoint(
            tmp_path / "m.pt", models.SimpleClassifier(2, 3), notes={(1, 2): 0}
        )
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------- errors on load


def test_a_missing_file_names_the_path_and_what_the_folder_holds(tmp_path):
    checkpoint.save_checkpoint(tmp_path / "model.pt", models.SimpleClassifier(2, 3))
    with pytest.raises(FileNotFoundError) as caught:
        checkpoint.load_checkpoint(tmp_path / "modle.pt")
    message = str(caught.value)
    assert "modle.pt" in message and "model.pt" in message and "save_checkpoint" in message
    with pytest.raises(FileNotFoundError, match="does not exist"):
        checkpoint.load_model(tmp_path / "missing_folder" / "model.pt")


def test_a_bare_state_dict_is_recognised_and_the_right_call_is_suggested(tmp_path):
    path = tmp_path / "simple_classifier.pth"
    torch.save(models.SimpleClassifier(2, 10).state_dict(), path)  # the seed's way of saving
    with pytest.raises(NotACheckpointError, match="bare state_dict") as caught:
        checkpoint.load_model(path)
    message = str(caught.value)
    assert "model.load_state_dict(torch.load(path, weights_only=True))" in message
    assert "linear1.weight (10, 2)" in message


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (bytes(range(7, 250)) * 3, "not start like any PyTorch file"),
        (b"epoch,loss\n1,0.1657\n2,0.0401\n", "it is text, starting with 'epoch,loss'"),
    ],
    ids=["random bytes", "text"],
)
def test_a_file_that_is_not_a_pytorch_file(tmp_path, content, says):
    path = tmp_path / "model.pt"
    path.write_bytes(content)
    with pytest.raises(NotACheckpointError, match="is not a PyTorch file") as caught:
        checkpoint.load_checkpoint(path)
    assert says in str(caught.value)


def test_a_pytorch_file_that_is_not_a_checkpoint(tmp_path):
    torch.save({"weights": [1, 2]}, tmp_path / "other.pt")
    with pytest.raises(NotACheckpointError, match="not a course checkpoint"):
        checkpoint.load_checkpoint(tmp_path / "other.pt")
    torch.save([1.0, 2.0], tmp_path / "list.pt")
    with pytest.raises(NotACheckpointError, match="holds a list"):
        checkpoint.load_checkpoint(tmp_path / "list.pt")


@pytest.mark.parametrize("keep", [0.5, 0.05, 0.0])
def test_a_truncated_checkpoint_is_reported_as_truncated(tmp_path, keep):
    model, optimizer, _ = trained(epochs=1)
    path = checkpoint.save_checkpoint(tmp_path / "model.pt", model, optimizer)
    content = path.read_bytes()
    path.write_bytes(content[: int(keep * len(content))])
    with pytest.raises(CorruptCheckpointError, match="truncated or corrupted") as caught:
        checkpoint.load_checkpoint(path)
    assert "interrupted" in str(caught.value) and "re-save" in str(caught.value)


@pytest.mark.parametrize("keep", [50, 200, 400, 600, -10])
def test_a_truncated_file_in_torchs_legacy_format_is_reported_as_truncated(tmp_path, keep):
    path = tmp_path / "old.pth"
    torch.save(
        models.SimpleClassifier(2, 3).state_dict(), path, _use_new_zipfile_serialization=False
    )
    path.write_bytes(path.read_bytes()[:keep])
    with pytest.raises(CorruptCheckpointError, match="truncated"):
        checkpoint.load_checkpoint(path)


def good_files(tmp_path):
    """A checkpoint (zip format) and a state_dict in torch's legacy format, intact."""
    path = checkpoint.save_checkpoint(tmp_path / "model.pt", models.SimpleClassifier(2, 3))
    legacy = tmp_path / "old.pth"
    torch.save(
        models.SimpleClassifier(2, 3).state_dict(), legacy, _use_new_zipfile_serialization=False
    )
    return path, legacy


@pytest.mark.parametrize("map_location", ["gpu", "cpu:zero", {"cpu": "gpu"}])
def test_an_unknown_map_location_lists_the_valid_devices_and_never_blames_the_file(
    tmp_path, map_location
):
    for path in good_files(tmp_path):
        with pytest.raises(RuntimeError):  # the oracle: torch itself cannot load with it
            torch.load(path, map_location=map_location, weights_only=True)
        with pytest.raises(CheckpointError) as caught:
            checkpoint.load_checkpoint(path, map_location=map_location)
        assert not isinstance(caught.value, CorruptCheckpointError)
        message = str(caught.value)
        assert "is not a device PyTorch knows" in message
        assert "use 'cpu', 'cuda' (or 'cuda:0', 'cuda:1', ...) or 'mps'" in message
        assert "corrupt" not in message and "truncated" not in message


@pytest.mark.skipif(torch.cuda.is_available(), reason="this computer has a CUDA GPU")
def test_map_location_cuda_on_a_computer_without_one_says_so(tmp_path):
    path, _ = good_files(tmp_path)
    with pytest.raises(RuntimeError, match="CUDA"):  # torch agrees that it cannot
        torch.load(path, map_location="cuda", weights_only=True)
    with pytest.raises(CheckpointError, match="this computer has no cuda device") as caught:
        checkpoint.load_model(path, map_location="cuda")
    assert "(it has 'cpu'" in str(caught.value) and "map_location='cpu'" in str(caught.value)
    assert not isinstance(caught.value, CorruptCheckpointError)


def test_a_map_location_of_the_wrong_type_is_a_type_error(tmp_path):
    path, _ = good_files(tmp_path)
    with pytest.raises(TypeError, match="got int 0: for the CPU write map_location='cpu'"):
        checkpoint.load_checkpoint(path, map_location=0)


def test_a_failing_map_location_function_keeps_its_own_error(tmp_path):
    def broken(storage, location):
        raise KeyError("no such device in my table")

    for path in good_files(tmp_path):
        with pytest.raises(CheckpointError) as caught:
            checkpoint.load_checkpoint(path, map_location=broken)
        assert not isinstance(caught.value, CorruptCheckpointError)
        assert isinstance(caught.value.__cause__, KeyError)
        assert "is intact" in str(caught.value) and "no such device in my table" in str(
            caught.value
        )


def test_a_zip_archive_that_torch_did_not_write_is_not_called_corrupted(tmp_path):
    path = tmp_path / "notes.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "epoch 1: 0.1657")
    assert zipfile.ZipFile(path).testzip() is None  # the oracle: a complete, valid archive
    with pytest.raises(NotACheckpointError, match="not one written by torch.save") as caught:
        checkpoint.load_checkpoint(path)
    assert "notes.txt" in str(caught.value) and "corrupt" not in str(caught.value)


def test_a_checkpoint_with_one_damaged_byte_is_corrupted(tmp_path):
    path, _ = good_files(tmp_path)
    content = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:  # flip the first byte of the pickled contents
        info = archive.getinfo(next(n for n in archive.namelist() if n.endswith("data.pkl")))
    name_length, extra_length = struct.unpack("<HH", content[info.header_offset + 26 :][:4])
    content[info.header_offset + 30 + name_length + extra_length] ^= 0xFF  # after the local header
    path.write_bytes(bytes(content))
    with pytest.raises(Exception):  # noqa: B017 - the oracle: torch cannot read it either
        torch.load(path, weights_only=True)
    with pytest.raises(CorruptCheckpointError, match="cannot be read as a zip archive"):
        checkpoint.load_checkpoint(path)


def test_another_architecture_lists_the_mismatched_parameters(tmp_path):
    path = checkpoint.save_checkpoint(tmp_path / "small.pt", models.SimpleClassifier(2, 10))
    # torch's own check agrees that these do not fit
    with pytest.raises(RuntimeError, match="size mismatch"):
        models.SimpleClassifier(2, 20).load_state_dict(
            torch.load(path, weights_only=True)["model_state"]
        )
    bigger = models.SimpleClassifier(2, 20)
    weights_before = copy.deepcopy(bigger.state_dict())
    with pytest.raises(ArchitectureMismatchError) as caught:
        checkpoint.load_checkpoint(path, model=bigger)
    message = str(caught.value)
    assert "SimpleClassifier(input_features=2, hidden_units=10)" in message
    assert "SimpleClassifier(input_features=2, hidden_units=20)" in message
    assert "linear1.weight: file (10, 2), model (20, 2)" in message
    assert "linear1.bias: file (10,), model (20,)" in message
    assert "linear2.weight: file (1, 10), model (1, 20)" in message
    assert "linear2.bias" not in message  # (1,) in both: it fits
    assert "load_model" in message
    assert_same_tensors(bigger.state_dict(), weights_before)  # the model was not touched


def test_another_model_class_names_the_parameters_only_on_one_side(tmp_path):
    path = checkpoint.save_checkpoint(tmp_path / "mlp.pt", models.MLPClassifier(2, 4))
    with pytest.raises(ArchitectureMismatchError) as caught:
        checkpoint.load_checkpoint(path, model=models.SimpleClassifier(2, 4))
    assert "layers.0.weight: only in the file" in str(caught.value)
    assert "linear1.weight: only in the model" in str(caught.value)


def test_optimizer_mismatches_are_clear(tmp_path):
    model, optimizer, _ = trained(epochs=1)
    with_optimizer = checkpoint.save_checkpoint(tmp_path / "a.pt", model, optimizer)
    without = checkpoint.save_checkpoint(tmp_path / "b.pt", model)
    fresh = models.SimpleClassifier(2, 10)
    with pytest.raises(CheckpointError, match="holds the state of a Adam optimizer"):
        checkpoint.load_checkpoint(with_optimizer, fresh, torch.optim.SGD(fresh.parameters(), 0.1))
    with pytest.raises(CheckpointError, match="saved without an optimizer"):
        checkpoint.load_checkpoint(without, fresh, torch.optim.Adam(fresh.parameters()))
    # built before the model it should update:
    # on two of its four tensors (a common slip)
    partial = torch.optim.Adam(list(fresh.parameters())[:2])
    with pytest.raises(CheckpointError, match="does not fit.*loaded model's parameters"):
        checkpoint.load_checkpoint(with_optimizer, fresh, partial)


class TinyNet(nn.Module):
    """A student's model: it keeps init_args; course_utils.models cannot build it."""

    def __init__(self, width: int = 3):
        super().__init__()
        self.init_args = {"width": width}
        self.layer = nn.Linear(2, width)


def test_a_model_class_the_course_cannot_build_says_to_pass_the_model(tmp_path):
    path = checkpoint.save_checkpoint(tmp_path / "tiny.pt", TinyNet(5))
    with pytest.raises(CheckpointError, match=r"holds a TinyNet.*TinyNet\(width=5\).*model="):
        checkpoint.load_checkpoint(path)
    loaded = checkpoint.load_checkpoint(path, model=TinyNet(5))["model"]
    assert torch.equal(
        loaded.layer.weight, torch.load(path, weights_only=True)["model_state"]["layer.weight"]
    )


def test_a_newer_format_version_asks_to_update(tmp_path):
    path = checkpoint.save_checkpoint(tmp_path / "m.pt", models.SimpleClassifier(2, 3))
    content = torch.load(path, weights_only=True)
    content["format_version"] = 2
    torch.save(content, path)
    with pytest.raises(CheckpointError, match="update course_utils"):
        checkpoint.load_checkpoint(path)


# ------------------------------------------------------------------------- unsafe files


class CreatesMarker:
    """Unpickling this would call open(marker, "w"): create a file, i.e. run code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_the_malicious_payload_really_runs_code_when_unpickled_unsafely(tmp_path):
    # the control experiment: without weights_only the payload does execute
    marker = tmp_path / "marker"
    pickle.loads(pickle.dumps(CreatesMarker(marker))).close()
    assert marker.exists()


@pytest.mark.parametrize(
    "how", ["torch.save", "torch.save legacy", "pickle protocol 2", "pickle protocol 5"]
)
def test_a_file_whose_unpickling_would_run_code_is_refused(tmp_path, how):
    marker = tmp_path / "marker"
    path = tmp_path / "model.pt"
    payload = {"format": "course_utils.checkpoint", "model_state": CreatesMarker(marker)}
    if how.startswith("torch.save"):
        torch.save(payload, path, _use_new_zipfile_serialization=how == "torch.save")
    else:
        path.write_bytes(pickle.dumps(payload, protocol=int(how[-1])))
    with pytest.raises(UnsafeCheckpointError) as caught:
        checkpoint.load_checkpoint(path)
    message = str(caught.value)
    assert message.startswith("refused: this file contains arbitrary Python objects")
    assert "only load files you trust" in message
    assert "builtins.open" in message or "io.open" in message
    assert not marker.exists()


class Prints:
    def __reduce__(self):
        return (print, ("this code ran while loading!",))


def test_a_builtin_function_in_a_torch_file_is_refused_and_named(tmp_path, capsys):
    torch.save({"model_state": Prints()}, tmp_path / "model.pt")
    # named from the file's own bytes (torch's message calls it "print")
    with pytest.raises(UnsafeCheckpointError, match=r"refused: .*\(builtins\.print\)"):
        checkpoint.load_model(tmp_path / "model.pt")
    assert capsys.readouterr().out == ""


# ----------------------------------------------------------------- how a file is judged
# from its bytes where they tell; torch's message only for the two faults of a legacy
# file that the bytes do not show, each message form pinned here against torch itself


def legacy_state_dict_bytes():
    buffer = io.BytesIO()
    torch.save(
        models.SimpleClassifier(2, 3).state_dict(), buffer, _use_new_zipfile_serialization=False
    )
    return buffer.getvalue()


def end_of_pickles(content: bytes, count: int) -> int:
    """Where the first ``count`` pickles of ``content`` end (walked, not unpickled)."""
    stream = io.BytesIO(content)
    for _ in range(count):
        for _ in pickletools.genops(stream):
            pass
    return stream.tell()


def load_error(content: bytes) -> Exception:
    with pytest.raises(Exception) as caught:  # noqa: B017 - whatever torch raises
        torch.load(io.BytesIO(content), weights_only=True)
    return caught.value


def test_torchs_message_names_what_it_refused_in_a_legacy_file(tmp_path):
    path = tmp_path / "old.pth"
    torch.save(
        {"model_state": CreatesMarker(tmp_path / "marker")},
        path,
        _use_new_zipfile_serialization=False,
    )
    # the message form read: get_unsafe_globals_in_checkpoint does not read this format
    with pytest.raises(
        ValueError, match="Expected input to be a checkpoint returned by torch.save"
    ):
        torch.serialization.get_unsafe_globals_in_checkpoint(path)
    # Python 3.11 pickles open as io.open, 3.12 and later as _io.open
    message = str(load_error(path.read_bytes()))
    assert re.search(r"GLOBAL _?io\.open was not an allowed global", message), message
    with pytest.raises(UnsafeCheckpointError, match=r"\(_?io\.open\)"):
        checkpoint.load_checkpoint(path)


def test_torchs_message_tells_a_legacy_file_cut_in_its_tensor_bytes(tmp_path):
    content = legacy_state_dict_bytes()
    pickles_end = end_of_pickles(content, 5)
    assert pickles_end < len(content) - 1
    for keep in (pickles_end, (pickles_end + len(content)) // 2, len(content) - 1):
        # the message form read: the pickles are whole, the raw bytes after them are not
        assert "unexpected EOF" in str(load_error(content[:keep]))
        path = tmp_path / f"cut_{keep}.pth"
        path.write_bytes(content[:keep])
        with pytest.raises(CorruptCheckpointError, match="it ends too early"):
            checkpoint.load_checkpoint(path)


def test_a_legacy_file_cut_in_its_pickles_is_truncated_whatever_torch_says(tmp_path):
    content = legacy_state_dict_bytes()
    messages = set()
    for keep in range(1, end_of_pickles(content, 5), 7):
        error = load_error(content[:keep])
        messages.add(type(error).__name__)
        path = tmp_path / "cut.pth"
        path.write_bytes(content[:keep])
        with pytest.raises(CorruptCheckpointError, match="it ends too early"):
            checkpoint.load_checkpoint(path)
    assert len(messages) >= 3  # torch raises several kinds of error: the bytes decide here


def test_a_raw_pickle_cut_short_is_truncated_and_one_of_garbage_is_not(tmp_path):
    path = tmp_path / "notes.pkl"
    whole = pickle.dumps({"epoch": 3, "losses": [0.5, 0.25]}, protocol=2)
    path.write_bytes(whole[:-5])
    with pytest.raises(CorruptCheckpointError, match="it ends too early"):
        checkpoint.load_checkpoint(path)
    path.write_bytes(b"\x80\x02" + bytes([0xFF]) * 60)  # PROTO 2, then no opcode at all
    with pytest.raises(NotACheckpointError, match="is not a PyTorch file") as caught:
        checkpoint.load_checkpoint(path)
    assert "truncated" not in str(caught.value)


def test_a_whole_model_saved_with_torch_save_is_refused_by_its_class(tmp_path):
    path = tmp_path / "model.pt"
    torch.save(nn.Linear(2, 1), path)  # the model object, not its state_dict
    assert torch.serialization.get_unsafe_globals_in_checkpoint(path) == [
        "torch.nn.modules.linear.Linear"
    ]  # the oracle: torch's own reader of the file's globals
    with pytest.raises(UnsafeCheckpointError, match=r"\(torch\.nn\.modules\.linear\.Linear\)"):
        checkpoint.load_checkpoint(path)
