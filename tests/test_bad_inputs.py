"""Every bad input a student is likely to give the public API gets a clear error.

Each case says what went wrong, calls the API with it, and requires the exception type and the
phrases of the message that name this cause (and tell it apart from every other case's) and
say what to do. The README's table "When something is wrong" is made from these cases and the
messages they really raise:
`python tests/test_bad_inputs.py --write-readme` rewrites it, and a test fails when the README is
out of date.
"""

from __future__ import annotations

import contextlib
import pickle
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from torch import nn

from course_utils import checkpoint, data, losses, metrics, models, optim, training

README = Path(__file__).resolve().parents[1] / "README.md"


@dataclass(frozen=True)
class Case:
    what: str  # what the student did
    call: Callable[[], object]
    error: type[BaseException]
    says: tuple[str, ...]  # phrases the message must contain: its cause, and what to do


def blobs_loader(X=None, y=None, batch_size=32):
    X = torch.randn(64, 2) if X is None else X
    y = (X[:, :1] > 0).float() if y is None else y
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=batch_size)


def fit_with(
    X=None, y=None, lr=0.01, other_model=False, optimizer_class=torch.optim.Adam, loss_fn=None
):
    torch.manual_seed(0)
    model = models.SimpleClassifier(2, 10)
    target = models.SimpleClassifier(2, 10) if other_model else model
    optimizer = optimizer_class(target.parameters(), lr=lr)
    loss_fn = nn.BCELoss() if loss_fn is None else loss_fn
    return training.fit(model, blobs_loader(X, y), loss_fn, optimizer, epochs=2)


def data_with(value: float, in_labels: bool = False) -> dict[str, torch.Tensor]:
    """64 blob points with ``value`` (NaN or inf) in row 5 of the inputs, or of the labels."""
    torch.manual_seed(0)
    X = torch.randn(64, 2)
    y = (X[:, :1] > 0).float()
    (y if in_labels else X)[5, 0] = value
    return {"X": X, "y": y}


def in_scratch_folder(call: Callable[[], object]) -> Callable[[], object]:
    """Run ``call`` in a fresh temporary folder holding one good checkpoint, ``good.pt``."""

    def run():
        with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
            torch.manual_seed(0)
            checkpoint.save_checkpoint("good.pt", models.SimpleClassifier(2, 10))
            return call()

    return run


def write_and_load(name: str, content: bytes | None = None, state_dict: bool = False):
    if state_dict:
        torch.save(models.SimpleClassifier(2, 10).state_dict(), name)
    else:
        with open(name, "wb") as file:
            file.write(content)
    return checkpoint.load_checkpoint(name)


class RunsCode:
    """A pickle that would call print() when unpickled: harmless, but code all the same."""

    def __reduce__(self):
        return (print, ("this ran while loading",))


