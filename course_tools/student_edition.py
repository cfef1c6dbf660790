"""The student edition: the course notebooks without their solutions (``make student``).

Each notebook loses its solution cells (tagged ``solution``) and the "**Solution**" line
above each; the check cells lose their outputs; everything else stays as committed. Run
it with ``python -m course_tools.student_edition notebooks build/student``.

``make lab`` also makes each student's own copy with it, in a folder git ignores
(``python -m course_tools.student_edition --own-copy notebooks my-notebooks``): a
notebook the copy lacks is added, one it has is never touched, so a student's work is
never overwritten and never conflicts with the next ``git pull`` of the course.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert.preprocessors import TagRemovePreprocessor

__all__ = [
    "SOLUTION_TAG",
    "fill_own_copy",
    "is_check_cell",
    "student_notebook",
    "write_student_edition",
]

SOLUTION_TAG = "solution"  # the tag of a hidden solution cell (see the exercise rules in README)


def is_check_cell(cell: nbformat.NotebookNode) -> bool:
    """True for a code cell that runs an exercise's check (``checks.check_...``)."""
    return cell.cell_type == "code" and "checks.check_" in cell.source


def _is_solution_heading(cell: nbformat.NotebookNode) -> bool:
    text = cell.source.lstrip()
    return cell.cell_type == "markdown" and (
        text.startswith("**Solution**") or text.startswith("Solution")
    )


def student_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` without its solutions and their headings, checks blank."""
    notebook = nbformat.from_dict(notebook)  # a deep copy: the course notebook stays as it is
    cells = notebook.cells
    for cell, following in zip(cells, [*cells[1:], None], strict=True):
        if following is not None and _is_solution_heading(cell) and _has_solution_tag(following):
            cell.metadata.setdefault("tags", []).append(SOLUTION_TAG)
    remover = TagRemovePreprocessor(remove_cell_tags={SOLUTION_TAG}, enabled=True)
    notebook, _ = remover.preprocess(notebook, {})
    for cell in notebook.cells:
        if is_check_cell(cell):
            cell.outputs, cell.execution_count = [], None
    return notebook


def _has_solution_tag(cell: nbformat.NotebookNode) -> bool:
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def _course_notebooks(folder: Path) -> list[Path]:
    """The notebooks in ``folder``, in course order; an error if it holds none."""
    sources = sorted(folder.glob("*.ipynb"))
    if not sources:
        raise FileNotFoundError(
            f"no notebooks in {folder}: give the folder of the course notebooks, e.g. notebooks"
        )
    return sources


def _stylesheets(course_notebooks: Path, sources: list[Path]) -> list[Path]:
    """The slideshow's style sheets: rise.css, and each notebook's own (NN_topic.css).

    RISE asks for both when it presents a notebook; a notebook's own is a comment only,
    there so that the slideshow gets no 404.
    """
    candidates = [course_notebooks / "rise.css", *(path.with_suffix(".css") for path in sources)]
    return [style for style in candidates if style.is_file()]


def write_student_edition(course_notebooks: Path, output_folder: Path) -> list[Path]:
    """Write the student edition of each notebook of ``course_notebooks``.

    Each notebook carries its pictures as cell attachments (python -m
    course_tools.colab), and the slideshow's style sheets go along: the folder alone is
    the whole edition. Returns the notebooks written.
    """
    course_notebooks, output_folder = Path(course_notebooks), Path(output_folder)
    sources = _course_notebooks(course_notebooks)
    output_folder.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sources:
        notebook = student_notebook(nbformat.read(source, as_version=4))
        target = output_folder / source.name
        _write_atomically(notebook, target)
        written.append(target)
    for style in _stylesheets(course_notebooks, sources):
        shutil.copy(style, output_folder / style.name)
    return written


def fill_own_copy(course_notebooks: Path, own_copy: Path) -> list[Path]:
    """Add to ``own_copy`` the student edition of each course notebook it lacks.

    A notebook already in ``own_copy`` is the student's work: it is never overwritten.
    The slideshow's style sheets go along, the same way.
    """
    course_notebooks, own_copy = Path(course_notebooks), Path(own_copy)
    sources = _course_notebooks(course_notebooks)
    own_copy.mkdir(parents=True, exist_ok=True)
    added = []
    for source in sources:
        target = own_copy / source.name
        if not target.exists():
            _write_atomically(student_notebook(nbformat.read(source, as_version=4)), target)
            added.append(target)
    for style in _stylesheets(course_notebooks, sources):
        if not (own_copy / style.name).exists():
            shutil.copy(style, own_copy / style.name)
    return added


def _write_atomically(notebook: nbformat.NotebookNode, target: Path) -> None:
    """Write to a temporary name, then rename: a stopped run leaves no half file."""
    partial = target.with_name(target.name + ".partial")
    nbformat.write(notebook, partial)
    partial.replace(target)


def main(arguments: list[str]) -> int:
    own_copy = arguments[:1] == ["--own-copy"]
    arguments = arguments[1:] if own_copy else arguments
    if len(arguments) != 2:
        print(
            "usage: python -m course_tools.student_edition [--own-copy] "
            "COURSE_NOTEBOOKS OUTPUT_FOLDER"
        )
        return 2
    if own_copy:
        added = fill_own_copy(Path(arguments[0]), Path(arguments[1]))
        names = ", ".join(path.name for path in added)
        print(
            f"your own copy of the notebooks: {arguments[1]}/ (git ignores it). "
            + (f"Added from the course: {names}" if added else "Nothing new from the course.")
        )
        return 0
    written = write_student_edition(Path(arguments[0]), Path(arguments[1]))
    print(f"student edition: {len(written)} notebooks without solutions in {arguments[1]}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
