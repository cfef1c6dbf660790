"""The guard of ``initialization``: the weight an initializer fills."""

from torch import Tensor


def check_linear_weight(weight: Tensor) -> None:
    """Raise unless ``weight`` is a Linear layer's: 2-D, (out_features, in_features)."""
    if weight.dim() != 2:
        raise ValueError(
            f"expected a Linear layer's 2-D weight (out_features, in_features), got shape "
            f"{tuple(weight.shape)}"
        )
