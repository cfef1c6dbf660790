"""Check the student's set-up, wherever it runs, and pick the fastest device.

``print_environment_report()`` (notebook 00) says where the notebook runs (Jupyter on the
student's own computer, Google Colab, Binder or another JupyterHub), then one line per thing
it checks: Python and each library the course uses. Each line starts with

- ✅ when the version is the one that made the committed outputs (constraints.txt);
- ⚠️ when it is another version the course supports: everything runs, but a printed number
  may differ from the text in its last digits;
- ❌ when it is missing or a version the course does not support, followed by what to do
  about it *where the notebook runs*: `make lab` helps on one's own computer, not in Colab.

The supported versions come from the package's own metadata (pyproject.toml's
requires-python and dependencies), so they are written in one place only.
"""

import os
import platform
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

# The libraries the notebooks use, by their distribution name.
COURSE_PACKAGES = (
    "torch",
    "numpy",
    "matplotlib",
    "scikit-learn",
    "ipywidgets",
    "jupyterlab",
    "tqdm",
)
# A copy of the course's constraints.txt inside the package, so that an installed course_utils
# still knows the pins; a test keeps the two equal.
CONSTRAINTS = Path(__file__).resolve().with_name("constraints.txt")

# Where a notebook can run, as where_it_runs() names them, in the words the report uses.
PLACES = {
    "local": "Jupyter on your own computer",
    "colab": "Google Colab",
    "binder": "Binder",
    "hub": "a JupyterHub",
}

# What to do about a missing library or an unsupported version, in each place. {name} is the
# library, {wanted} the versions it needs, e.g. "torch>=2.13,<2.15".
FIXES = {
    "local": (
        "Run `make lab` in the course folder: it installs the tested versions (without make: "
        'pip install -c constraints.txt -e ".[lab]" in the course\'s virtual environment, '
        "see the README)."
    ),
    "colab": (
        'In a cell, run %pip install "{wanted}", then Runtime → Restart session and run the '
        "notebook again."
    ),
    "binder": (
        "Binder builds its image from the course repository's binder/ folder: start it again "
        "from the course's Binder link."
    ),
    "hub": (
        'In a cell, run %pip install "{wanted}" and restart the kernel, or ask the hub\'s '
        "administrators to install the course (its binder/ folder lists the versions)."
    ),
}
PYTHON_FIXES = {
    "local": (
        "Install one of them (python.org, your package manager, or pyenv), then run "
        "`make lab` again (it picks a supported python3.X on its own)."
    ),
    "colab": "Choose a newer runtime version: Runtime → Change runtime type.",
    "binder": "binder/runtime.txt in the course repository chooses Binder's Python.",
    "hub": "Ask the hub's administrators for a kernel with one of them.",
}
# Colab brings its own front end: JupyterLab is not used there, and its output area shows the
# explorers with Colab's own ipywidgets (the course pins one for RISE's slideshow, not for Colab).
NOT_USED = {"colab": {"jupyterlab", "ipywidgets"}}


@dataclass(frozen=True)
class PackageCheck:
    """One line of the report: what the course pins, supports, and what is installed."""

    name: str
    pinned: str | None
    installed: str | None
    supported: str = ""  # the range the course supports, e.g. ">=2.13,<2.15"; "" for any

    @property
    def ok(self) -> bool:
        """Installed at the pinned version ("2.13.0+cpu" is 2.13.0); False when either is unknown."""
        return self.pinned is not None and (self.installed or "").split("+")[0] == self.pinned

    @property
    def usable(self) -> bool:
        """Installed at a version inside the supported range: the course runs, perhaps with
        numbers that differ in their last digits."""
        return self.installed is not None and in_range(self.installed, self.supported)


def read_pins(constraints: Path = CONSTRAINTS) -> dict[str, str]:
    """Exact versions from constraints.txt (``name==version`` lines), by lower-case name."""
    if not constraints.exists():
        return {}
    pins = {}
    for line in constraints.read_text().splitlines():
        if match := re.match(r"([\w.-]+)==([^\s;#]+)", line.strip()):
            pins[match[1].lower().replace("_", "-")] = match[2]
    return pins


def supported_ranges() -> dict[str, str]:
    """The range of each library the course supports, from course_utils' installed metadata.

    E.g. {"torch": ">=2.13,<2.15", "jupyterlab": ">=4.2,<5", ...}: pyproject.toml's
    dependencies and its lab extra, which are the versions a test runs on.
    """
    ranges = {}
    for requirement in _course_metadata_requires():
        requirement = requirement.split(";")[0]  # 'jupyterlab>=4.2,<5; extra == "lab"'
        if match := re.match(r"\s*([A-Za-z0-9_.-]+)\s*(?:\[[^\]]*\])?\s*(.*)", requirement):
            name = match[1].lower().replace("_", "-")
            clauses = match[2].strip().strip("()").split(",")
            # the metadata writes "<2.15,>=2.13"; a reader expects the lower bound first
            clauses = sorted(filter(None, map(str.strip, clauses)), key=lambda c: c[0] != ">")
            ranges.setdefault(name, ",".join(clauses))
    return ranges


def _course_metadata_requires() -> list[str]:
    try:
        return metadata.requires("course_utils") or []
    except metadata.PackageNotFoundError:  # run from the sources, not installed
        return []


