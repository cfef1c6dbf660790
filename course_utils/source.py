"""Show the package's own code in a notebook: a function or class, no docstrings."""

import ast
import inspect
import textwrap
from typing import Any

_HAS_DOCSTRING = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _docstrings(tree: ast.AST) -> list[tuple[ast.Expr, list[ast.stmt]]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, _HAS_DOCSTRING) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                if isinstance(first.value.value, str):
                    found.append((first, node.body))
    return found


def without_docstrings(code: str) -> str:
    """``code`` without its docstrings, its comments and layout kept.

    A body that was only a docstring becomes ``...``, so that the code stays Python.
    """
    code = textwrap.dedent(code)
    lines = code.splitlines()
    replacements: dict[int, str | None] = {}  # 0-based line index -> new text (None: drop it)
    for docstring, body in _docstrings(ast.parse(code)):
        first, last = docstring.lineno - 1, docstring.end_lineno - 1
        before = lines[first].encode()[: docstring.col_offset]  # ast offsets count UTF-8 bytes
        after = lines[last].encode()[docstring.end_col_offset :]
        if before.strip() or after.strip():
            continue  # shares its line with other code (`def f(): "doc"`): keep it
        for index in range(first, last + 1):
            replacements[index] = None
        if len(body) == 1:
            indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
            replacements[first] = indent + "..."
        elif last + 1 < len(lines) and not lines[last + 1].strip():
            replacements[last + 1] = None
    kept = [replacements.get(index, line) for index, line in enumerate(lines)]
    return "\n".join(line for line in kept if line is not None) + "\n"


def show(obj: Any) -> None:
    """Print the source of a function, method or class without its docstrings.

    What is left is the code it teaches: the formula, the loop, with their comments.
    """
    try:
        code = inspect.getsource(obj)
    except TypeError as error:
        raise TypeError(
            f"source.show needs a function, method, class or module, got {type(obj).__name__}: "
            "pass the thing itself, e.g. source.show(activations.sigmoid), not a call of it"
        ) from error
    print(without_docstrings(code), end="")
