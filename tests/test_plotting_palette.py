"""Pictures for everyone: the plots' colours, markers and line styles, checked.

The oracle for colour blindness is Machado, Oliveira & Fernandes (2009): the matrices
below simulate protanopia, deuteranopia and tritanopia (severity 1) on linear RGB.
"""

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgb, to_rgba

from course_utils import models, plotting, widgets
from course_utils.surfaces import OPTIMIZERS, SURFACES, run_trajectory

COLOUR_BLINDNESS = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}
RED_GREEN = ("protanopia", "deuteranopia")
APART = 0.18  # distance in sRGB (0..1) under simulation below which two colours blur together


def linear(rgb):
    rgb = np.asarray(rgb, dtype=float)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def encoded(rgb):
    rgb = np.clip(rgb, 0, 1)
    return np.where(rgb <= 0.0031308, 12.92 * rgb, 1.055 * rgb ** (1 / 2.4) - 0.055)


def seen_apart(a, b, kinds=tuple(COLOUR_BLINDNESS)) -> float:
    """How far apart two colours look to the viewer (of these) who sees them closest."""
    return min(
        float(
            np.linalg.norm(
                encoded(np.array(COLOUR_BLINDNESS[k]) @ linear(to_rgb(a)))
                - encoded(np.array(COLOUR_BLINDNESS[k]) @ linear(to_rgb(b)))
            )
        )
        for k in kinds
    )


def luminance(rgb) -> float:
    return float(np.dot([0.2126, 0.7152, 0.0722], linear(rgb[:3])))


def contrast(a, b) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def is_neutral(rgba) -> bool:
    r, g, b = rgba[:3]
    return max(r, g, b) - min(r, g, b) < 0.02  # black, white or a grey


def series(ax):
    """Every labelled line and scatter of ``ax``: label, colour, style, marker."""
    found = []
    for line in ax.get_lines():
        if not line.get_label().startswith("_"):
            marker = line.get_marker() if line.get_marker() not in ("", "None", None) else None
            found.append((line.get_label(), line.get_color(), line.get_linestyle(), marker))
    for collection in ax.collections:
        if isinstance(collection, PathCollection) and not collection.get_label().startswith("_"):
            face = collection.get_facecolor()
            filled = len(face) and face[0][3] > 0
            colour = face[0] if filled else collection.get_edgecolor()[0]
            shape = collection.get_paths()[0].vertices.round(3).tobytes()
            fill = "filled" if filled else "hollow"
            found.append((collection.get_label(), tuple(colour), fill, shape))
    return found


def blobs():
    generator = torch.Generator().manual_seed(0)
    X = torch.cat([torch.randn(30, 2, generator=generator) + 2, torch.randn(30, 2) - 2])
    y = torch.cat([torch.zeros(30, 1), torch.ones(30, 1)])
    return X, y


def course_plots():
    """One Axes of every plot the course draws with series told apart: by name."""
    X, y = blobs()
    torch.manual_seed(0)
    model = models.SimpleClassifier(2, 10)
    history = {
        "train_loss": [0.7, 0.5, 0.4],
        "test_loss": [0.72, 0.55, 0.45],
        "train_accuracy": [0.5, 0.7, 0.8],
        "test_accuracy": [0.5, 0.65, 0.75],
    }
    surface = SURFACES["Rosenbrock"]
    race = plotting.plot_surface(surface)
    for name in OPTIMIZERS:
        plotting.plot_path(
            run_trajectory(surface, name, surface.learning_rates[name], 50), race, name
        )
    return {
        "plot_data": plotting.plot_data(X, y),
        "plot_decision_boundary": plotting.plot_decision_boundary(model, X, y, resolution=30),
        "plot_train_test_split": plotting.plot_train_test_split(X[::2], y[::2], X[1::2], y[1::2]),
        "plot_history": plotting.plot_history(history),
        "plot_surface with paths": race,
    }


@pytest.fixture(scope="module")
def plots():
    drawn = course_plots()
    yield drawn
    plt.close("all")


