"""A pytest plugin: nbval's own run also compares figures and widget cells' outputs.

nbval 0.11 never compares ``image/png`` outputs (it adds them to its ``skip_compare``
unless nbdime is used), so without this a committed plot that no longer matches what the
code draws would pass. After nbval has run a cell and compared its text, this plugin
compares the cell's fresh figures with the committed ones, with matplotlib's own image
comparison (root mean square of the pixel differences, 0 to 255), in the same run: no
notebook is executed twice.

A cell that shows a widget is tagged ``nbval-ignore-output``, since a widget's view
(its model id, and its text repr, such as a progress bar's timing) cannot be stable.
Only that view is ignored: for such a cell (one whose committed outputs hold a
widget view) this plugin compares everything else the cell shows, its text with
nbval's own comparison and sanitizing and its figures as above, and that it shows as
many widgets as committed. Other cells that nbval does not check
(``nbval-ignore-output`` without a widget: a timing; ``nbval-skip``) are exempt.
Loaded by the repository's top-level conftest.py.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

# Same code, same pinned versions, same machine: the PNG bytes are identical (RMS 0).
# The tolerance only absorbs antialiasing noise; one moved marker or one changed label
# is well above it.
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
    """Why two PNG figures differ beyond ``tolerance``, or "" if they match.

    The tolerance bounds the RMS of the pixel values' differences.

    On a difference the two figures and their difference picture are kept in a folder
    from ``new_folder`` (by default a new temporary one) that the message names, so you
    can look at them.
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
    """One message per figure of a cell that is missing, extra, or differs.

    A figure differs when it does not match the committed one.
    """
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


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def is_widget_view(output: dict) -> bool:
    """True for the output that shows a widget (its view, with its text repr)."""
    return WIDGET_VIEW in output.get("data", {})


def nbval_cell_options(item: pytest.Item):
    """nbval's options of a notebook cell item that was run (not skipped), or None."""
    options = getattr(item, "options", None)
    cell = getattr(item, "cell", None)
    if options is None or cell is None or type(item).__name__ != "IPyNbCell":
        return None
    if options.get("skip") or cell.execution_count is None:
        return None
    return options


def is_checked_nbval_cell(item: pytest.Item) -> bool:
    """True for an nbval cell whose outputs nbval compares.

    That is a cell not ignored, not skipped, and run.
    """
    options = nbval_cell_options(item)
    return options is not None and bool(options.get("check"))


def is_ignored_widget_cell(item: pytest.Item) -> bool:
    """True for a cell nbval ignores that shows a widget.

    All of its outputs but the widget view are compared.
    """
    options = nbval_cell_options(item)
    return (
        options is not None
        and not options.get("check")
        and any(map(is_widget_view, item.cell.outputs))
    )


def folder_under_pytest_temp(item: pytest.Item) -> Callable[[], Path] | None:
    """New folders under pytest's own temporary folder.

    pytest keeps the last three runs' folders only.
    """
    factory = getattr(item.config, "_tmp_path_factory", None)
    return (lambda: factory.mktemp("nbval-figure")) if factory else None


def widget_cell_mismatches(item: pytest.Item, committed: list, fresh: list) -> list[str]:
    """What differs between a widget cell's committed and fresh outputs.

    The widget views are left aside: they may vary.
    """
    from nbval.plugin import coalesce_streams

    problems = []
    shown = [sum(map(is_widget_view, outputs)) for outputs in (committed, fresh)]
    if shown[0] != shown[1]:
        problems.append(f"the cell showed {shown[1]} widget(s) but the notebook has {shown[0]}")
    committed = coalesce_streams([o for o in committed if not is_widget_view(o)])
    fresh = coalesce_streams([o for o in fresh if not is_widget_view(o)])
    if not item.compare_outputs(fresh, committed):  # nbval's comparison, with its sanitizing
        problems.append("\n".join(item.comparison_traceback))
    return problems + figure_mismatches(committed, fresh, folder_under_pytest_temp(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    result = yield  # nbval runs the cell and compares its text; an error there propagates
    if getattr(item, "test_outputs", None) is None:  # not a notebook cell, or it did not run
        return result
    if is_checked_nbval_cell(item):
        problems = figure_mismatches(
            item.cell.outputs, item.test_outputs, folder_under_pytest_temp(item)
        )
        message = (
            "Cell figures differ from the committed ones (re-execute the notebook with "
            "`make execute NB=...` if the change is intended)"
        )
    elif is_ignored_widget_cell(item):
        problems = widget_cell_mismatches(item, item.cell.outputs, item.test_outputs)
        message = (
            "Cell outputs differ, its widget view aside (a widget cell's text and figures are "
            "compared; re-execute the notebook with `make execute NB=...` if the change is "
            "intended)"
        )
    else:
        return result
    if problems:
        from nbval.plugin import NbCellError

        raise NbCellError(item.cell_num, message, item.cell.source, "\n".join(problems))
    return result
