"""A "predict, then run" question: pick an answer, see whether it is right, and why."""

import html
from collections.abc import Sequence

import ipywidgets


class Quiz(ipywidgets.VBox):
    """A multiple-choice question: choosing option i shows a mark, then its explanation.

    ``answer`` is the index of the right option, marked ✅ when chosen (the others: ❌).
    Ask it before the cell that shows the result, so students commit to a prediction
    first. Each explanation opens with its verdict in words: the right option's with
    "Yes" or "Right", the others' with "No" or "Not" (the course's tests read every quiz
    and hold it to that, so an answer index that points at the wrong option fails).
    """

    def __init__(
        self, question: str, options: Sequence[str], answer: int, explanations: Sequence[str]
    ):
        if len(options) < 2 or len(explanations) != len(options):
            raise ValueError(
                f"got {len(options)} options but {len(explanations)} explanations: a quiz needs "
                "at least 2 options and one explanation per option (shown when it is chosen)"
            )
        if not 0 <= answer < len(options):
            raise ValueError(
                f"answer={answer} is not the index of an option: use 0 to {len(options) - 1}"
            )
        self.answer, self.explanations = answer, list(explanations)
        self.choice = ipywidgets.RadioButtons(
            options=[(text, i) for i, text in enumerate(options)],
            value=None,
            layout={"width": "max-content"},
        )
        self.feedback = ipywidgets.HTML()
        self.choice.observe(self._show_feedback, names="value")
        question_html = ipywidgets.HTML(f"<b>Predict:</b> {html.escape(question)}")
        super().__init__([question_html, self.choice, self.feedback])

    def _show_feedback(self, change: dict) -> None:
        chosen = change["new"]
        if chosen is None:
            self.feedback.value = ""
            return
        # the explanation opens with its verdict ("Yes: ...", "No: ..."): a mark here
        verdict = "✅" if chosen == self.answer else "❌"
        self.feedback.value = f"<b>{verdict}</b> {html.escape(self.explanations[chosen])}"
