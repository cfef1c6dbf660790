"""The guard of ``backprop``: the batch given to the hand-written backward pass."""

from torch import Tensor, nn

from course_utils.guards.models import check_input_shape


def check_classifier_batch(model: nn.Module, X: Tensor, y: Tensor) -> None:
    """Raise unless X is (N, input_features) and y is (N, 1), like the model's output.

    y must be (N, 1) like the model's output: a y of shape (N,) would broadcast against
    the (N, 1) predictions into an (N, N) table of every prediction against every label.
    """
    check_input_shape(X, model.linear1.in_features, type(model).__name__)
    n = X.shape[0]
    if y.shape != (n, 1):
        raise ValueError(
            f"expected y of shape ({n}, 1) like the model's output, got {tuple(y.shape)}: one "
            "label per row (y.unsqueeze(1) turns (N,) into (N, 1))"
        )
