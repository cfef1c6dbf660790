"""The website's builder (course_tools.site): its quizzes, widgets and notebooks.

The browser suite (browser_tests/test_site.py) checks the course's built site in
Chromium; these tests check the builder's parts against independent oracles (the
course's own widgets, built here) and build a two-notebook course to see that a broken
link or picture stops the build.
"""

from __future__ import annotations

import ast
import base64
import html
import re
from pathlib import Path

import ipywidgets
import nbformat
import pytest
from ipywidgets.embed import embed_data
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course_tools.site import SiteError, build_site, landing_page, prepare_notebook
from course_tools.site_outputs import (
    WIDGET_STATE,
    WIDGET_VIEW,
    SiteOutputError,
    quiz_arguments,
    quiz_html,
    widget_html,
)
from course_utils import widgets

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PNG = base64.b64encode(  # a 1x1 picture
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4b20000000049454e44ae426082"
    )
).decode()


def quiz_cells():
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and "quiz(" in cell.source:
                yield path.name, cell.source


@pytest.mark.parametrize(("name", "source"), list(quiz_cells()))
def test_a_quiz_read_from_its_source_is_the_quiz_the_notebook_builds(name, source):
    # the oracle: run the cell as the notebook does and read the widget it builds
    *before, last = ast.parse(source).body
    namespace = {"widgets": widgets}
    exec(compile(ast.Module(before, type_ignores=[]), name, "exec"), namespace)
    quiz = eval(compile(ast.Expression(last.value), name, "eval"), namespace)
    read = quiz_arguments(source)
    assert read["answer"] == quiz.answer
    assert read["explanations"] == quiz.explanations
    assert read["options"] == [label for label, _ in quiz.choice.options]
    assert html.escape(read["question"]) in quiz.children[0].value


def test_a_quiz_page_hides_each_verdict_in_its_option():
    quiz = {"question": "2 + 2?", "options": ["3", "4"], "answer": 1, "explanations": ["a", "b"]}
    page = quiz_html(quiz)
    options = re.findall(r"<details.*?</details>", page)
    assert len(options) == 2 and all(" open" not in o.split(">")[0] for o in options)
    assert "<summary>4</summary>" in options[1] and "✅" in options[1] and "b" in options[1]
    assert "❌" in options[0] and "✅" not in options[0] and "course-quiz-answer" not in options[0]


def test_a_quiz_that_is_not_written_out_is_refused_with_what_to_do():
    assert quiz_arguments("print('no quiz here')") is None
    with pytest.raises(SiteOutputError, match="must be written out"):
        quiz_arguments("widgets.quiz(question, ['a', 'b'], 0, ['x', 'y'])")
    with pytest.raises(SiteOutputError, match="one explanation per option"):
        quiz_arguments("widgets.quiz('q', ['a', 'b'], answer=2, explanations=['x', 'y'])")


def saved_state(widget) -> dict:
    """A widget's state as a notebook saves it (ipywidgets' own embedding)."""
    return embed_data(views=[widget])["manager_state"]["state"]


def test_an_explorer_is_shown_with_the_picture_its_own_code_drew():
    explorer = widgets.activation_explorer()
    state = saved_state(explorer.widget)
    page = widget_html(explorer.widget.model_id, state, "https://colab.example/nb")
    pictures = re.findall(r'<img [^>]*src="data:image/png;base64,([^"]+)"[^>]*>', page)
    assert [base64.b64decode(p) for p in pictures] == [explorer.image.value]
    alt = re.search(r'alt="([^"]+)"', page).group(1)
    assert "Activation explorer" in alt and "weight w = 1.0" in alt and "f = sigmoid" in alt
    assert "JupyterLab or" in page and 'href="https://colab.example/nb"' in page


def test_a_widget_without_a_picture_shows_its_texts_and_progress():
    bar = ipywidgets.HBox(
        [ipywidgets.HTML("training: 100%"), ipywidgets.FloatProgress(value=12, max=12)]
    )
    page = widget_html(bar.model_id, saved_state(bar))
    assert "training: 100%" in page and '<progress value="12.0" max="12.0">' in page
    assert "Interactive" not in page  # nothing to move
    slider = ipywidgets.IntSlider(value=3, description="Try me")
    page = widget_html(slider.model_id, saved_state(slider))
    assert "Try me = 3" in page and "JupyterLab or Colab" in page


def test_a_widget_missing_from_the_saved_state_is_refused_with_what_to_do():
    with pytest.raises(SiteOutputError, match="execute the notebook again"):
        widget_html("0123", {})


