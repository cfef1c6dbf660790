"""Check the student's set-up against the course's pins."""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

__all__ = [
    "PackageCheck",
    "check_environment",
    "print_environment_report",
    "COURSE_PACKAGES",
    "pick_device",
]

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
# A copy of the course's top-level constraints.txt, shipped inside the package so that an installed
# course_utils (a wheel, not the course folder) still knows the pins; a test keeps the two equal.
CONSTRAINTS = Path(__file__).resolve().with_name("constraints.txt")


@dataclass(frozen=True)
class PackageCheck:
    """One line of the report: what the course pins, what is installed, and whether they agree."""

    name: str
    pinned: str | None
    installed: str | None

    @property
    def ok(self) -> bool:
        """Installed at the pinned version; False when either is unknown."""
        if self.installed is None or self.pinned is None:
            return False
        return self.installed.split("+")[0] == self.pinned  # "2.13.0+cpu" is the pinned 2.13.0


def read_pins(constraints: Path = CONSTRAINTS) -> dict[str, str]:
    """Exact versions from constraints.txt (``name==version`` lines), by lower-case name."""
    if not constraints.exists():
        return {}
    pins = {}
    for line in constraints.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;#]+)", line.strip())
        if match:
            pins[match[1].lower().replace("_", "-")] = match[2]
    return pins


def installed_version(name: str) -> str | None:
    """The installed version of a distribution, or None when it is missing."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def check_environment(
    packages: tuple[str, ...] = COURSE_PACKAGES, constraints: Path = CONSTRAINTS
) -> list[PackageCheck]:
    """Compare each course library's installed version with its pin in constraints.txt."""
    pins = read_pins(constraints)
    return [PackageCheck(name, pins.get(name), installed_version(name)) for name in packages]


def print_environment_report(checks: list[PackageCheck] | None = None) -> bool:
    """Print Python's version and one line per library; return True when all is as pinned."""
    checks = check_environment() if checks is None else checks
    python_ok = platform.python_version_tuple()[:2] == ("3", "11")
    python = ".".join(platform.python_version_tuple()[:2])
    print(f"{'✅' if python_ok else '❌'} Python {python} (the course uses 3.11)")
    for check in checks:
        if check.installed is None:
            print(f"❌ {check.name}: not installed. Run `make lab` from the course folder.")
        elif check.pinned is None:
            print(
                f"⚠️ {check.name} {check.installed}: version not checked, because course_utils has "
                f"no pin for it (its {CONSTRAINTS.name} is missing or incomplete). `make lab` from "
                "the course folder installs the tested versions."
            )
        elif check.ok:
            print(f"✅ {check.name} {check.pinned}")
        else:
            print(
                f"⚠️ {check.name} {check.installed}, but the course was tested with {check.pinned}: "
                "outputs may differ. `make lab` installs the tested versions."
            )
    return python_ok and all(check.ok for check in checks)


def pick_device() -> torch.device:
    """The fastest device here: an NVIDIA GPU ("cuda"), else Apple's GPU ("mps"), else "cpu".

    The course's notebooks run on the CPU and print the same numbers there; on a GPU the numbers
    may differ in the last digits.
    """
    # imported here: this module checks the set-up, so it must import even when torch is broken
    import torch

    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
