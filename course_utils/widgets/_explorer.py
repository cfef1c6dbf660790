"""The one way the course builds an explorer: controls, one reused figure, and an image of it."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets
from IPython.display import display
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

__all__ = ["Explorer"]


class Explorer:
    """Controls that redraw one matplotlib figure, shown as a PNG in an ``ipywidgets.Image``.

    A subclass sets its state as attributes, then calls ``super().__init__``; ``setup(figure)``
    creates the axes and artists once and ``draw(figure, **values)`` updates their data from the
    controls' values (or pass a ``draw`` function instead of subclassing). A string ``draw``
    returns is shown as HTML in ``message``; ``extras`` are widgets under the controls that do not
    redraw (a Train button). Setting a control's ``.value`` redraws at once, and
    ``redraw_count``, ``last_redraw_seconds`` and ``image.value`` (the PNG) let tests see it.
    """

    def __init__(
        self,
        controls: Mapping[str, ipywidgets.ValueWidget],
        draw: Callable[..., str | None] | None = None,
        figsize: tuple[float, float] = (8, 3.5),
        title: str = "",
        dpi: int = 80,
        extras: Sequence[ipywidgets.Widget] = (),
    ):
        self.controls = dict(controls)
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self._canvas = FigureCanvasAgg(self.figure)  # one canvas, drawn again on each redraw
        width, height = self._canvas.get_width_height()
        # shown at the size it is drawn (one image pixel per screen pixel), not stretched to the
        # notebook's width and blurred; on a narrower screen it shrinks, keeping its proportions
        self.image = ipywidgets.Image(
            format="png",
            layout=ipywidgets.Layout(width=f"{width}px", max_width="100%", height="auto"),
        )
        self.message = ipywidgets.HTML()
        if draw is not None:
            self.draw = draw  # a plain function in place of a subclass's method
        self.redraw_count = 0
        self.last_redraw_seconds = 0.0
        header = [ipywidgets.HTML(f"<b>{title}</b>")] if title else []
        self.widget = ipywidgets.VBox(
            [
                *header,
                ipywidgets.HBox(list(self.controls.values()), layout={"flex_flow": "row wrap"}),
                *extras,
                self.message,
                self.image,
            ]
        )
        for control in self.controls.values():
            if hasattr(control.style, "description_width"):
                control.style.description_width = "initial"  # show whole labels, not "hidden un..."
            control.observe(self._on_change, names="value")
        self.setup(self.figure)
        self.redraw()

    def setup(self, figure: Figure) -> None:
        """Create the axes and artists that ``draw`` updates (once, before the first draw)."""

    def draw(self, figure: Figure, **values: Any) -> str | None:
        """Update the figure for the controls' ``values``; return a message or None."""
        raise NotImplementedError("pass draw=... to Explorer, or override draw in a subclass")

    @property
    def values(self) -> dict[str, Any]:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def _on_change(self, _change: dict) -> None:
        self.redraw()

    def redraw(self) -> None:
        """Call ``draw`` with the controls' values and refresh the image."""
        self.refresh(self._draw_and_say)

    def _draw_and_say(self, figure: Figure) -> None:
        text = self.draw(figure, **self.values)
        if text is not None:
            self.message.value = text

    def refresh(self, update: Callable[[Figure], None] | None = None) -> None:
        """Apply ``update(figure)`` (if given) and show the figure again, without calling ``draw``.

        For explorers whose picture changes without a control moving (a training run)."""
        start = time.perf_counter()
        if update is not None:
            update(self.figure)
        self._canvas.draw()
        width, height = self._canvas.get_width_height(physical=True)
        pixels = Image.frombuffer(
            "RGBA", (width, height), self._canvas.buffer_rgba(), "raw", "RGBA", 0, 1
        )
        buffer = io.BytesIO()
        pixels.save(buffer, format="png", compress_level=1)  # light compression: fast, and local
        self.image.value = buffer.getvalue()
        self.redraw_count += 1
        self.last_redraw_seconds = time.perf_counter() - start

    def _ipython_display_(self) -> None:
        display(self.widget)