def course_notebook() -> nbformat.NotebookNode:
    """A notebook with every kind of cell the site treats on its own."""
    slider = ipywidgets.IntSlider(value=3, description="Try me")
    cells = [
        new_markdown_cell(
            "# A notebook\n[![Open In Colab](https://colab.example/badge.svg)]"
            "(https://colab.research.google.com/github/x/y/blob/main/notebooks/01_a.ipynb)"
        ),
        new_markdown_cell("## Plots\n![a dot](attachment:dot.png)"),
        new_code_cell(
            "plt.plot([1, 2])",
            outputs=[new_output("display_data", data={"image/png": PNG, "text/plain": "<Fig>"})],
        ),
        new_code_cell("answer = 42", metadata={"tags": ["solution"]}),
        new_code_cell(
            "_ = checks.check_equal(1, 1)", metadata={"jupyter": {"source_hidden": True}}
        ),
        new_code_cell("widgets.quiz('q?', ['a', 'b'], answer=0, explanations=['x', 'y'])"),
        new_code_cell(
            "slider",
            outputs=[
                new_output(
                    "display_data",
                    data={WIDGET_VIEW: {"model_id": slider.model_id}, "text/plain": "IntSlider()"},
                )
            ],
        ),
    ]
    cells[1]["attachments"] = {"dot.png": {"image/png": PNG}}
    notebook = new_notebook(cells=cells)
    notebook.metadata["widgets"] = {WIDGET_STATE: {"state": saved_state(slider)}}
    return notebook


def test_a_notebook_is_prepared_for_its_page(tmp_path):
    prepared, problems = prepare_notebook(course_notebook(), "01_a.ipynb", tmp_path)
    title, plots, plot, solution, check, quiz, slider = prepared.cells
    assert problems == [] and "widgets" not in prepared.metadata
    assert (tmp_path / "01_a-cell1-dot.png").read_bytes() == base64.b64decode(PNG)
    assert "](_attachments/01_a-cell1-dot.png)" in plots.source and "attachments" not in plots
    assert plot.metadata["mystnb"]["image"]["alt"] == "Figure: curves, in the section “Plots”."
    assert "hide-cell" in solution.metadata.tags
    assert solution.metadata["mystnb"]["code_prompt_show"] == "Show the solution"
    assert "hide-input" in check.metadata.tags
    assert (
        "remove-input" in quiz.metadata.tags and "course-quiz" in quiz.outputs[0].data["text/html"]
    )
    shown = slider.outputs[0].data["text/html"]
    assert "Try me = 3" in shown
    assert (
        'href="https://colab.research.google.com/github/x/y/blob/main/notebooks/01_a.ipynb"'
        in shown
    )


README = """# A course

The introduction, see [the tests](#how-the-tests-work) and [the map](notebooks/01_a.ipynb).

## Notebook map

| # | notebook |
|---|---|
| 01 | [a](notebooks/01_a.ipynb) |

## How the tests work
"""


def test_the_landing_page_has_the_readmes_introduction_and_notebook_map():
    page = landing_page(README, ["01_a.ipynb", "02_b.ipynb"])
    assert page.startswith("# A course\n\nThe introduction, see the tests and [the map]")
    assert "| 01 | [a](notebooks/01_a.ipynb) |" in page and "How the tests" not in page
    assert "notebooks/01_a\nnotebooks/02_b" in page  # the sidebar, in course order


def write_course(folder: Path, second_notebook_markdown: str) -> Path:
    (folder / "notebooks").mkdir(parents=True)
    (folder / "images").mkdir()
    (folder / "images" / "dot.png").write_bytes(base64.b64decode(PNG))
    (folder / "README.md").write_text(README)
    nbformat.write(course_notebook(), folder / "notebooks" / "01_a.ipynb")
    second = new_notebook(cells=[new_markdown_cell(second_notebook_markdown)])
    nbformat.write(second, folder / "notebooks" / "02_b.ipynb")
    return folder


def test_a_course_builds_into_a_site_that_links_its_notebooks(tmp_path):
    course = write_course(
        tmp_path / "course",
        "# B\nBack to **01_a.ipynb**, or [its plots](01_a.ipynb#plots).\n\n"
        "![a dot](../images/dot.png) and $x^2$\n\n"
        '<img src="../images/dot.png" alt="a dot in HTML" width="20"> and '
        '<img src="https://example.com/logo.png" alt="a logo from elsewhere">',
    )
    site = build_site(course, tmp_path / "site")
    page = (site / "notebooks" / "02_b.html").read_text()
    assert f'<img src="data:image/png;base64,{PNG}" alt="a dot in HTML"' in page
    assert "a logo from elsewhere" in page and "example.com" not in page
    assert '<a class="reference internal" href="01_a.html"><span class="doc">01_a.ipynb' in page
    assert 'href="01_a.html#plots"' in page
    first = (site / "notebooks" / "01_a.html").read_text()
    assert "colab.example" not in first and "Open In Colab" in first  # the badge's words stay
    assert (site / "_static" / "mathjax" / "tex-chtml-full.js").exists()
    for html_page in site.rglob("*.html"):  # nothing loaded from another host
        loaded = re.findall(
            r'<(?:script|img|link)\b[^>]*(?:src|href)="([^"]+)"', html_page.read_text()
        )
        assert [u for u in loaded if u.startswith(("http:", "https:", "//"))] == [], html_page


def test_a_broken_link_or_picture_stops_the_build_naming_each(tmp_path, capsys):
    course = write_course(
        tmp_path / "course",
        "# B\nOn to [the next one](03_missing.ipynb).\n\n![gone](../images/nope.png)\n\n"
        "![](../images/dot.png)",
    )
    with pytest.raises(SiteError, match="warnings"):
        build_site(course, tmp_path / "site")
    warnings = capsys.readouterr().err
    assert "03_missing" in warnings
    assert "nope.png" in warnings
    assert "has no alt text" in warnings
