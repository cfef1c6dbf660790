"""Batch normalization from scratch, equal to ``nn.BatchNorm1d``."""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["BatchNorm1d"]


class BatchNorm1d(nn.Module):
    """Normalize each feature over the batch, then scale by ``weight`` and shift by ``bias``.

    In training each feature is standardized with the batch's own mean and (biased) variance,
    and running averages of them are kept: ``running = (1 - momentum) * running + momentum *
    batch`` (the running variance uses the unbiased batch variance, as PyTorch does). In
    evaluation the running averages are used instead, so one example's prediction does not
    depend on the other examples in its batch. Same parameters and buffers as ``nn.BatchNorm1d``.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))  # gamma: learned scale
        self.bias = nn.Parameter(torch.zeros(num_features))  # beta: learned shift
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape[1] != self.num_features:
            raise ValueError(
                f"expected input of shape (N, {self.num_features}), got {tuple(x.shape)}"
            )
        if self.training:
            if len(x) < 2:
                raise ValueError(
                    "batch normalization needs at least 2 examples per batch in training: one "
                    "example has no variance. Use a larger batch, or call model.eval()"
                )
            mean = x.mean(dim=0)  # (features,)
            variance = x.var(dim=0, correction=0)  # biased: divide by N, to normalize
            with torch.no_grad():
                unbiased = x.var(dim=0, correction=1)
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * unbiased)
                self.num_batches_tracked += 1
        else:
            mean, variance = self.running_mean, self.running_var
        x_hat = (x - mean) / torch.sqrt(variance + self.eps)  # (N, features), mean 0, std 1
        return self.weight * x_hat + self.bias

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"
