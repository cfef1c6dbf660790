"""Make each notebook open on its own, in Colab or on a JupyterHub.

    python -m course_tools.colab notebooks/*.ipynb

gives each notebook three things, and running it again changes nothing:

1. an "Open in Colab" badge, in a first cell of its own, linking to the notebook in the
   course's repository (its address is written once, in pyproject.toml's
   [project.urls]);
2. an install cell before the first code cell: where ``course_utils`` is missing (Colab,
   a hub) it installs the package from that repository, without its dependencies (but
   tqdm, small, if missing), so the torch, numpy and matplotlib already there are kept;
   where it is installed (``make lab``) it does nothing and prints nothing;
3. its pictures as cell attachments: each ``../images/NAME.png`` link becomes
   ``attachment:NAME.png`` with the bytes of images/NAME.png inside the notebook, so
   they show wherever the notebook is opened, even alone. Run it again after redrawing
   images/.

Both new cells are skipped in the slides. The badges' pictures
(images/open_in_colab.png, images/launch_binder.png) are drawn here too, with
``--badges``.
"""

from __future__ import annotations

import argparse
import base64
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path

import nbformat

__all__ = [
    "BADGE_ID",
    "INSTALL_ID",
    "SOURCE_VARIABLE",
    "attach_pictures",
    "badge_cell",
    "colab_url",
    "install_cell",
    "prepare_notebook",
    "repository_address",
    "write_badges",
    "main",
]

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
IMAGES = ROOT / "images"
BRANCH = "main"
# Fixed cell ids, so that running the tool twice writes the same notebook.
BADGE_ID = "open-in-colab"
INSTALL_ID = "install-course-utils"
# The install cell reads this variable before the repository
# address: a test sets it to a wheel built from the working
# tree, so the simulation installs the code under test, offline.
SOURCE_VARIABLE = "COURSE_UTILS_SOURCE"
SKIP_SLIDE = {"slideshow": {"slide_type": "skip"}}
# ../images/NAME in a markdown image ![alt](../images/NAME)
# or an HTML <img src="../images/NAME">
IMAGE_LINK = re.compile(
    r"""(?P<before>\]\(\s*<?|\bsrc\s*=\s*["']?)\.\./images/(?P<name>[^)"'\s>]+)"""
)
MIME_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}


def repository_address(pyproject: Path = PYPROJECT) -> str:
    """The course's repository, e.g. "https://github.com/owner/name"; set here only."""
    project = tomllib.loads(Path(pyproject).read_text(encoding="utf-8"))["project"]
    address = project.get("urls", {}).get("Repository", "")
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", address):
        raise ValueError(
            f"pyproject.toml's [project.urls] Repository must be a GitHub repository's address "
            f"like https://github.com/owner/name (Colab opens notebooks from GitHub), got {address!r}"
        )
    return address


def colab_url(repository: str, notebook_name: str) -> str:
    """Where Colab opens ``notebooks/<notebook_name>`` from the main branch."""
    owner_and_name = repository.removeprefix("https://github.com/")
    return (
        f"https://colab.research.google.com/github/{owner_and_name}/blob/{BRANCH}/"
        f"notebooks/{notebook_name}"
    )


def badge_cell(repository: str, notebook_name: str, images: Path = IMAGES) -> nbformat.NotebookNode:
    """The first cell: an "Open in Colab" badge that links to this notebook in Colab."""
    cell = nbformat.v4.new_markdown_cell(
        f"[![Open in Colab](attachment:open_in_colab.png)]({colab_url(repository, notebook_name)})",
        id=BADGE_ID,
        metadata=SKIP_SLIDE,
    )
    cell.attachments = {"open_in_colab.png": _attachment(images / "open_in_colab.png")}
    return cell


def install_cell(repository: str) -> nbformat.NotebookNode:
    """The first code cell: installs course_utils where it is missing, else nothing."""
    source = f'''\
# Opened on its own, in Colab or on a JupyterHub? Then this cell installs the course's helper
# package, course_utils, from the course's repository, and tqdm (progress bars) if it is missing:
# nothing else, so the torch, numpy and matplotlib already there are kept. Where the package is
# installed (make lab) this cell does nothing.
import importlib.util

if importlib.util.find_spec("course_utils") is None:
    import os
    import subprocess
    import sys

    repository = "git+{repository}"
    source = os.environ.get("{SOURCE_VARIABLE}", repository)  # a test sets it to a local build
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", source, "tqdm"]
    subprocess.run(pip, check=True)
    importlib.invalidate_caches()
    print(f"course_utils installed from {{source}}")'''
    return nbformat.v4.new_code_cell(source, id=INSTALL_ID, metadata=SKIP_SLIDE)


