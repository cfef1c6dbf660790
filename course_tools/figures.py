"""The pictures in images/, drawn with matplotlib by ``python -m course_tools.figures``.

``--out DIR`` writes them into another folder.

The PNGs are deterministic (no timestamp or software name in them), and the figures are
built with ``matplotlib.figure.Figure`` directly, so nothing depends on or changes
pyplot's state.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from course_utils import activations, plotting

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "draw_mlp_diagram",
    "draw_neuron_diagram",
    "draw_activation_functions",
    "FIGURES",
    "MLP_LAYER_SIZES",
    "save_figure",
    "main",
]

DPI = 100
PNG_METADATA = {"Software": None}  # keeps the bytes free of the matplotlib version string
# the course's colour-blind-safe palette, as the notebooks' plots use it
FUNCTION_COLOR = plotting.PALETTE["blue"]
DERIVATIVE_COLOR = plotting.PALETTE["vermillion"]
# the layers' tints: light versions of the palette's sky blue, yellow and vermillion,
# picked by eye to stay apart in lightness too (no red against green)
NODE_COLORS = {"input": "#cce7f8", "hidden": "#fbf6c4", "output": "#f5cdb3"}


def _new_figure(width: float, height: float) -> Figure:
    # matplotlib loads when a figure is drawn, not with the module
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI)


def _blank_axes(figure: Figure, xlim: tuple[float, float], ylim: tuple[float, float]) -> Axes:
    """Axes filling the figure, equal scale, no frame: a canvas in data coordinates."""
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _node(ax: Axes, x: float, y: float, radius: float, label: str, color: str, size=15) -> None:
    # matplotlib loads when a figure is drawn, not with the module
    from matplotlib.patches import Circle

    ax.add_patch(Circle((x, y), radius, facecolor=color, edgecolor="#333333", lw=1.5, zorder=3))
    ax.text(x, y, label, ha="center", va="center", fontsize=size, zorder=4)


def _arrow(ax: Axes, start, end, color="#555555", lw=1.4, shrink=0.0) -> None:
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={"arrowstyle": "-|>", "color": color, "lw": lw, "shrinkA": 0, "shrinkB": 0},
        zorder=2,
    )


# the course's classifier, SimpleClassifier(input_features=2, hidden_units=10): 2-10-1
MLP_LAYER_SIZES = (2, 10, 1)


def draw_mlp_diagram(layer_sizes: Sequence[int] = MLP_LAYER_SIZES) -> Figure:
    """A multilayer perceptron with one hidden layer, by default the course's 2-10-1.

    ``layer_sizes`` is (inputs, hidden neurons, outputs). Returns the Figure.
    """
    if len(layer_sizes) != 3 or any(int(size) < 1 for size in layer_sizes):
        raise ValueError(
            f"layer_sizes is (inputs, hidden neurons, outputs), each at least 1, got {layer_sizes}"
        )
    n_inputs, n_hidden, n_outputs = layer_sizes
    spacing = 0.56  # between the centres of two neurons of a layer
    radius = 0.22
    height = (max(layer_sizes) - 1) * spacing
    xlim, ylim = (-0.4, 8.4), (-1.3, height + 0.75)
    width = 8.0  # inches; the height keeps one unit the same length across and up (round circles)
    figure = _new_figure(width, width * (ylim[1] - ylim[0]) / (xlim[1] - xlim[0]))
    ax = _blank_axes(figure, xlim, ylim)
    output_labels = (
        [r"$\hat{y}$"]
        if n_outputs == 1
        else [rf"$\hat{{y}}_{{{i}}}$" for i in range(1, n_outputs + 1)]
    )
    layers = [
        ("input", 0.9, [f"$x_{{{i}}}$" for i in range(1, n_inputs + 1)]),
        ("hidden", 4.0, [f"$h_{{{i}}}$" for i in range(1, n_hidden + 1)]),
        ("output", 7.1, output_labels),
    ]
    titles = [
        f"input layer: {n_inputs} features",
        f"hidden layer: {n_hidden} neurons\n(weights $W_1$, biases $b_1$, ReLU)",
        f"output layer: {n_outputs} neuron{'s' if n_outputs > 1 else ''}\n($W_2$, $b_2$, sigmoid)",
    ]
    positions = []
    for _kind, x, labels in layers:
        count = len(labels)
        top = height / 2 + (count - 1) * spacing / 2  # centred on the tallest layer
        positions.append([(x, top - i * spacing) for i in range(count)])
    # the network as plotting.plot_network draws it in the notebooks, in the diagram's
    # style: each neuron joined to every neuron of the next layer, one line per weight
    plotting.draw_layers(
        ax,
        positions,
        radius,
        colors=[NODE_COLORS[kind] for kind, _x, _labels in layers],
        weight_style={"color": "#7f7f7f", "lw": 0.8, "zorder": 1},
        unit_style={"edgecolor": "#333333", "lw": 1.5, "zorder": 3},
        from_edges=True,
    )
    for (_kind, x, labels), points, title in zip(layers, positions, titles, strict=True):
        for (px, py), label in zip(points, labels, strict=True):
            ax.text(px, py, label, ha="center", va="center", fontsize=12, zorder=4)
        ax.text(x, -0.8, title, ha="center", va="center", fontsize=11, linespacing=1.4)
    # point at the line from the first input to the first hidden neuron, a third of
    # the way along it
    (x0, y0), (x1, y1) = positions[0][0], positions[1][0]
    target = (x0 + radius + (x1 - radius - x0 - radius) / 3, y0 + (y1 - y0) / 3)
    ax.text(
        1.2, height + 0.45, "each line is one weight", ha="center", fontsize=10, color="#555555"
    )
    _arrow(ax, (1.4, height + 0.35), target, color="#555555", lw=1.0)
    return figure


def _weighted_input(
    ax: Axes, i: int, position: tuple[float, float], radius: float, summation: tuple[float, float]
) -> None:
    """Input node x_i and its arrow, labelled w_i, to the sum's circle."""
    x, y = position
    _node(ax, x, y, radius, f"$x_{i}$", NODE_COLORS["input"])
    start = (x + radius, y)
    # stop where the arrow meets the circle of the sum
    dx, dy = summation[0] - start[0], summation[1] - start[1]
    length = (dx**2 + dy**2) ** 0.5
    end = (summation[0] - 0.55 * dx / length, summation[1] - 0.55 * dy / length)
    _arrow(ax, start, end)
    label_x = start[0] + 0.45 * (end[0] - start[0])
    label_y = start[1] + 0.45 * (end[1] - start[1])
    ax.text(
        label_x,
        label_y + 0.22,
        f"$w_{i}$",
        ha="center",
        va="bottom",
        fontsize=15,
        color="#b45f06",
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
        zorder=5,
    )


