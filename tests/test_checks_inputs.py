"""A check cannot be fooled or confused.

Copies of inputs, in-place changes, .item(), sizes, eval.
"""

import collections

import numpy as np
import pytest
import torch
from torch import nn

from course_utils import checks, models

pytestmark = pytest.mark.usefixtures("fresh_checker")

INPUTS = [torch.linspace(-5, 5, 11), torch.tensor([-100.0, 0.0, 100.0])]


def in_place_sigmoid(x):
    x.neg_().exp_().add_(1).reciprocal_()
    return x


def in_place_relu(x):
    x[x < 0] = 0
    return x


def test_an_in_place_function_is_told_so_and_the_expected_value_stays_right(capsys):
    assert not checks.check_function("my_sigmoid", in_place_sigmoid, torch.sigmoid, INPUTS)
    out = capsys.readouterr().out
    assert "changed its input `x` in place" in out
    assert not checks.check_function("my_relu", in_place_relu, torch.relu, INPUTS)
    assert "changed its input `x` in place" in capsys.readouterr().out
    assert INPUTS[0][0].item() == -5.0  # the notebook's own inputs are untouched


def test_an_in_place_mse_does_not_break_the_next_check_on_the_same_inputs(capsys):
    generator = torch.Generator().manual_seed(0)
    cases = [(torch.rand(6, 1, generator=generator) * 0.9 + 0.05, torch.ones(6, 1))]

    def mse_in_place(y_pred, y):
        y_pred -= y
        return (y_pred**2).mean()

    def bce(y_pred, y):
        return -(y * torch.log(y_pred) + (1 - y) * torch.log(1 - y_pred)).mean()

    assert not checks.check_function("my_mse", mse_in_place, nn.MSELoss(), cases)
    assert "changed its input `y_pred` in place" in capsys.readouterr().out
    assert checks.check_function("my_bce", bce, nn.BCELoss(), cases)


def test_a_function_that_changes_a_module_input_in_place_is_told_so(capsys):
    def initialize(layer):
        nn.init.zeros_(layer.weight)
        return layer.weight.sum()

    assert not checks.check_function(
        "init", initialize, lambda layer: torch.tensor(0.0), [nn.Linear(2, 3)]
    )
    assert "changed its input `layer` in place" in capsys.readouterr().out


def test_a_loss_returning_item_is_told_that_item_cuts_the_graph(capsys):
    cases = [(torch.rand(4, 1, requires_grad=True), torch.rand(4, 1))]
    assert not checks.check_function(
        "my_mse", lambda p, y: ((p - y) ** 2).mean().item(), nn.MSELoss(), cases
    )
    out = capsys.readouterr().out
    assert "returned a Python float" in out and "cuts it from the graph" in out
    assert "backward() cannot run" in out
    assert "works on a whole tensor" not in out


def test_a_result_rebuilt_with_torch_tensor_is_told_it_left_the_graph(capsys):
    cases = [(torch.rand(4, 1, requires_grad=True), torch.rand(4, 1))]
    assert not checks.check_function(
        "my_mse", lambda p, y: torch.tensor(((p - y) ** 2).mean().item()), nn.MSELoss(), cases
    )
    assert "cut from the graph (requires_grad is False)" in capsys.readouterr().out


def test_a_returned_list_is_named(capsys):
    assert not checks.check_function(
        "relu", lambda x: [max(v, 0.0) for v in x.tolist()], torch.relu, INPUTS
    )
    assert "returned a list, but a tensor was expected" in capsys.readouterr().out


def test_inputs_of_sizes_catch_a_hard_coded_batch_size(capsys):
    cases = checks.inputs_of_sizes(
        lambda n, g: (torch.rand(n, 1, generator=g), torch.rand(n, 1, generator=g))
    )
    assert [len(y_pred) for y_pred, _ in cases] == [1, 5, 8, 13]
    again = checks.inputs_of_sizes(
        lambda n, g: (torch.rand(n, 1, generator=g), torch.rand(n, 1, generator=g))
    )
    assert all(torch.equal(a[0], b[0]) for a, b in zip(cases, again, strict=True))
    assert checks.check_function(
        "mse", lambda p, y: ((p - y) ** 2).sum() / len(p), nn.MSELoss(), cases
    )
    assert not checks.check_function(
        "mse", lambda p, y: ((p - y) ** 2).sum() / 8, nn.MSELoss(), cases
    )
    assert "for input tensor([" in capsys.readouterr().out  # the 1-row case shows the input


