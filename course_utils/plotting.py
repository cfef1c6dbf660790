"""The course's plots: each draws on the ``ax`` given (or a new figure) and returns it.

matplotlib is imported inside the functions, on the first plot, so importing the package
stays fast.
"""

import itertools
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor, nn

from course_utils.models import device_of, eval_mode
from course_utils.surfaces import Surface

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap
    from matplotlib.figure import Figure

# Okabe & Ito's palette: its colours stay apart for every kind of colour blindness
# (no red against green)
PALETTE = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "bluish green": "#009E73",
    "orange": "#E69F00",
    "reddish purple": "#CC79A7",
    "sky blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
# class 0 blue circles, class 1 vermillion triangles, everywhere: the shapes tell them
# apart without colour, and a dark edge keeps each point visible on any background
CLASS_COLORS = (PALETTE["blue"], PALETTE["vermillion"])
CLASS_MARKERS = ("o", "^")
MARKER_EDGE = "#222222"
# each optimizer its own colour, line style and end marker, so that paths on top of
# each other stay apart
OPTIMIZER_STYLES = {
    "SGD": {"color": PALETTE["vermillion"], "linestyle": "-", "marker": "o"},
    "SGD with momentum": {"color": PALETTE["orange"], "linestyle": "--", "marker": "s"},
    "Adagrad": {"color": PALETTE["bluish green"], "linestyle": "-.", "marker": "^"},
    "RMSprop": {"color": PALETTE["reddish purple"], "linestyle": ":", "marker": "D"},
    "Adam": {"color": PALETTE["blue"], "linestyle": (0, (6, 1.5, 1, 1.5, 1, 1.5)), "marker": "P"},
}
# digits: a wrong guess, the true class, the predicted class, the other classes
WRONG_COLOR, RIGHT_COLOR = PALETTE["vermillion"], PALETTE["bluish green"]
PREDICTED_COLOR, OTHER_COLOR = PALETTE["blue"], PALETTE["sky blue"]


def class_style(label: int, filled: bool = True) -> dict[str, Any]:
    """The scatter options of class ``label`` (0 or 1), filled or hollow.

    ``filled=False`` draws hollow markers, e.g. test points over the training points.
    """
    colour = CLASS_COLORS[label]
    face, edge, width = (colour, MARKER_EDGE, 0.5) if filled else ("none", colour, 1.4)
    return dict(marker=CLASS_MARKERS[label], facecolors=face, edgecolors=edge, linewidths=width)


def probability_colormap() -> "Colormap":
    """The colour map of P(class 1): class 0's tint at 0, white at 0.5, class 1's at 1.

    Tints (60 % colour, 40 % white), not the full colours, so the points stand out on
    their region.
    """
    from matplotlib.colors import LinearSegmentedColormap, to_rgb

    tint_0, tint_1 = (tuple(0.6 * c + 0.4 for c in to_rgb(colour)) for colour in CLASS_COLORS)
    return LinearSegmentedColormap.from_list("probability", [tint_0, (1, 1, 1), tint_1])


def _subplots(*shape: int, **options) -> tuple["Figure", Any]:
    import matplotlib.pyplot as plt

    return plt.subplots(*shape, **options)


def _axes(ax: "Axes | None", figsize: tuple[float, float] = (5, 4)) -> "Axes":
    return ax if ax is not None else _subplots(figsize=figsize)[1]


def _scatter_classes(ax: "Axes", X: Tensor, y: Tensor, label: str, filled=True, **options) -> None:
    """Scatter each class's points, ``label`` formatted with the class and its count."""
    for value in (0, 1):
        points = X[y.reshape(-1) == value]
        style = {**class_style(value, filled), **options}
        ax.scatter(points[:, 0], points[:, 1], label=label.format(value, len(points)), **style)


def _finish_feature_axes(ax: "Axes", title: str) -> "Axes":
    ax.set(xlabel="feature 1", ylabel="feature 2", title=title)
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_data(X: Tensor, y: Tensor, ax: "Axes | None" = None, title: str = "", **scatter) -> "Axes":
    """Scatter 2-D points by their 0/1 label (colour and shape)."""
    ax = _axes(ax)
    _scatter_classes(ax, X, y, "class {}", **{"s": 16, "alpha": 0.8, **scatter})
    return _finish_feature_axes(ax, title)


