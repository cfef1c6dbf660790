"""The static decks of `make slides`: plots described, no warning, nothing fetched.

Every plot is described in alt text, nbconvert gives no warning, and nothing is fetched
from the internet (the decks open from build/slides/ with a double-click).
"""

import logging
import re
from pathlib import Path

import nbformat
import pytest
from nbconvert import SlidesExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from traitlets.config.loader import PyFileConfigLoader

from course_tools.slides import describe_plot

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CONFIG = ROOT / "presenting" / "slides_config.py"
# a 1×1 PNG
PIXEL = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPgPAAEDAQAIicLsAAAAAElFTkSuQmCC"
)


def course_exporter() -> SlidesExporter:
    """The exporter as `make slides` sets it up, npm's libraries next to the deck."""
    config = PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()
    exporter = SlidesExporter(config=config)
    exporter.reveal_url_prefix = "node_modules/reveal.js"
    exporter.require_js_url = "node_modules/requirejs/require.js"
    exporter.jquery_url = "node_modules/jquery/dist/jquery.min.js"
    exporter.mathjax_url = "node_modules/mathjax/MathJax.js"
    return exporter


def test_a_plot_is_described_by_its_kind_titles_and_section():
    source = 'plotting.plot_data(X, y, title="make_blobs")\nax.set_title(f"lr = {lr}: done")'
    assert describe_plot(source, "2. Look at the data") == (
        "Figure: a scatter plot of the two classes, titled “make_blobs”; “lr = …: done”, "
        "in the section “2. Look at the data”."
    )
    assert describe_plot("fig, ax = plt.subplots()\nax.hist(x)\nplt.show()") == (
        "Figure: a histogram."
    )
    # IPython syntax is not Python: the section alone describes it
    assert describe_plot("%matplotlib inline\nplt.plot(x)", "3. Curves") == (
        "Figure: a plot, in the section “3. Curves”."
    )


def test_a_plot_output_gets_alt_text_and_nbconvert_warns_of_nothing(caplog):
    cell = new_code_cell('plotting.plot_history(history, title="loss")')
    cell.outputs = [new_output("display_data", data={"image/png": PIXEL, "text/plain": "<Figure>"})]
    notebook = new_notebook(cells=[new_markdown_cell("## 5. The *loss* curve"), cell])
    with caplog.at_level(logging.WARNING):
        html, _ = course_exporter().from_notebook_node(notebook)
    alts = re.findall(r'<img[^>]*\balt="([^"]*)"', html)
    assert alts == [
        "Figure: loss curves over the epochs, titled “loss”, in the section “5. The loss curve”."
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_text_the_kernel_sent_in_pieces_is_one_output_box_in_the_deck():
    # a kernel may flush one print in several pieces: JupyterLab
    # shows them as one box, so must the deck (three boxes are
    # taller, and a slide that fits in RISE would not fit here)
    cell = new_code_cell('print("a"); print("b", flush=True); print("c")')
    cell.outputs = [new_output("stream", name="stdout", text=t) for t in ("a\n", "b", "\nc\n")]
    html, _ = course_exporter().from_notebook_node(new_notebook(cells=[cell]))
    assert html.count('<div class="jp-OutputArea-child') == 1
    assert "a\nb\nc" in html


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_deck_describes_every_picture_and_fetches_nothing_from_the_internet(notebook, caplog):
    with caplog.at_level(logging.WARNING):
        html, _ = course_exporter().from_notebook_node(
            nbformat.reads(notebook.read_text(), as_version=4)
        )
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    images = re.findall(r"<img\b[^>]*>", html)
    assert all(re.search(r'\balt="[^"]+"', image) for image in images)
    assert "No description has been provided" not in html
    fetched = re.findall(
        r"""(?:<script[^>]*\bsrc=|<link[^>]*\bhref=|\bimport\b[^;'"]*\bfrom\s*|@import\s+url\()"""
        r"""\s*['"]?(https?://[^'")\s]+)""",
        html,
    )
    assert not fetched, f"{notebook.name}: the deck would fetch {fetched}"
