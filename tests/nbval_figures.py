"""A pytest plugin: nbval's own run also compares each cell's figures with the committed ones.

nbval 0.11 never compares ``image/png`` outputs (it adds them to its ``skip_compare`` unless
nbdime is used), so without this a committed plot that no longer matches what the code draws
would pass. After nbval has run a cell and compared its text, this plugin compares the cell's
fresh figures with the committed ones, with matplotlib's own image comparison (root mean square
of the pixel differences, 0 to 255), in the same run: no notebook is executed twice.

Cells that nbval does not check (tagged ``nbval-ignore-output`` or ``nbval-skip``: widgets,
timings) are exempt, as their text is. Loaded by the repository's top-level conftest.py.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

# Same code, same pinned versions, same machine: the PNG bytes are identical (RMS 0). The
# tolerance only absorbs antialiasing noise; one moved marker or one changed label is well above it.
TOLERANCE_RMS = 0.5


def cell_figures(outputs: list) -> list[bytes]:
    """The PNG bytes of every figure in a cell's outputs, in order."""
    return [
        base64.b64decode(output["data"]["image/png"])
        for output in outputs
        if "image/png" in output.get("data", {})
    ]


def figure_difference(
    committed: bytes,
    fresh: bytes,
    new_folder: Callable[[], Path] | None = None,
    tolerance: float = TOLERANCE_RMS,
) -> str:
    """Why two PNG figures differ beyond ``tolerance`` (RMS of pixel values), or "" if they match.

    On a difference the two figures and their difference picture are kept in a folder from
    ``new_folder`` (by default a new temporary one) that the message names, so you can look at them.
    """
    if committed == fresh:
        return ""
    from matplotlib.testing.compare import compare_images
    from matplotlib.testing.exceptions import ImageComparisonFailure

    folder = new_folder() if new_folder else Path(tempfile.mkdtemp(prefix="nbval-figure-"))
    expected, actual = folder / "committed.png", folder / "fresh.png"
    expected.write_bytes(committed)
    actual.write_bytes(fresh)
    try:
        problem = compare_images(str(expected), str(actual), tol=tolerance)
    except ImageComparisonFailure as error:  # e.g. the two figures differ in size
        problem = f"{error}\n  Committed: {expected}\n  Fresh: {actual}"
    if problem is None:
        shutil.rmtree(folder)
        return ""
    return problem


def figure_mismatches(
    committed_outputs: list, fresh_outputs: list, new_folder: Callable[[], Path] | None = None
) -> list[str]:
    """One message per figure of a cell that is missing, extra, or differs from the committed."""
    committed, fresh = cell_figures(committed_outputs), cell_figures(fresh_outputs)
    if len(committed) != len(fresh):
        return [
            f"the cell drew {len(fresh)} figure(s) but the notebook has {len(committed)} committed"
        ]
    problems = []
    for number, (old, new) in enumerate(zip(committed, fresh, strict=True), start=1):
        problem = figure_difference(old, new, new_folder)
        if problem:
            problems.append(
                f"figure {number} of the cell differs from the committed one:\n{problem}"
            )
    return problems


def is_checked_nbval_cell(item: pytest.Item) -> bool:
    """True for an nbval cell whose outputs nbval compares (not ignored, not skipped, was run)."""
    options = getattr(item, "options", None)
    cell = getattr(item, "cell", None)
    if options is None or cell is None or type(item).__name__ != "IPyNbCell":
        return False
    return (
        bool(options.get("check")) and not options.get("skip") and cell.execution_count is not None
    )


def folder_under_pytest_temp(item: pytest.Item) -> Callable[[], Path] | None:
    """New folders under pytest's own temporary folder (it keeps the last three runs' only)."""
    factory = getattr(item.config, "_tmp_path_factory", None)
    return (lambda: factory.mktemp("nbval-figure")) if factory else None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    result = yield  # nbval runs the cell and compares its text; an error there propagates
    if is_checked_nbval_cell(item) and item.test_outputs is not None:
        problems = figure_mismatches(
            item.cell.outputs, item.test_outputs, folder_under_pytest_temp(item)
        )
        if problems:
            from nbval.plugin import NbCellError

            message = (
                "Cell figures differ from the committed ones (re-execute the notebook with "
                "`make execute NB=...` if the change is intended)"
            )
            raise NbCellError(item.cell_num, message, item.cell.source, "\n".join(problems))
    return result
