"""course_utils.surfaces: values, minima, and run_trajectory against maths and torch."""

import pytest
import torch

from course_utils import surfaces
from course_utils.surfaces import OPTIMIZERS, SURFACES, run_trajectory


def gradient(surface, point):
    w = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    surface(w[0], w[1]).backward()
    return w.grad


@pytest.mark.parametrize("name", list(SURFACES))
def test_each_minimum_has_zero_gradient_and_lies_in_the_window(name):
    surface = SURFACES[name]
    for minimum in surface.minima:
        assert torch.allclose(gradient(surface, minimum), torch.zeros(2, dtype=torch.float64))
        assert surface.xlim[0] < minimum[0] < surface.xlim[1]
        assert surface.ylim[0] < minimum[1] < surface.ylim[1]
    assert surface.xlim[0] < surface.start[0] < surface.xlim[1]
    assert surface.ylim[0] < surface.start[1] < surface.ylim[1]
    assert set(surface.learning_rates) == set(OPTIMIZERS)


def test_surface_values_by_hand():
    one = torch.tensor(1.0)
    assert SURFACES["Rosenbrock"](one, one).item() == 0.0
    assert SURFACES["Rosenbrock"](torch.tensor(0.0), one).item() == pytest.approx(101.0)
    assert SURFACES["elongated bowl"](torch.tensor(2.0), one).item() == pytest.approx(2.2)
    # the saddle point: zero gradient, but a minimum along w1 and a maximum along w2
    assert torch.allclose(gradient(SURFACES["saddle"], (0.0, 0.0)), torch.zeros(2).double())
    assert SURFACES["saddle"](torch.tensor(0.0), torch.tensor(1.0)).item() == pytest.approx(-0.5)
    w1, w2, loss = SURFACES["saddle"].grid(resolution=11)
    assert loss.shape == (11, 11) and w1[0, 0] == -2.0 and w2[-1, 0] == 1.6


def test_sgd_on_the_bowl_follows_the_closed_form():
    # f = 0.05 w1² + 2 w2², so SGD multiplies w1 by
    # (1 - 0.1 lr) and w2 by (1 - 4 lr) each step
    lr, steps = 0.2, 25
    path = run_trajectory("elongated bowl", "SGD", lr=lr, steps=steps)
    k = torch.arange(steps + 1, dtype=torch.float64)
    expected = torch.stack([-4.5 * (1 - 0.1 * lr) ** k, 1.5 * (1 - 4 * lr) ** k], dim=1)
    assert path.shape == (steps + 1, 2)
    assert torch.allclose(path, expected)


@pytest.mark.parametrize("optimizer_name", list(OPTIMIZERS))
def test_each_optimizer_walks_like_torch_optim(optimizer_name):
    surface = SURFACES["Rosenbrock"]
    lr = surface.learning_rates[optimizer_name]
    path = run_trajectory(surface, optimizer_name, lr=lr, steps=60, start=(-1.0, 0.5))
    torch_class, options = {
        "SGD": (torch.optim.SGD, {}),
        "SGD with momentum": (torch.optim.SGD, {"momentum": 0.9}),
        "Adagrad": (torch.optim.Adagrad, {}),
        "RMSprop": (torch.optim.RMSprop, {}),
        "Adam": (torch.optim.Adam, {}),
    }[optimizer_name]
    w = torch.tensor([-1.0, 0.5], dtype=torch.float64, requires_grad=True)
    reference = torch_class([w], lr=lr, **options)
    points = [w.detach().clone()]
    for _ in range(60):
        reference.zero_grad()
        surface(w[0], w[1]).backward()
        reference.step()
        points.append(w.detach().clone())
    assert torch.allclose(path, torch.stack(points), atol=1e-10)
    assert surface(*path[-1]) < surface(*path[0])


def test_a_diverging_run_stops_with_only_finite_points():
    # SGD with lr=1 multiplies w2 by (1 - 4) = -3: |w2| = 1.5·3^k passes 1e3 at k = 6
    path = run_trajectory("elongated bowl", "SGD", lr=1.0, steps=50)
    assert path.shape == (6, 2)
    assert torch.isfinite(path).all()
    assert path[-1, 1].item() == pytest.approx(1.5 * (-3) ** 5)
    assert (path.abs() <= surfaces.DIVERGED_BEYOND).all()


def test_zero_steps_gives_the_start_and_bad_names_list_the_choices():
    assert run_trajectory("saddle", "Adam", lr=0.1, steps=0).tolist() == [[-1.8, 0.01]]
    with pytest.raises(ValueError, match="unknown surface 'bowl'.*'elongated bowl'"):
        run_trajectory("bowl", "Adam", lr=0.1)
    with pytest.raises(ValueError, match="unknown optimizer 'adam'.*'Adam'"):
        run_trajectory("saddle", "adam", lr=0.1)
    with pytest.raises(ValueError, match="steps must be 0 or more"):
        run_trajectory("saddle", "Adam", lr=0.1, steps=-1)


def test_a_start_given_as_a_tensor_or_a_list_gives_the_same_path():
    bowl = SURFACES["elongated bowl"]
    from_list = run_trajectory(bowl, "SGD", 0.05, 5, start=[1.5, -1.0])
    from_tensor = run_trajectory(bowl, "SGD", 0.05, 5, start=torch.tensor([1.5, -1.0]))
    assert torch.equal(from_list, from_tensor)
    assert from_list[0].tolist() == [1.5, -1.0]
