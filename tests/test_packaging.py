"""course_utils installs as a wheel (`pip install .`), with every module and its pins.

The wheel is built from a copy of the sources (building writes build/ and *.egg-info),
and installed without its dependencies into a scratch virtualenv that borrows this
environment's packages, so nothing is downloaded.
"""

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

IMPORT_EVERYTHING = """
import importlib, json, pkgutil
import course_utils
from course_utils import environment
modules = [m.name for m in pkgutil.walk_packages(course_utils.__path__, "course_utils.")]
for name in modules:
    importlib.import_module(name)
checks = environment.check_environment()
print(json.dumps({
    "file": course_utils.__file__,
    "modules": modules,
    "unchecked": [c.name for c in checks if c.pinned is None],
    "pins_file": str(environment.CONSTRAINTS),
}))
"""


def run(*command: str | Path, cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def build_wheel(folder: Path) -> Path:
    """Build course_utils' wheel from a copy of the sources; return the wheel's path."""
    source = folder / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "course_utils", source / "course_utils", ignore=ignore)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run(
        *pip,
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-w",
        "dist",
        str(source),
        cwd=folder,
    )
    (wheel,) = (folder / "dist").glob("course_utils-*.whl")
    return wheel


def scratch_venv(folder: Path) -> Path:
    """A virtualenv without pip, seeing this environment's packages but course_utils."""
    run(sys.executable, "-m", "venv", "--without-pip", "venv", cwd=folder)
    python = folder / "venv" / "bin" / "python"
    site_packages = Path(
        run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=folder
        ).strip()
    )
    # a path in a .pth file is searched, but the .pth files inside it (the editable
    # course_utils of `make setup`) are not run,
    # so course_utils can only come from the wheel
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site_packages / "borrowed.pth").write_text("\n".join(sorted(ours)) + "\n")
    return python


def source_modules() -> set[str]:
    """Every module and subpackage under course_utils/ in the sources, dotted."""
    names = set()
    for path in (ROOT / "course_utils").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.add(".".join(parts[:-1] if path.name == "__init__.py" else parts))
    return names - {"course_utils"}


def test_the_wheel_installs_every_module_and_the_pins(tmp_path):
    wheel = build_wheel(tmp_path)
    python = scratch_venv(tmp_path)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", str(python)]
    run(*pip, "install", "--no-deps", "--no-index", str(wheel), cwd=tmp_path)

    installed = json.loads(run(python, "-c", IMPORT_EVERYTHING, cwd=tmp_path))

    assert Path(installed["file"]).is_relative_to(tmp_path / "venv"), installed["file"]
    assert set(installed["modules"]) == source_modules()
    assert Path(installed["pins_file"]).is_relative_to(tmp_path / "venv")
    assert installed["unchecked"] == [], "the installed course_utils found no pins for these"
