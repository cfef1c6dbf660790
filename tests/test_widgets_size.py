"""Every explorer fits a laptop: its picture shown at the size it is drawn, and small.

Small enough that controls and picture fit a 1280×800 window (the browser test
measures the page).
"""

import io

import pytest
from PIL import Image
from test_widgets_all import build

from course_utils import widgets

# a 1280×800 window leaves about 680 px of notebook
# area; the controls and text take up to ~170
LARGEST_PICTURE = (1000, 500)  # (width, height) in pixels


@pytest.mark.parametrize("name", sorted(widgets.EXPLORERS))
def test_the_picture_is_shown_at_the_size_it_is_drawn(name):
    explorer = build(name)
    width, height = Image.open(io.BytesIO(explorer.image.value)).size
    layout = explorer.image.layout
    assert layout.width == f"{width}px"  # one image pixel per screen pixel, not stretched
    assert (
        layout.max_width == "100%" and layout.height == "auto"
    )  # narrower: shrinks, in proportion
    assert width <= LARGEST_PICTURE[0] and height <= LARGEST_PICTURE[1], (width, height)
