"""Batch normalization from scratch, equal to ``nn.BatchNorm1d``."""

from collections.abc import Callable

import torch
from torch import Tensor, nn

from course_utils import guards


class BatchNorm1d(nn.Module):
    """Normalize each feature over the batch, then scale and shift it: nn.BatchNorm1d.

    In training, each feature is normalized with the batch's own mean and variance, and
    running averages of them are kept; in eval mode those running averages are used
    instead, so that a prediction does not depend on the other examples of its batch.
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
        guards.normalization.check_batch(x, self.num_features, self.training)
        if self.training:
            mean = x.mean(dim=0)  # (features,)
            variance = x.var(dim=0, correction=0)  # biased: divide by N, to normalize
            with torch.no_grad():  # running averages for eval mode, outside the graph
                unbiased = x.var(dim=0, correction=1)  # divide by N - 1, as nn.BatchNorm1d keeps it
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
    """The loss on (X, y) as training computes it, with the batch's own statistics.

    ``training.evaluate`` measures in eval mode, where batch norm uses its running
    averages; early in training those still lag behind the batch statistics the model
    trains with. In training mode, though, batch norm also updates its running averages:
    a measurement must not, so they are put back afterwards (and the model's mode too).
    Dropout, if the model has any, would drop values here as in training.
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
