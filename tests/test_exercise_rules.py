"""Every notebook's exercises keep the course's rules (README, "Writing an exercise").

Solution cells are hidden, skipped in slides, and start with a comment; no committed output and
no hint contains a line of a solution; each quiz's output is left out of nbval (a widget).
"""

import ast
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
SHORTEST_LINE = 12  # shorter lines (`return loss`, `model.eval()`) also appear in the lesson itself


def is_solution(cell):
    return "solution" in cell.metadata.get("tags", [])


def code_lines(source):
    """The lines of code of a cell, without comments and blank lines."""
    lines = (line.split("  #")[0].strip() for line in source.splitlines())
    return {line for line in lines if line and not line.startswith("#")}


def solution_lines(notebook):
    """The solution cells' code lines that appear in no other cell (the lesson's own code)."""
    solutions = set().union(*[code_lines(c.source) for c in notebook.cells if is_solution(c)])
    others = set().union(*[code_lines(c.source) for c in notebook.cells if not is_solution(c)])
    return {line for line in solutions - others if len(line) >= SHORTEST_LINE}


def outputs_text(cell):
    texts = []
    for output in cell.get("outputs", []):
        texts.append(output.get("text", ""))
        texts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(texts)


def hint_texts(source):
    """Every string given as hint= or hints=[...] to a check in this cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [
        constant.value
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword) and node.arg in ("hint", "hints")
        for constant in ast.walk(node.value)
        if isinstance(constant, ast.Constant) and isinstance(constant.value, str)
    ]


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def notebook(request):
    return nbformat.read(request.param, as_version=4)


def test_solution_cells_are_hidden_skipped_and_start_with_a_comment(notebook):
    for cell in filter(is_solution, notebook.cells):
        first_line = cell.source.lstrip().splitlines()[0]
        assert first_line.startswith("#"), f"a solution cell starts with {first_line!r}"
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True
        assert cell.metadata.get("slideshow", {}).get("slide_type") == "skip"


def test_no_committed_output_contains_a_line_of_a_solution(notebook):
    lines = solution_lines(notebook)
    for index, cell in enumerate(notebook.cells):
        shown = outputs_text(cell)
        leaked = sorted(line for line in lines if line in shown)
        assert not leaked, f"cell {index + 1}'s output shows solution code: {leaked}"


def test_no_hint_contains_a_line_of_a_solution(notebook):
    lines = solution_lines(notebook)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for hint in hint_texts(cell.source):
            leaked = sorted(line for line in lines if line in hint)
            assert not leaked, f"the hint {hint!r} gives away {leaked}"


def test_each_quiz_cell_is_left_out_of_nbval(notebook):
    for cell in notebook.cells:
        if cell.cell_type == "code" and "widgets.quiz(" in cell.source:
            assert "nbval-ignore-output" in cell.metadata.get("tags", [])