def test_a_model_left_in_training_mode_is_named(capsys):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.Dropout(0.0))  # same values in both modes
    X = torch.randn(5, 2)

    def reference(model, X):
        model.eval()
        with torch.no_grad():
            return model(X)

    def forgot_eval(model, X):
        with torch.no_grad():
            return model(X)

    assert checks.check_function("predict", reference, reference, [(model, X)])
    assert not checks.check_function("predict", forgot_eval, reference, [(model, X)])
    assert "still in training mode" in capsys.readouterr().out
    assert model.training  # the checker worked on copies


def test_nan_is_named(capsys):
    assert not checks.check_function("log", lambda x: torch.log(x - 10), torch.sigmoid, INPUTS)
    assert "NaN" in capsys.readouterr().out


def test_random_calls_see_the_same_numbers_and_leave_the_notebook_generator_alone():
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    assert checks.check_function(
        "noise", lambda x: x + torch.rand(3), lambda x: x + torch.rand(3), [torch.zeros(3)]
    )
    assert torch.equal(torch.rand(3), expected_next)


def test_check_at_least_passes_at_the_target_and_says_how_far_off(capsys, sent_results):
    assert checks.check_at_least("accuracy", 0.95, 0.95)
    assert checks.check_at_least("accuracy", torch.tensor(97.5), 97)
    assert capsys.readouterr().out == "✅ accuracy: correct!\n✅ accuracy: correct!\n"
    assert [r["status"] for r in sent_results] == ["passed", "passed"]
    assert not checks.check_at_least("accuracy", 90.71, 97)
    assert "❌ accuracy: got 90.71, at least 97 needed (6.29 short)" in capsys.readouterr().out
    assert not checks.check_at_least("accuracy", 90.33, 97)
    assert "got 90.33, at least 97 needed (6.67 short)" in capsys.readouterr().out
    assert not checks.check_at_least("accuracy", None, 0.95)
    assert "not done yet" in capsys.readouterr().out
    assert not checks.check_at_least("accuracy", float("nan"), 0.95)
    assert "NaN" in capsys.readouterr().out
    assert not checks.check_at_least("accuracy", [0.9, 0.99], 0.95)
    assert "expected one number" in capsys.readouterr().out


def test_a_checker_never_raises_even_when_the_reference_does(capsys):
    def broken_reference(x):
        raise RuntimeError("reference broke")

    assert not checks.check_function("f", torch.relu, broken_reference, INPUTS)
    assert "could not check your answer: reference broke" in capsys.readouterr().out
    assert not checks.check_function("f", torch.relu, torch.relu, None)
    assert "❌ f" in capsys.readouterr().out


def test_a_module_input_is_shown_by_its_class(capsys):
    model = models.SimpleClassifier(2, 3)
    assert not checks.check_function("count", lambda m: 1, lambda m: 2, [model])
    assert "for input a SimpleClassifier: got 1, expected 2" in capsys.readouterr().out


def test_a_function_that_overwrites_a_nan_input_is_told_so(capsys):
    def zero_the_nans(x):
        x[x.isnan()] = 0.0  # changes the caller's tensor: NaN becomes 0
        return x.sum()

    cases = [(torch.tensor([float("nan"), 1.0]),)]
    assert not checks.check_function("nansum", zero_the_nans, torch.nansum, cases)
    assert "changed its input `x` in place" in capsys.readouterr().out