def _attachment(path: Path) -> dict[str, str]:
    if path.suffix.lower() not in MIME_TYPES:
        raise ValueError(f"{path.name}: attach PNG, JPEG or GIF pictures (JupyterLab shows those)")
    if not path.is_file():
        raise FileNotFoundError(
            f"no picture {path}: draw the pictures first (python -m course_tools.figures, "
            "python -m course_tools.colab --badges)"
        )
    return {MIME_TYPES[path.suffix.lower()]: base64.b64encode(path.read_bytes()).decode("ascii")}


def attach_pictures(notebook: nbformat.NotebookNode, images: Path = IMAGES) -> None:
    """Embed every picture from ``images`` a markdown cell shows, as its attachment.

    Links to ``../images/NAME`` become ``attachment:NAME``; the attachments of pictures
    already embedded are refreshed from ``images``, and those no link uses any more are
    dropped.
    """
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        cell.source = IMAGE_LINK.sub(r"\g<before>attachment:\g<name>", cell.source)
        used = set(re.findall(r"attachment:([^)\"'\s>]+)", cell.source))
        if not used:
            cell.pop("attachments", None)
            continue
        old = cell.get("attachments", {})
        attachments = {}
        for name in sorted(used):
            if (images / name).is_file() or name not in old:
                attachments[name] = _attachment(images / name)
            else:  # pasted by hand into the notebook: kept as it is
                attachments[name] = old[name]
        cell.attachments = attachments


def prepare_notebook(
    notebook: nbformat.NotebookNode, notebook_name: str, repository: str, images: Path = IMAGES
) -> nbformat.NotebookNode:
    """The badge cell first, the install cell before the first code cell, pictures in.

    Earlier badge and install cells (found by their ids) are replaced, so running it
    twice gives the same notebook. An install cell that is already as it should be is
    kept with its run (its execution count and output), so a notebook executed after
    the last change stays the fresh top-to-bottom run the tests ask for.
    """
    wanted = install_cell(repository)
    for cell in notebook.cells:
        if cell.get("id") == INSTALL_ID and cell.source == wanted.source:
            wanted = cell
    cells = [cell for cell in notebook.cells if cell.get("id") not in (BADGE_ID, INSTALL_ID)]
    first_code = next((i for i, cell in enumerate(cells) if cell.cell_type == "code"), len(cells))
    cells.insert(first_code, wanted)
    cells.insert(0, badge_cell(repository, notebook_name, images))
    notebook.cells = cells
    attach_pictures(notebook, images)
    return notebook


def draw_badge(label: str, message: str, colour: str, path: Path) -> None:
    """A small two-part badge, as usual: grey ``label``, then ``message`` in colour."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    from course_tools.figures import save_figure

    # 7 pixels a letter at 11 px, 6 pixels of
    # margin each side; the picture is 20 px high
    left, right = 7 * len(label) + 12, 7 * len(message) + 12
    figure = Figure(figsize=((left + right) / 100, 0.2), dpi=100)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, left + right)
    ax.set_ylim(0, 20)
    ax.axis("off")
    ax.add_patch(Rectangle((0, 0), left, 20, color="#555555"))
    ax.add_patch(Rectangle((left, 0), right, 20, color=colour))
    for x, text in ((left / 2, label), (left + right / 2, message)):
        ax.text(x, 10, text, color="white", ha="center", va="center", fontsize=8)
    save_figure(figure, path)


def write_badges(images: Path = IMAGES) -> list[Path]:
    """Draw the README's and the notebooks' badges into ``images``."""
    badges = {
        "open_in_colab.png": ("Open in", "Colab", "#E37400"),
        "launch_binder.png": ("launch", "Binder", "#4F7FAE"),
    }
    written = []
    for name, (label, message, colour) in badges.items():
        draw_badge(label, message, colour, images / name)
        written.append(images / name)
    return written


def main(argv: Sequence[str] | None = None) -> list[Path]:
    """Prepare each notebook named on the command line; return those it changed."""
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.colab",
        description="Give each notebook an Open in Colab badge, an install cell for course_utils "
        "and its pictures as attachments, so it runs when opened on its own.",
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--badges", action="store_true", help="draw images/*badge pictures first")
    options = parser.parse_args(argv)
    if options.badges:
        for path in write_badges():
            print(f"wrote {path}")
    repository = repository_address()
    changed = []
    for path in options.notebooks:
        before = path.read_text(encoding="utf-8")
        notebook = nbformat.reads(before, as_version=4)
        prepare_notebook(notebook, path.name, repository, IMAGES)
        after = nbformat.writes(notebook)
        after += "" if after.endswith("\n") else "\n"  # as nbformat.write ends a file
        if after != before:
            path.write_text(after, encoding="utf-8")
            changed.append(path)
    print(f"{len(changed)} of {len(options.notebooks)} notebooks changed")
    return changed


if __name__ == "__main__":
    main()
