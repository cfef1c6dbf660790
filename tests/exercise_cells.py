"""Exercise cells and quizzes, read from the notebooks' source.

The unit tests and the browser tests both use them.

A check cell is a code cell that calls ``checks.check_...(name, ...)`` and is not a
solution cell (tagged ``solution``); the name is the exercise's. A quiz is a call
``widgets.quiz(question, options, answer, explanations)`` whose arguments are literals
(strings, lists of strings, an integer), so a test can read them without running
anything. Choosing option i shows ✅ or ❌ and ``explanations[i]``.

The verdict rule (README, "Writing an exercise"): each explanation opens with its
verdict on the option, in its first word. The right option's opens with "Yes" or "Right"
("Yes: / always divides exactly ..."), every other option's with "No" or "Not" ("No:
that is what // gives ...", "Not exactly: ..."). So an explanation says by itself
whether its option is right, and a quiz whose ``answer`` points at another option than
the one its explanations confirm fails a test.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

PARAMETERS = ("question", "options", "answer", "explanations")
RIGHT_OPENERS = ("Yes", "Right")
WRONG_OPENERS = ("No", "Not")
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@dataclass(frozen=True)
class Quiz:
    """One quiz of a notebook: where it is, and its literal arguments."""

    notebook: str
    cell: int  # the index of its cell among all the notebook's cells
    question: str
    options: tuple[str, ...]
    answer: int
    explanations: tuple[str, ...]


def is_solution(cell) -> bool:
    """True for a solution cell: tagged ``solution``, the student edition removes it."""
    return "solution" in cell.metadata.get("tags", [])


def checked_names(source: str) -> list[str | None]:
    """The exercise names of a cell's ``checks.check_...(name, ...)`` calls.

    They come in order, with None for a name that is not a string literal.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [
        node.args[0].value
        if node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        else None
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr.startswith("check_")
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "checks"
    ]


def is_check_cell(cell) -> bool:
    """True for a code cell that runs an exercise's check and is not a solution cell."""
    return cell.cell_type == "code" and bool(checked_names(cell.source)) and not is_solution(cell)


STUB_MARKERS = ("# YOUR CODE HERE", "raise NotImplementedError")


def stub_exercises(notebook) -> set[str]:
    """The exercises whose cell to fill in is a stub.

    A stub holds ``# YOUR CODE HERE`` with ``None`` or ``raise NotImplementedError``; it
    is a code cell after the previous check cell and before the exercise's own. The
    other exercises are open ones, whose starting point runs (settings to improve).
    """
    stubs, since_last_check = set(), []
    for cell in notebook.cells:
        if cell.cell_type != "code" or is_solution(cell):
            continue
        if is_check_cell(cell):
            if any(marker in c.source for c in since_last_check for marker in STUB_MARKERS):
                stubs.update(name for name in checked_names(cell.source) if name)
            since_last_check = []
        else:
            since_last_check.append(cell)
    return stubs


def quiz_calls(source: str) -> list[ast.Call]:
    """Every ``widgets.quiz(...)`` call in a cell's source.

    None if the source does not parse.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "quiz"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "widgets"
    ]


def is_quiz_cell(cell) -> bool:
    """True for a code cell that shows a quiz."""
    return cell.cell_type == "code" and bool(quiz_calls(cell.source))


def quiz_arguments(call: ast.Call) -> dict:
    """The call's four arguments by name.

    ValueError if one is missing or not a literal.
    """
    given = dict(zip(PARAMETERS, call.args, strict=False))
    given |= {keyword.arg: keyword.value for keyword in call.keywords}
    missing = [name for name in PARAMETERS if name not in given]
    if missing:
        raise ValueError(f"a quiz without {', '.join(missing)}")
    arguments = {}
    for name in PARAMETERS:
        try:
            arguments[name] = ast.literal_eval(given[name])
        except ValueError:
            raise ValueError(
                f"the quiz's {name} is not a literal: write it out (strings, a list of strings, "
                "an integer), so that the tests can read it"
            ) from None
    return arguments


def notebook_quizzes(path: Path) -> list[Quiz]:
    """Every quiz of a notebook, in order."""
    notebook = nbformat.read(path, as_version=4)
    quizzes = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for call in quiz_calls(cell.source):
            arguments = quiz_arguments(call)
            quizzes.append(
                Quiz(
                    notebook=Path(path).name,
                    cell=index,
                    question=arguments["question"],
                    options=tuple(arguments["options"]),
                    answer=arguments["answer"],
                    explanations=tuple(arguments["explanations"]),
                )
            )
    return quizzes


def opening_word(text: str) -> str:
    """The first word of a text.

    "Not" for "Not exactly: ...", "No" for "No error: ...".
    """
    match = re.match(r"\s*([A-Za-z]+)", text)
    return match.group(1) if match else ""


def verdict_problems(quiz: Quiz) -> list[str]:
    """Where a quiz's explanations disagree with its answer index.

    The explanations say their verdicts by the verdict rule above.
    """
    count = len(quiz.options)
    if len(quiz.explanations) != count or not 0 <= quiz.answer < count:
        return [f"{count} options, {len(quiz.explanations)} explanations, answer={quiz.answer}"]
    problems = []
    for index, (option, explanation) in enumerate(
        zip(quiz.options, quiz.explanations, strict=True)
    ):
        word = opening_word(explanation)
        if index == quiz.answer and word not in RIGHT_OPENERS:
            problems.append(
                f"option {index} ({option!r}) is the answer, but its explanation opens with "
                f"{word!r}, not with {' or '.join(RIGHT_OPENERS)}: {explanation!r}"
            )
        if index != quiz.answer and word not in WRONG_OPENERS:
            problems.append(
                f"option {index} ({option!r}) is not the answer (answer={quiz.answer}), but its "
                f"explanation opens with {word!r}, not with {' or '.join(WRONG_OPENERS)}: "
                f"{explanation!r}"
            )
    return problems


def cell_sources(notebook: str) -> dict[str, str]:
    """The source of each cell of ``notebook`` (its file name without .ipynb), by id."""
    cells = nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", as_version=4).cells
    return {cell.id: cell.source for cell in cells}


def namespace_after(notebook: str, setup: list[str]) -> dict:
    """The names that the cells ``setup`` of ``notebook`` define, run in order."""
    sources = cell_sources(notebook)
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell_id in setup:
            exec(sources[cell_id], namespace)
    return namespace


def run_check(notebook: str, setup: list[str], check: str, **answers) -> str:
    """Run the cells ``setup``, define ``answers``, run ``check``: what it printed."""
    namespace = namespace_after(notebook, setup) | answers
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(cell_sources(notebook)[check], namespace)
    return printed.getvalue()


def solution_of(notebook: str, solution: str, name: str, setup: list[str]):
    """The function ``name`` the notebook's solution cell defines (check not run)."""
    namespace = namespace_after(notebook, setup)
    tree = ast.parse(cell_sources(notebook)[solution])
    definitions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    exec(compile(ast.Module(definitions, type_ignores=[]), solution, "exec"), namespace)
    return namespace[name]
