"""The course's one way to check an exercise: a clear pass, "not done yet", or what differs.

A checker never raises (a wrong answer must not break the cells after it) and returns True or
False. Hints come in steps: a wrong answer shows the hint reached so far, ``checks.hint("name")``
the next one, and every third wrong try the next one by itself. Each result is recorded
(``checks.results()``) and, when ``COURSE_CHECKS_RECORD`` names a file, appended to it as a JSON
line, which is how ``make grade`` reads a submission.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import torch
from torch import Tensor, nn

__all__ = [
    "check_at_least",
    "check_close",
    "check_equal",
    "check_function",
    "check_training_step",
    "hint",
    "inputs_of_sizes",
    "results",
]

PASS = "✅"
FAIL = "❌"
WAIT = "⏳"
NOT_DONE = "not done yet: write your code in the exercise cell, run that cell, then run this check"
RECORD_VARIABLE = "COURSE_CHECKS_RECORD"  # a file that receives one JSON line per check
WRONG_TRIES_PER_HINT = 3  # after this many wrong tries, the next hint shows by itself


@dataclass
class _Exercise:
    """What the checker remembers about one exercise: its hints and how far the student got."""

    hints: tuple[str, ...] = ()
    hints_shown: int = 0
    wrong_tries: int = 0


_exercises: dict[str, _Exercise] = {}
_results: list[dict[str, str]] = []


# ----------------------------------------------------------------------------- hints and reports


def _steps(hints: Sequence[str] | str, hint: str) -> tuple[str, ...]:
    """The hint steps, from ``hints`` or the older one-step ``hint=`` keyword."""
    if hints is None or isinstance(hints, str):
        hints = (hints,)
    return tuple(str(h) for h in (*hints, hint) if h)


def _print_hint(name: str, exercise: _Exercise) -> None:
    shown = exercise.hints_shown
    print(f"   Hint {shown}/{len(exercise.hints)}: {exercise.hints[shown - 1]}")
    if shown < len(exercise.hints):
        print(f'   (more: checks.hint("{name}"))')


def hint(name: str) -> None:
    """Print the next hint of exercise ``name`` (run its check cell once first)."""
    exercise = _exercises.get(name)
    if exercise is None or not exercise.hints:
        known = ", ".join(repr(n) for n in _exercises if _exercises[n].hints) or "none yet"
        print(f"No hints for {name!r}: run its check cell first (exercises with hints: {known}).")
        return
    if exercise.hints_shown >= len(exercise.hints):
        print(f"That was the last hint for {name}; here it is again:")
        _print_hint(name, exercise)
        return
    exercise.hints_shown += 1
    _print_hint(name, exercise)


def results() -> list[dict[str, str]]:
    """Every check run so far in this kernel: dicts with ``exercise``, ``status``, ``message``."""
    return list(_results)


def _record(name: str, status: str, message: str) -> None:
    result = {"exercise": name, "status": status, "message": message}
    _results.append(result)
    path = os.environ.get(RECORD_VARIABLE)
    if path:
        try:
            with open(path, "a", encoding="utf-8") as file:
                file.write(json.dumps(result) + "\n")
        except OSError as error:
            print(f"(could not record this result for grading: {error})")


def _report(name: str, problem: str | None, hints: tuple[str, ...] = ()) -> bool:
    """Print and record the outcome of one check; return True when it passed."""
    exercise = _exercises.setdefault(name, _Exercise())
    exercise.hints = hints or exercise.hints
    if problem is None:
        print(f"{PASS} {name}: correct!")
        _record(name, "passed", "")
        return True
    if problem == NOT_DONE:
        print(f"{WAIT} {name}: {NOT_DONE}")
        _record(name, "not done", NOT_DONE)
        return False
    print(f"{FAIL} {name}: {problem}")
    _record(name, "wrong", problem)
    exercise.wrong_tries += 1
    if exercise.hints:
        reveal = exercise.hints_shown == 0 or exercise.wrong_tries % WRONG_TRIES_PER_HINT == 0
        if reveal and exercise.hints_shown < len(exercise.hints):
            exercise.hints_shown += 1
        _print_hint(name, exercise)
    return False


# ----------------------------------------------------------------------------- comparing values


def _as_tensor(value: Any) -> Tensor:
    if isinstance(value, Tensor):
        return value.detach()
    return torch.as_tensor(value)


def _compare(answer: Any, expected: Any, atol: float, rtol: float) -> str | None:
    """Return None when ``answer`` matches ``expected``, else a sentence saying what differs."""
    if answer is None:
        return "got None: did you forget to return (or assign) your answer?"
    if isinstance(expected, (tuple, list)) and not isinstance(answer, Tensor):
        if not isinstance(answer, (tuple, list)) or len(answer) != len(expected):
            return f"expected a sequence of {len(expected)} items, got {_short(answer)}"
        for i, (a, e) in enumerate(zip(answer, expected, strict=True)):
            problem = _compare(a, e, atol, rtol)
            if problem:
                return f"item {i}: {problem}"
        return None
    try:
        got = _as_tensor(answer)
    except (TypeError, ValueError, RuntimeError):
        return f"expected a number or a tensor, got {type(answer).__name__}"
    want = _as_tensor(expected)
    if got.shape != want.shape:
        return f"shape {tuple(got.shape)} but expected {tuple(want.shape)}"
    if not (got.is_floating_point() or want.is_floating_point()):
        wrong = (got != want).nonzero()
        if len(wrong) == 0:
            return None
        if got.dim() == 0:
            return f"got {got.item()}, expected {want.item()}"
        where = tuple(wrong[0].tolist())
        return f"{len(wrong)} value(s) differ; first at {where}: got {got[where]}, expected {want[where]}"
    got, want = got.double(), want.double()
    if torch.isnan(got).any() and not torch.isnan(want).any():
        return "your answer contains NaN: look for a division by zero or the log of 0"
    close = torch.isclose(got, want, atol=atol, rtol=rtol, equal_nan=True)
    if bool(close.all()):
        return None
    wrong = (~close).nonzero()
    where = tuple(wrong[0].tolist())
    values = (
        f"got {got[where].item():.6g}, expected {want[where].item():.6g} "
        f"({_difference_and_allowed(got, want, where, atol, rtol)})"
    )
    if got.dim() == 0:
        return values
    return f"{len(wrong)} of {got.numel()} value(s) differ; first at index {where}: {values}"


def _not_a_tensor(answer: Any, expected: Tensor) -> str:
    """Why a plain value where a tensor was expected is wrong, naming the usual cause."""
    kind = type(answer).__name__
    if isinstance(answer, (int, float)) and expected.dim() == 0:
        return (
            f"returned a Python {kind}, but a tensor was expected: .item() (or float()) turns a "
            "tensor into a plain number and cuts it from the graph, so backward() cannot run "
            "through it; return the tensor itself"
        )
    return (
        f"returned a {kind}, but a tensor was expected: build the result with tensor operations "
        "so it works on a whole tensor at once"
    )


def _difference_and_allowed(
    got: Tensor, want: Tensor, where: tuple, atol: float, rtol: float
) -> str:
    """The difference at ``where``, what torch.isclose allowed there, and the largest difference."""
    difference = abs(got[where].item() - want[where].item())
    biggest = (got - want).abs().nan_to_num(math.inf).max().item()
    largest = f"; largest difference {biggest:.3g}" if got.numel() > 1 else ""
    if atol == 0 and rtol == 0:
        return f"difference {difference:.3g}; the values must be exactly equal{largest}"
    # torch.isclose's test: |got - expected| <= atol + rtol * |expected|
    allowed = atol + rtol * abs(want[where].item())
    return (
        f"difference {difference:.3g}, allowed {allowed:.3g} = atol {atol:g} + rtol {rtol:g} "
        f"× |expected|{largest}"
    )


# ----------------------------------------------------------------------------- the checkers


def _unassigned(answer: Any) -> str | None:
    """NOT_DONE for the placeholder an exercise cell starts with (None or ...), else None."""
    return NOT_DONE if answer is None or answer is Ellipsis else None


def check_close(
    name: str,
    answer: Any,
    expected: Any,
    *,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    hints: Sequence[str] = (),
    hint: str = "",
) -> bool:
    """Check a number, tensor or list of them against the expected value, within a tolerance.

    Each value passes when |answer - expected| <= atol + rtol * |expected| (torch.isclose).
    """
    try:
        problem = _unassigned(answer) or _compare(answer, expected, atol, rtol)
    except Exception as error:  # the checker itself must never break a notebook
        problem = f"could not compare your answer: {error}"
    return _report(name, problem, _steps(hints, hint))


def check_equal(
    name: str, answer: Any, expected: Any, *, hints: Sequence[str] = (), hint: str = ""
) -> bool:
    """Check an exact answer (a count, a shape, a string, integer tensors)."""
    try:
        if expected is not None and _unassigned(answer):
            problem = NOT_DONE
        elif isinstance(answer, Tensor) or isinstance(expected, Tensor):
            problem = _compare(answer, expected, atol=0.0, rtol=0.0)
        elif answer == expected:  # None reaches here only when None is expected
            problem = None
        else:
            problem = f"got {answer!r}, expected {expected!r}"
    except Exception as error:
        problem = f"could not compare your answer: {error}"
    return _report(name, problem, _steps(hints, hint))


def check_at_least(
    name: str,
    value: Any,
    minimum: float,
    *,
    unit: str = "",
    hints: Sequence[str] = (),
    hint: str = "",
) -> bool:
    """Check that a number (a score to reach, e.g. an accuracy) is at least ``minimum``.

    For open exercises with many right answers; a miss says how far off it is. ``unit`` is
    shown after the numbers.
    """
    try:
        if _unassigned(value):
            problem = NOT_DONE
        else:
            number = value.item() if isinstance(value, Tensor) else float(value)
            if math.isnan(number):
                problem = "got NaN: did the training diverge (or divide by zero)?"
            elif number >= minimum:
                problem = None
            else:
                problem = (
                    f"got {number:.4g}{unit}, at least {minimum:g}{unit} needed "
                    f"({minimum - number:.3g}{unit} short)"
                )
    except Exception as error:
        problem = f"expected one number, got {_short(value)} ({error})"
    return _report(name, problem, _steps(hints, hint))


def check_function(
    name: str,
    candidate: Callable[..., Any],
    reference: Callable[..., Any],
    inputs: Iterable[Any],
    *,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    hints: Sequence[str] = (),
    hint: str = "",
    may_change_inputs: bool = False,
) -> bool:
    """Call ``candidate`` and ``reference`` on each input and check that they agree.

    Each item of ``inputs`` is one argument, or a tuple of arguments. Each call gets its own
    copy of them, so a candidate that changes its input in place cannot change the expected
    value; it is told so (unless ``may_change_inputs``). Vary the sizes of the inputs
    (``inputs_of_sizes``) so that a hard-coded size fails. Pass a model as an argument (not
    through a closure) to have "the model is still in training mode" caught.
    """
    steps = _steps(hints, hint)
    try:
        for case in inputs:
            args = case if isinstance(case, tuple) else (case,)
            problem = _check_one_case(candidate, reference, args, atol, rtol, may_change_inputs)
            if problem == NOT_DONE:
                return _report(name, NOT_DONE, steps)
            if problem:
                shown = ", ".join(_short(a) for a in args)
                return _report(name, f"for input {shown}: {problem}", steps)
    except Exception as error:  # the checker itself must never break a notebook
        return _report(name, f"could not check your answer: {error}", steps)
    return _report(name, None, steps)


def _check_one_case(candidate, reference, args, atol, rtol, may_change_inputs) -> str | None:
    """What is wrong with the candidate's answer for one input, or None."""
    their_args, our_args = _copy(args), _copy(args)
    try:
        with _same_random_numbers():
            answer = candidate(*their_args)
    except NotImplementedError:
        return NOT_DONE
    except Exception as error:
        return f"your code raised {type(error).__name__}: {error}"
    with _same_random_numbers():
        expected = reference(*our_args)
    if not may_change_inputs:
        changed = _changed_argument(candidate, args, their_args)
        if changed:
            return (
                f"your function changed its input {changed} in place (an in-place operation such "
                "as x -= ..., x[...] = ..., or a method ending in _ like clamp_): compute a new "
                "tensor instead and leave the input as it was"
            )
    if isinstance(expected, Tensor) and not isinstance(answer, Tensor) and answer is not None:
        return _not_a_tensor(answer, expected)
    problem = _compare(answer, expected, atol, rtol)
    return problem or _graph_or_mode_problem(answer, expected, their_args, our_args)


