"""Exercise checkers: each prints a pass, "not done yet", or what differs; none raises.

Hints come in steps: a wrong answer shows the hint reached so far, ``hint(name)``
the next one.
"""

import copy
import functools
import importlib
import inspect
import math
import os
import sys
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import torch
from torch import Tensor, nn

from course_utils import training

NOT_DONE = "not done yet: write your code in the exercise cell, run that cell, then run this check"
# Grading: the grader sets this variable in the kernel's environment; each check's
# result then also goes out as an output of the cell that ran the check, of this type,
# for the grader to read.
RECORD_VARIABLE = "COURSE_CHECKS_RECORD"
RECORD_MIMETYPE = "application/vnd.course-utils.check-result+json"
WRONG_TRIES_PER_HINT = 3  # after this many wrong tries, the next hint shows by itself
TRAINING_STEPS = 5  # steps check_training_step compares
_SYMBOLS = {"passed": "✅", "not done": "⏳", "wrong": "❌"}


@dataclass
class _Exercise:
    """What a student has seen of one exercise so far in this kernel."""

    hints: tuple[str, ...] = ()  # the stepped hints, from the idea to the formula
    hints_shown: int = 0
    wrong_tries: int = 0
    case_hints_shown: set[str] = field(default_factory=set)


_exercises: dict[str, _Exercise] = {}


class Case:
    """One input of ``check_function``, with a hint for the mistake it catches.

    ``Case([0.5, 0.5, 0.5], 2, hint="...")`` calls the function as
    ``f([0.5, 0.5, 0.5], 2)``. When the answer is wrong for this input, or the code
    raises on it, the check shows this hint: it speaks about the mistake just made,
    where a stepped hint could not know it.
    """

    def __init__(self, *args: Any, hint: str | None = None):
        self.args = args
        self.hint = hint

    def __repr__(self) -> str:
        return f"Case({', '.join(map(repr, self.args))}, hint={self.hint!r})"


class Mistake(Exception):
    """What a check cell found wrong in how a student's code ran, said as it is.

    A check cell may wrap the student's function to watch how it works: the mode it
    leaves the model in, how it loads a file. The wrapper raises
    ``checks.Mistake("...")`` with what went wrong and what to change, and
    ``check_function`` shows that message as it is; any other exception is reported as
    raised by the student's code.
    """


def _print_hint(name: str, exercise: _Exercise) -> None:
    """Print the last hint shown of ``exercise``, and how to ask for the next one.

    The way to ask is printed only while there are more hints to show.
    """
    shown = exercise.hints_shown
    print(f"   Hint {shown}/{len(exercise.hints)}: {exercise.hints[shown - 1]}")
    if shown < len(exercise.hints):
        print(f'   (more: checks.hint("{name}"))')


def hint(name: str) -> None:
    """Print the next hint of exercise ``name`` (run its check cell once first)."""
    exercise = _exercises.get(name)
    if exercise is None or not exercise.hints:
        with_hints = [repr(n) for n, e in _exercises.items() if e.hints]
        if with_hints:
            known = ", ".join(with_hints)
        else:
            known = "none yet"
        print(f"No hints for {name!r}: run its check cell first (exercises with hints: {known}).")
        return
    if exercise.hints_shown == len(exercise.hints):
        print(f"That was the last hint for {name}; here it is again:")
    else:
        exercise.hints_shown += 1
    _print_hint(name, exercise)


def _record(result: dict[str, str]) -> None:
    """When grading, send ``result`` to the grader as an output of the check's cell.

    The grader reads results only from the outputs of the course's own check cells
    (which it restores from the course edition), never from a file a cell could write or
    from printed text: what a student's cell prints or sends is not a result.
    """
    if os.environ.get(RECORD_VARIABLE):
        from IPython.display import publish_display_data  # only when grading: in a kernel

        publish_display_data({RECORD_MIMETYPE: result})


