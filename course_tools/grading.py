"""Grade students' notebooks by running them (``make grade NB=submission.ipynb`` or a folder).

Each submission runs without its solution cells, in a fresh kernel and a temporary folder, with a
time limit per cell; each exercise of the course notebook of the same name is reported as passed,
wrong (with the check's message), not done or not run, and any course file the run changed is
reported. A submission that hangs or raises never crashes the grader. The checks run in the
student's kernel: this grades honest work, it does not guard against forged results.
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from course_tools.student_edition import student_notebook

__all__ = [
    "ExerciseResult",
    "NotebookReport",
    "exercise_names",
    "format_table",
    "grade",
    "grade_notebook",
    "tree_snapshot",
    "write_reports",
]

SKIPPED_FOLDERS = {".git", ".venv", ".venv-compat", "__pycache__", ".ipynb_checkpoints"}
PASSED_LINE = re.compile(r"^✅ (?:the solution of )?(.+): correct!$", re.MULTILINE)


@dataclass
class ExerciseResult:
    """One exercise of one submission: passed, wrong, not done, or not run."""

    exercise: str
    status: str
    message: str = ""


@dataclass
class NotebookReport:
    """What running one submission gave: its exercises, and where it failed if it did."""

    notebook: str
    exercises: list[ExerciseResult] = field(default_factory=list)
    failure: str = ""  # the first cell that failed, timed out or killed the kernel
    changed_files: list[str] = field(default_factory=list)  # course files it changed
    seconds: float = 0.0

    @property
    def passed(self) -> int:
        return sum(result.status == "passed" for result in self.exercises)


# ----------------------------------------------------------------------------- the exercises


def exercise_names(course_notebook: Path) -> list[str]:
    """The exercises of a course notebook, in order: the names its checks are called with.

    Read from the check cells' source (the first argument of ``checks.check_...``) and from the
    committed "✅ name: correct!" lines the solution cells printed.
    """
    notebook = nbformat.read(course_notebook, as_version=4)
    names: list[str] = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        names += _checked_names(cell.source)
        for output in cell.get("outputs", []):
            names += PASSED_LINE.findall(output.get("text", ""))
    return list(dict.fromkeys(names))


def _checked_names(source: str) -> list[str]:
    code = "\n".join(
        line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
    )
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    return [
        node.args[0].value
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


# ----------------------------------------------------------------------------- the course tree


def tree_snapshot(root: Path, skipped_folders: set[str] = SKIPPED_FOLDERS) -> dict[str, str]:
    """Every file under ``root`` (but .git, .venv and caches) -> a hash of its content."""
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


def tree_changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The files written, added or removed between two snapshots, e.g. 'removed: README.md'."""
    written = [f"written: {n}" for n, digest in sorted(after.items()) if before.get(n) != digest]
    removed = [f"removed: {n}" for n in sorted(set(before) - set(after))]
    return written + removed


# ----------------------------------------------------------------------------- running


def grade_notebook(
    submission: Path, course_notebooks: Path, timeout: float = 60.0, label: str = ""
) -> NotebookReport:
    """Run one submission in a fresh kernel and report each exercise of its course notebook.

    ``label`` names the submission in the report (default: its file name).
    """
    submission, course_notebooks = Path(submission), Path(course_notebooks)
    report = NotebookReport(notebook=label or submission.name)
    course_notebook = course_notebooks / submission.name
    if not course_notebook.is_file():
        report.failure = (
            f"no course notebook named {submission.name} in {course_notebooks}: keep the "
            "notebook's file name as handed out"
        )
        return report
    course_root = course_notebooks.resolve().parent
    before = tree_snapshot(course_root)
    started = time.perf_counter()
    recorded, report.failure = _run(submission, timeout)
    report.seconds = round(time.perf_counter() - started, 1)
    report.changed_files = tree_changes(before, tree_snapshot(course_root))
    report.exercises = _exercise_results(exercise_names(course_notebook), recorded, report.failure)
    return report


def _run(submission: Path, timeout: float) -> tuple[list[dict], str]:
    """Execute a submission without its solution cells; return its recorded checks and failure."""
    from course_utils import checks  # here, so the tree guard can import this module without torch

    with tempfile.TemporaryDirectory(prefix="grade-") as folder:
        record = Path(folder) / "checks.jsonl"
        try:
            notebook = student_notebook(nbformat.read(submission, as_version=4))
        except Exception as error:
            return [], f"could not read the notebook: {type(error).__name__}: {error}"
        environment = {**os.environ, checks.RECORD_VARIABLE: str(record), "OMP_NUM_THREADS": "1"}
        running = [0]  # the index of the cell that runs now

        def remember_cell(cell: nbformat.NotebookNode, cell_index: int) -> None:
            running[0] = cell_index

        client = NotebookClient(
            notebook,
            timeout=timeout,
            allow_errors=True,
            kernel_name="python3",
            resources={"metadata": {"path": folder}},
            on_cell_start=remember_cell,
        )
        failure = ""
        try:
            client.execute(env=environment)
        except CellTimeoutError:
            failure = f"{_where(notebook, running[0])} ran longer than {timeout:g} s"
        except DeadKernelError:
            failure = f"the kernel died at {_where(notebook, running[0])}"
        except Exception as error:
            failure = f"the notebook could not run: {type(error).__name__}: {error}"
        failure = failure or _first_error(notebook)
        recorded = _read_record(record)
    return recorded, failure


