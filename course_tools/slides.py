"""Alternative text for the plots in the static slide decks (`make slides`).

A plot's output is a bare PNG: nbconvert gives it the alt text "No description has been
provided for this image" and warns. The description is built here from the code that
drew it (what kind of plot, its titles) and the section it is in, so it stays right when
the notebook is run again.
"""

from __future__ import annotations

import ast
import html
import re

from nbconvert.preprocessors import Preprocessor

__all__ = ["describe_plot", "AltTextPreprocessor"]

# what a call draws, by the name of the function called
PLOT_KINDS = {
    "plot_decision_boundary": "the model's decision boundary over the data points",
    "plot_data": "a scatter plot of the two classes",
    "plot_train_test_split": "a scatter plot of the training and test points",
    "plot_network": "a diagram of the network's layers",
    "plot_surface": "contour lines of a loss surface",
    "plot_path": "an optimizer's path",
    "plot_history": "loss curves over the epochs",
    "plot_confusion_matrix": "a confusion matrix",
    "hist": "a histogram",
    "scatter": "scattered points",
    "quiver": "arrows of the gradient",
    "contour": "contour lines",
    "contourf": "a colour map",
    "imshow": "an image",
    "bar": "a bar chart",
    "plot": "curves",
}
TITLE_FUNCTIONS = {"set_title", "suptitle", "title"}


def _text_of(node: ast.expr) -> str | None:
    """A string literal's text; an f-string's with "…" for each value; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else "…" for part in node.values
        )
    return None


def _name_of(function: ast.expr) -> str:
    if isinstance(function, ast.Attribute):
        return function.attr
    return function.id if isinstance(function, ast.Name) else ""


def describe_plot(source: str, section: str = "") -> str:
    """A sentence describing the plot that the code ``source`` draws in ``section``."""
    try:
        calls = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)]
    except SyntaxError:  # a cell with IPython syntax: describe it by its section alone
        calls = []
    calls.sort(key=lambda call: (call.lineno, call.col_offset))  # in reading order
    kinds, titles = [], []
    for call in calls:
        name = _name_of(call.func)
        if name in PLOT_KINDS and PLOT_KINDS[name] not in kinds:
            kinds.append(PLOT_KINDS[name])
        arguments = [k.value for k in call.keywords if k.arg == "title"]
        if name in TITLE_FUNCTIONS and call.args:
            arguments.append(call.args[0])
        for argument in arguments:
            text = _text_of(argument)
            if text and text.strip() and text not in titles:
                titles.append(" ".join(text.split()))
    parts = [", ".join(kinds) or "a plot"]
    if titles:
        parts.append("titled " + "; ".join(f"“{title}”" for title in titles))
    if section:
        parts.append(f"in the section “{section}”")
    return "Figure: " + ", ".join(parts) + "."


def _heading(markdown: str) -> str | None:
    """The text of the last heading in a markdown cell, without its #s and emphasis."""
    headings = re.findall(r"^#{1,6}\s+(.+)$", markdown, flags=re.MULTILINE)
    return re.sub(r"[*_`]", "", headings[-1]).strip() if headings else None


class AltTextPreprocessor(Preprocessor):
    """Give every PNG plot output an ``<img>`` with alt text that describes it."""

    def preprocess(self, nb, resources):
        section = ""
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                section = _heading(cell.source) or section
            elif cell.cell_type == "code":
                for output in cell.get("outputs", []):
                    png = output.get("data", {}).get("image/png")
                    if png and "text/html" not in output["data"]:
                        alt = html.escape(describe_plot(cell.source, section), quote=True)
                        picture = f'<img src="data:image/png;base64,{png.strip()}" alt="{alt}">'
                        output["data"]["text/html"] = (
                            f'<div class="jp-RenderedImage">{picture}</div>'
                        )
        return nb, resources
