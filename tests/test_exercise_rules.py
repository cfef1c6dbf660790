"""Every notebook's exercises keep the course's rules (README, "Writing an exercise").

Solution cells are hidden, skipped in slides, start with a comment, and their checks
passed in the committed outputs; check cells and quiz cells are collapsed; no committed
output and no hint contains a line of a solution; each quiz's output is left out of
nbval (a widget) and its answer index agrees with its explanations.
"""

import ast
from pathlib import Path

import nbformat
import pytest

from tests.exercise_cells import (
    Quiz,
    checked_names,
    is_check_cell,
    is_quiz_cell,
    is_solution,
    notebook_quizzes,
    verdict_problems,
)

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
SHORTEST_LINE = 12  # shorter lines (`return loss`, `model.eval()`) also appear in the lesson itself


def code_lines(source):
    """The lines of code of a cell, without comments and blank lines."""
    lines = (line.split("  #")[0].strip() for line in source.splitlines())
    return {line for line in lines if line and not line.startswith("#")}


def solution_lines(notebook):
    """The solution cells' code lines that appear in no other cell.

    The other cells' lines are the lesson's own code.
    """
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


def stream_lines(cell):
    """The lines a code cell printed (stdout and stderr), as committed."""
    text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")
    return [line.strip() for line in text.splitlines()]


def solution_check_problems(notebook):
    """Each solution cell whose committed output does not show its checks passed.

    Each comes with why.
    """
    problems = []
    for index, cell in enumerate(notebook.cells):
        if not is_solution(cell) or cell.cell_type != "code":
            continue
        names, lines = checked_names(cell.source), stream_lines(cell)
        where = f"cell {index + 1} (solution)"
        if not names:
            problems.append(f"{where} does not end with its exercise's check")
        for name in names:
            expected = f"✅ the solution of {name}: correct!"
            if name is None:
                problems.append(f"{where}: a check whose exercise name is not a string literal")
            elif expected not in lines:
                shown = [line for line in lines if line[:1] in ("✅", "❌", "⏳")]
                problems.append(f"{where} should print {expected!r}; it printed {shown}")
        failed = [line for line in lines if line.startswith(("❌", "⏳"))]
        if failed:
            problems.append(f"{where}'s check did not pass: {failed}")
    return problems


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
    for cell in filter(is_quiz_cell, notebook.cells):
        assert "nbval-ignore-output" in cell.metadata.get("tags", [])


def test_each_solution_cell_shows_its_check_passed_on_the_solution(notebook):
    # the solution's check runs with solution=True, so that under Run All a student
    # never takes its ✅ for their own; a broken solution re-executed and committed
    # shows ❌ here, which nbval (comparing the fresh run with the committed one)
    # would accept
    problems = solution_check_problems(notebook)
    assert not problems, "\n".join(problems)


def test_a_solution_whose_check_failed_or_is_not_labelled_is_caught():
    def code(source, outputs, tags=("solution",)):
        cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)})
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in outputs]
        return cell

    check = '# Solution\n_ = checks.check_function("f", f_solution, f_ref, cases, solution=True)'
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        code(check, ["✅ the solution of f: correct!\n"]),  # fine
        code(check, ["❌ the solution of f: got 2, expected 3\n"]),  # a broken solution
        code(check, ["✅ f: correct!\n"]),  # not labelled as the solution's
        code("# Solution\nf_solution = 1", []),  # no check
        code(check, ["⏳ f: not done yet\n"], tags=()),  # a check cell, not a solution: ignored
    ]
    problems = solution_check_problems(notebook)
    assert [p.split(" ", 2)[1] for p in problems] == ["2", "2", "3", "4"], problems


def test_check_cells_and_quiz_cells_are_collapsed(notebook):
    # a student does not read every hint, or the quiz's answer, before trying
    shown = [
        f"cell {index + 1} ({'quiz' if is_quiz_cell(cell) else 'check'})"
        for index, cell in enumerate(notebook.cells)
        if (is_check_cell(cell) or is_quiz_cell(cell))
        and cell.metadata.get("jupyter", {}).get("source_hidden") is not True
    ]
    assert not shown, (
        f"these cells show their source: {', '.join(shown)}; give each the metadata "
        '"jupyter": {"source_hidden": true}'
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_quiz_answer_agrees_with_its_explanations(path):
    problems = [
        f"the quiz in cell {quiz.cell + 1}: {problem}"
        for quiz in notebook_quizzes(path)
        for problem in verdict_problems(quiz)
    ]
    assert not problems, "\n".join(problems)


def test_the_verdict_rule_catches_an_answer_index_that_points_at_the_wrong_option():
    quiz = Quiz(
        notebook="x.ipynb",
        cell=0,
        question="What does torch.tensor([1, 2, 3]) / 2 give?",
        options=("tensor([0, 1, 1])", "tensor([0.5000, 1.0000, 1.5000])", "an error"),
        answer=1,
        explanations=(
            "No: that is what // gives.",
            "Yes: / divides exactly and returns floats.",
            "Not an error: / returns a new float tensor.",
        ),
    )
    assert verdict_problems(quiz) == []
    for wrong_answer in (0, 2):
        problems = verdict_problems(Quiz(**{**quiz.__dict__, "answer": wrong_answer}))
        assert len(problems) == 2, problems  # the answer's and option 1's explanations disagree
    unmarked = ("That is what // gives.", *quiz.explanations[1:])
    assert len(verdict_problems(Quiz(**{**quiz.__dict__, "explanations": unmarked}))) == 1