def draw_neuron_diagram() -> Figure:
    """One neuron: inputs x1..x3, weighted, summed with a bias, activation f, output y.

    Returns the Figure.
    """
    # matplotlib loads when a figure is drawn, not with the module
    from matplotlib.patches import FancyBboxPatch

    figure = _new_figure(8, 4.2)
    ax = _blank_axes(figure, (-0.3, 9.3), (-1.0, 3.9))
    radius = 0.35
    summation = (4.2, 1.5)
    inputs = [(0.6, 2.9), (0.6, 1.5), (0.6, 0.1)]
    for i, (x, y) in enumerate(inputs, start=1):
        _weighted_input(ax, i, (x, y), radius, summation)
    _node(ax, *summation, 0.55, r"$\Sigma$", NODE_COLORS["hidden"], size=22)
    # the bias enters the sum from above
    ax.text(summation[0], 3.25, "bias $b$", ha="center", va="center", fontsize=14, color="#b45f06")
    _arrow(ax, (summation[0], 3.0), (summation[0], summation[1] + 0.55))
    # the activation function
    box_x, box_width = 5.7, 1.1
    box = FancyBboxPatch(
        (box_x, summation[1] - 0.45),
        box_width,
        0.9,
        boxstyle="round,pad=0.05",
        facecolor="#fff2cc",
        edgecolor="#333333",
        lw=1.5,
        zorder=3,
    )
    ax.add_patch(box)
    ax.text(box_x + box_width / 2, summation[1], "$f$", ha="center", va="center", fontsize=20)
    _arrow(ax, (summation[0] + 0.55, summation[1]), (box_x - 0.05, summation[1]))
    ax.text((summation[0] + 0.55 + box_x) / 2, summation[1] + 0.18, "$z$", ha="center", fontsize=14)
    _node(ax, 8.2, summation[1], radius, "$y$", NODE_COLORS["output"])
    _arrow(ax, (box_x + box_width + 0.05, summation[1]), (8.2 - radius, summation[1]))
    ax.text(0.6, -0.45, "inputs", ha="center", fontsize=10, color="#555555")
    ax.text(4.2, 0.55, "weighted sum", ha="center", fontsize=10, color="#555555")
    ax.text(6.25, 0.75, "activation", ha="center", fontsize=10, color="#555555")
    ax.text(8.2, 0.85, "output", ha="center", fontsize=10, color="#555555")
    ax.text(
        4.5,
        -0.6,
        r"$z = w_1 x_1 + w_2 x_2 + w_3 x_3 + b = \mathbf{w} \cdot \mathbf{x} + b,"
        r"\qquad y = f(\mathbf{w} \cdot \mathbf{x} + b)$",
        ha="center",
        va="center",
        fontsize=14,
    )
    return figure


