"""Every notebook with an explorer, presented live: JupyterLab's RISE slideshow in headless Chromium.

For each notebook that shows a widget: run it in JupyterLab at a laptop's 1280×800 (there the
whole explorer must fit the notebook area, its picture shown at the size it is drawn), then open
its RISE slideshow, as an instructor does, on the same kernel; go to the explorer's slide, run
its cell there and move a control: the widget must render (not fall back to text such as
`VBox(children=...)`) and its picture or text must change. The slideshow must fetch nothing
from outside this machine (no web fonts) and show no "Click to add a cell." bar.

Uses the `lab` and `browser` fixtures of conftest.py (run with `make test-browser`).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

try:
    from playwright import sync_api as playwright_sync
except ImportError:  # the fixtures fail and say what to install (conftest.py), never a silent skip
    playwright_sync = None

from test_notebooks_in_browser import (  # noqa: E402  (the same steps as there)
    BUSY,
    NOTEBOOK_TIMEOUT_MS,
    NOTEBOOKS,
    RUN_ALL,
    widget_state,
)

LAPTOP = {"width": 1280, "height": 800}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def widget_cell_sources(notebook: Path) -> list[str]:
    """The source of every code cell whose committed output is a widget."""
    cells = json.loads(notebook.read_text())["cells"]
    return [
        "".join(cell["source"])
        for cell in cells
        if cell["cell_type"] == "code"
        and any(WIDGET_VIEW in output.get("data", {}) for output in cell["outputs"])
    ]


NOTEBOOKS_WITH_WIDGETS = [notebook for notebook in NOTEBOOKS if widget_cell_sources(notebook)]

CHANGED = """([el, before]) => {
    const s = [...el.querySelectorAll('img')].map(i => i.src).join(' ') + '|' + el.innerText;
    return s !== before;
}"""


def run_in_jupyterlab(page, url: str, token: str, notebook: Path) -> None:
    """Open the notebook in JupyterLab and run all its cells (its kernel then holds the data)."""
    page.goto(f"{url}/lab/tree/notebooks/{notebook.name}?token={token}&reset")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext"
    )
    page.evaluate(RUN_ALL)
    page.wait_for_function(BUSY)
    page.wait_for_timeout(500)  # let widget views and pictures render


def check_explorers_fit(page, notebook: Path) -> None:
    """Each widget fits the notebook area, and its pictures are shown at the size they are drawn."""
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
    """Change a dropdown, or click a button, or click along a slider; return what was done.

    No arrow keys: in the slideshow they turn the slides.
    """
    select = area.locator(".widget-dropdown select")
    if select.count():
        options = select.first.locator("option").all_inner_texts()
        current = select.first.input_value()
        select.first.select_option(index=1 if options[0] == current else 0)
        return "changed a dropdown"
    button = area.locator("button.jupyter-button")
    if button.count():
        button.first.click()
        return f"clicked {button.first.inner_text()!r}"
    track = area.locator(".widget-slider .noUi-target").first
    box = track.bounding_box()
    page.mouse.click(box["x"] + 0.8 * box["width"], box["y"] + box["height"] / 2)
    return "clicked along a slider"


def go_to_slide_of(page, source: str):
    """Show the slide that holds the code cell ending with this source; returns the cell."""
    first_line = source.strip().splitlines()[-1]  # the expression that shows the widget
    cell = page.locator(".jp-CodeCell", has_text=first_line).first
    slide = page.evaluate(
        """(text) => [...document.querySelectorAll('.reveal .slides > section')]
            .findIndex(s => s.innerText.includes(text))""",
        first_line,
    )
    assert slide >= 0, f"no slide shows the cell {first_line!r}"
    page.evaluate(f"() => {{ window.location.hash = '#/{slide}'; }}")
    page.wait_for_timeout(800)  # reveal's slide transition
    cell.scroll_into_view_if_needed()
    return cell


@pytest.mark.parametrize("notebook", NOTEBOOKS_WITH_WIDGETS, ids=lambda p: p.name)
def test_explorers_work_in_the_rise_slideshow(lab, browser, notebook):
    url, token = lab
    host = urlsplit(url).netloc
    lab_page = browser.new_page(viewport=LAPTOP)
    lab_page.set_default_timeout(NOTEBOOK_TIMEOUT_MS)
    slides = browser.new_page(viewport=LAPTOP)
    slides.set_default_timeout(NOTEBOOK_TIMEOUT_MS)
    page_errors: list[str] = []
    outside: list[str] = []
    slides.on("pageerror", lambda error: page_errors.append(str(error)))
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
        check_explorers_fit(lab_page, notebook)

        slides.goto(f"{url}/rise/notebooks/{notebook.name}?token={token}")
        slides.wait_for_selector(".reveal .slides > section")
        footer = slides.locator(".jp-Notebook-footer")
        assert not footer.count() or not footer.first.is_visible(), (
            "the 'Click to add a cell.' bar shows over the slides"
        )
        for source in widget_cell_sources(notebook):
            cell = go_to_slide_of(slides, source)
            cell.locator(".jp-InputArea-editor").click()
            slides.keyboard.press("Shift+Enter")  # runs the cell (and moves to the next one)
            area = cell.locator(".jp-OutputArea-output:has(.jupyter-widgets)").first
            try:
                area.wait_for(state="attached", timeout=30_000)
            except playwright_sync.TimeoutError:
                shown = cell.locator(".jp-OutputArea").inner_text()[:200]
                pytest.fail(f"{notebook.name}: no widget in the slideshow; it shows {shown!r}")
            assert "Error displaying widget" not in cell.locator(".jp-OutputArea").inner_text()
            go_to_slide_of(slides, source)
            area.scroll_into_view_if_needed()
            before = widget_state(area)
            moved = move_a_control(slides, area)
            print(f"{notebook.name} (slideshow): {moved}")
            try:
                slides.wait_for_function(
                    CHANGED, arg=[area.element_handle(), before], timeout=30_000
                )
            except playwright_sync.TimeoutError:
                pytest.fail(f"{notebook.name}: {moved} in the slideshow, but nothing changed")
        assert not page_errors, (
            f"{notebook.name}: JavaScript errors in the slideshow: {page_errors}"
        )
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
