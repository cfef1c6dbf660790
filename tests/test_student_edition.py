"""make student: the course notebooks without solutions, each still running.

Each notebook of the student edition still runs top to bottom.
"""

from pathlib import Path

import nbformat
import pytest

from course_tools import grading, student_edition

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
COURSE = sorted(NOTEBOOKS.glob("*.ipynb"))


def is_solution(cell):
    return "solution" in cell.metadata.get("tags", [])


def all_text(notebook, keep=lambda cell: True):
    """Every line of every kept cell's source and stream/text output."""
    lines = set()
    for cell in notebook.cells:
        if not keep(cell):
            continue
        lines.update(cell.source.splitlines())
        for output in cell.get("outputs", []):
            lines.update(output.get("text", "").splitlines())
            lines.update(output.get("data", {}).get("text/plain", "").splitlines())
    return {line.strip() for line in lines if line.strip()}


@pytest.mark.parametrize("path", COURSE, ids=lambda p: p.stem)
def test_no_solution_text_remains_and_everything_else_is_as_committed(path):
    course = nbformat.read(path, as_version=4)
    student = student_edition.student_notebook(course)
    solution_only = all_text(course, is_solution) - all_text(course, lambda c: not is_solution(c))
    assert solution_only or not any(map(is_solution, course.cells))
    assert not solution_only & all_text(student), "a line of a solution is in the student edition"
    assert not any(map(is_solution, student.cells))
    pairs = zip(course.cells, course.cells[1:], strict=False)
    headings = [c for c, after in pairs if is_solution(after) and c.cell_type == "markdown"]
    assert all("Solution" in c.source for c in headings)  # the "**Solution**" line above each
    kept = [c for c in course.cells if not is_solution(c) and c not in headings]
    assert [c.source for c in student.cells] == [c.source for c in kept]
    for theirs, ours in zip(student.cells, kept, strict=True):
        if student_edition.is_check_cell(ours):
            assert theirs.get("outputs") == [] and theirs.get("execution_count") is None
        else:
            assert theirs == ours
    assert any(map(is_solution, course.cells)) == (len(student.cells) < len(course.cells))


def test_the_edition_is_written_with_its_pictures_and_nothing_half_written(tmp_path):
    written = student_edition.write_student_edition(NOTEBOOKS, tmp_path / "student")
    assert [p.name for p in written] == [p.name for p in COURSE]
    assert not list((tmp_path / "student").glob("*.partial"))
    for style in [NOTEBOOKS / "rise.css", *(path.with_suffix(".css") for path in COURSE)]:
        assert (tmp_path / "student" / style.name).read_bytes() == style.read_bytes()  # RISE's
    assert list(tmp_path.iterdir()) == [tmp_path / "student"]  # the folder alone is the edition
    for path in written:  # the pictures are inside: the Colab badge and every figure
        markdown = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]
        assert not any("../images/" in cell.source for cell in markdown), path.name
        assert "open_in_colab.png" in markdown[0].get("attachments", {}), path.name
    with pytest.raises(FileNotFoundError, match="no notebooks in"):
        student_edition.write_student_edition(tmp_path / "empty", tmp_path / "out")


def test_every_student_notebook_runs_top_to_bottom_and_every_exercise_is_not_done(tmp_path):
    """The slow one: run the whole student edition once, through the grader.

    Every exercise is "not done": its stub is as handed out. That includes 13's
    open exercise, the last row of issue 26's table (tests/test_grading.py grades a
    stub that runs).
    """
    student_edition.write_student_edition(NOTEBOOKS, tmp_path / "student")
    reports = grading.grade(tmp_path / "student", NOTEBOOKS, timeout=120)
    assert [r.notebook for r in reports] == [p.name for p in COURSE]
    for report in reports:
        assert report.failure == "", f"{report.notebook}: {report.failure}"
        assert report.restored == []
        assert report.exercises, f"{report.notebook} has no exercise"
        statuses = {r.exercise: r.status for r in report.exercises}
        assert set(statuses.values()) == {"not done"}, f"{report.notebook}: {statuses}"
    capstone = next(r for r in reports if r.notebook.startswith("13_"))
    course = grading.CourseEdition.read(NOTEBOOKS / capstone.notebook)
    open_exercise = next(e.name for e in course.exercises if "my_settings" in e.answers)
    assert (open_exercise, "not done") in [(r.exercise, r.status) for r in capstone.exercises]
