"""`make lab` installs what a student needs; `make test` adds the test extras."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def planned_installs(target: str, folder: Path) -> list[str]:
    """The pip installs `make -n <target>` would run in a fresh copy (no .venv)."""
    for name in ("Makefile", "pyproject.toml", "constraints.txt", "presenting/overrides.json"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, folder / name)
    plan = subprocess.run(
        ["make", "-n", target], cwd=folder, capture_output=True, text=True, check=True
    ).stdout
    return [line for line in plan.splitlines() if "pip install" in line]


def test_make_lab_installs_only_the_lab_extras(tmp_path):
    installs = planned_installs("lab", tmp_path)
    assert len(installs) == 1 and '-e ".[lab]"' in installs[0], installs
    assert "-c constraints.txt" in installs[0]


def test_make_test_adds_the_test_extras(tmp_path):
    installs = planned_installs("test", tmp_path)
    assert [('".[lab]"' in i, '".[test]"' in i) for i in installs] == [(True, False), (False, True)]
    assert all("-c constraints.txt" in i for i in installs)
