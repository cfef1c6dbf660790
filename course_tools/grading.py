"""Grade students' notebooks, a class at a time: ``make grade NB=folder/ JOBS=4``.

What counts is the course's: each submission runs with the course's check cells (and any
cell the course hides or locks) put back as the course edition has them, whatever the
submission did to them, and without its solution cells. Each exercise of the course
notebook of the same name is then one of:

- ``passed`` or ``wrong`` (with the check's message): what the course's check found,
  read from the outputs of the course's check cell only (a result any other cell prints
  or sends is not a result);
- ``not done``: the exercise's stub cell is as handed out and no other cell of the
  student's defines what it asks for, whatever its check would measure;
- ``tampered``: a cell of the student's, before the check, touches the checking (it
  replaces part of ``checks``, calls a private part of it, changes what a check compares
  with, or hides code from a reading: see ``course_tools.code_scan``), or the check cell
  reported more or less than the course's check sends; the message names the cell;
- ``not run``: the check never ran (the notebook timed out or its kernel
  died before it).

Each submission runs in its own sandbox (``course_tools.sandbox``: no network, the
course package read-only, no course notebook and no other submission in sight, its own
temporary folder, a memory limit and a time limit per cell). A folder is graded a class
at a time: ``--jobs`` submissions at once (default: the machine's cores), with a
progress bar, then a summary per exercise; the reports go to ``grades.txt`` (each
notebook's table), ``grades.json``, ``grades.csv`` (one row per exercise of each
submission) and ``gradebook.csv`` (one row per student, one column per exercise).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import csv
import hashlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from course_tools import code_scan
from course_tools.sandbox import SandboxedKernelManager, require_bubblewrap
from course_tools.student_edition import SOLUTION_TAG, is_check_cell, student_notebook

__all__ = [
    "ExerciseResult",
    "NotebookReport",
    "STATUSES",
    "exercise_names",
    "format_summary",
    "format_table",
    "grade",
    "grade_notebook",
    "tree_snapshot",
    "write_reports",
]

STATUSES = ("passed", "wrong", "not done", "tampered", "not run")
# Kept in step with course_utils.checks (a test compares them): the grader does not
# import torch.
RECORD_VARIABLE = "COURSE_CHECKS_RECORD"
RECORD_MIMETYPE = "application/vnd.course-utils.check-result+json"
STUB_MARK = re.compile(r"#\s*YOUR [A-Z ]*HERE|raise NotImplementedError")
SKIPPED_FOLDERS = {".git", ".venv", ".venv-compat", "__pycache__", ".ipynb_checkpoints"}
GIGABYTE = 1024**3


@dataclass
class ExerciseResult:
    """One exercise of one submission: passed, wrong, not done, tampered or not run."""

    exercise: str
    status: str
    message: str = ""


@dataclass
class NotebookReport:
    """What grading one submission gave: its exercises, what went wrong around them."""

    notebook: str  # the submission's path in the graded folder, e.g. ann/09_evaluation.ipynb
    student: str = ""  # its folder: one per student
    exercises: list[ExerciseResult] = field(default_factory=list)
    failure: str = ""  # the first cell that failed, timed out or killed the kernel
    restored: list[str] = field(default_factory=list)  # course cells it deleted or edited
    seconds: float = 0.0

    @property
    def passed(self) -> int:
        return sum(result.status == "passed" for result in self.exercises)


# ------------------------------------------------------------------- the course edition


def _is_locked(cell: nbformat.NotebookNode) -> bool:
    """A cell the course marks as locked.

    Locked means not editable, nbgrader's lock, or the tag ``locked``.
    """
    metadata = cell.get("metadata", {})
    return (
        metadata.get("editable") is False
        or bool(metadata.get("nbgrader", {}).get("locked"))
        or "locked" in metadata.get("tags", [])
    )


def _is_course_owned(cell: nbformat.NotebookNode) -> bool:
    """A code cell graded as the course wrote it.

    That is a check cell, a cell the course hides (a check's helper, a quiz) or one it
    locks.
    """
    hidden = cell.get("metadata", {}).get("jupyter", {}).get("source_hidden", False)
    return cell.cell_type == "code" and (is_check_cell(cell) or hidden or _is_locked(cell))


def _checked_names(source: str) -> list[str]:
    """The exercise names of a cell's check calls, in order.

    A check call is ``checks.check_...("name", ...)``: its first argument names it.
    """
    tree = code_scan.parse(source)
    if tree is None:
        return []
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr.startswith("check_")
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "checks"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]
    calls.sort(key=lambda node: (node.lineno, node.col_offset))
    return [node.args[0].value for node in calls]


@dataclass
class Exercise:
    """One exercise of the course edition: its check cell, the stub cells before it."""

    name: str
    check: int  # index of its check cell in the course edition
    # indices of its stub cells (``# YOUR CODE HERE``, ``raise NotImplementedError``)
    stubs: list[int]
    answers: set[str]  # the names the stubs define: what the exercise asks the student to write
    reports: int  # how many results the check cell sends for it in one run


@dataclass
class CourseEdition:
    """A course notebook as handed out (no solutions), read for grading."""

    notebook: nbformat.NotebookNode
    exercises: list[Exercise]
    owned: set[int]  # cells graded as the course wrote them
    modules: dict[str, str]  # names its cells bind by import -> what they import
    protected: dict[int, dict[str, str]]  # owned cell -> names it reads that the course binds

    @classmethod
    def read(cls, path: Path) -> CourseEdition:
        notebook = student_notebook(nbformat.read(path, as_version=4))
        cells = notebook.cells
        owned = {i for i, cell in enumerate(cells) if _is_course_owned(cell)}
        trees = {i: code_scan.parse(c.source) for i, c in enumerate(cells) if c.cell_type == "code"}
        trees = {i: tree for i, tree in trees.items() if tree is not None}
        modules: dict[str, str] = {}
        for tree in trees.values():
            for name, qualname in code_scan.imports(tree).items():
                modules.setdefault(name, qualname)
        exercises, start = [], 0
        for index, cell in enumerate(cells):
            names = _checked_names(cell.source) if index in owned else []
            if not names:
                continue
            stubs = [
                i
                for i in range(start, index)
                if i not in owned
                and cells[i].cell_type == "code"
                and STUB_MARK.search(cells[i].source)
            ]
            answers = set().union(*(code_scan.bound_names(trees[i]) for i in stubs if i in trees))
            for name in dict.fromkeys(names):
                exercises.append(Exercise(name, index, stubs, answers, names.count(name)))
            start = index + 1
        # What each check reads (directly, or through the course's functions it
        # calls) that the course's cells bind: changing one of them before the check
        # changes the check.
        all_answers = set().union(*(e.answers for e in exercises)) if exercises else set()
        stubs = {i for e in exercises for i in e.stubs}
        course_trees = [tree for i, tree in trees.items() if i not in stubs]
        bound = set().union(*(code_scan.bound_names(t) for t in course_trees))
        functions: dict[str, set[str]] = {}
        for tree in course_trees:
            functions.update(code_scan.definitions(tree))
        protected: dict[int, dict[str, str]] = {}
        for index in sorted(owned & set(trees)):
            checked = [e.name for e in exercises if e.check == index] or [
                next((e.name for e in exercises if e.check > index), "the notebook")
            ]
            reads, reached = set(code_scan.free_names(trees[index])), set()
            while reads - reached:
                name = (reads - reached).pop()
                reached.add(name)
                reads |= functions.get(name, set())
            protected[index] = {name: checked[0] for name in (reads & bound) - all_answers}
        return cls(notebook, exercises, owned, modules, protected)


def exercise_names(course_notebook: Path) -> list[str]:
    """The exercises of a course notebook, in order: the names its check cells check."""
    return [exercise.name for exercise in CourseEdition.read(Path(course_notebook)).exercises]


# ------------------------------------------------------------------ the graded notebook


@dataclass
class GradedCell:
    """One cell of the notebook the grader runs, and where it came from."""

    cell: nbformat.NotebookNode
    course: int | None  # its index in the course edition, if it is a course cell
    owned: bool  # restored from the course edition
    edited: bool  # student code: a cell the student added, or a course cell they changed
    label: str  # how the report names it


def _normalized(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def _label(index: int, cell: nbformat.NotebookNode) -> str:
    first_line = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    return f"cell {index + 1} ({first_line[:50]!r})"


def assemble(
    course: CourseEdition, submission: nbformat.NotebookNode
) -> tuple[list[GradedCell], list[str]]:
    """The notebook to run: the course's cells in the course's order, each as submitted.

    The exception is the cells the course owns (check cells, hidden and locked ones),
    which are the course's. The cells the student added go after the cell they follow
    in the submission. Solution cells are dropped. Cells are matched by their id
    (JupyterLab keeps it), else by an identical source.

    Returns the cells and a note for each course cell the submission deleted or edited.
    """
    cells = course.notebook.cells
    solution_ids = {
        c.get("id") for c in submission.cells if SOLUTION_TAG in c.metadata.get("tags", [])
    }
    submitted = [
        (i, c)
        for i, c in enumerate(submission.cells)
        if SOLUTION_TAG not in c.metadata.get("tags", [])
        and c.get("id") not in (solution_ids - {None})
    ]
    by_id = {c.get("id"): (i, c) for i, c in submitted if c.get("id")}
    match: dict[int, tuple[int, nbformat.NotebookNode]] = {}
    for index, cell in enumerate(cells):
        found = by_id.get(cell.get("id"))
        if found and found[1].cell_type == cell.cell_type:
            match[index] = found
    used = {i for i, _ in match.values()}
    for index, cell in enumerate(cells):  # cells that lost their id: the same source
        if index in match:
            continue
        for i, c in submitted:
            if (
                i not in used
                and c.cell_type == cell.cell_type
                and _normalized(c.source) == _normalized(cell.source)
            ):
                match[index], used = (i, c), used | {i}
                break
    anchor_of = {i: index for index, (i, _) in match.items()}
    added: dict[int | None, list[tuple[int, nbformat.NotebookNode]]] = {}
    anchor = None
    for i, c in submitted:
        if i in anchor_of:
            anchor = anchor_of[i]
        else:
            added.setdefault(anchor, []).append((i, c))

    graded: list[GradedCell] = []
    notes: list[str] = []

    def add_student_cells(after: int | None) -> None:
        for i, c in added.get(after, []):
            edited = c.cell_type == "code"
            graded.append(GradedCell(nbformat.from_dict(c), None, False, edited, _label(i, c)))

    add_student_cells(None)
    for index, cell in enumerate(cells):
        found = match.get(index)
        if index in course.owned:
            label = _owned_label(course, index)
            if found is None:
                notes.append(f"{label} was deleted: the course's was run")
            elif _normalized(found[1].source) != _normalized(cell.source):
                notes.append(f"{label} ({_label(*found)}) was edited: the course's was run")
            graded.append(GradedCell(nbformat.from_dict(cell), index, True, False, label))
        elif found is not None:
            i, c = found
            edited = c.cell_type == "code" and _normalized(c.source) != _normalized(cell.source)
            graded.append(GradedCell(nbformat.from_dict(c), index, False, edited, _label(i, c)))
        add_student_cells(index)
    return graded, notes


def _owned_label(course: CourseEdition, index: int) -> str:
    names = [e.name for e in course.exercises if e.check == index]
    if names:
        return f"the check cell of {', '.join(map(repr, names))}"
    following = next((e.name for e in course.exercises if e.check > index), None)
    return f"the course's cell {index + 1}" + (
        f" (before the check of {following!r})" if following else ""
    )


# -------------------------------------------------------------------- reading the cells


def protected_after(
    course: CourseEdition, graded: list[GradedCell], position: int
) -> dict[str, str]:
    """The names the check cells after ``position`` read.

    Each name comes with the exercise whose check reads it.
    """
    protected: dict[str, str] = {}
    for later in graded[position + 1 :]:
        if later.owned:
            for name, exercise in course.protected.get(later.course, {}).items():
                protected.setdefault(name, exercise)
    return protected


def tampering(course: CourseEdition, graded: list[GradedCell]) -> dict[int, list[str]]:
    """What each student cell that touches the checking does.

    The cells are given by their place in ``graded``.
    """
    found = {}
    modules = dict(course.modules)  # and the other names the student's cells give modules
    for position, graded_cell in enumerate(graded):
        if not graded_cell.edited:
            continue
        context = code_scan.ScanContext(modules, protected_after(course, graded, position))
        given = None
        if graded_cell.course is not None:
            given = course.notebook.cells[graded_cell.course].source
        problems = code_scan.scan(graded_cell.cell.source, context, given)
        if problems:
            found[position] = problems
        modules = code_scan.module_names(graded_cell.cell.source, modules)
    return found


def _not_done(course: CourseEdition, exercise: Exercise, graded: list[GradedCell]) -> bool:
    """True when the exercise is not done.

    The stub is as handed out (or deleted), and no student cell before the check defines
    or changes what the stub defines.
    """
    if not exercise.stubs:
        return False
    for graded_cell in graded:
        if graded_cell.owned and graded_cell.course == exercise.check:
            return True
        if not graded_cell.edited:
            continue
        tree = code_scan.parse(graded_cell.cell.source)
        if graded_cell.course in exercise.stubs or (
            tree is not None and code_scan.changed_names(tree) & exercise.answers
        ):
            return False
    return True


# ----------------------------------------------------------------------------- running


class _SandboxedClient(NotebookClient):
    """nbclient with its kernel in the sandbox.

    The client keeps owning the kernel, and stops it.
    """

    def __init__(self, notebook, folder: Path, memory_bytes: int, **options):
        super().__init__(notebook, **options)
        self.folder, self.memory_bytes = folder, memory_bytes

    def create_kernel_manager(self):
        channel = self.folder / "kernel"
        self.km = SandboxedKernelManager(
            kernel_name="python3",
            connection_file=str(channel / "kernel.json"),
            ip=str(channel / "ipc"),
        )
        self.km.work, self.km.channel = self.folder / "work", channel
        self.km.memory_bytes = self.memory_bytes
        return self.km


@dataclass
class _Run:
    notebook: nbformat.NotebookNode
    failure: str = ""
    finished: dict[int, str] = field(default_factory=dict)  # cell -> the kernel's reply status


def _kernel_environment(work: Path) -> dict[str, str]:
    """The kernel's whole environment.

    Nothing of the grader's (tokens, paths) leaks in.
    """
    return {
        "PATH": os.pathsep.join(
            [str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]
        ),
        "HOME": str(work),
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLCONFIGDIR": str(work / ".matplotlib"),
        "IPYTHONDIR": str(work / ".ipython"),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "PYTHONNOUSERSITE": "1",
        RECORD_VARIABLE: "1",
    }


def _copy_font_cache(target: Path) -> None:
    """Matplotlib's font list, so that each kernel does not build it again.

    Building it takes seconds, in each kernel.
    """
    target.mkdir(parents=True, exist_ok=True)
    try:
        import matplotlib

        for found in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
            shutil.copy(found, target / found.name)
    except Exception:  # no cache yet: the kernel builds its own
        pass


def run_notebook(
    notebook: nbformat.NotebookNode, timeout: float = 60.0, memory_gb: float = 4.0
) -> tuple[nbformat.NotebookNode, str]:
    """Run a notebook in a fresh sandboxed kernel.

    Returns its executed copy, and where it failed ('' if nowhere).
    """
    require_bubblewrap()
    notebook = nbformat.from_dict(notebook)
    labels = [_label(i, cell) for i, cell in enumerate(notebook.cells)]
    run = asyncio.run(_run(notebook, timeout, int(memory_gb * GIGABYTE), labels))
    return run.notebook, run.failure


async def _run(
    notebook: nbformat.NotebookNode, timeout: float, memory_bytes: int, labels: list[str]
) -> _Run:
    """Run ``notebook`` (in place) in a fresh sandboxed kernel.

    Returns its outputs and the failure.
    """
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    run = _Run(notebook)
    running = [0]

    def started(cell, cell_index):
        running[0] = cell_index

    def executed(cell, cell_index, execute_reply):
        run.finished[cell_index] = (execute_reply or {}).get("content", {}).get("status", "")

    with tempfile.TemporaryDirectory(prefix="grade-") as folder:
        folder = Path(folder)
        for sub in ("work", "kernel"):
            (folder / sub).mkdir()
        _copy_font_cache(folder / "work" / ".matplotlib")
        client = _SandboxedClient(
            notebook,
            folder,
            memory_bytes,
            timeout=timeout,
            allow_errors=True,
            kernel_name="python3",
            shutdown_kernel="immediate",
            resources={"metadata": {"path": str(folder / "work")}},
            on_cell_start=started,
            on_cell_executed=executed,
        )
        with open(folder / "kernel.log", "w") as log:
            try:
                await client.async_execute(
                    env=_kernel_environment(folder / "work"), stdout=log, stderr=log
                )
            except CellTimeoutError:
                run.failure = f"{labels[running[0]]} ran longer than {timeout:g} s and was stopped"
            except DeadKernelError:
                run.failure = (
                    f"the kernel died at {labels[running[0]]}: it exited, crashed or ran out of "
                    f"memory (the limit is {memory_bytes / GIGABYTE:g} GB)"
                )
            except Exception as error:
                said = (folder / "kernel.log").read_text(errors="replace").strip()
                said = f" (the kernel's last words: {said.splitlines()[-1]})" if said else ""
                run.failure = f"the notebook could not run: {type(error).__name__}: {error}{said}"
    run.failure = run.failure or _first_error(notebook, labels, memory_bytes)
    return run


def _first_error(notebook: nbformat.NotebookNode, labels: list[str], memory_bytes: int) -> str:
    """'cell N (...) raised X: message', and how many more cells failed.

    '' if no cell failed.
    """
    failed = [
        (i, output)
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    if not failed:
        return ""
    index, error = failed[0]
    more = f" (and {len(failed) - 1} more cells failed)" if len(failed) > 1 else ""
    memory = ""
    if error.ename == "MemoryError" or "can't allocate memory" in error.evalue:
        memory = f" (the memory limit is {memory_bytes / GIGABYTE:g} GB)"
    raised = f"{error.ename}: {error.evalue}" if error.evalue else error.ename
    return f"{labels[index]} raised {raised}{memory}{more}"


def _records(cell: nbformat.NotebookNode) -> list[dict]:
    """The results a check cell's own outputs carry (what course_utils.checks sends)."""
    found = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "display_data" and RECORD_MIMETYPE in output.get(
            "data", {}
        ):
            record = output["data"][RECORD_MIMETYPE]
            found.append(json.loads(record) if isinstance(record, str) else dict(record))
    return found


def _results(
    course: CourseEdition, graded: list[GradedCell], touched: dict[int, list[str]], run: _Run
) -> list[ExerciseResult]:
    results = []
    for exercise in course.exercises:
        position = next(p for p, g in enumerate(graded) if g.owned and g.course == exercise.check)
        before = [p for p in sorted(touched) if p < position]
        if before:
            first = before[0]
            more = sum(len(touched[p]) for p in before) - 1
            message = f"{graded[first].label} {touched[first][0]}"
            message += f" (and {more} more touches of the checking)" if more else ""
            results.append(ExerciseResult(exercise.name, "tampered", message))
            continue
        checked = _checked(exercise, graded[position], run, position)
        if checked.status != "tampered" and _not_done(course, exercise, graded):
            checked = ExerciseResult(exercise.name, "not done", "the stub was not changed")
        results.append(checked)
    return results


def _checked(exercise: Exercise, check: GradedCell, run: _Run, position: int) -> ExerciseResult:
    """What the course's check cell reported for one exercise."""
    records = [
        r for r in _records(run.notebook.cells[position]) if r.get("exercise") == exercise.name
    ]
    status = run.finished.get(position)
    if status is None:  # never ran: the notebook stopped before it
        why = f"its check never ran ({run.failure})" if run.failure else "its check never ran"
        return ExerciseResult(exercise.name, "not run", why)
    if status != "ok":
        error = next(
            (o for o in run.notebook.cells[position].outputs if o.get("output_type") == "error"),
            None,
        )
        raised = f"{error.ename}: {error.evalue}" if error else "an error"
        return ExerciseResult(
            exercise.name, "wrong", f"its check could not finish: it raised {raised}"
        )
    if len(records) != exercise.reports:
        return ExerciseResult(
            exercise.name,
            "tampered",
            f"{check.label} sent {len(records)} results where the course's check sends "
            f"{exercise.reports}: something else reported for it, or stopped it",
        )
    last = records[-1]
    return ExerciseResult(exercise.name, str(last.get("status")), str(last.get("message", "")))


async def _grade_one(
    submission: Path,
    course_notebooks: Path,
    timeout: float,
    memory_bytes: int,
    label: str,
    student: str,
) -> NotebookReport:
    report = NotebookReport(notebook=label or submission.name, student=student)
    course_path = Path(course_notebooks) / submission.name
    if not course_path.is_file():
        report.failure = (
            f"no course notebook named {submission.name} in {course_notebooks}: keep the "
            "notebook's file name as handed out"
        )
        return report
    try:
        notebook = nbformat.read(submission, as_version=4)
    except Exception as error:
        report.failure = f"could not read the notebook: {type(error).__name__}: {error}"
        return report
    started = time.perf_counter()
    course = CourseEdition.read(course_path)
    graded, report.restored = assemble(course, notebook)
    touched = tampering(course, graded)
    notebook = nbformat.v4.new_notebook(cells=[g.cell for g in graded])
    run = await _run(notebook, timeout, memory_bytes, [g.label for g in graded])
    report.failure = run.failure
    report.exercises = _results(course, graded, touched, run)
    report.seconds = round(time.perf_counter() - started, 1)
    return report


def grade_notebook(
    submission: Path,
    course_notebooks: Path,
    timeout: float = 60.0,
    label: str = "",
    memory_gb: float = 4.0,
) -> NotebookReport:
    """Grade one submission in a sandboxed kernel: each exercise of its course notebook.

    ``label`` names the submission in the report (default: its file name).
    """
    require_bubblewrap()
    return asyncio.run(
        _grade_one(
            Path(submission), Path(course_notebooks), timeout, int(memory_gb * GIGABYTE), label, ""
        )
    )


def _submissions(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def grade(
    path: Path,
    course_notebooks: Path,
    timeout: float = 60.0,
    jobs: int | None = None,
    memory_gb: float = 4.0,
    progress: bool = False,
) -> list[NotebookReport]:
    """Grade one submitted notebook, or every notebook under a folder, ``jobs`` at once.

    In a folder, each student's notebooks go in a subfolder of their own (its name is
    the student's in the gradebook); the report names each by its path in the folder.
    """
    require_bubblewrap()
    path = Path(path)
    submissions = _submissions(path)
    jobs = max(1, jobs or os.cpu_count() or 1)
    return asyncio.run(
        _grade_all(path, submissions, course_notebooks, timeout, jobs, memory_gb, progress)
    )


async def _grade_all(path, submissions, course_notebooks, timeout, jobs, memory_gb, progress):
    from tqdm import tqdm

    slots = asyncio.Semaphore(jobs)
    bar = tqdm(total=len(submissions), unit="notebook", disable=not progress, file=sys.stderr)

    async def one(submission: Path) -> NotebookReport:
        if path.is_file():  # the student's name: the folder their notebook is in
            label, student = submission.name, submission.resolve().parent.name
        else:
            label = submission.relative_to(path).as_posix()
            student = submission.parent.relative_to(path).as_posix()
            student = path.resolve().name if student == "." else student  # one student's folder
        async with slots:
            try:
                report = await _grade_one(
                    submission,
                    Path(course_notebooks),
                    timeout,
                    int(memory_gb * GIGABYTE),
                    label,
                    student,
                )
            except Exception as error:  # one broken submission must not stop the others
                report = NotebookReport(
                    label, student, failure=f"grader error: {type(error).__name__}: {error}"
                )
        bar.update(1)
        return report

    try:
        return list(await asyncio.gather(*(one(s) for s in submissions)))
    finally:
        bar.close()


# ---------------------------------------------------------------------- the course tree


def tree_snapshot(root: Path, skipped_folders: set[str] = SKIPPED_FOLDERS) -> dict[str, str]:
    """Every file under ``root`` -> a hash of its content.

    .git, .venv and caches are left out.
    """
    files = {}
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [d for d in subfolders if d not in skipped_folders]
        for name in names:
            path = Path(folder) / name
            try:
                files[str(path.relative_to(root))] = hashlib.sha1(path.read_bytes()).hexdigest()
            except OSError:  # a socket, a file that vanished while we looked
                continue
    return files


# ---------------------------------------------------------------------------- reporting


def format_table(reports: list[NotebookReport]) -> str:
    """A plain-text table per notebook: each exercise's status and its message."""
    lines = []
    for report in reports:
        total = len(report.exercises)
        lines.append(f"{report.notebook}: {report.passed} of {total} passed ({report.seconds} s)")
        width = max([len(r.exercise) for r in report.exercises] + [8])
        for result in report.exercises:
            message = "" if result.status in ("passed", "not done") else result.message
            lines.append(f"  {result.exercise:<{width}}  {result.status:<8}  {message}".rstrip())
        if report.failure:
            lines.append(f"  notebook failed: {report.failure}")
        for note in report.restored:
            lines.append(f"  COURSE CELL RESTORED: {note}")
        lines.append("")
    return "\n".join(lines)


def _columns(reports: list[NotebookReport]) -> list[tuple[str, str]]:
    """Each (notebook file name, exercise), in the order submissions first show it."""
    columns = []
    for report in reports:
        for result in report.exercises:
            columns.append((Path(report.notebook).name, result.exercise))
    return list(dict.fromkeys(columns))


def format_summary(reports: list[NotebookReport], common: int = 3) -> str:
    """Per exercise: how many passed, were wrong, not done, tampered, not run.

    Then the commonest wrong messages. What an instructor reads first.
    """
    lines = [f"Summary of {len(reports)} submissions"]
    for notebook, exercise in _columns(reports):
        results = [
            r
            for report in reports
            if Path(report.notebook).name == notebook
            for r in report.exercises
            if r.exercise == exercise
        ]
        counts = Counter(r.status for r in results)
        shown = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s] or s != "not run")
        lines.append(f"{notebook}  {exercise}: {shown}")
        wrong = Counter(r.message for r in results if r.status == "wrong")
        for message, count in wrong.most_common(common):
            lines.append(f"    {count} x {message}")
    failed = [r for r in reports if r.failure]
    restored = [r for r in reports if r.restored]
    if failed:
        lines.append(f"{_count(failed, 'notebook')} failed somewhere (see the table)")
    if restored:
        lines.append(
            f"{_count(restored, 'notebook')} had course cells deleted or edited (restored)"
        )
    return "\n".join(lines)


