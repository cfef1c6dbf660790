"""The dropout check of notebook 12 rejects a mask shared down a column of a batch.

One random choice per feature, kept or dropped for every example of the batch, keeps
the right share of values overall and decides neighbours in a row independently; only
neighbours one above the other show that they were decided together. The notebook's
solution must still pass.
"""

import pytest
import torch

from tests.exercise_cells import run_check, solution_of

pytestmark = pytest.mark.usefixtures("fresh_checker")

NOTEBOOK = "12_generalization"
SETUP = ["d94b28a8", "3295e376"]  # the imports; dropout_behaviour and expected_behaviour
CHECK = "6838a695"


def one_choice_per_column(x, p, training):
    """A plausible slip: a mask of one value per feature, broadcast down the batch."""
    if not training:
        return x
    keep = torch.rand(x.shape[-1]) >= p
    return x * keep / (1 - p)


def exactly_the_share_per_column(x, p, training):
    """The same slip, with exactly 1 - p of the columns kept: right on all else."""
    if not training:
        return x
    columns = x.shape[-1]
    keep = torch.zeros(columns, dtype=torch.bool)
    keep[torch.randperm(columns)[: round((1 - p) * columns)]] = True
    return x * keep / (1 - p)


@pytest.mark.parametrize("wrong", [one_choice_per_column, exactly_the_share_per_column])
def test_a_mask_shared_down_the_columns_is_told_that_values_are_not_independent(wrong):
    printed = run_check(NOTEBOOK, SETUP, CHECK, dropout=wrong)
    assert printed.startswith("❌ dropout:"), printed
    assert "'independent'" in printed, printed
    assert "not a pattern, whole rows or whole columns" in printed, printed


def test_the_solution_passes_the_dropout_check():
    solution = solution_of(NOTEBOOK, "371f096d", "dropout_solution", SETUP)
    printed = run_check(NOTEBOOK, SETUP, CHECK, dropout=solution)
    assert printed.startswith("✅ dropout: correct"), printed