def _report(
    name: str,
    problem: str | None,
    hints: Sequence[str] | str | None,
    case_hint: str | None = None,
    solution: bool = False,
) -> bool:
    """Print and record the outcome of one check, with a hint if wrong.

    Returns True when the check passed.

    A wrong answer shows the hint of the input it failed on (``Case(..., hint=...)``)
    when there is one; otherwise the stepped hints: the first at the first wrong try,
    then one more after every ``WRONG_TRIES_PER_HINT`` wrong tries (or on request,
    with ``hint(name)``).

    With ``solution=True`` (the hidden solution cells) the line says it is the
    solution's result, so that under Run All it is not mistaken for the student's own;
    it is not recorded.
    """
    exercise = _exercises.setdefault(name, _Exercise())
    given_hints = _hints_given(hints)
    if given_hints:  # a check cell without hints keeps the ones an earlier check gave
        exercise.hints = given_hints
    if problem is None:
        status = "passed"
    elif problem == NOT_DONE:
        status = "not done"
    else:
        status = "wrong"
    if solution:
        label = f"the solution of {name}"
    else:
        label = name
    print(f"{_SYMBOLS[status]} {label}: {problem or 'correct!'}")
    if not solution:
        _record({"exercise": name, "status": status, "message": problem or ""})
    if status == "wrong":
        exercise.wrong_tries += 1
        _show_hint_after_wrong_try(name, exercise, case_hint)
    return problem is None


def _hints_given(hints: Sequence[str] | str | None) -> tuple[str, ...]:
    """The stepped hints a check was given, as a tuple of non-empty strings.

    One hint may be given as a plain string, and no hint as None.
    """
    if hints is None or isinstance(hints, str):
        hints = (hints,)
    return tuple(str(h) for h in hints if h)


def _show_hint_after_wrong_try(name: str, exercise: _Exercise, case_hint: str | None) -> None:
    """Print the hint a wrong try earns: the failing input's, else the stepped one.

    The stepped hints advance at the first wrong try and then after every
    ``WRONG_TRIES_PER_HINT`` wrong tries; the last one reached is shown each time.
    """
    if case_hint:
        exercise.case_hints_shown.add(case_hint)
        print(f"   Hint for this input: {case_hint}")
        if exercise.hints:
            print(f'   (more: checks.hint("{name}"))')
        return
    if not exercise.hints:
        return
    first_try = exercise.hints_shown == 0
    every_few_tries = exercise.wrong_tries % WRONG_TRIES_PER_HINT == 0
    more_to_show = exercise.hints_shown < len(exercise.hints)
    if (first_try or every_few_tries) and more_to_show:
        exercise.hints_shown += 1
    _print_hint(name, exercise)


def _find_problem(answer: Any, find_problem: Callable[[], str | None]) -> str | None:
    """NOT_DONE for a placeholder (None or ...), else what ``find_problem()`` finds.

    A checker must never break the notebook's next cells, so an error while checking
    becomes the message.
    """
    if answer is None or answer is Ellipsis:
        return NOT_DONE
    try:
        return find_problem()
    except Exception as error:
        return f"could not check your answer: {error}"


def _check(
    name: str,
    hints: Sequence[str],
    answer: Any,
    find_problem: Callable[[], str | None],
    solution: bool = False,
) -> bool:
    """Find what is wrong with ``answer`` (if anything) and report it."""
    problem = _find_problem(answer, find_problem)
    return _report(name, problem, hints, solution=solution)


