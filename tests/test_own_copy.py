"""make lab: each student works in an own copy of the notebooks that git ignores.

The copy is the student edition, made on the first run; a later run adds only the
notebooks it lacks and never overwrites one, so the student's work is kept and `git
pull` never conflicts.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_tools import student_edition

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
FIRST_TWO = sorted(NOTEBOOKS.glob("*.ipynb"))[:2]


def git(*arguments, cwd):
    return subprocess.run(
        ["git", *arguments], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def course(tmp_path):
    """A small course in a git repository of its own: its .gitignore, two notebooks."""
    folder = tmp_path / "course"
    (folder / "notebooks").mkdir(parents=True)
    shutil.copy(ROOT / ".gitignore", folder / ".gitignore")
    for path in [*FIRST_TWO, NOTEBOOKS / "rise.css", *(p.with_suffix(".css") for p in FIRST_TWO)]:
        shutil.copy(path, folder / "notebooks" / path.name)
    git("init", "--quiet", cwd=folder)
    git("add", ".", cwd=folder)
    git(
        "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "course", cwd=folder
    )
    return folder


def own_copy_folder() -> str:
    """The folder `make lab` fills, as the Makefile names it."""
    plan = subprocess.run(
        ["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    (line,) = [line for line in plan.splitlines() if "student_edition --own-copy" in line]
    assert line.endswith("-m course_tools.student_edition --own-copy notebooks my-notebooks")
    (opening,) = [line for line in plan.splitlines() if "jupyter lab" in line]
    assert "--LabApp.default_url=/lab/tree/my-notebooks" in opening  # JupyterLab opens there
    return "my-notebooks"


def test_the_first_run_writes_the_student_edition(course):
    own = course / own_copy_folder()
    added = student_edition.fill_own_copy(course / "notebooks", own)
    assert [path.name for path in added] == [path.name for path in FIRST_TWO]
    for path in FIRST_TWO:
        expected = student_edition.student_notebook(nbformat.read(path, as_version=4))
        assert nbformat.read(own / path.name, as_version=4) == expected
    # the slideshow's style sheets too: RISE asks for rise.css and the notebook's own
    for style in [NOTEBOOKS / "rise.css", *(path.with_suffix(".css") for path in FIRST_TWO)]:
        assert (own / style.name).read_bytes() == style.read_bytes()


def test_a_folder_without_notebooks_is_an_error_that_names_it(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=r"no notebooks in .*empty: give the folder"):
        student_edition.fill_own_copy(tmp_path / "empty", tmp_path / "own")
    assert not (tmp_path / "own").exists()  # nothing made for a mistyped folder


def test_working_in_the_copy_leaves_git_status_clean(course):
    own = course / own_copy_folder()
    student_edition.fill_own_copy(course / "notebooks", own)
    notebook = json.loads((own / FIRST_TWO[0].name).read_text())
    notebook["cells"].append(nbformat.v4.new_code_cell("my_answer = 42"))
    (own / FIRST_TWO[0].name).write_text(json.dumps(notebook))
    (own / "my notes.txt").write_text("what I learnt")
    (own / ".ipynb_checkpoints").mkdir()
    assert git("status", "--porcelain", "--untracked-files=all", cwd=course) == ""


def test_a_later_run_never_overwrites_the_students_work_and_adds_new_notebooks(course):
    own = course / own_copy_folder()
    student_edition.fill_own_copy(course / "notebooks", own)
    mine = own / FIRST_TWO[0].name
    mine.write_text("my work")
    (own / FIRST_TWO[1].name).unlink()  # to take a notebook's update: move yours aside
    shutil.copy(ROOT / "notebooks" / "03_dataset_and_dataloader.ipynb", course / "notebooks")
    added = student_edition.fill_own_copy(course / "notebooks", own)
    assert [path.name for path in added] == [FIRST_TWO[1].name, "03_dataset_and_dataloader.ipynb"]
    assert mine.read_text() == "my work"


def test_the_command_says_what_it_did(course):
    own = course / "my-notebooks"
    result = subprocess.run(
        [sys.executable, "-m", "course_tools.student_edition", "--own-copy", "notebooks"]
        + ["my-notebooks"],
        cwd=course,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "your own copy of the notebooks: my-notebooks/ (git ignores it)" in result.stdout
    assert FIRST_TWO[0].name in result.stdout
    assert sorted(p.name for p in own.glob("*.ipynb")) == [p.name for p in FIRST_TWO]
