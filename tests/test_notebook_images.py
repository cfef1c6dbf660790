"""Every picture a notebook shows is a file in the repository: none hotlinked, missing.

Images linked from other people's web sites vanish; the course's pictures live in
images/ and are linked by relative path, e.g.
``![a neuron](../images/neuron_diagram.png)``.
"""

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# ![alt](target) or ![alt](<target with spaces> "title")
MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+[\"'(][^)]*)?\)")
# ![alt][label] or ![alt][] or ![label], resolved through a definition "[label]: target"
MARKDOWN_IMAGE_REFERENCE = re.compile(r"!\[([^\]]*)\](?:\[([^\]]*)\])?(?!\()")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*(<[^>]*>|\S+)", re.MULTILINE)
# <img ... src="target" ...> with any quoting
# and spacing (the seed wrote <img src = '...'>)
HTML_IMAGE = re.compile(
    r"<img\b[^>]*?\bsrc\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE
)


def image_links(markdown: str) -> list[str]:
    """Every image target in a markdown text: markdown, reference and HTML images."""
    links = [m.group(1).strip("<>") for m in MARKDOWN_IMAGE.finditer(markdown)]
    definitions = {
        label.strip().lower(): target.strip("<>")
        for label, target in REFERENCE_DEFINITION.findall(markdown)
    }
    for match in MARKDOWN_IMAGE_REFERENCE.finditer(markdown):
        label = (match.group(2) or match.group(1)).strip().lower()
        if label in definitions:
            links.append(definitions[label])
    links += [next(g for g in m.groups() if g is not None) for m in HTML_IMAGE.finditer(markdown)]
    return links


def bad_image_links(markdown: str, folder: Path, attachments: dict | None = None) -> list[str]:
    """The image links in ``markdown`` that break, each as "target: why"; [] if none.

    Relative paths are resolved against ``folder`` (the notebook's folder);
    ``attachment:name`` must name one of the cell's ``attachments``.
    """
    problems = []
    for target in image_links(markdown):
        lowered = target.lower()
        if lowered.startswith(("http://", "https://", "//", "ftp://")):
            problems.append(f"{target}: hotlinked from the web; save it under images/ instead")
        elif lowered.startswith("data:"):
            continue  # embedded in the notebook itself
        elif lowered.startswith("attachment:"):
            if target.split(":", 1)[1] not in (attachments or {}):
                problems.append(f"{target}: no such attachment in this cell")
        elif (
            lowered.startswith("file:") or target.startswith("/") or re.match(r"[a-z]:\\", lowered)
        ):
            problems.append(
                f"{target}: an absolute path only exists on one machine; use ../images/"
            )
        elif not (folder / unquote(target.split("#")[0].split("?")[0])).is_file():
            problems.append(f"{target}: no such file (relative to {folder.name}/)")
    return problems


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_images_are_local_files_that_exist(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    problems = []
    for number, cell in enumerate(cells, start=1):
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        for problem in bad_image_links(source, notebook.parent, cell.get("attachments")):
            problems.append(f"cell {number}: {problem}")
    assert not problems, f"{notebook.name} links images that will break:\n" + "\n".join(problems)


# The checker itself, on made-up markdown: it must catch each kind of bad link.


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "neuron.png").write_bytes(b"\x89PNG")
    (tmp_path / "images" / "my picture.png").write_bytes(b"\x89PNG")
    return tmp_path / "notebooks"


@pytest.mark.parametrize(
    "markdown",
    [
        "Some prose without pictures. [a link, not an image](https://pytorch.org)",
        "![a neuron](../images/neuron.png)",
        '![a neuron](../images/neuron.png "a title")',
        "![spaces](<../images/my picture.png>) and ![escaped](../images/my%20picture.png)",
        '<img src="../images/neuron.png" alt="a neuron" width=400>',
        "<img alt='a neuron' src = '../images/neuron.png'>",
        "![a neuron][n]\n\n[n]: ../images/neuron.png",
        "![inline](data:image/png;base64,iVBORw0KGgo=)",
    ],
)
def test_checker_accepts_local_images_that_exist(markdown, folder):
    assert bad_image_links(markdown, folder) == []


@pytest.mark.parametrize(
    ("markdown", "reason"),
    [
        ("![mlp](https://learnopencv.com/mlp-diagram.jpg)", "hotlinked"),
        ("![mlp](http://example.com/a.png 'title')", "hotlinked"),
        # the seed lesson's own markup
        ("<img src = 'https://media.example.org/fig.webp' height=300 width=600>", "hotlinked"),
        ('<IMG SRC="//cdn.example.org/fig.png">', "hotlinked"),
        ("![ref][fig]\n\n[fig]: https://example.com/fig.png", "hotlinked"),
        ("![typo](../images/nueron.png)", "no such file"),
        ("![wrong folder](images/neuron.png)", "no such file"),
        ('<img src="../images/missing.png">', "no such file"),
        ("![absolute](/home/someone/course/images/neuron.png)", "absolute path"),
        ("![absolute](file:///tmp/neuron.png)", "absolute path"),
        ("![pasted](attachment:image.png)", "no such attachment"),
    ],
)
def test_checker_rejects_hotlinked_missing_and_absolute_images(markdown, reason, folder):
    problems = bad_image_links(markdown, folder)
    assert len(problems) == 1 and reason in problems[0], problems


def test_checker_finds_every_image_of_a_cell(folder):
    markdown = (
        "![good](../images/neuron.png) text ![bad](https://x.org/a.png)\n"
        '<img src="../images/missing.png"> and <img src="../images/neuron.png">'
    )
    assert len(image_links(markdown)) == 4
    assert len(bad_image_links(markdown, folder)) == 2


def test_checker_accepts_a_pasted_attachment_that_is_there(folder):
    attachments = {"image.png": {"image/png": "iVBORw0KGgo="}}
    assert bad_image_links("![pasted](attachment:image.png)", folder, attachments) == []
