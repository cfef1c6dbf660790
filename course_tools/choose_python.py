"""Choose the Python that sets up the course: the Makefile runs this before it creates .venv.

    python3 course_tools/choose_python.py              prints the command of a supported Python
    python3 course_tools/choose_python.py python3.12   checks that one (make lab PYTHON=...)

Without a request it takes ``python3`` when the course supports that version, else the newest
supported ``python3.X`` on the PATH. It prints the chosen command on stdout; when there is none
it explains on stderr which versions the course supports and how to get one, and exits 1.

The supported versions are read from ``requires-python`` in pyproject.toml, the one place they
are written. This file runs on whatever ``python3`` a student has, possibly one the course does
not support (that is when its message matters most), so it uses nothing newer than Python 3.7.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
HOW_TO_GET_ONE = (
    "Install one from python.org (Windows, macOS), with your package manager "
    "(e.g. sudo apt install python{0} python{0}-venv; brew install python@{0}) "
    "or with pyenv (pyenv install {0}), then run make again; "
    "to name the one to use: make lab PYTHON=/path/to/python{0}"
)


def supported_versions(pyproject=PYPROJECT):
    """The minor versions ``requires-python`` allows, oldest first: e.g. ["3.11", "3.12", "3.13"].

    Only the two clauses a course needs are understood, a lower bound ``>=3.11`` and an upper
    bound ``<3.14``; anything else is an error, rather than a guess.
    """
    text = Path(pyproject).read_text(encoding="utf-8")
    match = re.search(r'^requires-python\s*=\s*"([^"]*)"', text, re.MULTILINE)
    if match is None:
        raise ValueError("pyproject.toml has no requires-python line")
    lowest = highest = None
    for clause in match.group(1).split(","):
        bound = re.fullmatch(r"\s*(>=|<)\s*3\.(\d+)\s*", clause)
        if bound is None:
            raise ValueError(f"requires-python must read like >=3.11,<3.14, got {match.group(1)!r}")
        if bound.group(1) == ">=":
            lowest = int(bound.group(2))
        else:
            highest = int(bound.group(2)) - 1
    if lowest is None or highest is None or lowest > highest:
        raise ValueError("requires-python needs a lower and an upper bound: " + match.group(1))
    return [f"3.{minor}" for minor in range(lowest, highest + 1)]


def version_of(command):
    """The "3.X" version of the Python that ``command`` starts, or None if it does not run.

    A command on the PATH may still fail: pyenv puts a ``python3.12`` on the PATH for every
    installed version, and it only runs when that version is selected.
    """
    if shutil.which(command) is None:
        return None
    try:
        result = subprocess.run(
            [command, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def in_words(versions):
    """["3.11", "3.12", "3.13"] -> "3.11, 3.12 or 3.13"."""
    return versions[0] if len(versions) == 1 else ", ".join(versions[:-1]) + " or " + versions[-1]


def choose(requested=None, supported=None, version=version_of):
    """The command of the Python to use, or raise LookupError with what to do."""
    supported = supported_versions() if supported is None else supported
    if requested:
        found = version(requested)
        if found in supported:
            return requested
        what = "was not found (or does not run)" if found is None else "is Python " + found
        raise LookupError(
            f"PYTHON={requested} {what}, but the course needs Python {in_words(supported)}. "
            + HOW_TO_GET_ONE.format(supported[-1])
        )
    python3 = version("python3")
    if python3 in supported:
        return "python3"
    for minor in reversed(supported):  # the newest first
        if version("python" + minor) == minor:
            return "python" + minor
    seen = "python3 is Python " + python3 if python3 else "there is no python3"
    raise LookupError(
        "The course needs Python {}; {} and no {} is on the PATH. {}".format(
            in_words(supported),
            seen,
            in_words(["python" + minor for minor in reversed(supported)]),
            HOW_TO_GET_ONE.format(supported[-1]),
        )
    )


def main(arguments):
    try:
        print(choose(arguments[0] if arguments else None))
    except LookupError as problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
