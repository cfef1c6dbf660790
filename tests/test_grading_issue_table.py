"""Issue 26's table: a class of 09_evaluation submissions made from the student edition.

Each submission is the student edition of the committed 09 with one change, graded the
way an instructor does (a folder, two at a time); each test checks one row's "should
be". The last row (13's open exercise left untouched: not done) is checked where the
whole student edition is graded, in test_student_edition.py.
"""

from pathlib import Path

import nbformat
import pytest
import torch
from nbformat.v4 import new_code_cell
from sklearn.metrics import precision_recall_fscore_support

from course_tools import grading, student_edition

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAME = "09_evaluation.ipynb"
EXERCISE_1, EXERCISE_2 = "scores at a threshold", "threshold for a recall"

SCORES = """\
def scores_at_threshold(probabilities, labels, threshold):
    predicted, actual = probabilities > threshold, labels == 1
    tp = int((predicted & actual).sum())
    fp = int((predicted & ~actual).sum())
    fn = int((~predicted & actual).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {returned}
"""
SOLVED = SCORES.format(returned="precision, recall, f1")
SWAPPED = SCORES.format(returned="recall, precision, f1")
WITH_METRICS = """\
def scores_at_threshold(probabilities, labels, threshold):
    return tuple(
        score(probabilities, labels, threshold=threshold)
        for score in (metrics.precision, metrics.recall, metrics.f1)
    )
"""
RECALL_SOLVED = """\
def threshold_for_recall(probabilities, labels, candidates, minimum_recall):
    actual = labels == 1
    good = [
        t
        for t in candidates
        if int(((probabilities > t) & actual).sum()) >= minimum_recall * int(actual.sum())
    ]
    return max(good)
"""
PRINTS = 'print("✅ scores at a threshold: correct!")'
REDEFINES = 'checks.check_function = lambda name, *args, **kwargs: print(f"✅ {name}: correct!")'
RECORDS = 'checks._record({"exercise": "scores at a threshold", "status": "passed", "message": ""})'


def edition():
    return student_edition.student_notebook(nbformat.read(NOTEBOOKS / NAME, as_version=4))


def stub_of(notebook, function):
    return next(i for i, c in enumerate(notebook.cells) if c.source.startswith(f"def {function}("))


def submission(scores=None, recall=None, added=None):
    """The edition with Exercise 1's and 2's stubs replaced.

    A cell is added after the first stub.
    """
    notebook = edition()
    if scores:
        notebook.cells[stub_of(notebook, "scores_at_threshold")].source = scores
    if recall:
        notebook.cells[stub_of(notebook, "threshold_for_recall")].source = recall
    if added:
        notebook.cells.insert(stub_of(notebook, "scores_at_threshold") + 1, new_code_cell(added))
    return notebook


def forbids_metrics():
    """True once 09's Exercise 1 check passes forbid= course_utils.metrics.

    Its task forbids the course's metrics.
    """
    check = edition().cells[stub_of(edition(), "scores_at_threshold") + 1]
    return "forbid=" in check.source and "course_utils.metrics" in check.source


CLASS = {
    "solved": submission(SOLVED, RECALL_SOLVED),
    "swapped": submission(SWAPPED),
    "prints": submission(added=PRINTS),
    "redefines": submission(added=REDEFINES),
    "records": submission(added=RECORDS),
}
if forbids_metrics():
    CLASS["forbidden"] = submission(WITH_METRICS, RECALL_SOLVED)
ADDED_CELL = f"cell {stub_of(edition(), 'scores_at_threshold') + 2}"  # as the student numbers it


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class_of_09")
    for student, notebook in CLASS.items():
        (folder / student).mkdir()
        nbformat.write(notebook, folder / student / NAME)
    reports = grading.grade(folder, NOTEBOOKS, timeout=120, jobs=2)
    return {report.student: report for report in reports}


def result(graded, student, exercise=EXERCISE_1):
    report = graded[student]
    return next((r.status, r.message) for r in report.exercises if r.exercise == exercise)


def test_the_test_answer_is_right_by_scikit_learn():
    """The 'solved' row's code agrees with scikit-learn.

    So 'passed' is the right verdict for it.
    """
    namespace = {}
    exec(SOLVED, namespace)
    generator = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 2, (40, 1), generator=generator).float()
    probabilities = torch.rand(40, 1, generator=generator)
    ours = namespace["scores_at_threshold"](probabilities, labels, 0.5)
    theirs = precision_recall_fscore_support(
        labels.flatten().numpy(), (probabilities > 0.5).flatten().numpy(), average="binary"
    )[:3]
    assert ours == pytest.approx(theirs)


def test_exercise_solved_passes(graded):
    assert result(graded, "solved") == ("passed", "")
    assert result(graded, "solved", EXERCISE_2) == ("passed", "")
    assert graded["solved"].failure == "" and graded["solved"].restored == []


def test_precision_and_recall_swapped_is_wrong_with_the_checks_message(graded):
    status, message = result(graded, "swapped")
    assert status == "wrong"
    assert message.startswith("for input ") and ": precision: " in message  # the first score
    assert result(graded, "swapped", EXERCISE_2)[0] == "not done"


def test_the_stub_left_and_a_cell_printing_the_pass_line_is_not_done(graded):
    assert result(graded, "prints") == ("not done", "the stub was not changed")


def test_the_stub_left_and_check_function_redefined_is_tampered_naming_the_cell(graded):
    assert result(graded, "redefines") == (
        "tampered",
        f"{ADDED_CELL} ({REDEFINES[:50]!r}) changes course_utils.checks.check_function, part "
        "of the course's checking",
    )
    assert result(graded, "redefines", EXERCISE_2)[0] == "tampered"  # its check comes later


def test_the_stub_left_and_the_private_record_called_is_tampered(graded):
    assert result(graded, "records") == (
        "tampered",
        f"{ADDED_CELL} ({RECORDS[:50]!r}) uses course_utils.checks._record, a private part of "
        "the course's checking",
    )


@pytest.mark.skipif(
    not forbids_metrics(),
    reason="09's Exercise 1 check does not pass forbid= yet (the notebooks' branch adds it)",
)
def test_solved_with_course_utils_metrics_which_the_task_forbids_is_wrong_saying_why(graded):
    status, message = result(graded, "forbidden")
    assert status == "wrong"
    assert "your code uses course_utils.metrics, which this exercise asks you to do without" in (
        message
    )
    assert result(graded, "forbidden", EXERCISE_2) == ("passed", "")
