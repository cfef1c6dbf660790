"""plotting.plot_surface (added for 07_gradient_descent_and_optimizers)."""

import matplotlib.pyplot as plt
import pytest

from course_utils import plotting
from course_utils.surfaces import SURFACES


@pytest.mark.parametrize("name", list(SURFACES))
def test_plot_surface_draws_contours_start_and_minima_in_the_window(name):
    surface = SURFACES[name]
    figure, ax = plt.subplots()
    try:
        assert plotting.plot_surface(surface, ax=ax, levels=12) is ax
        assert ax.get_xlim() == surface.xlim and ax.get_ylim() == surface.ylim
        assert ax.get_title() == name
        assert len(ax.collections) == 1  # one contour set
        levels = ax.collections[0].levels
        assert 2 <= len(levels) <= 12 and all(
            a < b for a, b in zip(levels[:-1], levels[1:], strict=True)
        )
        markers = [(tuple(line.get_xdata()), tuple(line.get_ydata())) for line in ax.lines]
        assert ((surface.start[0],), (surface.start[1],)) in markers
        for minimum in surface.minima:
            assert ((minimum[0],), (minimum[1],)) in markers
    finally:
        plt.close(figure)
