"""The course as a website: ``make site`` writes build/site/ from the notebooks.

Sphinx reads the notebooks with MyST-NB, without running them (nbval already checks that
their outputs are what a fresh run prints), and sphinx-book-theme lays them out as a
book: a landing page from the README's introduction and notebook map, then one page per
notebook in course order, with a sidebar, previous/next links and an outline of each
page's sections. Sphinx's own search runs on the static files. Everything the pages load
is in the folder: MathJax and its fonts are copied from the sphinx-mathjax-offline
package, the theme bundles its own.

Before Sphinx reads them, the notebooks are copied into a source folder and prepared for
a page (the course notebooks are never changed):

- a solution cell (tagged ``solution``) is collapsed behind "Show the solution", input
  and output; a cell whose source is hidden in JupyterLab (a check) shows its output,
  its code behind "Show the code";
- a quiz is shown as static HTML built from its source, and a widget from its saved
  state (``course_tools.site_outputs``); a plot gets alt text from the code that drew it
  (``course_tools.slides.describe_plot``);
- a picture attached to a markdown cell is written to a file, and the cell points at it;
  a local picture in an HTML ``<img>`` tag is embedded in the page, one from another
  host becomes its alt text.

The build fails on any warning: a broken link between notebooks, a missing picture, a
picture without alt text, a quiz or widget the site cannot show.

    python -m course_tools.site [OUTPUT]      # default: build/site
"""

from __future__ import annotations

import argparse
import base64
import copy
import html
import mimetypes
import re
import shutil
import sys
import time
from importlib import metadata
from pathlib import Path

import nbformat

from course_tools.site_outputs import (
    WIDGET_STATE,
    WIDGET_VIEW,
    SiteOutputError,
    quiz_arguments,
    quiz_html,
    widget_html,
)
from course_tools.slides import describe_plot

__all__ = ["SiteError", "build_site", "landing_page", "prepare_notebook", "write_sources"]

ROOT = Path(__file__).resolve().parents[1]
STATIC = Path(__file__).resolve().parent / "site_static"  # the site's own CSS
SOLUTION_TAG = "solution"
NOTEBOOK_NAME = re.compile(r"\b\d\d_\w+\.ipynb\b")
COLAB_LINK = re.compile(r"https://colab\.research\.google\.com/[^\s)\"'<>]+")


class SiteError(RuntimeError):
    """The site cannot be built as it should be; the message lists every problem."""


# --------------------------------------------------------------------------------------
# the notebooks, prepared for their pages


def _cell_tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.metadata.setdefault("tags", [])


def _hide(cell: nbformat.NotebookNode, tag: str, what: str) -> None:
    """Collapse part of a cell (MyST-NB's hide-* tags) behind "Show the <what>"."""
    _cell_tags(cell).append(tag)
    cell.metadata["mystnb"] = {
        **cell.metadata.get("mystnb", {}),
        "code_prompt_show": f"Show the {what}",
        "code_prompt_hide": f"Hide the {what}",
    }


def _html_output(markup: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data={"text/html": markup})


def _last_heading(markdown: str) -> str | None:
    headings = re.findall(r"^#{1,6}\s+(.+)$", markdown, flags=re.MULTILINE)
    return re.sub(r"[*_`]", "", headings[-1]).strip() if headings else None


def _attachments_to_files(cell: nbformat.NotebookNode, stem: str, index: int, folder: Path) -> None:
    """Write a markdown cell's attached pictures next to its page, and link them."""
    for name, bundle in cell.pop("attachments", {}).items():
        mime, data = next(iter(bundle.items()))
        suffix = {"image/svg+xml": ".svg", "image/jpeg": ".jpg"}.get(
            mime, "." + mime.split("/")[-1]
        )
        filename = f"{stem}-cell{index}-{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}"
        filename = filename if filename.endswith(suffix) else filename + suffix
        content = data.encode() if mime == "image/svg+xml" else base64.b64decode(data)
        (folder / filename).write_bytes(content)
        cell.source = cell.source.replace(f"attachment:{name}", f"_attachments/{filename}")


