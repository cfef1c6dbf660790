"""The from-scratch losses against PyTorch's nn losses: values and gradients, edge cases, errors."""

import pytest
import torch
from torch import nn

from course_utils import losses

REDUCTIONS = ["mean", "sum", "none"]
DTYPES = [torch.float32, torch.float64]


def values_and_grads(loss_fn, pred, target):
    """loss_fn's value and the gradient of its sum w.r.t. pred, on a fresh leaf copy of pred."""
    pred = pred.detach().clone().requires_grad_(True)
    value = loss_fn(pred, target)
    (grad,) = torch.autograd.grad(value.sum(), pred)
    return value.detach(), grad


def assert_same(ours, theirs, tol=1e-6):
    value, grad = ours
    expected_value, expected_grad = theirs
    assert value.shape == expected_value.shape and value.dtype == expected_value.dtype
    torch.testing.assert_close(value, expected_value, atol=tol, rtol=tol)
    finite = torch.isfinite(expected_grad)
    torch.testing.assert_close(grad[finite], expected_grad[finite], atol=tol, rtol=tol)


def regression_data(dtype, seed=0):
    generator = torch.Generator().manual_seed(seed)
    pred = torch.randn(7, 3, generator=generator, dtype=dtype) * 3
    target = torch.randn(7, 3, generator=generator, dtype=dtype)
    target[0, 0] = pred[0, 0]  # a perfect prediction: the kink of |x|
    return pred, target


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("ours", "torch_class"), [(losses.mae, nn.L1Loss), (losses.mse, nn.MSELoss)]
)
def test_regression_losses_equal_torch(ours, torch_class, reduction, dtype):
    pred, target = regression_data(dtype)
    assert_same(
        values_and_grads(lambda p, t: ours(p, t, reduction=reduction), pred, target),
        values_and_grads(torch_class(reduction=reduction), pred, target),
    )


def probabilities(dtype, seed=1):
    generator = torch.Generator().manual_seed(seed)
    p = torch.rand(40, generator=generator, dtype=dtype)
    y = torch.rand(40, generator=generator, dtype=dtype)  # soft labels too
    y[:16] = torch.tensor([0.0, 1.0]).repeat(8).to(dtype)
    # exact 0 and 1 on both the right and the wrong side, and values close to them
    p[:8] = torch.tensor([0.0, 0.0, 1.0, 1.0, 1e-30, 1e-8, 1 - 1e-7, 0.5], dtype=dtype)
    p[8:12] = torch.tensor([0.0, 1.0, 0.0, 1.0], dtype=dtype)
    return p, y


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_equals_torch_including_probabilities_of_exactly_0_and_1(reduction, dtype):
    p, y = probabilities(dtype)
    assert_same(
        values_and_grads(lambda a, b: losses.bce(a, b, reduction=reduction), p, y),
        values_and_grads(nn.BCELoss(reduction=reduction), p, y),
    )


def test_bce_clamps_the_log_at_minus_100_and_keeps_the_gradient_finite():
    p = torch.tensor([0.0, 1.0, 1.0], requires_grad=True)
    y = torch.tensor([1.0, 0.0, 1.0])
    value = losses.bce(p, y, reduction="none")
    torch.testing.assert_close(value.detach(), torch.tensor([100.0, 100.0, 0.0]))
    value.sum().backward()
    assert torch.isfinite(p.grad).all()
    torch.testing.assert_close(p.grad, torch.tensor([-1e12, 1e12, 0.0]))


def test_bce_target_gradient_equals_torch_where_finite():
    p, y = probabilities(torch.float64)
    y_ours = y.clone().requires_grad_(True)
    y_torch = y.clone().requires_grad_(True)
    losses.bce(p, y_ours).backward()
    nn.BCELoss()(p, y_torch).backward()
    finite = torch.isfinite(y_torch.grad)
    assert finite.sum() > 20
    torch.testing.assert_close(y_ours.grad[finite], y_torch.grad[finite])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_equals_torch_including_logits_of_plus_minus_100(reduction, dtype):
    generator = torch.Generator().manual_seed(2)
    z = torch.randn(30, generator=generator, dtype=dtype) * 5
    y = torch.rand(30, generator=generator, dtype=dtype)
    z[:8] = torch.tensor([100.0, 100.0, -100.0, -100.0, 0.0, 0.0, 30.0, -30.0], dtype=dtype)
    y[:8] = torch.tensor([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0], dtype=dtype)
    assert_same(
        values_and_grads(lambda a, b: losses.bce_with_logits(a, b, reduction=reduction), z, y),
        values_and_grads(nn.BCEWithLogitsLoss(reduction=reduction), z, y),
    )