def _read_record(record: Path) -> list[dict]:
    if not record.exists():
        return []
    results = []
    for line in record.read_text(encoding="utf-8").splitlines():
        try:
            results.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return results


def _where(notebook: nbformat.NotebookNode, index: int) -> str:
    first_line = next((line for line in notebook.cells[index].source.splitlines() if line), "")
    return f"cell {index + 1} ({first_line.strip()[:50]!r})"


def _first_error(notebook: nbformat.NotebookNode) -> str:
    """'cell N (...) raised X: message', plus how many more cells failed; '' if none did."""
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
    return f"{_where(notebook, index)} raised {error.ename}: {error.evalue}{more}"


def _exercise_results(names: list[str], recorded: list[dict], failure: str) -> list[ExerciseResult]:
    """One result per exercise of the course notebook: the last one its check recorded."""
    last = {result.get("exercise"): result for result in recorded}
    results = []
    for name in names:
        if name in last:
            results.append(ExerciseResult(name, last[name]["status"], last[name]["message"]))
        else:
            why = f"its check never ran ({failure})" if failure else "its check never ran"
            results.append(ExerciseResult(name, "not run", why))
    return results


def grade(path: Path, course_notebooks: Path, timeout: float = 60.0) -> list[NotebookReport]:
    """Grade one submitted notebook, or every notebook under a folder (one subfolder per student
    is fine: the report names each by its path in the folder)."""
    path = Path(path)
    if path.is_file():
        submissions = [path]
    else:
        submissions = sorted(
            p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
        )
    reports = []
    for submission in submissions:
        label = submission.name if path.is_file() else str(submission.relative_to(path))
        try:
            reports.append(grade_notebook(submission, course_notebooks, timeout, label))
        except Exception as error:  # one broken submission must not stop the others
            reports.append(NotebookReport(label, failure=f"grader error: {error}"))
    return reports


# ----------------------------------------------------------------------------- reporting


def format_table(reports: list[NotebookReport]) -> str:
    """A plain-text table per notebook: each exercise's status and the check's message."""
    lines = []
    for report in reports:
        total = len(report.exercises)
        lines.append(f"{report.notebook}: {report.passed} of {total} passed ({report.seconds} s)")
        width = max([len(r.exercise) for r in report.exercises] + [8])
        for result in report.exercises:
            message = result.message if result.status in ("wrong", "not run") else ""
            lines.append(f"  {result.exercise:<{width}}  {result.status:<8}  {message}".rstrip())
        if report.failure:
            lines.append(f"  notebook failed: {report.failure}")
        for change in report.changed_files:
            lines.append(f"  CHANGED A COURSE FILE: {change}")
        lines.append("")
    return "\n".join(lines)


def write_reports(reports: list[NotebookReport], json_path: Path, csv_path: Path) -> None:
    """Write the reports as JSON (one object per notebook) and CSV (one row per exercise)."""
    as_dicts = [{**asdict(report), "passed": report.passed} for report in reports]
    _write_text_atomically(json_path, json.dumps(as_dicts, indent=1, ensure_ascii=False) + "\n")
    rows = [
        [r.notebook, e.exercise, e.status, e.message, r.failure, "; ".join(r.changed_files)]
        for r in reports
        for e in r.exercises or [ExerciseResult("", "not run", "")]
    ]
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(
        ["notebook", "exercise", "status", "message", "notebook_failure", "changed_files"]
    )
    writer.writerows(rows)
    _write_text_atomically(csv_path, table.getvalue())


def _write_text_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8", newline="")  # as written: csv ends rows with \r\n
    partial.replace(path)


def report_paths(path: Path) -> tuple[Path, Path]:
    """Where the reports go: ``grades.json/.csv`` in a folder, ``NAME.grades.json/.csv`` by a file."""
    path = Path(path)
    if path.is_dir():
        return path / "grades.json", path / "grades.csv"
    return path.with_suffix(".grades.json"), path.with_suffix(".grades.csv")


def main(arguments: list[str]) -> int:
    """Grade the submission named in ``arguments`` and write its reports; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.grading",
        description="Run students' notebooks and report each exercise.",
    )
    parser.add_argument("submission", type=Path, help="a submitted .ipynb, or a folder of them")
    parser.add_argument(
        "--course", type=Path, default=Path("notebooks"), help="the course notebooks"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds allowed per cell")
    options = parser.parse_args(arguments)
    if not options.submission.exists():
        parser.error(f"{options.submission} does not exist: give a submitted notebook or a folder")
    reports = grade(options.submission, options.course, options.timeout)
    if not reports:
        parser.error(f"no .ipynb files in {options.submission}")
    print(format_table(reports))
    json_path, csv_path = report_paths(options.submission)
    write_reports(reports, json_path, csv_path)
    print(f"written: {json_path} and {csv_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
