"""Backprop by hand against autograd and against finite differences.

The finite-difference checker is tested too, on correct and broken models.
"""

import pytest
import torch
from torch import nn

from course_utils import backprop, losses
from course_utils.models import MLPClassifier, SimpleClassifier

NAMES = ["linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias"]


def make_problem(n, features, hidden, dtype, seed):
    torch.manual_seed(seed)  # the model's init uses the global generator
    model = SimpleClassifier(features, hidden).to(dtype)
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, features, generator=generator, dtype=dtype) * 2
    y = torch.randint(0, 2, (n, 1), generator=generator).to(dtype)
    return model, X, y


def autograd_gradients(model, X, y):
    model.zero_grad()
    nn.BCELoss()(model(X), y).backward()
    return {name: p.grad.clone() for name, p in model.named_parameters()}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(
    ("n", "features", "hidden"), [(1, 2, 1), (5, 2, 10), (64, 3, 7), (257, 4, 32)]
)
def test_hand_gradients_equal_autograd(n, features, hidden, dtype):
    model, X, y = make_problem(n, features, hidden, dtype, seed=n + hidden)
    ours = backprop.simple_classifier_gradients(model, X, y)
    theirs = autograd_gradients(model, X, y)
    assert list(ours) == NAMES
    for name in NAMES:
        assert ours[name].shape == theirs[name].shape and ours[name].dtype == dtype
        torch.testing.assert_close(ours[name], theirs[name], atol=1e-6, rtol=1e-5)


def central_differences(model, X, y, eps=1e-6):
    """dL/dθ for every parameter by (L(θ + ε) - L(θ - ε)) / 2ε.

    The loss L is torch's BCELoss.
    """
    gradients = {}
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            numeric = torch.zeros_like(parameter)
            flat = parameter.view(-1)
            for i in range(flat.numel()):
                original = flat[i].item()
                flat[i] = original + eps
                plus = nn.BCELoss()(model(X), y).item()
                flat[i] = original - eps
                minus = nn.BCELoss()(model(X), y).item()
                flat[i] = original
                numeric.view(-1)[i] = (plus - minus) / (2 * eps)
            gradients[name] = numeric
    return gradients


@pytest.mark.parametrize(("n", "features", "hidden"), [(1, 2, 1), (9, 2, 10), (40, 3, 6)])
def test_hand_gradients_equal_finite_differences(n, features, hidden):
    # float64, and inputs that keep every ReLU unit away from its kink at 0
    # by more than ε
    model, X, y = make_problem(n, features, hidden, torch.float64, seed=10 + n)
    with torch.no_grad():
        assert (model.linear1(X).abs() > 1e-3).all(), "a unit sits on the ReLU's kink: reseed"
    ours = backprop.simple_classifier_gradients(model, X, y)
    numeric = central_differences(model, X, y)
    for name in NAMES:
        torch.testing.assert_close(ours[name], numeric[name], atol=1e-7, rtol=1e-6)


def test_hand_gradients_with_dead_relu_units_equal_autograd():
    model, X, y = make_problem(20, 2, 6, torch.float64, seed=5)
    with torch.no_grad():
        model.linear1.bias[:3] = -1000.0  # three hidden units never fire: their gradient is 0
    ours = backprop.simple_classifier_gradients(model, X, y)
    theirs = autograd_gradients(model, X, y)
    assert (ours["linear1.weight"][:3] == 0).all()
    for name in NAMES:
        torch.testing.assert_close(ours[name], theirs[name], atol=1e-12, rtol=1e-9)


def test_hand_gradients_do_not_touch_the_model():
    model, X, y = make_problem(8, 2, 4, torch.float32, seed=1)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    backprop.simple_classifier_gradients(model, X, y)
    assert all(p.grad is None for p in model.parameters())
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k])


def test_hand_gradients_refuse_a_flat_label_vector():
    model, X, y = make_problem(8, 2, 4, torch.float32, seed=1)
    with pytest.raises(ValueError, match=r"\(8, 1\).*unsqueeze\(1\)"):
        backprop.simple_classifier_gradients(model, X, y.squeeze(1))
    with pytest.raises(ValueError, match="2 features"):
        backprop.simple_classifier_gradients(model, torch.zeros(8, 3), y)


def test_gradient_check_is_small_on_a_correct_model_with_any_loss():
    model, X, y = make_problem(16, 2, 5, torch.float32, seed=3)
    errors = backprop.gradient_check(model, nn.BCELoss(), X, y)
    assert set(errors) == set(NAMES)
    assert max(errors.values()) < 1e-6
    # an MLP with two hidden layers and the course's own loss on logits
    torch.manual_seed(0)
    mlp = MLPClassifier(2, hidden_units=4, activation="tanh", hidden_layers=2)
    logit_model = nn.Sequential(*list(mlp.layers)[:-1])  # drop the sigmoid: logits out
    errors = backprop.gradient_check(logit_model, losses.bce_with_logits, X, y)
    assert len(errors) == 6 and max(errors.values()) < 1e-6


def test_gradient_check_works_with_class_index_targets():
    torch.manual_seed(0)
    model = nn.Linear(3, 4)
    X = torch.randn(10, 3, generator=torch.Generator().manual_seed(1))
    y = torch.tensor([0, 1, 2, 3, 0, 1, 2, 3, 0, 1])
    errors = backprop.gradient_check(model, nn.CrossEntropyLoss(), X, y)
    assert max(errors.values()) < 1e-6


class HiddenFromAutograd(SimpleClassifier):
    """A broken model: half its logit is detached.

    So autograd sees only the other half.
    """

    def forward(self, x):
        z2 = self.linear2(self.relu(self.linear1(x)))
        return self.sigmoid(0.5 * z2 + 0.5 * z2.detach())


def test_gradient_check_is_large_when_the_forward_hides_computation_from_autograd():
    torch.manual_seed(3)
    model = HiddenFromAutograd(2, 5)
    _, X, y = make_problem(16, 2, 5, torch.float32, seed=3)
    errors = backprop.gradient_check(model, nn.BCELoss(), X, y)
    # autograd's gradient is half the true one: relative error |g/2 - g| / |g| = 0.5
    for name in NAMES:
        assert errors[name] > 0.4, name


def test_gradient_check_leaves_the_callers_model_unchanged():
    model, X, y = make_problem(16, 2, 5, torch.float32, seed=4)
    nn.BCELoss()(model(X), y).backward()  # the caller has gradients of their own
    before = {k: v.clone() for k, v in model.state_dict().items()}
    grads_before = [p.grad.clone() for p in model.parameters()]
    backprop.gradient_check(model, nn.BCELoss(), X, y)
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert model.training
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k])
    for p, g in zip(model.parameters(), grads_before, strict=True):
        assert torch.equal(p.grad, g)
