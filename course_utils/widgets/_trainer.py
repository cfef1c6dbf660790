"""The decision-boundary trainer: choose a network and a data set, press Train, watch it learn."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

import ipywidgets
import torch
from matplotlib.figure import Figure
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset

from course_utils import data, models, plotting, training
from course_utils.surfaces import OPTIMIZERS
from course_utils.widgets._boundary import ProbabilityMap
from course_utils.widgets._explorer import Explorer

__all__ = ["decision_boundary_trainer", "DecisionBoundaryTrainer", "DATA_SETS", "RUN_SETTINGS"]

# each makes 200 points per class when called with generator=...
DATA_SETS = {
    "blobs": partial(data.make_blobs, n_per_class=200),
    "moons": partial(data.make_moons, n_per_class=200),
    "circles": partial(data.make_circles, n_per_class=200, noise=0.08),
    "xor": partial(data.make_xor, n_per_class=200),
}
REDRAW_EVERY = 10  # epochs between live redraws while training
# changing one of these starts a fresh, untrained network; "epochs" only says how long Train runs
RUN_SETTINGS = ("dataset", "hidden_units", "activation", "optimizer", "lr")
FRESH_NETWORK_TIP = "changing data, hidden units, activation, optimizer or lr starts a new network"


@dataclass
class _Run:
    """One network being trained: its data, model, optimizer (kept across presses) and losses."""

    settings: dict[str, Any]
    X: Tensor
    y: Tensor
    model: nn.Module
    optimizer: torch.optim.Optimizer
    loader: DataLoader
    losses: list[float] = field(default_factory=list)  # one per epoch trained, over all presses


def _new_run(settings: dict[str, Any], seed: int) -> _Run:
    """A fresh data set, untrained network and optimizer for these settings, all seeded."""
    X, y = DATA_SETS[settings["dataset"]](generator=torch.Generator().manual_seed(seed))
    with torch.random.fork_rng(devices=[]):  # seed the weights, leave the global RNG alone
        torch.manual_seed(seed)  # the same settings give the same initial weights
        model = models.MLPClassifier(2, settings["hidden_units"], activation=settings["activation"])
    optimizer = OPTIMIZERS[settings["optimizer"]](list(model.parameters()), settings["lr"])
    shuffling = torch.Generator().manual_seed(seed)  # continues its sequence each press
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, generator=shuffling)
    return _Run(dict(settings), X, y, model, optimizer, loader)


def _controls(
    dataset: str, hidden_units: int, activation: str, optimizer: str, lr: float, epochs: int
) -> dict[str, ipywidgets.ValueWidget]:
    """The trainer's six controls, set to the values given."""
    return {
        "dataset": ipywidgets.Dropdown(options=list(DATA_SETS), value=dataset, description="data"),
        "hidden_units": ipywidgets.IntSlider(
            value=hidden_units, min=1, max=32, description="hidden units"
        ),
        "activation": ipywidgets.Dropdown(
            options=[a for a in models.ACTIVATIONS if a != "gelu"],
            value=activation,
            description="activation",
        ),
        "optimizer": ipywidgets.Dropdown(
            options=list(OPTIMIZERS), value=optimizer, description="optimizer"
        ),
        "lr": ipywidgets.FloatLogSlider(
            value=lr, base=10, min=-3, max=0, step=0.1, description="lr", readout_format=".3f"
        ),
        "epochs": ipywidgets.IntSlider(value=epochs, min=1, max=200, description="epochs"),
    }


