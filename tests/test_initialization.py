"""initialization: Xavier and Kaiming against torch.nn.init, and the scales through depth."""

import math

import pytest
import torch
from torch import nn

from course_utils import initialization


def test_xavier_uniform_draws_what_torch_draws():
    ours, theirs = torch.empty(30, 20), torch.empty(30, 20)
    initialization.xavier_uniform_(ours, generator=torch.Generator().manual_seed(1))
    nn.init.xavier_uniform_(theirs, generator=torch.Generator().manual_seed(1))
    assert torch.equal(ours, theirs)
    assert ours.abs().max().item() <= math.sqrt(6 / 50)  # the bound by hand


def test_kaiming_normal_draws_what_torch_draws_and_has_the_right_std():
    ours, theirs = torch.empty(400, 300), torch.empty(400, 300)
    initialization.kaiming_normal_(ours, generator=torch.Generator().manual_seed(2))
    nn.init.kaiming_normal_(theirs, nonlinearity="relu", generator=torch.Generator().manual_seed(2))
    assert torch.equal(ours, theirs)
    assert ours.std().item() == pytest.approx(math.sqrt(2 / 300), rel=0.01)


def test_init_of_a_parameter_needs_no_grad_and_refuses_other_shapes():
    layer = nn.Linear(4, 3)
    initialization.xavier_uniform_(layer.weight)  # a leaf that requires grad: works in place
    with pytest.raises(ValueError, match=r"2-D weight .* got shape \(3,\)"):
        initialization.kaiming_normal_(layer.bias)


def test_layer_scales_against_a_hand_computed_two_layer_stack():
    torch.manual_seed(0)
    stack = initialization.deep_stack(2, 5, nn.init.eye_, activation=nn.Identity)
    X = torch.randn(8, 5)
    activation_stds, gradient_stds = initialization.layer_scales(stack, X)
    # identity weights, zero biases and no activation: each output is X itself
    assert activation_stds == pytest.approx([X.std().item()] * 2)
    # d mean(out^2) / d W = 2 out^T X / numel, the same for both layers here
    expected_grad = 2 * X.T @ X / X.numel()
    assert gradient_stds == pytest.approx([expected_grad.std().item()] * 2, rel=1e-5)


def test_kaiming_keeps_relu_activations_alive_where_a_small_init_lets_them_vanish():
    torch.manual_seed(0)
    X = torch.randn(256, 100)
    small = initialization.deep_stack(20, 100, lambda w: nn.init.normal_(w, std=0.01))
    he = initialization.deep_stack(20, 100, initialization.kaiming_normal_)
    small_stds, _ = initialization.layer_scales(small, X)
    he_stds, _ = initialization.layer_scales(he, X)
    assert small_stds[-1] < 1e-20
    assert 0.2 < he_stds[-1] < 5
