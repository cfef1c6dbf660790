import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from course_utils import data


def test_blobs_shapes_dtypes_and_balance():
    X, y = data.make_blobs()
    assert X.shape == (1000, 2) and X.dtype == torch.float32
    assert y.shape == (1000, 1) and y.dtype == torch.float32
    assert torch.equal(y.unique(), torch.tensor([0.0, 1.0]))
    assert int(y.sum()) == 500  # 500 per class
    assert torch.all(y[:500] == 0) and torch.all(y[500:] == 1)


def test_blobs_reproduce_the_seed_lesson_first_rows():
    data.set_seed(42)
    X, _ = data.make_blobs()
    # Printed by the seed lesson: tensor([[-0.0731, -0.5127], [-1.0993, -4.1055], ...
    expected = torch.tensor([[-0.0731, -0.5127], [-1.0993, -4.1055]])
    assert torch.allclose(X[:2], expected, atol=5e-5)


def test_blobs_are_centred_where_asked():
    X, y = data.make_blobs(n_per_class=4000, generator=torch.Generator().manual_seed(0))
    class0_mean = X[y[:, 0] == 0].mean(dim=0)
    class1_mean = X[y[:, 0] == 1].mean(dim=0)
    assert torch.allclose(class0_mean, torch.tensor([-2.0, -2.0]), atol=0.06)
    assert torch.allclose(class1_mean, torch.tensor([2.0, 2.0]), atol=0.06)


def test_same_seed_same_data_other_seed_other_data():
    data.set_seed(7)
    first, _ = data.make_blobs()
    data.set_seed(7)
    second, _ = data.make_blobs()
    data.set_seed(8)
    third, _ = data.make_blobs()
    assert torch.equal(first, second)
    assert not torch.equal(first, third)


@pytest.mark.parametrize("maker", [data.make_moons, data.make_circles, data.make_xor])
def test_other_data_sets_are_balanced_binary_columns(maker):
    X, y = maker(n_per_class=100, generator=torch.Generator().manual_seed(0))
    assert X.shape == (200, 2) and y.shape == (200, 1)
    assert int(y.sum()) == 100


def test_xor_labels_follow_the_quadrants():
    X, y = data.make_xor(n_per_class=200, noise=0.01, generator=torch.Generator().manual_seed(0))
    exactly_one_positive = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).float()
    assert torch.equal(exactly_one_positive, y[:, 0])


def test_split_is_disjoint_complete_and_80_20():
    X = torch.arange(1000.0).unsqueeze(1)
    y = X.clone()
    X_train, X_test, y_train, y_test = data.train_test_split(X, y)
    assert len(X_train) == 800 and len(X_test) == 200
    rows = torch.cat([X_train, X_test])[:, 0]
    assert torch.equal(rows.sort().values, X[:, 0])  # every row exactly once
    assert torch.equal(X_train, y_train) and torch.equal(X_test, y_test)  # rows stay paired
    assert not torch.equal(X_train[:, 0], X[:800, 0])  # and it was shuffled


def test_split_rejects_mismatched_lengths_and_bad_fractions():
    with pytest.raises(ValueError, match="X has 10 rows, y has 9"):
        data.train_test_split(torch.zeros(10, 2), torch.zeros(9, 1))
    with pytest.raises(ValueError, match="between 0 and 1"):
        data.train_test_split(torch.zeros(10, 2), torch.zeros(10, 1), train_fraction=1.5)
    with pytest.raises(ValueError, match="empty"):
        data.train_test_split(torch.zeros(2, 2), torch.zeros(2, 1), train_fraction=0.1)


def test_loaders_batch_shapes_shuffle_and_order():
    X = torch.arange(100.0).reshape(50, 2)
    y = torch.arange(50.0).unsqueeze(1)
    train_loader, test_loader = data.make_loaders(X[:40], y[:40], X[40:], y[40:], batch_size=8)
    features, labels = next(iter(train_loader))
    assert features.shape == (8, 2) and labels.shape == (8, 1)
    train_labels = torch.cat([b for _, b in train_loader])[:, 0]
    assert torch.equal(train_labels.sort().values, y[:40, 0])
    assert not torch.equal(train_labels, y[:40, 0])  # shuffled
    test_labels = torch.cat([b for _, b in test_loader])[:, 0]
    assert torch.equal(test_labels, y[40:, 0])  # not shuffled


