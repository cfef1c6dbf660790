"""widgets.optimizer_explorer, headless: controls redraw the path in the same figure."""

import numpy as np
import pytest

from course_utils import widgets
from course_utils.surfaces import SURFACES, run_trajectory


def path_data(explorer):
    line = explorer.figure.axes[0].lines[-2]  # the path; the last line is the end marker
    return np.column_stack([line.get_xdata(), line.get_ydata()])


def expected_path(explorer):
    values = explorer.values
    return run_trajectory(
        values["surface"], values["optimizer"], values["lr"], values["steps"]
    ).numpy()


def test_changing_the_learning_rate_redraws_only_the_path():
    explorer = widgets.optimizer_explorer()
    figure, contours = explorer.figure, explorer.figure.axes[0].collections[0]
    before = path_data(explorer)
    np.testing.assert_allclose(before, expected_path(explorer))
    explorer.controls["lr"].value = 0.02
    after = path_data(explorer)
    assert explorer.redraw_count == 2 and explorer.figure is figure
    assert len(figure.axes) == 1 and figure.axes[0].collections[0] is contours  # not redrawn
    assert after.shape == before.shape and not np.allclose(after, before)
    np.testing.assert_allclose(after, expected_path(explorer))
    assert "SGD, lr=0.02" in explorer.message.value


@pytest.mark.parametrize("surface", list(SURFACES))
def test_every_surface_and_optimizer_shows_run_trajectorys_path(surface):
    explorer = widgets.optimizer_explorer()
    figure = explorer.figure
    explorer.controls["surface"].value = surface
    ax = figure.axes[0]
    assert explorer.figure is figure and len(figure.axes) == 1
    assert ax.get_xlim() == SURFACES[surface].xlim and ax.get_title().startswith(surface)
    for optimizer in explorer.controls["optimizer"].options:
        explorer.controls["optimizer"].value = optimizer
        explorer.controls["lr"].value = SURFACES[surface].learning_rates[optimizer]
        np.testing.assert_allclose(path_data(explorer), expected_path(explorer))
    explorer.controls["steps"].value = 30
    assert len(path_data(explorer)) == 31


def test_a_diverging_learning_rate_is_shown_with_a_message_not_an_exception():
    explorer = widgets.optimizer_explorer(surface="Rosenbrock", optimizer="Adam", lr=0.1)
    ax = explorer.figure.axes[0]
    explorer.controls["optimizer"].value = "SGD"
    explorer.controls["lr"].value = 1.0  # far too large for SGD on Rosenbrock
    shown = path_data(explorer)
    assert np.isfinite(shown).all() and len(shown) < 101
    np.testing.assert_allclose(shown, expected_path(explorer))
    assert "diverged" in explorer.message.value and "smaller lr" in explorer.message.value
    assert ax.get_xlim() == SURFACES["Rosenbrock"].xlim  # the view stays put: the path is clipped
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    explorer.controls["lr"].value = 0.001  # and it recovers
    assert "diverged" not in explorer.message.value
