"""The course's models, and ``eval_mode`` to use one for predictions.

Each model keeps its constructor's arguments in ``init_args``, so that a checkpoint can
rebuild it (notebook 10). Their arguments and inputs are checked by ``guards.models``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import Tensor, nn

from course_utils import guards


class SimpleClassifier(nn.Module):
    """The seed lesson's classifier: Linear -> ReLU -> Linear -> Sigmoid, a probability.

    The layers keep the seed's names (``linear1``, ``linear2``), so that the seed's
    ``state_dict`` loads into it.
    """

    def __init__(self, input_features: int, hidden_units: int):
        super().__init__()
        self.init_args = {"input_features": input_features, "hidden_units": hidden_units}
        self.linear1 = nn.Linear(in_features=input_features, out_features=hidden_units)
        self.linear2 = nn.Linear(in_features=hidden_units, out_features=1)
        self.relu = nn.ReLU()
        self.sigmoid = nn.Sigmoid()

    def forward(self, x: Tensor) -> Tensor:
        guards.models.check_input_shape(x, self.linear1.in_features, type(self).__name__)
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
    """A binary classifier: ``hidden_layers`` of ``hidden_units`` each, then a sigmoid.

    ``activation`` names the hidden layers' activation, a key of ``ACTIVATIONS``.
    """

    def __init__(
        self,
        input_features: int,
        hidden_units: int,
        activation: str = "relu",
        hidden_layers: int = 1,
    ):
        super().__init__()
        guards.models.check_activation(activation, ACTIVATIONS)
        guards.models.check_hidden_layers(hidden_layers)
        self.init_args = {"input_features": input_features, "hidden_units": hidden_units}
        self.init_args |= {"activation": activation, "hidden_layers": hidden_layers}
        layers: list[nn.Module] = []
        width = input_features
        for _ in range(hidden_layers):
            layers += [nn.Linear(width, hidden_units), ACTIVATIONS[activation]()]
            width = hidden_units
        self.layers = nn.Sequential(*layers, nn.Linear(width, 1), nn.Sigmoid())

    def forward(self, x: Tensor) -> Tensor:
        guards.models.check_input_shape(x, self.init_args["input_features"], type(self).__name__)
        return self.layers(x)


class MulticlassMLP(nn.Module):
    """A C-class classifier, Linear -> ReLU -> (Dropout) -> Linear: logits (N, C)."""

    def __init__(
        self, input_features: int, hidden_units: int, num_classes: int, dropout: float = 0.0
    ):
        super().__init__()
        guards.models.check_classes_and_dropout(num_classes, dropout)
        self.init_args = {"input_features": input_features, "hidden_units": hidden_units}
        self.init_args |= {"num_classes": num_classes, "dropout": dropout}
        self.hidden = nn.Linear(input_features, hidden_units)
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(hidden_units, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        guards.models.check_input_shape(x, self.hidden.in_features, type(self).__name__)
        guards.models.check_same_device(x, device_of(self), type(self).__name__)
        x = self.dropout(self.relu(self.hidden(x)))  # (N, hidden_units)
        return self.output(x)  # (N, num_classes): logits, no softmax


MODEL_CLASSES: dict[str, type[nn.Module]] = {
    "SimpleClassifier": SimpleClassifier,
    "MLPClassifier": MLPClassifier,
    "MulticlassMLP": MulticlassMLP,
}


def build_model(class_name: str, init_args: dict[str, Any]) -> nn.Module:
    """Build a course model from its class name and constructor arguments.

    A checkpoint stores the two (``type(model).__name__`` and ``model.init_args``), so
    that loading it can rebuild the model before loading its weights.
    """
    guards.models.check_model_class(class_name, MODEL_CLASSES)
    return MODEL_CLASSES[class_name](**init_args)


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """Inside the ``with`` block, ``model`` is in eval mode, without gradients.

    Eval mode switches off what only training needs (Dropout keeps every value, batch
    norm uses its running averages); ``no_grad`` skips recording the graph that backward
    would need. Afterwards the model is back in the mode it was in, even if the block
    raised.
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
