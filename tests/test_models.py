import pytest
import torch
from torch import nn

from course_utils import models


class SeedSimpleClassifier(nn.Module):
    """The seed lesson's class, copied verbatim: the oracle for names and behaviour."""

    def __init__(self, input_features, hidden_units):
        super().__init__()
        self.linear1 = nn.Linear(in_features=input_features, out_features=hidden_units)
        self.linear2 = nn.Linear(in_features=hidden_units, out_features=1)
        self.relu = nn.ReLU()
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        return self.sigmoid(self.linear2(self.relu(self.linear1(x))))


def test_seed_state_dict_loads_and_outputs_agree():
    torch.manual_seed(0)
    seed_model = SeedSimpleClassifier(2, 10)
    model = models.SimpleClassifier(input_features=2, hidden_units=10)
    result = model.load_state_dict(seed_model.state_dict())
    assert not result.missing_keys and not result.unexpected_keys
    x = torch.randn(5, 2)
    assert torch.equal(model(x), seed_model(x))


def test_repr_matches_the_seed_lesson():
    expected = (
        "SimpleClassifier(\n"
        "  (linear1): Linear(in_features=2, out_features=10, bias=True)\n"
        "  (linear2): Linear(in_features=10, out_features=1, bias=True)\n"
        "  (relu): ReLU()\n"
        "  (sigmoid): Sigmoid()\n"
        ")"
    )
    assert repr(models.SimpleClassifier(2, 10)) == expected


def test_same_seed_same_initial_weights():
    torch.manual_seed(3)
    first = models.SimpleClassifier(2, 10).state_dict()
    torch.manual_seed(3)
    second = models.SimpleClassifier(2, 10).state_dict()
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_wrong_input_shape_names_expected_and_received():
    model = models.SimpleClassifier(2, 10)
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 2\), got \(4, 3\)"):
        model(torch.zeros(4, 3))
    with pytest.raises(ValueError, match="unsqueeze"):
        model(torch.zeros(2))
    with pytest.raises(TypeError, match="float"):
        model(torch.zeros(4, 2, dtype=torch.long))


def test_mlp_without_activation_is_linear_and_with_relu_is_not():
    torch.manual_seed(0)
    linear_net = models.MLPClassifier(2, 8, activation="none", hidden_layers=2)
    relu_net = models.MLPClassifier(2, 8, activation="relu", hidden_layers=2)
    a, b = torch.randn(1, 2), torch.randn(1, 2)

    def logit(net, x):
        return torch.logit(net(x))

    # a linear map f satisfies f(a + b) - f(0) = (f(a) - f(0)) + (f(b) - f(0))
    zero = torch.zeros(1, 2)
    lhs = logit(linear_net, a + b) - logit(linear_net, zero)
    rhs = logit(linear_net, a) + logit(linear_net, b) - 2 * logit(linear_net, zero)
    assert torch.allclose(lhs, rhs, atol=1e-5)
    relu_lhs = logit(relu_net, 3 * a) - logit(relu_net, zero)
    relu_rhs = 3 * (logit(relu_net, a) - logit(relu_net, zero))
    minus = logit(relu_net, -a) - logit(relu_net, zero)
    assert not (
        torch.allclose(relu_lhs, relu_rhs, atol=1e-5)
        and torch.allclose(minus, -(relu_rhs / 3), atol=1e-5)
    )


def test_build_model_rebuilds_from_init_args():
    torch.manual_seed(0)
    model = models.MLPClassifier(3, 5, activation="tanh", hidden_layers=2)
    rebuilt = models.build_model(type(model).__name__, model.init_args)
    result = rebuilt.load_state_dict(model.state_dict())  # strict: raises if a key differs
    assert not result.missing_keys and not result.unexpected_keys
    # an activation has no weights, so only the outputs show that it was rebuilt too
    x = torch.randn(7, 3)
    assert torch.equal(rebuilt(x), model(x))
    assert repr(rebuilt) == repr(model)
    with pytest.raises(ValueError, match="unknown model class"):
        models.build_model("Transformer", {})
    with pytest.raises(ValueError, match="unknown activation"):
        models.MLPClassifier(2, 4, activation="swish")


def test_device_of_is_the_device_of_the_weights_and_the_cpu_without_any():
    model = models.SimpleClassifier(input_features=2, hidden_units=3)
    assert models.device_of(model) == next(model.parameters()).device
    meta_model = nn.Linear(2, 1, device="meta")  # a device other than the CPU, on any computer
    assert models.device_of(meta_model) == torch.device("meta")
    assert models.device_of(nn.ReLU()) == torch.device("cpu")
