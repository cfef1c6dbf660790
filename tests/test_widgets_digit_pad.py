"""The digit pad, headless: clicks change the pixels, and the bars show the model's softmax."""

import matplotlib.pyplot as plt
import pytest
import torch

from course_utils import data, models
from course_utils.widgets import digit_pad


def make_model():
    torch.manual_seed(0)
    return models.MulticlassMLP(64, 16, num_classes=10)


def model_probabilities(model, pixels, preprocess=lambda x: x):
    with torch.no_grad():
        return model(preprocess(pixels.reshape(1, 64))).softmax(dim=1)[0]


def test_a_click_inks_a_cell_and_the_bars_show_the_models_probabilities():
    model = make_model()
    pad = digit_pad(model)
    figure, before = pad.figure, bytes(pad.image.value)
    pad.buttons[3 * 8 + 4].click()  # row 3, column 4
    expected = torch.zeros(64)
    expected[3 * 8 + 4] = 1.0
    assert torch.equal(pad.pixels, expected)
    assert pad.buttons[3 * 8 + 4].style.button_color != pad.buttons[0].style.button_color
    probabilities = model_probabilities(model, expected)
    torch.testing.assert_close(pad.probabilities(), probabilities)
    bars = figure.axes[1].patches
    assert [b.get_height() for b in bars] == probabilities.tolist()
    predicted = int(probabilities.argmax())
    assert f"<b>{predicted}</b>" in pad.message.value
    image = figure.axes[0].images[0].get_array()
    assert image[3, 4] == 1 and image.sum() == 1  # the picture is the pad, row by row
    assert pad.figure is figure and bytes(pad.image.value) != before
    pad.buttons[3 * 8 + 4].click()  # a second click erases
    assert pad.pixels.sum() == 0


def test_starting_from_an_example_loads_its_pixels_and_preprocess_is_applied():
    X, y = data.load_digits()
    model = make_model()
    mean, std = X.mean(dim=0), X.std(dim=0) + 1

    def preprocess(pixels):
        return (pixels - mean) / std

    pad = digit_pad(model, preprocess, examples=(X[:50], y[:50]))
    assert pad.controls["start"].options == ("blank", *(f"a {d}" for d in range(10)))
    pad.controls["start"].value = "a 7"
    first_seven = X[:50][y[:50] == 7][0]
    assert torch.equal(pad.pixels, first_seven)
    torch.testing.assert_close(
        pad.probabilities(), model_probabilities(model, first_seven, preprocess)
    )
    pad.buttons[0].click()  # a click keeps the loaded digit and changes one pixel
    assert pad.pixels[0] == 1 and torch.equal(pad.pixels[1:], first_seven[1:])
    pad.clear_button.click()
    assert pad.pixels.sum() == 0


def test_the_model_is_left_as_found_and_no_pyplot_figure_opens():
    model = make_model()
    model.train()
    figures = plt.get_fignums()
    pad = digit_pad(model)
    pad.buttons[10].click()
    assert model.training
    assert all(p.grad is None for p in model.parameters())
    assert plt.get_fignums() == figures


def test_below_the_threshold_the_pad_abstains_and_says_so():
    model = make_model()
    stroke = torch.zeros(64)
    stroke[[12, 20, 28, 36, 44]] = 1.0  # column 4, rows 1 to 5
    top = model_probabilities(model, stroke).max().item()  # an untrained model: far below 1
    for threshold, sure in [(top - 0.01, True), (top + 0.01, False)]:
        pad = digit_pad(model, threshold=threshold)
        for index in (12, 20, 28, 36, 44):
            pad.buttons[index].click()
        predicted = int(model_probabilities(model, stroke).argmax())
        bar_colors = [bar.get_facecolor() for bar in pad.figure.axes[1].patches]
        if sure:
            assert f"reads <b>{predicted}</b> with probability {top:.2f}" in pad.message.value
            assert len(set(bar_colors)) == 2  # the predicted digit's bar stands out
        else:
            assert "<b>not sure</b>" in pad.message.value
            assert f"{top:.2f} for {predicted}, is below the threshold" in pad.message.value
            assert len(set(bar_colors)) == 1  # no digit is named
            assert "not sure" in pad.figure.axes[1].get_title()


def test_examples_of_the_wrong_shape_and_a_threshold_above_1_are_refused():
    with pytest.raises(ValueError, match=r"shape \(N, 64\)"):
        digit_pad(make_model(), examples=(torch.zeros(3, 8, 8), torch.zeros(3)))
    with pytest.raises(ValueError, match="from 0 to 1, got 90"):
        digit_pad(make_model(), threshold=90)
