"""training: the loop against the seed's printed numbers and its hand-written loop."""

import copy
import math

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from course_utils import data, guards, losses, models, training


def seed_setup():
    """The seed's objects, made in its RNG order: data, split, loaders, peek, model."""
    data.set_seed(42)
    X, y = data.make_blobs()
    X_train, X_test, y_train, y_test = data.train_test_split(X, y)
    train_loader, test_loader = data.make_loaders(X_train, y_train, X_test, y_test)
    next(iter(train_loader))  # the seed's first-batch peek consumes the RNG
    model = models.SimpleClassifier(input_features=2, hidden_units=10)
    return model, train_loader, test_loader, X_train, y_train


class Echo(nn.Module):
    """A 'model' whose output is its input: a test picks the probabilities or logits."""

    def __init__(self):
        super().__init__()
        self.unused = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return x


def test_fit_reproduces_the_seeds_printed_losses(capsys):
    model, train_loader, _, _, _ = seed_setup()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    history = training.fit(model, train_loader, nn.BCELoss(), optimizer, epochs=5, verbose=True)
    # the oracle: the numbers printed by the seed lesson's notebook
    assert [round(v, 4) for v in history.train_loss] == [0.1657, 0.0401, 0.0231, 0.0180, 0.0155]
    assert capsys.readouterr().out.splitlines() == [
        "Epoch 1/5 | Loss: 0.1657",
        "Epoch 2/5 | Loss: 0.0401",
        "Epoch 3/5 | Loss: 0.0231",
        "Epoch 4/5 | Loss: 0.0180",
        "Epoch 5/5 | Loss: 0.0155",
    ]


def test_fit_gives_the_same_weights_as_the_seeds_hand_written_loop(capsys):
    model, train_loader, _, X_train, y_train = seed_setup()

    # ---- the seed's training cell, verbatim ----
    loss_function = nn.BCELoss()  # Binary Cross-Entropy Loss for binary classification.
    learning_rate = 0.01
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)

    epochs = 5

    for epoch in range(epochs):
        model.train()

        for batch_idx, (batch_features, batch_labels) in enumerate(train_loader):  # noqa: B007
            # Forward pass
            y_pred = model(batch_features)

            # Calculate loss for this batch.
            loss = loss_function(y_pred, batch_labels)

            # Clear gradients from the previous batch.
            optimizer.zero_grad()

            # Backward pass (Backpropagation)
            loss.backward()

            # Update the model's weights and biases.
            optimizer.step()

        model.eval()
        with torch.no_grad():
            full_train_preds = model(X_train)
            epoch_loss = loss_function(full_train_preds, y_train)
            print(f"Epoch {epoch + 1}/{epochs} | Loss: {epoch_loss.item():.4f}")
    # ---- end of the seed's cell ----
    seed_printed = capsys.readouterr().out

    fitted, train_loader, _, _, _ = seed_setup()
    optimizer = torch.optim.Adam(fitted.parameters(), lr=0.01)
    training.fit(fitted, train_loader, nn.BCELoss(), optimizer, epochs=5, verbose=True)
    assert capsys.readouterr().out == seed_printed
    for name, value in model.state_dict().items():
        assert torch.equal(fitted.state_dict()[name], value), name


def test_fit_overfits_one_tiny_batch():
    torch.manual_seed(0)
    X = torch.randn(8, 2)
    y = torch.tensor([[0.0], [1.0], [1.0], [0.0], [1.0], [0.0], [0.0], [1.0]])
    loader = DataLoader(TensorDataset(X, y), batch_size=8, shuffle=True)
    model = models.MLPClassifier(2, hidden_units=32, hidden_layers=2)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    history = training.fit(model, loader, nn.BCELoss(), optimizer, epochs=300)
    assert history.train_loss[0] > 0.3
    assert history.train_loss[-1] < 0.01
    with torch.no_grad():
        assert torch.equal(model(X).round(), y)