def test_three_way_split_sizes_are_disjoint_complete_and_paired():
    X = torch.arange(1000.0).unsqueeze(1)
    y = X.clone()
    X_train, X_val, X_test, y_train, y_val, y_test = data.train_val_test_split(X, y)
    assert (len(X_train), len(X_val), len(X_test)) == (700, 150, 150)
    rows = torch.cat([X_train, X_val, X_test])[:, 0]
    assert torch.equal(rows.sort().values, X[:, 0])  # every row exactly once
    assert torch.equal(torch.cat([X_train, X_val, X_test]), torch.cat([y_train, y_val, y_test]))
    # the test set takes what int() leaves: 10 rows with (0.5, 0.25, 0.25) -> 5, 2, 3
    sizes = [len(s) for s in data.train_val_test_split(X[:10], y[:10], (0.5, 0.25, 0.25))[:3]]
    assert sizes == [5, 2, 3]


def test_three_way_split_shuffles_with_one_randperm_like_train_test_split():
    X = torch.arange(20.0).unsqueeze(1)
    X_train, X_val, X_test, *_ = data.train_val_test_split(
        X, X, (0.6, 0.2, 0.2), generator=torch.Generator().manual_seed(3)
    )
    # the oracle: the permutation itself, drawn from the same generator state
    order = torch.randperm(20, generator=torch.Generator().manual_seed(3)).float()
    assert torch.equal(X_train[:, 0], order[:12])
    assert torch.equal(X_val[:, 0], order[12:16]) and torch.equal(X_test[:, 0], order[16:])
    # and with the global generator, as train_test_split does
    torch.manual_seed(5)
    first = data.train_val_test_split(X, X)[0]
    torch.manual_seed(5)
    assert torch.equal(first, X[torch.randperm(20)][:14])


@pytest.mark.parametrize(
    ("fractions", "message"),
    [
        ((0.7, 0.2, 0.2), "sum to 1"),
        ((0.8, 0.2), "three numbers"),
        ((1.0, 0.0, 0.0), "between 0 and 1"),
        ((0.9, 0.05, 0.05), r"leave the validation set empty \(sizes \[9, 0, 1\]\)"),
    ],
)
def test_three_way_split_explains_bad_fractions(fractions, message):
    with pytest.raises(ValueError, match=message):
        data.train_val_test_split(torch.zeros(10, 2), torch.zeros(10, 1), fractions)
    with pytest.raises(ValueError, match="X has 10 rows, y has 9"):
        data.train_val_test_split(torch.zeros(10, 2), torch.zeros(9, 1))


def test_standardizer_by_hand_with_a_constant_feature():
    X_train = torch.tensor([[1.0, 10.0], [3.0, 10.0]])
    scaler = data.Standardizer().fit(X_train)
    # feature 0: mean 2, population std sqrt(((1-2)^2 + (3-2)^2) / 2) = 1; feature 1 constant
    assert torch.equal(scaler.mean, torch.tensor([2.0, 10.0]))
    assert torch.equal(scaler.scale, torch.tensor([1.0, 1.0]))  # constant: scale 1, not 0
    assert torch.equal(scaler.transform(X_train), torch.tensor([[-1.0, 0.0], [1.0, 0.0]]))
    assert torch.equal(scaler.transform(torch.tensor([[5.0, 12.0]])), torch.tensor([[3.0, 2.0]]))


def test_standardizer_matches_numpy_population_statistics_and_inverts():
    generator = torch.Generator().manual_seed(0)
    X_train = torch.randn(50, 3, generator=generator) * torch.tensor([1.0, 5.0, 0.1]) + 7
    X_test = torch.randn(10, 3, generator=generator)
    scaler = data.Standardizer().fit(X_train)
    numpy_train = X_train.double().numpy()
    expected_mean = numpy_train.mean(axis=0)
    expected_std = numpy_train.std(axis=0, ddof=0)  # what scikit-learn's StandardScaler keeps
    assert np.allclose(scaler.mean.numpy(), expected_mean, atol=1e-5)
    assert np.allclose(scaler.scale.numpy(), expected_std, rtol=1e-5)
    scaled = scaler.transform(X_train)
    assert torch.allclose(scaled.mean(dim=0), torch.zeros(3), atol=1e-5)
    assert torch.allclose(scaled.std(dim=0, correction=0), torch.ones(3), atol=1e-5)
    # the test set is scaled with the training statistics, not its own
    expected_test = (X_test.double().numpy() - expected_mean) / expected_std
    assert np.allclose(scaler.transform(X_test).numpy(), expected_test, atol=1e-5)
    assert torch.allclose(scaler.inverse_transform(scaler.transform(X_test)), X_test, atol=1e-5)


