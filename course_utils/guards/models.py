"""The guard of ``models``: the arguments of a model's constructor, and its input.

A wrongly shaped input fails deep inside PyTorch ("mat1 and mat2 shapes cannot be
multiplied (4x3 and 2x10)"); these checks say it in the model's terms instead: how many
features it was built for, and how to fix the batch.
"""

import torch
from torch import Tensor


def check_input_shape(x: Tensor, input_features: int, model_name: str) -> None:
    """Raise an error a student can act on unless x is (N, input_features), floating."""
    if x.dim() != 2 or x.shape[1] != input_features:
        one_example = x.dim() == 1 and x.shape[0] == input_features
        hint = "; for a single example use x.unsqueeze(0) to add the batch dimension"
        raise ValueError(
            f"expected input of shape (N, {input_features}), got {tuple(x.shape)}: the "
            f"{model_name} was built for {input_features} features{hint if one_example else ''}"
        )
    if not torch.is_floating_point(x):
        raise TypeError(f"expected a floating-point input, got dtype {x.dtype}: use x.float()")


def check_same_device(x: Tensor, weights_device: torch.device, model_name: str) -> None:
    """Raise unless the batch is on the device of the model's weights."""
    if x.device != weights_device:
        raise ValueError(
            f"the input is on the device {x.device.type!r} but the {model_name}'s weights are "
            f"on {weights_device.type!r}: move the batch where the model is, "
            "x = x.to(device) with device = next(model.parameters()).device"
        )


def check_activation(activation: str, known: dict[str, object]) -> None:
    """Raise unless ``activation`` is one of the ``known`` names."""
    if activation not in known:
        raise ValueError(f"unknown activation {activation!r}: choose one of {', '.join(known)}")


def check_hidden_layers(hidden_layers: int) -> None:
    """Raise unless there is at least one hidden layer."""
    if hidden_layers < 1:
        raise ValueError(f"hidden_layers must be at least 1, got {hidden_layers}")


def check_classes_and_dropout(num_classes: int, dropout: float) -> None:
    """Raise unless there are 2 classes or more and ``dropout`` is in [0, 1)."""
    if num_classes < 2:
        raise ValueError(
            f"num_classes must be at least 2 (one output per class), got {num_classes}: "
            "for two classes with one output, use SimpleClassifier and BCE"
        )
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout is a probability in [0, 1), got {dropout}")


def check_model_class(class_name: str, known: dict[str, object]) -> None:
    """Raise unless ``class_name`` is one of the ``known`` model classes."""
    if class_name not in known:
        raise ValueError(f"unknown model class {class_name!r}: use one of {', '.join(known)}")
