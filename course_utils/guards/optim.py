"""The guard of ``optim``: an optimizer's options, checked as torch.optim checks them.

Each message starts with torch's own wording ("Invalid learning rate: -0.1"), so that a
search finds PyTorch's documentation, then says what a usable value looks like.
"""

from typing import Any

# The options that must be 0 or more: torch's name for each, and a typical value.
_AT_LEAST_ZERO = {
    "lr": ("learning rate", 0.01),
    "momentum": ("momentum value", 0.9),
    "weight_decay": ("weight_decay value", 1e-4),
    "eps": ("epsilon value", 1e-8),
    "lr_decay": ("lr_decay value", 1e-4),
    "initial_accumulator_value": ("initial_accumulator_value value", 0.1),
    "alpha": ("alpha value", 0.99),
}


def check_options(defaults: dict[str, Any]) -> None:
    """Raise torch's ValueError for an option it refuses, with a usable value to try.

    ``defaults`` is the dict of options an optimizer's constructor passes to
    ``torch.optim.Optimizer``; each optimizer has only some of the options checked here.
    """
    if defaults.get("nesterov"):
        _check_nesterov(defaults["momentum"], defaults["dampening"])
    for name, (what, example) in _AT_LEAST_ZERO.items():
        value = defaults.get(name, 0.0)
        if not 0.0 <= value:  # written this way round so that NaN fails too
            raise ValueError(
                f"Invalid {what}: {value}; it must be 0 or more, e.g. {name}={example}"
            )
    for index, beta in enumerate(defaults.get("betas", ())):
        if not 0.0 <= beta < 1.0:
            raise ValueError(
                f"Invalid beta parameter at index {index}: {beta}. Each beta is a moving "
                "average's decay rate, in [0, 1), e.g. betas=(0.9, 0.999)"
            )


def _check_nesterov(momentum: float, dampening: float) -> None:
    """Nesterov's look-ahead steps along the velocity: it needs one, undamped."""
    if momentum <= 0 or dampening != 0:
        raise ValueError(
            f"Nesterov momentum requires a momentum and zero dampening, got momentum="
            f"{momentum}, dampening={dampening}: use momentum=0.9, dampening=0, or "
            "nesterov=False"
        )