class DecisionBoundaryTrainer(Explorer):
    """The trainer's figure (boundary left, loss curve right), the run it shows, and Train."""

    def __init__(self, controls: dict[str, ipywidgets.ValueWidget], seed: int):
        self.seed = seed
        self.run: _Run | None = None
        self.map: ProbabilityMap | None = None
        self.train_button = ipywidgets.Button(
            description="Train", button_style="primary", icon="play"
        )
        self.train_button.on_click(self.train)
        epochs = controls["epochs"].value
        self.progress = ipywidgets.IntProgress(value=0, min=0, max=epochs, description="epochs run")
        super().__init__(
            controls,
            figsize=(9.5, 4),
            title="Decision-boundary trainer",
            extras=[ipywidgets.HBox([self.train_button, self.progress])],
        )

    def setup(self, figure: Figure) -> None:
        figure.set_layout_engine("none")  # fixed margins: one drawing pass per redraw, not several
        margins = {"left": 0.07, "right": 0.98, "bottom": 0.13, "top": 0.9, "wspace": 0.25}
        self.boundary_ax, self.loss_ax = figure.subplots(
            1, 2, gridspec_kw={"width_ratios": [1.2, 1], **margins}
        )
        (self.loss_line,) = self.loss_ax.plot(
            [], [], color=plotting.PALETTE["blue"], marker=".", label="training loss"
        )
        self.loss_ax.set_xlabel("epoch")
        self.loss_ax.set_ylabel("loss (whole training set)")
        self.loss_ax.grid(alpha=0.3)
        self.loss_ax.legend(loc="upper right", fontsize="small")

    def draw(self, figure: Figure, **values: Any) -> str:
        """Called when a control moves: a fresh network if a run setting changed."""
        self.progress.value, self.progress.max = 0, values["epochs"]
        run_settings = {name: values[name] for name in RUN_SETTINGS}
        if self.run is not None and self.run.settings == run_settings:
            # only "epochs" moved: the same network, which Train will train further
            self.show(figure, len(self.run.losses) + values["epochs"])
            return self.continue_message(values["epochs"])
        self.start_fresh(run_settings)
        self.show(figure, values["epochs"])
        return (
            f"A new, untrained network for these settings. Press <b>Train</b> to train it for "
            f"{values['epochs']} epochs."
        )

    def start_fresh(self, run_settings: dict[str, Any]) -> None:
        self.run = _new_run(run_settings, self.seed)
        if self.map is None:
            self.map = ProbabilityMap(self.boundary_ax, self.run.X, self.run.y)
        else:
            self.map.set_data(self.run.X, self.run.y)  # also fits the axes to the new data

    def continue_message(self, epochs: int) -> str:
        trained = len(self.run.losses)
        return (
            f"Trained {trained} epochs so far. Press <b>Train</b> to continue training this "
            f"network for {epochs} more (same {self.run.settings['optimizer']} optimizer, its "
            f"state kept); {FRESH_NETWORK_TIP}."
        )

    def show(self, figure: Figure, planned_epochs: int = 0) -> None:
        """Redraw the boundary, the loss curve and both titles for the current run."""
        run, losses = self.run, self.run.losses
        self.map.update(run.model)
        self.loss_line.set_data(range(1, len(losses) + 1), losses)
        # room for every epoch planned: the curve fills the axes as training runs
        self.loss_ax.set_xlim(0.5, max(len(losses), planned_epochs, 1) + 0.5)
        self.loss_ax.set_ylim(0, max(losses + [0.8]) * 1.05)
        accuracy = training.evaluate(run.model, [(run.X, run.y)], nn.BCELoss())["accuracy"]
        settings = run.settings
        self.boundary_ax.set_title(
            f"{settings['dataset']}: {settings['hidden_units']} hidden units, "
            f"{settings['activation']} — accuracy {100 * accuracy:.0f}%",
            fontsize="medium",
        )
        self.loss_ax.set_title(
            f"{settings['optimizer']}, lr={settings['lr']:.3g}: {len(losses)} epochs trained",
            fontsize="medium",
        )

    def train(self, _button: ipywidgets.Button | None = None) -> None:
        """Train the current network for the chosen epochs more, with its own optimizer."""
        run, epochs = self.run, self.values["epochs"]
        already = len(run.losses)
        self.progress.value, self.progress.max = 0, epochs
        self.train_button.disabled = True

        def after_epoch(epoch: int, history: training.History) -> None:
            run.losses[already:] = history.train_loss
            self.progress.value = epoch
            if epoch % REDRAW_EVERY == 0 or epoch == epochs:
                self.refresh(lambda figure: self.show(figure, already + epochs))

        try:
            training.fit(
                run.model, run.loader, nn.BCELoss(), run.optimizer, epochs, callback=after_epoch
            )
            self.message.value = self.continue_message(epochs)
        except training.TrainingDiverged:
            settings = run.settings
            self.start_fresh(settings)
            self.refresh(self.show)
            self.message.value = (
                f"⚠️ The loss became NaN or infinite: lr={settings['lr']:.3g} is too large for "
                f"{settings['optimizer']}. The network was reset to a new, untrained one: lower lr "
                "and press Train."
            )
        finally:
            self.train_button.disabled = False


def decision_boundary_trainer(
    dataset: str = "moons",
    hidden_units: int = 8,
    activation: str = "relu",
    optimizer: str = "Adam",
    lr: float = 0.01,
    epochs: int = 50,
    seed: int = 0,
) -> DecisionBoundaryTrainer:
    """An explorer: pick data, hidden units, activation, optimizer, lr and epochs, then Train.

    Changing data, hidden units, activation, optimizer or lr shows the new data set and a fresh,
    untrained network. Train trains it for ``epochs`` more epochs (course_utils.training.fit with
    the course's own optimizers, batch size 32) while a progress bar fills and the boundary and
    loss curve redraw; pressing it again continues with the same optimizer, so Adam's running
    averages carry on, and the loss curve and epoch count grow. Everything is seeded with
    ``seed``, so the same settings and presses always give the same result.
    """
    controls = _controls(dataset, hidden_units, activation, optimizer, lr, epochs)
    return DecisionBoundaryTrainer(controls, seed)
