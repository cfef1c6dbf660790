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
    # weights 2 * identity, zero biases, no activation: each block doubles its input
    stack = initialization.deep_stack(2, 5, lambda w: nn.init.eye_(w).mul_(2), nn.Identity)
    X = torch.randn(8, 5)
    output_stds, gradient_stds = initialization.layer_scales(
        stack, X, generator=torch.Generator().manual_seed(1)
    )
    upstream = torch.randn(8, 5, generator=torch.Generator().manual_seed(1))
    # forward: 2X then 4X; backward: the top gets the upstream gradient, the block below 2x it
    assert output_stds == pytest.approx([2 * X.std().item(), 4 * X.std().item()], rel=1e-6)
    assert gradient_stds == pytest.approx([2 * upstream.std().item(), upstream.std().item()])


def test_kaiming_keeps_relu_activations_alive_where_a_small_init_lets_them_vanish():
    torch.manual_seed(0)
    X = torch.randn(256, 100)
    small = initialization.deep_stack(20, 100, lambda w: nn.init.normal_(w, std=0.01))
    he = initialization.deep_stack(20, 100, initialization.kaiming_normal_)
    small_stds, small_gradients = initialization.layer_scales(small, X)
    he_stds, he_gradients = initialization.layer_scales(he, X)
    assert small_stds[-1] < 1e-20 and small_gradients[0] < 1e-20  # vanished both ways
    assert 0.2 < he_stds[-1] < 5 and 0.2 < he_gradients[0] < 5
