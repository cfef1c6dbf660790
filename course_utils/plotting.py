"""Plots used across the course. matplotlib is imported here only, when a plot is asked for.

Each function draws on the ``ax`` it is given (or a new figure) and returns the Axes, so a
notebook can combine plots and a widget can redraw into the same figure.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor, nn

from course_utils.models import device_of, eval_mode

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from course_utils.surfaces import Surface

__all__ = [
    "plot_data",
    "plot_decision_boundary",
    "decision_grid",
    "PALETTE",
    "CLASS_COLORS",
    "CLASS_MARKERS",
    "class_style",
    "probability_colormap",
    "OPTIMIZER_STYLES",
    "plot_train_test_split",
    "plot_network",
    "plot_surface",
    "plot_path",
    "plot_history",
    "plot_confusion_matrix",
    "plot_digits",
    "plot_class_probabilities",
    "plot_misclassified",
]

# The course's colours: Okabe & Ito's palette, which stays distinct for every kind of colour
# blindness (no red against green). Every plot takes its colours from here.
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
# class 0 blue circles, class 1 vermillion triangles, everywhere in the course: the shapes tell
# the classes apart without colour, and a dark edge keeps each point visible on any background
CLASS_COLORS = (PALETTE["blue"], PALETTE["vermillion"])
CLASS_MARKERS = ("o", "^")
MARKER_EDGE = "#222222"
# each optimizer's path: a colour, a line style and an end marker of its own, so paths that run
# on top of each other stay apart (the end marker also shows where each one stopped)
OPTIMIZER_STYLES = {
    "SGD": {"color": PALETTE["vermillion"], "linestyle": "-", "marker": "o"},
    "SGD with momentum": {"color": PALETTE["orange"], "linestyle": "--", "marker": "s"},
    "Adagrad": {"color": PALETTE["bluish green"], "linestyle": "-.", "marker": "^"},
    "RMSprop": {"color": PALETTE["reddish purple"], "linestyle": ":", "marker": "D"},
    "Adam": {"color": PALETTE["blue"], "linestyle": (0, (6, 1.5, 1, 1.5, 1, 1.5)), "marker": "P"},
}


def class_style(label: int, filled: bool = True) -> dict[str, Any]:
    """The scatter options that draw class ``label``: its colour, marker shape and dark edge.

    ``filled=False`` gives the hollow version (the colour on the edge), e.g. for test points.
    """
    if label not in (0, 1):
        raise ValueError(f"the course's classes are 0 and 1, got {label!r}")
    colour = CLASS_COLORS[label]
    face, edge, width = (colour, MARKER_EDGE, 0.5) if filled else ("none", colour, 1.4)
    return {
        "marker": CLASS_MARKERS[label],
        "facecolors": face,
        "edgecolors": edge,
        "linewidths": width,
    }


def probability_colormap():
    """The colour map of P(class 1): a tint of class 0's blue at 0, white at 0.5, of class 1's at 1.

    Tints, not the classes' full colours, so each class's points stand out on its own region.
    """
    # matplotlib loads on the first plot, not with the module
    from matplotlib.colors import LinearSegmentedColormap, to_rgb

    def tint(colour: str) -> tuple[float, ...]:
        return tuple(0.6 * c + 0.4 for c in to_rgb(colour))  # 60% colour, 40% white

    return LinearSegmentedColormap.from_list(
        "course_probability", [tint(CLASS_COLORS[0]), (1.0, 1.0, 1.0), tint(CLASS_COLORS[1])]
    )


def _axes(ax: Axes | None, figsize: tuple[float, float] = (5, 4)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # matplotlib loads on the first plot, not with the module

    _, ax = plt.subplots(figsize=figsize)
    return ax


def _finish_feature_axes(ax: Axes, title: str) -> Axes:
    """Label the two feature axes, set the title (if any) and show the legend."""
    ax.set_xlabel("feature 1")
    ax.set_ylabel("feature 2")
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_data(X: Tensor, y: Tensor, ax: Axes | None = None, title: str = "", **scatter) -> Axes:
    """Scatter 2-D points by their 0/1 label (colour and shape)."""
    ax = _axes(ax)
    labels = y.reshape(-1)
    for label in (0, 1):
        points = X[labels == label]
        options = {"s": 16, "alpha": 0.8, **class_style(label), **scatter}
        ax.scatter(points[:, 0], points[:, 1], label=f"class {label}", **options)
    return _finish_feature_axes(ax, title)


def decision_grid(
    model: nn.Module, X: Tensor, resolution: int = 200, margin: float = 1.0
) -> tuple[Tensor, Tensor, Tensor]:
    """The model's probability of class 1 on a grid around ``X``: returns xx, yy, probability.

    The model is evaluated in eval mode, without gradients, on the device its parameters are on;
    its mode is restored afterwards and its parameters are not touched.
    """
    low = X.min(dim=0).values - margin
    high = X.max(dim=0).values + margin
    xs = torch.linspace(float(low[0]), float(high[0]), resolution)
    ys = torch.linspace(float(low[1]), float(high[1]), resolution)
    xx, yy = torch.meshgrid(xs, ys, indexing="xy")
    grid = torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1)
    with eval_mode(model):
        probability = model(grid.to(device_of(model))).reshape(xx.shape).cpu()
    return xx, yy, probability


# the axes plot_decision_boundary gave a colorbar (weak references: they do not keep figures alive)
_AXES_WITH_COLORBAR: weakref.WeakSet = weakref.WeakSet()


def plot_decision_boundary(
    model: nn.Module,
    X: Tensor,
    y: Tensor,
    ax: Axes | None = None,
    title: str = "",
    resolution: int = 200,
) -> Axes:
    """Draw the model's probability of class 1 as a colour map, the 0.5 boundary, and the points.

    The model must map (N, 2) inputs to probabilities (N, 1). It is left as it was found: same
    device, same train/eval mode, same parameters.
    """
    ax = _axes(ax)
    xx, yy, probability = decision_grid(model, X, resolution)
    levels = torch.linspace(0, 1, 21).tolist()  # fixed 0..1, so colours mean the same in every plot
    mesh = ax.contourf(
        xx, yy, probability, levels=levels, cmap=probability_colormap(), vmin=0, vmax=1, alpha=0.6
    )
    ax.contour(xx, yy, probability, levels=[0.5], colors="black", linewidths=1.5)
    plot_data(X, y, ax=ax, title=title)
    if ax not in _AXES_WITH_COLORBAR:  # drawn again on the same axes: one colorbar is enough
        ax.figure.colorbar(mesh, ax=ax, label="P(class 1)")
        _AXES_WITH_COLORBAR.add(ax)
    return ax


def plot_train_test_split(
    X_train: Tensor,
    y_train: Tensor,
    X_test: Tensor,
    y_test: Tensor,
    ax: Axes | None = None,
    title: str = "",
) -> Axes:
    """Scatter a train/test split: training points filled, test points hollow; each class its own
    colour and shape.
    """
    ax = _axes(ax)
    for name, X, y, filled, size, alpha in (
        ("train", X_train, y_train, True, 12, 0.45),
        ("test", X_test, y_test, False, 36, 1.0),
    ):
        labels = y.reshape(-1)
        for label in (0, 1):
            points = X[labels == label]
            ax.scatter(
                points[:, 0],
                points[:, 1],
                s=size,
                alpha=alpha,
                label=f"{name}, class {label} ({len(points)})",
                **class_style(label, filled=filled),
            )
    return _finish_feature_axes(ax, title)


def plot_network(
    layer_sizes: list[int],
    ax: Axes | None = None,
    title: str = "",
    layer_names: list[str] | None = None,
) -> Axes:
    """Draw a fully connected network: one circle per unit, one line per weight.

    ``layer_sizes`` lists the units per layer, input first, e.g. ``[2, 10, 1]``; each layer is
    labelled with its name and size under its column.
    """
    if len(layer_sizes) < 2 or any(int(size) < 1 for size in layer_sizes):
        raise ValueError(
            f"layer_sizes needs at least two layers of at least one unit each, got {layer_sizes}"
        )
    if layer_names is None:
        hidden = [
            f"hidden {i}" if len(layer_sizes) > 3 else "hidden"
            for i in range(1, len(layer_sizes) - 1)
        ]
        layer_names = ["input", *hidden, "output"]
    if len(layer_names) != len(layer_sizes):
        raise ValueError(
            f"give one name per layer: {len(layer_sizes)} layers but {len(layer_names)} names"
        )
    from matplotlib.patches import Circle  # matplotlib loads on the first plot, not with the module

    ax = _axes(ax, figsize=(1.5 + 1.5 * len(layer_sizes), 4))
    tallest = max(layer_sizes)
    gap = max(2.0, 0.5 * tallest)  # columns apart enough that the picture is not a thin strip
    # centre each column vertically; unit i of a layer of n sits at height i - (n - 1) / 2
    positions = [
        [(gap * column, i - (size - 1) / 2) for i in range(size)]
        for column, size in enumerate(layer_sizes)
    ]
    for left, right in zip(positions[:-1], positions[1:], strict=True):
        for x0, y0 in left:
            for x1, y1 in right:
                ax.plot([x0, x1], [y0, y1], color="0.6", linewidth=0.6, zorder=1)
    for column, (units, name) in enumerate(zip(positions, layer_names, strict=True)):
        for x, y in units:
            ax.add_patch(Circle((x, y), 0.18, facecolor="#9ecae1", edgecolor="black", zorder=2))
        ax.text(gap * column, -(tallest + 1) / 2, f"{name}\n({len(units)})", ha="center", va="top")
    ax.set_xlim(-0.5 * gap, gap * (len(layer_sizes) - 0.5))
    ax.set_ylim(-(tallest + 1) / 2 - 1.0, (tallest + 1) / 2)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def plot_surface(
    surface: Surface,
    ax: Axes | None = None,
    levels: int = 20,
    paths: dict[str, Tensor] | None = None,
) -> Axes:
    """Draw a 2-D loss surface as contour lines, with its start point (black dot) and minima (stars).

    ``surface`` is a ``course_utils.surfaces.Surface``. The contour levels are quantiles of the
    loss over the window, so the flat valley floor gets as many lines as the steep walls.
    ``paths`` maps optimizer names to the (steps + 1, 2) paths they took (``run_trajectory``);
    each is drawn in its ``OPTIMIZER_STYLES`` colour and line style, with its marker at its end.
    """
    ax = _axes(ax)
    w1, w2, loss = surface.grid()  # each (150, 150)
    fractions = torch.linspace(0, 1, levels + 2, dtype=loss.dtype)[1:-1]
    contour_levels = torch.quantile(loss.flatten(), fractions).unique()
    ax.contour(w1, w2, loss, levels=contour_levels.tolist(), cmap="Greys_r", linewidths=0.7)
    ax.plot(*surface.start, "o", color="black", markersize=6, label="start")
    star = {"color": PALETTE["yellow"], "markeredgecolor": "black", "markersize": 14}
    for index, minimum in enumerate(surface.minima):  # one legend entry for all the minima
        ax.plot(*minimum, "*", label="minimum" if index == 0 else None, **star)
    ax.set_xlim(surface.xlim)
    ax.set_ylim(surface.ylim)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.set_title(surface.name)
    for name, path in (paths or {}).items():
        plot_path(path, ax, name)
    return ax


def plot_path(path: Tensor, ax: Axes, optimizer_name: str, **line) -> Any:
    """Draw one optimizer's path in its ``OPTIMIZER_STYLES`` style, its marker at the end; returns the line."""
    if optimizer_name not in OPTIMIZER_STYLES:
        raise ValueError(
            f"no style for optimizer {optimizer_name!r}: choose one of "
            f"{', '.join(map(repr, OPTIMIZER_STYLES))}"
        )
    options = {
        **OPTIMIZER_STYLES[optimizer_name],
        "lw": 2,
        "markevery": [-1],  # the marker only at the last point: where the run ended
        "markersize": 10,
        "markeredgecolor": MARKER_EDGE,
        "label": optimizer_name,
        **line,
    }
    (drawn,) = ax.plot(path[:, 0], path[:, 1], **options)
    return drawn


