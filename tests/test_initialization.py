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
    scales = initialization.layer_scales(stack, X, generator=torch.Generator().manual_seed(1))
    upstream = torch.randn(8, 5, generator=torch.Generator().manual_seed(1))
    # forward: 2X then 4X; backward: the top gets the upstream gradient, the block below 2x it
    assert scales.outputs == pytest.approx([2 * X.std().item(), 4 * X.std().item()], rel=1e-6)
    assert scales.output_gradients == pytest.approx(
        [2 * upstream.std().item(), upstream.std().item()]
    )
    # a weight's gradient is (gradient at its output)ᵀ · (its input): (2U)ᵀX and Uᵀ(2X), equal
    weight_gradient = (2 * upstream.T @ X).std().item()
    assert scales.weight_gradients == pytest.approx([weight_gradient] * 2, rel=1e-5)
    # measured again: the same, not the gradients of two backward passes added up
    again = initialization.layer_scales(stack, X, generator=torch.Generator().manual_seed(1))
    assert again.weight_gradients == pytest.approx(scales.weight_gradients)


def test_kaiming_keeps_relu_activations_alive_where_a_small_init_lets_them_vanish():
    torch.manual_seed(0)
    X = torch.randn(256, 100)
    small = initialization.deep_stack(20, 100, lambda w: nn.init.normal_(w, std=0.01))
    he = initialization.deep_stack(20, 100, initialization.kaiming_normal_)
    small_scales = initialization.layer_scales(small, X)
    he_scales = initialization.layer_scales(he, X)
    assert small_scales.outputs[-1] < 1e-20 and small_scales.output_gradients[0] < 1e-20
    assert 0.2 < he_scales.outputs[-1] < 5 and 0.2 < he_scales.output_gradients[0] < 5
    # yet every layer's weights get gradients of about the same (tiny) size: each is the
    # block's input, shrunk going up, times the gradient at its output, shrunk coming down
    weight_gradients = torch.tensor(small_scales.weight_gradients)
    assert weight_gradients.max() / weight_gradients.min() < 3


def test_pytorchs_default_init_shrinks_the_signal_by_about_0_41_per_relu_layer():
    # nn.Linear's default weights are uniform in ±1/√n: variance 1/(3n), so a layer multiplies
    # the mean square by n·1/(3n) and the ReLU halves it: 1/6, a factor √(1/6) ≈ 0.41 in std
    torch.manual_seed(0)
    X = torch.randn(512, 200)
    stack = initialization.deep_stack(6, 200, None)
    outputs = initialization.layer_scales(stack, X).outputs
    factors = [later / earlier for earlier, later in zip(outputs, outputs[1:], strict=False)]
    assert factors == pytest.approx([math.sqrt(1 / 6)] * 5, rel=0.1)


def test_batch_norm_in_the_stack_restores_the_scale_whatever_the_init():
    # each block normalizes its Linear's output to mean 0 and std 1 (γ = 1, β = 0): after the
    # ReLU, the std of max(0, z) for z ~ N(0, 1), √(1/2 − 1/(2π)) ≈ 0.58, at every depth
    torch.manual_seed(0)
    stack = initialization.deep_stack(
        10, 100, lambda w: nn.init.normal_(w, std=0.01), batch_norm=True
    )
    outputs = initialization.layer_scales(stack, torch.randn(256, 100)).outputs
    assert outputs == pytest.approx([math.sqrt(0.5 - 1 / (2 * math.pi))] * 10, rel=0.05)