def supported_pythons() -> list[str]:
    """The Python versions the course supports, e.g. ["3.11", "3.12", "3.13"].

    From course_utils' metadata (pyproject.toml's requires-python, e.g. ">=3.11,<3.14").
    """
    try:
        requires = metadata.metadata("course_utils")["Requires-Python"] or ""
    except metadata.PackageNotFoundError:
        return []
    lowest = re.search(r">=\s*3\.(\d+)", requires)
    below = re.search(r"<\s*3\.(\d+)", requires)
    if not (lowest and below):
        return []
    return [f"3.{minor}" for minor in range(int(lowest[1]), int(below[1]))]


def _release(version: str) -> tuple[int, ...]:
    """The numbers at the front of a version: "2.14.1+cu128" -> (2, 14, 1), "4.2" -> (4, 2)."""
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3])


def in_range(version: str, supported: str) -> bool:
    """Whether ``version`` meets every clause of ``supported`` (">=2.13,<2.15", "==8.1.2", "").

    Only the clauses pyproject.toml uses are understood: >=, <, ==, <=, >; an empty range
    accepts any version.
    """
    compare = {
        ">=": lambda a, b: a >= b,
        "<=": lambda a, b: a <= b,
        "==": lambda a, b: a == b,
        ">": lambda a, b: a > b,
        "<": lambda a, b: a < b,
    }
    for clause in filter(None, (part.strip() for part in supported.split(","))):
        operator, bound = re.match(r"(>=|<=|==|>|<)\s*(.+)", clause).groups()
        ours, theirs = _release(version), _release(bound)
        if operator == "==":  # "8.1.2" pins all three numbers; compare as many as it gives
            ours = ours[: len(theirs)]
        if not compare[operator](ours, theirs):
            return False
    return True


def where_it_runs(
    environ: Mapping[str, str] | None = None, modules: Mapping[str, object] | None = None
) -> str:
    """Where this kernel runs: "colab", "binder", "hub" (any other JupyterHub) or "local".

    Each place leaves a mark: Colab's kernel imports its ``google.colab`` module and sets
    ``COLAB_RELEASE_TAG``; JupyterHub gives every server ``JUPYTERHUB_API_TOKEN`` (and the
    user's name), and Binder, which runs on a JupyterHub, adds ``BINDER_LAUNCH_HOST``.
    """
    environ = os.environ if environ is None else environ
    modules = sys.modules if modules is None else modules
    if "google.colab" in modules or "COLAB_RELEASE_TAG" in environ:
        return "colab"
    if "BINDER_LAUNCH_HOST" in environ or "BINDER_REPO_URL" in environ:
        return "binder"
    if "JUPYTERHUB_API_TOKEN" in environ or "JUPYTERHUB_USER" in environ:
        return "hub"
    return "local"


def check_environment(
    packages: tuple[str, ...] = COURSE_PACKAGES, constraints: Path = CONSTRAINTS
) -> list[PackageCheck]:
    """Compare each course library's installed version with its pin and its supported range."""
    pins = read_pins(constraints)
    ranges = supported_ranges()
    installed = {}
    for distribution in metadata.distributions():  # the first of two copies is the one imported
        if distribution.name:  # a broken install can lack its name
            installed.setdefault(distribution.name.lower().replace("_", "-"), distribution.version)
    return [
        PackageCheck(name, pins.get(name), installed.get(name), ranges.get(name, ""))
        for name in packages
    ]


def _report_line(check: PackageCheck, place: str) -> str:
    wanted = f"{check.name}{check.supported}"
    fix = FIXES[place].format(wanted=wanted)
    if check.installed is None:
        return f"❌ {check.name}: not installed. {fix}"
    if check.ok:
        return f"✅ {check.name} {check.pinned}"
    if not check.usable:
        return f"❌ {check.name} {check.installed}: the course supports {wanted}. {fix}"
    if check.pinned is None:
        return (
            f"⚠️ {check.name} {check.installed}: version not checked, "
            "as course_utils has no pin for it."
        )
    return (
        f"⚠️ {check.name} {check.installed}: supported, but the committed outputs were made with "
        f"{check.pinned}, so a printed number may differ in its last digits."
        + (" `make lab` installs that version." if place == "local" else "")
    )


def _python_line(python: str, supported: list[str], place: str) -> tuple[str, bool]:
    if not supported:  # course_utils is not installed as a package: nothing to compare with
        return f"⚠️ Python {python}: the supported versions are unknown here.", True
    versions = f"{', '.join(supported[:-1])} and {supported[-1]}" if len(supported) > 1 else python
    if python in supported:
        return f"✅ Python {python} (the course supports {versions})", True
    return f"❌ Python {python}: the course supports {versions}. {PYTHON_FIXES[place]}", False


def print_environment_report(
    checks: list[PackageCheck] | None = None, place: str | None = None
) -> bool:
    """Say where the notebook runs, then check Python and each library; True when it can run.

    True means nothing is missing and every version is supported (lines ✅ or ⚠️).
    """
    place = where_it_runs() if place is None else place
    checks = check_environment() if checks is None else checks
    checks = [check for check in checks if check.name not in NOT_USED.get(place, set())]
    print(f"Running in {PLACES[place]}.")
    python = ".".join(platform.python_version_tuple()[:2])
    line, python_ok = _python_line(python, supported_pythons(), place)
    print(line)
    for check in checks:
        print(_report_line(check, place))
    return python_ok and all(check.usable for check in checks)


def pick_device() -> "torch.device":
    """The fastest device here: an NVIDIA GPU ("cuda"), else Apple's GPU ("mps"), else "cpu".

    On a GPU the notebooks' numbers may differ from the CPU's in the last digits.
    """
    # imported here: this module checks the set-up, so it must import even when torch is broken
    import torch

    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
