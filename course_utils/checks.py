"""The course's one way to check an exercise.

Introduced in 02_data_preparation.ipynb and used by every exercise.

Each checker prints a clear pass, or what differs and a hint, and returns True or False. It never
raises: a wrong or unfinished answer must not break the cells after it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from pathlib import PurePath
from typing import Any

import torch
from torch import Tensor

__all__ = ["check_close", "check_equal", "check_function", "check_at_least"]

PASS = "✅"
FAIL = "❌"


def _report(name: str, ok: bool, detail: str = "", hint: str = "") -> bool:
    if ok:
        print(f"{PASS} {name}: correct!")
    else:
        print(f"{FAIL} {name}: {detail}")
        if hint:
            print(f"   Hint: {hint}")
    return ok


def _describe_error(error: BaseException) -> str:
    if isinstance(error, NotImplementedError):
        return "not done yet (it still raises NotImplementedError): write your code and run again"
    return f"your code raised {type(error).__name__}: {error}"


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
            return f"expected a sequence of {len(expected)} items, got {answer!r}"
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


def check_close(
    name: str,
    answer: Any,
    expected: Any,
    *,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    hint: str = "",
) -> bool:
    """Check a number, tensor or list of them against the expected value, within a tolerance.

    Each value passes when |answer - expected| <= atol + rtol * |expected| (torch.isclose).
    Example: ``check_close("weighted sum", z, torch.tensor(0.5), hint="z = w @ x + b")``.
    """
    try:
        problem = _compare(answer, expected, atol, rtol)
    except Exception as error:  # the checker itself must never break a notebook
        problem = f"could not compare your answer: {error}"
    return _report(name, problem is None, problem or "", hint)


def check_equal(name: str, answer: Any, expected: Any, *, hint: str = "") -> bool:
    """Check an exact answer (a count, a shape, a string, integer tensors).

    Example: ``check_equal("number of batches", n_batches, 25)``.
    """
    try:
        if isinstance(answer, Tensor) or isinstance(expected, Tensor):
            problem = _compare(answer, expected, atol=0.0, rtol=0.0)
        elif answer == expected:
            problem = None
        elif answer is None:
            problem = "got None: did you forget to return (or assign) your answer?"
        else:
            problem = f"got {answer!r}, expected {expected!r}"
    except Exception as error:
        problem = f"could not compare your answer: {error}"
    return _report(name, problem is None, problem or "", hint)


def check_function(
    name: str,
    candidate: Callable[..., Any],
    reference: Callable[..., Any],
    inputs: Iterable[Any],
    *,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    hint: str = "",
) -> bool:
    """Call ``candidate`` and ``reference`` on each input and check that they agree.

    Each item of ``inputs`` is one argument, or a tuple of arguments.
    Example: ``check_function("sigmoid", my_sigmoid, torch.sigmoid, [torch.linspace(-5, 5, 11)])``.
    """
    for case in inputs:
        args = case if isinstance(case, tuple) else (case,)
        try:
            answer = candidate(*args)
        except Exception as error:
            return _report(name, False, _describe_error(error), hint)
        try:
            expected = reference(*args)
            if (
                isinstance(expected, Tensor)
                and not isinstance(answer, Tensor)
                and answer is not None
            ):
                problem = (
                    f"returned a {type(answer).__name__}, but a tensor was expected: build the "
                    "result with tensor operations so it works on a whole tensor at once"
                )
            else:
                problem = _compare(answer, expected, atol, rtol)
        except Exception as error:
            problem = f"could not compare your answer: {error}"
        if problem:
            shown = ", ".join(_short(a) for a in args)
            return _report(name, False, f"for input {shown}: {problem}", hint)
    return _report(name, True)


def _short(value: Any) -> str:
    if isinstance(value, Tensor):
        if value.numel() <= 6:
            return f"tensor({value.tolist()})"
        return f"a tensor of shape {tuple(value.shape)}"
    if isinstance(value, PurePath):
        return f"the file {value.name!r}"  # the folder is a temporary one: its name says nothing
    return repr(value)


def check_at_least(
    name: str, answer: Any, minimum: float, *, unit: str = "", hint: str = ""
) -> bool:
    """Check that a number (a score to reach, e.g. an accuracy) is at least ``minimum``.

    For open exercises with many right answers. ``unit`` is shown after the numbers.
    Example: ``check_at_least("validation accuracy (%)", 100 * accuracy, 97, unit="%")``.
    """
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return _report(name, False, f"expected a number, got {answer!r}", hint)
    if math.isnan(value):
        return _report(name, False, "got NaN: did training diverge?", hint)
    if value >= minimum:
        print(f"{PASS} {name}: {value:g}{unit}, at least {minimum:g}{unit}: done!")
        return True
    return _report(name, False, f"{value:g}{unit}, below the {minimum:g}{unit} to reach", hint)
