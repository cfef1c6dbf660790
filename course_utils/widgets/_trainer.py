"""The decision-boundary trainer: choose a network and data, press Train, watch it."""

from collections.abc import Hashable
from functools import partial
from typing import Any

import ipywidgets
import torch
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from course_utils import data, models, plotting, training
from course_utils.surfaces import OPTIMIZERS
from course_utils.widgets._boundary import ProbabilityMap
from course_utils.widgets._explorer import Explorer

# each makes 200 points per class when called with generator=...
_DATA_SETS = {
    "blobs": partial(data.make_blobs, n_per_class=200),
    "moons": partial(data.make_moons, n_per_class=200),
    "circles": partial(data.make_circles, n_per_class=200, noise=0.08),
    "xor": partial(data.make_xor, n_per_class=200),
}


class DecisionBoundaryTrainer(Explorer):
    """Pick data, hidden units, activation, optimizer, lr and epochs, then press Train.

    A new data, hidden units, activation, optimizer or lr starts a fresh, untrained
    network; Train trains it ``epochs`` more with the same optimizer (``training.fit``,
    batch size 32) while the boundary and the loss curve redraw. Everything is seeded
    with ``seed``.
    """

    def __init__(
        self,
        dataset: str = "moons",
        hidden_units: int = 8,
        activation: str = "relu",
        optimizer: str = "Adam",
        lr: float = 0.01,
        epochs: int = 50,
        seed: int = 0,
    ):
        self.seed, self.settings, self.map = seed, None, None
        self.train_button = ipywidgets.Button(
            description="Train", button_style="primary", icon="play"
        )
        self.train_button.on_click(self.train)
        self.progress = ipywidgets.IntProgress(max=epochs, description="epochs run")
        log_scale = {"base": 10, "min": -3, "max": 0, "step": 0.1, "readout_format": ".3f"}
        controls = {
            "dataset": ipywidgets.Dropdown(
                options=list(_DATA_SETS), value=dataset, description="data"
            ),
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
            "lr": ipywidgets.FloatLogSlider(value=lr, description="lr", **log_scale),
            "epochs": ipywidgets.IntSlider(value=epochs, min=1, max=200, description="epochs"),
        }
        train_row = ipywidgets.HBox([self.train_button, self.progress])
        super().__init__(controls, "Decision-boundary trainer", (9.5, 4), extras=[train_row])

    def setup(self, figure: Figure) -> None:
        margins = {"left": 0.07, "right": 0.98, "bottom": 0.13, "top": 0.9, "wspace": 0.25}
        self.boundary_ax, self.loss_ax = figure.subplots(
            1, 2, gridspec_kw={"width_ratios": [1.2, 1], **margins}
        )
        (self.loss_line,) = self.loss_ax.plot(
            [], [], color=plotting.PALETTE["blue"], marker=".", label="training loss"
        )
        self.loss_ax.set(xlabel="epoch", ylabel="loss (whole training set)")
        self.loss_ax.grid(alpha=0.3)
        self.loss_ax.legend(loc="upper right", fontsize="small")

    def draw(self, figure: Figure, epochs: int, **settings: Any) -> str:
        """A fresh network if a setting changed; "epochs" is how long Train runs."""
        self.progress.value, self.progress.max = 0, epochs
        if self.settings != settings:
            self._start_fresh(settings)
            message = (
                "A new, untrained network for these settings. Press <b>Train</b> to train it "
                f"for {epochs} epochs."
            )
        else:  # only "epochs" moved: the same network, which Train trains further
            message = self._continue_message(epochs)
        self.show(figure, len(self.losses) + epochs)
        return message

    def moving(self) -> list[Artist]:
        """The map and the loss curve, with the legends and titles drawn over them."""
        axes = (self.boundary_ax, self.loss_ax)
        return [
            *self.map.artists(),
            self.loss_line,
            *(ax.get_legend() for ax in axes),
            *(ax.title for ax in axes),
        ]

    def frame(self) -> Hashable:
        """Both axes' limits: new data or more epochs planned move them."""
        return tuple((ax.get_xlim(), ax.get_ylim()) for ax in (self.boundary_ax, self.loss_ax))

    def _start_fresh(self, settings: dict[str, Any]) -> None:
        """A fresh, seeded data set, network and optimizer for these settings."""
        self.settings, self.losses = dict(settings), []  # a loss per epoch, over all presses
        generator = torch.Generator().manual_seed(self.seed)
        self.X, self.y = _DATA_SETS[settings["dataset"]](generator=generator)
        with torch.random.fork_rng(devices=[]):  # seed the weights, leave the global RNG alone
            torch.manual_seed(self.seed)
            hidden, activation = settings["hidden_units"], settings["activation"]
            self.model = models.MLPClassifier(2, hidden, activation=activation)
        self.optimizer = OPTIMIZERS[settings["optimizer"]](self.model.parameters(), settings["lr"])
        shuffling = torch.Generator().manual_seed(self.seed)  # continues its sequence each press
        dataset = TensorDataset(self.X, self.y)
        self.loader = DataLoader(dataset, batch_size=32, shuffle=True, generator=shuffling)
        if self.map is None:
            self.map = ProbabilityMap(self.boundary_ax, self.X, self.y)
        else:
            self.map.set_data(self.X, self.y)  # also fits the axes to the new data

    def _continue_message(self, epochs: int) -> str:
        return (
            f"Trained {len(self.losses)} epochs so far. Press <b>Train</b> to continue "
            f"training this network for {epochs} more (same {self.settings['optimizer']} "
            "optimizer, its state kept); changing data, hidden units, activation, optimizer or "
            "lr starts a new network."
        )

    def show(self, figure: Figure, planned_epochs: int = 0) -> None:
        """Redraw the boundary, the loss curve and both titles for the current run."""
        losses, settings = self.losses, self.settings
        self.map.update(self.model)
        self.loss_line.set_data(range(1, len(losses) + 1), losses)
        # room for every epoch planned: the curve fills the axes as training runs
        self.loss_ax.set_xlim(0.5, max(len(losses), planned_epochs, 1) + 0.5)
        self.loss_ax.set_ylim(0, max(losses + [0.8]) * 1.05)
        accuracy = training.evaluate(self.model, [(self.X, self.y)], nn.BCELoss())["accuracy"]
        network = "{dataset}: {hidden_units} hidden units, {activation}".format_map(settings)
        self.boundary_ax.set_title(f"{network} — accuracy {100 * accuracy:.0f}%", fontsize="medium")
        run = "{optimizer}, lr={lr:.3g}".format_map(settings)
        self.loss_ax.set_title(f"{run}: {len(losses)} epochs trained", fontsize="medium")

    def train(self, _button: ipywidgets.Button | None = None) -> None:
        """Train the network the chosen epochs more, with the optimizer it has."""
        epochs, already = self.values["epochs"], len(self.losses)
        self.progress.value, self.progress.max = 0, epochs
        self.train_button.disabled = True

        def after_epoch(epoch: int, history: training.History) -> None:
            self.losses[already:] = history.train_loss
            self.progress.value = epoch
            if epoch % 10 == 0 or epoch == epochs:  # a live redraw every 10 epochs
                self.refresh(lambda figure: self.show(figure, already + epochs))

        try:
            training.fit(
                self.model, self.loader, nn.BCELoss(), self.optimizer, epochs, callback=after_epoch
            )
            self.message.value = self._continue_message(epochs)
        except training.TrainingDiverged:
            self._start_fresh(self.settings)
            self.refresh(self.show)
            self.message.value = (
                f"⚠️ The loss became NaN or infinite: lr={self.settings['lr']:.3g} is too large "
                f"for {self.settings['optimizer']}. The network was reset to a new, untrained "
                "one: lower lr and press Train."
            )
        finally:
            self.train_button.disabled = False
