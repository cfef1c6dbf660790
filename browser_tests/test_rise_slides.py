"""Every slide of every notebook's RISE slideshow fits, shows its pictures, runs clean.

Fitting means fitting RISE's slide box.

The live slideshow (jupyterlab-rise in JupyterLab, presenting/overrides.json and
notebooks/rise.css) shows the same cells as the static decks, with JupyterLab's own
rendering: for each notebook, open its slideshow on the committed outputs in headless
Chromium on a 16:9 window (1280×720), visit every slide through reveal's URL routing and
fail on any slide whose content is taller or wider than RISE's slide box (RISE never
scales a slide: its box is the window's width, RISE's CSS, by reveal's height, 90 % of
the window's, RISE's fixed 10 % margin; 1280×648 here), on any picture that does not
load, and on any JavaScript error, console error or failed request but the understood
and harmless ones of page_problems.KNOWN. The measuring is
browser_tests/slide_sizes.py's (`slide_sizes.py --rise` prints the same report); the
first test checks it against a slideshow made to fail.

Uses the `lab` and `browser` fixtures of conftest.py (run with `make test-browser`).
"""

from __future__ import annotations

import json
import urllib.request

import nbformat
import pytest
from slide_sizes import ROOT, measure_rise, notebook_paths
from test_slide_decks import notebook_made_to_fail

NOTEBOOKS = notebook_paths([])
# the committed notebooks go to a folder of their own next to notebooks/ (so ../images
# still resolves), with the course's rise.css: never the copies other browser tests
# run and save
FOLDER = "committed"


def put_file(url: str, token: str, path: str, text: str) -> None:
    """Write a text file into the JupyterLab at ``url``, folders included.

    The file goes through JupyterLab's contents API.
    """
    folder = path.rpartition("/")[0]
    models = [(folder, {"type": "directory"})] if folder else []
    for name, model in [*models, (path, {"type": "file", "format": "text", "content": text})]:
        request = urllib.request.Request(
            f"{url}/api/contents/{name}",
            data=json.dumps(model).encode(),
            headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
            method="PUT",
        )
        urllib.request.urlopen(request).close()


def upload_notebook(url: str, token: str, notebook_name: str, text: str) -> str:
    """Put ``text`` as a notebook in the lab, next to the stylesheets RISE loads.

    They are the course's rise.css and the notebook's own stylesheet (a notebook made
    here gets an empty one). Returns the notebook's path in the lab.
    """
    own_css = (ROOT / "notebooks" / notebook_name).with_suffix(".css")
    put_file(url, token, f"{FOLDER}/rise.css", (ROOT / "notebooks" / "rise.css").read_text())
    put_file(
        url,
        token,
        f"{FOLDER}/{own_css.name}",
        own_css.read_text() if own_css.exists() else "/* a test's notebook: no style */\n",
    )
    put_file(url, token, f"{FOLDER}/{notebook_name}", text)
    return f"{FOLDER}/{notebook_name}"


def test_the_rise_measure_finds_what_is_wrong_and_lets_an_output_scroll(lab, browser):
    url, token = lab
    text = nbformat.writes(notebook_made_to_fail())
    report = measure_rise(
        browser, url, token, upload_notebook(url, token, "zz_self_test.ipynb", text)
    )
    assert len(report.slides) == 6
    assert [(s.h, s.title) for s in report.too_large] == [(1, "Too tall"), (2, "Too wide")]
    too_tall, too_wide = report.too_large
    assert (too_tall.box_width, too_tall.box_height) == (1280, 648)  # the window, less 10 % high
    assert too_tall.height > 40 * 20 and too_tall.width == 1280  # 40 lines of text, 20 px or more
    assert too_wide.width > 1500 and too_wide.height <= 648
    (missing,) = report.missing_pictures  # as JupyterLab resolved the link
    assert "/files/images/no_such.png" in missing
    assert report.page_errors == []  # JupyterLab's sanitizer removes the <script>: nothing runs


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_rise_slide_fits_and_shows_its_pictures(lab, browser, notebook):
    url, token = lab
    path = upload_notebook(url, token, notebook.name, notebook.read_text())
    report = measure_rise(browser, url, token, path)
    if not report.slides or not report.ok:
        pytest.fail(
            f"{report}\n(`.venv/bin/python browser_tests/slide_sizes.py --rise {notebook.stem}` "
            "measures it again; make it fit with the cells' slide metadata: subslides, fragments, "
            "long prose as speaker notes)",
            pytrace=False,
        )
