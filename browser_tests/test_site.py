"""The course's website (``make site``) in Chromium, served under a sub-path.

The site is built afresh from the committed notebooks into a temporary folder (or, to
test a site built elsewhere, from ``SITE_DIR=path/to/site``) and served by a plain file
server, ``python -m http.server``, at ``/courses/nn-building-blocks/``, so a link that
assumes the host's root fails. Every page is visited once, and the tests of errors,
pictures, maths, links and widgets read what that visit saw; the tests of search,
toggles, widths and light and dark mode open windows of their own. Every window refuses
requests to other hosts and reports them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import nbformat
import pytest

from conftest import ROOT, free_port, require_browser_tools
from course_tools.site_outputs import WIDGET_VIEW, quiz_arguments

SUB_PATH = "courses/nn-building-blocks"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PAGES = ["index.html", "search.html", *(f"notebooks/{path.stem}.html" for path in NOTEBOOKS)]
# a page is read once MathJax has typeset it and its fonts are loaded
AFTER_LOAD = """async () => {
    if (window.MathJax && MathJax.startup) { await MathJax.startup.promise; }
    await document.fonts.ready;
}"""
PAGE_FACTS = """() => ({
    images: Array.from(document.images).map(img => ({
        src: img.getAttribute('src').slice(0, 120), alt: img.getAttribute('alt'),
        loaded: img.complete && img.naturalWidth > 0})),
    maths: document.querySelectorAll('.math').length,
    // typeset: MathJax turned each piece of maths into its own markup, without an error
    untypeset: Array.from(document.querySelectorAll('.math'))
        .filter(m => !m.querySelector('mjx-container') || m.querySelector('mjx-merror'))
        .map(m => m.textContent.slice(0, 80)),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    textLinks: Array.from(document.querySelectorAll('article a[href]')).map(a => a.href),
    ids: Array.from(document.querySelectorAll('[id], a[name]')).map(e => e.id || e.name),
    widgets: Array.from(document.querySelectorAll('.course-widget')).map(w => ({
        pictures: w.querySelectorAll('img').length,
        note: (w.querySelector('.course-widget-note') || {}).textContent || ''})),
    text: document.body.innerText,
})"""


def _cells(predicate) -> dict[str, int]:
    """How many cells of each notebook match ``predicate``, by page."""
    counts = {}
    for path in NOTEBOOKS:
        cells = nbformat.read(path, as_version=4).cells
        counts[f"notebooks/{path.stem}.html"] = sum(1 for cell in cells if predicate(cell))
    return counts


def _is_quiz(cell) -> bool:
    return cell.cell_type == "code" and quiz_arguments(cell.source) is not None


def _is_solution(cell) -> bool:
    return cell.cell_type == "code" and "solution" in cell.metadata.get("tags", [])


def _shows_a_widget(cell) -> bool:
    outputs = cell.get("outputs", [])
    return not _is_quiz(cell) and any(WIDGET_VIEW in o.get("data", {}) for o in outputs)


@pytest.fixture(scope="session")
def site_url(tmp_path_factory):
    """The site, built from the committed notebooks, served under a sub-path (URL)."""
    require_browser_tools()
    root = tmp_path_factory.mktemp("site-host")
    folder = root / SUB_PATH
    if os.environ.get("SITE_DIR"):
        shutil.copytree(os.environ["SITE_DIR"], folder)
    else:
        from course_tools.site import build_site

        build_site(ROOT, folder)
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    server = subprocess.Popen(
        [*command, "--directory", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}/{SUB_PATH}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(base + "index.html", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the file server did not start", pytrace=False)
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def open_page(browser, url: str, **context_options):
    """Open ``url`` in a fresh window; return (page, problems): every error, failure."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    problems: list[str] = []
    origin = url.split("/", 3)[:3]

    def only_this_host(route):
        if route.request.url.split("/", 3)[:3] != origin:
            problems.append(f"asked another host: {route.request.url}")
            return route.abort()
        return route.continue_()

    context.route("**/*", only_this_host)
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else 0)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else 0)
    page.goto(url, wait_until="load")
    page.evaluate(AFTER_LOAD)
    return page, problems


@pytest.fixture(scope="session")
def visits(browser, site_url):
    """Every page, loaded once in a light window: what each showed, and its problems."""
    seen = {}
    for name in PAGES:
        page, problems = open_page(browser, site_url + name, color_scheme="light")
        page.wait_for_timeout(300)  # a late console error or request
        seen[name] = {**page.evaluate(PAGE_FACTS), "problems": problems}
        page.context.close()
    return seen