def test_standardizer_explains_misuse():
    scaler = data.Standardizer()
    with pytest.raises(RuntimeError, match=r"not been fitted yet: call fit\(X_train\)"):
        scaler.transform(torch.zeros(3, 2))
    scaler.fit(torch.randn(5, 2))
    with pytest.raises(ValueError, match=r"fitted on 2 features, got shape \(4, 3\)"):
        scaler.transform(torch.zeros(4, 3))
    with pytest.raises(ValueError, match="inverse_transform expects shape"):
        scaler.inverse_transform(torch.zeros(4))
    with pytest.raises(ValueError, match="2-D tensor"):
        data.Standardizer().fit(torch.zeros(0, 2))
    with pytest.raises(TypeError, match="floating-point"):
        data.Standardizer().fit(torch.ones(3, 2, dtype=torch.int64))


def test_standardizer_shows_its_statistics():
    assert repr(data.Standardizer()) == "Standardizer(not fitted)"
    scaler = data.Standardizer().fit(torch.tensor([[1.0, 4000.0], [3.0, 6000.0]]))
    assert repr(scaler) == "Standardizer(mean=[2, 5000], scale=[1, 1000])"


def _replay_the_seed_lesson_verbatim():
    """The seed lesson's own code, copied from its cells (names and calls as it has them)."""
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(42)
    class0_points = torch.randn(500, 2) + torch.tensor([-2, -2])
    class1_points = torch.randn(500, 2) + torch.tensor([2, 2])
    X = torch.cat([class0_points, class1_points], dim=0)
    y = torch.cat([torch.zeros(500, 1), torch.ones(500, 1)], dim=0)
    shuffled_indices = torch.randperm(len(X))
    train_size = int(0.8 * len(X))
    train_indices, test_indices = shuffled_indices[:train_size], shuffled_indices[train_size:]
    X_train, y_train = X[train_indices], y[train_indices]
    X_test, y_test = X[test_indices], y[test_indices]
    train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)
    next(iter(train_loader))
    linear1, linear2 = nn.Linear(2, 10), nn.Linear(10, 1)  # the seed's model, in init order
    state = {
        "linear1.weight": linear1.weight,
        "linear1.bias": linear1.bias,
        "linear2.weight": linear2.weight,
        "linear2.bias": linear2.bias,
    }
    return X_train, X_test, y_train, y_test, state


def test_seed_lesson_equals_a_verbatim_replay_of_the_seed_code():
    X_train, X_test, y_train, y_test, seed_state = _replay_the_seed_lesson_verbatim()
    seed_rng_after = torch.get_rng_state()
    torch.manual_seed(0)  # move the generator elsewhere: seed_lesson must reseed it itself
    lesson = data.seed_lesson()
    for name, expected in [
        ("X_train", X_train),
        ("X_test", X_test),
        ("y_train", y_train),
        ("y_test", y_test),
    ]:
        assert torch.equal(getattr(lesson, name), expected), name
    model_state = lesson.model.state_dict()
    assert list(model_state) == list(seed_state)
    for name, expected in seed_state.items():
        assert torch.equal(model_state[name], expected), name
    # the generator is left where the seed's code leaves it, so training reproduces the seed's run
    assert torch.equal(torch.get_rng_state(), seed_rng_after)