def _compare(answer: Any, expected: Any, atol: float, rtol: float) -> str | None:
    """None when ``answer`` matches ``expected`` (torch.isclose), else what differs."""
    if answer is None:
        return "got None: did you forget to return (or assign) your answer?"
    if isinstance(expected, (tuple, list)) and not isinstance(answer, Tensor):
        return _compare_items(answer, expected, atol, rtol)
    container_problem = _tensor_or_not(answer, expected)
    if container_problem:
        return container_problem
    try:
        got = torch.as_tensor(answer).detach()
    except (TypeError, ValueError, RuntimeError):
        return f"expected a number or a tensor, got {type(answer).__name__}"
    want = torch.as_tensor(expected).detach()
    if got.shape != want.shape:
        return f"shape {tuple(got.shape)} but expected {tuple(want.shape)}"
    if want.dtype == torch.bool:
        return _compare_booleans(got, want)
    got, want = got.double(), want.double()
    if got.isnan().any() and not want.isnan().any():
        return "your answer contains NaN: look for a division by zero or the log of 0"
    close = torch.isclose(got, want, atol=atol, rtol=rtol, equal_nan=True)
    if close.all():
        return None
    wrong = (~close).nonzero()
    where = tuple(wrong[0].tolist())
    mine, right = got[where].item(), want[where].item()
    if atol == rtol == 0:
        allowed = "; the values must be exactly equal"
    else:  # torch.isclose's test: |got - expected| <= atol + rtol * |expected|
        allowed = (
            f", allowed {atol + rtol * abs(right):.3g} = atol {atol:g} + rtol {rtol:g} × |expected|"
        )
    if got.numel() > 1:
        difference = (got - want).abs()
        largest = difference.nan_to_num(nan=math.inf, posinf=math.inf).max().item()
        allowed += f"; largest difference {largest:.3g}"
    values = f"got {mine:.6g}, expected {right:.6g} (difference {abs(mine - right):.3g}{allowed})"
    if got.dim() == 0:
        return values
    return f"{len(wrong)} of {got.numel()} value(s) differ; first at index {where}: {values}"


def _tensor_or_not(answer: Any, expected: Any) -> str | None:
    """What to say when one of answer and expected is a tensor and the other is not.

    One stacked tensor where several results are expected; a list, a tuple or a NumPy
    array where a tensor is expected. None otherwise.
    """
    several_tensors = isinstance(expected, (tuple, list)) and any(
        isinstance(item, Tensor) for item in expected
    )
    if several_tensors and isinstance(answer, Tensor):
        kind = "list" if isinstance(expected, list) else "tuple"  # a named tuple too
        return (
            f"got one tensor of shape {tuple(answer.shape)}, but {len(expected)} separate "
            f"results were expected, as a {kind}: return them one by one "
            "(return first, second), not stacked into one tensor"
        )
    if isinstance(expected, Tensor) and isinstance(answer, (list, tuple)):
        return (
            f"got a Python {type(answer).__name__}, but a tensor was expected: a (nested) list "
            "is not a tensor; build one with torch.tensor(...)"
        )
    if isinstance(expected, Tensor) and type(answer).__name__ == "ndarray":
        return (
            "got a NumPy array, but a PyTorch tensor was expected: build one with "
            "torch.tensor(...), as the course does"
        )
    return None


def _item_name(expected: Sequence[Any], index: int) -> str:
    """How a message names one item of a result: by its field, or by its index.

    A reference that returns a named tuple, ``Gradients(dW1, db1, dW2, db2)`` say, names
    the items of every answer compared with it: "dW2: ..." rather than "item 2: ...".
    """
    fields = getattr(expected, "_fields", None)
    if fields:
        return fields[index]
    return f"item {index}"


def _compare_items(answer: Any, expected: Sequence[Any], atol: float, rtol: float) -> str | None:
    """Compare a sequence item by item; the first item that differs is the problem."""
    if not isinstance(answer, (tuple, list)) or len(answer) != len(expected):
        fields = getattr(expected, "_fields", None)
        named = f" ({', '.join(fields)})" if fields else ""
        return f"expected a sequence of {len(expected)} items{named}, got {_short(answer)}"
    for index, (item, expected_item) in enumerate(zip(answer, expected, strict=True)):
        problem = _compare(item, expected_item, atol, rtol)
        if problem:
            return f"{_item_name(expected, index)}: {problem}"
    return None


def _compare_booleans(got: Tensor, want: Tensor) -> str | None:
    """Compare a yes/no answer: True and False, with no tolerance to speak of."""

    def shown(value: Tensor) -> str:
        """An answer's value as the student wrote it: True/False, or a number."""
        number = value.item()
        if got.dtype == torch.bool:
            return str(bool(number))
        return f"{number:g}"

    wrong = (got.double() != want.double()).nonzero()
    if len(wrong) == 0:
        return None
    where = tuple(wrong[0].tolist())
    values = f"got {shown(got[where])}, expected {want[where].item()}"
    if got.dim() == 0:
        return values
    return f"{len(wrong)} of {got.numel()} value(s) differ; first at index {where}: {values}"


