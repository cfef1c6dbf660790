"""A "predict, then run" question: pick an answer, see at once whether it is right, and why."""

from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets

__all__ = ["quiz", "Quiz"]


class Quiz(ipywidgets.VBox):
    """A multiple-choice question: the question, its options (``choice``) and the ``feedback``."""

    def __init__(
        self, question: str, options: Sequence[str], answer: int, explanations: Sequence[str]
    ):
        self.answer, self.explanations = answer, list(explanations)
        self.choice = ipywidgets.RadioButtons(
            options=[(text, i) for i, text in enumerate(options)],
            value=None,
            layout={"width": "max-content"},
        )
        self.feedback = ipywidgets.HTML()
        self.choice.observe(self._show_feedback, names="value")
        super().__init__(
            [
                ipywidgets.HTML(f"<b>Predict:</b> {html.escape(question)}"),
                self.choice,
                self.feedback,
            ]
        )

    def _show_feedback(self, change: dict) -> None:
        chosen = change["new"]
        if chosen is None:
            self.feedback.value = ""
            return
        verdict = "✅ Right." if chosen == self.answer else "❌ Not quite."
        self.feedback.value = f"<b>{verdict}</b> {html.escape(self.explanations[chosen])}"


def quiz(question: str, options: Sequence[str], answer: int, explanations: Sequence[str]) -> Quiz:
    """A multiple-choice question; choosing option i shows ✅ or ❌ and ``explanations[i]``.

    ``answer`` is the index of the right option. Ask it before the cell that shows the result,
    so students commit to a prediction first. For tests: set ``.choice.value`` to an option and
    read ``.feedback.value``.
    """
    if len(options) < 2:
        raise ValueError(f"a quiz needs at least 2 options, got {len(options)}")
    if len(explanations) != len(options):
        raise ValueError(
            f"got {len(options)} options but {len(explanations)} explanations: give one "
            "explanation per option (it is shown when that option is chosen)"
        )
    if not 0 <= answer < len(options):
        raise ValueError(
            f"answer={answer} is not the index of an option: use 0 to {len(options) - 1}"
        )
    return Quiz(question, options, answer, explanations)
