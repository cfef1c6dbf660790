import functools

import pytest
import torch
from torch import nn

from course_utils import data, models, training
from course_utils.widgets import decision_boundary_trainer


def png(explorer) -> bytes:
    return bytes(explorer.image.value)


def test_train_button_trains_and_redraws_the_same_figure():
    explorer = decision_boundary_trainer("moons", hidden_units=8, epochs=20, lr=0.03)
    figure, before = explorer.figure, png(explorer)
    explorer.train_button.click()
    assert explorer.figure is figure and len(figure.axes) == 2
    assert explorer.progress.value == explorer.progress.max == 20
    losses = figure.axes[1].lines[0].get_ydata()
    assert len(losses) == 20 and losses[-1] < losses[0]
    assert png(explorer) != before
    assert "Trained 20 epochs" in explorer.message.value


def plotted_losses(explorer) -> list[float]:
    return [float(v) for v in explorer.figure.axes[1].lines[0].get_ydata()]


def fit_like_the_trainer(
    presses: list[int],
    fresh_optimizer_each_press: bool = False,
    make_data=data.make_moons,
    hidden_units: int = 8,
    activation: str = "relu",
) -> list[float]:
    """The oracle: the trainer's run (Adam, lr 0.03) written with the course's parts."""
    from course_utils import optim

    X, y = make_data(n_per_class=200, generator=torch.Generator().manual_seed(0))
    torch.manual_seed(0)
    model = models.MLPClassifier(2, hidden_units, activation=activation)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(X, y), batch_size=32, shuffle=True,
        generator=torch.Generator().manual_seed(0),
    )  # fmt: skip
    optimizer = optim.Adam(model.parameters(), lr=0.03)
    losses = []
    for epochs in presses:
        if fresh_optimizer_each_press:
            optimizer = optim.Adam(model.parameters(), lr=0.03)
        losses += training.fit(model, loader, nn.BCELoss(), optimizer, epochs).train_loss
    return losses


def test_pressing_train_again_continues_with_the_same_optimizer():
    explorer = decision_boundary_trainer("moons", hidden_units=8, epochs=6, lr=0.03)
    explorer.train_button.click()
    explorer.train_button.click()
    assert plotted_losses(explorer) == fit_like_the_trainer([12])  # as one run of 12 epochs
    # the control: a new optimizer on the second
    # press (Adam's averages lost) trains differently
    assert fit_like_the_trainer([6, 6], fresh_optimizer_each_press=True) != fit_like_the_trainer(
        [12]
    )
    assert "12 epochs trained" in explorer.figure.axes[1].get_title()
    assert "Trained 12 epochs so far" in explorer.message.value
    assert "continue training this network for 6 more" in explorer.message.value


def test_moving_only_the_epochs_slider_keeps_the_network():
    explorer = decision_boundary_trainer("moons", hidden_units=8, epochs=4, lr=0.03)
    explorer.train_button.click()
    explorer.controls["epochs"].value = 8
    assert len(plotted_losses(explorer)) == 4 and "continue training" in explorer.message.value
    assert explorer.figure.axes[1].get_xlim()[1] == 12.5  # room for the 4 done and 8 planned
    explorer.train_button.click()
    assert plotted_losses(explorer) == fit_like_the_trainer([4, 8])
    assert explorer.progress.value == explorer.progress.max == 8


def test_changing_the_learning_rate_starts_a_fresh_network_and_says_so():
    explorer = decision_boundary_trainer("moons", hidden_units=8, epochs=3, lr=0.03)
    explorer.train_button.click()
    explorer.controls["lr"].value = 0.1
    assert plotted_losses(explorer) == []
    assert "A new, untrained network" in explorer.message.value
    assert "0 epochs trained" in explorer.figure.axes[1].get_title()


def test_switching_data_fits_the_axes_to_the_new_points():
    explorer = decision_boundary_trainer("moons", epochs=1)
    explorer.controls["dataset"].value = "circles"
    # the oracle: the circles data itself, with the map's margin of 1 around it
    X, _ = data.make_circles(
        n_per_class=200, noise=0.08, generator=torch.Generator().manual_seed(0)
    )
    low, high = (X.min(dim=0).values - 1).tolist(), (X.max(dim=0).values + 1).tolist()
    ax = explorer.figure.axes[0]
    assert ax.get_xlim() == pytest.approx((low[0], high[0]))
    assert ax.get_ylim() == pytest.approx((low[1], high[1]))
    assert ax.images[0].get_extent() == pytest.approx([low[0], high[0], low[1], high[1]])
    moons, _ = data.make_moons(n_per_class=200, generator=torch.Generator().manual_seed(0))
    assert moons[:, 0].max() + 1 > high[0] + 0.5  # the moons were wider: limits really changed


def test_the_trained_network_is_what_fit_gives_with_the_same_settings():
    explorer = decision_boundary_trainer(
        "circles", hidden_units=6, activation="tanh", epochs=20, lr=0.03
    )
    explorer.train_button.click()
    circles = functools.partial(data.make_circles, noise=0.08)
    expected = fit_like_the_trainer([20], make_data=circles, hidden_units=6, activation="tanh")
    assert plotted_losses(explorer) == expected


def test_changing_a_setting_starts_a_fresh_untrained_run():
    explorer = decision_boundary_trainer("xor", hidden_units=4, epochs=5)
    explorer.train_button.click()
    assert len(explorer.figure.axes[1].lines[0].get_ydata()) == 5
    explorer.controls["hidden_units"].value = 16
    assert len(explorer.figure.axes[1].lines[0].get_ydata()) == 0
    assert explorer.progress.value == 0
    assert "16 hidden units" in explorer.figure.axes[0].get_title()


def test_a_diverging_learning_rate_gives_a_message_not_an_exception():
    explorer = decision_boundary_trainer("blobs", optimizer="SGD", lr=1.0, epochs=3)
    explorer.controls["activation"].value = "none"
    # make divergence certain: a learning rate far beyond the slider, set directly
    explorer.controls["lr"].max = 30  # the exponent: 1e30
    explorer.controls["lr"].value = 1e30
    explorer.train_button.click()
    assert "too large" in explorer.message.value and "reset" in explorer.message.value
    assert plotted_losses(explorer) == []
    assert not explorer.train_button.disabled


def test_the_trainer_leaves_the_global_random_generator_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    explorer = decision_boundary_trainer("blobs", epochs=2)
    explorer.controls["hidden_units"].value = 5
    explorer.train_button.click()
    assert torch.equal(torch.rand(3), expected)