def interrupted_save():
    """A save that fails halfway (the disk fills up) must leave the previous checkpoint intact."""
    before = open("good.pt", "rb").read()

    def fails_midway(obj, file, *args, **kwargs):
        file.write(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    real_save, torch.save = torch.save, fails_midway
    try:
        checkpoint.save_checkpoint("good.pt", models.SimpleClassifier(2, 10))
    finally:
        torch.save = real_save
        assert open("good.pt", "rb").read() == before, "the previous checkpoint was damaged"
        checkpoint.load_checkpoint("good.pt")  # and it still loads


CASES = [
    Case("model given 3 features, built for 2", lambda: models.SimpleClassifier(2, 10)(torch.zeros(4, 3)), ValueError, ("expected input of shape (N, 2), got (4, 3)", "built for 2 features")),
    Case("model given one example without the batch dimension", lambda: models.SimpleClassifier(2, 10)(torch.zeros(2)), ValueError, ("got (2,)", "x.unsqueeze(0) to add the batch dimension")),
    Case("model given integer data", lambda: models.SimpleClassifier(2, 10)(torch.zeros(4, 2, dtype=torch.long)), TypeError, ("floating-point input, got dtype torch.int64", "x.float()")),
    Case("X and y of different lengths", lambda: data.train_test_split(torch.zeros(10, 2), torch.zeros(9, 1)), ValueError, ("X has 10 rows, y has 9",)),
    Case("a split that leaves a set empty", lambda: data.train_test_split(torch.zeros(3, 2), torch.zeros(3, 1), 0.1), ValueError, ("train_fraction=0.1 leave one of the two sets empty", "more data")),
    Case("zero examples asked for", lambda: data.make_blobs(n_per_class=0), ValueError, ("n_per_class must be a positive whole number, got 0",)),
    Case("optimizer built for another model", lambda: fit_with(other_model=True), ValueError, ("built for another model's parameters", "optimizer = torch.optim.Adam(model.parameters()")),
    Case("NaN in the training data", lambda: fit_with(**data_with(float("nan"))), training.TrainingDiverged, ("inputs hold 1 NaN value", "The data is bad", "torch.isfinite(X)")),
    Case("inf in the training data", lambda: fit_with(**data_with(float("inf"))), training.TrainingDiverged, ("inputs hold 1 inf value", "The data is bad", "torch.isfinite(X)")),
    Case("NaN in the labels", lambda: fit_with(**data_with(float("nan"), in_labels=True)), training.TrainingDiverged, ("labels hold 1 NaN value", "The data is bad", "torch.isfinite(y)")),
    Case("a learning rate that diverges", lambda: fit_with(lr=1e30, optimizer_class=torch.optim.SGD), training.TrainingDiverged, ("predictions contain", "inputs and labels are finite", "learning rate that is too high (lr = 1e+30)")),
    Case("a learning rate that diverges, with the course's own bce", lambda: fit_with(lr=1e30, optimizer_class=torch.optim.SGD, loss_fn=losses.bce), training.TrainingDiverged, ("predictions contain", "inputs and labels are finite", "learning rate that is too high (lr = 1e+30)")),
    Case("evaluating on an empty loader", lambda: training.evaluate(models.SimpleClassifier(2, 3), [], nn.BCELoss()), ValueError, ("the loader gave no examples",)),
    Case("metrics on empty predictions", lambda: metrics.accuracy(torch.tensor([]), torch.tensor([])), ValueError, ("y_pred and y_true are empty",)),
    Case("metrics given logits instead of probabilities", lambda: metrics.precision(torch.tensor([0.2, 3.0]), torch.tensor([0.0, 1.0])), ValueError, ("outside [0, 1]", "logits", "torch.sigmoid")),
    Case("predictions and labels of different lengths", lambda: metrics.recall(torch.tensor([0.2, 0.9, 0.4]), torch.tensor([0.0, 1.0])), ValueError, ("got 3 predictions and 2 labels",)),
    Case("a threshold that is not a probability", lambda: metrics.accuracy(torch.tensor([0.2, 0.9]), torch.tensor([0.0, 1.0]), threshold=50), ValueError, ("threshold must be a number between 0 and 1", "got 50")),
    Case("loss given predictions (N, 1) and targets (N,)", lambda: losses.mse(torch.zeros(4, 1), torch.zeros(4)), ValueError, ("pred has shape (4, 1) but target has shape (4,)", "target.unsqueeze(1)")),
    Case("binary cross-entropy given logits", lambda: losses.bce(torch.tensor([0.5, 2.0]), torch.tensor([0.0, 1.0])), ValueError, ("expects probabilities in [0, 1] as pred, got 2", "bce_with_logits")),
    Case("cross-entropy given float class labels", lambda: losses.cross_entropy(torch.zeros(3, 4), torch.tensor([0.0, 1.0, 2.0])), TypeError, ("integer class indices", "target.long()")),
    Case("cross-entropy given rows that mark several classes (multi-label targets)", lambda: losses.cross_entropy(torch.zeros(3, 4), torch.eye(4)[:3] + torch.eye(4)[1:]), ValueError, ("row 0 is [1.0, 1.0, 0.0, 0.0]", "bce_with_logits")),
    Case("cross-entropy given probabilities (a softmax's output) instead of logits", lambda: losses.cross_entropy(torch.randn(3, 10).softmax(dim=1), torch.tensor([1, 7, 9])), ValueError, ("look like probabilities",)),
    Case("cross-entropy for 10 classes from a model with 1 output", lambda: losses.cross_entropy(torch.randn(3, 1), torch.tensor([1, 7, 9])), ValueError, ("needs C outputs",)),
    Case("a batch on another device than the model (meta stands in for a GPU)", lambda: models.MulticlassMLP(64, 8, 10)(torch.zeros(2, 64, device="meta")), ValueError, ("x = x.to(device)",)),
    Case("loading a checkpoint that does not exist", in_scratch_folder(lambda: checkpoint.load_checkpoint("nope.pt")), FileNotFoundError, ("no checkpoint at 'nope.pt'", "The folder holds: good.pt")),
    Case("loading a bare state_dict as a checkpoint", in_scratch_folder(lambda: write_and_load("weights.pth", state_dict=True)), checkpoint.NotACheckpointError, ("holds a bare state_dict", "model.load_state_dict(")),
    Case("loading a file that is not PyTorch's", in_scratch_folder(lambda: write_and_load("notes.txt", b"hello")), checkpoint.NotACheckpointError, ("is not a PyTorch file", "it is text, starting with 'hello'")),
    Case("loading a truncated checkpoint", in_scratch_folder(lambda: write_and_load("half.pt", open("good.pt", "rb").read()[:1500])), checkpoint.CorruptCheckpointError, ("truncated or corrupted", "cannot be read as a zip archive", "Copy it again")),
    Case("loading with a device name PyTorch does not know", in_scratch_folder(lambda: checkpoint.load_checkpoint("good.pt", map_location="gpu")), checkpoint.CheckpointError, ("map_location='gpu' is not a device PyTorch knows", "use 'cpu', 'cuda'")),
    Case("loading into a model of another architecture", in_scratch_folder(lambda: checkpoint.load_checkpoint("good.pt", model=models.SimpleClassifier(2, 20))), checkpoint.ArchitectureMismatchError, ("holds the weights of a SimpleClassifier(input_features=2, hidden_units=10)", "linear1.weight: file (10, 2), model (20, 2)", "load_model(path)")),
    Case("loading a file whose unpickling would run code", in_scratch_folder(lambda: write_and_load("gift.pt", pickle.dumps(RunsCode()))), checkpoint.UnsafeCheckpointError, ("arbitrary Python objects (builtins.print)", "only load files you trust")),
    Case("saving into a folder that does not exist", in_scratch_folder(lambda: checkpoint.save_checkpoint("runs/model.pt", models.SimpleClassifier(2, 10))), FileNotFoundError, ("the folder 'runs' does not exist", "mkdir")),
    Case("a save interrupted midway (disk full): the previous checkpoint is kept", in_scratch_folder(interrupted_save), OSError, ("No space left on device",)),
    Case("a negative learning rate", lambda: optim.Adam([torch.zeros(1, requires_grad=True)], lr=-1), ValueError, ("Invalid learning rate: -1", "must be 0 or more")),
    Case("Nesterov without momentum", lambda: optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, nesterov=True), ValueError, ("Nesterov momentum requires a momentum", "momentum=0.9")),
]  # fmt: skip


