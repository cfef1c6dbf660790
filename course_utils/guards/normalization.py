"""The guard of ``normalization``: the batch given to batch normalization."""

from torch import Tensor


def check_batch(x: Tensor, num_features: int, training: bool) -> None:
    """Raise unless ``x`` is (N, num_features), with N of 2 or more in training.

    In training, batch norm divides by the batch's own standard deviation: one example
    has none to divide by.
    """
    if x.dim() != 2 or x.shape[1] != num_features:
        raise ValueError(f"expected input of shape (N, {num_features}), got {tuple(x.shape)}")
    if training and len(x) < 2:
        raise ValueError(
            "batch normalization needs at least 2 examples per batch in training: one "
            "example has no variance. Use a larger batch, or call model.eval()"
        )