def _is_whole_number(value: Any) -> bool:
    """True for a Python int (a count, a size), but not for True or False."""
    return isinstance(value, int) and not isinstance(value, bool)


def _dtype_problem(answer: Any, expected: Any, exact_dtype: bool) -> str | None:
    """A right value of the wrong kind: floats where whole numbers are asked for, say.

    An integer or boolean reference always rejects a floating answer (counts and class
    labels are whole numbers), and so does a Python int, item by item in a tuple or a
    list; with ``exact_dtype`` the dtypes must be equal (float64 vs float32).
    """
    if isinstance(expected, (tuple, list)) and isinstance(answer, (tuple, list)):
        for index, (item, expected_item) in enumerate(zip(answer, expected, strict=False)):
            problem = _dtype_problem(item, expected_item, exact_dtype)
            if problem:
                return f"{_item_name(expected, index)}: {problem}"
        return None
    if _is_whole_number(expected) and isinstance(answer, float):
        return (
            f"got {answer!r}, a float, but a whole number is asked for: count with whole "
            "numbers (// divides without leaving floats), or convert with int(...)"
        )
    if not (isinstance(answer, Tensor) and isinstance(expected, Tensor)):
        return None
    if exact_dtype and answer.dtype != expected.dtype:
        return (
            f"your answer has dtype {answer.dtype}, but {expected.dtype} is asked for: keep that "
            "dtype all the way (create tensors with dtype=..., or convert with .to(dtype))"
        )
    whole_numbers = not expected.dtype.is_floating_point and not expected.dtype.is_complex
    if whole_numbers and answer.dtype.is_floating_point:
        return (
            f"your answer holds floats ({answer.dtype}), but whole numbers ({expected.dtype}) "
            "are asked for: compute them with integer tensors, or convert with .long()"
        )
    return None


def check_close(
    name: str,
    answer: Any,
    expected: Any,
    *,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    hints: Sequence[str] = (),
    solution: bool = False,
) -> bool:
    """Check numbers or tensors: each answer must be close to the expected value.

    Close is torch.isclose's test: |answer - expected| <= atol + rtol * |expected|.
    """

    def problem() -> str | None:
        return _compare(answer, expected, atol, rtol)

    return _check(name, hints, answer, problem, solution)


def check_equal(
    name: str, answer: Any, expected: Any, *, hints: Sequence[str] = (), solution: bool = False
) -> bool:
    """Check an exact answer (a count, a shape, a string, integer tensors).

    A count must be a whole number: 3.0 where 3 is expected is wrong, though
    3.0 == 3 in Python.
    """

    def problem() -> str | None:
        if isinstance(answer, Tensor) or isinstance(expected, Tensor):
            dtype_problem = _dtype_problem(answer, expected, False)
            if dtype_problem:
                return dtype_problem
            return _compare(answer, expected, 0.0, 0.0)
        if _is_whole_number(expected) and isinstance(answer, float):
            return f"got {answer!r}, a float, but a whole number is expected: {expected!r}"
        if isinstance(expected, tuple) and not isinstance(answer, tuple):
            return _not_a_tuple(answer, expected)
        if answer == expected:
            return None
        return f"got {answer!r}, expected {expected!r}"

    return _check(name, hints, answer, problem, solution)


def _not_a_tuple(answer: Any, expected: tuple) -> str:
    """What to say when a tuple is asked for and a list (or an array) is given."""
    try:
        same_items = tuple(answer) == expected
    except TypeError:  # not a sequence at all
        same_items = False
    if same_items:
        return (
            f"got {answer!r}, a {type(answer).__name__}: the numbers are right, but a tuple is "
            f"asked for, written with round brackets: {expected!r}"
        )
    return f"got {answer!r}, expected {expected!r}"


def check_at_least(
    name: str, value: Any, minimum: float, *, hints: Sequence[str] = (), solution: bool = False
) -> bool:
    """Check that a number is at least ``minimum``.

    The number is a score to reach, an accuracy for instance.
    """

    def problem() -> str | None:
        try:
            number = float(value)
        except (TypeError, ValueError, RuntimeError) as error:
            return f"expected one number, got {_short(value)} ({error})"
        if math.isnan(number):
            return "got NaN: did the training diverge (or divide by zero)?"
        if number < minimum:
            return f"got {number:.4g}, at least {minimum:g} needed ({minimum - number:.3g} short)"
        return None

    return _check(name, hints, value, problem, solution)


