"""Long prose goes to speaker notes: slides stay short and their notes in place.

A slide shows little prose (at most MAX_WORDS_ON_A_SLIDE words); the rest of the
explanation is in `notes` cells, which reveal shows in its speaker view (`S`) and
students still read in the notebook. browser_tests/test_slide_decks.py measures the
slides themselves.
"""

import itertools
import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
MAX_WORDS_ON_A_SLIDE = 150
SHOWN = {"slide", "subslide", "fragment", "-"}


def slide_type(cell: dict) -> str | None:
    return cell["metadata"].get("slideshow", {}).get("slide_type")


def text(cell: dict) -> str:
    return "".join(cell["source"])


def prose_words(markdown: str) -> int:
    """The words of a markdown text, without its tables (a table is read, not said)."""
    lines = [line for line in markdown.splitlines() if not line.lstrip().startswith("|")]
    return len(" ".join(lines).split())


def slides_of(cells: list[dict]) -> list[list[dict]]:
    """The cells of each slide and subslide, in order (cells before the first: none)."""
    slides: list[list[dict]] = []
    for cell in cells:
        if slide_type(cell) in ("slide", "subslide"):
            slides.append([])
        if slides:
            slides[-1].append(cell)
    return slides


def test_prose_words_leave_out_tables():
    assert prose_words("One two three.\n\n| a | b |\n|---|---|\n| 1 | 2 |\nfour") == 4


def test_slides_of_groups_cells_by_slide_and_subslide():
    cells = [
        {"metadata": {"slideshow": {"slide_type": kind}}, "source": name}
        for name, kind in [("a", "slide"), ("b", "-"), ("c", "subslide"), ("d", "notes")]
    ]
    assert [[text(cell) for cell in slide] for slide in slides_of(cells)] == [
        ["a", "b"],
        ["c", "d"],
    ]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_no_slide_shows_more_prose_than_fits(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    for slide in slides_of(cells):
        shown = [c for c in slide if c["cell_type"] == "markdown" and slide_type(c) in SHOWN]
        words = sum(prose_words(text(c)) for c in shown)
        assert words <= MAX_WORDS_ON_A_SLIDE, (
            f"{notebook.name}: the slide {text(slide[0]).splitlines()[0][:60]!r} shows {words} "
            f"words of prose (at most {MAX_WORDS_ON_A_SLIDE}): make the explanation a `notes` cell "
            "(speaker notes), or split the slide with a subslide"
        )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_speaker_notes_are_prose_that_follows_what_the_slide_shows(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    for index, cell in enumerate(cells):
        if slide_type(cell) != "notes":
            continue
        where = f"{notebook.name}, cell {index} ({text(cell)[:50]!r})"
        assert cell["cell_type"] == "markdown", f"{where}: notes must be markdown, not code"
        assert text(cell).strip(), f"{where}: an empty notes cell"
        assert not text(cell).startswith("#"), (
            f"{where}: a heading belongs on the slides, not in the speaker notes"
        )
        previous = slide_type(cells[index - 1]) if index else None
        assert previous in SHOWN | {"notes"}, (
            f"{where}: speaker notes must directly follow a cell shown on a slide (here: "
            f"{previous!r}), so they belong to that slide"
        )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_the_pointer_to_a_hidden_solution_is_not_on_the_slides(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    for cell, following in itertools.pairwise(cells):
        if "solution" in following["metadata"].get("tags", []) and cell["cell_type"] == "markdown":
            assert slide_type(cell) == "skip", (
                f"{notebook.name}: {text(cell)[:50]!r} points at a hidden solution, which the "
                "slides do not show: make it `skip` too"
            )
