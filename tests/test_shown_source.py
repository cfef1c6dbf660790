"""What ``source.show`` prints of a function a notebook shows: its lesson, no guards.

The notebooks show the package's own code (``source.show(losses.bce)``) as part of a
lesson: the formula, the loop, the update rule. The argument checks of that code live in
``course_utils.guards``; a shown function may hand its arguments to its guard in one
statement at its start (``guards.backprop.check_classifier_batch(model, X, y)``), which
names what checks them and where, and holds no check itself: no ``raise``, no
``assert``, no other call of a check.
"""

import ast
import contextlib
import importlib
import io
import json
import re
from pathlib import Path

import pytest

from course_utils import source

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
SHOW = re.compile(r"source\.show\((\w+(?:\.\w+)*)\)")


def shown_names() -> list[str]:
    """Every ``source.show(name)`` in the notebooks, in code cells and in the prose."""
    names = set()
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text())["cells"]:
            names.update(SHOW.findall("".join(cell["source"])))
    return sorted(names)


def resolve(name: str) -> object:
    """``optim.SGD.step`` -> the object course_utils.optim.SGD.step."""
    module_name, *attributes = name.split(".")
    found = importlib.import_module(f"course_utils.{module_name}")
    for attribute in attributes:
        found = getattr(found, attribute)
    return found


def printed_by_show(obj: object) -> str:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        source.show(obj)
    return printed.getvalue()


def is_guard_call(statement: ast.stmt) -> bool:
    """``guards.<module>.<function>(...)`` as a statement of its own."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return False
    function = statement.value.func
    return (
        isinstance(function, ast.Attribute)
        and isinstance(function.value, ast.Attribute)
        and isinstance(function.value.value, ast.Name)
        and function.value.value.id == "guards"
    )


def checks_in(code: str) -> list[str]:
    """The argument checks in ``code``, which a shown function leaves to its guard."""
    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Raise | ast.Assert):
            found.append(f"line {node.lineno}: {type(node).__name__.lower()}")
        elif isinstance(node, ast.FunctionDef):
            guard_calls = [s for s in node.body if is_guard_call(s)]
            if guard_calls[1:] or (guard_calls and node.body[0] is not guard_calls[0]):
                found.append(f"{node.name}: more than one guard call, or one after the start")
        elif isinstance(node, ast.Call) and not isinstance(node.func, ast.Attribute | ast.Name):
            continue
        elif isinstance(node, ast.Call):
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else function.id
            guard = isinstance(function, ast.Attribute) and ast.unparse(function).startswith(
                "guards."
            )
            if "check" in name.lower() and not guard:
                found.append(f"line {node.lineno}: calls {ast.unparse(function)}")
    return found


def test_the_notebooks_show_code():
    names = shown_names()
    assert "optim.Adam.step" in names and "losses.bce" in names and len(names) >= 15


@pytest.mark.parametrize("name", shown_names())
def test_what_a_notebook_shows_holds_no_argument_check(name):
    printed = printed_by_show(resolve(name))
    problems = checks_in(printed)
    assert not problems, f"source.show({name}) prints argument checks: {problems}\n{printed}"


def test_the_rule_finds_checks_and_allows_one_guard_call_at_the_start():
    with_checks = """
def bce(pred, target):
    _check_pair("bce", pred, target)
    if pred.min() < 0:
        raise ValueError("pred")
    assert pred.shape == target.shape
    return -(target * pred.log()).mean()
"""
    assert len(checks_in(with_checks)) == 3
    one_guard = "def f(x):\n    guards.models.check_input_shape(x, 2, 'M')\n    return x\n"
    assert checks_in(one_guard) == []
    late_guard = "def f(x):\n    y = x + 1\n    guards.models.check_input_shape(y, 2, 'M')\n"
    assert checks_in(late_guard) == ["f: more than one guard call, or one after the start"]
    two_guards = one_guard.replace(
        "    return x", "    guards.training.check_loss(x)\n    return x"
    )
    assert len(checks_in(two_guards)) == 1
