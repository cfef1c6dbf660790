import torch

from course_utils import models
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
    assert predicted == int(expected >= 0.5)
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
    assert explorer.prediction()[1] == int(probability >= 0.05)
    explorer.controls["threshold"].value = 0.95
    assert explorer.prediction()[1] == int(probability >= 0.95)


def test_model_mode_is_left_as_found():
    model = make_model()
    model.train()
    explorer = inference_explorer(model, torch.randn(10, 2), torch.zeros(10, 1))
    explorer.controls["x1"].value = 0.5
    assert model.training
