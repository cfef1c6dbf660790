"""Every static deck (`make slides`) fits reveal.js's box, shows its pictures.

For each notebook: export its deck as `make slides` does, open it in headless Chromium
on a 16:9 screen, visit every slide with reveal's API and fail on any slide whose
content is taller or wider than the 960×700 slide box (what reveal would shrink, or cut
off: a slide cannot be scrolled), on any picture that does not load and on any
JavaScript error. The measuring is browser_tests/slide_sizes.py's, which prints the same
report for a few notebooks at a time; the first test checks it against a deck made to
fail.

Uses the `browser` fixture of conftest.py (run with `make test-browser`).
"""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from slide_sizes import export_decks, measure_deck, notebook_paths

NOTEBOOKS = notebook_paths([])


def slide(cell, slide_type: str = "slide"):
    cell.metadata["slideshow"] = {"slide_type": slide_type}
    return cell


def notebook_made_to_fail():
    """A notebook whose slides 1 and 2 are too large, one picture missing, an error."""
    long_output = new_code_cell("for i in range(60): print(i)")
    long_output.outputs = [new_output("stream", text="".join(f"{i}\n" for i in range(60)))]
    cells = [
        slide(new_markdown_cell("# A title that fits")),
        slide(new_markdown_cell("## Too tall\n\n" + "\n\n".join(f"line {i}" for i in range(40)))),
        slide(new_markdown_cell('## Too wide\n\n<div style="width: 1500px">wide</div>')),
        slide(new_markdown_cell("## A missing picture\n\n![nothing](../images/no_such.png)")),
        slide(new_markdown_cell("## A page error\n\n<script>throw new Error('boom')</script>")),
        slide(new_markdown_cell("## 60 lines of output, in a box that scrolls")),
        slide(long_output, "-"),
    ]
    return new_notebook(cells=cells)


def test_the_measure_finds_what_is_wrong_and_lets_an_output_scroll(browser, tmp_path):
    notebook = tmp_path / "zz_measure_self_test.ipynb"
    nbformat.write(notebook_made_to_fail(), notebook)
    (deck,) = export_decks([notebook])
    try:
        report = measure_deck(browser, deck)
    finally:
        deck.unlink()
    assert len(report.slides) == 6
    assert [(s.h, s.title) for s in report.too_large] == [(1, "Too tall"), (2, "Too wide")]
    too_tall, too_wide = report.too_large
    assert too_tall.height > 40 * 20 and too_tall.width == 960  # 40 lines of text, 20 px or more
    assert too_wide.width > 1500 and too_wide.height <= 700
    assert report.missing_pictures == ["../images/no_such.png"]
    assert len(report.page_errors) == 1 and "boom" in report.page_errors[0]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_slide_fits_and_shows_its_pictures(browser, notebook):
    (deck,) = export_decks([notebook])  # into the git-ignored build/slides, as `make slides` does
    report = measure_deck(browser, deck)
    if not report.slides or not report.ok:
        pytest.fail(
            f"{report}\n(open build/slides/{deck.name}#/h/v to see a slide; make it fit with the "
            "cells' slide metadata: subslides, fragments, long prose as speaker notes)",
            pytrace=False,
        )
