# nbconvert settings of the course's static decks: `make slides` and
# tests/test_slides_offline.py.
from pathlib import Path

c = get_config()  # noqa: F821  (nbconvert's config loader provides it)
# reveal's "white" theme uses fonts shipped with
# reveal.js ("simple", the default, fetches web fonts)
c.SlidesExporter.reveal_theme = "white"
# reveal's template without mermaid and the widget
# renderer, which it would fetch from the internet
c.SlidesExporter.template_file = str(Path(__file__).with_name("slides.html.j2"))
# every plot described in its alt text, from the code that drew
# it; a cell's printed text in one box, as JupyterLab shows it,
# however the kernel happened to send it (one piece or several)
c.SlidesExporter.preprocessors = [
    "course_tools.slides.AltTextPreprocessor",
    "nbconvert.preprocessors.CoalesceStreamsPreprocessor",
]
