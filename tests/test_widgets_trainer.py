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


def test_the_trained_network_is_what_fit_gives_with_the_same_settings():
    explorer = decision_boundary_trainer(
        "circles", hidden_units=6, activation="tanh", epochs=20, lr=0.03
    )
    explorer.train_button.click()
    # the oracle: the same run written out with the course's pieces
    X, y = data.make_circles(
        n_per_class=200, noise=0.08, generator=torch.Generator().manual_seed(0)
    )
    torch.manual_seed(0)
    model = models.MLPClassifier(2, 6, activation="tanh")
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(X, y), batch_size=32, shuffle=True,
        generator=torch.Generator().manual_seed(0),
    )  # fmt: skip
    from course_utils import optim

    history = training.fit(model, loader, nn.BCELoss(), optim.Adam(model.parameters(), lr=0.03), 20)
    plotted = explorer.figure.axes[1].lines[0].get_ydata()
    assert torch.allclose(torch.tensor(list(plotted)), torch.tensor(history.train_loss))


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
    assert "too large" in explorer.message.value
    assert not explorer.train_button.disabled


def test_the_trainer_leaves_the_global_random_generator_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    explorer = decision_boundary_trainer("blobs", epochs=2)
    explorer.controls["hidden_units"].value = 5
    explorer.train_button.click()
    assert torch.equal(torch.rand(3), expected)