def _count(items: list, noun: str) -> str:
    return f"{len(items)} {noun}" + ("" if len(items) == 1 else "s")


def write_reports(reports: list[NotebookReport], json_path: Path, csv_path: Path) -> None:
    """Write the reports as JSON and CSV.

    The JSON has one object per notebook; the CSV has one row per exercise.
    """
    as_dicts = [{**asdict(report), "passed": report.passed} for report in reports]
    _write_text_atomically(json_path, json.dumps(as_dicts, indent=1, ensure_ascii=False) + "\n")
    rows = [
        [r.student, r.notebook, e.exercise, e.status, e.message, r.failure, "; ".join(r.restored)]
        for r in reports
        for e in r.exercises or [ExerciseResult("", "not run", "")]
    ]
    header = [
        "student",
        "notebook",
        "exercise",
        "status",
        "message",
        "notebook_failure",
        "restored_cells",
    ]
    _write_text_atomically(csv_path, _csv([header, *rows]))


def write_gradebook(reports: list[NotebookReport], path: Path) -> None:
    """One row per student, one column per exercise (1 passed, 0 not), and their total.

    That is the layout gradebooks import. The statuses and messages are in the long CSV.
    """
    columns = _columns(reports)
    students = list(dict.fromkeys(r.student for r in reports))
    points = {s: {} for s in students}
    for report in reports:
        student = report.student
        for result in report.exercises:
            points[student][(Path(report.notebook).name, result.exercise)] = int(
                result.status == "passed"
            )
    header = ["student", *(f"{Path(n).stem}: {e}" for n, e in columns), "total"]
    rows = [[s, *(points[s].get(c, 0) for c in columns), sum(points[s].values())] for s in students]
    _write_text_atomically(path, _csv([header, *rows]))


