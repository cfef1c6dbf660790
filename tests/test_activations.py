"""course_utils.activations against PyTorch: each function, each derivative."""

import ast
import inspect
import math

import pytest
import torch
import torch.nn.functional as F

from course_utils import activations as A

DTYPES = [torch.float32, torch.float64]
# |x| up to 100, the exp overflow edge of float32
# (~88.7), tiny values, both signed zeros
SPECIAL = [0.0, -0.0, 1e-8, -1e-8, 1e-3, -1e-3, 0.5, -0.5, 20.0, -20.0, 88.0, -88.0, 89.0, -89.0]


def inputs(dtype):
    return torch.cat([torch.linspace(-100, 100, 2001), torch.tensor(SPECIAL)]).to(dtype)


def assert_matches(actual, expected):
    """Same dtype and shape, finite, and within 1e-6 absolute plus 1e-6 relative."""
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    assert torch.isfinite(actual).all(), "NaN or inf in the result"
    torch.testing.assert_close(actual, expected, atol=1e-6, rtol=1e-6)


def autograd_derivative(function, x):
    """d function(x) / dx element-wise, by autograd through PyTorch's own function."""
    x = x.detach().clone().requires_grad_(True)
    (gradient,) = torch.autograd.grad(function(x).sum(), x)
    return gradient


# (name, ours, ours' derivative, PyTorch's function)
CASES = [
    ("sigmoid", A.sigmoid, A.sigmoid_grad, torch.sigmoid),
    ("tanh", A.tanh, A.tanh_grad, torch.tanh),
    ("relu", A.relu, A.relu_grad, F.relu),
    ("leaky_relu", A.leaky_relu, A.leaky_relu_grad, F.leaky_relu),
    (
        "leaky_relu(0.2)",
        lambda x: A.leaky_relu(x, negative_slope=0.2),
        lambda x: A.leaky_relu_grad(x, negative_slope=0.2),
        lambda x: F.leaky_relu(x, negative_slope=0.2),
    ),
    ("elu", A.elu, A.elu_grad, F.elu),
    (
        "elu(alpha=1.5)",
        lambda x: A.elu(x, alpha=1.5),
        lambda x: A.elu_grad(x, alpha=1.5),
        lambda x: F.elu(x, alpha=1.5),
    ),
    ("gelu", A.gelu, A.gelu_grad, F.gelu),
    (
        "gelu(tanh)",
        lambda x: A.gelu(x, approximate="tanh"),
        lambda x: A.gelu_grad(x, approximate="tanh"),
        lambda x: F.gelu(x, approximate="tanh"),
    ),
]
IDS = [case[0] for case in CASES]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "ours", "_grad", "theirs"), CASES, ids=IDS)
def test_function_matches_pytorch(name, ours, _grad, theirs, dtype):
    x = inputs(dtype)
    assert_matches(ours(x), theirs(x))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "_ours", "derivative", "theirs"), CASES, ids=IDS)
def test_derivative_matches_autograd(name, _ours, derivative, theirs, dtype):
    x = inputs(dtype)
    assert_matches(derivative(x), autograd_derivative(theirs, x))


@pytest.mark.parametrize(("name", "ours", "_grad", "_theirs"), CASES, ids=IDS)
def test_gradient_through_our_function_is_finite_and_right(name, ours, _grad, _theirs):
    # a student may backpropagate through these: the unused branch of torch.where must
    # not produce inf or NaN gradients at x = +-100
    x = inputs(torch.float64)
    expected = autograd_derivative(_theirs, x)
    assert_matches(autograd_derivative(ours, x), expected)


def test_derivatives_at_zero_follow_autograd_convention():
    zero = torch.zeros(1)
    assert A.relu_grad(zero).item() == 0.0
    assert A.leaky_relu_grad(zero, 0.1).item() == pytest.approx(0.1)
    assert A.elu_grad(zero, 2.0).item() == 2.0
    assert A.sigmoid_grad(zero).item() == 0.25
    assert A.tanh_grad(zero).item() == 1.0
    assert A.gelu_grad(zero).item() == 0.5


def test_saturated_inputs_do_not_overflow():
    big = torch.tensor([-100.0, 100.0])
    assert A.sigmoid(big).tolist() == [pytest.approx(math.exp(-100), rel=1e-4), 1.0]
    assert A.tanh(big).tolist() == [-1.0, 1.0]
    assert A.elu(torch.tensor([1000.0])).item() == 1000.0


def test_tanh_keeps_precision_for_tiny_inputs():
    tiny = torch.tensor([1e-10, -3e-9], dtype=torch.float64)
    torch.testing.assert_close(A.tanh(tiny), tiny, rtol=1e-12, atol=0)


