"""Every notebook in a real JupyterLab, driven by headless Chromium.

Run them with `make test-browser`.

For each notebook: open it, run all cells, and fail on any error output, any cell left
unexecuted, or any widget that fails to render. Then, for each interactive widget, move
one control (click its button, or move its slider, or change its dropdown) and check
that what it shows changes; answer each quiz, every wrong option and then the right one,
and check that each choice shows ❌ or ✅ with its own explanation (read from the
notebook's source). Fail on any JavaScript error, anything logged with console.error and
any request that fails or gets an HTTP error, but the few understood and harmless ones
of page_problems.KNOWN (each with its reason).

JupyterLab serves a temporary copy of the course folder (notebooks/ and images/) from
its top, as `make lab` does, so running cells (and JupyterLab's autosave) never
touches the committed notebooks, and every picture a notebook links must load.
Without playwright or Chromium every test fails and says what to install: the suite
is never skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from page_problems import PageProblems

from tests.exercise_cells import Quiz, notebook_quizzes

try:
    from playwright import sync_api as playwright_sync
except ImportError:  # the fixtures fail and say what to install (conftest.py), never a silent skip
    playwright_sync = None

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NOTEBOOK_TIMEOUT_MS = 120_000

RUN_ALL = """async () => {
    const panel = window.jupyterapp.shell.currentWidget;
    await panel.context.ready;
    await panel.sessionContext.ready;
    await window.jupyterapp.commands.execute("notebook:run-all-cells");
    return true;
}"""

CELL_STATES = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const cells = panel.content.model.toJSON().cells.filter(c => c.cell_type === "code");
    return cells.map((c, i) => ({
        index: i,
        count: c.execution_count,
        empty: c.source.length === 0 || (Array.isArray(c.source) ? c.source.join("") : c.source).trim() === "",
        errors: c.outputs.filter(o => o.output_type === "error").map(o => `${o.ename}: ${o.evalue}`),
    }));
}"""

BUSY = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    return kernel !== null && kernel.status === "idle";
}"""


def widget_outputs(page):
    """The output areas that hold an interactive widget (slider, dropdown or button)."""
    areas = page.locator(".jp-OutputArea-output:has(.jupyter-widgets)")
    return [
        areas.nth(i)
        for i in range(areas.count())
        if areas.nth(i)
        .locator(".widget-slider, .widget-dropdown select, button.jupyter-button")
        .count()
    ]


def move_one_control(area) -> str:
    """Move one control of the widget in ``area``; return what was moved."""
    button = area.locator("button.jupyter-button")
    if button.count():
        button.first.click()
        return f"clicked {button.first.inner_text()!r}"
    slider = area.locator(".widget-slider .noUi-handle")
    if slider.count():
        slider.first.focus()
        for _ in range(3):
            slider.first.press("ArrowRight")
        return "moved a slider"
    return pick_another_option(area.locator(".widget-dropdown select").first)


def run_in_jupyterlab(page, url: str, token: str, notebook: Path) -> None:
    """Open the notebook in JupyterLab and run all its cells.

    Its kernel then holds the data the widgets use.
    """
    page.goto(f"{url}/lab/tree/notebooks/{notebook.name}?token={token}&reset")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext"
    )
    page.evaluate(RUN_ALL)
    page.wait_for_function(BUSY)


def pick_another_option(select) -> str:
    """Select another option of a dropdown than the one shown; fail if it does not hold.

    By index: an option's text (non-breaking spaces, as ipywidgets writes it) differs
    from the select's value, so comparing them would pick the option already shown.
    """
    shown = select.evaluate("s => s.selectedIndex")
    other = 1 if shown == 0 else 0
    select.select_option(index=other)
    held = select.evaluate("s => s.selectedIndex")
    label = select.evaluate("(s, i) => s.options[i].text", other)
    assert held == other, f"picked option {other} ({label!r}) of a dropdown, but it shows {held}"
    return f"changed a dropdown to {label!r}"


# true once a widget's pictures or text differ from `before` (a widget_state)
WIDGET_CHANGED = """([el, before]) => {
    const s = [...el.querySelectorAll('img')].map(i => i.src).join(' ') + '|' + el.innerText;
    return s !== before;
}"""


def wait_or_fail(page, expression: str, arg, failure: str, timeout: int = 30_000) -> None:
    """Wait until the JavaScript ``expression`` holds for ``arg``.

    If it never does, fail with the message ``failure``.
    """
    try:
        page.wait_for_function(expression, arg=arg, timeout=timeout)
    except playwright_sync.TimeoutError:
        pytest.fail(failure)


def widget_state(area) -> str:
    """What a widget shows: its images' sources and its text."""
    sources = area.locator("img").evaluate_all("imgs => imgs.map(i => i.src).join(' ')")
    return sources + "|" + area.inner_text()


def check_digit_pad(page, area=None) -> None:
    """Notebook 13's digit pad: a click on a cell inks it and redraws the probabilities.

    ``area`` is the pad's output area; by default, the one digit pad on the page.
    """
    if area is None:
        area = page.locator(".jp-OutputArea-output:has(.digit-pad)")
        assert area.count() == 1, "13_capstone_digits.ipynb: the digit pad did not render"
    area.scroll_into_view_if_needed()
    cells = area.locator(".digit-pad button")
    assert cells.count() == 64, f"the digit pad has {cells.count()} cells, expected 8 x 8 = 64"
    for index in (19, 27, 35):  # three cells down the middle column: a stroke
        cell = cells.nth(index)
        picture = area.locator("img").first.get_attribute("src")
        cell.click()
        try:  # the cell turns to ink and the picture is redrawn
            page.wait_for_function(
                "([area, cell, before]) => area.querySelector('img').src !== before"
                " && getComputedStyle(cell).backgroundColor === 'rgb(0, 0, 0)'",  # full ink, 1.0: black
                arg=[area.element_handle(), cell.element_handle(), picture],
                timeout=30_000,
            )
        except playwright_sync.TimeoutError:
            color = cell.evaluate("b => getComputedStyle(b).backgroundColor")
            redrawn = area.locator("img").first.get_attribute("src") != picture
            pytest.fail(
                f"digit pad cell {index} clicked: its colour is {color} (full ink is rgb(0, 0, 0)), "
                f"picture redrawn: {redrawn}"
            )
    assert "The model reads" in area.inner_text()


