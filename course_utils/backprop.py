"""Backpropagation by hand, and a finite-difference check of any model's gradients."""

import copy
from collections.abc import Callable

import torch
from torch import Tensor, nn

from course_utils import guards
from course_utils.models import SimpleClassifier


def simple_classifier_gradients(model: SimpleClassifier, X: Tensor, y: Tensor) -> dict[str, Tensor]:
    """The gradients of the mean BCE loss of ``model(X)``, worked out by hand.

    The result is keyed like ``model.named_parameters()``, so each entry can be compared
    with the ``.grad`` that autograd leaves on that parameter. Equal to autograd while
    p(1 - p) > 1e-12 (|z2| < 27.6, and z2 < 16.6 in float32); beyond, nn.BCELoss's
    clamped backward shrinks towards 0, while this returns the true (p - y) / N.
    """
    guards.backprop.check_classifier_batch(model, X, y)
    W1, b1 = model.linear1.weight.detach(), model.linear1.bias.detach()  # (H, D), (H,)
    W2, b2 = model.linear2.weight.detach(), model.linear2.bias.detach()  # (1, H), (1,)
    n = X.shape[0]
    X, y = X.detach().to(W1.dtype), y.detach().to(W1.dtype)

    # forward pass, keeping what the backward pass needs
    z1 = X @ W1.T + b1  # (N, H)  pre-activations of the hidden layer
    a1 = torch.where(z1 > 0, z1, torch.zeros_like(z1))  # (N, H)  ReLU
    z2 = a1 @ W2.T + b2  # (N, 1)  the logit
    p = 1 / (1 + torch.exp(-z2))  # (N, 1)  sigmoid: the probability of class 1

    # backward pass: each line is the chain rule,
    # dL/d(input) = dL/d(output) · d(output)/d(input)
    # dL/dp = (p - y) / (N p (1 - p)) and dp/dz2 = p (1 - p):
    # their product is the error itself
    dz2 = (p - y) / n  # (N, 1)
    dW2 = dz2.T @ a1  # (1, H)  z2 = a1 @ W2.T + b2: each example adds dz2_n · a1_n
    db2 = dz2.sum(dim=0)  # (1,)  the bias is added to every example: sum over the batch
    da1 = dz2 @ W2  # (N, H)  how the loss changes with each hidden activation
    dz1 = da1 * (z1 > 0).to(da1.dtype)  # (N, H)  ReLU passes the gradient only where z1 > 0
    dW1 = dz1.T @ X  # (H, D)
    db1 = dz1.sum(dim=0)  # (H,)
    return {"linear1.weight": dW1, "linear1.bias": db1, "linear2.weight": dW2, "linear2.bias": db2}


def _relative_error(autograd: Tensor, numeric: Tensor) -> float:
    """The largest |autograd - numeric|, relative to the larger of the two."""
    # the floor 1e-10 keeps rounding noise on a true gradient of 0 from reading as 100 %
    scale = torch.maximum(autograd.abs(), numeric.abs()).clamp(min=1e-10)
    return float(((autograd - numeric).abs() / scale).max()) if autograd.numel() else 0.0


def gradient_check(
    model: nn.Module,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    X: Tensor,
    y: Tensor,
    eps: float = 1e-6,
) -> dict[str, float]:
    """The largest relative error per parameter of autograd against finite differences.

    Each weight is moved by ±eps in turn, and (L(w + eps) - L(w - eps)) / (2 eps) is
    compared with autograd's gradient. The model is copied to float64 in eval mode: a
    difference of two nearby losses loses digits, and float32 would leave too few of
    them.
    """
    checked = copy.deepcopy(model).double().eval()  # float64: the differences need the digits
    X = X.detach().double() if X.is_floating_point() else X.detach()
    y = y.detach().double() if y.is_floating_point() else y.detach()
    parameters = {name: p for name, p in checked.named_parameters() if p.requires_grad}

    loss = loss_fn(checked(X), y)
    autograd = torch.autograd.grad(loss, list(parameters.values()))

    errors: dict[str, float] = {}
    with torch.no_grad():
        for (name, p), analytic in zip(parameters.items(), autograd, strict=True):
            numeric = torch.zeros_like(p)
            flat, numeric_flat = p.view(-1), numeric.view(-1)
            for i in range(flat.numel()):
                original = flat[i].item()
                flat[i] = original + eps
                loss_plus = loss_fn(checked(X), y).item()
                flat[i] = original - eps
                loss_minus = loss_fn(checked(X), y).item()
                flat[i] = original
                numeric_flat[i] = (loss_plus - loss_minus) / (2 * eps)
            errors[name] = _relative_error(analytic, numeric)
    return errors