def plot_train_test_split(
    X_train: Tensor,
    y_train: Tensor,
    X_test: Tensor,
    y_test: Tensor,
    ax: "Axes | None" = None,
    title: str = "",
) -> "Axes":
    """Scatter a train/test split: training points filled, test points hollow."""
    ax = _axes(ax)
    _scatter_classes(ax, X_train, y_train, "train, class {} ({})", s=12, alpha=0.45)
    _scatter_classes(ax, X_test, y_test, "test, class {} ({})", filled=False, s=36, alpha=1.0)
    return _finish_feature_axes(ax, title)


def decision_grid(
    model: nn.Module, X: Tensor, resolution: int = 200, margin: float = 1.0
) -> tuple[Tensor, Tensor, Tensor]:
    """The model's P(class 1) on a grid around ``X``; returns xx, yy, probability."""
    low, high = X.min(dim=0).values - margin, X.max(dim=0).values + margin
    spans = [torch.linspace(float(a), float(b), resolution) for a, b in zip(low, high, strict=True)]
    xx, yy = torch.meshgrid(*spans, indexing="xy")
    grid = torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1)
    with eval_mode(model):
        probability = model(grid.to(device_of(model))).reshape(xx.shape).cpu()
    return xx, yy, probability


# the axes plot_decision_boundary gave a colour bar (weak references, which do not
# keep a figure alive)
_AXES_WITH_COLORBAR: weakref.WeakSet = weakref.WeakSet()


def plot_decision_boundary(
    model: nn.Module,
    X: Tensor,
    y: Tensor,
    ax: "Axes | None" = None,
    title: str = "",
    resolution: int = 200,
) -> "Axes":
    """Draw a model's P(class 1) as a colour map, its 0.5 boundary, and the points.

    The model takes (N, 2) inputs: the map covers the plane around the points ``X``.
    """
    ax = _axes(ax)
    xx, yy, probability = decision_grid(model, X, resolution)
    levels = torch.linspace(0, 1, 21).tolist()  # fixed 0..1, so colours mean the same in every plot
    mesh = ax.contourf(
        xx, yy, probability, levels=levels, cmap=probability_colormap(), vmin=0, vmax=1, alpha=0.6
    )
    ax.contour(xx, yy, probability, levels=[0.5], colors="black", linewidths=1.5)
    plot_data(X, y, ax=ax, title=title)
    if ax not in _AXES_WITH_COLORBAR:  # drawn again on the same axes (a live plot): one bar
        ax.figure.colorbar(mesh, ax=ax, label="P(class 1)")
        _AXES_WITH_COLORBAR.add(ax)
    return ax


def draw_layers(
    ax: "Axes",
    columns: Sequence[Sequence[tuple[float, float]]],
    radius: float,
    colors: Sequence[str],
    weight_style: dict[str, Any],
    unit_style: dict[str, Any],
    from_edges: bool = False,
) -> None:
    """Draw a fully connected network: a circle per unit, a line per weight.

    ``columns`` holds the units' centres (x, y), one list per layer from input to
    output, and ``colors`` each layer's face colour. Every unit is joined to every unit
    of the next layer by a line in ``weight_style`` (drawn first, under the circles);
    the circles take ``unit_style`` (edge colour, line width, zorder). ``from_edges``
    starts and ends each line at the right and left sides of the circles instead of
    their centres.
    """
    from matplotlib.patches import Circle

    trim = radius if from_edges else 0.0
    for left, right in itertools.pairwise(columns):
        for (x0, y0), (x1, y1) in itertools.product(left, right):
            ax.plot([x0 + trim, x1 - trim], [y0, y1], **weight_style)
    for units, color in zip(columns, colors, strict=True):
        for x, y in units:
            ax.add_patch(Circle((x, y), radius, facecolor=color, **unit_style))


def plot_network(layer_sizes: list[int], ax: "Axes | None" = None, title: str = "") -> "Axes":
    """Draw a fully connected network of ``layer_sizes``, e.g. ``[2, 10, 1]``.

    One circle per unit, one line per weight, and each layer's name and size below it.
    """
    if len(layer_sizes) < 2 or min(layer_sizes) < 1:
        raise ValueError(
            f"layer_sizes needs at least two layers of at least one unit each, got {layer_sizes}"
        )
    layers = len(layer_sizes)
    hidden = [f"hidden {i}" if layers > 3 else "hidden" for i in range(1, layers - 1)]
    ax = _axes(ax, figsize=(1.5 + 1.5 * layers, 4))
    top = (max(layer_sizes) + 1) / 2
    gap = max(2.0, 0.5 * max(layer_sizes))  # columns apart enough not to draw a thin strip
    columns = [
        [(gap * x, i - (size - 1) / 2) for i in range(size)] for x, size in enumerate(layer_sizes)
    ]
    draw_layers(
        ax,
        columns,
        radius=0.18,
        colors=["#9ecae1"] * layers,
        weight_style={"color": "0.6", "linewidth": 0.6, "zorder": 1},
        unit_style={"edgecolor": "black", "zorder": 2},
    )
    for units, name in zip(columns, ["input", *hidden, "output"], strict=True):
        ax.text(units[0][0], -top, f"{name}\n({len(units)})", ha="center", va="top")
    ax.set(xlim=(-0.5 * gap, gap * (layers - 0.5)), ylim=(-top - 1.0, top), aspect="equal")
    ax.set_title(title)
    ax.axis("off")
    return ax


