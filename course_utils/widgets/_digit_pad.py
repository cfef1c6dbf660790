"""The digit pad: click an 8x8 grid to draw a digit and watch the model's ten probabilities."""

from collections.abc import Callable

import ipywidgets
import torch
from matplotlib.figure import Figure
from torch import Tensor, nn

from course_utils import models, plotting
from course_utils.widgets._explorer import Explorer

_SIDE = 8  # pixels per side, as the digits data set
# a thin border: the white cells must show on the white page
_CELL = dict(width="30px", height="30px", margin="0", padding="0", border="1px solid #bbb")


def _starting_images(examples: tuple[Tensor, Tensor] | None) -> dict[str, Tensor]:
    """A blank pad, and the first example of each class in ``examples``, by the name shown."""
    starts = {"blank": torch.zeros(_SIDE * _SIDE)}
    if examples is None:
        return starts
    X, y = examples
    if X.dim() != 2 or X.shape[1] != _SIDE * _SIDE:
        raise ValueError(
            f"examples must be images of 64 pixels, shape (N, 64), got {tuple(X.shape)}: "
            "pass the pixels before standardizing"
        )
    for digit in sorted(set(y.tolist())):
        starts[f"a {digit}"] = X[int((y == digit).nonzero()[0])].detach().cpu().clone()
    return starts


class DigitPad(Explorer):
    """Click the cells of an 8x8 pad to ink or erase them; the model's ten probabilities redraw.

    ``model`` maps (N, 64) pixels in [0, 1] (white 0, black 1, as ``data.load_digits``) to (N, 10)
    logits, after ``preprocess`` (the scaling the training data had). With ``examples`` (X, y),
    a dropdown starts the pad from the first digit of each class. Where the top probability is
    below ``threshold``, the pad abstains: it says "not sure" rather than a digit.
    """

    def __init__(
        self,
        model: nn.Module,
        preprocess: Callable[[Tensor], Tensor] | None = None,
        examples: tuple[Tensor, Tensor] | None = None,
        threshold: float = 0.0,
    ):
        if not 0 <= threshold <= 1:
            raise ValueError(f"threshold is a probability, from 0 to 1, got {threshold!r}")
        self.model, self.preprocess = model, preprocess or (lambda pixels: pixels)
        self.threshold = threshold
        self.starts = _starting_images(examples)
        self.loaded_start: str | None = None
        self.pixels = torch.zeros(_SIDE * _SIDE)  # row by row, 0 paper to 1 ink
        self.buttons = [
            ipywidgets.Button(tooltip=f"pixel ({i // _SIDE}, {i % _SIDE})", layout=_CELL)
            for i in range(_SIDE * _SIDE)
        ]
        for index, button in enumerate(self.buttons):
            button.add_class("digit-pad-pixel")
            button.on_click(lambda _button, index=index: self.click(index))
        self.clear_button = ipywidgets.Button(description="Clear", icon="eraser")
        self.clear_button.on_click(lambda _button: self.clear())
        grid = {"grid_template_columns": f"repeat({_SIDE}, 30px)", "grid_gap": "1px"}
        pad = ipywidgets.GridBox(self.buttons, layout={**grid, "width": "max-content"})
        pad.add_class("digit-pad")
        start = ipywidgets.Dropdown(options=list(self.starts), description="start from")
        pad_and_clear = ipywidgets.HBox(
            [pad, self.clear_button], layout={"align_items": "flex-end"}
        )
        super().__init__({"start": start}, "Digit pad", (6.5, 2.6), extras=[pad_and_clear])

    def click(self, index: int) -> None:
        """Ink cell ``index`` (row * 8 + column), or erase it when it is already dark; redraw."""
        self.pixels[index] = 0.0 if self.pixels[index] > 0.5 else 1.0
        self.redraw()

    def clear(self) -> None:
        """Erase every cell; redraw."""
        self.pixels.zero_()
        self.redraw()

    def probabilities(self) -> Tensor:
        """The model's ten probabilities for the pixels drawn (eval mode, on its device)."""
        with models.eval_mode(self.model):
            x = self.preprocess(self.pixels.unsqueeze(0))  # (1, 64): a batch of one
            return self.model(x.to(models.device_of(self.model))).softmax(dim=1)[0].cpu()

    def _show_pixels(self) -> None:
        for button, value in zip(self.buttons, self.pixels.tolist(), strict=True):
            level = int(255 * (1 - value))  # shades of grey: a real digit's strokes are soft
            button.style.button_color = f"#{level:02x}{level:02x}{level:02x}"

    def setup(self, figure: Figure) -> None:
        image_ax = figure.add_axes((0.02, 0.12, 0.28, 0.76))
        self.bars_ax = figure.add_axes((0.40, 0.17, 0.57, 0.71))
        self.picture = image_ax.imshow(
            plotting.digit_image(self.pixels).numpy(), cmap="gray_r", vmin=0, vmax=1
        )
        image_ax.set_title("what the model sees", fontsize="medium")
        image_ax.set(xticks=[], yticks=[])
        plotting.plot_class_probabilities(torch.full((10,), 0.1), ax=self.bars_ax)

    def draw(self, figure: Figure, start: str) -> str:
        if start != self.loaded_start:  # a new start picked: load it (a click keeps the drawing)
            self.pixels.copy_(self.starts[start])
            self.loaded_start = start
        self._show_pixels()
        probabilities = self.probabilities()
        predicted = int(probabilities.argmax())
        confidence = probabilities[predicted].item()
        sure = confidence >= self.threshold  # else abstain: notebook 13's rule
        self.picture.set_data(plotting.digit_image(self.pixels).numpy())
        for digit, bar in enumerate(self.bars_ax.patches):
            bar.set_height(probabilities[digit].item())
            top = digit == predicted and sure
            bar.set_color(plotting.PREDICTED_COLOR if top else plotting.OTHER_COLOR)
        answer = predicted if sure else "not sure"
        self.bars_ax.set_title(
            f"the model's probabilities: {answer} ({100 * confidence:.0f}%)", fontsize="medium"
        )
        if sure:
            reading = f"<b>{predicted}</b> with probability {confidence:.2f}"
        else:  # the top probability still shows: abstaining hides no information
            reading = (
                f"no digit, <b>not sure</b>: its top probability, {confidence:.2f} for "
                f"{predicted}, is below the threshold {self.threshold:g}"
            )
        return f"The model reads {reading}. Click a cell to ink or erase it."
