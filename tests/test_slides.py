"""Every notebook carries slide metadata and exports as reveal.js slides.

The export is what `make slides` does.
"""

import json
from pathlib import Path

import nbformat
import pytest
from nbconvert import SlidesExporter

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_slide_metadata_and_exports_as_slides(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    slide_types = [c["metadata"].get("slideshow", {}).get("slide_type") for c in cells]
    assert all(t in SLIDE_TYPES for t in slide_types), f"{notebook.name}: cells without slide_type"
    # the first cell shown starts a slide; before it may come cells the slides skip (the
    # Colab badge, python -m course_tools.colab)
    assert [t for t in slide_types if t != "skip"][0] == "slide"
    headings = [
        c for c in cells if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## ")
    ]
    assert all(c["metadata"]["slideshow"]["slide_type"] == "slide" for c in headings)
    solutions = [c for c in cells if "solution" in c["metadata"].get("tags", [])]
    assert all(c["metadata"]["slideshow"]["slide_type"] == "skip" for c in solutions)

    html, _ = SlidesExporter().from_notebook_node(
        nbformat.reads(notebook.read_text(), as_version=4)
    )
    assert "Reveal.initialize" in html
    # reveal.js wraps each slide in a <section>: one per "slide" cell at least
    assert html.count("<section") >= slide_types.count("slide")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_each_notebook_has_the_stylesheet_rise_asks_for(notebook):
    # RISE loads NAME.css for NAME.ipynb (after rise.css): without it, every slideshow
    # gets a 404 and a console error (browser_tests fail on both)
    stylesheet = notebook.with_suffix(".css")
    assert stylesheet.is_file(), (
        f"notebooks/{stylesheet.name} is missing: RISE asks for it when it shows {notebook.name}; "
        "add one (a comment is enough, as in the others)"
    )
    assert (notebook.parent / "rise.css").is_file()