def test_train_one_epoch_returns_the_mean_batch_loss_and_updates_the_model():
    torch.manual_seed(0)
    X, y = torch.randn(10, 2), torch.ones(10, 1)
    model = models.SimpleClassifier(2, 3)
    reference = copy.deepcopy(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model.eval()
    batches = [(X[:6], y[:6]), (X[6:], y[6:])]
    mean_loss = training.train_one_epoch(model, batches, nn.BCELoss(), optimizer)
    assert model.training  # train_one_epoch switches to training mode

    # the oracle: the same two SGD steps written with plain autograd
    expected = []
    for batch_features, batch_labels in batches:
        loss = nn.functional.binary_cross_entropy(reference(batch_features), batch_labels)
        expected.append(loss.item())
        reference.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in reference.parameters():
                p -= 0.1 * p.grad
    assert mean_loss == pytest.approx(sum(expected) / 2, rel=1e-6)
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):
        assert torch.allclose(p, q, atol=1e-6)


def test_fit_refuses_an_optimizer_built_for_another_model():
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(4, 2), torch.ones(4, 1)), batch_size=2)
    model = models.SimpleClassifier(2, 3)
    other = models.SimpleClassifier(2, 3)
    optimizer = torch.optim.Adam(other.parameters(), lr=0.01)
    before = copy.deepcopy(model.state_dict())
    with pytest.raises(ValueError, match="another model's parameters") as error:
        training.fit(model, loader, nn.BCELoss(), optimizer, epochs=1)
    assert "torch.optim.Adam(model.parameters()" in str(error.value)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())

    partial = torch.optim.SGD(model.linear1.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="only 2 of this model's 4"):
        training.fit(model, loader, nn.BCELoss(), partial, epochs=1)

    mixed = torch.optim.SGD([*model.parameters(), *other.linear2.parameters()], lr=0.1)
    with pytest.raises(ValueError, match="not this model's"):
        training.fit(model, loader, nn.BCELoss(), mixed, epochs=1)


def test_frozen_parameters_may_stay_out_of_the_optimizer():
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(4, 2), torch.ones(4, 1)), batch_size=2)
    model = models.SimpleClassifier(2, 3)
    model.linear1.requires_grad_(False)
    optimizer = torch.optim.SGD(model.linear2.parameters(), lr=0.1)
    assert len(training.fit(model, loader, nn.BCELoss(), optimizer, epochs=1)) == 1


def blobs(n=64, seed=0):
    torch.manual_seed(seed)
    X = torch.randn(n, 2)
    return X, (X[:, :1] > 0).float()


def fit_raises(X, y, loss_fn=None, lr=0.01, optimizer_class=torch.optim.Adam, batch_size=4):
    """The TrainingDiverged that fit raises, and the model it was training."""
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size)
    model = models.SimpleClassifier(2, 3)
    optimizer = optimizer_class(model.parameters(), lr=lr)
    with pytest.raises(training.TrainingDiverged) as error:
        training.fit(model, loader, loss_fn or nn.BCELoss(), optimizer, epochs=2)
    assert isinstance(error.value, RuntimeError)
    return str(error.value), model


def test_nan_in_the_inputs_is_reported_as_bad_data_before_the_batch_is_used():
    X, y = blobs(8)
    X[5, 1] = float("nan")
    message, model = fit_raises(X, y)
    assert "epoch 1, batch 2, before using it" in message  # row 5: the second batch of 4
    assert "inputs hold 1 NaN value" in message and "labels" not in message
    assert "The data is bad" in message and "learning rate" not in message.split("bad")[0]
    assert all(bool(torch.isfinite(p).all()) for p in model.parameters())


def test_inf_in_the_inputs_is_bad_data_and_the_suggested_fix_removes_it():
    X, y = blobs()
    X[10, 0] = float("inf")
    X[11, 1] = float("-inf")
    assert not torch.isnan(X).any()  # the oracle: isnan would not have found them
    message, _ = fit_raises(X, y, batch_size=32)
    assert "inputs hold 2 inf values" in message
    assert "keep = torch.isfinite(X).all(dim=1); X, y = X[keep], y[keep]" in message
    keep = torch.isfinite(X).all(dim=1)  # the fix the message suggests
    X, y = X[keep], y[keep]
    assert len(X) == 62
    model = models.SimpleClassifier(2, 3)
    loader = DataLoader(TensorDataset(X, y), batch_size=32)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    assert len(training.fit(model, loader, nn.BCELoss(), optimizer, epochs=1)) == 1