@pytest.mark.parametrize("name", PAGES)
def test_every_page_loads_without_console_errors_or_failed_requests(visits, name):
    assert visits[name]["problems"] == []


@pytest.mark.parametrize("name", PAGES)
def test_every_image_loads_and_has_alt_text(visits, name):
    images = visits[name]["images"]
    assert [i["src"] for i in images if not i["loaded"]] == [], "pictures that did not load"
    assert [i["src"] for i in images if not (i["alt"] or "").strip()] == [], "no alt text"


def test_the_notebooks_pictures_are_on_their_pages(visits):
    # each plot a notebook shows and each picture its text shows is an image on its page
    for path in NOTEBOOKS:
        cells = nbformat.read(path, as_version=4).cells
        plots = sum(
            "image/png" in output.get("data", {})
            for cell in cells
            for output in cell.get("outputs", [])
        )
        pictures = sum(
            len(re.findall(r"!\[[^\]]*\]\(", cell.source))
            for cell in cells
            if cell.cell_type == "markdown"
        )
        shown = len(visits[f"notebooks/{path.stem}.html"]["images"])
        assert shown >= plots + pictures, path.name


@pytest.mark.parametrize("name", PAGES)
def test_maths_is_typeset(visits, name):
    assert visits[name]["untypeset"] == []


def test_the_notebooks_with_maths_show_it_typeset(visits):
    pages_with_maths = [name for name in PAGES if visits[name]["maths"]]
    assert "notebooks/06_backpropagation.html" in pages_with_maths, pages_with_maths
    assert len(pages_with_maths) >= 5, pages_with_maths


def test_every_internal_link_resolves(visits, site_url):
    ids = {site_url + name: set(facts["ids"]) for name, facts in visits.items()}
    broken = []
    for name, facts in visits.items():
        for link in facts["links"]:
            target, _, anchor = link.partition("#")
            if not target.startswith(site_url):
                assert not target.startswith("http://127.0.0.1"), f"{name}: {link} leaves the site"
                continue  # another host (a Colab link): a link, never loaded by the page
            if target not in ids:  # a page no test visits (the index of terms, a picture)
                try:
                    urllib.request.urlopen(target, timeout=5)
                except OSError as error:
                    broken.append(f"{name}: {link} ({error})")
                continue
            if anchor and urllib.parse.unquote(anchor) not in ids[target]:
                broken.append(f"{name}: {link} (no such anchor)")
    assert broken == []


def test_links_between_notebooks_lead_to_their_pages(visits, site_url):
    # "Next: 08_training.ipynb" at the end of 07
    # is a link to the page of 08, in its text
    for before, after in zip(NOTEBOOKS, NOTEBOOKS[1:], strict=False):
        if after.name in before.read_text():
            links = visits[f"notebooks/{before.stem}.html"]["textLinks"]
            assert f"{site_url}notebooks/{after.stem}.html" in links, before.name


@pytest.mark.parametrize(
    ("query", "expected"),
    [("Adam", "07_gradient_descent_and_optimizers"), ("early stopping", "12_generalization")],
)
def test_search_finds_the_page(browser, site_url, query, expected):
    page, problems = open_page(browser, site_url + "index.html", color_scheme="light")
    page.locator("button.search-button-field:visible").first.click()  # opens the search box
    box = page.locator("#pst-search-dialog input[name='q']")
    box.fill(query)
    box.press("Enter")
    page.wait_for_selector("#search-results ul.search li a", timeout=20_000)
    first = page.locator("#search-results ul.search li a").first.get_attribute("href")
    page.context.close()
    assert first.split("#")[0] == f"notebooks/{expected}.html"
    assert problems == []


def test_every_solution_is_collapsed_until_its_toggle_is_clicked(browser, site_url):
    expected = {name: count for name, count in _cells(_is_solution).items() if count}
    assert expected, "the course has solution cells"
    for name, count in expected.items():
        page, _ = open_page(browser, site_url + name)
        solutions = page.locator(".cell.tag_solution")
        assert solutions.count() == count, name
        for i in range(count):
            solution = solutions.nth(i)
            toggle = solution.locator("summary")
            assert toggle.inner_text().strip() == "Show the solution"
            code = solution.locator("pre").first
            assert not code.is_visible(), f"{name}: solution {i + 1} is open"
        toggle = solutions.first.locator("summary")
        toggle.click()
        assert solutions.first.locator("pre").first.is_visible(), name
        page.context.close()


