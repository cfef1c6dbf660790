"""plotting.plot_history and plot_confusion_matrix (Agg backend, see conftest.py)."""

import matplotlib.pyplot as plt
import pytest
import torch

from course_utils import plotting, training


def test_plot_history_draws_the_loss_curves_only_without_validation_data():
    history = training.History(train_loss=[0.5, 0.3, 0.2])
    ax = plotting.plot_history(history)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["train loss"]
    assert list(lines[0].get_xdata()) == [1, 2, 3]
    assert list(lines[0].get_ydata()) == [0.5, 0.3, 0.2]
    assert len(ax.figure.axes) == 1  # no accuracy axis
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    plt.close(ax.figure)


def test_plot_history_adds_validation_loss_and_accuracy_in_percent_on_a_second_axis():
    history = training.History(
        train_loss=[0.5, 0.3],
        val_loss=[0.6, 0.4],
        val_accuracy=[0.8, 0.9],
        train_accuracy=[0.85, 0.95],
    )
    ax = plotting.plot_history(history, title="run 1")
    assert [line.get_label() for line in ax.get_lines()] == ["train loss", "validation loss"]
    accuracy_ax = next(a for a in ax.figure.axes if a is not ax)
    curves = {line.get_label(): list(line.get_ydata()) for line in accuracy_ax.get_lines()}
    assert curves["validation accuracy"] == pytest.approx([80.0, 90.0])
    assert curves["train accuracy"] == pytest.approx([85.0, 95.0])
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["train loss", "validation loss", "train accuracy", "validation accuracy"]
    assert ax.get_title() == "run 1"
    plt.close(ax.figure)


def test_plot_history_drops_the_markers_on_long_histories():
    short = plotting.plot_history({"train_loss": [1.0, 0.5]})
    long = plotting.plot_history({"train_loss": [1.0 / (i + 1) for i in range(100)]})
    assert short.get_lines()[0].get_marker() == "o"
    assert long.get_lines()[0].get_marker() in ("", "None")
    plt.close("all")


def test_plot_history_accepts_a_dict_and_an_axes_and_refuses_an_empty_history():
    _, axes = plt.subplots(1, 2)
    ax = plotting.plot_history({"train_loss": [1.0, 0.5]}, ax=axes[1])
    assert ax is axes[1] and len(ax.get_lines()) == 1
    with pytest.raises(ValueError, match="empty"):
        plotting.plot_history(training.History())
    plt.close(axes[0].figure)


def test_plot_confusion_matrix_writes_the_counts_and_names_in_the_cells():
    matrix = torch.tensor([[50, 3], [7, 40]])  # [[TN, FP], [FN, TP]]
    ax = plotting.plot_confusion_matrix(matrix, class_names=("no", "yes"))
    texts = {(t.get_position(), t.get_text()) for t in ax.texts}
    assert texts == {((0, 0), "50\nTN"), ((1, 0), "3\nFP"), ((0, 1), "7\nFN"), ((1, 1), "40\nTP")}
    assert [t.get_text() for t in ax.get_xticklabels()] == ["no", "yes"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    image = ax.get_images()[0].get_array()
    assert image[1, 0] == 7  # row = true class, column = predicted
    plt.close(ax.figure)


def test_plot_confusion_matrix_accepts_lists_and_checks_its_input():
    ax = plotting.plot_confusion_matrix([[1, 0, 0], [0, 2, 0], [1, 0, 3]], class_names="abc")
    assert sorted(t.get_text() for t in ax.texts) == ["0"] * 5 + ["1", "1", "2", "3"]
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="square"):
        plotting.plot_confusion_matrix([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ValueError, match="one name per class"):
        plotting.plot_confusion_matrix([[1, 2], [3, 4]], class_names=("a", "b", "c"))
