"""The digit pad: click an 8x8 grid to draw a digit and watch the model's ten probabilities.

Introduced in 13_capstone_digits.ipynb.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets
import torch
from matplotlib.figure import Figure
from torch import Tensor, nn

from course_utils import plotting
from course_utils.widgets._explorer import Explorer

__all__ = ["digit_pad", "PAD_SIZE"]

PAD_SIZE = 8  # pixels per side, as the digits data set
INK, PAPER = "#222222", "#ffffff"


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


def digit_pad(
    model: nn.Module,
    preprocess: Callable[[Tensor], Tensor] | None = None,
    examples: tuple[Tensor, Tensor] | None = None,
) -> Explorer:
    """An explorer: click the cells of an 8x8 pad to ink or erase them; the model's probabilities redraw.

    ``model`` maps (N, 64) inputs to (N, 10) logits; ``preprocess`` turns the pad's pixels
    (0 = white, 1 = black, the scale of ``data.load_digits``) into the model's input, e.g. a
    fitted ``Standardizer``'s ``transform``. With ``examples`` (images ``X`` of pixels in [0, 1],
    labels ``y``), a dropdown starts the pad from one real digit of each class. The model runs
    in eval mode without gradients, on the device of its weights, and is left in its mode.
    Example: ``widgets.digit_pad(model, standardizer.transform, examples=(X_test, y_test))``.
    Introduced in 13_capstone_digits.ipynb.
    """
    first_weight = next(model.parameters(), None)
    device = first_weight.device if first_weight is not None else torch.device("cpu")
    starts: dict[str, Tensor] = {"blank": torch.zeros(PAD_SIZE * PAD_SIZE)}
    if examples is not None:
        X, y = examples
        if X.dim() != 2 or X.shape[1] != PAD_SIZE * PAD_SIZE:
            raise ValueError(
                f"examples must be images of {PAD_SIZE * PAD_SIZE} pixels, shape (N, 64), got "
                f"{tuple(X.shape)}: pass the pixels before standardizing"
            )
        for digit in sorted(set(y.tolist())):
            first = int((y == digit).nonzero()[0])  # the first example of this digit
            starts[f"a {digit}"] = X[first].detach().cpu().clone()
    controls = {
        "start": ipywidgets.Dropdown(options=list(starts), value="blank", description="start from")
    }
    pixels = torch.zeros(PAD_SIZE * PAD_SIZE)  # what is drawn, row by row: 0 paper .. 1 ink
    buttons = [_pixel_button(r, c) for r in range(PAD_SIZE) for c in range(PAD_SIZE)]
    clear_button = ipywidgets.Button(description="Clear", icon="eraser")
    pad = ipywidgets.GridBox(
        buttons,
        layout=ipywidgets.Layout(
            grid_template_columns=f"repeat({PAD_SIZE}, 30px)", grid_gap="1px", width="max-content"
        ),
    )
    pad.add_class("digit-pad")
    state: dict = {"start": None}

    def show_pixels() -> None:
        for button, value in zip(buttons, pixels.tolist(), strict=True):
            # shades of grey for the real digits' soft strokes, ink or paper for clicks
            level = int(255 * (1 - value))
            button.style.button_color = f"#{level:02x}{level:02x}{level:02x}"

    def probabilities() -> Tensor:
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                x = pixels.unsqueeze(0)  # (1, 64): a batch of one
                if preprocess is not None:
                    x = preprocess(x)
                return model(x.to(device)).softmax(dim=1)[0].cpu()  # (10,)
        finally:
            model.train(was_training)

    def setup(figure: Figure) -> None:
        figure.set_layout_engine("none")  # fixed margins: one drawing pass per redraw
        image_ax = figure.add_axes((0.02, 0.12, 0.28, 0.76))  # (left, bottom, width, height)
        bars_ax = figure.add_axes((0.40, 0.17, 0.57, 0.71))
        state["image"] = image_ax.imshow(
            plotting.digit_image(pixels).numpy(), cmap="gray_r", vmin=0, vmax=1
        )
        image_ax.set_title("what the model sees", fontsize="medium")
        image_ax.set_xticks([])
        image_ax.set_yticks([])
        plotting.plot_class_probabilities(torch.full((10,), 0.1), ax=bars_ax)
        state["bars"] = bars_ax.patches
        state["bars_ax"] = bars_ax

    def draw(figure: Figure, start: str) -> str:
        if not figure.axes:
            setup(figure)
        if start != state["start"]:  # a new start picked: load it (a click keeps the drawing)
            pixels.copy_(starts[start])
            show_pixels()
            state["start"] = start
        probs = probabilities()
        predicted = int(probs.argmax())
        state["image"].set_data(plotting.digit_image(pixels).numpy())
        for digit, (bar, p) in enumerate(zip(state["bars"], probs.tolist(), strict=True)):
            bar.set_height(p)
            bar.set_color("#1f77b4" if digit == predicted else "#9ecae1")
        state["bars_ax"].set_title(
            f"the model's probabilities: {predicted} ({100 * probs[predicted]:.0f}%)",
            fontsize="medium",
        )
        state["probabilities"] = probs
        return (
            f"The model reads <b>{predicted}</b> with probability {probs[predicted]:.2f}. "
            "Click a cell to ink or erase it."
        )

    explorer = Explorer(
        controls, draw, figsize=(6.5, 2.6), title="Digit pad",
        extras=[ipywidgets.HBox([pad, clear_button], layout={"align_items": "flex-end"})],
    )  # fmt: skip

    def toggle(index: int) -> None:
        pixels[index] = 0.0 if pixels[index] > 0.5 else 1.0
        value = pixels[index].item()
        buttons[index].style.button_color = INK if value else PAPER
        explorer.redraw()

    def clear(_button=None) -> None:
        pixels.zero_()
        show_pixels()
        explorer.redraw()

    for index, button in enumerate(buttons):
        button.on_click(lambda _button, index=index: toggle(index))
    clear_button.on_click(clear)
    explorer.pixels = pixels
    explorer.buttons = buttons
    explorer.clear_button = clear_button
    explorer.click = toggle  # for tests and the benchmark: click cell ``index`` (row * 8 + column)
    explorer.probabilities = lambda: state["probabilities"]
    return explorer
