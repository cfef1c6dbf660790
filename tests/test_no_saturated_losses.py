"""No loss in notebooks 12 and 13 is fed a probability of exactly 0 or 1.

A float32 sigmoid or softmax rounds a confident enough output to exactly 0 or 1 (a sigmoid
does so beyond a logit of about 16.7). A probability loss then stops measuring confidence:
``nn.BCELoss`` charges its capped log, 100, whatever the logit, and a curve of such losses
jumps by 100/N each time one more point saturates. Notebooks 12 and 13 train over-confident
networks and read their losses, so they must hand losses logits (``nn.BCEWithLogitsLoss``,
``nn.CrossEntropyLoss``), or at least never a saturated probability.

The test runs each notebook in a fresh kernel with torch's probability losses (and the
course's own ``losses.bce``) wrapped to record every call whose input holds a probability of
exactly 0 or 1 (for ``nll_loss``, which takes log-probabilities, a log-probability of -inf).
"""

import json
import os
from pathlib import Path

import nbformat
import pytest
import torch
from nbclient import NotebookClient
from torch import nn

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CHECKED = ["12_generalization.ipynb", "13_capstone_digits.ipynb"]
RECORD_VARIABLE = "SATURATED_LOSSES_RECORD"

# run first in the notebook's kernel: every call of a probability loss with a saturated input
# appends a line to the file $SATURATED_LOSSES_RECORD names
WATCH_LOSSES = """
def _watch_saturated_losses():
    import json, os
    import torch
    import torch.nn.functional as F
    from course_utils import losses

    def saturated_probabilities(p):
        return int(((p == 0) | (p == 1)).sum())

    def infinite_log_probabilities(log_p):
        return int(torch.isneginf(log_p).sum())

    def watch(owner, name, count_saturated):
        loss = getattr(owner, name)

        def watched(input, *args, **kwargs):
            count = count_saturated(input.detach())
            if count:
                with open(os.environ["SATURATED_LOSSES_RECORD"], "a") as record:
                    record.write(json.dumps({"loss": name, "values": count, "of": input.numel()}) + "\\n")
            return loss(input, *args, **kwargs)

        setattr(owner, name, watched)

    watch(F, "binary_cross_entropy", saturated_probabilities)  # nn.BCELoss calls it
    watch(losses, "bce", saturated_probabilities)
    watch(F, "nll_loss", infinite_log_probabilities)  # nn.NLLLoss calls it


_watch_saturated_losses()
"""


def saturated_calls(notebook: nbformat.NotebookNode, folder: Path) -> list[dict]:
    """Run ``notebook`` with the losses watched, in ``folder``; the saturated calls it made."""
    record = folder / "saturated.jsonl"
    record.touch()
    watched = nbformat.v4.new_notebook(metadata=notebook.metadata)
    watched.cells = [nbformat.v4.new_code_cell(WATCH_LOSSES), *notebook.cells]
    client = NotebookClient(
        watched, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute(env={**os.environ, RECORD_VARIABLE: str(record), "OMP_NUM_THREADS": "1"})
    return [json.loads(line) for line in record.read_text().splitlines()]


def test_the_watch_records_a_saturated_probability_and_nothing_else(tmp_path, monkeypatch):
    """The instrumentation itself, in this process: a sigmoid rounded to 1 is caught, logits not."""
    record = tmp_path / "saturated.jsonl"
    record.touch()
    monkeypatch.setenv(RECORD_VARIABLE, str(record))
    from course_utils import losses

    for name in ("binary_cross_entropy", "nll_loss"):
        monkeypatch.setattr(nn.functional, name, getattr(nn.functional, name))
    monkeypatch.setattr(losses, "bce", losses.bce)  # put back what the watch replaces
    exec(WATCH_LOSSES, {})
    logits, labels = torch.tensor([[2.0], [17.0], [-3.0]]), torch.tensor([[1.0], [0.0], [0.0]])
    nn.BCEWithLogitsLoss()(logits, labels)  # logits: never a probability
    nn.BCELoss()(torch.sigmoid(logits[:1]), labels[:1])  # 0.88: not saturated
    nn.BCELoss()(torch.sigmoid(logits), labels)  # sigmoid(17) is exactly 1.0 in float32
    losses.bce(torch.tensor([0.0, 0.5]), torch.tensor([0.0, 1.0]))
    nn.NLLLoss()(torch.log(torch.tensor([[1.0, 0.0]])), torch.tensor([0]))  # log(0) = -inf
    nn.CrossEntropyLoss()(torch.tensor([[30.0, -30.0]]), torch.tensor([0]))  # logits again
    calls = [json.loads(line) for line in record.read_text().splitlines()]
    assert calls == [
        {"loss": "binary_cross_entropy", "values": 1, "of": 3},
        {"loss": "bce", "values": 1, "of": 2},
        {"loss": "nll_loss", "values": 1, "of": 2},
    ]


@pytest.mark.parametrize("name", CHECKED)
def test_no_loss_is_fed_a_probability_of_exactly_0_or_1(name, tmp_path):
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    calls = saturated_calls(notebook, tmp_path)
    assert not calls, (
        f"{name} fed {len(calls)} loss calls a probability of exactly 0 or 1, e.g. {calls[0]}: "
        "such a loss measures rounding, not confidence. Give the loss logits "
        "(nn.BCEWithLogitsLoss, nn.CrossEntropyLoss) instead of probabilities"
    )