def quiz_area(page, quiz: Quiz):
    """The output area of ``quiz`` on the page, found by its question."""
    areas = page.locator(".jp-OutputArea-output:has(.widget-radio-box)").filter(
        has_text=quiz.question[:60]
    )
    assert areas.count() == 1, (
        f"{quiz.notebook}: {areas.count()} quizzes on the page ask {quiz.question!r}, not 1"
    )
    return areas.first


# true once the quiz's feedback (its last HTML box) starts with the verdict and
# shows the text
QUIZ_FEEDBACK = """([area, verdict, explanation]) => {
    const boxes = area.querySelectorAll('.widget-html');
    const text = boxes[boxes.length - 1].textContent.replace(/\\s+/g, ' ').trim();
    return text.startsWith(verdict) && text.includes(explanation);
}"""


def answer_quiz(page, area, quiz: Quiz) -> str:
    """Choose every wrong option of the quiz in ``area``, then the right one.

    Each must show ❌ (✅ for the right one) and its own explanation. Returns what was
    done.
    """
    area.scroll_into_view_if_needed()
    labels = area.locator(".widget-radio-box label")
    # textContent: innerText is empty for what JupyterLab has not laid out yet
    # (off screen)
    shown = [" ".join(labels.nth(i).text_content().split()) for i in range(labels.count())]
    expected = [" ".join(option.split()) for option in quiz.options]
    assert shown == expected, f"{quiz.notebook}: the quiz shows the options {shown}, not {expected}"
    wrong = [index for index in range(len(quiz.options)) if index != quiz.answer]
    for index in [*wrong, quiz.answer]:
        verdict = "✅" if index == quiz.answer else "❌"
        explanation = " ".join(quiz.explanations[index].split())
        labels.nth(index).click()
        try:
            page.wait_for_function(
                QUIZ_FEEDBACK, arg=[area.element_handle(), verdict, explanation], timeout=30_000
            )
        except playwright_sync.TimeoutError:
            feedback = area.locator(".widget-html").last.text_content()
            pytest.fail(
                f"{quiz.notebook}: chose {quiz.options[index]!r} in the quiz {quiz.question!r}: "
                f"expected {verdict} and {explanation!r}, it shows {feedback!r}"
            )
    return f"answered the quiz {quiz.question[:50]!r}: {len(wrong)} wrong option(s), then the right one"


def fail_on_page_problems(name: str, problems: PageProblems) -> None:
    """Fail listing what went wrong on the page but the known, harmless problems."""
    unexplained = problems.unexplained()
    assert not unexplained, f"{name}: problems on the page:\n" + "\n".join(unexplained)


# notebook name -> a closer check of its widget, after every widget has had one
# control moved
NOTEBOOK_CHECKS = {"13_capstone_digits.ipynb": check_digit_pad}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_in_jupyterlab(lab, browser, notebook):
    url, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems = PageProblems.listen(page)
    page.set_default_timeout(NOTEBOOK_TIMEOUT_MS)
    try:
        run_in_jupyterlab(page, url, token, notebook)
        cells = page.evaluate(CELL_STATES)
        unexecuted = [c["index"] for c in cells if c["count"] is None and not c["empty"]]
        errors = [f"cell {c['index']}: {e}" for c in cells for e in c["errors"]]
        assert not errors, f"{notebook.name}: error outputs: {errors}"
        assert not unexecuted, f"{notebook.name}: cells not executed: {unexecuted}"

        page.wait_for_timeout(500)  # let widget views and pictures render
        broken = page.evaluate(
            "() => [...document.querySelectorAll('.jp-RenderedMarkdown img')]"
            ".filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'))"
        )
        assert not broken, f"{notebook.name}: pictures that did not load: {broken}"
        text = page.locator(".jp-NotebookPanel").inner_text()
        assert "Error displaying widget" not in text, f"{notebook.name}: a widget failed to render"
        assert "Failed to display Jupyter Widget" not in text

        for area in widget_outputs(page):
            area.scroll_into_view_if_needed()
            before = widget_state(area)
            moved = move_one_control(area)
            print(f"{notebook.name}: {moved}")
            wait_or_fail(
                page,
                WIDGET_CHANGED,
                [area.element_handle(), before],
                f"{notebook.name}: {moved} in a widget, but what it shows did not change",
            )
        for quiz in notebook_quizzes(notebook):
            print(f"{notebook.name}: {answer_quiz(page, quiz_area(page, quiz), quiz)}")
        if notebook.name in NOTEBOOK_CHECKS:  # a closer look at one notebook's widget
            NOTEBOOK_CHECKS[notebook.name](page)
        fail_on_page_problems(notebook.name, problems)
        if os.environ.get("BROWSER_SCREENSHOTS"):  # a folder: see what a student sees
            folder = Path(os.environ["BROWSER_SCREENSHOTS"])
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=folder / f"{notebook.stem}.png")
    finally:
        try:
            page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
        except Exception:  # the page may already be gone; the server's shutdown ends the kernel
            pass
        page.close()
