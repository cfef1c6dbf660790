"""The checks of notebook 09's two exercises reject the slips their tasks invite.

Exercise 1 (precision, recall and F1 at a threshold): a recall without its guard for a
set with no point of class 1. Exercise 2 (the threshold for a required recall): a loop
that never returns the highest candidate, and a recall that counts a probability equal
to the threshold as class 1. Each slip passed the check before it had a case of its own;
the notebook's solutions must still pass.
"""

import itertools

import pytest

from course_utils import metrics
from tests.exercise_cells import run_check, solution_of

pytestmark = pytest.mark.usefixtures("fresh_checker")

NOTEBOOK = "09_evaluation"
IMPORTS = "0f23ab43"
SCORES_CHECK, SCORES_SOLUTION = "a9a01e4f", "a105e3ec"
RECALL_CHECK, RECALL_SOLUTION = "d43f10e2", "d68ea294"


def scores_without_the_recall_guard(probabilities, labels, threshold):
    """Precision and F1 guarded, recall not: a set without class 1 divides by zero."""
    predicted, actual = probabilities > threshold, labels == 1
    tp = (predicted & actual).sum().item()
    fp = (predicted & ~actual).sum().item()
    fn = (~predicted & actual).sum().item()
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def returns_the_one_before_the_first_too_low(probabilities, labels, candidates, minimum_recall):
    """Walks up the sorted candidates, but never returns the last one."""
    ordered = sorted(candidates)
    for previous, threshold in itertools.pairwise(ordered):
        if metrics.recall(probabilities, labels, threshold=threshold) < minimum_recall:
            return previous
    return None


def counts_an_equal_probability_as_class_1(probabilities, labels, candidates, minimum_recall):
    """Its own recall, with >= where the task (and metrics.recall) use >."""

    def recall(threshold):
        predicted, actual = probabilities >= threshold, labels == 1
        return (predicted & actual).sum().item() / actual.sum().item()

    return max(t for t in candidates if recall(t) >= minimum_recall)


def test_a_recall_without_its_guard_is_told_about_a_set_without_class_1():
    printed = run_check(
        NOTEBOOK, [IMPORTS], SCORES_CHECK, scores_at_threshold=scores_without_the_recall_guard
    )
    assert printed.startswith("❌ scores at a threshold:"), printed
    assert "ZeroDivisionError" in printed, printed
    assert "No point here is class 1: recall has nothing to count" in printed, printed


@pytest.mark.parametrize(
    ("wrong", "told"),
    [
        (returns_the_one_before_the_first_too_low, "even the highest candidate, 0.2"),
        (counts_an_equal_probability_as_class_1, "One probability here equals a candidate"),
    ],
)
def test_a_wrong_threshold_for_a_recall_is_rejected_with_its_hint(wrong, told):
    printed = run_check(NOTEBOOK, [IMPORTS], RECALL_CHECK, threshold_for_recall=wrong)
    assert printed.startswith("❌ threshold for a recall:"), printed
    assert told in printed, printed


@pytest.mark.parametrize(
    ("check", "solution", "name", "stub"),
    [
        (SCORES_CHECK, SCORES_SOLUTION, "scores_at_threshold_solution", "scores_at_threshold"),
        (RECALL_CHECK, RECALL_SOLUTION, "threshold_for_recall_solution", "threshold_for_recall"),
    ],
)
def test_the_solutions_pass(check, solution, name, stub):
    right = solution_of(NOTEBOOK, solution, name, [IMPORTS])
    printed = run_check(NOTEBOOK, [IMPORTS], check, **{stub: right})
    assert printed.startswith("✅"), printed


def test_a_wrong_score_is_named():
    def precision_and_recall_swapped(probabilities, labels, threshold):
        precision, recall, f1 = scores_without_the_recall_guard(probabilities, labels, threshold)
        return recall, precision, f1

    printed = run_check(
        NOTEBOOK, [IMPORTS], SCORES_CHECK, scores_at_threshold=precision_and_recall_swapped
    )
    assert printed.startswith("❌ scores at a threshold: for input "), printed
    assert ": precision: got " in printed, printed
    assert "item 0" not in printed, printed
