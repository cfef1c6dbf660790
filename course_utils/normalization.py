"""Batch normalization from scratch, equal to ``nn.BatchNorm1d``."""

from collections.abc import Callable

import torch
from torch import Tensor, nn


class BatchNorm1d(nn.Module):
    """Normalize each feature over the batch (with running averages in eval), then scale and shift, like ``nn.BatchNorm1d``."""

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


@torch.no_grad()
def loss_with_batch_statistics(
    model: nn.Module, loss_fn: Callable[[Tensor, Tensor], Tensor], X: Tensor, y: Tensor
) -> float:
    """The loss on (X, y) as training computes it: batch norm with this batch's own statistics.

    ``training.evaluate`` measures in eval mode, where batch norm uses its running averages;
    early in training those still lag behind the batch statistics the model trains with. In
    training mode, though, batch norm also updates its running averages: a measurement must not,
    so they are put back afterwards (and the model's mode too). Dropout, if the model has any,
    would drop values here as in training.
    """
    buffers = {name: buffer.clone() for name, buffer in model.named_buffers()}
    was_training = model.training
    model.train()
    try:
        return loss_fn(model(X), y).item()
    finally:
        model.train(was_training)
        for name, buffer in model.named_buffers():
            buffer.copy_(buffers[name])
