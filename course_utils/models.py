"""Models, each keeping its constructor arguments in ``init_args`` so that a checkpoint can rebuild it."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import Tensor, nn


def check_input_shape(x: Tensor, input_features: int, model_name: str) -> None:
    """Raise an error a student can act on unless ``x`` is floating point of shape (N, input_features)."""
    if x.dim() != 2 or x.shape[1] != input_features:
        one_example = x.dim() == 1 and x.shape[0] == input_features
        hint = "; for a single example use x.unsqueeze(0) to add the batch dimension"
        raise ValueError(
            f"expected input of shape (N, {input_features}), got {tuple(x.shape)}: the {model_name} "
            f"was built for {input_features} features{hint if one_example else ''}"
        )
    if not torch.is_floating_point(x):
        raise TypeError(f"expected a floating-point input, got dtype {x.dtype}: use x.float()")


class SimpleClassifier(nn.Module):
    """The seed lesson's classifier, Linear -> ReLU -> Linear -> Sigmoid, with the seed's parameter names."""

    def __init__(self, input_features: int, hidden_units: int):
        super().__init__()
        self.init_args = {"input_features": input_features, "hidden_units": hidden_units}
        self.linear1 = nn.Linear(in_features=input_features, out_features=hidden_units)
        self.linear2 = nn.Linear(in_features=hidden_units, out_features=1)
        self.relu = nn.ReLU()
        self.sigmoid = nn.Sigmoid()

    def forward(self, x: Tensor) -> Tensor:
        check_input_shape(x, self.linear1.in_features, type(self).__name__)
        x = self.linear1(x)  # (N, hidden_units)
        x = self.relu(x)
        x = self.linear2(x)  # (N, 1)
        x = self.sigmoid(x)
        return x


ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "none": nn.Identity,
}


class MLPClassifier(nn.Module):
    """A binary classifier with ``hidden_layers`` layers of ``hidden_units`` and an ``ACTIVATIONS`` key."""

    def __init__(
        self,
        input_features: int,
        hidden_units: int,
        activation: str = "relu",
        hidden_layers: int = 1,
    ):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {activation!r}: choose one of {', '.join(ACTIVATIONS)}"
            )
        if hidden_layers < 1:
            raise ValueError(f"hidden_layers must be at least 1, got {hidden_layers}")
        self.init_args = {"input_features": input_features, "hidden_units": hidden_units}
        self.init_args |= {"activation": activation, "hidden_layers": hidden_layers}
        layers: list[nn.Module] = []
        width = input_features
        for _ in range(hidden_layers):
            layers += [nn.Linear(width, hidden_units), ACTIVATIONS[activation]()]
            width = hidden_units
        self.layers = nn.Sequential(*layers, nn.Linear(width, 1), nn.Sigmoid())

    def forward(self, x: Tensor) -> Tensor:
        check_input_shape(x, self.init_args["input_features"], type(self).__name__)
        return self.layers(x)


class MulticlassMLP(nn.Module):
    """A C-class classifier, Linear -> ReLU -> (Dropout) -> Linear, returning logits (N, C)."""

    def __init__(
        self, input_features: int, hidden_units: int, num_classes: int, dropout: float = 0.0
    ):
        super().__init__()
        if num_classes < 2:
            raise ValueError(
                f"num_classes must be at least 2 (one output per class), got {num_classes}: "
                "for two classes with one output, use SimpleClassifier and BCE"
            )
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout is a probability in [0, 1), got {dropout}")
        self.init_args = {"input_features": input_features, "hidden_units": hidden_units}
        self.init_args |= {"num_classes": num_classes, "dropout": dropout}
        self.hidden = nn.Linear(input_features, hidden_units)
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(hidden_units, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        check_input_shape(x, self.hidden.in_features, type(self).__name__)
        if x.device != device_of(self):
            raise ValueError(
                f"the input is on the device {x.device.type!r} but the {type(self).__name__}'s "
                f"weights are on {device_of(self).type!r}: move the batch where the model is, "
                "x = x.to(device) with device = next(model.parameters()).device"
            )
        x = self.dropout(self.relu(self.hidden(x)))  # (N, hidden_units)
        return self.output(x)  # (N, num_classes): logits, no softmax


MODEL_CLASSES: dict[str, type[nn.Module]] = {
    "SimpleClassifier": SimpleClassifier,
    "MLPClassifier": MLPClassifier,
    "MulticlassMLP": MulticlassMLP,
}


def build_model(class_name: str, init_args: dict[str, Any]) -> nn.Module:
    """Build a course model from its class name and constructor arguments, as a checkpoint stores them."""
    if class_name not in MODEL_CLASSES:
        raise ValueError(
            f"unknown model class {class_name!r}: use one of {', '.join(MODEL_CLASSES)}"
        )
    return MODEL_CLASSES[class_name](**init_args)


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """Inside the ``with`` block: ``model`` in eval mode (no Dropout), without gradients; then its mode is restored."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield model
    finally:
        model.train(was_training)


def device_of(model: nn.Module) -> torch.device:
    """The device of the model's weights (the CPU for a model without any)."""
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")
