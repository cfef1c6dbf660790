import math

import torch
from torch import nn

from course_utils import metrics, models
from course_utils.widgets import inference_explorer


def make_model():
    torch.manual_seed(0)
    return models.SimpleClassifier(2, 10)


def test_moving_the_point_shows_the_models_probability_and_class():
    model = make_model()
    X = torch.randn(40, 2)
    y = (X[:, :1] > 0).float()
    explorer = inference_explorer(model, X, y, point=(1.0, -1.0))
    figure, before = explorer.figure, bytes(explorer.image.value)
    explorer.controls["x1"].value = -2.5
    explorer.controls["x2"].value = 3.0
    expected = model(torch.tensor([[-2.5, 3.0]])).item()
    probability, predicted = explorer.prediction()
    assert abs(probability - expected) < 1e-6
    assert predicted == int(expected > 0.5)
    assert f"{expected:.4f}" in explorer.message.value
    marker = figure.axes[0].lines[-1]
    assert list(marker.get_xdata()) == [-2.5] and list(marker.get_ydata()) == [3.0]
    assert explorer.figure is figure and bytes(explorer.image.value) != before


def test_threshold_turns_probability_into_class():
    model = make_model()
    X = torch.randn(20, 2)
    explorer = inference_explorer(model, X, torch.zeros(20, 1), point=(0.0, 0.0))
    probability, _ = explorer.prediction()
    explorer.controls["threshold"].value = 0.05
    assert explorer.prediction()[1] == int(probability > 0.05)
    explorer.controls["threshold"].value = 0.95
    assert explorer.prediction()[1] == int(probability > 0.95)


def half_plane_model():
    """P(class 1) = sigmoid(x1): 0.5 on the line x1 = 0, t at x1 = logit(t)."""
    model = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0, 0.0]]))
        model[0].bias.zero_()
    return model


def test_a_probability_equal_to_the_threshold_is_class_0_as_in_metrics():
    explorer = inference_explorer(
        half_plane_model(), torch.randn(20, 2), torch.zeros(20, 1), point=(0.0, 1.0)
    )
    probability, predicted = explorer.prediction()
    assert probability == 0.5 and explorer.controls["threshold"].value == 0.5
    assert predicted == 0 == metrics.accuracy([probability], [1])  # the same rule: 0.5 is not > 0.5
    assert "0.5000 ≤ 0.50 → class 0" in explorer.figure.axes[0].get_title()


def boundary_x1(explorer) -> list[float]:
    """The x1 coordinates of the drawn boundary line."""
    contour = explorer.figure.axes[0].collections[-1]
    return [float(x) for path in contour.get_paths() for x, _ in path.vertices]


def test_the_boundary_and_the_title_follow_the_threshold():
    X = torch.randn(30, 2)
    explorer = inference_explorer(half_plane_model(), X, torch.zeros(30, 1), point=(0.0, 0.0))
    for threshold in (0.5, 0.8, 0.2):
        explorer.controls["threshold"].value = threshold
        # the oracle: sigmoid(x1) = threshold on the line x1 = log(t / (1 - t))
        expected_x1 = math.log(threshold / (1 - threshold))
        xs = boundary_x1(explorer)
        assert xs and all(abs(x - expected_x1) < 0.05 for x in xs), (threshold, xs[:3])
        assert f"threshold {threshold:.2f}" in explorer.figure.axes[0].get_title()
    assert len(explorer.figure.axes[0].collections) == 3  # two scatters and one boundary, reused


def test_model_mode_is_left_as_found():
    model = make_model()
    model.train()
    explorer = inference_explorer(model, torch.randn(10, 2), torch.zeros(10, 1))
    explorer.controls["x1"].value = 0.5
    assert model.training