def plot_surface(surface: Surface, ax: "Axes | None" = None, levels: int = 20) -> "Axes":
    """Draw a loss surface's contours, its start (black dot) and minima (stars).

    The levels are quantiles of the loss: the flat valley floor gets as many lines as
    the walls.
    """
    ax = _axes(ax)
    w1, w2, loss = surface.grid()
    fractions = torch.linspace(0, 1, levels + 2, dtype=loss.dtype)[1:-1]
    contour_levels = torch.quantile(loss.flatten(), fractions).unique()
    ax.contour(w1, w2, loss, levels=contour_levels.tolist(), cmap="Greys_r", linewidths=0.7)
    ax.plot(*surface.start, "o", color="black", markersize=6, label="start")
    star = {"color": PALETTE["yellow"], "markeredgecolor": "black", "markersize": 14}
    for index, minimum in enumerate(surface.minima):  # one legend entry for all the minima
        ax.plot(*minimum, "*", label=None if index else "minimum", **star)
    ax.set(xlim=surface.xlim, ylim=surface.ylim, xlabel="$w_1$", ylabel="$w_2$", title=surface.name)
    return ax


def plot_path(path: Tensor, ax: "Axes", optimizer_name: str, **line) -> Any:
    """Draw an optimizer's path in its ``OPTIMIZER_STYLES`` style; returns the line.

    The path's end is marked, so that paths that stop early (diverged) are seen to stop.
    """
    if optimizer_name not in OPTIMIZER_STYLES:
        raise ValueError(
            f"no style for optimizer {optimizer_name!r}: choose one of {', '.join(map(repr, OPTIMIZER_STYLES))}"
        )
    end = {"markevery": [-1], "markersize": 10, "markeredgecolor": MARKER_EDGE}
    options = {**OPTIMIZER_STYLES[optimizer_name], "lw": 2, **end, "label": optimizer_name, **line}
    return ax.plot(path[:, 0], path[:, 1], **options)[0]


# plot_history's curves:
# metric -> (line format, marker on few epochs, colour, alpha, label)
_HISTORY_CURVES = {
    "train_loss": ("-", "o", "black", None, "train loss"),
    "val_loss": ("--", "s", PALETTE["vermillion"], None, "validation loss"),
    "train_accuracy": (":", "^", PALETTE["blue"], 0.7, "train accuracy"),
    "val_accuracy": ("-", "d", PALETTE["blue"], None, "validation accuracy"),
}


def _plot_curves(ax: "Axes", metrics: dict, kind: str, markers: bool) -> list:
    """Draw the History's curves of one ``kind``, "loss" or "accuracy" (%), by epoch."""
    lines = []
    for name, (fmt, marker, color, alpha, label) in _HISTORY_CURVES.items():
        if name.endswith(kind) and metrics.get(name):
            values = [(100 if kind == "accuracy" else 1) * value for value in metrics[name]]
            style = dict(marker=marker if markers else "", color=color, alpha=alpha, label=label)
            lines += ax.plot(range(1, len(values) + 1), values, fmt, **style)
    return lines


