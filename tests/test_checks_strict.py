"""Checks that reject plausible wrong answers.

Kinds of values, forbidden helpers, case hints.

Each wrong answer here passed the checks before they learned to reject it.
"""

import io

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from course_utils import checks, metrics

pytestmark = pytest.mark.usefixtures("fresh_checker")


# ---------------------------------------------------------------------- kinds of values


def test_a_nested_list_is_not_a_tensor(capsys):
    expected = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert not checks.check_equal("matrix", [[1.0, 2.0], [3.0, 4.0]], expected)
    assert "got a Python list, but a tensor was expected" in capsys.readouterr().out
    assert not checks.check_close("matrix", [[1.0, 2.0], [3.0, 4.0]], expected)
    assert "a (nested) list is not a tensor" in capsys.readouterr().out
    assert checks.check_close("matrix", expected.clone(), expected)


def test_float_counts_are_not_whole_numbers(capsys):
    def float_counts(y):
        return torch.stack([(y == 0).sum(), (y == 1).sum()]).float()

    def counts(y):
        return torch.bincount(y, minlength=2)

    labels = [torch.tensor([0, 1, 1, 0, 1])]
    assert not checks.check_function("counts", float_counts, counts, labels)
    assert (
        "holds floats (torch.float32), but whole numbers (torch.int64)" in capsys.readouterr().out
    )
    assert checks.check_function("counts", counts, counts, labels)
    assert not checks.check_equal("count", 3.0, 3)
    assert "a float, but a whole number is expected" in capsys.readouterr().out
    assert not checks.check_equal("count", torch.tensor([3.0]), torch.tensor([3]))
    assert checks.check_equal("count", 3, 3)


def test_exact_dtype_rejects_float32_where_float64_is_asked_for(capsys):
    def in_float32(x):
        return x.float() * 2

    def in_float64(x):
        return x * 2

    inputs = [torch.tensor([1.0, 2.0], dtype=torch.float64)]
    # the values agree, so without exact_dtype the float32 path would pass
    assert checks.check_function("double", in_float32, in_float64, inputs)
    assert not checks.check_function("double", in_float32, in_float64, inputs, exact_dtype=True)
    out = capsys.readouterr().out
    assert "dtype torch.float32, but torch.float64 is asked for" in out
    assert checks.check_function("double", in_float64, in_float64, inputs, exact_dtype=True)


def test_a_wrong_yes_or_no_reads_as_true_or_false_without_tolerances(capsys):
    assert not checks.check_function(
        "is_positive", lambda x: bool(x < 0), lambda x: bool(x > 0), [torch.tensor(2.0)]
    )
    out = capsys.readouterr().out
    assert "got False, expected True" in out
    assert "allowed" not in out and "difference" not in out
    assert not checks.check_equal("mask", torch.tensor([True, True]), torch.tensor([True, False]))
    assert "first at index (1,): got True, expected False" in capsys.readouterr().out


# -------------------------------------------------------------------- forbidden helpers


def precision_with_the_package(y_pred, y_true):
    return metrics.precision(y_pred, y_true)


def precision_by_hand(y_pred, y_true):
    true_positives = ((y_pred == 1) & (y_true == 1)).sum()
    return float(true_positives / (y_pred == 1).sum())


PRECISION_INPUTS = [(torch.tensor([1.0, 1.0, 0.0, 1.0]), torch.tensor([1.0, 0.0, 0.0, 1.0]))]
NO_METRICS = {"course_utils.metrics": "the exercise is to compute it from the counts yourself"}


def test_a_forbidden_module_makes_a_right_value_wrong_and_says_why(capsys):
    assert checks.check_function(
        "precision", precision_with_the_package, precision_by_hand, PRECISION_INPUTS
    )
    capsys.readouterr()
    assert not checks.check_function(
        "precision",
        precision_with_the_package,
        precision_by_hand,
        PRECISION_INPUTS,
        forbid=NO_METRICS,
    )
    out = capsys.readouterr().out
    assert "your code uses course_utils.metrics, which this exercise asks you to do without" in out
    assert "compute it from the counts yourself" in out
    assert checks.check_function(
        "precision", precision_by_hand, precision_by_hand, PRECISION_INPUTS, forbid=NO_METRICS
    )


def test_a_forbidden_module_is_caught_under_another_name_and_through_a_helper(capsys):
    from course_utils import metrics as m

    def helper(y_pred, y_true):
        return m.precision(y_pred, y_true)

    def indirect(y_pred, y_true):
        return helper(y_pred, y_true)

    assert not checks.check_function(
        "precision", indirect, precision_by_hand, PRECISION_INPUTS, forbid=NO_METRICS
    )
    assert "course_utils.metrics" in capsys.readouterr().out