def _graph_or_mode_problem(answer: Any, expected: Any, their_args: tuple, our_args: tuple):
    """A right value can still be wrong: cut from the graph, or a model left in training mode."""
    cut_from_graph = isinstance(answer, Tensor) and not answer.requires_grad
    if cut_from_graph and isinstance(expected, Tensor) and expected.requires_grad:
        return (
            "the value is right, but the result is cut from the graph (requires_grad is False), "
            "so backward() cannot run through it: avoid .item(), .detach(), torch.tensor(...) "
            "and torch.no_grad() inside the function"
        )
    for theirs, ours in zip(their_args, our_args, strict=True):
        if isinstance(theirs, nn.Module) and theirs.training and not ours.training:
            return (
                "the values are right, but the model is still in training mode: switch it to "
                "evaluation mode before predicting (dropout and batch norm behave differently)"
            )
    return None


def _changed_argument(candidate: Callable[..., Any], original: tuple, used: tuple) -> str:
    """The name of the first argument the candidate changed in place, or ''."""
    try:
        names = list(inspect.signature(candidate).parameters)
    except (TypeError, ValueError):
        names = []
    for i, (before, after) in enumerate(zip(original, used, strict=True)):
        if not _unchanged(before, after):
            return f"`{names[i]}`" if i < len(names) else f"(argument {i + 1})"
    return ""