def test_bce_with_logits_stays_exact_where_the_sigmoid_rounds_to_1():
    z = torch.tensor([100.0])
    y = torch.tensor([0.0])
    assert torch.sigmoid(z).item() == 1.0  # so bce(sigmoid(z)) can only say "clamped at 100"
    assert losses.bce_with_logits(z, y).item() == pytest.approx(100.0, abs=1e-5)
    z = torch.tensor([20.0])  # here the exact loss is 20, the probability route says 16.6355
    assert losses.bce_with_logits(z, y).item() == pytest.approx(20.0, abs=1e-5)
    assert abs(losses.bce(torch.sigmoid(z), y).item() - 20.0) > 1


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_equals_torch(reduction, dtype):
    generator = torch.Generator().manual_seed(3)
    logits = torch.randn(12, 5, generator=generator, dtype=dtype) * 4
    target = torch.randint(0, 5, (12,), generator=generator)
    logits[0] = torch.tensor([100.0, -100.0, 0.0, 3.0, 100.0], dtype=dtype)  # huge logits
    logits[1] = torch.tensor([-100.0, -100.0, -100.0, -100.0, 100.0], dtype=dtype)
    target[1] = 0  # confidently wrong: the loss is 200
    assert_same(
        values_and_grads(
            lambda a, b: losses.cross_entropy(a, b, reduction=reduction), logits, target
        ),
        values_and_grads(nn.CrossEntropyLoss(reduction=reduction), logits, target),
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_class_probabilities_equals_torch(reduction, dtype):
    generator = torch.Generator().manual_seed(4)
    logits = torch.randn(12, 5, generator=generator, dtype=dtype) * 4
    target = torch.rand(12, 5, generator=generator, dtype=dtype).softmax(dim=1)  # soft labels
    target[0] = torch.tensor([0.0, 0.0, 1.0, 0.0, 0.0])  # a one-hot row
    target[1] = torch.tensor([0.9, 0.025, 0.025, 0.025, 0.025])  # label smoothing
    logits[0] = torch.tensor([100.0, -100.0, 0.0, 3.0, 100.0], dtype=dtype)  # huge logits
    loss = lambda a, b: losses.cross_entropy(a, b, reduction=reduction)  # noqa: E731
    assert_same(
        values_and_grads(loss, logits, target),
        values_and_grads(nn.CrossEntropyLoss(reduction=reduction), logits, target),
    )
    # and the gradient with respect to the target, as torch gives it
    soft = target.clone().requires_grad_(True)
    (ours,) = torch.autograd.grad(loss(logits, soft).sum(), soft)
    (theirs,) = torch.autograd.grad(
        nn.CrossEntropyLoss(reduction=reduction)(logits, soft).sum(), soft
    )
    torch.testing.assert_close(ours, theirs)


def test_cross_entropy_of_one_hot_rows_equals_that_of_their_class_indices():
    logits = torch.randn(6, 4, generator=torch.Generator().manual_seed(5))
    labels = torch.tensor([0, 3, 1, 1, 2, 0])
    one_hot = torch.eye(4)[labels]
    torch.testing.assert_close(
        losses.cross_entropy(logits, one_hot), nn.CrossEntropyLoss()(logits, labels)
    )
    torch.testing.assert_close(
        losses.cross_entropy(logits, one_hot), losses.cross_entropy(logits, labels)
    )


def test_cross_entropy_by_hand():
    # -log softmax([2, 0])[0] = log(e^2 + 1) - 2
    value = losses.cross_entropy(torch.tensor([[2.0, 0.0]]), torch.tensor([0]))
    assert value.item() == pytest.approx(torch.log(torch.tensor(7.38905609893 + 1)).item() - 2)


def test_losses_by_hand():
    pred, target = torch.tensor([2.0, 4.0, 0.5]), torch.tensor([3.0, 3.0, 0.5])
    assert losses.mae(pred, target).item() == pytest.approx(2 / 3)
    assert losses.mse(pred, target, reduction="sum").item() == pytest.approx(2.0)
    assert losses.bce(torch.tensor([0.9]), torch.tensor([1.0])).item() == pytest.approx(0.1053605)


@pytest.mark.parametrize("loss_fn", [losses.mae, losses.mse, losses.bce, losses.bce_with_logits])
def test_column_prediction_against_flat_target_says_to_reshape(loss_fn):
    pred, target = torch.full((4, 1), 0.5), torch.ones(4)
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\).*unsqueeze\(1\)"):
        loss_fn(pred, target)
    with pytest.raises(ValueError, match=r"squeeze\(1\)"):
        loss_fn(pred.squeeze(1), target.unsqueeze(1))
    with pytest.raises(ValueError, match="same shape"):
        loss_fn(torch.full((4,), 0.5), torch.ones(3))


