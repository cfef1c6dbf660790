"""The guard of ``surfaces``: the names and step count ``run_trajectory`` is given."""


def check_known(key: str, table: dict, what: str) -> None:
    """Raise unless ``key`` is a name in ``table`` (of surfaces, of optimizers)."""
    if key not in table:
        raise ValueError(f"unknown {what} {key!r}: choose one of {', '.join(map(repr, table))}")


def check_steps(steps: int) -> None:
    """Raise unless ``steps`` is 0 or more."""
    if steps < 0:
        raise ValueError(f"steps must be 0 or more, got {steps}")