def test_step_is_one_above_zero_and_zero_elsewhere():
    x = torch.tensor([-100.0, -1.0, -1e-8, -0.0, 0.0, 1e-8, 1.0, 100.0])
    by_hand = torch.tensor([1.0 if value > 0 else 0.0 for value in x.tolist()])
    assert torch.equal(A.step(x), by_hand)
    assert torch.equal(A.step(x), torch.heaviside(x, torch.tensor(0.0)))  # heaviside(0) := 0
    assert A.step(x.double()).dtype == torch.float64


def test_step_derivative_is_zero_and_agrees_with_finite_differences_away_from_zero():
    x = torch.tensor([-5.0, -0.3, 0.7, 42.0], dtype=torch.float64)
    h = 1e-6
    finite_difference = (A.step(x + h) - A.step(x - h)) / (2 * h)
    assert torch.equal(A.step_grad(x), finite_difference)
    assert torch.equal(A.step_grad(torch.zeros(3)), torch.zeros(3))


def softmax_inputs(dtype):
    generator = torch.Generator().manual_seed(0)
    rows = torch.tensor(
        [
            [1000.0, 1001.0, 1002.0, 999.0],  # all near 1000: naive exp overflows
            [-1000.0, 0.0, 1000.0, 1.0],  # mixed huge and small
            [1000.0, -1000.0, 0.0, 1e-3],
            [-1000.0, -1001.0, -999.0, -1000.5],  # naive exp underflows to 0/0
            [0.0, 0.0, 0.0, 0.0],
            [2.0, 1.0, 0.1, -1.0],
        ]
    )
    random = 5 * torch.randn(4, 4, generator=generator)
    return torch.cat([rows, random]).to(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_softmax_matches_pytorch_and_is_stable(dtype, dim):
    x = softmax_inputs(dtype)
    probabilities = A.softmax(x, dim=dim)
    assert_matches(probabilities, torch.softmax(x, dim=dim))
    torch.testing.assert_close(
        probabilities.sum(dim=dim), torch.ones(4 if dim == 0 else 10, dtype=dtype)
    )


def test_softmax_over_the_middle_dimension_of_a_3d_tensor():
    x = 300 * torch.randn(2, 5, 3, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    assert_matches(A.softmax(x, dim=1), torch.softmax(x, dim=1))


def test_naive_softmax_would_fail_on_these_inputs():
    # proves the stability test above can fail: the textbook formula gives NaN here
    x = softmax_inputs(torch.float32)
    naive = torch.exp(x) / torch.exp(x).sum(dim=-1, keepdim=True)
    assert torch.isnan(naive).any()


def test_gelu_rejects_an_unknown_approximation_clearly():
    with pytest.raises(ValueError, match="'none'.*'tanh'"):
        A.gelu(torch.zeros(2), approximate="erf")
    with pytest.raises(ValueError, match="approximate"):
        A.gelu_grad(torch.zeros(2), approximate="fast")


def test_elementwise_table_pairs_each_function_with_its_derivative():
    assert set(A.ELEMENTWISE) == {"step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu"}
    x = torch.linspace(-3, 3, 13, dtype=torch.float64)
    for name, (function, derivative) in A.ELEMENTWISE.items():
        assert function.__name__ == name and derivative.__name__ == f"{name}_grad"
        assert function(x).shape == derivative(x).shape == x.shape


def test_written_without_pytorch_activations():
    # any attribute named like an activation (torch.sigmoid,
    # x.tanh(), F.relu, torch.special.expit) or an import of
    # torch.nn / torch.special means a built-in activation is used
    tree = ast.parse(inspect.getsource(A))
    banned = {"sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "softmax", "log_softmax"}
    banned |= {"heaviside", "expit", "special", "nn", "functional", "hardtanh", "relu6"}
    used = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)} & banned
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not used, f"activations.py uses PyTorch's own activations: {sorted(used)}"
    assert not {"torch.nn", "torch.nn.functional", "torch.special"} & (imported | modules)


@pytest.mark.parametrize(("name", "ours", "_grad", "theirs"), CASES[:6], ids=IDS[:6])
def test_infinities_and_nan_behave_like_pytorch(name, ours, _grad, theirs):
    x = torch.tensor([math.inf, -math.inf, math.nan, 1.0])
    torch.testing.assert_close(ours(x), theirs(x), equal_nan=True)


def test_softmax_gives_zero_probability_to_minus_infinity_like_a_mask():
    x = torch.tensor([[-math.inf, 0.0, 1.0], [2.0, -math.inf, -math.inf]])
    assert_matches(A.softmax(x), torch.softmax(x, dim=-1))
