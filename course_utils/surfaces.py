"""Loss surfaces of two weights, and the path an optimizer takes across them.

``run_trajectory`` records that path, point by point; ``plotting.plot_surface`` and
``plotting.plot_path`` draw them.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from course_utils import guards, optim

# A run stops early at a coordinate that is not finite or beyond ±DIVERGED_BEYOND.
DIVERGED_BEYOND = 1e3


@dataclass(frozen=True)
class Surface:
    """A loss ``function(w1, w2)`` of two weights, with a start, a window, its minima.

    ``function`` works elementwise on tensors: the same code gives one loss (for the
    optimizer) or a whole grid of losses (for the contour plot).
    """

    name: str
    function: Callable[[Tensor, Tensor], Tensor]
    start: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    learning_rates: dict[str, float]  # one that suits each optimizer here (hand-tuned)

    def __call__(self, w1: Tensor, w2: Tensor) -> Tensor:
        return self.function(w1, w2)

    def grid(self, resolution: int = 150) -> tuple[Tensor, Tensor, Tensor]:
        """The loss on a grid over the window: w1, w2 and loss, each of shape (R, R).

        R is ``resolution``, the number of points along each axis.
        """
        w1 = torch.linspace(*self.xlim, resolution, dtype=torch.float64)
        w2 = torch.linspace(*self.ylim, resolution, dtype=torch.float64)
        grid_w1, grid_w2 = torch.meshgrid(w1, w2, indexing="xy")
        return grid_w1, grid_w2, self.function(grid_w1, grid_w2)


def _elongated_bowl(w1: Tensor, w2: Tensor) -> Tensor:
    return 0.05 * w1**2 + 2.0 * w2**2  # 40 times steeper across (w2) than along (w1)


def _rosenbrock(w1: Tensor, w2: Tensor) -> Tensor:
    return (1 - w1) ** 2 + 100 * (w2 - w1**2) ** 2  # a curved, flat-bottomed valley


def _saddle(w1: Tensor, w2: Tensor) -> Tensor:
    return w1**2 - w2**2 + 0.5 * w2**4  # a saddle at (0, 0) between minima at w2 = ±1


OPTIMIZERS: dict[str, Callable[[list[Tensor], float], torch.optim.Optimizer]] = {
    "SGD": lambda params, lr: optim.SGD(params, lr=lr),
    "SGD with momentum": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9),
    "Adagrad": lambda params, lr: optim.Adagrad(params, lr=lr),
    "RMSprop": lambda params, lr: optim.RMSprop(params, lr=lr),
    "Adam": lambda params, lr: optim.Adam(params, lr=lr),
}
# each surface: its function, start, xlim, ylim, minima
_SURFACE_TABLE = {
    "elongated bowl": (_elongated_bowl, (-4.5, 1.5), (-5.0, 5.0), (-2.0, 2.0), ((0.0, 0.0),)),
    "Rosenbrock": (_rosenbrock, (-1.2, 1.0), (-1.6, 1.6), (-0.6, 2.0), ((1.0, 1.0),)),
    "saddle": (_saddle, (-1.8, 0.01), (-2.0, 2.0), (-1.6, 1.6), ((0.0, -1.0), (0.0, 1.0))),
}
# on each surface, a learning rate that suits each optimizer, in OPTIMIZERS' order
_LEARNING_RATES = {
    "elongated bowl": (0.45, 0.05, 0.5, 0.05, 0.2),
    "Rosenbrock": (0.001, 0.001, 0.3, 0.01, 0.1),
    "saddle": (0.01, 0.01, 0.1, 0.01, 0.05),
}
SURFACES = {
    name: Surface(name, *row, dict(zip(OPTIMIZERS, _LEARNING_RATES[name], strict=True)))
    for name, row in _SURFACE_TABLE.items()
}


def run_trajectory(
    surface: Surface | str,
    optimizer_name: str,
    lr: float,
    steps: int = 100,
    start: tuple[float, float] | None = None,
) -> Tensor:
    """The points an optimizer visits on a surface, from ``start`` or the surface's own.

    Returns a float64 (steps + 1, 2) tensor, or fewer rows when the run diverges (a
    coordinate beyond ``DIVERGED_BEYOND`` or not finite): it stops there, so every row
    is finite.
    """
    if isinstance(surface, str):
        guards.surfaces.check_known(surface, SURFACES, "surface")
        surface = SURFACES[surface]
    guards.surfaces.check_known(optimizer_name, OPTIMIZERS, "optimizer")
    guards.surfaces.check_steps(steps)
    make_optimizer = OPTIMIZERS[optimizer_name]
    start = surface.start if start is None else start  # a tuple, a list or a tensor: copied
    weights = torch.as_tensor(start, dtype=torch.float64).clone().requires_grad_(True)
    optimizer = make_optimizer([weights], lr)
    points = [weights.tolist()]
    for _ in range(steps):
        optimizer.zero_grad()
        surface(weights[0], weights[1]).backward()
        optimizer.step()
        point = weights.tolist()  # two Python floats: quicker to test than a tensor
        if not all(math.isfinite(w) and abs(w) <= DIVERGED_BEYOND for w in point):
            break  # diverged: keep only the finite part of the path
        points.append(point)
    return torch.tensor(points, dtype=torch.float64)