# plot_history's curves, metric -> (line format, marker on few epochs, colour, alpha, label)
_HISTORY_CURVES = {
    "train_loss": ("-", "o", "black", None, "train loss"),
    "val_loss": ("--", "s", PALETTE["vermillion"], None, "validation loss"),
    "train_accuracy": (":", "^", PALETTE["blue"], 0.7, "train accuracy"),
    "val_accuracy": ("-", "d", PALETTE["blue"], None, "validation accuracy"),
}


def _plot_curve(
    ax: Axes, metrics: dict[str, Any], name: str, markers: bool, scale: float = 1
) -> list[Any]:
    """Draw one metric of a History against the epoch (1, 2, ...); returns its lines (maybe none)."""
    values = [scale * value for value in metrics.get(name, [])]
    if not values:
        return []
    fmt, marker, color, alpha, label = _HISTORY_CURVES[name]
    epochs = range(1, len(values) + 1)
    marker = marker if markers else ""
    return ax.plot(epochs, values, fmt, marker=marker, color=color, alpha=alpha, label=label)


def plot_history(history: Any, ax: Axes | None = None, title: str = "") -> Axes:
    """Draw the per-epoch loss curves of a training History, and its accuracy with validation data.

    ``history`` is a ``course_utils.training.History`` (or its ``as_dict()``). Losses are drawn on
    ``ax`` (left axis); validation and train accuracy, in percent, on a second y axis on the right.
    Returns the loss Axes.
    """
    metrics = history.as_dict() if hasattr(history, "as_dict") else dict(history)
    epochs = len(metrics.get("train_loss", []))
    if not epochs:
        raise ValueError("the history is empty: train for at least one epoch before plotting it")
    ax = _axes(ax, figsize=(6, 4))
    markers = epochs <= 25  # markers help on a few epochs and clutter on many
    lines = _plot_curve(ax, metrics, "train_loss", markers)
    lines += _plot_curve(ax, metrics, "val_loss", markers)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_ylim(bottom=0)
    if epochs <= 12:
        ax.set_xticks(list(range(1, epochs + 1)))
    else:
        from matplotlib.ticker import MaxNLocator  # matplotlib loads on the first plot

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs only
    ax.set_xlim(0.5, epochs + 0.5)
    val_accuracy = metrics.get("val_accuracy", [])
    if val_accuracy:
        accuracy_ax = ax.twinx()  # a second y axis: accuracy (%) is not on the loss's scale
        lines += _plot_curve(accuracy_ax, metrics, "train_accuracy", markers, scale=100)
        lines += _plot_curve(accuracy_ax, metrics, "val_accuracy", markers, scale=100)
        accuracy_ax.set_ylabel("accuracy (%)", color=PALETTE["blue"])
        accuracy_ax.tick_params(axis="y", colors=PALETTE["blue"])
    # two y axes share the plot area, so no spot inside is sure to be free: legend below
    where = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.15), "ncol": 2}
    labels = [line.get_label() for line in lines]
    ax.legend(lines, labels, fontsize="small", **(where if val_accuracy else {"loc": "best"}))
    ax.set_title(title or "training history")
    return ax


