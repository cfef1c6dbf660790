"""Which slides of the static decks do not fit reveal.js's slide box: measured in headless Chromium.

    .venv/bin/python browser_tests/slide_sizes.py                      # every notebook
    .venv/bin/python browser_tests/slide_sizes.py 04_model_definition  # some of them

Exports the notebooks' decks as `make slides NB=...` does (the course's settings, reveal.js and
MathJax from npm next to the decks in build/slides), opens each deck in Chromium, visits every
slide with reveal's API and prints, per notebook, each slide whose content is taller or wider than
the slide box (reveal's configured width × height, 960×700: the size before reveal scales the box
to the screen), every picture that does not load and every JavaScript error. Code that scrolls
inside its own box (presenting/slides.html.j2: a long output or code cell, a long line) fits: what
counts is what the slide itself would have to scroll, and prose (a markdown cell) wider than the
slide, which JupyterLab's styles would let scroll sideways. Exits with 1 when anything is wrong.
browser_tests/test_slide_decks.py runs the same measurement as a test.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from conftest import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_FOLDER = ROOT / "notebooks"
DECKS_FOLDER = ROOT / "build" / "slides"
# a 16:9 screen; the measurement is in reveal's unscaled slide units, whatever the screen
SCREEN = {"width": 1280, "height": 720}
LOAD_TIMEOUT_MS = 60_000

# reveal.js is a require.js module of the deck, not a global: ask require.js for the same module
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

# show slide (h, v) (hidden fragments keep their place) once its pictures loaded; measure it
MEASURE_SLIDE = """async ([h, v]) => {
    Reveal.slide(h, v);
    if (window.MathJax && window.MathJax.Hub) {  // the deck re-typesets a slide when it is shown
        await new Promise(done => window.MathJax.Hub.Queue(done));
    }
    const slide = Reveal.getCurrentSlide();
    await Promise.all([...slide.querySelectorAll('img')].map(img => img.complete ? null :
        new Promise(done => { img.addEventListener('load', done); img.addEventListener('error', done); })));
    await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
    const config = Reveal.getConfig();
    // a markdown cell scrolls sideways rather than widen the slide: its own width counts
    const box = slide.getBoundingClientRect(), scale = box.width / slide.offsetWidth;
    const proseWidths = [...slide.querySelectorAll('.jp-MarkdownOutput')].map(prose =>
        Math.round((prose.getBoundingClientRect().left - box.left) / scale) + prose.scrollWidth);
    const heading = slide.querySelector('h1, h2, h3, h4, h5, h6');
    const text = (heading ? heading.textContent.replace('¶', '') : slide.innerText).trim();
    return {
        h: h, v: v,
        width: Math.max(slide.scrollWidth, ...proseWidths), height: slide.scrollHeight,
        box_width: config.width, box_height: config.height,
        title: text.split('\\n')[0].slice(0, 80),
    };
}"""

# every picture of the deck that did not load (after all slides were visited)
MISSING_PICTURES = """() => [...document.querySelectorAll('.reveal img')]
    .filter(img => !img.complete || img.naturalWidth === 0)
    .map(img => img.getAttribute('src').slice(0, 120))"""


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
    """What is wrong with one deck: slides too large, pictures missing, JavaScript errors."""

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
    """The notebooks named (``04_model_definition``, with or without .ipynb), or all of them."""
    if not names:
        return sorted(NOTEBOOKS_FOLDER.glob("*.ipynb"))
    paths = [NOTEBOOKS_FOLDER / (Path(name).stem + ".ipynb") for name in names]
    missing = [path.name for path in paths if not path.exists()]
    if missing:
        known = ", ".join(path.stem for path in sorted(NOTEBOOKS_FOLDER.glob("*.ipynb")))
        raise SystemExit(f"no notebook {', '.join(missing)} in {NOTEBOOKS_FOLDER}; known: {known}")
    return paths


def export_decks(notebooks: list[Path]) -> list[Path]:
    """Export the notebooks' decks into build/slides with `make slides`; return the decks' paths."""
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


def measure_deck(browser, deck: Path) -> DeckReport:
    """Open the deck in a new page of ``browser``, visit every slide and report what is wrong."""
    report = DeckReport(deck.name.removesuffix(".slides.html"))
    page = browser.new_page(viewport=SCREEN)
    page.set_default_timeout(LOAD_TIMEOUT_MS)
    page.on("pageerror", lambda error: report.page_errors.append(str(error)))
    page.on(
        "requestfailed",
        lambda request: (
            None
            if request.resource_type == "image"  # reported as a missing picture
            else report.page_errors.append(f"could not load {request.url}: {request.failure}")
        ),
    )
    try:
        page.goto(deck.as_uri())
        reveal_url = re.search(r'"([^"]*reveal\.js/dist/reveal\.js)"', deck.read_text())
        if reveal_url is None:
            raise RuntimeError(f"{deck}: no reveal.js in the deck; export it with `make slides`")
        page.evaluate(REVEAL_READY, reveal_url.group(1))
        page.evaluate("() => Reveal.configure({transition: 'none', backgroundTransition: 'none'})")
        page.evaluate(MATHJAX_DONE)
        for h, v in page.evaluate(SLIDE_INDICES):
            report.slides.append(SlideSize(**page.evaluate(MEASURE_SLIDE, [h, v])))
        report.missing_pictures = page.evaluate(MISSING_PICTURES)
    finally:
        page.close()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="e.g. 04_model_definition (default: all)")
    notebooks = notebook_paths(parser.parse_args(argv).notebooks)
    decks = export_decks(notebooks)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            reports = []
            for deck in decks:
                reports.append(measure_deck(browser, deck))
                print(reports[-1], flush=True)
        finally:
            browser.close()
    return 0 if all(report.ok for report in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