def plot_history(history: Any, ax: "Axes | None" = None, title: str = "") -> "Axes":
    """Draw a History's losses by epoch, and any validation accuracy on a right axis."""
    metrics = history.as_dict() if hasattr(history, "as_dict") else dict(history)
    epochs = len(metrics.get("train_loss", []))
    if not epochs:
        raise ValueError("the history is empty: train for at least one epoch before plotting it")
    ax = _axes(ax, figsize=(6, 4))
    markers = epochs <= 25  # markers help on a few epochs and clutter on many
    lines = _plot_curves(ax, metrics, "loss", markers)
    ax.set(xlabel="epoch", ylabel="loss", title=title or "training history", ylim=(0, None))
    if epochs <= 12:
        ax.set_xticks(list(range(1, epochs + 1)))
    else:
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs only
    ax.set_xlim(0.5, epochs + 0.5)
    where = {"loc": "best"}
    if metrics.get("val_accuracy"):
        accuracy_ax = ax.twinx()  # accuracy (%) is not on the loss's scale
        lines += _plot_curves(accuracy_ax, metrics, "accuracy", markers)
        accuracy_ax.set_ylabel("accuracy (%)", color=PALETTE["blue"])
        accuracy_ax.tick_params(axis="y", colors=PALETTE["blue"])
        # two y axes share the plot area, so no spot inside is sure to be free: the
        # legend goes below
        where = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.15), "ncol": 2}
    ax.legend(handles=lines, fontsize="small", **where)
    return ax


def plot_confusion_matrix(
    matrix: Any, ax: "Axes | None" = None, class_names: Sequence[str] | None = None, title: str = ""
) -> "Axes":
    """Draw a confusion matrix (rows: true class, columns: predicted), with its counts.

    A 2x2 matrix, laid out ``[[TN, FP], [FN, TP]]`` as ``metrics.confusion_matrix``
    does, also names the cells; the classes are "class 0", "class 1" for two and 0, 1,
    2, ... for more.
    """
    counts = torch.as_tensor(matrix)
    if counts.dim() != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(
            f"a confusion matrix is square (one row and one column per class), got shape {tuple(counts.shape)}"
        )
    size = len(counts)
    default = ("class 0", "class 1") if size == 2 else [str(k) for k in range(size)]
    class_names = class_names or default
    if len(class_names) != size:
        raise ValueError(
            f"give one name per class: the matrix has {size} classes but class_names has {len(class_names)}"
        )
    fontsize, figsize = (9, (5.5, 5.5)) if size > 4 else (13, (4, 4))  # more cells, smaller text
    ax = _axes(ax, figsize)
    ax.imshow(counts.double().numpy(), cmap="Blues", vmin=0)
    half = counts.max().item() / 2
    for row, column in itertools.product(range(size), repeat=2):
        value = counts[row, column].item()
        text = f"{value:g}" if isinstance(value, float) else str(value)
        if size == 2:
            text += "\n" + ("TN", "FP", "FN", "TP")[2 * row + column]
        color = "white" if value > half else "black"  # white on the dark cells, black on the light
        ax.text(column, row, text, ha="center", va="center", color=color, fontsize=fontsize)
    ax.set_xticks(range(size), class_names)
    ax.set_yticks(range(size), class_names)
    ax.set(xlabel="predicted class", ylabel="true class", title=title or "confusion matrix")
    return ax


def digit_image(pixels: Tensor) -> Tensor:
    """One flattened square image (e.g. 64 values) as its grid of pixels (8x8)."""
    count = pixels.numel()
    side = round(count**0.5)
    if side * side != count:
        raise ValueError(f"expected a flattened square image (e.g. 64 = 8 x 8), got {count} values")
    return pixels.detach().cpu().reshape(side, side)