def _unchanged(before: Any, after: Any) -> bool:
    if isinstance(before, Tensor):
        return before.shape == after.shape and bool(
            torch.equal(before.detach(), after.detach())
            or torch.isclose(before.detach(), after.detach(), equal_nan=True).all()
        )
    if isinstance(before, nn.Module):
        after_state = after.state_dict()
        return all(_unchanged(v, after_state[k]) for k, v in before.state_dict().items())
    if isinstance(before, (list, tuple)) and isinstance(after, (list, tuple)):
        return len(before) == len(after) and all(
            _unchanged(b, a) for b, a in zip(before, after, strict=True)
        )
    return True


def _copy(value: Any) -> Any:
    """A copy of a check's input that the student's code may change without harm."""
    if isinstance(value, Tensor):
        return value.detach().clone().requires_grad_(value.requires_grad)
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    try:
        return copy.deepcopy(value)
    except Exception:  # an object that cannot be copied (a file handle, a generator) is shared
        return value


@contextlib.contextmanager
def _same_random_numbers() -> Iterator[None]:
    """Run a call with the random generator seeded to 0, and leave the notebook's own untouched."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        yield


def inputs_of_sizes(
    make_input: Callable[[int, torch.Generator], Any],
    sizes: Sequence[int] = (1, 5, 8, 13),
    seed: int = 0,
) -> list[Any]:
    """Test inputs of several batch sizes, ``make_input(size, generator)`` for each size.

    With sizes that vary, a function that hard-codes the batch size (``.sum() / 8``) fails.
    """
    generator = torch.Generator().manual_seed(seed)
    return [make_input(size, generator) for size in sizes]


# ----------------------------------------------------------------------------- a training step


def check_training_step(
    name: str,
    step_function: Callable[..., Any],
    model: nn.Module,
    batch_features: Tensor,
    batch_labels: Tensor,
    *,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    make_optimizer: Callable[[Any], torch.optim.Optimizer],
    hints: Sequence[str] = (),
    hint: str = "",
    steps: int = 5,
) -> bool:
    """Check ``step_function(model, X, y, loss_fn, optimizer)`` against five reference steps.

    Both start from copies of ``model`` with their own ``make_optimizer(parameters)``. After each
    step every named parameter and the returned loss are compared; at the first difference the
    checker says why: no update (no ``optimizer.step()``), gradients cleared before the update,
    gradients that add up (``zero_grad`` missing), a different update (not the given optimizer),
    no returned loss, or the model left in evaluation mode.
    """
    try:
        problem = _training_step_problem(
            step_function, model, batch_features, batch_labels, loss_fn, make_optimizer, steps
        )
    except Exception as error:  # the checker itself must never break a notebook
        problem = f"could not check your step: {error}"
    return _report(name, problem, _steps(hints, hint))


def _training_step_problem(
    step_function, model, X, y, loss_fn, make_optimizer, steps
) -> str | None:
    theirs, ours = _fresh_copy(model), _fresh_copy(model)
    their_optimizer = make_optimizer(theirs.parameters())
    our_optimizer = make_optimizer(ours.parameters())
    for step in range(1, steps + 1):
        before = {k: p.detach().clone() for k, p in theirs.named_parameters()}
        previous_grads = {k: _grad(p) for k, p in theirs.named_parameters()}
        try:
            with _same_random_numbers():
                returned = step_function(theirs, _copy(X), _copy(y), loss_fn, their_optimizer)
        except NotImplementedError:
            return NOT_DONE
        except Exception as error:
            return f"at step {step} your code raised {type(error).__name__}: {error}"
        with _same_random_numbers():
            expected_loss = _reference_step(ours, X, y, loss_fn, our_optimizer)
        problem = _step_problem(theirs, ours, before, previous_grads, returned, expected_loss)
        if problem:
            return f"after step {step} of {steps}: {problem}"
    return None


def _fresh_copy(model: nn.Module) -> nn.Module:
    copied = copy.deepcopy(model)
    for parameter in copied.parameters():
        parameter.grad = None
    return copied


def _grad(parameter: Tensor) -> Tensor:
    if parameter.grad is None:
        return torch.zeros_like(parameter)
    return parameter.grad.detach().clone()


def _reference_step(model, X, y, loss_fn, optimizer) -> float:
    """The course's training step; return the loss before the update."""
    model.train()
    loss = loss_fn(model(X), y)  # 1. forward pass, 2. loss
    optimizer.zero_grad()  # 3. clear the old gradients
    loss.backward()  # 4. backward pass
    optimizer.step()  # 5. update
    return loss.item()


