"""plotting for notebook 13: digit grids, probability bars, misclassified digits, a 10x10 matrix."""

import matplotlib.colors
import matplotlib.pyplot as plt
import pytest
import torch

from course_utils import plotting

X = torch.rand(6, 64, generator=torch.Generator().manual_seed(0))
y = torch.tensor([0, 1, 2, 3, 4, 5])


def test_digit_grid_shows_each_image_row_by_row_with_its_label():
    figure = plotting.plot_digits(X, y, columns=4)
    shown = [ax for ax in figure.axes if ax.images]
    assert len(shown) == 6 and len(figure.axes) == 8  # 2 rows of 4, two empty places
    for k, ax in enumerate(shown):
        assert torch.equal(torch.as_tensor(ax.images[0].get_array()), X[k].reshape(8, 8))
        assert ax.get_title() == str(k)
    plt.close(figure)


def test_digit_grid_marks_wrong_predictions_in_the_wrong_colour():
    predicted = torch.tensor([0, 1, 7, 3, 4, 5])
    figure = plotting.plot_digits(X, y, predicted)
    titles = [ax.title for ax in figure.axes]
    assert titles[2].get_text() == "2 → 7"
    assert matplotlib.colors.to_hex(titles[2].get_color()) == plotting.WRONG_COLOR.lower()
    assert matplotlib.colors.to_hex(titles[0].get_color()) == "#000000"
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


def test_misclassified_shows_only_the_wrong_ones_with_their_bars():
    probabilities = torch.eye(6)[[0, 3, 2, 3, 1, 5]] * 0.9 + 0.1 / 6  # examples 1 and 4 wrong
    figure = plotting.plot_misclassified(X, probabilities, y)
    titles = [ax.get_title() for ax in figure.axes if ax.images]
    assert titles == ["true 1, predicted 3", "true 4, predicted 1"]
    bar_axes = [ax for ax in figure.axes if ax.patches]
    assert [b.get_height() for b in bar_axes[0].patches] == pytest.approx(probabilities[1].tolist())
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
