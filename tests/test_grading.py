"""make grade on a class: the course's own checks decide, each submission in a sandbox.

The course here is a small notebook written by the test, with two exercises (`my_relu`,
whose task forbids course_utils.activations, and `answer`); a class of submissions made
from it (done, a mistake, the stub left, the answer in a new cell, check cells edited or
deleted, results forged from a cell or from inside the check, a check replaced, a
notebook that fails or dies) is graded once, two at a time, through the command line;
each test reads one part of the result.
"""

import contextlib
import csv
import io
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course_tools import grading, student_edition
from course_utils import checks

NAME = "07_mini.ipynb"
RELU_STUB = "def my_relu(x):\n    # YOUR CODE HERE\n    raise NotImplementedError"
RELU_CHECK = (
    '_ = checks.check_function("my_relu", my_relu, torch.relu, CASES, hints=["idea"],\n'
    '    forbid={"course_utils.activations": "write it with torch.where or clamp"})'
)
# A stub that runs, as 13's open exercise once had: its check alone would say "wrong"
ANSWER_STUB = "answer = 2.0  # YOUR CHANGES HERE: make it three"
ANSWER_CHECK = '_ = checks.check_close("answer", answer, 3.0, hints=["count to three"])'
FIRST = (
    "import torch\n\nfrom course_utils import activations, checks\n\n"
    "CASES = [torch.tensor([-1.0, 0.0, 2.0]), torch.linspace(-3, 3, 7)]"
)
# A result sent the way the checks send theirs, its type built at run time (the scan
# cannot see it): the grader must still not take it for the check's.
FORGE = (
    "from IPython.display import display\n\n"
    'kind = "application/vnd.course-utils." + "check-result+json"\n'
    'display({kind: {"exercise": "my_relu", "status": "passed", "message": ""}}, raw=True)'
)


def solution_cell(source, printed):
    cell = new_code_cell(source, outputs=[new_output("stream", name="stdout", text=printed)])
    cell.metadata.update(
        {
            "jupyter": {"source_hidden": True},
            "slideshow": {"slide_type": "skip"},
            "tags": ["solution"],
        }
    )
    return cell


def hidden(cell):
    cell.metadata["jupyter"] = {"source_hidden": True}
    return cell


def course_notebook():
    """The course edition; its cells keep their ids from one call to the next.

    So a notebook keeps them from the course to the student edition and through
    JupyterLab.
    """
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# A small course notebook"),
            new_code_cell(FIRST),
            new_markdown_cell("**Exercise**: write `my_relu(x)` without `activations`."),
            new_code_cell(RELU_STUB),
            hidden(new_code_cell(RELU_CHECK)),
            new_markdown_cell("**Solution** (expand the hidden cell below only after trying)"),
            solution_cell(
                "# Solution: one possible answer\ndef my_relu_solution(x):\n"
                "    return x.clamp(min=0)\n\n\n"
                '_ = checks.check_function("my_relu", my_relu_solution, torch.relu, CASES, '
                "solution=True)",
                "✅ the solution of my_relu: correct!\n",
            ),
            new_markdown_cell("**Exercise**: set `answer` to three."),
            new_code_cell(ANSWER_STUB),
            hidden(new_code_cell(ANSWER_CHECK)),
            new_markdown_cell("**Solution**"),
            solution_cell(
                "# Solution\nanswer_solution = 1.0 + 2.0\n"
                '_ = checks.check_close("answer", answer_solution, 3.0, solution=True)',
                "✅ the solution of answer: correct!\n",
            ),
            new_code_cell('print("the end")'),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"
    return notebook


def edition():
    """The student edition of the small course notebook: what a student starts from."""
    return student_edition.student_notebook(course_notebook())


def cell_with(notebook, text):
    return next(i for i, cell in enumerate(notebook.cells) if text in cell.source)


def changed(replacements=(), added=(), deleted=()):
    """The edition with some cells' source replaced, cells added, cells deleted.

    ``replacements``: (text in the cell, new source); ``added``: (text in the cell it
    follows, source); ``deleted``: text in the cell.
    """
    notebook = edition()
    for text, source in replacements:
        notebook.cells[cell_with(notebook, text)].source = source
    for text, source in added:
        notebook.cells.insert(cell_with(notebook, text) + 1, new_code_cell(source))
    for text in deleted:
        del notebook.cells[cell_with(notebook, text)]
    return notebook