def test_the_palette_has_no_pair_that_red_green_colour_blindness_merges():
    assert seen_apart("#d62728", "#2ca02c", RED_GREEN) < APART  # the oracle sees red vs green
    for (name_a, a), (name_b, b) in itertools.combinations(plotting.PALETTE.items(), 2):
        assert seen_apart(a, b, RED_GREEN) >= APART, f"{name_a} and {name_b} look alike"
    # the two classes stay apart for every kind of colour blindness
    assert seen_apart(*plotting.CLASS_COLORS) >= 3 * APART


def test_plots_take_their_colours_from_the_palette(plots):
    palette = {to_rgba(colour)[:3] for colour in plotting.PALETTE.values()}
    for name, ax in plots.items():
        for label, colour, _, _ in series(ax) + series(ax.figure.axes[-1]):
            rgba = to_rgba(colour)
            assert is_neutral(rgba) or tuple(rgba[:3]) in palette, f"{name}: {label} is {colour}"


def test_series_that_share_a_style_differ_in_colour_for_every_viewer(plots):
    for name, ax in plots.items():
        for (label_a, colour_a, *style_a), (label_b, colour_b, *style_b) in itertools.combinations(
            series(ax), 2
        ):
            if style_a == style_b:  # only colour tells them apart: it must be a clear difference
                assert seen_apart(colour_a, colour_b) >= APART, f"{name}: {label_a} vs {label_b}"


@pytest.mark.parametrize("name", ["plot_data", "plot_decision_boundary", "plot_train_test_split"])
def test_classes_differ_by_marker_shape_not_colour_alone(plots, name):
    shapes = {}
    for label, _, _, shape in series(plots[name]):
        shapes.setdefault("class 1" in label, set()).add(shape)
    assert shapes[False].isdisjoint(shapes[True]), f"{name}: both classes use the same marker"


def probability_regions(mesh):
    """The colours of the map where P(class 1) is 0 and 1, over a white figure."""
    alpha = mesh.get_alpha()
    return [
        alpha * np.array(mesh.cmap(p)[:3]) + (1 - alpha) * np.ones(3) for p in (0.0, 1.0)
    ]  # (3,) each


def test_points_stay_visible_on_their_own_class_region(plots):
    ax = plots["plot_decision_boundary"]
    mesh = next(c for c in ax.collections if getattr(c, "cmap", None) is not None)
    regions = probability_regions(mesh)
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(points) == 2
    for label, (collection, region) in enumerate(zip(points, regions, strict=True)):
        edge = collection.get_edgecolor()[0]
        assert contrast(edge, region) >= 3, f"class {label}'s points vanish on their region"
        assert seen_apart(collection.get_facecolor()[0], region) > 0.1


def test_the_explorers_maps_use_the_same_markers_and_stay_visible():
    X, y = blobs()
    torch.manual_seed(0)
    explorer = widgets.inference_explorer(models.SimpleClassifier(2, 4), X, y)
    ax = explorer.figure.axes[0]
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    shapes = [c.get_paths()[0].vertices.round(3).tobytes() for c in points]
    assert len(points) == 2 and shapes[0] != shapes[1]
    image = ax.get_images()[0]
    for collection, region in zip(points, probability_regions(image), strict=True):
        assert contrast(collection.get_edgecolor()[0], region) >= 3


def test_every_optimizer_path_has_its_own_line_style_and_end_marker(plots):
    lines = [line for line in plots["plot_surface with paths"].get_lines() if line.get_label()]
    paths = {line.get_label(): line for line in lines if line.get_label() in OPTIMIZERS}
    assert set(paths) == set(OPTIMIZERS)
    styles = {(line.get_linestyle(), line.get_marker()) for line in paths.values()}
    assert len(styles) == len(OPTIMIZERS)  # apart even without colour
    assert len({line.get_marker() for line in paths.values()}) == len(OPTIMIZERS)
    for line in paths.values():
        assert line.get_markevery() == [-1]  # one marker, where the run ended


def test_the_pictures_in_images_use_the_palette_and_layers_stay_apart():
    from course_tools import figures

    palette = {colour.lower() for colour in plotting.PALETTE.values()}
    assert {figures.FUNCTION_COLOR.lower(), figures.DERIVATIVE_COLOR.lower()} <= palette
    for (a, colour_a), (b, colour_b) in itertools.combinations(figures.NODE_COLORS.items(), 2):
        assert seen_apart(colour_a, colour_b) >= APART / 2, f"{a} and {b} layers look alike"