def plot_confusion_matrix(
    matrix: Any, ax: Axes | None = None, class_names: Sequence[str] | None = None, title: str = ""
) -> Axes:
    """Draw a confusion matrix (rows: true class, columns: predicted) with the counts in the cells.

    For a 2x2 matrix laid out as ``course_utils.metrics.confusion_matrix`` returns it,
    ``[[TN, FP], [FN, TP]]``, each cell is also named (TN, FP, FN, TP). ``class_names``
    defaults to "class 0", "class 1" for two classes and to 0, 1, 2, ... for more (e.g. digits).
    """
    counts = torch.as_tensor(matrix)
    if counts.dim() != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(
            f"a confusion matrix is square (one row and one column per class), got shape "
            f"{tuple(counts.shape)}"
        )
    size = counts.shape[0]
    if class_names is None:
        class_names = ("class 0", "class 1") if size == 2 else tuple(str(k) for k in range(size))
    if len(class_names) != size:
        raise ValueError(
            f"give one name per class: the matrix has {size} classes but class_names "
            f"has {len(class_names)}"
        )
    many = size > 4  # smaller numbers in more cells
    fontsize = 9 if many else 13
    ax = _axes(ax, figsize=(5.5, 5.5) if many else (4, 4))
    ax.imshow(counts.double().numpy(), cmap="Blues", vmin=0)
    largest = float(counts.max()) if counts.numel() else 0.0
    cell_names = [["TN", "FP"], ["FN", "TP"]] if size == 2 else None
    for row in range(size):
        for column in range(size):
            value = counts[row, column].item()
            text = f"{value:g}" if isinstance(value, float) else str(value)
            if cell_names is not None:
                text = f"{text}\n{cell_names[row][column]}"
            # white text on the dark cells, black on the light ones
            color = "white" if largest and value > largest / 2 else "black"
            ax.text(column, row, text, ha="center", va="center", color=color, fontsize=fontsize)
    ax.set_xticks(range(size), class_names)
    ax.set_yticks(range(size), class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title or "confusion matrix")
    return ax


