"""Backpropagation by hand, and a finite-difference check of any model's gradients.

``simple_classifier_gradients`` does for ``models.SimpleClassifier`` what ``loss.backward()``
does, the chain rule layer by layer in matrix form, and is tested against autograd;
``gradient_check`` is the independent oracle, comparing autograd's gradient with the slope
measured by nudging every parameter by ±eps.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import torch
from torch import Tensor, nn

from course_utils.models import SimpleClassifier

__all__ = ["simple_classifier_gradients", "gradient_check"]


def simple_classifier_gradients(model: SimpleClassifier, X: Tensor, y: Tensor) -> dict[str, Tensor]:
    """The gradients of the mean BCE loss of ``model(X)`` against ``y``, computed by hand.

    Returns ``{"linear1.weight": ..., "linear1.bias": ..., "linear2.weight": ...,
    "linear2.bias": ...}``, each the shape of its parameter, equal to what ``loss.backward()``
    leaves in ``param.grad`` for ``loss = nn.BCELoss()(model(X), y)``.

    The key step: with p = sigmoid(z2) and L = -(1/N) Σ [y log p + (1 - y) log(1 - p)],
    dL/dp = (1/N) (p - y) / (p (1 - p)) and dp/dz2 = p (1 - p), so their product, the chain
    rule through sigmoid and BCE together, is simply dL/dz2 = (p - y) / N: the error itself.

    Domain: equal to autograd while p (1 - p) stays above 1e-12 (|z2| below about 27.6, and in
    float32 z2 below 16.6). nn.BCELoss's backward divides by max(p (1 - p), 1e-12), so beyond
    that autograd's gradient shrinks towards 0; it is exactly 0 where sigmoid(z2) rounds to 1
    (z2 above about 16.6 in float32, 36.7 in float64) or to 0 (z2 below about -88.7 in
    float32: floats are far finer near 0 than near 1). This function still returns the true
    gradient (p - y) / N there.
    """
    W1, b1 = model.linear1.weight.detach(), model.linear1.bias.detach()  # (H, D), (H,)
    W2, b2 = model.linear2.weight.detach(), model.linear2.bias.detach()  # (1, H), (1,)
    n = X.shape[0]
    if X.dim() != 2 or X.shape[1] != W1.shape[1]:
        raise ValueError(
            f"expected X of shape (N, {W1.shape[1]}), got {tuple(X.shape)}: the model was built "
            f"for {W1.shape[1]} features"
        )
    if y.shape != (n, 1):
        raise ValueError(
            f"expected y of shape ({n}, 1), one label per row like the model's output, got "
            f"{tuple(y.shape)}" + ("; use y.unsqueeze(1)" if y.shape == (n,) else "")
        )
    X = X.detach().to(W1.dtype)
    y = y.detach().to(W1.dtype)

    # forward pass, keeping what the backward pass needs
    z1 = X @ W1.T + b1  # (N, H)  pre-activations of the hidden layer
    a1 = torch.where(z1 > 0, z1, torch.zeros_like(z1))  # (N, H)  ReLU
    z2 = a1 @ W2.T + b2  # (N, 1)  the logit
    p = 1 / (1 + torch.exp(-z2))  # (N, 1)  sigmoid: the probability of class 1

    # backward pass: each line is the chain rule, dL/d(input) = dL/d(output) · d(output)/d(input)
    dz2 = (p - y) / n  # (N, 1)  sigmoid + mean BCE together (see the docstring)
    dW2 = dz2.T @ a1  # (1, H)  z2 = a1 @ W2.T + b2: each example adds dz2_n · a1_n
    db2 = dz2.sum(dim=0)  # (1,)  the bias is added to every example: sum over the batch
    da1 = dz2 @ W2  # (N, H)  how the loss changes with each hidden activation
    dz1 = da1 * (z1 > 0).to(da1.dtype)  # (N, H)  ReLU passes the gradient only where z1 > 0
    dW1 = dz1.T @ X  # (H, D)
    db1 = dz1.sum(dim=0)  # (H,)
    return {"linear1.weight": dW1, "linear1.bias": db1, "linear2.weight": dW2, "linear2.bias": db2}


def _relative_error(autograd: Tensor, numeric: Tensor) -> float:
    """The largest |a - n| / max(|a|, |n|) over the entries; entries where both are 0 count as 0.

    The denominator has a floor of 1e-10 so that rounding noise (about 1e-10 for a loss near 1
    with eps = 1e-6 in float64) on an entry whose true gradient is 0 does not read as 100 %.
    """
    scale = torch.maximum(autograd.abs(), numeric.abs()).clamp(min=1e-10)
    return float(((autograd - numeric).abs() / scale).max()) if autograd.numel() else 0.0


def gradient_check(
    model: nn.Module,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    X: Tensor,
    y: Tensor,
    eps: float = 1e-6,
) -> dict[str, float]:
    """Compare autograd's gradients with central differences; returns the largest relative error per parameter.

    For every entry θ of every parameter: numeric slope = (L(θ + eps) - L(θ - eps)) / (2 eps),
    compared with autograd's dL/dθ. Runs on a float64 deep copy in eval mode, so the caller's
    model (its dtype, values and .grad) is untouched. A correct model gives errors around 1e-8
    or less; an error near 1 means autograd does not see part of the computation. It runs two
    forward passes per parameter entry, so keep the model and the batch small.
    """
    checked = copy.deepcopy(model).double().eval()  # float64: the differences need the digits
    X = X.detach().double() if X.is_floating_point() else X.detach()
    y = y.detach().double() if y.is_floating_point() else y.detach()
    parameters = {name: p for name, p in checked.named_parameters() if p.requires_grad}
    for p in parameters.values():
        p.grad = None

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
