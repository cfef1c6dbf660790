"""The digit pad: click an 8x8 grid to draw a digit and watch the model's ten probabilities."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets
import torch
from matplotlib.figure import Figure
from torch import Tensor, nn

from course_utils import models, plotting
from course_utils.widgets._explorer import Explorer

__all__ = ["digit_pad", "DigitPad", "PAD_SIZE"]

PAD_SIZE = 8  # pixels per side, as the digits data set
INK, PAPER = "#222222", "#ffffff"
PREDICTED_COLOR, OTHER_COLOR = plotting.PREDICTED_COLOR, plotting.OTHER_COLOR


def _pixel_button(row: int, column: int) -> ipywidgets.Button:
    button = ipywidgets.Button(
        description="",
        tooltip=f"pixel ({row}, {column})",
        # a thin border: the white cells must show on the white page
        layout=ipywidgets.Layout(
            width="30px", height="30px", margin="0px", padding="0px", border="1px solid #bbbbbb"
        ),
    )
    button.style.button_color = PAPER
    button.add_class("digit-pad-pixel")
    return button


def _starting_images(examples: tuple[Tensor, Tensor] | None) -> dict[str, Tensor]:
    """A blank pad, and the first example of each class in ``examples``, by the name shown."""
    starts = {"blank": torch.zeros(PAD_SIZE * PAD_SIZE)}
    if examples is None:
        return starts
    X, y = examples
    if X.dim() != 2 or X.shape[1] != PAD_SIZE * PAD_SIZE:
        raise ValueError(
            f"examples must be images of {PAD_SIZE * PAD_SIZE} pixels, shape (N, 64), got "
            f"{tuple(X.shape)}: pass the pixels before standardizing"
        )
    for digit in sorted(set(y.tolist())):
        first = int((y == digit).nonzero()[0])
        starts[f"a {digit}"] = X[first].detach().cpu().clone()
    return starts


class DigitPad(Explorer):
    """An explorer whose picture answers clicks on an 8x8 pad of pixels: see ``digit_pad``.

    Its state is the pixels drawn (``pixels``, 64 values row by row, 0 paper to 1 ink) and the
    cell buttons that show them; ``click(index)`` inks or erases cell ``row * 8 + column``.
    """

    def __init__(
        self,
        model: nn.Module,
        preprocess: Callable[[Tensor], Tensor] | None = None,
        examples: tuple[Tensor, Tensor] | None = None,
    ):
        self.model, self.preprocess = model, preprocess
        self.device = models.device_of(model)
        self.starts = _starting_images(examples)
        self.pixels = torch.zeros(PAD_SIZE * PAD_SIZE)
        self.buttons = [_pixel_button(r, c) for r in range(PAD_SIZE) for c in range(PAD_SIZE)]
        for index, button in enumerate(self.buttons):
            button.on_click(lambda _button, index=index: self.click(index))
        self.clear_button = ipywidgets.Button(description="Clear", icon="eraser")
        self.clear_button.on_click(lambda _button: self.clear())
        pad = ipywidgets.GridBox(
            self.buttons,
            layout=ipywidgets.Layout(
                grid_template_columns=f"repeat({PAD_SIZE}, 30px)",
                grid_gap="1px",
                width="max-content",
            ),
        )
        pad.add_class("digit-pad")
        self.loaded_start: str | None = None
        self.last_probabilities = torch.full((10,), 0.1)
        start = ipywidgets.Dropdown(
            options=list(self.starts), value="blank", description="start from"
        )
        pad_and_clear = ipywidgets.HBox(
            [pad, self.clear_button], layout={"align_items": "flex-end"}
        )
        super().__init__(
            {"start": start}, figsize=(6.5, 2.6), title="Digit pad", extras=[pad_and_clear]
        )

    def click(self, index: int) -> None:
        """Ink cell ``index`` (row * 8 + column), or erase it when it is already dark; redraw."""
        self.pixels[index] = 0.0 if self.pixels[index] > 0.5 else 1.0
        self.buttons[index].style.button_color = INK if self.pixels[index] else PAPER
        self.redraw()

    def clear(self) -> None:
        """Erase every cell; redraw."""
        self.pixels.zero_()
        self._show_pixels()
        self.redraw()

    def probabilities(self) -> Tensor:
        """The model's ten probabilities for the pixels drawn, in eval mode, without gradients."""
        x = self.pixels.unsqueeze(0)  # (1, 64): a batch of one
        with models.eval_mode(self.model):
            if self.preprocess is not None:
                x = self.preprocess(x)
            return self.model(x.to(self.device)).softmax(dim=1)[0].cpu()  # (10,)

    def _show_pixels(self) -> None:
        for button, value in zip(self.buttons, self.pixels.tolist(), strict=True):
            level = int(255 * (1 - value))  # shades of grey: a real digit's strokes are soft
            button.style.button_color = f"#{level:02x}{level:02x}{level:02x}"

    def setup(self, figure: Figure) -> None:
        figure.set_layout_engine("none")  # fixed margins: one drawing pass per redraw
        image_ax = figure.add_axes((0.02, 0.12, 0.28, 0.76))  # (left, bottom, width, height)
        self.bars_ax = figure.add_axes((0.40, 0.17, 0.57, 0.71))
        blank = plotting.digit_image(self.pixels).numpy()
        self.picture = image_ax.imshow(blank, cmap="gray_r", vmin=0, vmax=1)
        image_ax.set_title("what the model sees", fontsize="medium")
        image_ax.set_xticks([])
        image_ax.set_yticks([])
        plotting.plot_class_probabilities(self.last_probabilities, ax=self.bars_ax)

    def draw(self, figure: Figure, start: str) -> str:
        if start != self.loaded_start:  # a new start picked: load it (a click keeps the drawing)
            self.pixels.copy_(self.starts[start])
            self._show_pixels()
            self.loaded_start = start
        probabilities = self.last_probabilities = self.probabilities()
        predicted = int(probabilities.argmax())
        self.picture.set_data(plotting.digit_image(self.pixels).numpy())
        for digit, bar in enumerate(self.bars_ax.patches):
            bar.set_height(probabilities[digit].item())
            bar.set_color(PREDICTED_COLOR if digit == predicted else OTHER_COLOR)
        confidence = probabilities[predicted].item()
        self.bars_ax.set_title(
            f"the model's probabilities: {predicted} ({100 * confidence:.0f}%)", fontsize="medium"
        )
        return (
            f"The model reads <b>{predicted}</b> with probability {confidence:.2f}. "
            "Click a cell to ink or erase it."
        )


def digit_pad(
    model: nn.Module,
    preprocess: Callable[[Tensor], Tensor] | None = None,
    examples: tuple[Tensor, Tensor] | None = None,
) -> DigitPad:
    """An explorer: click the cells of an 8x8 pad to ink or erase them; the model's probabilities redraw.

    ``model`` maps (N, 64) inputs to (N, 10) logits; ``preprocess`` turns the pad's pixels
    (0 = white, 1 = black, the scale of ``data.load_digits``) into the model's input, e.g. a
    fitted ``Standardizer``'s ``transform``. With ``examples`` (images ``X`` of pixels in [0, 1],
    labels ``y``), a dropdown starts the pad from one real digit of each class. The model runs
    in eval mode without gradients, on the device of its weights, and is left in its mode.
    Example: ``widgets.digit_pad(model, standardizer.transform, examples=(X_test, y_test))``.
    """
    return DigitPad(model, preprocess, examples)
