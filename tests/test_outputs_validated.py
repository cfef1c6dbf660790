"""Guards that notebook outputs are really checked: nbval strict over every notebook.

If someone quietly switched to --nbval-lax, dropped notebooks from the run, or committed a
notebook that was not executed top to bottom in a fresh kernel, these tests fail.
"""

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SANITIZE = ROOT / "tests" / "sanitize.cfg"


def pytest_options() -> str:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    return config["addopts"]


def test_every_notebook_runs_under_nbval_strict():
    options = pytest_options().split()
    assert "--nbval" in options and "--nbval-current-env" in options
    assert "--nbval-lax" not in options
    testpaths = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"
    ]["testpaths"]
    assert "notebooks" in testpaths
    assert NOTEBOOKS, "no notebooks found"


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


def run_nbval(notebook: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    command += ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", str(SANITIZE)]
    command += [str(notebook)]
    return subprocess.run(command, cwd=notebook.parent, capture_output=True, text=True)


def change_first_text_output(notebook: dict) -> str:
    """Change one committed stream output in place; return the cell's original text."""
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            if output["output_type"] == "stream" and "".join(output["text"]).strip():
                original = "".join(output["text"])
                output["text"] = original.replace(original.strip()[-1], "#", 1)
                assert output["text"] != original
                return original
    raise AssertionError("no printed output to change")


def test_nbval_fails_when_one_committed_output_is_changed(tmp_path):
    # the smallest notebook keeps this fast; it must print something
    source = min(NOTEBOOKS, key=lambda p: p.stat().st_size)
    unchanged = tmp_path / "unchanged" / source.name
    unchanged.parent.mkdir()
    shutil.copy(source, unchanged)
    shutil.copytree(ROOT / "images", tmp_path / "images")  # relative image links still resolve
    changed = tmp_path / "changed" / source.name
    changed.parent.mkdir()
    notebook = json.loads(source.read_text())
    change_first_text_output(notebook)
    changed.write_text(json.dumps(notebook))

    assert run_nbval(unchanged).returncode == 0, "the committed notebook itself must pass nbval"
    result = run_nbval(changed)
    assert result.returncode != 0, "nbval passed a notebook whose output was changed"
    assert "1 failed" in result.stdout
