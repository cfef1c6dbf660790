"""Shared test set-up: plots render off-screen (Agg), so tests run without a display.

Set on matplotlib itself, not through the MPLBACKEND variable: the notebooks' kernels,
which nbval starts from this same process, inherit the environment and must keep their
inline backend.
"""

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture
def fresh_checker(monkeypatch):
    """The exercise checker as in a fresh kernel.

    No hints have been shown and no results recorded.
    """
    from course_utils import checks

    monkeypatch.setattr(checks, "_exercises", {})
    monkeypatch.delenv(checks.RECORD_VARIABLE, raising=False)


@pytest.fixture
def sent_results(monkeypatch):
    """The results the checks send to the grader, in order, as in the grader's kernel.

    The grader sets checks.RECORD_VARIABLE in the kernel; each result then goes out as
    an output of the cell that ran the check (IPython's publish_display_data), here
    into a list.
    """
    import IPython.display

    from course_utils import checks

    sent = []
    monkeypatch.setenv(checks.RECORD_VARIABLE, "1")
    monkeypatch.setattr(
        IPython.display,
        "publish_display_data",
        lambda data, **options: sent.append(data[checks.RECORD_MIMETYPE]),
    )
    return sent
