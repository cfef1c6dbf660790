"""Binder and JupyterHubs built by repo2docker install the course as `make lab` does."""

import re
import stat
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"


def requirement_lines() -> list[str]:
    lines = (BINDER / "requirements.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_binder_installs_the_package_with_the_lab_extras_and_the_same_pins():
    lines = requirement_lines()
    # pip reads a -c path inside a requirements file relative to that file, and repo2docker
    # runs pip from the repository's top, where "." is the course's own package
    (constraint,) = [line.split(maxsplit=1)[1] for line in lines if line.startswith("-c ")]
    assert (BINDER / constraint).resolve() == ROOT / "constraints.txt"
    assert (
        "-e .[lab]" in lines
    )  # what `make lab` installs: pip install -c constraints.txt -e ".[lab]"
    makefile = (ROOT / "Makefile").read_text()
    assert 'pip install --quiet -c constraints.txt -e ".[lab]"' in makefile
    # nothing else is installed, and no pin of its own could disagree with constraints.txt
    assert [
        line for line in lines if not line.startswith(("-c ", "-e ", "--extra-index-url"))
    ] == []


def test_binder_takes_pytorchs_cpu_build_of_the_pinned_version():
    (index,) = [line for line in requirement_lines() if line.startswith("--extra-index-url")]
    assert index == "--extra-index-url https://download.pytorch.org/whl/cpu"
    pins = (ROOT / "constraints.txt").read_text()
    assert re.search(r"^torch==2\.13\.0$", pins, re.MULTILINE)  # 2.13.0+cpu satisfies it


def test_binder_runs_the_python_of_the_committed_outputs():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    conda = re.search(r"^\s*- python=(\S+)$", (ROOT / "environment.yml").read_text(), re.MULTILINE)
    assert runtime == f"python-{conda[1]}" == "python-3.11"


def test_binder_installs_the_lab_settings_as_make_lab_does():
    post_build = BINDER / "postBuild"
    assert post_build.stat().st_mode & stat.S_IXUSR, (
        "repo2docker runs postBuild: it must be executable"
    )
    script = post_build.read_text()
    assert script.startswith("#!/bin/bash\n") and "set -euo pipefail" in script
    assert 'cp presenting/overrides.json "$settings/overrides.json"' in script
    assert 'settings="${NB_PYTHON_PREFIX:-' in script and "/share/jupyter/lab/settings" in script
    makefile = (ROOT / "Makefile").read_text()
    assert "LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json" in makefile
