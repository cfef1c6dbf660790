"""The guards of the lesson modules: their argument checks and bad-input diagnoses.

A lesson module keeps its lesson in front: what a notebook shows of ``backprop`` or
``optim.SGD`` is the chain rule or the update rule. What checks its arguments stands
here, in a module of the same name: ``guards.optim`` checks an optimizer's options,
``guards.checkpoint`` works out what is wrong with a file that will not load. A bad
input is as much a part of learning as a good one, so each error says what was wrong and
what to do.

A guard only inspects what it is given and raises (or returns) an error: it reads and
writes no file, builds no model and prints nothing, so calling one changes nothing.
``tests/test_guards.py`` reads their code to hold them to that.
"""

from course_utils.guards import (
    activations,
    backprop,
    checkpoint,
    data,
    initialization,
    losses,
    metrics,
    models,
    normalization,
    optim,
    regularization,
    surfaces,
    training,
)

__all__ = [
    "activations",
    "backprop",
    "checkpoint",
    "data",
    "initialization",
    "losses",
    "metrics",
    "models",
    "normalization",
    "optim",
    "regularization",
    "surfaces",
    "training",
]