# --------------------------------------------------------------------------- digits (notebook 13)

WRONG_COLOR = PALETTE["vermillion"]  # a wrong prediction (Okabe-Ito: tells apart from the next
RIGHT_COLOR = PALETTE["bluish green"]  # the true class        for every kind of colour blindness)
PREDICTED_COLOR, OTHER_COLOR = PALETTE["blue"], PALETTE["sky blue"]  # the predicted class, the rest


def digit_image(pixels: Tensor) -> Tensor:
    """One flattened square image (64 values) as its 8x8 grid of pixels (any square size works)."""
    side = int(round(pixels.numel() ** 0.5))
    if side * side != pixels.numel():
        raise ValueError(
            f"expected a flattened square image (e.g. 64 = 8 x 8 values), got {pixels.numel()} values"
        )
    return pixels.detach().cpu().reshape(side, side)


def plot_digits(
    X: Tensor,
    y: Tensor | None = None,
    predicted: Tensor | None = None,
    columns: int = 10,
    title: str = "",
) -> Any:
    """Draw images (rows of ``X``, pixels 0 = white to 1 = black) in a grid, titled by their label.

    With ``predicted``, each title reads "true → predicted", in the "wrong" colour (vermillion)
    where they differ. Returns the Figure.
    """
    import matplotlib.pyplot as plt  # matplotlib loads on the first plot, not with the module

    count = len(X)
    if count == 0:
        raise ValueError("there are no images to draw: X is empty")
    columns = min(columns, count)
    rows = -(-count // columns)  # ceiling division
    figure, ax = plt.subplots(figsize=(1.0 * columns, 1.2 * rows + 0.3), layout="constrained")
    labels, colors = [], []
    for index in range(count):
        if y is not None and predicted is not None:
            true_label, guess = int(y[index]), int(predicted[index])
            labels.append(f"{true_label} → {guess}")
            colors.append("black" if true_label == guess else WRONG_COLOR)
        else:
            labels.append("" if y is None else str(int(y[index])))
            colors.append("black")
    _draw_tiles(ax, X, labels, colors, columns, fontsize=10)
    if title:
        figure.suptitle(title)
    return figure


_TILE_GAP = 0.35  # the space between two images, and above one for its title, in image widths


def _draw_tiles(
    ax: Axes,
    X: Tensor,
    labels: list[str],
    colors: list[str],
    columns: int,
    fontsize: float,
    step_x: float | None = None,
) -> None:
    """Draw the images of ``X`` in one Axes, ``columns`` per row, each under its label.

    One Axes for all the images, not one each: a figure of 20 Axes takes matplotlib about 3
    times as long to draw. ``step_x``: from one image's centre to the next (default: 1.35 images).
    """
    side = digit_image(X[0]).shape[0]
    aligned = step_x is not None
    step_x = step_x or side * (1 + _TILE_GAP)
    step_y = side * (1 + 2 * _TILE_GAP)
    for index, (label, color) in enumerate(zip(labels, colors, strict=True)):
        center, top = (index % columns) * step_x, (index // columns) * step_y + 2 * _TILE_GAP * side
        left, right = center - side / 2, center + side / 2
        extent = (left, right, top + side, top)  # (left, right, bottom, top): row 0 on top
        ax.imshow(digit_image(X[index]).numpy(), cmap="gray_r", vmin=0, vmax=1, extent=extent)
        ax.text(center, top - 0.3, label, ha="center", va="bottom", color=color, fontsize=fontsize)
    ax.axis("off")
    if aligned:  # x is shared with the Axes below: only the y limits may grow to square the pixels
        ax.set_aspect("equal", adjustable="datalim")
        return
    rows = -(-len(labels) // columns)
    ax.set_xlim(-side / 2, (columns - 1) * step_x + side / 2)
    ax.set_ylim(rows * step_y, _TILE_GAP * side)
    ax.set_aspect("equal")


def _probability_colors(values: Tensor, true_class: int | None) -> list[str]:
    """One colour per class: the predicted class darker, the true one and a wrong guess marked."""
    predicted = int(values.argmax())
    colors = [OTHER_COLOR] * len(values)
    colors[predicted] = PREDICTED_COLOR
    if true_class is not None:
        if predicted != true_class:
            colors[predicted] = WRONG_COLOR
        colors[true_class] = RIGHT_COLOR
    return colors


def plot_class_probabilities(
    probabilities: Tensor, ax: Axes | None = None, true_class: int | None = None, title: str = ""
) -> Axes:
    """A bar per class for one example's probabilities; the predicted (highest) bar is darker.

    With ``true_class``, that bar is bluish green, and the predicted one vermillion when it is
    another class.
    """
    values = torch.as_tensor(probabilities).detach().cpu().reshape(-1)
    ax = _axes(ax, figsize=(4, 2.5))
    colors = _probability_colors(values, true_class)
    ax.bar(range(len(values)), values.numpy(), color=colors)
    ax.set_xticks(range(len(values)))
    ax.set_ylim(0, 1)
    ax.set_xlabel("class")
    ax.set_ylabel("probability")
    if title:
        ax.set_title(title, fontsize="medium")
    return ax


def plot_misclassified(
    X: Tensor, probabilities: Tensor, y: Tensor, max_shown: int = 10, columns: int = 5
) -> Any:
    """Each misclassified image above the bar chart of the model's probabilities for it.

    ``probabilities`` (N, C) are the model's (a softmax of its logits) for the images ``X``
    (N, pixels), ``y`` the true classes. The true class's bar is bluish green, the wrong guess
    vermillion. Shows the first ``max_shown``; returns the Figure (None when nothing is wrong).
    """
    import matplotlib.pyplot as plt  # matplotlib loads on the first plot, not with the module

    probabilities, y = probabilities.detach().cpu(), y.cpu()  # from any device, drawn on the CPU
    predicted = probabilities.argmax(dim=1)
    wrong = (predicted != y).nonzero().reshape(-1)[:max_shown].tolist()
    if not wrong:
        return None
    columns = min(columns, len(wrong))
    rows = -(-len(wrong) // columns)
    figure, axes = plt.subplots(
        2 * rows,
        1,
        figsize=(2.3 * columns, 3.3 * rows),
        height_ratios=[1.3, 1] * rows,
        squeeze=False,
        layout="constrained",
    )
    classes = probabilities.shape[1]
    for row in range(rows):
        shown = wrong[row * columns : (row + 1) * columns]
        labels = [f"true {int(y[k])}, predicted {int(predicted[k])}" for k in shown]
        images_ax, bars_ax = axes[2 * row, 0], axes[2 * row + 1, 0]
        images_ax.sharex(bars_ax)  # each image stands over its own group of bars
        _draw_tiles(
            images_ax, X[shown], labels, ["black"] * len(shown), columns, 9, _group_step(classes)
        )
        _probability_bar_groups(bars_ax, probabilities[shown], y[shown], columns)
    return figure


def _group_step(classes: int) -> float:
    """From one group of ``classes`` bars to the next, in bar widths: a gap of 35% between."""
    return classes * (1 + _TILE_GAP)


def _probability_bar_groups(ax: Axes, probabilities: Tensor, y: Tensor, columns: int) -> None:
    """Side by side in one Axes, a group of bars (one per class) for each row of ``probabilities``.

    The groups are centred where ``_draw_tiles`` with the same step centres its images.
    """
    classes = probabilities.shape[1]
    step = _group_step(classes)
    first = -(classes - 1) / 2  # the first bar of a group, from the group's centre
    positions, heights, colors, names = [], [], [], []
    for group, (values, true_class) in enumerate(zip(probabilities, y.tolist(), strict=True)):
        positions += [group * step + first + c for c in range(classes)]
        heights += values.tolist()
        colors += _probability_colors(values, true_class)
        names += [str(c) for c in range(classes)]
    ax.bar(positions, heights, color=colors)
    ax.set_xticks(positions, names, fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xlim(first - 0.6, (columns - 1) * step - first + 0.6)
    ax.set_ylim(0, 1)
    ax.set_ylabel("probability", fontsize=8)