def test_huge_but_finite_inputs_whose_sum_overflows_are_not_called_bad_data():
    X = torch.full((4, 2), 3e38)  # float32: finite, but their sum is inf
    assert torch.isfinite(X).all() and not torch.isfinite(X.sum())  # the oracle
    assert guards.training._non_finite_values(X) is None
    X[0, 0] = float("nan")
    assert guards.training._non_finite_values(X) == "1 NaN value"


def test_nan_labels_are_bad_data_not_bcelosss_raw_error():
    X, y = blobs(8)
    y[2, 0] = float("nan")
    with pytest.raises(RuntimeError, match="target should be between 0 and 1"):
        nn.BCELoss()(torch.full((8, 1), 0.5), y)  # what the student would see without the check
    message, _ = fit_raises(X, y)
    assert "epoch 1, batch 1" in message and "labels hold 1 NaN value" in message
    assert "inputs" not in message.split("The data")[0]
    assert "keep = torch.isfinite(y).all(dim=1)" in message


def test_bad_inputs_and_labels_are_both_named():
    X, y = blobs(8)
    X[0, 0], y[1, 0] = float("nan"), float("inf")
    message, _ = fit_raises(X, y)
    assert "inputs hold 1 NaN value; its labels hold 1 inf value" in message
    assert "keep = torch.isfinite(X).all(dim=1) & torch.isfinite(y).all(dim=1)" in message


def test_a_huge_learning_rate_is_reported_as_divergence_with_the_lr():
    torch.manual_seed(0)
    X = torch.randn(64, 3)
    y = X @ torch.tensor([[1.0], [-2.0], [0.5]])
    loader = DataLoader(TensorDataset(X, y), batch_size=16)
    model = nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=100.0)
    with pytest.raises(training.TrainingDiverged) as error:
        training.fit(model, loader, nn.MSELoss(), optimizer, epochs=20)
    message = str(error.value)
    assert "learning rate" in message and "lr = 100" in message
    assert "the loss is inf" in message and "inputs and labels are finite" in message
    # the parameters of the diverged step were not updated with the bad gradients
    assert all(bool(torch.isfinite(p).all()) for p in model.parameters())


@pytest.mark.parametrize("loss_fn", [nn.BCELoss(), losses.bce], ids=["nn.BCELoss", "losses.bce"])
def test_a_huge_learning_rate_with_either_bce_is_divergence_not_the_losss_own_error(loss_fn):
    X, y = blobs()
    message, _ = fit_raises(X, y, loss_fn, lr=1e30, optimizer_class=torch.optim.SGD)
    assert message.startswith("training diverged at epoch 1, batch 2: the model's predictions")
    assert "lr = 1e+30" in message and "learning rate" in message
    # the oracle: given NaN probabilities, each loss raises its own, different error
    with pytest.raises((RuntimeError, ValueError)) as own:
        loss_fn(torch.full((4, 1), float("nan")), torch.ones(4, 1))
    assert "training diverged" not in str(own.value) and "lr = " not in str(own.value)


def test_nan_probabilities_that_bceloss_refuses_are_reported_as_divergence():
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(8, 2), torch.ones(8, 1)), batch_size=4)
    model = models.SimpleClassifier(2, 3)
    with torch.no_grad():
        model.linear2.weight.fill_(float("nan"))  # as after a step that blew up
    optimizer = torch.optim.SGD(model.parameters(), lr=1e3)
    with pytest.raises(training.TrainingDiverged, match="predictions contain 4 NaN values"):
        training.fit(model, loader, nn.BCELoss(), optimizer, epochs=1)


def test_wrong_input_shape_reaches_the_student_unchanged():
    torch.manual_seed(0)
    X = torch.randn(6, 3)
    loader = DataLoader(TensorDataset(X, torch.ones(6, 1)), batch_size=3)
    model = models.SimpleClassifier(2, 4)
    with pytest.raises(ValueError) as expected:
        model(X[:3])  # the oracle: the model's own message
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    with pytest.raises(ValueError) as error:
        training.fit(model, loader, nn.BCELoss(), optimizer, epochs=1)
    assert str(error.value) == str(expected.value)
    assert "expected input of shape (N, 2), got (3, 3)" in str(error.value)