def _step_problem(theirs, ours, before, previous_grads, returned, expected_loss) -> str | None:
    """What went wrong in one student step compared with the reference step, or None."""
    if not theirs.training and ours.training:
        return (
            "the model is in evaluation mode: switch it to training mode at the start of the step"
        )
    our_parameters = dict(ours.named_parameters())
    for key, parameter in theirs.named_parameters():
        problem = _compare(parameter.detach(), our_parameters[key].detach(), 1e-6, 1e-5)
        if problem:
            why = _diagnose_update(parameter, our_parameters[key], before[key], previous_grads[key])
            return f"{key}: {problem}. {why}"
    if returned is None:
        return "the weights are right, but your step returns nothing: return the loss, so the loop can record it"
    try:
        returned_value = float(_as_tensor(returned).item())
    except Exception:
        return f"the weights are right, but your step returns {_short(returned)}, not the loss (one number)"
    if not math.isclose(returned_value, expected_loss, rel_tol=1e-5, abs_tol=1e-6):
        return (
            f"the weights are right, but the returned loss is {returned_value:.6g}, expected "
            f"{expected_loss:.6g} (the loss of this batch before the update)"
        )
    return None


def _diagnose_update(theirs: Tensor, ours: Tensor, before: Tensor, previous_grad: Tensor) -> str:
    """Why a parameter differs after a step, read from its value and its gradient."""
    their_grad, our_grad = _grad(theirs), _grad(ours)
    if torch.equal(theirs.detach(), before):
        if theirs.grad is None or not their_grad.any():
            return (
                "The weights did not move and there are no gradients: either backward() never "
                "ran, or the gradients were cleared between backward() and the update (clear "
                "them before backward() instead)."
            )
        return "The weights did not move: the optimizer never applied the gradients (its step)."
    if torch.allclose(their_grad, our_grad, atol=1e-6, rtol=1e-4):
        return (
            "The gradient is right but the update is not: use the optimizer your function "
            "receives, and step it once."
        )
    if previous_grad.any() and torch.allclose(
        their_grad, our_grad + previous_grad, atol=1e-6, rtol=1e-4
    ):
        return (
            "The gradient is this step's plus the last step's: gradients add up until they are "
            "cleared, so zero_grad is missing or in the wrong place."
        )
    return (
        "The gradient differs: compute the loss with loss_fn on the model's output for this batch."
    )


def _short(value: Any) -> str:
    if isinstance(value, Tensor):
        if value.numel() <= 6:
            return f"tensor({value.tolist()})"
        return f"a tensor of shape {tuple(value.shape)}"
    if isinstance(value, PurePath):
        return f"the file {value.name!r}"  # the folder is a temporary one: its name says nothing
    if isinstance(value, nn.Module):
        return f"a {type(value).__name__}"
    text = repr(value)
    return text if len(text) <= 60 else f"a {type(value).__name__}"
