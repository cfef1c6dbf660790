"""Notebook 13's exercises: right answers pass, and wrong ones hear what to change.

Exercise 1 (predict or abstain): a softmax in float64 is a right answer; the case whose
top probability equals the threshold must be exact in float64 as in float32. Exercise 2
(settings that do better): settings that train_digits cannot take get an error that
says what to change, before any training. Exercise 3 (precision and recall per class):
one stacked tensor where two are asked for is told to return them one by one.
"""

import numpy as np
import pytest
import torch

from tests.exercise_cells import namespace_after, run_check, solution_of

pytestmark = pytest.mark.usefixtures("fresh_checker")

NOTEBOOK = "13_capstone_digits"
IMPORTS = "d25b683d"
ABSTAIN_CHECK, ABSTAIN_SOLUTION = (
    "8dd0d8092fe74a7c96281538738b07e2",
    "8edb47106e1a46a883d545849b8ab81b",
)
SCORE, SETTINGS_CHECK = ["0e984072", "a7c3e9d1"], "2ec4f3d4"  # validation_score, check_settings
MATRIX_CHECK, MATRIX_SOLUTION = "f764b053", "03348267"


def abstain_in_float64(logits, threshold):
    """A right answer: the probabilities worked out in double precision."""
    confidence, predicted = logits.double().softmax(dim=1).max(dim=1)
    return torch.where(confidence >= threshold, predicted, -1)


def test_a_softmax_in_float64_passes_predict_or_abstain():
    printed = run_check(NOTEBOOK, [IMPORTS], ABSTAIN_CHECK, predict_or_abstain=abstain_in_float64)
    assert printed.startswith("✅ predict_or_abstain: correct"), printed


def test_the_solution_passes_predict_or_abstain():
    right = solution_of(NOTEBOOK, ABSTAIN_SOLUTION, "predict_or_abstain_solution", [IMPORTS])
    printed = run_check(NOTEBOOK, [IMPORTS], ABSTAIN_CHECK, predict_or_abstain=right)
    assert printed.startswith("✅ predict_or_abstain: correct"), printed


GOOD = {"hidden_units": 128, "lr": 0.003, "weight_decay": 0.01, "dropout": 0.0}


@pytest.mark.parametrize(
    ("settings", "error", "told"),
    [
        ((128, 0.003, 0.01, 0.0), TypeError, "the settings are a dict, like {"),
        (
            {key: GOOD[key] for key in ("hidden_units", "lr", "weight_decay")},
            ValueError,
            "missing: ['dropout']; not one of them: none",
        ),
        (
            {"hidden_unit": 128} | {k: v for k, v in GOOD.items() if k != "hidden_units"},
            ValueError,
            "missing: ['hidden_units']; not one of them: ['hidden_unit']",
        ),
        (GOOD | {"epochs": 30}, ValueError, "not one of them: ['epochs']"),
        (GOOD | {"hidden_units": 128.0}, ValueError, "a whole number like 64; got 128.0"),
        (GOOD | {"lr": 0}, ValueError, "lr is the step's size, a number above 0"),
        (GOOD | {"weight_decay": -0.1}, ValueError, "weight_decay is 0 or a number above it"),
        (GOOD | {"dropout": 1.5}, ValueError, "dropout is a probability"),
        (GOOD | {"dropout": "0.2"}, ValueError, "got '0.2'"),
    ],
)
def test_settings_train_digits_cannot_take_get_an_error_that_says_what_to_change(
    settings, error, told
):
    with pytest.raises(error) as raised:
        run_check(NOTEBOOK, [IMPORTS, *SCORE], SETTINGS_CHECK, my_settings=settings)
    assert told in str(raised.value)


def test_settings_of_numpy_numbers_from_a_grid_are_taken():
    namespace = namespace_after(NOTEBOOK, [IMPORTS, *SCORE])
    grid = np.arange(32, 257, 32)  # a search over hidden sizes gives NumPy integers
    settings = {
        "hidden_units": grid[3],
        "lr": np.float32(0.003),
        "weight_decay": np.float64(0.01),
        "dropout": np.int64(0),
    }
    namespace["check_settings"](settings)  # raises if it refuses them


def stacked_precision_and_recall(matrix):
    """Right values, but in one (2, C) tensor where the task asks for two tensors."""
    correct = matrix.diagonal().float()
    precision = torch.nan_to_num(correct / matrix.sum(dim=0))
    recall = torch.nan_to_num(correct / matrix.sum(dim=1))
    return torch.stack([precision, recall])


def printed_by_the_matrix_check(precision_and_recall):
    """What the precision_and_recall check prints for an answer, on made-up labels."""
    some_labels = torch.arange(10).repeat(5)  # the trained model's predictions are not needed
    return run_check(
        NOTEBOOK,
        [IMPORTS],
        MATRIX_CHECK,
        precision_and_recall=precision_and_recall,
        y_pred=some_labels.roll(1),
        y_test=some_labels,
    )


def test_one_stacked_tensor_is_told_to_return_precision_and_recall_one_by_one():
    printed = printed_by_the_matrix_check(stacked_precision_and_recall)
    assert printed.startswith("❌ precision_and_recall:"), printed
    assert "but 2 separate results were expected, as a tuple" in printed, printed


def test_precision_and_recall_swapped_are_named():
    def swapped(matrix):
        correct = matrix.diag().double()
        return correct / matrix.sum(dim=1).clamp(min=1), correct / matrix.sum(dim=0).clamp(min=1)

    printed = printed_by_the_matrix_check(swapped)
    assert printed.startswith("❌ precision_and_recall: for input "), printed
    assert ": precision: " in printed, printed
    assert "item 0" not in printed, printed
