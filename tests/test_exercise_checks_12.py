"""The checks of notebook 12's exercises reject the slips that used to pass them.

Exercise 1 (early stopping's rule): a function that sorts the caller's list of losses
in place. Exercise 2 (the L2 penalty): a penalty of the 2-D weights only, or of the
Linear layers only, where the task asks for every parameter of 2 or more dimensions.
Exercise 3 (dropout): one random choice per feature, kept or dropped for every example
of the batch, keeps the right share of values overall and decides neighbours in a row
independently; only neighbours one above the other show that they were decided
together. The notebook's solutions must still pass.
"""

import pytest
import torch
from torch import nn

from course_utils import regularization, training
from tests.exercise_cells import run_check, solution_of

pytestmark = pytest.mark.usefixtures("fresh_checker")

NOTEBOOK = "12_generalization"
SETUP = ["d94b28a8", "3295e376"]  # the imports; dropout_behaviour and expected_behaviour
CHECK = "6838a695"
IMPORTS, BUILD_NETWORK = "d94b28a8", "3582c0cd"  # the imports; EPOCHS, build_network
STOP_CHECK, STOP_SOLUTION = "7ee701ef", "c9c69794"
PENALTY_CHECK, PENALTY_SOLUTION = "005d03a4", "ded19284"


def sorts_the_losses_in_place(val_losses, patience):
    """The right answer, worked out first; then the caller's list is sorted."""
    if not val_losses:
        return False
    epochs_since_best = len(val_losses) - 1 - val_losses.index(min(val_losses))
    val_losses.sort()
    return epochs_since_best >= patience


def matrices_only(model, weight_decay):
    """Only parameters of exactly 2 dimensions: a convolution's 4-D weight left out."""
    return weight_decay / 2 * sum((p**2).sum() for p in model.parameters() if p.dim() == 2)


def linear_layers_only(model, weight_decay):
    """Only the weights of Linear layers, found by the layer's type."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    return weight_decay / 2 * sum((m.weight**2).sum() for m in linears)


def test_a_should_stop_that_sorts_the_callers_losses_is_told_so():
    printed = run_check(NOTEBOOK, [IMPORTS], STOP_CHECK, should_stop=sorts_the_losses_in_place)
    assert printed.startswith("❌ should_stop:"), printed
    assert "changed its input `val_losses` in place" in printed, printed


@pytest.mark.parametrize("wrong", [matrices_only, linear_layers_only])
def test_a_penalty_that_leaves_out_a_convolution_is_told_about_its_4_dimensions(wrong):
    printed = run_check(NOTEBOOK, [IMPORTS, BUILD_NETWORK], PENALTY_CHECK, l2_penalty=wrong)
    assert printed.startswith("❌ l2_penalty:"), printed
    assert "A convolution's weight has 4 dimensions" in printed, printed


def test_the_packages_own_answers_are_refused():
    """The references the checks compare with, called as the answer."""
    printed = run_check(
        NOTEBOOK,
        [IMPORTS],
        STOP_CHECK,
        should_stop=lambda val_losses, patience: training.should_stop(val_losses, patience),
    )
    assert "your code uses course_utils.training" in printed, printed
    printed = run_check(
        NOTEBOOK,
        [IMPORTS, BUILD_NETWORK],
        PENALTY_CHECK,
        l2_penalty=lambda model, decay: regularization.l2_penalty(model, decay),
    )
    assert "your code uses course_utils.regularization" in printed, printed


@pytest.mark.parametrize(
    "ready_made",
    [
        lambda x, p, training: nn.functional.dropout(x, p, training),
        lambda x, p, training: nn.Dropout(p).train(training)(x),
        lambda x, p, training: torch.dropout(x, p, training),
        lambda x, p, training: regularization.Dropout(p).train(training)(x),
    ],
    ids=["F.dropout", "nn.Dropout", "torch.dropout", "the course's Dropout"],
)
def test_a_ready_made_dropout_is_refused(ready_made):
    printed = run_check(NOTEBOOK, SETUP, CHECK, dropout=ready_made)
    assert printed.startswith("❌ dropout:"), printed
    assert "dropout from random numbers is the exercise" in printed, printed


@pytest.mark.parametrize(
    ("check", "solution", "name", "stub", "setup"),
    [
        (STOP_CHECK, STOP_SOLUTION, "should_stop_solution", "should_stop", [IMPORTS]),
        (
            PENALTY_CHECK,
            PENALTY_SOLUTION,
            "l2_penalty_solution",
            "l2_penalty",
            [IMPORTS, BUILD_NETWORK],
        ),
    ],
)
def test_the_solutions_of_exercises_1_and_2_pass(check, solution, name, stub, setup):
    right = solution_of(NOTEBOOK, solution, name, setup)
    printed = run_check(NOTEBOOK, setup, check, **{stub: right})
    assert printed.startswith("✅"), printed


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
