"""Nothing assumes a POSIX shell or path: the course works from a folder such as
``C:\\Users\\Zoë\\Cours d'été — réseaux\\`` (spaces, non-ASCII letters), on Windows and
macOS.

A static check reads the package, the tools and the notebooks' code for shell commands
and hard-coded paths; a run copies the package and two notebooks into such a folder,
with the temporary folder there too, and runs them: set-up check, saving and loading
checkpoints.
"""

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from course_tools import compat, student_edition

ROOT = Path(__file__).resolve().parents[1]
# What would tie the course to a POSIX shell or to one machine's folders.
NOT_PORTABLE = {
    r"shell\s*=\s*True": "a command through the shell: pass a list of arguments instead",
    r"\bos\.(system|popen)\(": "a command through the shell: use subprocess with a list",
    r"[\"']/tmp\b": "a POSIX temporary folder: use tempfile",
    r"[\"']~/": "a home folder written as ~: use Path.home()",
    r"\bos\.path\.join\([^)]*[\"'][^\"']*/": "a path joined with '/': use pathlib",
}
# The grader's sandbox is Linux's bubblewrap (README, "Isolation"): inside it, /tmp is
# the kernel's own folder in memory, so these two files name it on purpose.
LINUX_ONLY = {"course_tools/sandbox.py", "course_tools/grading.py"}
LINUX_ONLY_PATTERNS = {r"[\"']/tmp\b"}
# In a notebook's code cell, a line that starts a shell command (!ls, %%bash, %sx ...).
SHELL_LINE = re.compile(r"^\s*(!|%%?(bash|sh|sx|system|script)\b)")


def code_files():
    for folder in ("course_utils", "course_tools"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path, path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
        yield path, "\n".join(code)


def problems_in(text: str, notebook: bool, linux_only: bool = False) -> list[str]:
    found = [
        why
        for pattern, why in NOT_PORTABLE.items()
        if re.search(pattern, text) and not (linux_only and pattern in LINUX_ONLY_PATTERNS)
    ]
    if notebook:
        found += [
            f"shell line {line.strip()!r}" for line in text.splitlines() if SHELL_LINE.match(line)
        ]
    return found


def test_no_shell_command_or_posix_path_in_the_package_tools_or_notebooks():
    problems = [
        f"{path.relative_to(ROOT)}: {problem}"
        for path, text in code_files()
        for problem in problems_in(
            text, path.suffix == ".ipynb", path.relative_to(ROOT).as_posix() in LINUX_ONLY
        )
    ]
    assert problems == []


@pytest.mark.parametrize(
    "code",
    [
        "subprocess.run('ls ' + folder, shell=True)",
        "os.system('rm -rf build')",
        "path = '/tmp/model.pt'",
        "open('~/notes.txt')",
        "os.path.join(folder, 'runs/model.pt')",
    ],
)
def test_the_check_finds_each_kind_of_problem(code):
    assert problems_in(code, notebook=False)


@pytest.mark.parametrize("line", ["!pip install torch", "%%bash", "  !ls ..", "%sx ls"])
def test_the_check_finds_shell_lines_in_notebooks(line):
    assert problems_in(f"x = 1\n{line}\n", notebook=True)
    assert not problems_in(f"x = 1\n{line}\n", notebook=False)


WHERE = "import course_utils, tempfile; print(course_utils.__file__); print(tempfile.gettempdir())"


def test_the_course_runs_from_a_folder_with_spaces_and_accents(tmp_path, monkeypatch):
    course = tmp_path / "Zoë's course — Cours d'été, réseaux"
    temporary = tmp_path / "Temp folder ü"
    temporary.mkdir()
    shutil.copytree(ROOT / "course_utils", course / "course_utils")
    (course / "notebooks").mkdir()
    for name in ("00_start_here.ipynb", "10_save_and_load.ipynb"):
        shutil.copy(ROOT / "notebooks" / name, course / "notebooks" / name)
    # the kernels import course_utils from this
    # folder and make their temporary files there
    monkeypatch.setenv("PYTHONPATH", str(course))
    monkeypatch.setenv("TMPDIR", str(temporary))
    monkeypatch.setenv("TEMP", str(temporary))  # Windows' name for it
    student_edition.fill_own_copy(course / "notebooks", course / "my notebooks")
    for name in ("00_start_here.ipynb", "10_save_and_load.ipynb"):
        notebook = nbformat.read(course / "my notebooks" / name, as_version=4)
        notebook.cells.append(nbformat.v4.new_code_cell(WHERE))
        error = compat.execute(notebook, course / "my notebooks")
        assert error == "", f"{name}: {error}"
        assert compat.solution_problems(notebook) == []  # the student edition has no solutions
        where = compat.output_text(notebook.cells[-1].outputs, []).splitlines()
        # 10 saved and loaded its checkpoints in temporary folders under this one
        assert where == [str(course / "course_utils" / "__init__.py"), str(temporary)]
