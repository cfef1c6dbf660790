"""Shared test set-up: plots render off-screen (Agg), so tests run without a display.

Set on matplotlib itself, not through the MPLBACKEND variable: the notebooks' kernels, which
nbval starts from this same process, inherit the environment and must keep their inline backend.
"""

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture
def fresh_checker(monkeypatch):
    """The exercise checker as in a fresh kernel: no hints shown, no results recorded."""
    from course_utils import checks

    monkeypatch.setattr(checks, "_exercises", {})
    monkeypatch.delenv(checks.RECORD_VARIABLE, raising=False)
