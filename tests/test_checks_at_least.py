"""checks.check_at_least: a score at or above the minimum passes; below, NaN, not a number or
the untouched placeholder fails."""

import pytest

from course_utils import checks

pytestmark = pytest.mark.usefixtures("fresh_checker")


def test_at_or_above_the_minimum_passes(capsys):
    assert checks.check_at_least("accuracy", 97.5, 97, unit="%") is True
    assert checks.check_at_least("accuracy", 97, 97) is True
    assert capsys.readouterr().out == "✅ accuracy: correct!\n✅ accuracy: correct!\n"


def test_below_nan_or_not_a_number_fails_with_the_hint(capsys):
    assert checks.check_at_least("accuracy", 96.9, 97, unit="%", hint="more units") is False
    out = capsys.readouterr().out
    assert "❌ accuracy: got 96.9%, at least 97% needed (0.1% short)" in out
    assert "Hint 1/1: more units" in out
    assert checks.check_at_least("accuracy", float("nan"), 97) is False
    assert "NaN" in capsys.readouterr().out
    assert checks.check_at_least("accuracy", None, 97) is False  # the exercise's placeholder
    assert "⏳ accuracy: not done yet" in capsys.readouterr().out
    assert checks.check_at_least("accuracy", "high", 97) is False
    assert "expected one number, got 'high'" in capsys.readouterr().out