def test_bce_on_values_outside_0_1_suggests_logits_or_sigmoid():
    with pytest.raises(ValueError, match="bce_with_logits.*sigmoid"):
        losses.bce(torch.tensor([2.5, -1.0]), torch.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="targets between 0 and 1.*got 2.*cross_entropy"):
        losses.bce(torch.tensor([0.5]), torch.tensor([2.0]))
    with pytest.raises(ValueError, match=r"got -1.*\(target \+ 1\) / 2"):
        losses.bce(torch.tensor([0.5, 0.5]), torch.tensor([1.0, -1.0]))


def test_bce_on_nan_names_causes_that_fit_where_the_nan_is():
    # PyTorch's own BCELoss names no cause
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        nn.BCELoss()(torch.tensor([float("nan")]), torch.tensor([1.0]))
    with pytest.raises(ValueError, match="NaN in pred.*inputs.*learning rate") as error:
        losses.bce(torch.tensor([0.5, float("nan")]), torch.tensor([1.0, 0.0]))
    assert "division" not in str(error.value) and "cross_entropy" not in str(error.value)
    with pytest.raises(ValueError, match="NaN in target.*missing.*isnan") as error:
        losses.bce(torch.tensor([0.5, 0.5]), torch.tensor([1.0, float("nan")]))
    assert "cross_entropy" not in str(error.value)


def test_bce_accepts_integer_labels():
    p = torch.tensor([0.2, 0.7])
    torch.testing.assert_close(
        losses.bce(p, torch.tensor([0, 1])), nn.BCELoss()(p, torch.tensor([0.0, 1.0]))
    )


def test_cross_entropy_refuses_float_labels_and_rows_that_are_not_probabilities():
    logits = torch.randn(3, 4, generator=torch.Generator().manual_seed(0))
    with pytest.raises(TypeError, match=r"integer class indices.*target\.long\(\)"):
        losses.cross_entropy(logits, torch.tensor([0.0, 2.0, 1.0]))
    several_labels = torch.tensor([[1.0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1]])
    with pytest.raises(ValueError, match=r"row 0 is \[1.0, 1.0, 0.0, 0.0\].*bce_with_logits"):
        losses.cross_entropy(logits, several_labels)
    with pytest.raises(ValueError, match=r"between 0 and 1.*row 1 is \[1.5, 0.0, 0.0, 0.0\]"):
        losses.cross_entropy(logits, torch.tensor([[1.0, 0, 0, 0], [1.5, 0, 0, 0], [0, 0, 1, 0]]))
    with pytest.raises(
        ValueError, match=r"row 0 is \[2.0, -1.0, 0.0, 0.0\]"
    ):  # sums to 1: not enough
        losses.cross_entropy(logits, torch.tensor([[2.0, -1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]))
    with pytest.raises(ValueError, match="between 0 and 3"):
        losses.cross_entropy(logits, torch.tensor([0, 4, 1]))
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        losses.cross_entropy(logits[0], torch.tensor(1))


def test_unknown_reduction_is_refused():
    with pytest.raises(ValueError, match="reduction must be one of"):
        losses.mse(torch.zeros(2), torch.zeros(2), reduction="average")


def test_none_reduction_gives_one_loss_per_example_whose_mean_is_the_cost():
    pred, target = regression_data(torch.float64)
    per_example = losses.mse(pred, target, reduction="none")
    assert per_example.shape == pred.shape
    torch.testing.assert_close(per_example.mean(), nn.MSELoss()(pred, target))
