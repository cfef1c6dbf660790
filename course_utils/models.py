"""Models: the seed lesson's SimpleClassifier and a configurable multilayer perceptron.

Each model keeps the arguments it was built with in ``model.init_args``, so a checkpoint can
store them and rebuild the same architecture (see ``course_utils.checkpoint``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import Tensor, nn

__all__ = [
    "SimpleClassifier",
    "MLPClassifier",
    "MulticlassMLP",
    "build_model",
    "eval_mode",
    "device_of",
    "MODEL_CLASSES",
    "ACTIVATIONS",
]


def check_input_shape(x: Tensor, input_features: int, model_name: str) -> None:
    """Raise a ValueError that a student can act on when ``x`` is not (N, input_features)."""
    if x.dim() != 2 or x.shape[1] != input_features:
        shape = tuple(x.shape)
        raise ValueError(
            f"expected input of shape (N, {input_features}), got {shape}: the {model_name} "
            f"was built for {input_features} features"
            + (
                "; for a single example use x.unsqueeze(0) to add the batch dimension"
                if x.dim() == 1 and x.shape[0] == input_features
                else ""
            )
        )
    if not torch.is_floating_point(x):
        raise TypeError(
            f"expected a floating-point input, got dtype {x.dtype}: convert it with x.float()"
        )


class SimpleClassifier(nn.Module):
    """The seed lesson's binary classifier: Linear -> ReLU -> Linear -> Sigmoid.

    Returns the probability of class 1, shape (N, 1). The parameter names (``linear1``,
    ``linear2``) are the seed's, so a state_dict saved by the seed's code loads into it.
    """

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
    """A binary classifier with ``hidden_layers`` hidden layers of ``hidden_units`` each.

    ``activation`` is one of ``ACTIVATIONS`` (``"none"`` makes the whole network linear).
    Returns the probability of class 1, shape (N, 1), like SimpleClassifier.
    """

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
        self.input_features = input_features
        layers: list[nn.Module] = []
        width = input_features
        for _ in range(hidden_layers):
            layers += [nn.Linear(width, hidden_units), ACTIVATIONS[activation]()]
            width = hidden_units
        layers += [nn.Linear(width, 1), nn.Sigmoid()]
        self.layers = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        check_input_shape(x, self.input_features, type(self).__name__)
        return self.layers(x)


def check_input_device(x: Tensor, model: nn.Module) -> None:
    """Raise a ValueError that says what to do when ``x`` is not on the device of ``model``'s weights."""
    parameter = next(model.parameters(), None)
    if parameter is not None and x.device != parameter.device:
        raise ValueError(
            f"the input is on the device {x.device.type!r} but the {type(model).__name__}'s "
            f"weights are on {parameter.device.type!r}: tensors must be on the same device to "
            f"compute together. Move the batch where the model is: x = x.to(device) (with "
            f"device = next(model.parameters()).device)"
        )


class MulticlassMLP(nn.Module):
    """A C-class classifier: Linear -> ReLU -> (Dropout) -> Linear, returning C logits per example.

    The output (N, num_classes) holds raw scores (logits), the input ``nn.CrossEntropyLoss``
    expects: ``logits.softmax(dim=1)`` turns them into probabilities, ``logits.argmax(dim=1)``
    into the predicted class. ``dropout`` (a probability, 0 = none) regularizes the hidden layer.
    """

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
        check_input_device(x, self)
        x = self.dropout(self.relu(self.hidden(x)))  # (N, hidden_units)
        return self.output(x)  # (N, num_classes): logits, no softmax


MODEL_CLASSES: dict[str, type[nn.Module]] = {
    "SimpleClassifier": SimpleClassifier,
    "MLPClassifier": MLPClassifier,
    "MulticlassMLP": MulticlassMLP,
}


def build_model(class_name: str, init_args: dict[str, Any]) -> nn.Module:
    """Build a course model from its class name and constructor arguments (as a checkpoint stores them)."""
    if class_name not in MODEL_CLASSES:
        raise ValueError(
            f"unknown model class {class_name!r}: this course knows {', '.join(MODEL_CLASSES)}"
        )
    return MODEL_CLASSES[class_name](**init_args)


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """Inside the ``with`` block: ``model`` in eval mode, without gradients; then its mode is restored.

    Eval mode turns Dropout off and makes BatchNorm use its running statistics; ``no_grad``
    saves the memory and time of recording the computation for a backward pass.
    """
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