def test_every_quiz_hides_its_answer_until_asked(browser, site_url):
    expected = {name: count for name, count in _cells(_is_quiz).items() if count}
    assert expected, "the course has quizzes"
    for name, count in expected.items():
        page, _ = open_page(browser, site_url + name)
        quizzes = page.locator(".course-quiz")
        assert quizzes.count() == count, name
        for i in range(count):
            quiz = quizzes.nth(i)
            options = quiz.locator(".course-quiz-option")
            assert options.count() >= 2 and quiz.locator("summary").first.is_visible()
            for j in range(options.count()):
                assert not options.nth(j).locator(".course-quiz-feedback").is_visible(), (
                    f"{name}: quiz {i + 1} shows a verdict before it is asked"
                )
        # choosing the right option reveals ✅ and why; nothing else opens with it
        quiz = quizzes.first
        quiz.locator(".course-quiz-answer summary").click()
        feedback = quiz.locator(".course-quiz-answer .course-quiz-feedback")
        assert feedback.is_visible() and "✅" in feedback.inner_text()
        assert quiz.locator(".course-quiz-feedback:visible").count() == 1
        page.context.close()


def test_every_widget_shows_its_picture_and_where_it_moves(visits):
    for name, count in _cells(_shows_a_widget).items():
        text, widgets = visits[name]["text"], visits[name]["widgets"]
        assert "children=" not in text and "Error displaying widget" not in text, name
        assert len(widgets) == count, f"{name}: {count} widgets in the notebook"
        for widget in widgets:
            if widget["pictures"]:  # an explorer: its picture, and where it moves
                assert "JupyterLab or Colab" in widget["note"], (name, widget)


# visible elements of the text that stick out of the window, unless they scroll in place
# (a wide table, code or equation in its own scrolling box)
STICKING_OUT = """(width) => Array.from(document.querySelectorAll('article *')).filter(e => {
    const box = e.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1 || !e.checkVisibility()) return false;
    for (let a = e.parentElement; a && a.tagName !== 'ARTICLE'; a = a.parentElement) {
        if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return false;
    }
    return true;
}).slice(0, 5).map(e => `${e.tagName}.${e.className}: ${e.textContent.slice(0, 50)}`)"""


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 720)], ids=["phone", "projector"])
@pytest.mark.parametrize("name", PAGES)
def test_no_horizontal_scrolling(browser, site_url, name, width, height):
    page, _ = open_page(browser, site_url + name, viewport={"width": width, "height": height})
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    sticking_out = page.evaluate(STICKING_OUT, width)
    font_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.context.close()
    assert scroll_width <= width, f"{name} is {scroll_width} px wide at {width} px"
    assert sticking_out == [], f"wider than {width} px"
    assert font_size >= 15, f"body text is {font_size} px"


CONTRAST = """(selector) => {
    function rgb(colour) { return colour.match(/[\\d.]+/g).map(Number); }
    function luminance([r, g, b]) {
        const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    }
    function background(element) {
        for (let e = element; e; e = e.parentElement) {
            const colour = getComputedStyle(e).backgroundColor;
            const values = rgb(colour);
            if (values.length < 4 || values[3] > 0.5) return values;
        }
        return [255, 255, 255];
    }
    return Array.from(document.querySelectorAll(selector)).filter(e => e.offsetParent).slice(0, 20).map(e => {
        const [a, b] = [luminance(rgb(getComputedStyle(e).color)), luminance(background(e))];
        return {text: e.textContent.trim().slice(0, 40), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
    });
}"""
READ_ON_EVERY_PAGE = [
    "article p", "article li", "article h1", ".cell_input pre", ".cell_output pre",
    ".course-quiz-question", ".course-quiz-option summary", ".course-widget-note",
    ".course-widget-text", ".bd-sidebar-primary a",
]  # fmt: skip


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_text_is_readable_in_light_and_dark_mode(browser, site_url, mode):
    low = []
    for name in ["index.html", "notebooks/01_neuron_and_activations.html",
                 "notebooks/13_capstone_digits.html"]:  # fmt: skip
        page, problems = open_page(browser, site_url + name, color_scheme=mode)
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        for selector in READ_ON_EVERY_PAGE:
            for element in page.evaluate(CONTRAST, selector):
                if element["ratio"] < 4.5:  # WCAG AA for body text
                    low.append(f"{name} {selector} {element}")
        page.context.close()
        assert problems == []
    assert low == []