def test_wrong_input_shape_is_explained_for_any_linear_first_model():
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(6, 3), torch.ones(6, 1)), batch_size=3)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1), nn.Sigmoid())
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 2\), got \(3, 3\)"):
        training.fit(model, loader, nn.BCELoss(), optimizer, epochs=1)


def test_models_that_reshape_their_input_are_not_refused():
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(6, 2, 2), torch.ones(6, 1)), batch_size=3)
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 1), nn.Sigmoid())
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    assert training.fit(model, loader, nn.BCELoss(), optimizer, epochs=1).epochs == 1


def test_evaluate_against_hand_computed_loss_and_accuracy():
    probabilities = torch.tensor([[0.9], [0.2], [0.6], [0.4], [0.7]])
    labels = torch.tensor([[1.0], [0.0], [0.0], [0.0], [1.0]])
    # batches of 2, 2 and 1: a plain mean of batch
    # means would weigh the last example double
    loader = DataLoader(TensorDataset(probabilities, labels), batch_size=2)
    result = training.evaluate(Echo(), loader, nn.BCELoss())
    hand_loss = -(math.log(0.9) + math.log(0.8) + math.log(0.4) + math.log(0.6) + math.log(0.7)) / 5
    assert result["loss"] == pytest.approx(hand_loss, rel=1e-6)
    assert result["accuracy"] == pytest.approx(4 / 5)  # 0.6 rounds to 1 but the label is 0
    assert set(result) == {"loss", "accuracy"}


def test_evaluate_accepts_labels_of_shape_n():
    probabilities = torch.tensor([[0.9], [0.2], [0.6]])
    loader = DataLoader(TensorDataset(probabilities, torch.tensor([1.0, 1.0, 1.0])), batch_size=3)
    loss_fn = lambda y_pred, y: nn.functional.binary_cross_entropy(y_pred.reshape(-1), y)  # noqa: E731
    assert training.evaluate(Echo(), loader, loss_fn)["accuracy"] == pytest.approx(2 / 3)


@pytest.mark.parametrize("start_in_training_mode", [True, False])
def test_evaluate_restores_the_mode_uses_no_grad_and_leaves_the_rng_alone(start_in_training_mode):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.Dropout(0.5), nn.Linear(4, 1), nn.Sigmoid())
    model.train(start_in_training_mode)
    seen = []
    model.register_forward_hook(lambda m, i, out: seen.append((m.training, out.requires_grad)))
    loader = DataLoader(TensorDataset(torch.randn(6, 2), torch.ones(6, 1)), batch_size=4)
    rng_before = torch.get_rng_state()
    training.evaluate(model, loader, nn.BCELoss())
    assert torch.equal(torch.get_rng_state(), rng_before)
    assert seen == [(False, False), (False, False)]  # eval mode, no graph
    assert model.training is start_in_training_mode
    assert all(p.grad is None for p in model.parameters())


@pytest.mark.parametrize("start_in_training_mode", [True, False])
def test_fit_leaves_the_model_in_the_mode_it_found(start_in_training_mode):
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(4, 2), torch.ones(4, 1)), batch_size=2)
    model = models.SimpleClassifier(2, 3)
    model.train(start_in_training_mode)
    training.fit(model, loader, nn.BCELoss(), torch.optim.SGD(model.parameters(), lr=0.1), 2)
    assert model.training is start_in_training_mode


