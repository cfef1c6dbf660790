"""Check the student's set-up against the course's pins, and pick the fastest device."""

import platform
import re
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


@dataclass(frozen=True)
class PackageCheck:
    """One line of the report: what the course pins and what is installed."""

    name: str
    pinned: str | None
    installed: str | None

    @property
    def ok(self) -> bool:
        """Installed at the pinned version ("2.13.0+cpu" is 2.13.0); False when either is unknown."""
        return self.pinned is not None and (self.installed or "").split("+")[0] == self.pinned


def read_pins(constraints: Path = CONSTRAINTS) -> dict[str, str]:
    """Exact versions from constraints.txt (``name==version`` lines), by lower-case name."""
    if not constraints.exists():
        return {}
    pins = {}
    for line in constraints.read_text().splitlines():
        if match := re.match(r"([\w.-]+)==([^\s;#]+)", line.strip()):
            pins[match[1].lower().replace("_", "-")] = match[2]
    return pins


def check_environment(
    packages: tuple[str, ...] = COURSE_PACKAGES, constraints: Path = CONSTRAINTS
) -> list[PackageCheck]:
    """Compare each course library's installed version with its pin in constraints.txt."""
    pins = read_pins(constraints)
    installed = {}
    for distribution in metadata.distributions():  # the first of two copies is the one imported
        if distribution.name:  # a broken install can lack its name
            installed.setdefault(distribution.name.lower().replace("_", "-"), distribution.version)
    return [PackageCheck(name, pins.get(name), installed.get(name)) for name in packages]


def _report_line(check: PackageCheck) -> str:
    if check.installed is None:
        return f"❌ {check.name}: not installed. Run `make lab` from the course folder."
    if check.ok:
        return f"✅ {check.name} {check.pinned}"
    problem = f", but the course was tested with {check.pinned}: outputs may differ"
    if check.pinned is None:
        problem = ": version not checked, as course_utils has no pin for it"
    return f"⚠️ {check.name} {check.installed}{problem}. `make lab` installs the tested ones."


def print_environment_report(checks: list[PackageCheck] | None = None) -> bool:
    """Print Python's version and one line per library; return True when all is as pinned."""
    checks = check_environment() if checks is None else checks
    python = ".".join(platform.python_version_tuple()[:2])
    print(f"{'✅' if python == '3.11' else '❌'} Python {python} (the course uses 3.11)")
    for check in checks:
        print(_report_line(check))
    return python == "3.11" and all(check.ok for check in checks)


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