def test_a_function_that_sorts_its_list_in_place_is_told_so(capsys):
    def lowest_after_sorting(values):
        values.sort()  # reorders the caller's list
        return values[0]

    cases = [([0.5, 0.3, 0.4],), ([2, float("nan"), 1],)]
    assert not checks.check_function("lowest", lowest_after_sorting, min, cases[:1])
    assert "changed its input `values` in place" in capsys.readouterr().out
    # a list that holds NaN and is left as it was is unchanged
    assert checks.check_function("first", lambda values: values[0], lambda v: v[0], cases)


def test_one_stacked_tensor_where_two_results_are_expected_is_told_to_return_both(capsys):
    def stacked(x):
        return torch.stack([x, 2 * x])

    def both(x):
        return x, 2 * x

    assert not checks.check_function("two", stacked, both, [torch.ones(3)])
    out = capsys.readouterr().out
    assert "got one tensor of shape (2, 3), but 2 separate results were expected" in out
    assert "could not check" not in out


def test_a_numpy_array_where_a_tensor_is_asked_for_is_told_so(capsys):
    column = np.arange(1.0, 6.0).reshape(5, 1)
    assert not checks.check_close("column", column, torch.arange(1.0, 6.0).reshape(-1, 1))
    assert "got a NumPy array, but a PyTorch tensor was expected" in capsys.readouterr().out


@pytest.mark.parametrize("given", [[8, 32, 32], "array"])
def test_the_right_numbers_in_a_list_or_an_array_are_told_to_be_a_tuple(capsys, given):
    answer = np.array([8, 32, 32]) if given == "array" else given
    assert not checks.check_equal("shape", answer, (8, 32, 32))
    out = capsys.readouterr().out
    assert "the numbers are right, but a tuple is asked for" in out
    assert "could not check" not in out


@pytest.mark.parametrize(
    ("answer", "expected"), [((17.0, 32.0), (17, 32)), (41.0, 41), ((17, 32.0), (17, 32))]
)
def test_floats_where_a_function_should_count_in_whole_numbers_are_rejected(
    capsys, answer, expected
):
    assert not checks.check_function("count", lambda n: answer, lambda n: expected, [3])
    assert "a float, but a whole number is asked for" in capsys.readouterr().out
    assert checks.check_function("count", lambda n: expected, lambda n: expected, [3])


Gradients = collections.namedtuple("Gradients", ["dW", "db"])


def gradients_by_hand(x):  # the gradients of sum(W x + b) by W and by b, for W (2, 3)
    return Gradients(x.repeat(2, 1), torch.ones(2))


@pytest.mark.parametrize(
    ("answer", "told"),
    [
        (lambda x: (x.repeat(2, 1), 2 * torch.ones(2)), "for input tensor([1.0, 2.0, 3.0]): db: "),
        (
            lambda x: (torch.zeros(2, 3), torch.ones(2)),
            "for input tensor([1.0, 2.0, 3.0]): dW: 6 of",
        ),
        (lambda x: x.repeat(2, 1), "but 2 separate results were expected, as a tuple:"),
        (lambda x: (x.repeat(2, 1),), "expected a sequence of 2 items (dW, db), got"),
    ],
)
def test_a_named_tuple_reference_names_the_item_that_differs(capsys, answer, told):
    assert not checks.check_function(
        "gradients", answer, gradients_by_hand, [torch.tensor([1.0, 2.0, 3.0])]
    )
    out = capsys.readouterr().out
    assert told in out, out
    assert "item 0" not in out and "item 1" not in out and "Gradients" not in out, out


def test_a_named_tuple_reference_names_the_item_of_the_wrong_kind(capsys):
    Batches = collections.namedtuple("Batches", ["number_of_batches", "last_batch_size"])
    assert not checks.check_function(
        "batches", lambda n: (n / 2, 2), lambda n: Batches(n // 2, 2), [10]
    )
    out = capsys.readouterr().out
    assert "for input 10: number_of_batches: got 5.0, a float, but a whole number" in out, out
    assert checks.check_function(
        "batches", lambda n: (n // 2, 2), lambda n: Batches(n // 2, 2), [10]
    )