def test_history_records_train_and_validation_metrics_per_epoch():
    model, train_loader, val_loader, X_train, y_train = seed_setup()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    history = training.fit(
        model, train_loader, nn.BCELoss(), optimizer, epochs=3, val_loader=val_loader
    )
    assert history.epochs == len(history) == 3
    assert set(history.as_dict()) == {"train_loss", "train_accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 3 for values in history.as_dict().values())
    # the oracle: nn.BCELoss on the whole sets, computed here after training
    model.eval()
    with torch.no_grad():
        assert history.train_loss[-1] == pytest.approx(nn.BCELoss()(model(X_train), y_train).item())
        X_val, y_val = val_loader.dataset.tensors
        val_preds = model(X_val)
        assert history.val_loss[-1] == pytest.approx(
            nn.BCELoss()(val_preds, y_val).item(), rel=1e-5
        )
        correct = (val_preds.round() == y_val).float().mean().item()
    assert history.val_accuracy[-1] == pytest.approx(correct)
    assert history.train_accuracy[-1] == pytest.approx(
        (model(X_train).round() == y_train).float().mean().item()
    )
    # as_dict gives copies
    history.as_dict()["train_loss"].clear()
    assert len(history.train_loss) == 3


def test_history_without_validation_data_has_empty_validation_lists():
    model, train_loader, _, _, _ = seed_setup()
    history = training.fit(
        model, train_loader, nn.BCELoss(), torch.optim.Adam(model.parameters(), lr=0.01), 1
    )
    assert history.val_loss == [] and history.val_accuracy == []
    assert history.best_epoch is None
    assert len(history.train_loss) == 1


def test_evaluating_on_validation_data_does_not_change_the_training():
    # iterating a DataLoader draws from the global RNG; evaluate must put it back
    model, train_loader, val_loader, _, _ = seed_setup()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    history = training.fit(
        model, train_loader, nn.BCELoss(), optimizer, epochs=3, val_loader=val_loader
    )
    assert [round(v, 4) for v in history.train_loss] == [0.1657, 0.0401, 0.0231]


def test_callback_is_called_after_each_epoch_with_the_history_so_far():
    model, train_loader, _, _, _ = seed_setup()
    calls = []
    training.fit(
        model,
        train_loader,
        nn.BCELoss(),
        torch.optim.Adam(model.parameters(), lr=0.01),
        epochs=3,
        callback=lambda epoch, history: calls.append((epoch, len(history.train_loss))),
    )
    assert calls == [(1, 1), (2, 2), (3, 3)]


def test_verbose_prints_every_epoch_with_the_validation_metrics(capsys):
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(4, 2), torch.ones(4, 1)), batch_size=2)
    model = models.SimpleClassifier(2, 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    training.fit(model, loader, nn.BCELoss(), optimizer, epochs=3, verbose=True, val_loader=loader)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" |")[0] for line in lines] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    assert "| Val loss: " in lines[0] and lines[0].endswith("%")


