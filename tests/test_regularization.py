"""regularization: the L2 penalty against SGD's weight_decay, the decay ledger against Adam and AdamW's
rules, dropout against nn.Dropout."""

import copy
import itertools

import pytest
import torch
from torch import nn

from course_utils import models, regularization


def test_l2_penalty_by_hand_leaves_the_bias_out():
    model = nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, -2.0]]))
        model.bias.fill_(3.0)
    # 0.1 / 2 * (1 + 4) = 0.25: the bias (1-D) is not decayed
    assert regularization.l2_penalty(model, 0.1).item() == pytest.approx(0.25)
    assert regularization.l2_penalty(model, 0.0).item() == 0.0


def test_decay_groups_decay_the_weight_matrices_only():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
    decayed, undecayed = regularization.decay_groups(model, 0.5)
    names = {id(p): name for name, p in model.named_parameters()}
    assert decayed["weight_decay"] == 0.5 and undecayed["weight_decay"] == 0.0
    assert [names[id(p)] for p in decayed["params"]] == ["0.weight", "3.weight"]
    assert [names[id(p)] for p in undecayed["params"]] == ["0.bias", "1.weight", "1.bias", "3.bias"]


def _train(model, X, y, weight_decay=0.0, penalty=0.0, steps=20):
    """SGD with momentum on BCE, plus an L2 penalty in the loss or weight decay on the weights."""
    groups = regularization.decay_groups(model, weight_decay)
    optimizer = torch.optim.SGD(groups, lr=0.1, momentum=0.9)
    for _ in range(steps):
        loss = nn.BCEWithLogitsLoss()(model(X), y)
        if penalty:
            loss = loss + regularization.l2_penalty(model, penalty)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model


def test_penalty_in_the_loss_equals_sgd_weight_decay_on_the_weights():
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
    # torch's own weight_decay on every parameter decays the biases too: another result
    everything = copy.deepcopy(start)
    optimizer = torch.optim.SGD(everything.parameters(), lr=0.1, momentum=0.9, weight_decay=0.05)
    for _ in range(20):
        loss = nn.BCEWithLogitsLoss()(everything(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert (everything.layers[0].bias - with_decay.layers[0].bias).abs().max() > 1e-4


def test_l2_penalty_of_a_model_without_weights_is_explained():
    with pytest.raises(ValueError, match="no weight matrix"):
        regularization.l2_penalty(nn.BatchNorm1d(3), 0.1)


def _ledger_run(optimizer_class, weights, gradients, steps, weight_decay, lr=0.01):
    """Steps of Adam or AdamW on `weights` with the data gradient fixed to `gradients`."""
    w = nn.Parameter(torch.tensor(weights, dtype=torch.float64))
    optimizer = optimizer_class([w], lr=lr, weight_decay=weight_decay)
    ledger = regularization.DecayLedger(optimizer)
    path = [w.detach().clone()]
    for _ in range(steps):
        w.grad = torch.tensor(gradients, dtype=torch.float64)
        ledger.step()
        path.append(w.detach().clone())
    return ledger, w, path


def test_ledger_first_adam_step_by_hand():
    # t = 1: m̂ = g + λw and v̂ = (g + λw)², so the step is lr·(g + λw)/(|g + λw| + ε) and the
    # decay's share lr·λw/(|g + λw| + ε)
    lr, decay, w, g = 0.01, 0.1, torch.tensor([2.0, -0.5]), torch.tensor([0.3, 0.01])
    ledger, parameter, _ = _ledger_run(torch.optim.Adam, w.tolist(), g.tolist(), 1, decay, lr)
    total = g + decay * w
    expected = lr * (decay * w).abs() / (total.abs() + 1e-8)
    assert torch.allclose(ledger.received[parameter].float(), expected, rtol=1e-6)
    assert torch.allclose(ledger.nominal[parameter].float(), lr * decay * w.abs())
    assert torch.allclose(ledger.squared_gradients[parameter].float(), g**2)


def test_ledger_without_a_data_gradient_counts_the_whole_move_as_decay():
    for optimizer_class in (torch.optim.Adam, torch.optim.AdamW):
        ledger, parameter, path = _ledger_run(optimizer_class, [2.0, 0.3, -1.0], [0.0] * 3, 50, 0.1)
        moves = sum((a - b).abs() for a, b in itertools.pairwise(path))
        assert torch.allclose(ledger.received[parameter], moves, rtol=1e-9)


def test_ledger_adamw_gives_every_weight_lr_times_decay_times_its_size():
    ledger, parameter, path = _ledger_run(
        torch.optim.AdamW, [2.0, 0.3, -1.0], [1.0, 1e-3, -0.1], 40, 0.1
    )
    expected = sum(0.01 * 0.1 * w.abs() for w in path[:-1])  # AdamW's rule, w ← w − lr·λ·w
    assert torch.allclose(ledger.received[parameter], expected, rtol=1e-9)
    assert torch.allclose(ledger.nominal[parameter], expected, rtol=1e-12)


def test_ledger_l2_in_adam_decays_the_weight_with_the_larger_gradient_less():
    # two equal weights, one with a large data gradient and one with a small one; a small lr,
    # so the weights stay near 1 and Adam's v̂ is (g + λw)²: the decay is divided by |g + λw|
    ledger, parameter, _ = _ledger_run(torch.optim.Adam, [1.0, 1.0], [1.0, 0.01], 100, 0.01, 1e-4)
    ratio = ledger.received[parameter] / ledger.nominal[parameter]
    assert ratio.tolist() == pytest.approx([1 / 1.01, 1 / 0.02], rel=0.01)


def test_ledger_refuses_what_it_cannot_follow():
    w = nn.Parameter(torch.ones(2))
    with pytest.raises(TypeError, match="Adam or AdamW, got SGD"):
        regularization.DecayLedger(torch.optim.SGD([w], lr=0.1))
    with pytest.raises(ValueError, match="without amsgrad"):
        regularization.DecayLedger(torch.optim.Adam([w], amsgrad=True))


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
