"""The plots of 02_data_preparation and 04_model_definition (Agg, see conftest)."""

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.patches import Circle

from course_utils import plotting


def test_train_test_split_plot_draws_every_point_once_in_its_class_and_set():
    generator = torch.Generator().manual_seed(0)
    X_train = torch.randn(30, 2, generator=generator)
    y_train = torch.tensor([0.0] * 12 + [1.0] * 18).reshape(-1, 1)
    X_test = torch.randn(7, 2, generator=generator)
    y_test = torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0]).reshape(-1, 1)
    ax = plotting.plot_train_test_split(X_train, y_train, X_test, y_test, title="split")

    by_label = {c.get_label(): c for c in ax.collections}
    assert set(by_label) == {
        "train, class 0 (12)",
        "train, class 1 (18)",
        "test, class 0 (2)",
        "test, class 1 (5)",
    }
    # the offsets are exactly the input points of that set and class, in order
    expected = {
        "train, class 0 (12)": X_train[:12],
        "train, class 1 (18)": X_train[12:],
        "test, class 0 (2)": X_test[[1, 4]],
        "test, class 1 (5)": X_test[[0, 2, 3, 5, 6]],
    }
    for label, points in expected.items():
        offsets = torch.as_tensor(by_label[label].get_offsets(), dtype=torch.float32)
        assert torch.allclose(offsets, points)
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert len(legend) == 4
    assert ax.get_title() == "split"
    plt.close(ax.figure)


def test_train_test_split_plot_uses_the_given_axes():
    _, ax = plt.subplots()
    X = torch.zeros(4, 2)
    y = torch.tensor([[0.0], [1.0], [0.0], [1.0]])
    assert plotting.plot_train_test_split(X, y, X[:2], y[:2], ax=ax) is ax
    plt.close(ax.figure)


@pytest.mark.parametrize("layer_sizes", [[2, 10, 1], [3, 4, 4, 2], [1, 1]])
def test_network_plot_has_one_circle_per_unit_and_one_line_per_weight(layer_sizes):
    ax = plotting.plot_network(layer_sizes, title="net")
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(circles) == sum(layer_sizes)
    weights = sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:], strict=True))
    assert len(ax.lines) == weights
    # one column of circles per layer, each as tall as the layer has units
    columns = {}
    for circle in circles:
        columns.setdefault(circle.center[0], []).append(circle.center[1])
    assert [len(columns[x]) for x in sorted(columns)] == layer_sizes
    assert all(abs(sum(ys)) < 1e-9 for ys in columns.values())  # centred on the middle line
    texts = [t.get_text() for t in ax.texts]
    assert texts[0] == f"input\n({layer_sizes[0]})" and texts[-1] == f"output\n({layer_sizes[-1]})"
    assert ax.get_title() == "net"
    plt.close(ax.figure)


def test_network_plot_names_the_hidden_layers():
    ax = plotting.plot_network([2, 3, 3, 1])
    assert [t.get_text() for t in ax.texts][1:3] == ["hidden 1\n(3)", "hidden 2\n(3)"]
    plt.close(ax.figure)
    ax = plotting.plot_network([2, 3, 1])
    assert [t.get_text() for t in ax.texts] == ["input\n(2)", "hidden\n(3)", "output\n(1)"]
    plt.close(ax.figure)


@pytest.mark.parametrize(
    ("layer_sizes", "message"), [([4], "at least two layers"), ([2, 0, 1], "at least one unit")]
)
def test_network_plot_explains_bad_arguments(layer_sizes, message):
    with pytest.raises(ValueError, match=message):
        plotting.plot_network(layer_sizes)
