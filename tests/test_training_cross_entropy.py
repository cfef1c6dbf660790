"""fit with nn.CrossEntropyLoss: a first multi-class model's mistakes, explained.

Each mistake is shown to fail in PyTorch alone (or to pass silently) before fit names
it.
"""

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from course_utils import models, training

X = torch.randn(40, 64, generator=torch.Generator().manual_seed(0))
y = torch.arange(40) % 10  # ten classes


def fit_once(model, labels=y):
    loader = DataLoader(TensorDataset(X, labels), batch_size=8)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    return training.fit(model, loader, nn.CrossEntropyLoss(), optimizer, epochs=1)


def ten_class_model():
    torch.manual_seed(0)
    return models.MulticlassMLP(64, 16, num_classes=10)


def test_the_right_inputs_train():
    history = fit_once(ten_class_model())
    assert history.epochs == 1 and history.train_loss[0] > 0


def test_float_labels():
    with pytest.raises(RuntimeError):  # PyTorch alone: "expected scalar type Long but found Float"
        nn.CrossEntropyLoss()(ten_class_model()(X), y.float())
    with pytest.raises(TypeError, match=r"nn\.CrossEntropyLoss expects integer.*target\.long\(\)"):
        fit_once(ten_class_model(), y.float())


def test_one_hot_labels():
    with pytest.raises(ValueError, match=r"one-hot.*argmax\(dim=1\)"):
        fit_once(ten_class_model(), torch.eye(10)[y])


def test_a_model_with_one_output_for_ten_classes():
    torch.manual_seed(0)
    one_output = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 1))
    with pytest.raises(IndexError):  # PyTorch alone: "Target 1 is out of bounds."
        nn.CrossEntropyLoss()(one_output(X), y)
    with pytest.raises(ValueError, match="needs C outputs"):
        fit_once(one_output, y)


def test_a_model_ending_in_softmax():
    torch.manual_seed(0)
    softmaxed = nn.Sequential(nn.Linear(64, 10), nn.Softmax(dim=1))
    nn.CrossEntropyLoss()(softmaxed(X), y)  # PyTorch alone: a loss, silently
    with pytest.raises(ValueError, match="look like probabilities"):
        fit_once(softmaxed, y)