RELU_DONE = "def my_relu(x):\n    return torch.where(x > 0, x, 0.0)"
CLASS = {
    "edition": edition(),
    "done": changed([("def my_relu", RELU_DONE), ("answer = 2.0", "answer = 3.0")]),
    "mistake": changed([("def my_relu", "def my_relu(x):\n    return x.abs()")]),
    "copied": course_notebook(),  # the course edition itself, solutions and all
    "new_cell": changed(added=[("def my_relu", RELU_DONE)]),  # the stub left, answered below
    "restored": changed(
        [
            ("def my_relu", "def my_relu(x):\n    return x.abs()"),
            # an edited check that compares the answer with itself
            ("check_function", '_ = checks.check_function("my_relu", my_relu, my_relu, CASES)'),
            ("answer = 2.0", "answer = 3.0"),
        ],
        deleted=["check_close"],
    ),
    "forged_cell": changed(  # a wrong answer, and a "passed" sent after its check
        [("def my_relu", "def my_relu(x):\n    return x.abs()")],
        added=[("check_function", FORGE)],
    ),
    "forged_inside": changed(
        [
            (
                "def my_relu",
                f"def my_relu(x):\n    {FORGE.replace(chr(10), chr(10) + '    ')}\n    "
                "return x.clamp(min=0)",
            )
        ]
    ),
    "forbidden": changed([("def my_relu", "def my_relu(x):\n    return activations.relu(x)")]),
    "patched": changed(
        [("def my_relu", "def my_relu(x):\n    return x.abs()")],
        added=[("check_function", "checks.check_close = lambda *args, **kwargs: True")],
    ),
    "broken": changed([("import torch", "import no_such_module_here"), ("def my_relu", RELU_DONE)]),
    "dies": changed([("answer = 2.0", "import os\n\nos._exit(1)")]),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class graded once by the command line: (its printed output, the folder)."""
    root = tmp_path_factory.mktemp("grading")
    (root / "course" / "notebooks").mkdir(parents=True)
    nbformat.write(course_notebook(), root / "course" / "notebooks" / NAME)
    for student, notebook in CLASS.items():
        (root / "class" / student).mkdir(parents=True)
        nbformat.write(notebook, root / "class" / student / NAME)
    printed, progress = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(progress):
        code = grading.main(
            [str(root / "class"), "--course", str(root / "course" / "notebooks"), "--jobs", "2"]
        )
    assert code == 0
    return printed.getvalue(), progress.getvalue(), root / "class"


@pytest.fixture(scope="module")
def reports(graded):
    written = json.loads((graded[2] / "grades.json").read_text())
    return {report["student"]: report for report in written}


def statuses(report):
    return {e["exercise"]: e["status"] for e in report["exercises"]}


def message(report, exercise):
    return next(e["message"] for e in report["exercises"] if e["exercise"] == exercise)


def test_exercise_names_come_from_the_check_cells(tmp_path):
    nbformat.write(course_notebook(), tmp_path / NAME)
    assert grading.exercise_names(tmp_path / NAME) == ["my_relu", "answer"]


def test_the_grader_reads_the_record_the_checks_send():
    assert (grading.RECORD_VARIABLE, grading.RECORD_MIMETYPE) == (
        checks.RECORD_VARIABLE,
        checks.RECORD_MIMETYPE,
    )


def test_the_stub_left_is_not_done_whatever_its_check_measures_and_a_copy_passes_nothing(reports):
    assert statuses(reports["edition"]) == {"my_relu": "not done", "answer": "not done"}
    assert statuses(reports["copied"]) == {"my_relu": "not done", "answer": "not done"}


def test_done_passes_and_a_mistake_is_wrong_with_the_checks_message(reports):
    assert statuses(reports["done"]) == {"my_relu": "passed", "answer": "passed"}
    assert statuses(reports["mistake"]) == {"my_relu": "wrong", "answer": "not done"}
    # relu(-1) is 0; |-1| is 1
    assert message(reports["mistake"], "my_relu") == (
        "for input tensor([-1.0, 0.0, 2.0]): 1 of 3 value(s) differ; first at index (0,): got 1, "
        "expected 0 (difference 1, allowed 1e-06 = atol 1e-06 + rtol 1e-05 × |expected|; largest "
        "difference 1)"
    )
    assert all(reports[s]["failure"] == "" for s in ("edition", "done", "mistake", "copied"))


def test_an_answer_written_in_a_new_cell_below_the_stub_is_graded(reports):
    assert statuses(reports["new_cell"]) == {"my_relu": "passed", "answer": "not done"}


def test_a_deleted_or_edited_check_cell_is_the_courses_again_and_reported(reports):
    report = reports["restored"]
    assert statuses(report) == {"my_relu": "wrong", "answer": "passed"}
    assert report["restored"] == [
        "the check cell of 'my_relu' (cell 5 ('_ = checks.check_function(\"my_relu\", my_relu, my_r')) "
        "was edited: the course's was run",
        "the check cell of 'answer' was deleted: the course's was run",
    ]


def test_a_result_sent_from_a_students_cell_is_not_a_result(reports):
    assert statuses(reports["forged_cell"]) == {"my_relu": "wrong", "answer": "not done"}


def test_a_result_sent_from_inside_the_check_makes_it_tampered(reports):
    assert statuses(reports["forged_inside"])["my_relu"] == "tampered"
    # one forged result per input (two inputs), and the check's own
    assert message(reports["forged_inside"], "my_relu") == (
        "the check cell of 'my_relu' sent 3 results where the course's check sends 1: something "
        "else reported for it, or stopped it"
    )


def test_what_the_task_forbids_makes_the_answer_wrong_with_the_reason(reports):
    assert statuses(reports["forbidden"])["my_relu"] == "wrong"
    assert message(reports["forbidden"], "my_relu").endswith(
        "your code uses course_utils.activations, which this exercise asks you to do without: "
        "write it with torch.where or clamp"
    )


def test_a_replaced_check_taints_the_checks_after_it_and_names_the_cell(reports):
    report = reports["patched"]
    assert statuses(report) == {"my_relu": "wrong", "answer": "tampered"}
    assert message(report, "answer") == (
        "cell 6 ('checks.check_close = lambda *args, **kwargs: True') changes "
        "course_utils.checks.check_close, part of the course's checking"
    )


def test_a_notebook_that_fails_or_dies_is_reported_where(reports):
    broken = reports["broken"]
    assert broken["failure"].startswith(
        "cell 2 ('import no_such_module_here') raised ModuleNotFoundError: No module named"
    )
    assert "more cells failed" in broken["failure"]
    assert statuses(broken) == {"my_relu": "wrong", "answer": "not done"}
    assert message(broken, "my_relu") == (
        "its check could not finish: it raised NameError: name 'checks' is not defined"
    )
    dies = reports["dies"]
    assert dies["failure"].startswith("the kernel died at cell 7 ('import os')")
    assert statuses(dies) == {"my_relu": "not done", "answer": "not run"}
    assert message(dies, "answer").startswith("its check never ran (the kernel died at cell 7")


def test_the_command_prints_the_summary_and_writes_the_tables_and_reports(graded, reports):
    printed, progress, folder = graded
    assert printed.startswith("Summary of 12 submissions\n")
    # the counts, from the statuses each test above asserts
    assert "07_mini.ipynb  my_relu: 2 passed, 6 wrong, 3 not done, 1 tampered\n" in printed
    assert (
        "07_mini.ipynb  answer: 2 passed, 0 wrong, 8 not done, 1 tampered, 1 not run\n" in printed
    )
    assert "    4 x for input tensor([-1.0, 0.0, 2.0]): 1 of 3 value(s) differ" in printed
    assert "2 notebooks failed somewhere (see the table)\n1 notebook had course cells" in printed
    assert "12/12" in progress  # the progress bar reached the end
    table = (folder / "grades.txt").read_text()
    assert "done/07_mini.ipynb: 2 of 2 passed" in table
    assert "  my_relu   wrong     for input tensor([-1.0, 0.0, 2.0])" in table
    assert "  COURSE CELL RESTORED: the check cell of 'answer' was deleted" in table
    with (folder / "grades.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 24
    assert [(r["student"], r["exercise"], r["status"]) for r in rows[:2]] == [
        ("broken", "my_relu", "wrong"),
        ("broken", "answer", "not done"),
    ]
    with (folder / "gradebook.csv").open() as file:
        book = list(csv.reader(file))
    assert book[0] == ["student", "07_mini: my_relu", "07_mini: answer", "total"]
    assert {row[0]: row[1:] for row in book[1:]}["done"] == ["1", "1", "2"]
    assert {row[0]: row[1:] for row in book[1:]}["new_cell"] == ["1", "0", "1"]
    assert len(book) == 13
    assert not list(folder.glob("*.partial"))


def test_a_submission_with_another_name_or_unreadable_is_reported(tmp_path):
    (tmp_path / "course").mkdir()
    nbformat.write(course_notebook(), tmp_path / "course" / NAME)
    other = tmp_path / "renamed.ipynb"
    nbformat.write(course_notebook(), other)
    report = grading.grade_notebook(other, tmp_path / "course")
    assert "no course notebook named renamed.ipynb" in report.failure
    unreadable = tmp_path / "bad" / NAME
    unreadable.parent.mkdir()
    unreadable.write_text("{ not json")
    report = grading.grade_notebook(unreadable, tmp_path / "course")
    assert report.failure.startswith("could not read the notebook")