def raised(case: Case) -> BaseException:
    with pytest.raises(case.error) as caught:
        case.call()
    return caught.value


@pytest.mark.parametrize("case", CASES, ids=[c.what for c in CASES])
def test_bad_input_gets_a_clear_error(case):
    message = str(raised(case))
    for phrase in case.says:
        assert phrase in message, f"{case.what}: {message!r} does not say {phrase!r}"
    assert len(message) > 30, "an error for a student says what was wrong and what to do"


# the same cause reached two ways: their messages may (and should) share every phrase
SAME_CAUSE = {
    "a learning rate that diverges",
    "a learning rate that diverges, with the course's own bce",
}


def test_each_case_requires_phrases_that_no_other_cases_message_has_all_of():
    """A case's phrases tell its cause apart: no other case's message contains them all."""
    messages = {case.what: str(raised(case)) for case in CASES}
    for case in CASES:
        for other, message in messages.items():
            if other == case.what or {other, case.what} <= SAME_CAUSE:
                continue
            assert not all(phrase in message for phrase in case.says), (
                f"the phrases of {case.what!r} also fit the message of {other!r}: require the "
                "words that name this cause"
            )


def readme_table() -> str:
    lines = ["| what went wrong | error | what it says |", "|---|---|---|"]
    for case in CASES:
        error = raised(case)
        message = " ".join(str(error).split()).replace("|", "\\|")
        lines.append(f"| {case.what} | `{type(error).__name__}` | {message} |")
    return "\n".join(lines)


def test_readme_lists_every_case_with_its_real_message():
    assert readme_table() in README.read_text(), (
        "the README's error table is out of date: run "
        "`.venv/bin/python tests/test_bad_inputs.py --write-readme`"
    )


def write_readme() -> None:
    start, end = "<!-- ERROR TABLE START -->\n", "<!-- ERROR TABLE END -->"
    text = README.read_text()
    before, rest = text.split(start)
    after = rest.split(end)[1]
    README.write_text(before + start + readme_table() + "\n" + end + after)


if __name__ == "__main__":
    if "--write-readme" in sys.argv:
        write_readme()
    else:
        sys.stdout.write(readme_table() + "\n")
