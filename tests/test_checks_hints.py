"""Hints come in steps, only after a wrong answer; every check records its result."""

import pytest
import torch

from course_utils import checks

pytestmark = pytest.mark.usefixtures("fresh_checker")

HINTS = ["think about the idea", "a more concrete step", "nearly there"]
INPUTS = [torch.linspace(-3, 3, 7)]


def unfinished(x):
    raise NotImplementedError


def wrong(x):
    return x * 2


def right(x):
    return torch.relu(x)


def check(candidate):
    return checks.check_function("my_relu", candidate, torch.relu, INPUTS, hints=HINTS)


def test_an_untouched_stub_says_only_that_it_is_not_done(capsys):
    assert check(unfinished) is False
    out = capsys.readouterr().out
    assert out == (
        "⏳ my_relu: not done yet: write your code in the exercise cell, run that cell, "
        "then run this check\n"
    )
    assert not any(h in out for h in HINTS)


def test_a_wrong_answer_says_what_differs_and_gives_the_first_hint(capsys):
    assert check(wrong) is False
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("❌ my_relu: for input a tensor of shape (7,): ")
    assert "value(s) differ" in lines[0]
    assert lines[1:] == ["   Hint 1/3: think about the idea", '   (more: checks.hint("my_relu"))']


def test_the_next_hint_comes_on_request(capsys):
    check(wrong)
    capsys.readouterr()
    checks.hint("my_relu")
    assert capsys.readouterr().out == (
        '   Hint 2/3: a more concrete step\n   (more: checks.hint("my_relu"))\n'
    )
    checks.hint("my_relu")
    assert capsys.readouterr().out == "   Hint 3/3: nearly there\n"  # the last: no "more"
    checks.hint("my_relu")
    out = capsys.readouterr().out
    assert (
        out == "That was the last hint for my_relu; here it is again:\n   Hint 3/3: nearly there\n"
    )


def test_every_third_wrong_try_shows_the_next_hint_by_itself(capsys):
    shown = []
    for _ in range(7):
        check(wrong)
        hint_lines = [line for line in capsys.readouterr().out.splitlines() if "Hint" in line]
        shown.append(hint_lines[0].split(":")[0].strip())
    assert shown == [
        "Hint 1/3",
        "Hint 1/3",
        "Hint 2/3",
        "Hint 2/3",
        "Hint 2/3",
        "Hint 3/3",
        "Hint 3/3",
    ]


def test_hint_for_an_exercise_not_checked_yet_explains_itself(capsys):
    checks.hint("never_checked")
    assert "No hints for 'never_checked': run its check cell first" in capsys.readouterr().out


def test_a_right_answer_passes_and_shows_no_hint(capsys):
    assert check(right) is True
    assert capsys.readouterr().out == "✅ my_relu: correct!\n"


def test_checks_without_hints_print_no_hint_line(capsys):
    assert not checks.check_close("x", 1.0, 2.0)
    assert "Hint" not in capsys.readouterr().out


def test_every_result_is_sent_to_the_grader(sent_results, capsys):
    check(unfinished)
    check(wrong)
    check(right)
    statuses = [(r["exercise"], r["status"]) for r in sent_results]
    assert statuses == [("my_relu", "not done"), ("my_relu", "wrong"), ("my_relu", "passed")]
    assert sent_results[0]["message"].startswith("not done yet")
    assert sent_results[2]["message"] == ""
    assert "value(s) differ" in sent_results[1]["message"]


def test_without_the_grader_nothing_is_sent(monkeypatch, capsys):
    import IPython.display

    monkeypatch.setattr(IPython.display, "publish_display_data", pytest.fail)
    assert check(right) is True
    assert capsys.readouterr().out == "✅ my_relu: correct!\n"


def test_a_single_string_or_none_as_hints_does_not_break_the_check(capsys):
    assert not checks.check_close("x", 1.0, 2.0, hints="one idea")
    assert "Hint 1/1: one idea" in capsys.readouterr().out
    assert not checks.check_close("y", 1.0, 2.0, hints=None)
    assert "Hint" not in capsys.readouterr().out


def test_a_forbidden_call_hears_no_hint_about_the_input_it_failed_on(capsys):
    cases = [checks.Case(torch.tensor([1.0, -2.0]), hint="This input has a negative number.")]
    assert not checks.check_function(
        "my_relu", torch.relu, torch.relu, cases, forbid={"torch.relu": "write it yourself"}
    )
    out = capsys.readouterr().out
    assert "asks you to do without" in out
    assert "Hint for this input" not in out
    assert not checks.check_function("my_abs", torch.neg, torch.abs, cases)
    assert "Hint for this input: This input has a negative number." in capsys.readouterr().out


def test_right_values_of_the_wrong_kind_hear_no_hint_about_the_values(capsys):
    cases = [checks.Case(2, 10, hint="That is 41: 2 × 10 + 10 in, 10 + 1 out.")]

    def as_a_float(inputs, hidden):
        return float(inputs * hidden + 2 * hidden + 1)

    def count(inputs, hidden):
        return inputs * hidden + 2 * hidden + 1

    assert not checks.check_function("count", as_a_float, count, cases)
    out = capsys.readouterr().out
    assert "a float, but a whole number is asked for" in out
    assert "Hint for this input" not in out
    assert not checks.check_function("count", lambda i, h: 40, count, cases)
    assert "Hint for this input: That is 41" in capsys.readouterr().out
