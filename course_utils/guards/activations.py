"""The guard of ``activations``: the options an activation function is given."""


def check_gelu_form(approximate: str) -> None:
    """Raise unless ``approximate`` names one of GELU's two forms, as F.gelu does."""
    if approximate not in ("none", "tanh"):
        raise ValueError(
            f"approximate must be 'none' (the exact erf form) or 'tanh' (the tanh approximation), "
            f"as in torch.nn.functional.gelu; got {approximate!r}"
        )
