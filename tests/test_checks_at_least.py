"""checks.check_at_least: a score at or above the minimum passes; below, NaN or not a number fails."""

from course_utils import checks


def test_at_or_above_the_minimum_passes(capsys):
    assert checks.check_at_least("accuracy", 97.5, 97, unit="%") is True
    assert checks.check_at_least("accuracy", 97, 97) is True
    assert "✅ accuracy: 97.5%, at least 97%" in capsys.readouterr().out


def test_below_nan_or_not_a_number_fails_with_the_hint(capsys):
    assert checks.check_at_least("accuracy", 96.9, 97, unit="%", hint="more units") is False
    out = capsys.readouterr().out
    assert "❌ accuracy: 96.9%, below the 97% to reach" in out and "Hint: more units" in out
    assert checks.check_at_least("accuracy", float("nan"), 97) is False
    assert "NaN" in capsys.readouterr().out
    assert checks.check_at_least("accuracy", None, 97) is False
    assert "expected a number, got None" in capsys.readouterr().out
