"""The decision-boundary trainer: choose a network and a data set, press Train, watch it learn.

Introduced in 08_training.ipynb.
"""

from __future__ import annotations

import ipywidgets
import torch
from matplotlib.figure import Figure
from torch import nn

from course_utils import data, models, plotting, training
from course_utils.surfaces import OPTIMIZERS
from course_utils.widgets._boundary import ProbabilityMap
from course_utils.widgets._explorer import Explorer

__all__ = ["decision_boundary_trainer", "DATA_SETS"]

DATA_SETS = {
    "blobs": lambda generator: data.make_blobs(n_per_class=200, generator=generator),
    "moons": lambda generator: data.make_moons(n_per_class=200, generator=generator),
    "circles": lambda generator: data.make_circles(
        n_per_class=200, noise=0.08, generator=generator
    ),
    "xor": lambda generator: data.make_xor(n_per_class=200, generator=generator),
}
REDRAW_EVERY = 10  # epochs between live redraws while training


def decision_boundary_trainer(
    dataset: str = "moons",
    hidden_units: int = 8,
    activation: str = "relu",
    optimizer: str = "Adam",
    lr: float = 0.01,
    epochs: int = 50,
    seed: int = 0,
) -> Explorer:
    """An explorer: pick data, hidden units, activation, optimizer, lr and epochs, then Train.

    Changing a setting shows the new data set and a fresh, untrained network; the Train button
    trains it (course_utils.training.fit with the course's own optimizers, batch size 32) while
    a progress bar fills and the boundary and loss curve redraw. Everything is seeded with
    ``seed``, so the same settings always give the same result.
    Example: ``widgets.decision_boundary_trainer("circles", hidden_units=2)``.
    Introduced in 08_training.ipynb.
    """
    controls = {
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
    train_button = ipywidgets.Button(description="Train", button_style="primary", icon="play")
    progress = ipywidgets.IntProgress(value=0, min=0, max=epochs, description="epochs run")
    state: dict = {}

    def setup(figure: Figure) -> None:
        figure.set_layout_engine("none")  # fixed margins: one drawing pass per redraw, not several
        margins = {"left": 0.07, "right": 0.98, "bottom": 0.13, "top": 0.9, "wspace": 0.25}
        boundary_ax, loss_ax = figure.subplots(
            1, 2, gridspec_kw={"width_ratios": [1.2, 1], **margins}
        )
        state["map"] = None
        state["boundary_ax"] = boundary_ax
        (state["loss_line"],) = loss_ax.plot(
            [], [], color=plotting.PALETTE["blue"], marker=".", label="training loss"
        )
        loss_ax.set_xlabel("epoch")
        loss_ax.set_ylabel("loss (whole training set)")
        loss_ax.grid(alpha=0.3)
        loss_ax.legend(loc="upper right", fontsize="small")
        state["loss_ax"] = loss_ax

    def new_run(values: dict) -> None:
        """A fresh data set and untrained network for these settings."""
        generator = torch.Generator().manual_seed(seed)
        X, y = DATA_SETS[values["dataset"]](generator)
        with torch.random.fork_rng(devices=[]):  # seed the weights, leave the global RNG alone
            torch.manual_seed(seed)  # the same settings give the same initial weights
            model = models.MLPClassifier(2, values["hidden_units"], activation=values["activation"])
        loader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(X, y), batch_size=32, shuffle=True,
            generator=torch.Generator().manual_seed(seed),
        )  # fmt: skip
        state.update(X=X, y=y, model=model, loader=loader, losses=[], settings=values)
        if state["map"] is None:
            state["map"] = ProbabilityMap(state["boundary_ax"], X, y)
        else:
            state["map"].set_data(X, y)

    def show(figure: Figure) -> None:
        settings = state["settings"]
        state["map"].update(state["model"])
        losses = state["losses"]
        state["loss_line"].set_data(range(1, len(losses) + 1), losses)
        loss_ax = state["loss_ax"]
        # room for every epoch planned: the curve fills the axes as training runs
        loss_ax.set_xlim(0.5, max(len(losses), settings["epochs"]) + 0.5)
        loss_ax.set_ylim(0, max(losses + [0.8]) * 1.05)
        accuracy = training.evaluate(state["model"], [(state["X"], state["y"])], nn.BCELoss())[
            "accuracy"
        ]
        state["boundary_ax"].set_title(
            f"{settings['dataset']}: {settings['hidden_units']} hidden units, {settings['activation']} "
            f"— accuracy {100 * accuracy:.0f}%",
            fontsize="medium",
        )
        loss_ax.set_title(
            f"{settings['optimizer']}, lr={settings['lr']:.3g}: {len(losses)} epochs trained",
            fontsize="medium",
        )

    def draw(figure: Figure, **values) -> str:
        if not figure.axes:
            setup(figure)
        new_run(values)
        progress.value, progress.max = 0, values["epochs"]
        show(figure)
        return "Press <b>Train</b> to train this network."

    def train(_button=None) -> None:
        values = explorer.values
        model = state["model"]
        optimizer = OPTIMIZERS[values["optimizer"]](list(model.parameters()), values["lr"])
        progress.value, progress.max = 0, values["epochs"]
        train_button.disabled = True

        def after_epoch(epoch: int, history: training.History) -> None:
            state["losses"] = list(history.train_loss)
            progress.value = epoch
            if epoch % REDRAW_EVERY == 0 or epoch == values["epochs"]:
                explorer.refresh(show)

        try:
            training.fit(
                model,
                state["loader"],
                nn.BCELoss(),
                optimizer,
                values["epochs"],
                callback=after_epoch,
            )
            explorer.message.value = (
                f"Trained {values['epochs']} epochs. Press <b>Train</b> to continue training."
            )
        except training.TrainingDiverged:
            explorer.message.value = (
                f"⚠️ The loss became NaN or infinite: lr={values['lr']:.3g} is too large for "
                f"{values['optimizer']}. Lower it and press Train."
            )
            new_run(values)
            explorer.refresh(show)
        finally:
            train_button.disabled = False

    train_button.on_click(train)
    explorer = Explorer(
        controls, draw, figsize=(9.5, 4), title="Decision-boundary trainer",
        extras=[ipywidgets.HBox([train_button, progress])],
    )  # fmt: skip
    explorer.train_button, explorer.progress = train_button, progress
    return explorer
