"""The one way the course builds an explorer: controls over a figure, as an image."""

import io
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import ipywidgets
import numpy as np
from IPython.display import display
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from PIL import Image


class Explorer:
    """Controls that redraw one matplotlib figure, shown as a PNG in ``image``.

    A subclass sets its state, calls ``super().__init__``, creates its artists once in
    ``setup`` and updates them in ``draw(figure, **values)``; a string ``draw`` returns
    is shown in ``message``. ``extras`` are widgets under the controls that do not
    redraw (a Train button).

    Text is the slowest thing matplotlib draws: the ticks' numbers, labels, legends and
    titles take about two thirds of a redraw. A subclass whose controls move only some
    artists (curves, markers, a map) over a frame that stays (axes, ticks, labels) names
    them in ``moving()`` and says what the frame shows in ``frame()``. The frame is then
    drawn once and kept as a picture, and a redraw paints only the moving artists over a
    copy of it (matplotlib calls this blitting); the frame is drawn again whenever
    ``frame()`` changes.
    """

    def __init__(
        self,
        controls: Mapping[str, ipywidgets.ValueWidget],
        title: str,
        figsize: tuple[float, float],
        extras: Sequence[ipywidgets.Widget] = (),
    ):
        self.controls = dict(controls)
        # fixed margins, no layout engine: one drawing pass per redraw
        self.figure = Figure(figsize=figsize, dpi=80, layout="none")
        self._canvas = FigureCanvasAgg(self.figure)
        width, _ = self._canvas.get_width_height()
        # shown at the size it is drawn (not stretched and blurred), and shrunk on a
        # narrow screen
        self.image = ipywidgets.Image(
            format="png", layout={"width": f"{width}px", "max_width": "100%", "height": "auto"}
        )
        self.message = ipywidgets.HTML()
        self.redraw_count, self.last_redraw_seconds = 0, 0.0
        self._frame, self._background = None, None  # the frame last drawn, and its picture
        row = ipywidgets.HBox(list(self.controls.values()), layout={"flex_flow": "row wrap"})
        header = ipywidgets.HTML(f"<b>{title}</b>")
        self.widget = ipywidgets.VBox([header, row, *extras, self.message, self.image])
        for control in self.controls.values():
            if hasattr(control.style, "description_width"):
                control.style.description_width = "initial"  # whole labels, not "hidden un..."
            control.observe(lambda _change: self.redraw(), names="value")
        self.setup(self.figure)
        self.redraw()

    def setup(self, figure: Figure) -> None:
        """Create the axes and artists that ``draw`` updates, before the first draw."""

    def draw(self, figure: Figure, **values: Any) -> str | None:
        """Update the figure for the controls' ``values``; return a message or None."""
        raise NotImplementedError("override draw in a subclass of Explorer")

    def moving(self) -> list[Artist]:
        """The artists a redraw changes, painted over the frame; none: draw it all."""
        return []

    def frame(self) -> Hashable:
        """What the rest of the figure shows (its limits, say): a change redraws it."""
        return None

    @property
    def values(self) -> dict[str, Any]:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def redraw(self) -> None:
        """Call ``draw`` with the controls' values and show the figure again."""
        self.refresh(lambda figure: self.draw(figure, **self.values))

    def refresh(self, update: Callable[[Figure], str | None]) -> None:
        """Apply ``update(figure)``, show the figure again, and any message returned."""
        start = time.perf_counter()
        text = update(self.figure)
        if text is not None:
            self.message.value = text
        self._paint()
        buffer = io.BytesIO()
        pixels = Image.fromarray(np.asarray(self._canvas.buffer_rgba()))
        pixels.save(buffer, format="png", compress_level=1)  # light compression: fast
        self.image.value = buffer.getvalue()
        self.redraw_count += 1
        self.last_redraw_seconds = time.perf_counter() - start

    def _paint(self) -> None:
        """Draw the figure on the canvas: the frame if it changed, then what moves."""
        moving = self.moving()
        if not moving:
            self._canvas.draw()
            return
        # a map or a curve may reach its axes' edges: their spines are painted over it
        # again, as a full draw paints them
        axes = dict.fromkeys(artist.axes for artist in moving if artist.axes is not None)
        spines = [spine for ax in axes for spine in ax.spines.values()]
        moving = sorted([*moving, *spines], key=lambda artist: artist.get_zorder())
        frame = self.frame()
        if self._background is None or frame != self._frame:
            for artist in moving:
                artist.set_animated(True)  # left out of the frame's picture
            # before matplotlib 3.11 an axes draws its images even when animated
            images = [a for a in moving if isinstance(a, AxesImage) and a.get_visible()]
            for image in images:
                image.set_visible(False)
            self._canvas.draw()
            for image in images:
                image.set_visible(True)
            self._background = self._canvas.copy_from_bbox(self.figure.bbox)
            self._frame = frame
        else:
            self._canvas.restore_region(self._background)
        for artist in moving:  # lowest first, as a full draw would paint them
            self.figure.draw_artist(artist)

    def _ipython_display_(self) -> None:
        display(self.widget)