def _embed_html_pictures(cell: nbformat.NotebookNode, folder: Path) -> None:
    """Embed in the page the local pictures of a markdown cell's HTML ``<img>`` tags.

    Sphinx copies only the pictures of markdown's ``![alt](path)``. A picture from
    another host becomes its alt text: the site loads nothing from other hosts.
    """

    def embed(match: re.Match) -> str:
        tag, source = match.group(0), match.group(2)
        if source.startswith(("http://", "https://", "//")):
            alt = re.search(r"""\balt=["']([^"']*)""", tag)
            return html.escape(alt.group(1)) if alt else ""
        path = folder / source
        if source.startswith("data:") or not path.is_file():
            return tag  # a missing picture stays, and the build names it
        mime = mimetypes.guess_type(path.name)[0] or "image/png"
        data = base64.b64encode(path.read_bytes()).decode()
        return tag.replace(match.group(1), f'src="data:{mime};base64,{data}"')

    cell.source = re.sub(r"""<img\b[^>]*?(src=["']([^"']+)["'])[^>]*>""", embed, cell.source)


def prepare_notebook(
    notebook: nbformat.NotebookNode, name: str, attachments: Path
) -> tuple[nbformat.NotebookNode, list[str]]:
    """A copy of ``notebook`` ready for its page, and the problems found in it."""
    notebook = copy.deepcopy(notebook)
    # the lexer that colours the code (a notebook
    # saved without running has no language_info)
    notebook.metadata.setdefault("language_info", {"name": "python", "pygments_lexer": "ipython3"})
    state = notebook.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    colab = next(
        (
            link
            for cell in notebook.cells
            if cell.cell_type == "markdown"
            for link in COLAB_LINK.findall(cell.source)
        ),
        None,
    )
    problems, section = [], ""
    for index, cell in enumerate(notebook.cells):
        where = f"{name}, cell {index + 1}"
        if cell.cell_type == "markdown":
            section = _last_heading(cell.source) or section
            _attachments_to_files(cell, Path(name).stem, index, attachments)
            _embed_html_pictures(cell, attachments.parent)
            continue
        if cell.cell_type != "code":
            continue
        hidden = cell.metadata.get("jupyter", {})
        try:
            quiz = quiz_arguments(cell.source)
            if quiz is not None:  # its source holds the answer: the page shows the quiz alone
                _cell_tags(cell).append("remove-input")
                cell.outputs = [_html_output(quiz_html(quiz))]
                continue
            cell.outputs = [
                _html_output(widget_html(output.data[WIDGET_VIEW]["model_id"], state, colab))
                if WIDGET_VIEW in output.get("data", {})
                else output
                for output in cell.outputs
            ]
        except SiteOutputError as error:
            problems.append(f"{where}: {error}")
            continue
        if SOLUTION_TAG in _cell_tags(cell):
            _hide(cell, "hide-cell", "solution")
        elif hidden.get("source_hidden"):
            _hide(cell, "hide-input", "code")
        elif hidden.get("outputs_hidden"):
            _hide(cell, "hide-output", "output")
        if any("image/png" in output.get("data", {}) for output in cell.outputs):
            image = cell.metadata.setdefault("mystnb", {}).setdefault("image", {})
            image.setdefault("alt", describe_plot(cell.source, section))
    return notebook, problems


# --------------------------------------------------------------------------------------
# the landing page


def _section(markdown: str, title: str) -> str:
    """The body of the README section ``## title``, up to the next heading."""
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^#|\Z)", markdown, flags=re.M | re.S)
    if match is None:
        raise SiteError(f"README.md has no section '## {title}' for the landing page")
    return match.group(1).strip()


def _site_links_only(markdown: str) -> str:
    """Keep links to the notebooks and the web; other links (README anchors) as text."""

    def keep_or_unlink(match: re.Match) -> str:
        text, target = match.group(1), match.group(2)
        if target.startswith(("http://", "https://", "notebooks/")):
            return match.group(0)
        return text

    return re.sub(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)", keep_or_unlink, markdown)