def check_function(
    name: str,
    candidate: Callable[..., Any],
    reference: Callable[..., Any],
    inputs: Iterable[Any],
    *,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    hints: Sequence[str] = (),
    forbid: Mapping[str, str] | None = None,
    exact_dtype: bool = False,
    solution: bool = False,
) -> bool:
    """Check ``candidate`` against ``reference`` on each input.

    An input is one argument, a tuple of arguments, or a ``Case`` (arguments and a
    hint). Each call gets its own copy of the inputs: a candidate that changes them in
    place is told so and cannot change the expected value.

    ``forbid`` maps what the task asks the student to do without (a module, class or
    function, by its dotted name, e.g. ``"course_utils.metrics"``) to the reason; a
    candidate that calls into one of them is wrong, whatever its values. ``exact_dtype``
    asks for the reference's dtype (float64, not float32); an integer reference always
    rejects floats.
    """
    rules = _ForbiddenCalls(forbid or {})
    failed_on: list[Case] = []

    def first_problem() -> str | None:
        for given in inputs:
            case = _as_case(given)
            problem = _case_problem(candidate, reference, case.args, atol, rtol, rules, exact_dtype)
            if problem == NOT_DONE:
                return NOT_DONE
            if problem:
                if not isinstance(problem, _WrongKind):  # its values are right
                    failed_on.append(case)
                return f"for input {', '.join(_short(a) for a in case.args)}: {problem}"
        return None

    problem = _find_problem(candidate, first_problem)
    case_hint = None
    if failed_on and not rules.problem():  # a forbidden call is wrong whatever the input
        case_hint = failed_on[0].hint
    return _report(name, problem, hints, case_hint=case_hint, solution=solution)


def _as_case(given: Any) -> Case:
    """One input of ``check_function`` as a ``Case``.

    A tuple holds the arguments; anything else is the one argument.
    """
    if isinstance(given, Case):
        return given
    if isinstance(given, tuple):
        return Case(*given)
    return Case(given)


class _WrongKind(str):
    """What is wrong with the kind of an answer whose values are right (a float count).

    The hint of the input it failed on is about values, so it is not shown.
    """


def _case_problem(
    candidate: Callable[..., Any],
    reference: Callable[..., Any],
    args: tuple,
    atol: float,
    rtol: float,
    rules: "_ForbiddenCalls",
    exact_dtype: bool,
) -> str | None:
    """What is wrong with the candidate's answer for one input, or None."""
    their_args, our_args = _copy(args), _copy(args)
    try:
        with rules:
            answer = _seeded(candidate, *their_args)
    except NotImplementedError:
        return NOT_DONE
    except Exception as error:
        if rules.problem():  # the forbidden call is the mistake, not what it led to
            return rules.problem()
        if isinstance(error, Mistake):  # the check cell's diagnosis, not the student's error
            return str(error)
        return f"your code raised {type(error).__name__}: {error}"
    if rules.problem():
        return rules.problem()
    expected = _seeded(reference, *our_args)
    changed = _changed_argument(candidate, args, their_args)
    if changed:
        return (
            f"your function changed its input {changed} in place (x -= ..., x[...] = ..., or a "
            "method ending in _): compute a new tensor and leave the input as it was"
        )
    if isinstance(expected, Tensor) and not isinstance(answer, Tensor) and answer is not None:
        kind = type(answer).__name__
        if isinstance(answer, (int, float)) and expected.dim() == 0:
            return (
                f"returned a Python {kind}, not a tensor: .item() or float() cuts it from the "
                "graph, so backward() cannot run through it; return the tensor itself"
            )
        return f"returned a {kind}, but a tensor was expected: use tensor operations"
    value_problem = _compare(answer, expected, atol, rtol)
    if value_problem:
        return value_problem
    dtype_problem = _dtype_problem(answer, expected, exact_dtype)
    if dtype_problem:
        return _WrongKind(dtype_problem)
    return _graph_or_mode_problem(answer, expected, their_args, our_args)


