"""The guards only inspect and raise: they read no file, build no model, print nothing.

Each module of ``course_utils.guards`` is read as code (its syntax tree, not run), and
every import, call and assignment in it is held to that rule.
"""

import ast
from pathlib import Path

import pytest

GUARDS = Path(__file__).resolve().parents[1] / "course_utils" / "guards"
SOURCES = sorted(GUARDS.glob("*.py"))

# modules that reach files, processes or the network
FORBIDDEN_IMPORTS = {"os", "shutil", "tempfile", "subprocess", "socket", "urllib", "logging"}
# calls of a name: files, the console, running code
FORBIDDEN_CALLS = {"open", "print", "input", "exec", "eval", "compile", "__import__", "display"}
# calls of a method or module function: files and folders
# (pathlib, os), torch's file reading and writing, building or
# loading a model, warnings and figures shown to the student
FORBIDDEN_METHODS = {
    "read_bytes", "read_text", "write_bytes", "write_text", "open", "exists", "is_dir",
    "is_file", "iterdir", "glob", "rglob", "stat", "mkdir", "touch", "unlink", "rmdir",
    "rename", "fsync", "save", "load", "load_state_dict", "build_model", "warn", "show",
    "savefig",
}  # fmt: skip


def dotted(node: ast.expr) -> str:
    """``torch.nn.Linear`` for the expression torch.nn.Linear; '' for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    return ""


def parameters_of(function: ast.FunctionDef) -> set[str]:
    arguments = function.args
    every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
    return {a.arg for a in every} - {"self"}


def problems_in(code: str) -> list[str]:
    """Every import, call and assignment in ``code`` that does more than inspect."""
    tree = ast.parse(code)
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            for name in names:
                if name.split(".")[0] in FORBIDDEN_IMPORTS:
                    found.append(f"line {line}: imports {name}")
                guard = name == "course_utils.guards" or name.startswith("course_utils.guards.")
                if name.startswith("course_utils") and not guard:
                    found.append(f"line {line}: imports {name}, not a guard")
        elif isinstance(node, ast.Call):
            name = dotted(node.func)
            last = name.rsplit(".", 1)[-1]
            if name in FORBIDDEN_CALLS:
                found.append(f"line {line}: calls {name}")
            elif "." in name and last in FORBIDDEN_METHODS:
                found.append(f"line {line}: calls {name}")
            elif name.startswith(("nn.", "torch.nn.")) and last[:1].isupper():
                found.append(f"line {line}: builds a layer or model, {name}(...)")
        elif isinstance(node, ast.Attribute) and dotted(node) in ("sys.stdout", "sys.stderr"):
            found.append(f"line {line}: writes to {dotted(node)}")
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef):
            found += changed_arguments(function)
    return found


def changed_arguments(function: ast.FunctionDef) -> list[str]:
    """Assignments to an attribute or item of one of the function's arguments."""
    arguments = parameters_of(function)
    found = []
    for node in ast.walk(function):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute | ast.Subscript):
                base = target.value
                while isinstance(base, ast.Attribute | ast.Subscript):
                    base = base.value
                if isinstance(base, ast.Name) and base.id in arguments:
                    found.append(f"line {node.lineno}: {function.name} changes {base.id}")
    return found


def test_the_rule_sees_every_guard():
    assert {"checkpoint.py", "models.py", "optim.py", "training.py"} <= {p.name for p in SOURCES}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_a_guard_only_inspects_and_raises(path):
    problems = problems_in(path.read_text())
    assert not problems, f"{path.name} does more than inspect and raise: {problems}"


BAD_GUARD = """
import os
from course_utils import models
import torch
from torch import nn


def check_file(path, model, batch):
    if not path.exists():
        print("missing")
    data = open(path).read()
    state = torch.load(path, weights_only=True)
    model.load_state_dict(state)
    layer = nn.Linear(2, 3)
    model.checked = True
    batch[0] = 0
    os.fsync(3)
"""


def test_the_rule_finds_each_kind_of_problem():
    problems = "\n".join(problems_in(BAD_GUARD))
    for expected in [
        "imports os",
        "imports course_utils, not a guard",
        "calls path.exists",
        "calls print",
        "calls open",
        "calls torch.load",
        "calls model.load_state_dict",
        "builds a layer or model, nn.Linear(...)",
        "check_file changes model",
        "check_file changes batch",
        "calls os.fsync",
    ]:
        assert expected in problems, expected
    assert problems_in("def check(x):\n    if x < 0:\n        raise ValueError(x)\n") == []
