"""models.MulticlassMLP: as a hand-built nn.Sequential, and a checkpoint round trip."""

import pytest
import torch
from torch import nn

from course_utils import checkpoint, models


def make_model(**options):
    torch.manual_seed(0)
    return models.MulticlassMLP(input_features=64, hidden_units=16, num_classes=10, **options)


def test_logits_equal_linear_relu_linear_with_the_same_weights():
    model = make_model()
    reference = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10))
    reference[0].load_state_dict(model.hidden.state_dict())
    reference[2].load_state_dict(model.output.state_dict())
    X = torch.randn(5, 64)
    logits = model(X)
    assert logits.shape == (5, 10)
    torch.testing.assert_close(logits, reference(X))
    # logits, not probabilities: rows do not sum to 1 and may be negative
    assert not torch.allclose(logits.sum(dim=1), torch.ones(5))


def test_dropout_is_active_in_training_only():
    model = make_model(dropout=0.5)
    X = torch.randn(4, 64)
    model.eval()
    torch.testing.assert_close(model(X), model(X))
    model.train()
    torch.manual_seed(1)
    first = model(X)
    assert not torch.equal(first, model(X))


def test_checkpoint_rebuilds_the_model_with_its_weights(tmp_path):
    model = make_model(dropout=0.2)
    path = checkpoint.save_checkpoint(tmp_path / "digits.pt", model)
    loaded = checkpoint.load_model(path)
    assert type(loaded) is models.MulticlassMLP and not loaded.training
    assert loaded.init_args == {
        "input_features": 64,
        "hidden_units": 16,
        "num_classes": 10,
        "dropout": 0.2,
    }
    X = torch.randn(3, 64)
    model.eval()
    torch.testing.assert_close(loaded(X), model(X))


def test_wrong_inputs_get_clear_errors():
    model = make_model()
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 64\), got \(2, 8, 8\)"):
        model(torch.zeros(2, 8, 8))
    # the "meta" device stands in for a GPU: the input is not where the weights are
    with pytest.raises(ValueError, match=r"on the device 'meta'.*x = x\.to\(device\)"):
        model(torch.zeros(2, 64, device="meta"))
    with pytest.raises(ValueError, match="at least 2"):
        models.MulticlassMLP(64, 16, num_classes=1)
    with pytest.raises(ValueError, match="probability"):
        models.MulticlassMLP(64, 16, num_classes=10, dropout=1.5)