def test_printing_a_tensor_is_no_use_of_a_forbidden_torch_nn(capsys):
    """Printing a tensor asks isinstance(x, nn.Parameter): torch.nn's code runs."""

    def relu_that_prints(z):
        print(z, f"{z}", file=io.StringIO())  # a look at the input, as a student debugs
        return z.clamp(min=0)

    no_nn = {"torch.nn": "write it yourself"}
    inputs = [torch.tensor([-1.0, 0.0, 2.0])]
    assert checks.check_function("relu", relu_that_prints, torch.relu, inputs, forbid=no_nn)
    assert "✅" in capsys.readouterr().out

    def relu_from_nn(z):
        return torch.nn.functional.relu(z)

    assert not checks.check_function("relu", relu_from_nn, torch.relu, inputs, forbid=no_nn)
    assert "your code uses torch.nn" in capsys.readouterr().out


# torch.func's first use imports torch._functorch, whose torch.jit.script warns
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
@pytest.mark.parametrize(
    "derivative",
    [
        lambda z: torch.func.jvp(torch.sigmoid, (z,), (torch.ones_like(z),))[1],
        lambda z: torch.vmap(torch.func.jacfwd(torch.sigmoid))(z),
    ],
    ids=["jvp", "vmap of jacfwd"],
)
def test_a_forbidden_module_catches_the_functions_it_exports_from_elsewhere(derivative, capsys):
    """torch.func.jvp is written in torch._functorch, not in torch.func itself."""
    by_hand = lambda z: torch.sigmoid(z) * (1 - torch.sigmoid(z))  # noqa: E731
    inputs = [torch.linspace(-3.0, 3.0, 7)]
    no_func = {"torch.func": "work the derivative out by hand"}
    assert checks.check_function("derivative", by_hand, by_hand, inputs, forbid=no_func)
    capsys.readouterr()
    assert not checks.check_function("derivative", derivative, by_hand, inputs, forbid=no_func)
    assert "your code uses torch.func" in capsys.readouterr().out


def test_a_forbidden_class_and_a_forbidden_c_function_are_caught(capsys):
    def batches_with_a_loader(X):
        return len(DataLoader(TensorDataset(X), batch_size=4))

    def batches_by_hand(X):
        return (len(X) + 3) // 4

    no_loader = {"torch.utils.data.DataLoader": "count the batches with arithmetic"}
    inputs = [torch.zeros(10, 2)]
    assert not checks.check_function(
        "batches", batches_with_a_loader, batches_by_hand, inputs, forbid=no_loader
    )
    assert "your code uses torch.utils.data.DataLoader" in capsys.readouterr().out
    assert checks.check_function(
        "batches", batches_by_hand, batches_by_hand, inputs, forbid=no_loader
    )

    def counts_by_bincount(y):
        return y.bincount(minlength=2)  # the method reaches the same C function

    def counts_by_hand(y):
        return torch.stack([(y == 0).sum(), (y == 1).sum()])

    no_bincount = {"torch.bincount": "count with comparisons"}
    labels = [torch.tensor([0, 1, 1])]
    assert not checks.check_function(
        "counts", counts_by_bincount, counts_by_hand, labels, forbid=no_bincount
    )
    assert "your code uses torch.bincount" in capsys.readouterr().out
    assert checks.check_function(
        "counts", counts_by_hand, counts_by_hand, labels, forbid=no_bincount
    )


def test_the_watch_ends_with_the_call_and_a_raising_candidate_is_still_judged(capsys):
    import sys

    def raises_after_the_forbidden_call(y_pred, y_true):
        metrics.precision(y_pred, y_true)
        raise RuntimeError("boom")

    assert not checks.check_function(
        "precision",
        raises_after_the_forbidden_call,
        precision_by_hand,
        PRECISION_INPUTS,
        forbid=NO_METRICS,
    )
    assert "course_utils.metrics" in capsys.readouterr().out
    assert sys.getprofile() is None


# -------------------------------------------------------------------- hints that follow


def should_stop_reference(losses, patience):
    if not losses:
        return False
    return len(losses) - 1 - losses.index(min(losses)) >= patience


def should_stop_with_ties_wrong(losses, patience):
    if not losses:
        return False
    best = len(losses) - 1 - losses[::-1].index(min(losses))  # the last of equal lows
    return len(losses) - 1 - best >= patience


def should_stop_crashes_on_empty(losses, patience):
    return len(losses) - 1 - losses.index(min(losses)) >= patience


