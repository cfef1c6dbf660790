"""course_tools/choose_python.py: which Python sets up the course (make lab, make test)."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from course_tools import choose_python

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "course_tools" / "choose_python.py"  # the Makefile runs it by its path

SUPPORTED = ["3.11", "3.12", "3.13"]


def test_the_supported_versions_are_pyprojects_requires_python(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\nrequires-python = ">=3.10,<3.13"\n')
    assert choose_python.supported_versions(pyproject) == ["3.10", "3.11", "3.12"]
    pyproject.write_text('[project]\nrequires-python = ">=3.11"\n')
    with pytest.raises(ValueError, match="needs a lower and an upper bound"):
        choose_python.supported_versions(pyproject)
    pyproject.write_text('[project]\nrequires-python = "~=3.11"\n')
    with pytest.raises(ValueError, match="must read like >=3.11,<3.14"):
        choose_python.supported_versions(pyproject)


def test_the_course_supports_python_3_11_to_3_13():
    # the oracle: the same line read by tomllib, compared by hand
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11,<3.14"
    assert choose_python.supported_versions() == SUPPORTED


def pythons(**versions):
    """A fake `version_of`: the commands on a made-up PATH and the version each runs."""
    return lambda command: versions.get(command.replace(".", "_"))


@pytest.mark.parametrize(
    ("on_the_path", "chosen"),
    [
        ({"python3": "3.12", "python3_13": "3.13"}, "python3"),  # python3 first when supported
        ({"python3": "3.10", "python3_11": "3.11", "python3_12": "3.12"}, "python3.12"),
        ({"python3": "3.14", "python3_11": "3.11"}, "python3.11"),
        ({"python3_13": "3.13"}, "python3.13"),  # no python3 at all
    ],
)
def test_python3_when_supported_else_the_newest_supported_one(on_the_path, chosen):
    assert choose_python.choose(None, SUPPORTED, pythons(**on_the_path)) == chosen


def test_a_shim_that_does_not_run_is_not_chosen():
    # pyenv's python3.13 shim is on the PATH but fails when 3.13 is not selected
    found = pythons(python3="3.10", python3_12="3.12")  # python3.13 gives None
    assert choose_python.choose(None, SUPPORTED, found) == "python3.12"


def test_without_a_supported_python_the_message_names_the_versions_and_how_to_get_one():
    with pytest.raises(LookupError) as refused:
        choose_python.choose(None, SUPPORTED, pythons(python3="3.10"))
    message = str(refused.value)
    assert "needs Python 3.11, 3.12 or 3.13" in message
    assert "python3 is Python 3.10" in message
    assert "no python3.13, python3.12 or python3.11 is on the PATH" in message
    assert "python.org" in message and "pyenv install 3.13" in message
    assert "make lab PYTHON=" in message


def test_a_requested_python_is_checked_not_replaced():
    found = pythons(python3="3.12", python3_10="3.10")
    assert choose_python.choose("python3", SUPPORTED, found) == "python3"
    with pytest.raises(LookupError, match="PYTHON=python3.10 is Python 3.10, but the course"):
        choose_python.choose("python3.10", SUPPORTED, found)
    with pytest.raises(LookupError, match="PYTHON=python9 was not found"):
        choose_python.choose("python9", SUPPORTED, found)


def fake_python(folder: Path, name: str, version: str) -> None:
    """A command that answers the version question like a Python of ``version`` would."""
    command = folder / name
    command.write_text(f"#!/bin/sh\necho {version}\n")
    command.chmod(0o755)


@pytest.mark.skipif(os.name == "nt", reason="fake commands are shell scripts")
def test_the_script_on_a_path_of_fake_pythons(tmp_path):
    fake_python(tmp_path, "python3", "3.10")
    fake_python(tmp_path, "python3.11", "3.11")
    fake_python(tmp_path, "python3.13", "3.13")
    environment = {**os.environ, "PATH": str(tmp_path)}

    def run(*arguments):
        return subprocess.run(
            [sys.executable, str(SCRIPT), *arguments],
            env=environment,
            capture_output=True,
            text=True,
        )

    chosen = run()
    assert (chosen.returncode, chosen.stdout, chosen.stderr) == (0, "python3.13\n", "")
    refused = run("python3")
    assert refused.returncode == 1 and refused.stdout == ""
    assert "PYTHON=python3 is Python 3.10, but the course needs Python 3.11" in refused.stderr


def test_the_makefile_creates_the_venv_with_the_chosen_python(tmp_path):
    for name in ("Makefile", "pyproject.toml", "constraints.txt", "presenting/overrides.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    plan = subprocess.run(
        ["make", "-n", "lab"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert "python=$(python3 course_tools/choose_python.py ) && $python -m venv .venv" in plan
    plan = subprocess.run(
        ["make", "-n", "lab", "PYTHON=python3.12"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "$(python3.12 course_tools/choose_python.py python3.12)" in plan