# what each panel of the grid plots: title, function, derivative
_GRID_PANELS: list[tuple[str, Callable, Callable]] = [
    ("step", activations.step, activations.step_grad),
    ("sigmoid", activations.sigmoid, activations.sigmoid_grad),
    ("tanh", activations.tanh, activations.tanh_grad),
    ("ReLU", activations.relu, activations.relu_grad),
    (
        "leaky ReLU (slope 0.1)",
        lambda x: activations.leaky_relu(x, 0.1),
        lambda x: activations.leaky_relu_grad(x, 0.1),
    ),
    ("ELU", activations.elu, activations.elu_grad),
    ("GELU", activations.gelu, activations.gelu_grad),
]


def _plot_softmax_panel(ax: Axes) -> None:
    logits = torch.tensor([2.0, 1.0, 0.1, -1.0])
    probabilities = activations.softmax(logits)
    positions = range(len(logits))
    bars = ax.bar(positions, probabilities.tolist(), color=FUNCTION_COLOR, width=0.6)
    for bar, p in zip(bars, probabilities.tolist(), strict=True):
        ax.text(bar.get_x() + 0.3, p + 0.03, f"{p:.2f}", ha="center", fontsize=9)
    ax.set_xticks(list(positions), [f"{v:g}" for v in logits.tolist()])
    ax.set_xlabel("logit $z_i$")
    ax.set_ylabel("probability")
    ax.set_ylim(0, 1)
    ax.set_title("softmax (probabilities sum to 1)", fontsize=11)


def draw_activation_functions() -> Figure:
    """A grid: each activation function (solid) with its derivative (dashed).

    The last panel shows softmax, which maps a vector of logits to probabilities.
    Returns the Figure.
    """
    figure = _new_figure(12, 5.8)
    figure.set_layout_engine("constrained")
    axes = figure.subplots(2, 4)
    x = torch.linspace(-4, 4, 801, dtype=torch.float64)
    for ax, (title, function, derivative) in zip(axes.flat, _GRID_PANELS, strict=False):
        ax.axhline(0, color="#bbbbbb", lw=0.8, zorder=0)
        ax.axvline(0, color="#bbbbbb", lw=0.8, zorder=0)
        ax.plot(x.numpy(), function(x).numpy(), color=FUNCTION_COLOR, lw=2, label="$f(x)$")
        ax.plot(
            x.numpy(),
            derivative(x).numpy(),
            color=DERIVATIVE_COLOR,
            lw=1.6,
            ls="--",
            label="$f'(x)$",
        )
        ax.set_title(title, fontsize=11)
        ax.set_xlim(-4, 4)
        ax.set_ylim(-1.5, 2.5)
        ax.grid(alpha=0.25)
    axes.flat[0].legend(loc="upper left", fontsize=9)
    _plot_softmax_panel(axes.flat[-1])
    figure.suptitle("Activation functions $f$ (solid) and their derivatives $f'$ (dashed)")
    return figure


FIGURES: dict[str, Callable[[], Figure]] = {
    "mlp_diagram.png": draw_mlp_diagram,
    "neuron_diagram.png": draw_neuron_diagram,
    "activation_functions.png": draw_activation_functions,
}


def save_figure(figure: Figure, path: Path) -> None:
    """Save a figure as a PNG without metadata that changes between runs or versions."""
    figure.savefig(path, format="png", dpi=DPI, metadata=PNG_METADATA, facecolor="white")


def main(argv: Sequence[str] | None = None) -> list[Path]:
    """Draw every picture into ``--out`` (default: images/); returns their paths."""
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.figures",
        description="Draw the course's pictures (diagrams, activation functions) as PNG files.",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("images"), help="folder to write into (default: images)"
    )
    options = parser.parse_args(argv)
    options.out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in FIGURES.items():
        path = options.out / name
        save_figure(draw(), path)
        written.append(path)
        print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
    return written


if __name__ == "__main__":
    main()