TIE_HINT = "equalling the best is no improvement: the first of equal lows is the best epoch"
EMPTY_HINT = "with no epochs yet there is no best epoch: do not stop"
STEPPED = ["the idea", "more concrete", "the formula"]
CASES = [
    checks.Case([0.9, 0.7, 0.8], 1),
    checks.Case([], 1, hint=EMPTY_HINT),
    checks.Case([0.5, 0.5, 0.5], 2, hint=TIE_HINT),
]


def check_stop(candidate):
    return checks.check_function(
        "should_stop", candidate, should_stop_reference, CASES, hints=STEPPED
    )


def test_the_hint_of_the_case_that_failed_is_shown(capsys):
    assert not check_stop(should_stop_with_ties_wrong)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("❌ should_stop: for input [0.5, 0.5, 0.5], 2: got False")
    assert lines[1] == f"   Hint for this input: {TIE_HINT}"
    assert EMPTY_HINT not in "\n".join(lines) and "Hint 1/3" not in "\n".join(lines)


def test_a_crash_on_a_case_shows_that_cases_hint(capsys):
    assert not check_stop(should_stop_crashes_on_empty)
    out = capsys.readouterr().out
    assert "for input [], 1: your code raised ValueError" in out
    assert f"Hint for this input: {EMPTY_HINT}" in out
    assert TIE_HINT not in out


def test_a_mistake_found_by_a_check_cell_is_said_as_it_is(capsys):
    def watched(values, patience):  # a check cell's wrapper, watching how the answer runs
        if not values:
            raise checks.Mistake("an empty history has no best epoch: return False")
        return should_stop_reference(values, patience)

    assert not check_stop(watched)
    out = capsys.readouterr().out
    assert "for input [], 1: an empty history has no best epoch: return False" in out
    assert "raised" not in out
    assert f"Hint for this input: {EMPTY_HINT}" in out


def test_stepped_hints_still_come_on_request_after_a_case_hint(capsys):
    check_stop(should_stop_with_ties_wrong)
    capsys.readouterr()
    checks.hint("should_stop")
    assert "Hint 1/3: the idea" in capsys.readouterr().out


def test_plain_tuples_and_single_arguments_still_work(capsys):
    assert checks.check_function("relu", torch.relu, torch.relu, [torch.zeros(2), (torch.ones(3),)])


# ------------------------------------------------------------------ the solution's line


def test_a_solution_cells_check_says_so_and_is_not_recorded(sent_results, capsys):
    assert checks.check_function(
        "should_stop", should_stop_reference, should_stop_reference, CASES, solution=True
    )
    assert capsys.readouterr().out == "✅ the solution of should_stop: correct!\n"
    assert sent_results == []
    checks.check_close("x", 1.0, 1.0)
    capsys.readouterr()
    assert [result["exercise"] for result in sent_results] == ["x"]
    for check in (
        lambda: checks.check_close("y", 1.0, 1.0, solution=True),
        lambda: checks.check_equal("y", 1, 1, solution=True),
        lambda: checks.check_at_least("y", 1.0, 0.5, solution=True),
    ):
        assert check()
        assert capsys.readouterr().out == "✅ the solution of y: correct!\n"


# ------------------------------------------------------------------- messages and steps


def test_a_function_given_as_input_is_named_not_shown_by_its_address(capsys):
    def bowl(x):
        return (x**2).sum()

    def wrong(f, x):
        return f(x) + 1

    assert not checks.check_function("apply", wrong, lambda f, x: f(x), [(bowl, torch.ones(2))])
    out = capsys.readouterr().out
    assert "for input the function bowl, tensor([1.0, 1.0])" in out
    assert "0x" not in out


def test_an_infinite_answer_reports_an_infinite_difference(capsys):
    assert not checks.check_close("v", torch.tensor([1.0, float("inf")]), torch.tensor([1.0, 2.0]))
    assert "largest difference inf" in capsys.readouterr().out


def test_a_training_step_that_calls_the_course_loop_is_refused_when_forbidden(capsys):
    from torch import nn

    from course_utils import models, training

    def step_with_the_course_loop(model, X, y, loss_fn, optimizer):
        return training.train_one_epoch(model, [(X, y)], loss_fn, optimizer)

    torch.manual_seed(0)
    model = models.SimpleClassifier(2, 4)
    X, y = torch.randn(8, 2), torch.ones(8, 1)

    def check(**options):
        return checks.check_training_step(
            "step",
            step_with_the_course_loop,
            model,
            X,
            y,
            loss_fn=nn.BCELoss(),
            make_optimizer=lambda p: torch.optim.SGD(p, lr=0.1),
            **options,
        )

    assert check()  # right, as far as the weights can tell
    capsys.readouterr()
    assert not check(forbid={"course_utils.training": "write the five steps yourself"})
    assert "your code uses course_utils.training" in capsys.readouterr().out