class _ForbiddenCalls:
    """Watch a candidate run and catch any call into what its task forbids.

    The watch uses ``sys.setprofile``, which Python calls on every function call: a
    call whose code belongs to a forbidden module, class or function is noted,
    however it was reached (an import under another name, a helper of the student's
    that calls it, ...).
    """

    def __init__(self, forbid: Mapping[str, str]):
        self.rules = [(name, _resolve(name), reason) for name, reason in forbid.items()]
        self.found: str | None = None

    def problem(self) -> str | None:
        """What the last watched run used that it should not have, or None."""
        return self.found

    def __enter__(self) -> None:
        self.found = None
        if self.rules:
            self.previous = sys.getprofile()
            sys.setprofile(self._on_call)

    def __exit__(self, *exception: object) -> None:
        if self.rules:
            sys.setprofile(self.previous)

    def _on_call(self, frame: types.FrameType, event: str, arg: Any) -> None:
        """The profiler's hook: note the first call into a forbidden target."""
        if self.found or event not in ("call", "c_call"):
            return
        if event == "call" and frame.f_code.co_name in _TYPE_QUESTIONS:
            return  # isinstance(x, nn.Parameter) runs torch.nn's code, but uses nothing
        for name, target, reason in self.rules:
            if _calls_into(target, frame, event, arg):
                self.found = (
                    f"your code uses {name}, which this exercise asks you to do without: {reason}"
                )
                return


# What isinstance and issubclass run when a class defines them. Printing a tensor asks
# isinstance(x, nn.Parameter), which runs torch.nn's __instancecheck__: a student's
# print(logits) is not a use of torch.nn.
_TYPE_QUESTIONS = frozenset({"__instancecheck__", "__subclasscheck__"})


def _resolve(dotted_name: str) -> Any:
    """The module, class or function a dotted name names.

    For instance ``torch.utils.data.DataLoader``: the module ``torch.utils.data`` is
    imported, then its attribute ``DataLoader`` read.
    """
    try:
        return importlib.import_module(dotted_name)
    except ImportError:
        module_name, _, attribute = dotted_name.rpartition(".")
        return getattr(importlib.import_module(module_name), attribute)


def _calls_into(target: Any, frame: types.FrameType, event: str, arg: Any) -> bool:
    """True when this profiler event is a call into ``target``.

    ``target`` is a module, a class or a function.
    """
    if isinstance(target, types.ModuleType):
        if event == "c_call":
            module = getattr(arg, "__module__", None) or ""
        elif frame.f_code in _code_objects(target):  # a function it exports from elsewhere
            return True
        else:
            module = frame.f_globals.get("__name__", "")
        return module == target.__name__ or module.startswith(target.__name__ + ".")
    if event == "c_call":  # a function written in C: torch.bincount, or the method x.bincount
        if arg is target:
            return True
        same_name = getattr(arg, "__name__", None) == getattr(target, "__name__", "")
        bound_to_a_tensor = isinstance(getattr(arg, "__self__", None), Tensor)
        return same_name and bound_to_a_tensor
    return frame.f_code in _code_objects(target)


@functools.cache
def _code_objects(target: Any) -> set[types.CodeType]:
    """The code objects that run when ``target`` (a function, class or module) is used.

    For a class, its own methods: building a ``DataLoader`` runs
    ``DataLoader.__init__``. For a module, the functions it names in ``__all__``,
    wherever they are written: ``torch.func.jvp`` is written in ``torch._functorch``,
    so its code's module is not ``torch.func``. A decorated function counts by the code
    it wraps, not by its decorator's wrapper, which other functions share (every
    ``@contextmanager`` function's wrapper runs the same code).
    """
    if isinstance(target, types.ModuleType):
        members = [getattr(target, name, None) for name in getattr(target, "__all__", ())]
    elif isinstance(target, type):
        members = vars(target).values()
    else:
        members = [target]
    functions = (inspect.unwrap(getattr(member, "__func__", member)) for member in members)
    return {f.__code__ for f in functions if isinstance(f, types.FunctionType)}