def plot_digits(X: Tensor, y: Tensor | None = None, columns: int = 10, title: str = "") -> "Figure":
    """Draw images (rows of ``X``, 0 white to 1 black) in a grid, each under a label."""
    if len(X) == 0:
        raise ValueError("there are no images to draw: X is empty")
    if y is not None and len(y) < len(X):
        raise ValueError(f"{len(X)} images but {len(y)} labels: pass one label per image")
    columns = min(columns, len(X))
    rows = -(-len(X) // columns)  # ceiling division
    figure, ax = _subplots(figsize=(1.0 * columns, 1.2 * rows + 0.3), layout="constrained")
    labels = [""] * len(X) if y is None else [str(int(label)) for label in y[: len(X)]]
    _draw_tiles(ax, X, labels, columns, fontsize=10)
    if title:
        figure.suptitle(title)
    return figure


_TILE_GAP = 0.35  # the space between two images, and above one for its title, in image widths


def _draw_tiles(ax, X, labels, columns, fontsize, step_x: float | None = None) -> None:
    """Draw the images of ``X``, ``columns`` per row, each under its label, in one Axes.

    One Axes, not one per image: matplotlib draws a figure of 20 Axes about 3 times as
    slowly.
    """
    side = digit_image(X[0]).shape[0]
    aligned = step_x is not None
    step_x = step_x or side * (1 + _TILE_GAP)
    step_y = side * (1 + 2 * _TILE_GAP)
    for index, label in enumerate(labels):
        center, top = (index % columns) * step_x, (index // columns) * step_y + 2 * _TILE_GAP * side
        extent = (center - side / 2, center + side / 2, top + side, top)  # row 0 on top
        ax.imshow(digit_image(X[index]).numpy(), cmap="gray_r", vmin=0, vmax=1, extent=extent)
        ax.text(center, top - 0.3, label, ha="center", va="bottom", fontsize=fontsize)
    ax.axis("off")
    if aligned:  # x is shared with the Axes below: only the y limits may grow to square the pixels
        ax.set_aspect("equal", adjustable="datalim")
        return
    rows = -(-len(labels) // columns)
    ax.set_xlim(-side / 2, (columns - 1) * step_x + side / 2)
    ax.set_ylim(rows * step_y, _TILE_GAP * side)
    ax.set_aspect("equal")


def _probability_colors(values: Tensor, true_class: int | None) -> list[str]:
    """One bar colour per class: the true class green, a wrong guess vermillion.

    Without a true class, the predicted class is dark blue; every other class sky blue.
    """
    predicted = int(values.argmax())
    colors = [OTHER_COLOR] * len(values)
    colors[predicted] = PREDICTED_COLOR if true_class in (None, predicted) else WRONG_COLOR
    if true_class is not None:
        colors[true_class] = RIGHT_COLOR
    return colors


def plot_class_probabilities(
    probabilities: Tensor, ax: "Axes | None" = None, true_class: int | None = None
) -> "Axes":
    """A bar per class of one example's probabilities, the true class's bar green.

    A wrong prediction's bar is vermillion; without ``true_class``, the predicted
    class's bar is dark blue.
    """
    values = torch.as_tensor(probabilities).detach().cpu().reshape(-1)
    ax = _axes(ax, figsize=(4, 2.5))
    ax.bar(range(len(values)), values.numpy(), color=_probability_colors(values, true_class))
    ax.set_xticks(range(len(values)))
    ax.set(ylim=(0, 1), xlabel="class", ylabel="probability")
    return ax


def plot_misclassified(
    X: Tensor, probabilities: Tensor, y: Tensor, max_shown: int = 10, columns: int = 5
) -> "Figure | None":
    """The first ``max_shown`` misclassified images, above their probabilities' bars."""
    probabilities, y = probabilities.detach().cpu(), y.cpu()
    predicted = probabilities.argmax(dim=1)
    wrong = (predicted != y).nonzero().reshape(-1)[:max_shown].tolist()
    if not wrong:
        return None
    columns = min(columns, len(wrong))
    rows = -(-len(wrong) // columns)
    ratios = [1.3, 1] * rows  # a row of images above its row of bars
    figure, axes = _subplots(
        2 * rows, figsize=(2.3 * columns, 3.3 * rows), height_ratios=ratios, layout="constrained"
    )
    # from one image, and its group of bars, to the next, with a gap of 35 % of a
    # group between them
    step = probabilities.shape[1] * (1 + _TILE_GAP)
    for row in range(rows):
        shown = wrong[row * columns : (row + 1) * columns]
        labels = [f"true {int(y[k])}, predicted {int(predicted[k])}" for k in shown]
        images_ax, bars_ax = axes[2 * row], axes[2 * row + 1]
        images_ax.sharex(bars_ax)  # each image stands over its own group of bars
        _draw_tiles(images_ax, X[shown], labels, columns, 9, step)
        _probability_bar_groups(bars_ax, probabilities[shown], y[shown], columns, step)
    return figure


def _probability_bar_groups(ax, probabilities: Tensor, y: Tensor, columns: int, step: float):
    """Side by side in one Axes, a group of bars (one per class) per probability row."""
    classes = probabilities.shape[1]
    first = -(classes - 1) / 2  # the first bar of a group, from the group's centre
    positions, heights, colors = [], [], []
    for group, (values, true_class) in enumerate(zip(probabilities, y.tolist(), strict=True)):
        positions += [group * step + first + c for c in range(classes)]
        heights += values.tolist()
        colors += _probability_colors(values, true_class)
    ax.bar(positions, heights, color=colors)
    ax.set_xticks(positions, [str(c) for c in range(classes)] * len(y), fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.set(xlim=(first - 0.6, (columns - 1) * step - first + 0.6), ylim=(0, 1))
    ax.set_ylabel("probability", fontsize=8)
