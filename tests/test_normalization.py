"""normalization.BatchNorm1d against nn.BatchNorm1d, in training and in evaluation."""

import pytest
import torch
from torch import nn

from course_utils import normalization


def test_batch_norm_equals_torch_in_training_and_evaluation():
    torch.manual_seed(0)
    ours, theirs = normalization.BatchNorm1d(4, momentum=0.2), nn.BatchNorm1d(4, momentum=0.2)
    with torch.no_grad():
        for layer in (ours, theirs):
            layer.weight.copy_(torch.tensor([1.0, 2.0, 0.5, -1.0]))
            layer.bias.copy_(torch.tensor([0.0, 1.0, -1.0, 3.0]))
    assert set(ours.state_dict()) == set(theirs.state_dict())
    for _ in range(3):
        x = torch.randn(16, 4) * 3 + 5
        assert torch.allclose(ours(x), theirs(x), atol=1e-6)
    for name, value in theirs.state_dict().items():
        assert torch.allclose(ours.state_dict()[name], value, atol=1e-6), name
    ours.eval(), theirs.eval()
    x = torch.randn(5, 4)
    assert torch.allclose(ours(x), theirs(x), atol=1e-6)


def test_batch_norm_by_hand_in_training():
    layer = normalization.BatchNorm1d(1, eps=0.0, momentum=0.5)
    out = layer(torch.tensor([[1.0], [3.0]]))
    # mean 2, biased variance 1: outputs -1 and 1; running mean 0.5*0 + 0.5*2 = 1,
    # running variance 0.5*1 + 0.5*2 (unbiased variance of [1, 3] is 2) = 1.5
    assert torch.equal(out, torch.tensor([[-1.0], [1.0]]))
    assert layer.running_mean.item() == 1.0 and layer.running_var.item() == 1.5


def test_batch_norm_gradients_equal_torch():
    torch.manual_seed(1)
    x = torch.randn(8, 3, requires_grad=True)
    ours, theirs = normalization.BatchNorm1d(3), nn.BatchNorm1d(3)
    (ours(x) ** 3).sum().backward()
    ours_grad = x.grad.clone()
    x.grad = None
    (theirs(x) ** 3).sum().backward()
    assert torch.allclose(ours_grad, x.grad, atol=1e-5)
    assert torch.allclose(ours.weight.grad, theirs.weight.grad, atol=1e-5)


def test_batch_norm_explains_bad_input():
    layer = normalization.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3\), got \(4, 2\)"):
        layer(torch.zeros(4, 2))
    with pytest.raises(ValueError, match="at least 2 examples"):
        layer(torch.zeros(1, 3))


def test_loss_with_batch_statistics_changes_nothing_in_the_model():
    torch.manual_seed(2)
    model = nn.Sequential(nn.Linear(3, 4), normalization.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
    model(torch.randn(16, 3) * 2 + 1)  # one training batch: running averages away from 0 and 1
    model.eval()
    X, y = torch.randn(10, 3), torch.rand(10, 1).round()
    state = {name: value.clone() for name, value in model.state_dict().items()}
    loss = normalization.loss_with_batch_statistics(model, nn.BCEWithLogitsLoss(), X, y)
    # the oracle: the loss by hand, normalizing the hidden layer with this batch's statistics
    hidden = model[0](X)
    normalized = (hidden - hidden.mean(dim=0)) / torch.sqrt(hidden.var(dim=0, correction=0) + 1e-5)
    by_hand = nn.BCEWithLogitsLoss()(model[3](torch.relu(normalized)), y)
    assert loss == pytest.approx(by_hand.item(), rel=1e-5)
    assert loss != pytest.approx(nn.BCEWithLogitsLoss()(model(X), y).item(), rel=1e-3)  # eval
    assert not model.training
    for name, value in model.state_dict().items():
        assert torch.equal(value, state[name]), name
