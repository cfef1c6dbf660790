"""The course on other Pythons, other releases and in Colab: the tools of ``make test-compat``.

    python course_tools/compat.py lowest pyproject.toml          the oldest releases it claims
    python -m course_tools.compat run notebooks/*.ipynb           run each notebook, count changes
    python -m course_tools.compat colab --python P notebooks/*.ipynb   each one alone, as in Colab

``lowest`` turns every lower bound of pyproject.toml's dependencies (and its lab extra) into an
exact pin (``torch>=2.13,<2.15`` -> ``torch==2.13``), for pip's ``-c``: the run on the oldest
releases the course claims. It needs only the standard library, so it runs before anything
is installed.

``run`` executes each notebook top to bottom in a fresh kernel of this Python, in a temporary
folder; it fails when a cell raises or a solution's check does not pass, and it counts the
outputs that differ from the committed ones (text after nbval's sanitizing, figures beyond
nbval's tolerance): the README's table of what another PyTorch prints.

``colab`` is the simulation of a notebook opened on its own: each notebook is copied alone into
an empty folder, and run in a kernel of a fresh virtual environment that has what Colab
preinstalls but not course_utils. Its install cell installs course_utils from a wheel of the
working tree, named by the variable that stands for the repository address; no download. It
fails when a cell raises, a solution's check does not pass, a picture is missing or the package
did not come from that wheel.
"""

from __future__ import annotations

import argparse
import base64
import configparser
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SANITIZE = ROOT / "tests" / "sanitize.cfg"
FIGURE_TOLERANCE_RMS = 0.5  # as tests/nbval_figures.py: antialiasing noise, not a moved marker
CELL_TIMEOUT = 600


# --- the oldest releases ---------------------------------------------------------------------


