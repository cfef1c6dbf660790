"""Guards that notebook outputs are really checked.

nbval runs strict over every notebook, and compares figures too.

If someone quietly switched to --nbval-lax, dropped notebooks from the run, added a
sanitize rule that blanks numbers, stopped comparing figures or a widget cell's text and
figures, or committed a notebook that was not executed top to bottom in a fresh kernel,
these tests fail.
"""

import base64
import json
import re
import shutil
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PYTEST_CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]


def test_every_notebook_runs_under_nbval_strict():
    options = PYTEST_CONFIG["ini_options"]["addopts"].split()
    assert "--nbval" in options and "--nbval-current-env" in options
    assert "--nbval-lax" not in options
    assert "notebooks" in PYTEST_CONFIG["ini_options"]["testpaths"]
    assert NOTEBOOKS, "no notebooks found"


def test_figure_comparison_is_loaded_for_every_run():
    # the top-level conftest.py loads it, so `pytest notebooks/NN.ipynb`
    # compares figures too
    conftest = (ROOT / "conftest.py").read_text()
    assert re.search(r"pytest_plugins\s*=\s*\[\s*[\"']tests\.nbval_figures[\"']\s*\]", conftest)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_is_a_fresh_top_to_bottom_run(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    code = [c for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{notebook.name}: execution counts {counts} are not 1..{len(code)}: re-execute it with "
        "`make execute NB=...` and commit the result"
    )
    for cell in code:
        for output in cell["outputs"]:
            assert output["output_type"] != "error", f"{notebook.name}: a cell raised an error"


EXEMPT_TAGS = {"nbval-ignore-output", "nbval-skip"}
EXEMPT_MARKERS = re.compile(r"^\s*#\s*NBVAL_(IGNORE_OUTPUT|SKIP)\b", re.MULTILINE | re.IGNORECASE)
TIMING = re.compile(r"\btime\.(perf_counter|time|monotonic|process_time)\b|%%?timeit?\b")


def is_exempt(cell: dict) -> bool:
    """True for a code cell nbval does not compare (by tag or by an NBVAL_ comment)."""
    tags = set(cell["metadata"].get("tags", []))
    return bool(EXEMPT_TAGS & tags) or bool(EXEMPT_MARKERS.search("".join(cell["source"])))


def timing_functions(cells: list[dict]) -> set[str]:
    """Names of the functions a notebook defines that read the clock.

    Such a function is a ``def f(...)`` that calls time.*.
    """
    names = set()
    for cell in cells:
        source = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
        for match in re.finditer(r"^def (\w+)\(.*?(?=^\S|\Z)", source, flags=re.M | re.S):
            if TIMING.search(match.group(0)):
                names.add(match.group(1))
    return names


def unjustified_exemptions(cells: list[dict]) -> list[str]:
    """The code cells nbval does not compare that show no widget and measure no time."""
    unjustified = []
    timers = timing_functions(cells)
    for number, cell in enumerate(c for c in cells if c["cell_type"] == "code"):
        shows_widget = any(
            "application/vnd.jupyter.widget-view+json" in output.get("data", {})
            for output in cell["outputs"]
        )
        source = "".join(cell["source"])
        measures_time = TIMING.search(source) or any(
            re.search(rf"\b{name}\(", source) for name in timers
        )
        if is_exempt(cell) and not (shows_widget or measures_time):
            unjustified.append(f"Cell {number}")
    return unjustified


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_only_widgets_and_timings_are_exempt_from_comparison(notebook):
    unjustified = unjustified_exemptions(json.loads(notebook.read_text())["cells"])
    assert not unjustified, (
        f"{notebook.name}: {', '.join(unjustified)} escape nbval's comparison (nbval-ignore-output "
        "or nbval-skip) but show no widget and measure no time: remove the tag so their outputs "
        "are checked, and make them deterministic (seed the randomness)"
    )


def test_an_exempt_cell_without_widget_or_timing_is_caught():
    def code(source: str, tags: list[str], outputs: list | None = None) -> dict:
        metadata = {"tags": tags}
        return {
            "cell_type": "code",
            "source": source,
            "metadata": metadata,
            "outputs": outputs or [],
        }

    widget = [
        {"output_type": "display_data", "data": {"application/vnd.jupyter.widget-view+json": {}}}
    ]
    cells = [
        code("print(torch.rand(3))", ["nbval-ignore-output"]),  # caught
        code("# NBVAL_IGNORE_OUTPUT\nprint(loss)", []),  # caught
        code("print(loss)", ["nbval-skip"]),  # caught
        code("widgets.loss_explorer()", ["nbval-ignore-output"], widget),
        code("start = time.perf_counter()\nfit()", ["nbval-ignore-output"]),
        code("print(torch.rand(3))", []),  # compared: fine
        code("def best_ms(f):\n    start = time.perf_counter()\n    f()\n", []),
        code("print(best_ms(step))", ["nbval-ignore-output"]),  # times through best_ms: fine
        code("def helper(f):\n    return f()\n", []),
        code("print(helper(step))", ["nbval-ignore-output"]),  # caught: helper reads no clock
    ]
    assert unjustified_exemptions(cells) == ["Cell 0", "Cell 1", "Cell 2", "Cell 9"]


# Mutation guards: change one committed output in a scratch copy of the course and run
# pytest there exactly as `make test` does (same pyproject.toml, conftest.py, plugin and
# sanitize file).


def checked_code_cells(notebook: dict) -> list[tuple[int, dict]]:
    """(nbval's cell number, cell) of every code cell whose outputs nbval compares."""
    cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    return [(number, cell) for number, cell in enumerate(cells) if not is_exempt(cell)]


DECIMAL = re.compile(r"\d+\.\d{3,}")  # a computed result, as the course prints them (0.1657)


def change_last_digit_of_a_decimal(notebook: dict) -> int | None:
    """Change the last digit of the first decimal a checked cell prints.

    Returns the cell's number.

    The last digit is the one a loose sanitize rule (blanking or rounding
    numbers) would hide.
    """
    for number, cell in checked_code_cells(notebook):
        for output in cell["outputs"]:
            text = "".join(output.get("text", ""))
            decimal = DECIMAL.search(text) if output["output_type"] == "stream" else None
            if decimal:
                end = decimal.end() - 1
                changed = str((int(text[end]) + 1) % 10)
                output["text"] = text[:end] + changed + text[end + 1 :]
                return number
    return None


def png_size(encoded: str) -> tuple[int, int]:
    """Width and height of a base64 PNG, from its header."""
    return struct.unpack(">II", base64.b64decode(encoded)[16:24])


def committed_figures(notebook: dict) -> list[tuple[int, dict]]:
    """(cell number, output) of every figure in a checked cell."""
    return [
        (number, output)
        for number, cell in checked_code_cells(notebook)
        for output in cell["outputs"]
        if "image/png" in output.get("data", {})
    ]


def replace_one_figure(notebook: dict, others: list[str], avoid: int) -> int | None:
    """Replace a figure (not in cell ``avoid``) by another of the same size.

    Returns the figure's cell.
    """
    for number, output in committed_figures(notebook):
        if number == avoid:
            continue
        original = output["data"]["image/png"]
        same_size = [o for o in others if o != original and png_size(o) == png_size(original)]
        if same_size:
            output["data"]["image/png"] = same_size[0]
            return number
    return None


def scratch_course(folder: Path) -> Path:
    """A copy of the course's test set-up (no notebooks) in ``folder``.

    Returns its notebooks/ folder.
    """
    for name in ("pyproject.toml", "conftest.py", "tests/nbval_figures.py", "tests/sanitize.cfg"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(ROOT / "images", folder / "images")  # relative image links still resolve
    (folder / "notebooks").mkdir()
    return folder / "notebooks"


def failed_cells(course: Path, notebooks: list[Path]) -> dict[str, str]:
    """Run pytest (nbval) in the scratch course.

    Returns each failed test's id -> its message.
    """
    report = course / "report.xml"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", f"--junitxml={report}"]
    command += [f"--basetemp={course / 'pytest'}"]  # the kept figures stay in the scratch course
    result = subprocess.run(
        command + [str(p.relative_to(course)) for p in notebooks],
        cwd=course,
        capture_output=True,
        text=True,
    )
    assert report.exists(), f"pytest did not run:\n{result.stdout}\n{result.stderr}"
    failed = {}
    for case in ElementTree.parse(report).iter("testcase"):
        for problem in [*case.iter("failure"), *case.iter("error")]:
            failed[f"{case.get('classname')}::{case.get('name')}"] = (
                problem.get("message") or ""
            ) + (problem.text or "")
    return failed


def failed_id(notebook: Path, cell: int) -> str:
    """The id ``failed_cells`` gives a notebook's cell (pytest's junit names)."""
    return f"notebooks.{notebook.name}::Cell {cell}"


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def change_two_widget_cells(notebook: dict, figure: str) -> tuple[int, int] | None:
    """Change the first two cells that show a widget; return their cell numbers.

    The first gets a committed line of text and a figure it does not show (a failure),
    the second's widget view another model id and repr (no failure: the view is what may
    vary).
    """
    cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    widget_cells = [
        number
        for number, cell in enumerate(cells)
        if any(WIDGET_VIEW in output.get("data", {}) for output in cell["outputs"])
    ]
    if len(widget_cells) < 2:
        return None
    first, second = widget_cells[:2]
    cells[first]["outputs"] += [
        {"output_type": "stream", "name": "stdout", "text": "a line this cell does not print\n"},
        {"output_type": "display_data", "metadata": {}, "data": {"image/png": figure}},
    ]
    for output in cells[second]["outputs"]:
        if WIDGET_VIEW in output.get("data", {}):
            output["data"][WIDGET_VIEW]["model_id"] = "0" * 32
            output["data"]["text/plain"] = "VBox(children=(a repr of another day))"
    return first, second


@pytest.mark.pins  # runs nbval against the committed outputs: needs the pinned versions
def test_nbval_fails_when_a_printed_number_a_figure_or_a_widget_cells_output_is_changed(
    tmp_path,
):
    all_figures = [
        output["data"]["image/png"]
        for path in NOTEBOOKS
        for _, output in committed_figures(json.loads(path.read_text()))
    ]
    by_size = sorted(NOTEBOOKS, key=lambda p: p.stat().st_size)
    # the smallest notebook that prints a decimal and has a figure that can be replaced
    for source in by_size:
        notebook = json.loads(source.read_text())
        number_cell = change_last_digit_of_a_decimal(notebook)
        if number_cell is not None:
            figure_cell = replace_one_figure(notebook, all_figures, avoid=number_cell)
            if figure_cell is not None:
                break
    else:
        pytest.fail("no notebook prints a decimal number and shows a replaceable figure")
    # and the smallest that shows two widgets
    for widget_source in by_size:
        widget_notebook = json.loads(widget_source.read_text())
        widget_cells = change_two_widget_cells(widget_notebook, all_figures[0])
        if widget_cells is not None:
            break
    else:
        pytest.fail("no notebook shows two widgets")
    assert widget_source != source, "choose the widget cells in another notebook than the rest"
    notebooks = scratch_course(tmp_path)
    (notebooks / source.name).write_text(json.dumps(notebook))
    (notebooks / widget_source.name).write_text(json.dumps(widget_notebook))

    failed = failed_cells(tmp_path, [notebooks / source.name, notebooks / widget_source.name])

    # exactly the changed cells that must fail fail; every other cell passes, the widget
    # cell whose view alone was changed too
    number_id, figure_id = failed_id(source, number_cell), failed_id(source, figure_cell)
    widget_id = failed_id(widget_source, widget_cells[0])
    assert set(failed) == {number_id, figure_id, widget_id}, f"failed: {sorted(failed)}"
    assert "Cell outputs differ" in failed[number_id], failed[number_id]
    assert "Cell figures differ" in failed[figure_id], failed[figure_id]
    assert "its widget view aside" in failed[widget_id], failed[widget_id]
    assert "Missing output fields from running code: {'stdout'}" in failed[widget_id]
    assert "the cell drew 0 figure(s) but the notebook has 1 committed" in failed[widget_id]