def landing_page(readme: str, notebooks: list[str]) -> str:
    """The site's first page: the README's title and introduction, and the map."""
    title = re.search(r"^# (.+)$", readme, flags=re.M)
    introduction = re.search(r"^# .+?$(.*?)(?=^## )", readme, flags=re.M | re.S)
    if title is None or introduction is None:
        raise SiteError("README.md needs a '# title' and an introduction before its first '##'")
    toctree = "\n".join(f"notebooks/{Path(name).stem}" for name in notebooks)
    return f"""# {title.group(1).strip()}

{_site_links_only(introduction.group(1).strip())}

## About this website

Every notebook of the course, with the outputs of its committed run. The exercises' solutions
are collapsed: try first, then open "Show the solution". A "predict, then run" question shows
its answers as options: choose one, then open it. The explorers move in JupyterLab or Colab;
here each shows its first picture. Search with the box in the sidebar.

## Notebook map

{_site_links_only(_section(readme, "Notebook map"))}

```{{toctree}}
:hidden:
:maxdepth: 1

{toctree}
```
"""


# --------------------------------------------------------------------------------------
# the Sphinx source folder and the build


def _mathjax_folder() -> Path:
    """The MathJax 3 distribution that the sphinx-mathjax-offline package ships."""
    distribution = metadata.distribution("sphinx-mathjax-offline")
    return Path(distribution.locate_file("sphinx-mathjax-offline/static/mathjax"))


def write_sources(root: Path, source: Path) -> list[str]:
    """Write the course's Sphinx source folder in ``root``; return problems found."""
    if source.exists():
        shutil.rmtree(source)
    (source / "notebooks" / "_attachments").mkdir(parents=True)
    shutil.copytree(root / "images", source / "images")  # the notebooks' ../images/*.png
    notebooks = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    problems = []
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        prepared, found = prepare_notebook(
            notebook, path.name, source / "notebooks" / "_attachments"
        )
        problems += found
        nbformat.write(prepared, source / "notebooks" / path.name)
    readme = (root / "README.md").read_text(encoding="utf-8")
    (source / "index.md").write_text(landing_page(readme, [p.name for p in notebooks]))
    static = source / "_static"
    shutil.copytree(STATIC, static)
    mathjax = _mathjax_folder()
    (static / "mathjax").mkdir()
    shutil.copy2(mathjax / "tex-chtml-full.js", static / "mathjax")  # every TeX extension
    fonts = Path("output", "chtml", "fonts", "woff-v2")
    shutil.copytree(mathjax / fonts, static / "mathjax" / fonts)
    return problems


def sphinx_config(title: str) -> dict:
    """Sphinx's settings (conf.py, a dict): MyST-NB, the book theme, nothing remote."""
    return {
        "project": title,
        "html_title": title,
        "extensions": ["myst_nb", "course_tools.site"],
        "exclude_patterns": ["_build", "**.ipynb_checkpoints"],
        "nb_execution_mode": "off",  # the committed outputs, never run
        "nb_ipywidgets_js": {},  # widgets are static HTML here: no widget scripts from a CDN
        "nb_merge_streams": True,
        "myst_enable_extensions": ["dollarmath", "amsmath", "strikethrough"],
        "myst_heading_anchors": 3,
        "suppress_warnings": ["myst.header"],  # a notebook may go from # to ###
        "html_theme": "sphinx_book_theme",
        "html_theme_options": {
            "show_toc_level": 2,
            "use_download_button": False,
            "use_fullscreen_button": False,
            "home_page_in_toc": True,
            "show_navbar_depth": 1,
        },
        "html_context": {"default_mode": "auto"},  # light or dark as the reader's system is
        "html_favicon": "_static/favicon.svg",  # else the browser asks the host's root for one
        "html_static_path": ["_static"],
        "html_css_files": ["course.css"],
        "html_copy_source": False,
        "html_show_sourcelink": False,
        "mathjax_path": "mathjax/tex-chtml-full.js",
        "html_last_updated_fmt": None,
    }