def test_progress_bar_runs_and_does_not_print_to_stdout(capsys):
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(4, 2), torch.ones(4, 1)), batch_size=2)
    model = models.SimpleClassifier(2, 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    history = training.fit(model, loader, nn.BCELoss(), optimizer, epochs=2, progress=True)
    assert len(history) == 2
    assert capsys.readouterr().out == ""


def test_bad_arguments_are_explained():
    torch.manual_seed(0)
    model = models.SimpleClassifier(2, 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loader = DataLoader(TensorDataset(torch.randn(4, 2), torch.ones(4, 1)), batch_size=2)
    with pytest.raises(ValueError, match="epochs must be a positive"):
        training.fit(model, loader, nn.BCELoss(), optimizer, epochs=0)
    with pytest.raises(ValueError, match="no batches"):
        training.train_one_epoch(model, [], nn.BCELoss(), optimizer)
    with pytest.raises(ValueError, match="no examples"):
        training.evaluate(model, [], nn.BCELoss())


def _noisy_setup(seed=0):
    """Few noisy examples and a wide network: the validation loss turns up in time."""
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(60, 2, generator=generator)
    y = ((X[:, :1] + 0.8 * torch.randn(60, 1, generator=generator)) > 0).float()
    train = DataLoader(
        TensorDataset(X[:30], y[:30]),
        batch_size=10,
        shuffle=True,
        generator=torch.Generator().manual_seed(1),
    )
    val = DataLoader(TensorDataset(X[30:], y[30:]), batch_size=30)
    torch.manual_seed(seed)
    model = models.MLPClassifier(2, hidden_units=64, hidden_layers=2)
    return model, train, val, torch.optim.Adam(model.parameters(), lr=0.03)


def _fit_keeping_every_epochs_weights(epochs, patience=None):
    """fit on the noisy setup, keeping a copy of the weights after every epoch."""
    model, train, val, optimizer = _noisy_setup()
    snapshots = []
    history = training.fit(
        model,
        train,
        nn.BCELoss(),
        optimizer,
        epochs,
        val_loader=val,
        patience=patience,
        callback=lambda epoch, h: snapshots.append(copy.deepcopy(model.state_dict())),
    )
    return history, snapshots, model


def test_early_stopping_follows_the_rule_and_restores_the_best_weights(capsys):
    # the oracle: a plain run, its weights after
    # every epoch, and the rule applied by hand
    full, snapshots, _ = _fit_keeping_every_epochs_weights(epochs=40)
    patience = 3
    best, stop = 0, None
    for epoch in range(1, 41):
        if full.val_loss[epoch - 1] < full.val_loss[best - 1] or best == 0:
            best = epoch
        elif epoch - best >= patience:
            stop = epoch
            break
    assert stop is not None and stop < 40  # the setting does overfit

    model, train, val, optimizer = _noisy_setup()
    history = training.fit(
        model, train, nn.BCELoss(), optimizer, 40, val_loader=val, patience=patience, verbose=True
    )
    assert history.epochs == stop
    assert history.best_epoch == best
    assert history.val_loss == full.val_loss[:stop]
    for name, value in model.state_dict().items():
        assert torch.equal(value, snapshots[best - 1][name]), name
    last_line = capsys.readouterr().out.splitlines()[-1]
    assert last_line.startswith(f"Early stop after epoch {stop}: no lower validation loss for 3")
    assert f"restored epoch {best}" in last_line


def test_an_early_stop_leaves_the_progress_bar_full_at_the_last_epoch_run(monkeypatch):
    bars = []
    make_bar = training._progress_bar
    monkeypatch.setattr(
        training, "_progress_bar", lambda epochs: bars.append(make_bar(epochs)) or bars[-1]
    )
    model, train, val, optimizer = _noisy_setup()
    history = training.fit(
        model, train, nn.BCELoss(), optimizer, 40, val, patience=3, progress=True
    )
    (bar,) = bars
    assert history.epochs < 40  # it did stop early
    assert bar.n == bar.total == history.epochs  # full, so not shown as a failure


def test_patience_longer_than_training_still_restores_the_best_epoch():
    history, snapshots, model = _fit_keeping_every_epochs_weights(epochs=25, patience=100)
    assert history.epochs == 25
    best = history.val_loss.index(min(history.val_loss)) + 1
    assert history.best_epoch == best < 25
    for name, value in model.state_dict().items():
        assert torch.equal(value, snapshots[best - 1][name]), name


def test_best_epoch_is_the_first_lowest_validation_loss():
    history = training.History(train_loss=[1, 1, 1, 1], val_loss=[0.5, 0.3, 0.3, 0.4])
    assert history.best_epoch == 2


def test_patience_and_test_loader_mistakes_are_explained():
    model, train, val, optimizer = _noisy_setup()
    with pytest.raises(ValueError, match="patience needs validation data.*val_loader"):
        training.fit(model, train, nn.BCELoss(), optimizer, 5, patience=2)
    with pytest.raises(ValueError, match="patience must be a positive whole number"):
        training.fit(model, train, nn.BCELoss(), optimizer, 5, val_loader=val, patience=0)
    with pytest.raises(TypeError, match=r"takes no test_loader.*val_loader.*evaluate"):
        training.fit(model, train, nn.BCELoss(), optimizer, 5, test_loader=val)
    with pytest.raises(ValueError, match="outputs must be 'probabilities'.*or 'logits'"):
        training.fit(model, train, nn.BCELoss(), optimizer, 5, outputs="scores")
    with pytest.raises(ValueError, match="epochs must be a positive whole number, got None"):
        training.fit(model, train, nn.BCELoss(), optimizer, None)


def test_accuracy_of_a_single_logit_output():
    logits = torch.tensor([[2.0], [-1.0], [0.3], [0.0], [-0.2]])
    labels = torch.tensor([[1.0], [0.0], [0.0], [1.0], [1.0]])
    loader = DataLoader(TensorDataset(logits, labels), batch_size=2)
    result = training.evaluate(Echo(), loader, nn.BCEWithLogitsLoss())
    # by hand: class 1 when the logit is above 0 -> 1, 0, 1, 0, 0: right on rows 1 and 2
    assert result["accuracy"] == pytest.approx(2 / 5)
    assert result["loss"] == pytest.approx(nn.BCEWithLogitsLoss()(logits, labels).item())
    # the functional and the course's own BCE with logits take logits too
    for loss_fn in (nn.functional.binary_cross_entropy_with_logits, losses.bce_with_logits):
        assert training.evaluate(Echo(), loader, loss_fn)["accuracy"] == 2 / 5
    # a loss of logits the course cannot recognise (a lambda) says so with outputs=
    wrapped = lambda pred, target: nn.functional.binary_cross_entropy_with_logits(pred, target)  # noqa: E731
    assert training.evaluate(Echo(), loader, wrapped, outputs="logits")["accuracy"] == 2 / 5


def test_accuracy_of_a_multi_class_model_is_the_argmax():
    scores = torch.tensor([[2.0, 0.1, 0.3], [0.0, 1.0, -1.0], [0.2, 0.1, 0.3], [5.0, 0.0, 0.0]])
    labels = torch.tensor([0, 1, 0, 2])  # by hand: argmax 0, 1, 2, 0 -> two right
    loader = DataLoader(TensorDataset(scores, labels), batch_size=3)
    result = training.evaluate(Echo(), loader, nn.CrossEntropyLoss())
    assert result["accuracy"] == pytest.approx(2 / 4)
    assert result["loss"] == pytest.approx(nn.CrossEntropyLoss()(scores, labels).item(), rel=1e-6)


def test_fit_trains_a_multi_class_model_and_records_its_accuracy():
    torch.manual_seed(0)
    centres = torch.tensor([[0.0, 3.0], [3.0, 0.0], [-3.0, -3.0]])
    labels = torch.arange(3).repeat_interleave(20)
    X = centres[labels] + 0.5 * torch.randn(60, 2)
    loader = DataLoader(TensorDataset(X, labels), batch_size=16, shuffle=True)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    history = training.fit(model, loader, nn.CrossEntropyLoss(), optimizer, 20, val_loader=loader)
    with torch.no_grad():
        expected = (model(X).argmax(dim=1) == labels).float().mean().item()
    assert history.train_accuracy[-1] == pytest.approx(expected)
    assert history.val_accuracy[-1] == pytest.approx(expected) == 1.0


def test_validation_line_format(capsys):
    model, train, val, optimizer = _noisy_setup()
    history = training.fit(model, train, nn.BCELoss(), optimizer, 1, val_loader=val, verbose=True)
    expected = (
        f"Epoch 1/1 | Loss: {history.train_loss[0]:.4f} | Val loss: {history.val_loss[0]:.4f}"
        f" | Val accuracy: {100 * history.val_accuracy[0]:.2f}%"
    )
    assert capsys.readouterr().out.splitlines() == [expected]


@pytest.mark.parametrize(
    ("val_loss", "patience", "expected"),
    [
        ([], 1, False),
        ([0.5], 1, False),
        ([0.5, 0.4, 0.45, 0.41], 2, True),  # best two epochs ago
        ([0.5, 0.4, 0.45, 0.41], 3, False),
        ([0.5, 0.4, 0.4], 1, True),  # an equal loss is no improvement
        ([0.5, 0.6, 0.3], 1, False),
    ],
)
def test_should_stop_by_hand(val_loss, patience, expected):
    assert training.should_stop(val_loss, patience) is expected


def test_validation_metrics_cover_exactly_what_the_loader_gives():
    # a loader that samples a subset must be
    # measured on that subset, not its whole dataset
    probabilities = torch.tensor([[0.9], [0.2], [0.6], [0.4], [0.7], [0.1]])
    labels = torch.tensor([[1.0], [0.0], [0.0], [0.0], [1.0], [1.0]])
    dataset = TensorDataset(probabilities, labels)
    subset = DataLoader(dataset, batch_size=2, sampler=[0, 1, 2])
    whole = DataLoader(dataset, batch_size=4)
    for loader, rows in ((subset, [0, 1, 2]), (whole, list(range(6)))):
        metrics = training.evaluate(Echo(), training._in_one_pass(loader), nn.BCELoss())
        expected_loss = nn.BCELoss()(probabilities[rows], labels[rows]).item()
        expected_accuracy = (probabilities[rows].round() == labels[rows]).float().mean().item()
        assert metrics["loss"] == pytest.approx(expected_loss, rel=1e-6)
        assert metrics["accuracy"] == pytest.approx(expected_accuracy)