def _csv(rows: list[list]) -> str:
    table = io.StringIO()
    csv.writer(table).writerows(rows)
    return table.getvalue()


def _write_text_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8", newline="")  # as written: csv ends rows with \r\n
    partial.replace(path)


def report_paths(path: Path) -> dict[str, Path]:
    """Where the reports go.

    In a graded folder: ``grades.txt`` (the tables), ``grades.json``, ``grades.csv`` and
    ``gradebook.csv``; next to a single notebook: ``NAME.grades.txt`` and so on.
    """
    path = Path(path)
    names = {"table": "grades.txt", "json": "grades.json", "csv": "grades.csv"}
    names["gradebook"] = "gradebook.csv"
    if path.is_dir():
        return {kind: path / name for kind, name in names.items()}
    return {kind: path.with_suffix("." + name) for kind, name in names.items()}


def main(arguments: list[str]) -> int:
    """Grade the submissions ``arguments`` name and write the reports.

    Returns the exit code.

    One notebook: its table is printed. A folder (a class): the summary is printed, the
    tables of all notebooks go to ``grades.txt``.
    """
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.grading",
        description="Run students' notebooks in a sandbox and report each exercise.",
    )
    parser.add_argument("submission", type=Path, help="a submitted .ipynb, or a folder of them")
    parser.add_argument(
        "--course", type=Path, default=Path("notebooks"), help="the course notebooks"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds allowed per cell")
    parser.add_argument("--memory", type=float, default=4.0, help="GB of memory per notebook")
    parser.add_argument(
        "--jobs", type=int, default=0, help="notebooks graded at once (default: the cores)"
    )
    options = parser.parse_args(arguments)
    if not options.submission.exists():
        parser.error(f"{options.submission} does not exist: give a submitted notebook or a folder")
    if not _submissions(options.submission):
        parser.error(f"no .ipynb files in {options.submission}")
    try:
        require_bubblewrap()
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    reports = grade(
        options.submission,
        options.course,
        options.timeout,
        options.jobs or None,
        options.memory,
        progress=True,
    )
    paths = report_paths(options.submission)
    table = format_table(reports)
    _write_text_atomically(paths["table"], table)
    write_reports(reports, paths["json"], paths["csv"])
    write_gradebook(reports, paths["gradebook"])
    print(format_summary(reports) if options.submission.is_dir() else table)
    print("written: " + ", ".join(str(p) for p in paths.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