def _graph_or_mode_problem(answer: Any, expected: Any, their_args: tuple, our_args: tuple):
    """A right value can still be wrong.

    It may be cut from the graph, or come from a model left in training mode.
    """
    cut = isinstance(answer, Tensor) and not answer.requires_grad
    if cut and isinstance(expected, Tensor) and expected.requires_grad:
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
        if _unchanged(before, after):
            continue
        if i < len(names):
            return f"`{names[i]}`"
        return f"(argument {i + 1})"
    return ""


def _unchanged(before: Any, after: Any) -> bool:
    """True when ``after`` holds the same values as ``before``.

    Models are compared by their state dicts, tensors value by value, lists and tuples
    item by item, and numbers and strings by value (so a list sorted in place is seen
    to change); anything else counts as unchanged.
    """
    if isinstance(before, nn.Module):
        before, after = before.state_dict(), after.state_dict()
        return all(_unchanged(value, after[key]) for key, value in before.items())
    if isinstance(before, Tensor):  # NaN counts as equal to NaN, and only to NaN
        before, after = before.detach(), after.detach()
        same_nan = torch.equal(before.isnan(), after.isnan())
        return same_nan and torch.equal(before.nan_to_num(), after.nan_to_num())
    if isinstance(before, (list, tuple)):
        return len(before) == len(after) and all(map(_unchanged, before, after))
    if isinstance(before, (int, float, str)):
        if type(after) is not type(before):
            return False
        both_nan = before != before and after != after  # NaN is never == itself
        return before == after or both_nan
    return True


def _copy(value: Any) -> Any:
    """A copy of a check's input that the student's code may change without harm."""
    if isinstance(value, Tensor):  # deepcopy refuses tensors computed from others
        return value.detach().clone().requires_grad_(value.requires_grad)
    if isinstance(value, (tuple, list)):
        return type(value)(_copy(v) for v in value)
    try:
        return copy.deepcopy(value)
    except Exception:  # what cannot be copied (a file handle, a generator) is shared
        return value


def _seeded(function: Callable, *args: Any) -> Any:
    """Call ``function`` with the random generator seeded to 0.

    The notebook's own random state is left as it was.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return function(*args)


def inputs_of_sizes(
    make_input: Callable[[int, torch.Generator], Any], sizes: Sequence[int] = (1, 5, 8, 13)
) -> list[Any]:
    """Inputs ``make_input(size, generator)`` of several batch sizes.

    An answer with a hard-coded batch size then fails.
    """
    generator = torch.Generator().manual_seed(0)
    return [make_input(size, generator) for size in sizes]


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
    forbid: Mapping[str, str] | None = None,
    solution: bool = False,
) -> bool:
    """Check ``step_function(model, X, y, loss_fn, optimizer)`` against reference steps.

    Five steps (``TRAINING_STEPS``) run beside the course's own. The first difference
    in a parameter or the returned loss is diagnosed, naming its likely cause.
    ``forbid`` works as in ``check_function`` (e.g. the course's own ``training``
    module).
    """
    rules = _ForbiddenCalls(forbid or {})

    def problem() -> str | None:
        return _training_problem(
            step_function, model, batch_features, batch_labels, loss_fn, make_optimizer, rules
        )

    return _check(name, hints, step_function, problem, solution)


def _training_problem(
    step_function, model, X, y, loss_fn, make_optimizer, rules: _ForbiddenCalls
) -> str | None:
    """Run the student's step and the course's side by side, five times.

    Returns the first difference, or None. Both start from copies of ``model`` with no
    gradients, each with its own optimizer. The mode is judged when the model and its
    layers compute outputs that gradients can flow from: that is when dropout and batch
    norm need training mode. A look under ``torch.no_grad()`` (the accuracy after the
    update, in ``model.eval()``, say) trains nothing, and its mode is the step's choice.
    """
    theirs, ours = copy.deepcopy(model), copy.deepcopy(model)
    for copied in (theirs, ours):
        copied.zero_grad()  # start without the gradients the given model may hold
    their_optimizer = make_optimizer(theirs.parameters())
    our_optimizer = make_optimizer(ours.parameters())
    modes_at_forward: list[bool] = []

    def note_mode(module: nn.Module, inputs: Any) -> None:
        if torch.is_grad_enabled():  # not a look under torch.no_grad()
            modes_at_forward.append(module.training)

    for module in theirs.modules():  # every layer: model.forward(X) skips the model's own hooks
        module.register_forward_pre_hook(note_mode)
    for step in range(1, TRAINING_STEPS + 1):
        before = {k: p.detach().clone() for k, p in theirs.named_parameters()}
        previous_grads = {k: _grad(p) for k, p in theirs.named_parameters()}
        modes_at_forward.clear()
        try:
            with rules:
                returned = _seeded(
                    step_function, theirs, _copy(X), _copy(y), loss_fn, their_optimizer
                )
        except NotImplementedError:
            return NOT_DONE
        except Exception as error:
            if rules.problem():  # the forbidden call is the mistake, not what it led to
                return rules.problem()
            return f"at step {step} your code raised {type(error).__name__}: {error}"
        if rules.problem():
            return rules.problem()
        if not all(modes_at_forward):
            return (
                f"at step {step} the model computed its output in evaluation mode: call "
                "model.train() at the start of the step (dropout and batch norm need it)"
            )
        # the course's own training step, on one batch
        expected_loss = _seeded(training.train_one_epoch, ours, [(X, y)], loss_fn, our_optimizer)
        problem = _step_problem(theirs, ours, before, previous_grads, returned, expected_loss)
        if problem:
            return f"after step {step} of {TRAINING_STEPS}: {problem}"
    return None


def _grad(parameter: Tensor) -> Tensor:
    """A copy of the parameter's gradient; zeros when it has none yet."""
    if parameter.grad is None:
        return torch.zeros_like(parameter)
    return parameter.grad.clone()


