"""regularization: the L2 penalty against SGD's weight_decay, dropout against nn.Dropout."""

import copy

import pytest
import torch
from torch import nn

from course_utils import models, regularization


def test_l2_penalty_by_hand():
    model = nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, -2.0]]))
        model.bias.fill_(3.0)
    # 0.1 / 2 * (1 + 4 + 9) = 0.7
    assert regularization.l2_penalty(model, 0.1).item() == pytest.approx(0.7)
    assert regularization.l2_penalty(model, 0.0).item() == 0.0


def _train(model, X, y, weight_decay=0.0, penalty=0.0, steps=20):
    """SGD with momentum on BCE, plus an L2 penalty in the loss or weight_decay in the optimizer."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=weight_decay)
    for _ in range(steps):
        loss = nn.BCELoss()(model(X), y)
        if penalty:
            loss = loss + regularization.l2_penalty(model, penalty)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model


def test_penalty_in_the_loss_equals_sgd_weight_decay():
    torch.manual_seed(0)
    X, y = torch.randn(16, 2), torch.randint(0, 2, (16, 1)).float()
    start = models.MLPClassifier(2, hidden_units=8, hidden_layers=2)
    with_penalty = _train(copy.deepcopy(start), X, y, penalty=0.05)
    with_decay = _train(copy.deepcopy(start), X, y, weight_decay=0.05)
    plain = _train(copy.deepcopy(start), X, y)
    for p, q in zip(with_penalty.parameters(), with_decay.parameters(), strict=True):
        assert torch.allclose(p, q, atol=1e-6)
    # and the decay did something: without it the weights end elsewhere
    assert (plain.layers[0].weight - with_decay.layers[0].weight).abs().max() > 1e-3


def test_dropout_equals_torch_from_the_same_seed_bit_for_bit():
    x = torch.randn(50, 40, requires_grad=True)
    torch.manual_seed(3)
    expected = nn.Dropout(0.3)(x)
    torch.manual_seed(3)
    ours = regularization.dropout(x, 0.3)
    assert torch.equal(ours, expected)
    # and the gradient: 1/(1-p) where kept, 0 where dropped, as torch's
    (ours_grad,) = torch.autograd.grad(ours.sum(), x)
    (expected_grad,) = torch.autograd.grad(expected.sum(), x)
    assert torch.equal(ours_grad, expected_grad)


def test_dropout_keeps_the_expected_value_and_is_off_in_eval():
    torch.manual_seed(0)
    x = torch.ones(200_000)
    out = regularization.dropout(x, 0.25)
    kept = out != 0
    assert torch.all(out[kept] == torch.tensor(1 / 0.75))  # survivors scaled by 1/(1-p)
    assert kept.float().mean().item() == pytest.approx(0.75, abs=0.005)
    assert out.mean().item() == pytest.approx(1.0, abs=0.01)
    assert regularization.dropout(x, 0.25, training=False) is x
    layer = regularization.Dropout(0.25)
    layer.eval()
    assert torch.equal(layer(x), x)
    layer.train()
    torch.manual_seed(1)
    from_layer = layer(x)
    torch.manual_seed(1)
    assert torch.equal(from_layer, nn.Dropout(0.25)(x))


def test_bad_probabilities_and_decay_are_explained():
    with pytest.raises(ValueError, match=r"must be in \[0, 1\), got 1"):
        regularization.dropout(torch.ones(3), 1.0)
    with pytest.raises(ValueError, match="must be in"):
        regularization.Dropout(-0.1)
    with pytest.raises(ValueError, match="weight_decay must be 0 or more"):
        regularization.l2_penalty(nn.Linear(1, 1), -1.0)