def test_seed_lesson_loaders_and_model_are_the_seeds():
    lesson = data.seed_lesson()
    assert lesson.train_loader.batch_size == 32 and lesson.test_loader.batch_size == 32
    assert torch.equal(lesson.train_loader.dataset.tensors[0], lesson.X_train)
    assert torch.equal(lesson.test_loader.dataset.tensors[1], lesson.y_test)
    test_features = torch.cat([features for features, _ in lesson.test_loader])
    assert torch.equal(test_features, lesson.X_test)  # the test loader does not shuffle
    assert lesson.model.training and lesson.model.init_args == {
        "input_features": 2,
        "hidden_units": 10,
    }
    # Printed by the seed lesson: tensor([[-0.0731, -0.5127], [-1.0993, -4.1055], ...
    X = torch.cat([lesson.X_train, lesson.X_test])
    assert any(torch.allclose(row, torch.tensor([-0.0731, -0.5127]), atol=5e-5) for row in X)
    with pytest.raises(AttributeError):
        lesson.model = None  # frozen: a notebook cannot swap a field by accident


def test_seed_lesson_then_the_seed_training_prints_the_seed_losses():
    lesson = data.seed_lesson()
    model, loss_function = lesson.model, torch.nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    epoch_losses = []
    for _ in range(5):
        model.train()
        for batch_features, batch_labels in lesson.train_loader:
            loss = loss_function(model(batch_features), batch_labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            epoch_losses.append(
                round(loss_function(model(lesson.X_train), lesson.y_train).item(), 4)
            )
    assert epoch_losses == [0.1657, 0.0401, 0.0231, 0.0180, 0.0155]  # printed by the seed lesson


def test_standardizer_scales_a_constant_tenth_by_one_though_its_float_std_is_not_zero():
    X_train = torch.full((7, 1), 0.1)
    assert X_train.std(dim=0, correction=0).item() > 0  # float32 rounding: about 7.45e-9
    scaler = data.Standardizer().fit(X_train)
    assert torch.equal(scaler.scale, torch.ones(1))
    # 0.2 - 0.1, not (0.2 - 0.1) / 7.45e-9 = 13,421,772
    assert torch.allclose(scaler.transform(torch.tensor([[0.2]])), torch.tensor([[0.1]]))


def test_noisy_dataset_draws_fresh_noise_from_the_global_generator_at_every_read():
    X, y = torch.arange(10.0).reshape(5, 2), torch.arange(5.0).unsqueeze(1)
    dataset = data.NoisyDataset(X, y, noise=0.5)
    assert len(dataset) == 5
    torch.manual_seed(3)
    first, label = dataset[2]
    second, _ = dataset[2]
    torch.manual_seed(3)  # the oracle: the same two draws by hand
    assert torch.equal(first, X[2] + 0.5 * torch.randn(2))
    assert torch.equal(second, X[2] + 0.5 * torch.randn(2))
    assert torch.equal(label, y[2]) and not torch.equal(first, second)
    with pytest.raises(ValueError, match="one row per example"):
        data.NoisyDataset(X, y[:3])


def test_noisy_dataset_in_two_workers_follows_the_loaders_generator():
    """What notebook 03 teaches: worker k draws with seed base_seed + k, base_seed from the generator."""
    X, y = torch.zeros(40, 2), torch.arange(40.0).unsqueeze(1)  # the label names the row
    dataset = data.NoisyDataset(X, y, noise=1.0)

    def first_two_batches(num_workers):
        loader = DataLoader(
            dataset,
            batch_size=4,
            shuffle=True,
            num_workers=num_workers,
            generator=torch.Generator().manual_seed(7),
        )
        batches = iter(loader)
        return [next(batches) for _ in range(2)]

    run, again = first_two_batches(2), first_two_batches(2)
    for (features, labels), (features_again, labels_again) in zip(run, again, strict=True):
        assert torch.equal(features, features_again) and torch.equal(labels, labels_again)
    generator = torch.Generator().manual_seed(7)
    base_seed = torch.empty((), dtype=torch.int64).random_(generator=generator)  # as DataLoader
    for worker, (features, _) in enumerate(run):  # batch k comes from worker k
        torch.manual_seed(int(base_seed) + worker)
        noise = torch.stack([torch.randn(2) for _ in range(4)])  # one read after another
        assert torch.equal(features, noise)  # X is 0: the features are the noise
    in_process = first_two_batches(0)  # same order, but the noise of the global generator
    assert torch.equal(in_process[0][1], run[0][1])
    assert not torch.equal(in_process[0][0], run[0][0])
