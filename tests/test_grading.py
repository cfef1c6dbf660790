"""make grade: each submission runs in its own kernel and each exercise is reported honestly.

The course here is a small notebook written by the test, with two exercises; the submissions
are the student edition, a copy with the exercises done, one with a deliberate mistake, and
some that misbehave (hang, fail at import, delete a course file).
"""

import csv
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course_tools import grading, student_edition

NAME = "07_mini.ipynb"
DOUBLE_CHECK = '_ = checks.check_function("double", double, lambda x: 2 * x, CASES, hints=["idea"])'
THREE_CHECK = '_ = checks.check_close("three", answer, 3.0, hints=["count to three"])'


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


def course_notebook(
    double_stub="def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError",
    answer_stub="answer = None  # YOUR CODE HERE",
    first="import torch\n\nfrom course_utils import checks",
):
    return new_notebook(
        cells=[
            new_markdown_cell("# A small course notebook"),
            new_code_cell(first + "\n\nCASES = [torch.arange(3.0), torch.arange(7.0)]"),
            new_markdown_cell("**Exercise**: write `double(x)`."),
            new_code_cell(double_stub),
            new_code_cell(DOUBLE_CHECK),
            new_markdown_cell("**Solution** (expand the hidden cell below only after trying)"),
            solution_cell(
                "# Solution: one possible answer\ndef double_solution(x):\n    return x + x\n\n\n"
                '_ = checks.check_function("double", double_solution, lambda x: 2 * x, CASES)',
                "✅ double: correct!\n",
            ),
            new_markdown_cell("**Exercise**: set `answer` to three."),
            new_code_cell(answer_stub),
            new_code_cell(THREE_CHECK),
            new_markdown_cell("**Solution**"),
            solution_cell(
                '# Solution\nanswer_solution = 1.0 + 2.0\n_ = checks.check_close("three", answer_solution, 3.0)',
                "✅ three: correct!\n",
            ),
            new_code_cell('print("the end")'),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )


@pytest.fixture
def course(tmp_path):
    """A course folder: notebooks/07_mini.ipynb and a file a submission could delete."""
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    nbformat.write(course_notebook(), root / "notebooks" / NAME)
    (root / "notes.txt").write_text("keep me")
    return root


def submit(tmp_path, folder, notebook):
    path = tmp_path / folder / NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def statuses(report):
    return {result.exercise: result.status for result in report.exercises}


def test_exercise_names_come_from_the_check_cells(course):
    assert grading.exercise_names(course / "notebooks" / NAME) == ["double", "three"]


def test_a_solutions_labelled_line_names_the_exercise_not_the_solution(tmp_path):
    # a solution cell's check (solution=True) prints "✅ the solution of NAME: correct!"
    notebook = course_notebook()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            output.text = output.text.replace("✅ ", "✅ the solution of ")
    nbformat.write(notebook, tmp_path / NAME)
    assert grading.exercise_names(tmp_path / NAME) == ["double", "three"]


def test_the_student_edition_is_all_not_done_and_a_filled_in_copy_all_passed(course, tmp_path):
    edition = student_edition.student_notebook(nbformat.read(course / "notebooks" / NAME, 4))
    unfinished = submit(tmp_path, "edition", edition)
    done = submit(
        tmp_path, "done", course_notebook("def double(x):\n    return 2 * x", "answer = 3.0")
    )
    mistake = submit(
        tmp_path, "mistake", course_notebook("def double(x):\n    return x * x", "answer = 3")
    )
    reports = [
        grading.grade_notebook(p, course / "notebooks", timeout=30)
        for p in (unfinished, done, mistake)
    ]
    assert [statuses(r) for r in reports] == [
        {"double": "not done", "three": "not done"},
        {"double": "passed", "three": "passed"},
        {"double": "wrong", "three": "passed"},
    ]
    assert all(r.failure == "" and r.changed_files == [] for r in reports)
    wrong = reports[2].exercises[0]
    assert (
        "for input tensor([0.0, 1.0, 2.0]): 1 of 3 value(s) differ; first at index (1,): got 1, expected 2"
        in wrong.message
    )


def test_the_course_solutions_do_not_pass_a_submission(course, tmp_path):
    copied = submit(tmp_path, "copied", nbformat.read(course / "notebooks" / NAME, 4))
    report = grading.grade_notebook(copied, course / "notebooks", timeout=30)
    assert statuses(report) == {"double": "not done", "three": "not done"}


def test_a_hanging_or_dying_submission_is_stopped_and_reported(course, tmp_path):
    hangs = submit(tmp_path, "hangs", course_notebook("import time\n\ntime.sleep(600)"))
    # the limit leaves room for `import torch` in the first cell on a busy machine
    report = grading.grade_notebook(hangs, course / "notebooks", timeout=10)
    assert "cell 4 ('import time') ran longer than 10 s" in report.failure
    assert statuses(report) == {"double": "not run", "three": "not run"}
    assert "its check never ran" in report.exercises[0].message
    dies = submit(tmp_path, "dies", course_notebook("import os\n\nos._exit(1)"))
    report = grading.grade_notebook(dies, course / "notebooks", timeout=30)
    assert report.failure.startswith("the kernel died at cell 4")
    assert statuses(report) == {"double": "not run", "three": "not run"}


def test_a_submission_that_fails_at_import_or_deletes_course_files_is_reported(course, tmp_path):
    broken = submit(tmp_path, "broken", course_notebook(first="import no_such_module_here"))
    target = course / "notes.txt"
    deletes = submit(
        tmp_path,
        "deletes",
        course_notebook(f"import os\n\nos.remove({str(target)!r})\ndouble = None"),
    )
    reports = grading.grade(tmp_path / "broken", course / "notebooks", timeout=30)
    reports += grading.grade(deletes, course / "notebooks", timeout=30)
    assert reports[0].failure.startswith(
        "cell 2 ('import no_such_module_here') raised ModuleNotFoundError: No module named"
    )
    assert "more cells failed" in reports[0].failure
    assert statuses(reports[0]) == {"double": "not run", "three": "not run"}
    assert reports[1].changed_files == ["removed: notes.txt"]
    assert broken.exists()
    table = grading.format_table(reports)
    assert "CHANGED A COURSE FILE: removed: notes.txt" in table
    assert "notebook failed: cell 2" in table


def test_a_submission_with_another_name_is_told_to_keep_the_name(course, tmp_path):
    other = tmp_path / "renamed.ipynb"
    nbformat.write(course_notebook(), other)
    report = grading.grade_notebook(other, course / "notebooks")
    assert "no course notebook named renamed.ipynb" in report.failure
    unreadable = tmp_path / "bad" / NAME
    unreadable.parent.mkdir()
    unreadable.write_text("{ not json")
    report = grading.grade_notebook(unreadable, course / "notebooks")
    assert report.failure.startswith("could not read the notebook")


def test_the_command_prints_a_table_and_writes_json_and_csv_next_to_the_folder(
    course, tmp_path, capsys
):
    submit(tmp_path, "class", course_notebook("def double(x):\n    return x * 3"))
    submit(tmp_path, "class/ann", course_notebook("def double(x):\n    return x + x"))
    code = grading.main([str(tmp_path / "class"), "--course", str(course / "notebooks")])
    assert code == 0
    out = capsys.readouterr().out
    assert "07_mini.ipynb: 0 of 2 passed" in out
    assert "ann/07_mini.ipynb: 1 of 2 passed" in out  # one folder per student works too
    assert "  double    wrong     for input tensor([0.0, 1.0, 2.0])" in out
    assert "  three     not done\n" in out
    written = json.loads((tmp_path / "class" / "grades.json").read_text())
    assert [r["notebook"] for r in written] == ["07_mini.ipynb", "ann/07_mini.ipynb"]
    assert [(e["exercise"], e["status"]) for e in written[0]["exercises"]] == [
        ("double", "wrong"),
        ("three", "not done"),
    ]
    with (tmp_path / "class" / "grades.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert [(r["notebook"], r["exercise"], r["status"]) for r in rows] == [
        (NAME, "double", "wrong"),
        (NAME, "three", "not done"),
        (f"ann/{NAME}", "double", "passed"),
        (f"ann/{NAME}", "three", "not done"),
    ]
    assert rows[0]["message"] == written[0]["exercises"][0]["message"]
    assert not list((tmp_path / "class").glob("*.partial"))


def test_tree_changes_names_written_added_and_removed_files(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    before = grading.tree_snapshot(tmp_path)
    (tmp_path / "a.txt").write_text("changed")
    (tmp_path / "b.txt").unlink()
    (tmp_path / "c.txt").write_text("new")
    after = grading.tree_snapshot(tmp_path)
    assert grading.tree_changes(before, after) == [
        "written: a.txt",
        "written: c.txt",
        "removed: b.txt",
    ]