def lowest_pins(pyproject: Path, extras: tuple[str, ...] = ("lab",)) -> list[str]:
    """Each direct dependency at its lower bound, as ``name==version`` lines for pip's -c.

    A dependency without a lower bound is an error: the oldest release it claims is unknown.
    """
    import tomllib

    project = tomllib.loads(Path(pyproject).read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    pins = []
    for requirement in requirements:
        name, clauses = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", requirement).groups()
        lower = re.search(r"(?:>=|==)\s*([^,\s]+)", clauses)
        if lower is None:
            raise ValueError(f"{requirement!r} has no lower bound: give it one (>=)")
        pins.append(f"{name}=={lower.group(1)}")
    return pins


# --- running notebooks -------------------------------------------------------------------------


def _sanitizers() -> list[tuple[re.Pattern, str]]:
    """nbval's sanitizing patterns (tests/sanitize.cfg): what may vary between two runs."""
    config = configparser.ConfigParser()
    config.read(SANITIZE, encoding="utf-8")
    return [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]


def output_text(outputs: list, sanitizers: list[tuple[re.Pattern, str]]) -> str:
    """The text a cell shows (streams, text/plain results, errors), sanitized as nbval does."""
    parts = []
    for output in outputs:
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "error":
            parts.append(f"{output.get('ename')}: {output.get('evalue')}")
        elif "text/plain" in output.get("data", {}) and "image/png" not in output["data"]:
            parts.append(output["data"]["text/plain"])
    text = "".join("".join(part) if isinstance(part, list) else part for part in parts)
    for pattern, replacement in sanitizers:
        text = pattern.sub(replacement, text)
    return text


def figures(outputs: list) -> list[bytes]:
    """The PNG bytes of every figure in a cell's outputs."""
    return [
        base64.b64decode(output["data"]["image/png"])
        for output in outputs
        if "image/png" in output.get("data", {})
    ]


def figures_differ(committed: list[bytes], fresh: list[bytes]) -> bool:
    """True when a figure is missing, extra, or differs beyond the tolerance (RMS of pixels)."""
    if len(committed) != len(fresh):
        return True
    from matplotlib.testing.compare import compare_images
    from matplotlib.testing.exceptions import ImageComparisonFailure

    for old, new in zip(committed, fresh, strict=True):
        if old == new:
            continue
        with tempfile.TemporaryDirectory() as folder:
            expected, actual = Path(folder, "committed.png"), Path(folder, "fresh.png")
            expected.write_bytes(old)
            actual.write_bytes(new)
            try:
                if compare_images(str(expected), str(actual), tol=FIGURE_TOLERANCE_RMS):
                    return True
            except ImageComparisonFailure:  # another size
                return True
    return False


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def solution_problems(notebook) -> list[str]:
    """One line per solution cell whose check did not print a pass (✅ and no ❌ or ⏳)."""
    problems = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code" or "solution" not in _tags(cell):
            continue
        text = output_text(cell.get("outputs", []), [])
        if "✅" not in text or "❌" in text or "⏳" in text:
            lines = text.strip().splitlines()
            verdict = [line for line in lines if line.startswith(("❌", "⏳"))] or lines[-1:]
            problems.append(f"cell {number} (a solution): {(verdict or ['no output'])[0]}")
    return problems


def execute(notebook, folder: Path, kernel_name: str = "python3", km=None):
    """Run ``notebook`` in a fresh kernel with ``folder`` as its working folder.

    Returns the error's line ("" when every cell ran). The notebook keeps the fresh outputs.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name=kernel_name,
        km=km,
        resources={"metadata": {"path": str(folder)}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        lines = str(error).strip().splitlines()
        return next((line for line in reversed(lines) if line.strip()), "a cell raised")
    return ""


def compare_with_committed(committed, fresh) -> dict[str, int]:
    """How many code cells' outputs differ from the committed ones, text and figures apart.

    Cells tagged ``nbval-ignore-output`` (widgets, timings) are not counted, as nbval does not
    compare them.
    """
    sanitizers = _sanitizers()
    counts = {"cells": 0, "text": 0, "figures": 0}
    for old, new in zip(committed.cells, fresh.cells, strict=True):
        if old.cell_type != "code" or "nbval-ignore-output" in _tags(old):
            continue
        counts["cells"] += 1
        old_outputs, new_outputs = old.get("outputs", []), new.get("outputs", [])
        if output_text(old_outputs, sanitizers) != output_text(new_outputs, sanitizers):
            counts["text"] += 1
        if figures_differ(figures(old_outputs), figures(new_outputs)):
            counts["figures"] += 1
    return counts


def run_notebooks(paths: list[Path], show_differences: bool = False) -> bool:
    """``run``: every notebook top to bottom here; print a table; True when all passed."""
    import nbformat
    import torch

    print(f"Python {sys.version.split()[0]}, PyTorch {torch.__version__}")
    print("| notebook | code cells | text differs | figures differ | seconds | result |")
    print("|---|---|---|---|---|---|")
    passed = True
    for path in paths:
        committed = nbformat.read(path, as_version=4)
        fresh = nbformat.read(path, as_version=4)
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            error = execute(fresh, Path(folder))
        seconds = time.perf_counter() - started
        problems = [error] if error else solution_problems(fresh)
        counts = compare_with_committed(committed, fresh)
        passed &= not problems
        result = "; ".join(problems) or "ran, solutions pass"
        print(
            f"| {path.stem} | {counts['cells']} | {counts['text']} | {counts['figures']} "
            f"| {seconds:.0f} | {result} |"
        )
        if show_differences:
            _print_differences(committed, fresh)
    return passed


def _print_differences(committed, fresh) -> None:
    import difflib

    sanitizers = _sanitizers()
    for number, (old, new) in enumerate(zip(committed.cells, fresh.cells, strict=True), 1):
        if old.cell_type != "code" or "nbval-ignore-output" in _tags(old):
            continue
        before = output_text(old.get("outputs", []), sanitizers).splitlines()
        after = output_text(new.get("outputs", []), sanitizers).splitlines()
        if before != after:
            print(f"    cell {number}:")
            for line in difflib.unified_diff(before, after, lineterm="", n=0):
                if not line.startswith(("---", "+++", "@@")):
                    print(f"      {line}")


# --- Colab, simulated --------------------------------------------------------------------------


def build_wheel(folder: Path) -> Path:
    """A wheel of course_utils from a copy of the working tree (building writes build/ there)."""
    source = folder / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("course_utils", "course_tools"):
        shutil.copytree(ROOT / package, source / package, ignore=ignore)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["--no-index", "-w", str(folder / "dist"), str(source)],
        check=True,
    )
    (wheel,) = (folder / "dist").glob("course_utils-*.whl")
    return wheel


def fresh_environment(base_python: Path, folder: Path) -> Path:
    """A new virtual environment that sees ``base_python``'s packages but can install its own.

    It is made without pip, and a .pth file adds the base environment's site-packages to its
    path: torch and the rest are not copied again, and what its kernel installs (course_utils)
    goes into this environment only, so the base stays without course_utils for the next one.
    """
    subprocess.run([str(base_python), "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"

    def site_packages(interpreter: Path) -> list[str]:
        code = "import sysconfig, json; p = sysconfig.get_paths(); print(json.dumps([p['purelib'], p['platlib']]))"
        result = subprocess.run([str(interpreter), "-c", code], capture_output=True, text=True)
        return sorted(set(json.loads(result.stdout)))

    ours = site_packages(python)[0]
    Path(ours, "colab-preinstalled.pth").write_text("\n".join(site_packages(base_python)) + "\n")
    return python


def kernel_for(python: Path, folder: Path, environment: dict[str, str]):
    """A kernel manager that starts ``python``'s ipykernel with ``environment`` added."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    spec = folder / "colab"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Colab (simulated)",
                "language": "python",
                "env": environment,
            }
        )
    )
    specs = KernelSpecManager(kernel_dirs=[str(folder)])
    return KernelManager(kernel_name="colab", kernel_spec_manager=specs)