def _step_problem(theirs, ours, before, previous_grads, returned, expected_loss) -> str | None:
    """What went wrong in one student step compared with the reference step, or None."""
    our_parameters = dict(ours.named_parameters())
    for key, parameter in theirs.named_parameters():
        problem = _compare(parameter, our_parameters[key], 1e-6, 1e-5)
        if problem:
            why = _diagnose_update(parameter, our_parameters[key], before[key], previous_grads[key])
            return f"{key}: {problem}. {why}"
    if returned is None:
        return "the weights are right, but your step returns nothing: return the loss"
    try:
        returned_value = float(torch.as_tensor(returned).detach())
    except Exception:
        return f"the weights are right, but your step returns {_short(returned)}, not the loss"
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
        if not their_grad.any():
            return (
                "The weights did not move and there are no gradients: either backward() never "
                "ran, or the gradients were cleared between backward() and the update (clear "
                "them before backward() instead)."
            )
        return (
            "The weights did not move: the optimizer never applied the gradients (its step() is "
            "missing, or runs before backward() has filled them)."
        )
    if torch.allclose(their_grad, our_grad, atol=1e-6, rtol=1e-4):
        return "The gradient is right, the update not: use the optimizer your function receives."
    if previous_grad.any() and torch.allclose(
        their_grad, our_grad + previous_grad, atol=1e-6, rtol=1e-4
    ):
        return (
            "The gradient is this step's plus the last step's: gradients add up until they are "
            "cleared, so zero_grad is missing or in the wrong place."
        )
    return "The gradient differs: compute loss_fn of the model's output for this batch."


def _short(value: Any) -> str:
    """A short description of a check's input or a student's answer, for a message."""
    if isinstance(value, Tensor) and value.numel() > 6:
        return f"a tensor of shape {tuple(value.shape)}"
    if isinstance(value, Tensor):
        return f"tensor({value.tolist()})"
    if isinstance(value, PurePath):
        return f"the file {value.name!r}"  # the folder is a temporary one: its name says nothing
    if isinstance(value, nn.Module):
        return f"a {type(value).__name__}"
    if callable(value) and hasattr(value, "__name__"):
        return f"the function {value.__name__}"  # not its address in memory
    text = repr(value)
    if len(text) <= 60:
        return text
    return f"a {type(value).__name__}"
