"""Which slides of the static decks (or of RISE) do not fit the slide box.

They are measured in headless Chromium:

    .venv/bin/python browser_tests/slide_sizes.py                      # every notebook
    .venv/bin/python browser_tests/slide_sizes.py 04_model_definition  # some of them

Exports the notebooks' decks as `make slides NB=...` does (the course's settings,
reveal.js and MathJax from npm next to the decks in build/slides), opens each deck
in Chromium, visits every slide with reveal's API and prints, per notebook, each
slide whose content is taller or wider than the slide box (reveal's configured
width × height, 960×700: the size before reveal scales the box to the screen), every
picture that does not load and every JavaScript error, console error or failed
request (browser_tests/page_problems.py). Code that scrolls inside its own box
(presenting/slides.html.j2: a long output or code cell, a long line) fits: what
counts is what the slide itself would have to scroll, and prose (a markdown cell)
wider than the slide, which JupyterLab's styles would let scroll sideways. Exits
with 1 when anything is wrong. browser_tests/test_slide_decks.py runs the same
measurement as a test.

    .venv/bin/python browser_tests/slide_sizes.py --rise [04_model_definition ...]

measures the live RISE slideshow instead, on the committed outputs: a JupyterLab serving
a copy of the course (conftest.py's), each notebook's slideshow in Chromium at a
1280×720 window, every slide shown through reveal's URL routing and measured against
RISE's slide box. RISE (jupyterlab-rise 0.43.1) hard-wires reveal's width and height to
100 % with a 10 % margin and a minimum scale of 1, so a slide is never scaled: its box
is 90 % of the window's height (648 px), and RISE's CSS widens the slides to the whole
window (1280 px). browser_tests/test_rise_slides.py is its test.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import re
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from page_problems import PageProblems

from conftest import CHROMIUM, CHROMIUM_ARGS, jupyterlab_server

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_FOLDER = ROOT / "notebooks"
DECKS_FOLDER = ROOT / "build" / "slides"
# a 16:9 screen; the measurement is in reveal's unscaled slide units,
# whatever the screen
SCREEN = {"width": 1280, "height": 720}
LOAD_TIMEOUT_MS = 60_000

# reveal.js is a require.js module of the deck, not a global: ask require.js for
# the same module
REVEAL_READY = """(revealUrl) => new Promise((resolve, reject) => require([revealUrl], Reveal => {
    window.Reveal = Reveal;
    if (Reveal.isReady()) resolve(true); else Reveal.on('ready', () => resolve(true));
}, reject))"""

# every slide (the innermost sections), with its (h, v) indices, in reveal's order
SLIDE_INDICES = """() => Reveal.getSlides().map(slide => {
    const indices = Reveal.getIndices(slide);
    return [indices.h, indices.v || 0];
})"""

# wait until MathJax (when the deck has it) has typeset everything it was given
MATHJAX_DONE = """() => new Promise(resolve => {
    if (!window.MathJax || !window.MathJax.Hub) { resolve(true); return; }
    window.MathJax.Hub.Queue(() => resolve(true));
})"""

# the size of a shown slide's content (once its pictures loaded) against a box, in
# reveal's unscaled pixels; what both measurements below share
SLIDE_SIZE = """async (slide, h, v, boxWidth, boxHeight) => {
    await Promise.all([...slide.querySelectorAll('img')].map(img => img.complete ? null :
        new Promise(done => { img.addEventListener('load', done); img.addEventListener('error', done); })));
    await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
    // a markdown cell scrolls sideways rather than widen the slide: its own width counts
    const box = slide.getBoundingClientRect(), scale = box.width / slide.offsetWidth;
    const proseWidths = [...slide.querySelectorAll('.jp-MarkdownOutput')].map(prose =>
        Math.round((prose.getBoundingClientRect().left - box.left) / scale) + prose.scrollWidth);
    const heading = slide.querySelector('h1, h2, h3, h4, h5, h6');
    const text = (heading ? heading.textContent.replace('¶', '') : slide.innerText).trim();
    return {
        h: h, v: v,
        width: Math.max(slide.scrollWidth, ...proseWidths), height: slide.scrollHeight,
        box_width: Math.round(boxWidth), box_height: Math.round(boxHeight),
        title: text.split('\\n')[0].slice(0, 80),
    };
}"""

# show slide (h, v) of a static deck (hidden fragments keep their place) and measure it
# against reveal's configured slide size
MEASURE_SLIDE = """async ([h, v]) => {
    Reveal.slide(h, v);
    if (window.MathJax && window.MathJax.Hub) {  // the deck re-typesets a slide when it is shown
        await new Promise(done => window.MathJax.Hub.Queue(done));
    }
    const config = Reveal.getConfig();
    return await (SLIDE_SIZE)(Reveal.getCurrentSlide(), h, v, config.width, config.height);
}""".replace("SLIDE_SIZE", SLIDE_SIZE)

# every picture of the deck that did not load (after all slides were visited)
MISSING_PICTURES = """() => [...document.querySelectorAll('.reveal img')]
    .filter(img => !img.complete || img.naturalWidth === 0)
    .map(img => img.getAttribute('src').slice(0, 120))"""


# RISE, the live slideshow: its reveal.js is a module the page cannot reach, so a slide
# is shown through reveal's own URL routing (#/h/v; RISE sets `history: true`). Every
# slide, as [h, v]:
RISE_SLIDE_INDICES = """() => [...document.querySelectorAll('.reveal .slides > section')]
    .flatMap((section, h) => {
        const subslides = section.querySelectorAll(':scope > section').length;
        return subslides ? [...Array(subslides).keys()].map(v => [h, v]) : [[h, 0]];
    })"""

# wait until JupyterLab has rendered the cells and MathJax typeset them: nothing
# new for 0.75 s
RISE_SETTLED = """async () => {
    const state = () => [document.querySelectorAll('mjx-container').length,
                         document.querySelectorAll('.reveal img').length].join();
    for (let last = state(), unchanged = 0; unchanged < 3; ) {
        await new Promise(done => setTimeout(done, 250));
        const now = state();
        unchanged = now === last ? unchanged + 1 : 0;
        last = now;
    }
}"""

# show slide (h, v) of the RISE slideshow and measure it against RISE's slide box:
# reveal's height (RISE sets width and height to 100 % with a 10 % margin and never
# scales, so 90 % of the window's height) and the slides' width (RISE's CSS widens them
# to the whole window)
MEASURE_RISE_SLIDE = """async ([h, v]) => {
    const top = document.querySelectorAll('.reveal .slides > section')[h];
    const subslides = top.querySelectorAll(':scope > section');
    const slide = subslides.length ? subslides[v] : top;
    // shown, and reveal has written its URL (a late write of the previous slide's URL would
    // turn back to it: then ask again)
    const target = `#/${h}/${v}`;
    const shown = () => slide.classList.contains('present') &&
        (!slide.id || window.location.hash === `#/${slide.id}`);
    for (let frame = 0; !shown(); frame++) {
        if (frame > 600) throw new Error(`RISE did not show slide ${target}`);
        if (!slide.classList.contains('present') && window.location.hash !== target) {
            window.location.hash = target;
        }
        await new Promise(done => requestAnimationFrame(done));
    }
    const slides = document.querySelector('.reveal .slides');
    return await (SLIDE_SIZE)(slide, h, v, slides.offsetWidth, parseFloat(slides.style.height));
}""".replace("SLIDE_SIZE", SLIDE_SIZE)


@dataclass
class SlideSize:
    """One slide's content size against the slide box, in reveal's unscaled pixels."""

    h: int
    v: int
    width: int
    height: int
    box_width: int
    box_height: int
    title: str

    @property
    def fits(self) -> bool:
        return self.width <= self.box_width and self.height <= self.box_height

    def __str__(self) -> str:
        excess = []
        if self.height > self.box_height:
            excess.append(f"{self.height - self.box_height} px too tall")
        if self.width > self.box_width:
            excess.append(f"{self.width - self.box_width} px too wide")
        return (
            f"#/{self.h}/{self.v}  {self.width}×{self.height} in a "
            f"{self.box_width}×{self.box_height} box ({', '.join(excess)}): {self.title!r}"
        )


@dataclass
class DeckReport:
    """What is wrong with one deck: slides too large, pictures missing, page errors.

    The page errors are JavaScript and console errors and failed requests
    (page_problems.py), its known harmless ones aside.
    """

    name: str
    slides: list[SlideSize] = field(default_factory=list)
    missing_pictures: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @property
    def too_large(self) -> list[SlideSize]:
        return [slide for slide in self.slides if not slide.fits]

    @property
    def ok(self) -> bool:
        return bool(self.slides) and not (
            self.too_large or self.missing_pictures or self.page_errors
        )

    def __str__(self) -> str:
        lines = [
            f"{self.name}: {len(self.slides)} slides, {len(self.too_large)} too large, "
            f"{len(self.missing_pictures)} missing pictures, {len(self.page_errors)} page errors"
        ]
        lines += [f"  too large  {slide}" for slide in self.too_large]
        lines += [f"  missing picture  {src}" for src in self.missing_pictures]
        lines += [f"  page error  {error}" for error in self.page_errors]
        return "\n".join(lines)


def notebook_paths(names: list[str]) -> list[Path]:
    """The notebooks named, or all of them.

    A name may come with or without .ipynb: ``04_model_definition``.
    """
    if not names:
        return sorted(NOTEBOOKS_FOLDER.glob("*.ipynb"))
    paths = [NOTEBOOKS_FOLDER / (Path(name).stem + ".ipynb") for name in names]
    missing = [path.name for path in paths if not path.exists()]
    if missing:
        known = ", ".join(path.stem for path in sorted(NOTEBOOKS_FOLDER.glob("*.ipynb")))
        raise SystemExit(f"no notebook {', '.join(missing)} in {NOTEBOOKS_FOLDER}; known: {known}")
    return paths


def export_decks(notebooks: list[Path]) -> list[Path]:
    """Export the notebooks' decks into build/slides with `make slides`.

    Returns the decks' paths.
    """
    command = ["make", "--no-print-directory", "slides", "NB=" + " ".join(map(str, notebooks))]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(
            f"`{' '.join(command)}` failed (exit {result.returncode}):\n"
            + (result.stdout + result.stderr)[-3000:]
        )
    if not (DECKS_FOLDER / "node_modules" / "reveal.js").is_dir():
        raise RuntimeError(
            "build/slides/node_modules/reveal.js is missing (`make slides` installs it with npm): "
            "without it the decks cannot be measured offline; install npm, then run again"
        )
    return [DECKS_FOLDER / (notebook.stem + ".slides.html") for notebook in notebooks]


def new_measuring_page(browser) -> tuple:
    """A page of ``browser`` on the 16:9 screen, and what will go wrong on it.

    What goes wrong is a PageProblems: JavaScript and console errors, failed requests;
    pictures are checked on their own.
    """
    page = browser.new_page(viewport=SCREEN)
    page.set_default_timeout(LOAD_TIMEOUT_MS)
    return page, PageProblems.listen(page, skip_pictures=True)


def measure_every_slide(page, report: DeckReport, slide_indices: str, measure_slide: str) -> None:
    """Measure each slide ``slide_indices`` lists, then check the pictures.

    Each slide is measured with ``measure_slide``.
    """
    for h, v in page.evaluate(slide_indices):
        report.slides.append(SlideSize(**page.evaluate(measure_slide, [h, v])))
    report.missing_pictures = page.evaluate(MISSING_PICTURES)


def measure_deck(browser, deck: Path) -> DeckReport:
    """Open the deck in a new page of ``browser``; visit every slide.

    Returns the report of what is wrong.
    """
    report = DeckReport(deck.name.removesuffix(".slides.html"))
    page, problems = new_measuring_page(browser)
    try:
        page.goto(deck.as_uri())
        reveal_url = re.search(r'"([^"]*reveal\.js/dist/reveal\.js)"', deck.read_text())
        if reveal_url is None:
            raise RuntimeError(f"{deck}: no reveal.js in the deck; export it with `make slides`")
        page.evaluate(REVEAL_READY, reveal_url.group(1))
        page.evaluate("() => Reveal.configure({transition: 'none', backgroundTransition: 'none'})")
        page.evaluate(MATHJAX_DONE)
        measure_every_slide(page, report, SLIDE_INDICES, MEASURE_SLIDE)
    finally:
        report.page_errors = problems.unexplained()
        page.close()
    return report


def shut_down_kernels(url: str, token: str, path: str) -> None:
    """Shut down the kernels that run the notebook ``path``.

    They are the kernels of the JupyterLab at ``url``.
    """
    headers = {"Authorization": f"token {token}"}
    with urllib.request.urlopen(
        urllib.request.Request(f"{url}/api/sessions", headers=headers)
    ) as r:
        sessions = json.load(r)
    for session in sessions:
        if session["path"] == path:
            request = urllib.request.Request(
                f"{url}/api/sessions/{session['id']}", headers=headers, method="DELETE"
            )
            urllib.request.urlopen(request).close()


def measure_rise(browser, url: str, token: str, notebook: str) -> DeckReport:
    """Open a notebook's RISE slideshow in the JupyterLab at ``url``; visit every slide.

    Returns the report of what is wrong.

    ``notebook`` is its path in the JupyterLab, e.g.
    ``notebooks/04_model_definition.ipynb``. The slideshow shows the committed outputs;
    RISE starts a kernel, shut down afterwards.
    """
    report = DeckReport(Path(notebook).stem)
    page, problems = new_measuring_page(browser)
    try:
        page.goto(f"{url}/rise/{notebook}?token={token}")
        page.wait_for_selector(".reveal .slides > section")
        page.evaluate(RISE_SETTLED)
        measure_every_slide(page, report, RISE_SLIDE_INDICES, MEASURE_RISE_SLIDE)
    finally:
        report.page_errors = problems.unexplained()
        page.close()
        shut_down_kernels(url, token, notebook)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="e.g. 04_model_definition (default: all)")
    parser.add_argument(
        "--rise", action="store_true", help="measure the RISE slideshow, not the static decks"
    )
    arguments = parser.parse_args(argv)
    notebooks = notebook_paths(arguments.notebooks)
    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        if arguments.rise:
            home = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            url, token = stack.enter_context(jupyterlab_server(home))
            measures = [
                functools.partial(
                    measure_rise, url=url, token=token, notebook=f"notebooks/{n.name}"
                )
                for n in notebooks
            ]
        else:
            measures = [functools.partial(measure_deck, deck=d) for d in export_decks(notebooks)]
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        reports = []
        for measure in measures:
            reports.append(measure(browser))
            print(reports[-1], flush=True)
    return 0 if all(report.ok for report in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