MARKDOWN_PICTURE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)>\s]+)")
HTML_PICTURE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)


def missing_pictures(notebook, folder: Path) -> list[str]:
    """The pictures of markdown cells that would not show with the notebook alone in ``folder``."""
    missing = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "markdown":
            continue
        links = MARKDOWN_PICTURE.findall(cell.source) + HTML_PICTURE.findall(cell.source)
        for link in links:
            if link.startswith("attachment:"):
                if link.removeprefix("attachment:") not in cell.get("attachments", {}):
                    missing.append(f"cell {number}: {link} is not attached")
            elif not link.startswith("data:") and not (folder / link).is_file():
                missing.append(f"cell {number}: {link} is not there")
    return missing


WHERE_FROM = "import course_utils; print('course_utils from', course_utils.__file__)"


def simulate_colab(paths: list[Path], base_python: Path) -> bool:
    """``colab``: each notebook alone with Colab's packages; print one line each; True if all pass."""
    import nbformat

    from course_tools import colab

    passed = True
    with tempfile.TemporaryDirectory(prefix="colab-") as scratch:
        scratch = Path(scratch)
        wheel = build_wheel(scratch / "wheel")
        print(f"Colab simulated: {base_python} (no course_utils), course_utils from {wheel.name}")
        for path in paths:
            started = time.perf_counter()
            place = scratch / path.stem
            alone = place / "notebook"
            alone.mkdir(parents=True)
            shutil.copy(path, alone / path.name)
            notebook = nbformat.read(alone / path.name, as_version=4)
            notebook.cells.append(nbformat.v4.new_code_cell(WHERE_FROM))
            python = fresh_environment(base_python, place / "venv")
            environment = {
                colab.SOURCE_VARIABLE: str(wheel),
                "COLAB_RELEASE_TAG": "simulated",  # what Colab's kernel has; the set-up check reads it
                "PIP_NO_INDEX": "1",  # nothing may come from the internet
                "OMP_NUM_THREADS": "1",
            }
            km = kernel_for(python, place / "kernels", environment)
            error = execute(notebook, alone, kernel_name="colab", km=km)
            problems = [error] if error else solution_problems(notebook)
            problems += missing_pictures(notebook, alone)
            installed = output_text(notebook.cells[-1].get("outputs", []), [])
            if not error and str(place / "venv") not in installed:
                problems.append(f"course_utils did not come from the install cell: {installed}")
            passed &= not problems
            seconds = time.perf_counter() - started
            print(f"{'✅' if not problems else '❌'} {path.name} ({seconds:.0f} s)")
            for problem in problems:
                print(f"    {problem}")
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.compat", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    lowest = commands.add_parser("lowest", help="the lower bounds of pyproject.toml, as pins")
    lowest.add_argument("pyproject", type=Path)
    run = commands.add_parser("run", help="run notebooks here, count outputs that differ")
    run.add_argument("notebooks", nargs="+", type=Path)
    run.add_argument("--show-differences", action="store_true")
    simulation = commands.add_parser("colab", help="each notebook alone, as in Colab")
    simulation.add_argument("--python", type=Path, required=True, help="Colab's environment")
    simulation.add_argument("notebooks", nargs="+", type=Path)
    options = parser.parse_args(argv)
    if options.command == "lowest":
        print("\n".join(lowest_pins(options.pyproject)))
        return 0
    if options.command == "run":
        return 0 if run_notebooks(options.notebooks, options.show_differences) else 1
    return 0 if simulate_colab(options.notebooks, options.python) else 1


if __name__ == "__main__":
    sys.exit(main())
