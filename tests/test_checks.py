import pytest
import torch

from course_utils import checks

pytestmark = pytest.mark.usefixtures("fresh_checker")


def test_close_passes_a_right_answer(capsys):
    assert checks.check_close("sum", torch.tensor([1.0, 2.0]), [1.0, 2.0 + 1e-9]) is True
    assert "✅ sum: correct" in capsys.readouterr().out


def test_close_reports_where_and_by_how_much(capsys):
    ok = checks.check_close("z", torch.tensor([1.0, 2.5]), torch.tensor([1.0, 2.0]), hints="add b")
    out = capsys.readouterr().out
    assert ok is False
    assert "❌ z" in out and "index (1,)" in out and "got 2.5" in out and "expected 2" in out
    assert "Hint 1/1: add b" in out


def test_close_reports_the_tolerance_it_really_tests(capsys):
    # torch.isclose passes |got - expected| <= atol + rtol * |expected|:
    # at 1000 that is 0.010001
    assert checks.check_close("big", 1000.005, 1000.0)  # beyond atol alone, within the sum
    assert not checks.check_close("big", 1000.02, 1000.0)
    out = capsys.readouterr().out
    assert (
        "got 1000.02, expected 1000 (difference 0.02, allowed 0.01 = atol 1e-06 + rtol 1e-05" in out
    )
    assert "value(s) differ" not in out  # one number reads as one number
    checks.check_close("v", torch.tensor([2.0, 5.0]), torch.tensor([2.0, 4.0]), atol=0.5, rtol=0.0)
    out = capsys.readouterr().out
    assert "1 of 2 value(s) differ; first at index (1,): got 5, expected 4" in out
    assert (
        "(difference 1, allowed 0.5 = atol 0.5 + rtol 0 × |expected|; largest difference 1)" in out
    )
    checks.check_equal("w", torch.tensor([1.0, 2.5]), torch.tensor([1.0, 2.0]))
    assert "the values must be exactly equal" in capsys.readouterr().out


def test_close_reports_shape_none_and_nan(capsys):
    assert not checks.check_close("a", torch.zeros(3), torch.zeros(3, 1))
    assert "shape (3,) but expected (3, 1)" in capsys.readouterr().out
    assert not checks.check_close("a", None, 1.0)  # the exercise cell's placeholder
    assert "⏳ a: not done yet" in capsys.readouterr().out
    assert not checks.check_close("a", torch.tensor([float("nan")]), torch.tensor([1.0]))
    assert "NaN" in capsys.readouterr().out


def test_equal_on_plain_values(capsys):
    assert checks.check_equal("batches", 25, 25)
    assert not checks.check_equal("batches", 24, 25)
    out = capsys.readouterr().out
    assert "got 24, expected 25" in out


def test_function_checker_catches_wrong_and_unfinished_code_without_raising(capsys):
    inputs = [torch.linspace(-5, 5, 11)]
    assert checks.check_function(
        "sigmoid", lambda x: 1 / (1 + torch.exp(-x)), torch.sigmoid, inputs
    )
    capsys.readouterr()

    def unfinished(x):
        raise NotImplementedError

    assert not checks.check_function("sigmoid", unfinished, torch.sigmoid, inputs)
    assert capsys.readouterr().out == (
        "⏳ sigmoid: not done yet: write your code in the exercise cell, run that cell, "
        "then run this check\n"
    )
    assert not checks.check_function("sigmoid", lambda x: x / 0, torch.sigmoid, inputs)
    assert not checks.check_function(
        "sigmoid", lambda x: 1 / (1 + torch.exp(x)), torch.sigmoid, inputs
    )
    out = capsys.readouterr().out
    assert "for input a tensor of shape (11,)" in out


def test_checker_never_raises_on_incomparable_answers(capsys):
    assert not checks.check_close("x", object(), 1.0)
    assert not checks.check_close("x", "text", torch.zeros(2))
    assert "❌" in capsys.readouterr().out


def test_function_checker_wants_a_tensor_where_the_reference_gives_one(capsys):
    inputs = [torch.linspace(-2, 2, 5)]
    as_list = checks.check_function(
        "relu", lambda x: [max(v, 0.0) for v in x.tolist()], torch.relu, inputs
    )
    assert as_list is False
    assert "returned a list, but a tensor was expected" in capsys.readouterr().out


def test_a_wrong_single_number_and_a_file_input_read_plainly(capsys, tmp_path):
    path = tmp_path / "a.pth"
    assert not checks.check_function("size", lambda p: (10, 2), lambda p: (2, 10), [path])
    out = capsys.readouterr().out
    assert "for input the file 'a.pth': item 0: got 10, expected 2" in out
