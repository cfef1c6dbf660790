"""Static stand-ins, for the website, of the outputs that need a running kernel.

A web page has no kernel, so a widget in a committed notebook is only a reference to
state that no longer runs. Two kinds of cells get a page of their own making here:

- a "predict, then run" quiz,
  ``widgets.quiz(question, options, answer=i, explanations=[...])``, is rebuilt from the
  cell's source, read with ``ast`` (never run): each option is a ``<details>`` that
  reveals, when the reader opens it, whether it is right and why;
- any other widget (an explorer, a slider, a progress bar) is drawn from the widget
  state that the notebook saved when it was executed: its texts, its progress bars and
  its picture as the explorer's own code drew it on that run, with the values of its
  controls and a line saying that it moves in JupyterLab or Colab.
"""

from __future__ import annotations

import ast
import html
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["SiteOutputError", "quiz_arguments", "quiz_html", "widget_html"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


class SiteOutputError(ValueError):
    """A cell the website cannot show honestly; the message says which, what to do."""


# --------------------------------------------------------------------------------------
# quizzes


def _quiz_call(source: str) -> ast.Call | None:
    """The ``quiz(...)`` call that a cell shows (its last expression), or None."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return None
    if not body or not isinstance(body[-1], ast.Expr) or not isinstance(body[-1].value, ast.Call):
        return None
    call = body[-1].value
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    return call if name == "quiz" else None


def quiz_arguments(source: str) -> dict[str, Any] | None:
    """The question, options, answer and explanations of the quiz a cell shows, or None.

    Read from the source with ``ast.literal_eval``: the arguments must be written out
    (strings, lists, a number), as the course's quizzes are. Raises SiteOutputError when
    they are not.
    """
    call = _quiz_call(source)
    if call is None:
        return None
    names = ["question", "options", "answer", "explanations"]  # widgets.Quiz's parameters
    nodes = dict(zip(names, call.args, strict=False))
    nodes.update({keyword.arg: keyword.value for keyword in call.keywords if keyword.arg})
    try:
        arguments = {name: ast.literal_eval(nodes[name]) for name in names}
    except (KeyError, ValueError, TypeError, SyntaxError) as error:
        raise SiteOutputError(
            "the quiz's arguments must be written out in the cell (question, options, answer, "
            f"explanations as strings, lists and a number) so the website can show it: {error!r}"
        ) from None
    options, explanations, answer = (
        arguments["options"],
        arguments["explanations"],
        arguments["answer"],
    )
    if len(options) != len(explanations) or not 0 <= answer < len(options):
        raise SiteOutputError(
            f"the quiz has {len(options)} options, {len(explanations)} explanations and "
            f"answer={answer}: it needs one explanation per option and the index of one of them"
        )
    return arguments


def quiz_html(arguments: Mapping[str, Any]) -> str:
    """The quiz as HTML: the question, then each option a ``<details>``, its verdict."""
    items = []
    for i, (option, explanation) in enumerate(
        zip(arguments["options"], arguments["explanations"], strict=True)
    ):
        right = i == arguments["answer"]
        verdict = "✅" if right else "❌"  # the explanation opens with its verdict in words
        items.append(
            f'<li><details class="course-quiz-option{" course-quiz-answer" if right else ""}">'
            f"<summary>{html.escape(option)}</summary>"
            f'<p class="course-quiz-feedback"><b>{verdict}</b> {html.escape(explanation)}</p>'
            "</details></li>"
        )
    return (
        '<div class="course-quiz">'
        f'<p class="course-quiz-question"><b>Predict:</b> {html.escape(arguments["question"])}</p>'
        '<p class="course-quiz-how">Choose your answer before you read on, then open it to '
        "see whether it is right, and why.</p>"
        f'<ol type="A" class="course-quiz-options">{"".join(items)}</ol></div>'
    )


# --------------------------------------------------------------------------------------
# widgets

BOXES = {"VBoxModel", "HBoxModel", "BoxModel", "GridBoxModel"}
TEXTS = {"HTMLModel", "HTMLMathModel", "LabelModel"}
PROGRESS = {"IntProgressModel", "FloatProgressModel"}
CHOICES = {
    "DropdownModel", "ToggleButtonsModel", "RadioButtonsModel", "SelectModel",
    "SelectionSliderModel",
}  # fmt: skip
VALUES = {
    "IntSliderModel", "FloatSliderModel", "FloatLogSliderModel", "IntRangeSliderModel",
    "FloatRangeSliderModel", "IntTextModel", "FloatTextModel", "BoundedIntTextModel",
    "BoundedFloatTextModel", "TextModel", "TextareaModel", "CheckboxModel", "ToggleButtonModel",
    "ColorPickerModel", "PlayModel",
}  # fmt: skip
BUTTONS = {"ButtonModel"}
IGNORED = {"OutputModel"}  # what a notebook printed into it is not kept in the widget state


def _text_of_html(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup)).strip()


class _WidgetPage:
    """Walks one widget's tree in the saved state and writes its static HTML."""

    def __init__(self, state: Mapping[str, Any]):
        self.state = state
        self.controls: list[str] = []  # "weight w = 1.0", ... for the caption
        self.buttons: list[str] = []
        self.images: list[tuple[str, str]] = []  # (format, base64) of each picture
        self.texts: list[str] = []

    def model(self, model_id: str) -> Mapping[str, Any]:
        model = self.state.get(model_id.removeprefix("IPY_MODEL_"))
        if model is None:
            raise SiteOutputError(
                f"the notebook's saved widget state lacks the widget {model_id}: execute the "
                "notebook again (make execute NB=...) so that its widget state is saved"
            )
        return model

    def render(self, model_id: str) -> str:
        model = self.model(model_id)
        name, state = model["model_name"], model["state"]
        description = state.get("description", "")
        if name in BOXES:
            kind = "row" if name == "HBoxModel" else "column"
            children = "".join(self.render(child) for child in state.get("children", []))
            return f'<div class="course-widget-{kind}">{children}</div>' if children else ""
        if name in TEXTS:
            value = state.get("value", "")
            text = value if name != "LabelModel" else html.escape(value)
            if not text.strip():
                return ""
            self.texts.append(_text_of_html(text))
            return f'<div class="course-widget-text">{text}</div>'
        if name in PROGRESS:
            value, top = state.get("value", 0), state.get("max", 100)
            label = f"<span>{html.escape(description)}</span> " if description else ""
            return (
                f'<div class="course-widget-progress">{label}'
                f'<progress value="{value}" max="{top}">{value} of {top}</progress></div>'
            )
        if name == "ImageModel":
            return self.image(model)
        if name in CHOICES:
            labels, index = state.get("_options_labels", []), state.get("index")
            chosen = labels[index] if isinstance(index, int) and index < len(labels) else "none"
            self.controls.append(f"{description} = {chosen}" if description else chosen)
            return ""
        if name in VALUES:
            value = state.get("value")
            if isinstance(value, bool):
                value = "on" if value else "off"
            elif isinstance(value, list):
                value = " to ".join(str(v) for v in value)
            self.controls.append(f"{description} = {value}" if description else str(value))
            return ""
        if name in BUTTONS:
            if description:
                self.buttons.append(description)
            return ""
        if name in IGNORED:
            return ""
        raise SiteOutputError(
            f"the website does not know how to show a {name} widget: add it to "
            "course_tools/site_outputs.py"
        )

    def image(self, model: Mapping[str, Any]) -> str:
        image_format = model["state"].get("format", "png")
        data = next(
            (b["data"] for b in model.get("buffers", []) if b.get("path") == ["value"]), None
        )
        if not data:
            raise SiteOutputError(
                "an image widget has no picture in the notebook's saved widget state: execute "
                "the notebook again (make execute NB=...) so that its widget state is saved"
            )
        self.images.append((image_format, data))
        return f"<!--image {len(self.images) - 1}-->"  # the alt text is known at the end


def widget_html(model_id: str, state: Mapping[str, Any], colab_url: str | None = None) -> str:
    """A widget as static HTML, from the notebook's saved widget state.

    Its texts and progress bars as they were at the end of the run, its pictures as the
    widget's own code drew them, and, when it has controls, a line naming them with
    their values and saying that they move in JupyterLab or Colab (with the notebook's
    Colab link, if any).
    """
    page = _WidgetPage(state)
    body = page.render(model_id)
    settings = ", ".join(page.controls)
    title = page.texts[0] if page.texts else "the widget"
    for i, (image_format, data) in enumerate(page.images):
        alt = f"{title}: its first picture" + (f", for {settings}" if settings else "")
        if len(page.texts) > 1:
            alt += f". {' '.join(page.texts[1:])}"
        picture = (
            f'<img class="course-widget-image" src="data:image/{image_format};base64,{data}" '
            f'alt="{html.escape(alt, quote=True)}">'
        )
        body = body.replace(f"<!--image {i}-->", picture)
    if not (page.controls or page.buttons):
        return f'<div class="course-widget">{body}</div>'
    where = "JupyterLab or Colab"
    if colab_url:
        link = html.escape(colab_url, quote=True)
        where = f'JupyterLab or <a class="course-colab" href="{link}">Colab</a>'
    if page.images:
        shown = "this is the picture it drew when the notebook ran" + (
            f", for {html.escape(settings)}" if settings else ""
        )
        note = f"{shown}. Run the notebook in {where} to use its controls and see it redraw."
    else:
        shown = f"its controls ({html.escape(settings)})" if settings else "its controls"
        note = f"{shown} move in {where}: run the notebook there to use them."
    note = f"<b>Interactive in the notebook:</b> {note}"
    return f'<div class="course-widget">{body}<p class="course-widget-note">{note}</p></div>'
