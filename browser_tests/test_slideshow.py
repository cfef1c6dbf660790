"""Every notebook with an explorer, presented live in headless Chromium.

It is presented with JupyterLab's RISE slideshow.

For each notebook that shows a widget: run it in JupyterLab at a laptop's 1280×800
(there the whole explorer must fit the notebook area, its picture shown at the size it
is drawn), then open its RISE slideshow, as an instructor does, on the same kernel; go
to the explorer's slide, run its cell there and move a control: the widget must render
(not fall back to text such as `VBox(children=...)` or `Quiz(children=...)`) and its
picture or text must change (the digit pad: three clicked cells turn to ink and its
picture redraws; a quiz: every wrong option and then the right one is chosen, and each
shows ❌ or ✅ with its own explanation; a widget without controls, a progress bar, only
has to render). Each widget cell is found by its place among the cells (a quiz cell
hides its source). The slideshow must fetch nothing from outside this machine (no web
fonts) and show no "Click to add a cell." bar. Both pages fail on any JavaScript error,
anything logged with console.error and any request that fails or gets an HTTP error, but
the understood and harmless ones of page_problems.KNOWN.

Uses the `lab` and `browser` fixtures of conftest.py (run with `make test-browser`).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from page_problems import PageProblems

from tests.exercise_cells import notebook_quizzes

try:
    from playwright import sync_api as playwright_sync
except ImportError:  # the fixtures fail and say what to install (conftest.py), never a silent skip
    playwright_sync = None

from test_notebooks_in_browser import (  # noqa: E402  (the same steps as there)
    NOTEBOOK_TIMEOUT_MS,
    NOTEBOOKS,
    WIDGET_CHANGED,
    answer_quiz,
    check_digit_pad,
    fail_on_page_problems,
    pick_another_option,
    run_in_jupyterlab,
    wait_or_fail,
    widget_state,
)

LAPTOP = {"width": 1280, "height": 800}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CONTROLS = ".widget-dropdown select, button.jupyter-button, .widget-slider .noUi-target"


def widget_cells(notebook: Path) -> list[int]:
    """The index of each code cell whose committed output is a widget.

    The index counts all cells, markdown ones too.
    """
    cells = json.loads(notebook.read_text())["cells"]
    return [
        index
        for index, cell in enumerate(cells)
        if cell["cell_type"] == "code"
        and any(WIDGET_VIEW in output.get("data", {}) for output in cell["outputs"])
    ]


NOTEBOOKS_WITH_WIDGETS = [notebook for notebook in NOTEBOOKS if widget_cells(notebook)]


def check_explorers_fit(page, notebook: Path) -> None:
    """Each widget fits the notebook area.

    Its pictures are shown at the size they are drawn.
    """
    notebook_area = page.locator(".jp-NotebookPanel-notebook").bounding_box()
    areas = page.locator(".jp-OutputArea-output:has(.jupyter-widgets)")
    assert areas.count(), f"{notebook.name}: no widget rendered in JupyterLab"
    for i in range(areas.count()):
        area = areas.nth(i)
        box = area.bounding_box()
        assert box["height"] <= notebook_area["height"], (
            f"{notebook.name}: an explorer is {box['height']:.0f} px tall, taller than the "
            f"{notebook_area['height']:.0f} px notebook area of a 1280×800 window"
        )
        sizes = area.locator("img").evaluate_all(
            "imgs => imgs.map(i => [i.naturalWidth, i.getBoundingClientRect().width])"
        )
        for natural, shown in sizes:
            assert abs(natural - shown) <= 1, (
                f"{notebook.name}: a {natural} px wide picture is shown {shown:.0f} px wide"
            )


def move_a_control(page, area) -> str:
    """Change a dropdown, click a button or click along a slider.

    Quizzes are answered by ``answer_quiz``.

    No arrow keys: in the slideshow they turn the slides.
    """
    select = area.locator(".widget-dropdown select")
    if select.count():
        return pick_another_option(select.first)
    button = area.locator("button.jupyter-button")
    if button.count():
        button.first.click()
        return f"clicked {button.first.inner_text()!r}"
    track = area.locator(".widget-slider .noUi-target").first
    box = track.bounding_box()
    page.mouse.click(box["x"] + 0.8 * box["width"], box["y"] + box["height"] / 2)
    return "clicked along a slider"


def go_to_slide_of(page, notebook: Path, index: int):
    """Show the slide that holds the notebook's cell ``index``; returns the cell.

    RISE keeps every cell in the page, in the notebook's order, inside the sections of
    its slides; a cell is found by its place, not by its text, since a check or quiz
    cell hides its source.
    """
    cells = page.locator(".jp-Notebook .jp-Cell")
    expected = len(json.loads(notebook.read_text())["cells"])
    assert cells.count() == expected, f"the slideshow has {cells.count()} cells, not {expected}"
    cell = cells.nth(index)
    # the innermost slide (a sub-slide sits in a section inside its slide's section)
    # that holds the cell, as reveal's "#/h/v": h among the top-level slides, v among
    # the slide's sub-slides
    slide = cell.evaluate(
        """(cell) => {
            const top = [...document.querySelectorAll('.reveal .slides > section')];
            for (const [h, section] of top.entries()) {
                const subs = [...section.querySelectorAll(':scope > section')];
                if (!subs.length && section.contains(cell)) return `${h}`;
                const v = subs.findIndex(s => s.contains(cell));
                if (v >= 0) return `${h}/${v}`;
            }
            return null;
        }"""
    )
    assert slide is not None, f"no slide shows cell {index}"
    page.evaluate(f"() => {{ window.location.hash = '#/{slide}'; }}")
    page.wait_for_timeout(800)  # reveal's slide transition
    cell.scroll_into_view_if_needed()
    return cell


# true once the cell has run: a new execution count in its prompt; or, for a cell whose
# source is collapsed (its placeholder shows no count), once a new output (one not
# marked before the run) holds a rendered widget
CELL_RAN = """([cell, before]) => {
    if (!cell.querySelector('.jp-InputPlaceholder')) {
        const prompt = cell.querySelector('.jp-InputPrompt').innerText;
        return /\\[\\d+\\]/.test(prompt) && prompt !== before;
    }
    return [...cell.querySelectorAll('.jp-OutputArea-output')].some(
        output => !output.dataset.beforeRun && output.querySelector('.jupyter-widgets')
    );
}"""


def run_cell_in_the_slideshow(page, cell) -> None:
    """Run the cell as an instructor does: select it, then press Ctrl+Enter.

    Selecting it clicks its editor, or its output when its source is collapsed.
    Ctrl+Enter runs the cell and stays on it. (Shift+Enter would move on to the next
    cell, and RISE to its slide, at a moment of its own: a later click could find the
    widget's slide hidden, and the first click on the widget would only make its cell
    the active one again.)
    """
    collapsed = cell.locator(".jp-InputPlaceholder").count() > 0
    before = "" if collapsed else cell.locator(".jp-InputPrompt").inner_text()
    cell.evaluate(
        "c => c.querySelectorAll('.jp-OutputArea-output').forEach(o => o.dataset.beforeRun = 'yes')"
    )
    if collapsed:
        cell.locator(".jp-OutputArea").click(position={"x": 5, "y": 5})
    else:
        cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Control+Enter")
    wait_or_fail(page, CELL_RAN, [cell.element_handle(), before], "the cell did not finish", 60_000)


@pytest.mark.parametrize("notebook", NOTEBOOKS_WITH_WIDGETS, ids=lambda p: p.name)
def test_explorers_work_in_the_rise_slideshow(lab, browser, notebook):
    url, token = lab
    host = urlsplit(url).netloc
    lab_page = browser.new_page(viewport=LAPTOP)
    lab_page.set_default_timeout(NOTEBOOK_TIMEOUT_MS)
    slides = browser.new_page(viewport=LAPTOP)
    slides.set_default_timeout(NOTEBOOK_TIMEOUT_MS)
    lab_problems, slide_problems = PageProblems.listen(lab_page), PageProblems.listen(slides)
    outside: list[str] = []
    slides.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if urlsplit(request.url).scheme in ("http", "https", "ws", "wss")
            and urlsplit(request.url).netloc != host
            else None
        ),
    )
    try:
        run_in_jupyterlab(lab_page, url, token, notebook)
        lab_page.wait_for_timeout(500)  # let widget views and pictures render
        check_explorers_fit(lab_page, notebook)

        slides.goto(f"{url}/rise/notebooks/{notebook.name}?token={token}")
        slides.wait_for_selector(".reveal .slides > section")
        footer = slides.locator(".jp-Notebook-footer")
        assert not footer.count() or not footer.first.is_visible(), (
            "the 'Click to add a cell.' bar shows over the slides"
        )
        quizzes = {quiz.cell: quiz for quiz in notebook_quizzes(notebook)}
        for index in widget_cells(notebook):
            cell = go_to_slide_of(slides, notebook, index)
            run_cell_in_the_slideshow(slides, cell)
            area = cell.locator(".jp-OutputArea-output:has(.jupyter-widgets)").first
            try:
                area.wait_for(state="attached", timeout=30_000)
            except playwright_sync.TimeoutError:
                shown = cell.locator(".jp-OutputArea").inner_text()[:200]
                pytest.fail(f"{notebook.name}: no widget in the slideshow; it shows {shown!r}")
            assert "Error displaying widget" not in cell.locator(".jp-OutputArea").inner_text()
            go_to_slide_of(slides, notebook, index)
            area.scroll_into_view_if_needed()
            if index in quizzes:  # every wrong answer, then the right one
                print(f"{notebook.name} (slideshow): {answer_quiz(slides, area, quizzes[index])}")
                continue
            if area.locator(".digit-pad").count():  # click cells of the pad, as an instructor does
                check_digit_pad(slides, area)
                print(f"{notebook.name} (slideshow): inked three cells of the digit pad")
                continue
            if not area.locator(CONTROLS).count():  # a progress bar: it renders, nothing to move
                print(f"{notebook.name} (slideshow): a widget without controls rendered")
                continue
            before = widget_state(area)
            moved = move_a_control(slides, area)
            print(f"{notebook.name} (slideshow): {moved}")
            wait_or_fail(
                slides,
                WIDGET_CHANGED,
                [area.element_handle(), before],
                f"{notebook.name}: {moved} in the slideshow, but nothing changed",
            )
        fail_on_page_problems(f"{notebook.name} in JupyterLab", lab_problems)
        fail_on_page_problems(f"{notebook.name} in the slideshow", slide_problems)
        print(f"{notebook.name} (slideshow): known problems seen: {slide_problems.explained()}")
        assert not outside, f"{notebook.name}: the slideshow fetched from outside: {outside}"
    finally:
        try:
            lab_page.evaluate(
                "() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()"
            )
        except Exception:  # the page may already be gone; the server's shutdown ends the kernel
            pass
        slides.close()
        lab_page.close()
