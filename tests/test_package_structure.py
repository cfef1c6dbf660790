"""The package reads as teaching material: short functions, maths without plots."""

import ast
from pathlib import Path

import pytest

import course_utils

PACKAGE = Path(__file__).resolve().parents[1] / "course_utils"
SOURCES = sorted(PACKAGE.rglob("*.py"))
MAX_FUNCTION_LINES = 60
# The modules that show things (plots, widgets, checks' messages,
# source, the set-up report); every other module of the package
# computes (data, models, maths, training, saving): no plotting, no
# widgets. A new module is held to that unless it is named here.
SHOWING_MODULES = {"checks", "environment", "plotting", "source", "widgets"}
MATHS_MODULES = [name for name in course_utils.MODULES if name not in SHOWING_MODULES]
DISPLAY_LIBRARIES = ("matplotlib", "ipywidgets", "IPython", "PIL")


def functions_in(path: Path) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def files_of(name: str) -> list[Path]:
    """The source files of a package module: its file, or each file of a subpackage."""
    module = PACKAGE / f"{name}.py"
    return [module] if module.exists() else sorted((PACKAGE / name).rglob("*.py"))


def test_the_checks_see_the_package():
    assert len(SOURCES) > 20 and PACKAGE / "training.py" in SOURCES
    assert all(files_of(name) for name in MATHS_MODULES)
    assert PACKAGE / "guards" / "training.py" in files_of("guards")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_function_is_longer_than_a_screen(path):
    too_long = [
        f"{node.name} (line {node.lineno}): {node.end_lineno - node.lineno + 1} lines"
        for node in functions_in(path)
        if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not too_long, f"over {MAX_FUNCTION_LINES} lines, split them: {too_long}"


def test_the_length_check_can_fail(tmp_path):
    long_function = tmp_path / "long.py"
    long_function.write_text("def f():\n" + "    x = 1\n" * MAX_FUNCTION_LINES)
    (node,) = functions_in(long_function)
    assert node.end_lineno - node.lineno + 1 == MAX_FUNCTION_LINES + 1


@pytest.mark.parametrize("name", MATHS_MODULES)
def test_maths_modules_import_no_plotting_or_widgets(name):
    imports = set().union(*(imported_modules(path) for path in files_of(name)))
    display = sorted(m for m in imports if m.split(".")[0] in DISPLAY_LIBRARIES)
    package_display = sorted(
        m for m in imports if m.startswith(("course_utils.plotting", "course_utils.widgets"))
    )
    assert not display and not package_display, f"{name} imports {display + package_display}"


def test_the_layering_check_sees_a_plotting_import():
    assert any(m.startswith("matplotlib") for m in imported_modules(PACKAGE / "plotting.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_package_never_imports_the_instructor_tools(path):
    tools = sorted(m for m in imported_modules(path) if m.split(".")[0] == "course_tools")
    assert not tools, f"{path.name} imports {tools}: course_tools builds on course_utils, not back"
