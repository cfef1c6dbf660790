"""plotting for notebook 13: digits, probability bars, misclassified, a 10x10 matrix."""

import matplotlib.colors
import matplotlib.pyplot as plt
import pytest
import torch

from course_utils import plotting

X = torch.rand(6, 64, generator=torch.Generator().manual_seed(0))
y = torch.tensor([0, 1, 2, 3, 4, 5])


def centre(image):
    """(x, y) of an image's centre in its Axes' data coordinates (y grows downwards)."""
    left, right, bottom, top = image.get_extent()
    return (left + right) / 2, (top + bottom) / 2


def test_digit_grid_shows_each_image_row_by_row_with_its_label():
    figure = plotting.plot_digits(X, y, columns=4)
    (ax,) = figure.axes
    assert len(ax.images) == 6
    for k, image in enumerate(ax.images):
        assert torch.equal(torch.as_tensor(image.get_array()), X[k].reshape(8, 8))
    xs, ys = zip(*(centre(image) for image in ax.images), strict=True)
    assert xs[0] < xs[1] < xs[2] < xs[3] and xs[4] == xs[0] and xs[5] == xs[1]  # 4 per row
    assert ys[0] == ys[3] < ys[4] == ys[5]  # the second row below the first
    for k, (image, label) in enumerate(zip(ax.images, ax.texts, strict=True)):
        left, right, bottom, top = image.get_extent()
        assert label.get_text() == str(k)
        assert label.get_position()[0] == pytest.approx((left + right) / 2)  # centred over it
        assert label.get_position()[1] < top < bottom  # above it (y grows downwards)
    plt.close(figure)


def test_probability_bars_have_the_probabilities_as_heights_and_colour_the_classes():
    probabilities = torch.tensor([0.1, 0.6, 0.3])
    ax = plotting.plot_class_probabilities(probabilities, true_class=2)
    bars = ax.patches
    assert [b.get_height() for b in bars] == pytest.approx([0.1, 0.6, 0.3])
    assert (
        matplotlib.colors.to_hex(bars[1].get_facecolor()) == plotting.WRONG_COLOR.lower()
    )  # predicted
    assert matplotlib.colors.to_hex(bars[2].get_facecolor()) == plotting.RIGHT_COLOR.lower()  # true
    plt.close(ax.figure)


def test_misclassified_shows_only_the_wrong_ones_each_over_its_bars():
    probabilities = torch.eye(6)[[0, 3, 2, 3, 1, 5]] * 0.9 + 0.1 / 6  # examples 1 and 4 wrong
    figure = plotting.plot_misclassified(X, probabilities, y)
    images_ax, bars_ax = figure.axes
    assert [t.get_text() for t in images_ax.texts] == ["true 1, predicted 3", "true 4, predicted 1"]
    assert torch.equal(torch.as_tensor(images_ax.images[1].get_array()), X[4].reshape(8, 8))
    heights = [bar.get_height() for bar in bars_ax.patches]
    assert heights == pytest.approx(probabilities[1].tolist() + probabilities[4].tolist())
    for k, image in enumerate(images_ax.images):  # each image centred over its 6 bars
        group = bars_ax.patches[6 * k : 6 * k + 6]
        middle = (group[0].get_x() + group[-1].get_x() + group[-1].get_width()) / 2
        assert centre(image)[0] == pytest.approx(middle)
    colors = [matplotlib.colors.to_hex(bar.get_facecolor()) for bar in bars_ax.patches[:6]]
    assert colors[1] == plotting.RIGHT_COLOR.lower() and colors[3] == plotting.WRONG_COLOR.lower()
    plt.close(figure)
    assert plotting.plot_misclassified(X, torch.eye(6), y) is None  # nothing wrong


def test_ten_class_confusion_matrix_names_the_classes_by_their_digit():
    matrix = torch.arange(100).reshape(10, 10)
    ax = plotting.plot_confusion_matrix(matrix)
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(k) for k in range(10)]
    texts = {
        (round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts
    }
    assert texts[(3, 7)] == "37"  # row 3 (true), column 7 (predicted)
    plt.close(ax.figure)
    ax = plotting.plot_confusion_matrix(torch.tensor([[3, 1], [2, 4]]))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["class 0", "class 1"]
    plt.close(ax.figure)


def test_fewer_labels_than_images_is_a_clear_error():
    with pytest.raises(ValueError, match="5 images but 3 labels: pass one label per image"):
        plotting.plot_digits(torch.rand(5, 64), torch.arange(3))