def build_site(root: Path = ROOT, output: Path | None = None, quiet: bool = True) -> Path:
    """Build the course's website from ``root`` into ``output`` (default build/site)."""
    from sphinx.application import Sphinx

    output = Path(output or root / "build" / "site")
    work = output.parent / f"{output.name}-work"  # the source folder and Sphinx's doctrees
    problems = write_sources(root, work / "source")
    if problems:
        raise SiteError("the site cannot show these cells:\n" + "\n".join(problems))
    title = re.search(r"^# (.+)$", (root / "README.md").read_text(encoding="utf-8"), flags=re.M)
    if output.exists():
        shutil.rmtree(output)
    application = Sphinx(
        srcdir=work / "source",
        confdir=None,
        outdir=output,
        doctreedir=work / "doctrees",
        buildername="html",
        confoverrides=sphinx_config(title.group(1).strip()),
        status=None if quiet else sys.stdout,
        warning=sys.stderr,
        freshenv=True,
        warningiserror=True,  # with Sphinx's keep-going: every warning listed, then a failure
    )
    application.build()
    if application.statuscode != 0:
        raise SiteError("the site was built with warnings (listed above): fix them")
    (output / ".nojekyll").touch()  # GitHub Pages: serve _static/ and _images/ as they are
    return output


# --------------------------------------------------------------------------------------
# the Sphinx extension: links between notebooks, pictures that are local and described


def _link_notebook_names(app, doctree) -> None:
    """Link every mention of a course notebook (``08_training.ipynb``) to its page."""
    from docutils import nodes
    from sphinx.addnodes import pending_xref

    def link(name: str, child: nodes.Node) -> pending_xref:
        reference = pending_xref(
            "", refdomain="std", reftype="doc", reftarget=f"/notebooks/{name[:-6]}",
            refexplicit=True, refwarn=True,
        )  # fmt: skip
        reference += child
        return reference

    skip = (nodes.reference, pending_xref, nodes.literal_block, nodes.raw, nodes.title)
    for literal in list(doctree.findall(nodes.literal)):
        if NOTEBOOK_NAME.fullmatch(literal.astext()) and not isinstance(literal.parent, skip):
            literal.parent.replace(literal, link(literal.astext(), literal.deepcopy()))
    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or isinstance(parent, (*skip, nodes.literal)):
            continue
        pieces = NOTEBOOK_NAME.split(str(text))
        if len(pieces) == 1:
            continue
        names = NOTEBOOK_NAME.findall(str(text))
        replacement = []
        for piece, name in zip(pieces, [*names, None], strict=True):
            if piece:
                replacement.append(nodes.Text(piece))
            if name:
                replacement.append(link(name, nodes.Text(name)))
        parent.replace(text, replacement)


def _check_pictures(app, doctree) -> None:
    """Every picture local and described: a remote one becomes its alt text, a link."""
    from docutils import nodes
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    for image in list(doctree.findall(nodes.image)):
        uri = image.get("uri", "")
        alt = image.get("alt", "").strip()
        if uri.startswith(("http://", "https://", "//")):
            # the site loads nothing from other hosts (a badge, say): its words stay
            image.parent.replace(image, nodes.Text(alt or "picture"))
            if not alt:
                logger.warning(
                    "a picture from another host has no alt text: %s", uri, location=image
                )
        elif not alt:
            logger.warning("a picture has no alt text: %s", uri, location=image)


def _raw_pictures(app, doctree) -> None:
    """A picture in raw HTML must be local (inline) or on the web (then: its alt)."""
    from docutils import nodes
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    for raw in doctree.findall(nodes.raw):
        for tag in re.findall(r"<img\b[^>]*>", raw.astext()):
            source = re.search(r"""\bsrc=["']([^"']+)""", tag)
            alt = re.search(r"""\balt=["']([^"']*)""", tag)
            if not alt or not alt.group(1).strip():
                logger.warning("a picture in HTML has no alt text: %s", tag[:80], location=raw)
            if source and not source.group(1).startswith("data:"):
                logger.warning(
                    "a picture in HTML is not embedded (the site cannot copy it): %s; use "
                    "markdown ![alt](path) instead",
                    source.group(1)[:80],
                    location=raw,
                )


def setup(app) -> dict:
    app.connect("doctree-read", _link_notebook_names)
    app.connect("doctree-read", _check_pictures)
    app.connect("doctree-read", _raw_pictures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", nargs="?", type=Path, default=ROOT / "build" / "site")
    arguments = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        output = build_site(ROOT, arguments.output)
    except SiteError as error:
        sys.exit(f"make site failed: {error}")
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    print(
        f"The website is in {output} ({size / 1e6:.1f} MB, {time.perf_counter() - start:.1f} s): "
        f"open {output / 'index.html'}, or serve the folder from any static host."
    )


if __name__ == "__main__":
    main()
