"""The mistakes of a first multi-class model get the course's clear messages from cross_entropy.

For each, PyTorch's nn.CrossEntropyLoss is shown to fail (or silently accept it) on the same
input, so the test also documents why the course checks it.
"""

import pytest
import torch
from torch import nn

from course_utils import losses

GENERATOR = torch.Generator().manual_seed(0)
LOGITS = torch.randn(4, 10, generator=GENERATOR)  # 4 examples, 10 classes
LABELS = torch.tensor([3, 0, 9, 5])


def test_the_right_inputs_still_equal_pytorch():
    torch.testing.assert_close(
        losses.cross_entropy(LOGITS, LABELS), nn.CrossEntropyLoss()(LOGITS, LABELS)
    )
    losses.check_cross_entropy_inputs(LOGITS, LABELS)  # no error


def test_float_labels():
    with pytest.raises(RuntimeError):  # PyTorch: "expected scalar type Long but found Float"
        nn.CrossEntropyLoss()(LOGITS, LABELS.float())
    with pytest.raises(TypeError, match=r"target\.long\(\)"):
        losses.cross_entropy(LOGITS, LABELS.float())


def test_one_hot_labels_are_class_probabilities_as_in_pytorch():
    one_hot = torch.eye(10)[LABELS]
    torch.testing.assert_close(
        losses.cross_entropy(LOGITS, one_hot), nn.CrossEntropyLoss()(LOGITS, one_hot)
    )


def test_several_labels_per_example():
    several = torch.eye(10)[LABELS] + torch.eye(10)[[1, 2, 3, 4]]  # two classes marked per row
    nn.CrossEntropyLoss()(LOGITS, several)  # PyTorch computes a loss silently
    with pytest.raises(ValueError, match=r"row 0 is \[0.0, 1.0, 0.0, 1.0.*bce_with_logits"):
        losses.cross_entropy(LOGITS, several)


def test_a_model_with_one_output_for_ten_classes():
    one_column = LOGITS[:, :1]
    with pytest.raises(IndexError):  # PyTorch: "Target 3 is out of bounds."
        nn.CrossEntropyLoss()(one_column, LABELS)
    with pytest.raises(ValueError, match=r"1 column.*up to 9.*at least 10 outputs"):
        losses.cross_entropy(one_column, LABELS)


def test_probabilities_where_logits_belong():
    probabilities = LOGITS.softmax(dim=1)
    nn.CrossEntropyLoss()(probabilities, LABELS)  # PyTorch computes a (wrong) loss silently
    with pytest.raises(ValueError, match="look like probabilities.*softmax"):
        losses.cross_entropy(probabilities, LABELS)


def test_logits_and_labels_on_two_devices():
    # the "meta" device stands in for a GPU, which this machine does not have
    with pytest.raises(ValueError, match=r"'cpu' but the labels on 'meta'.*\.to\(device\)"):
        losses.cross_entropy(LOGITS, LABELS.to("meta"))


def test_one_example_without_its_batch_dimension_is_told_to_add_it_to_both_tensors():
    logits, label = torch.tensor([2.0, -1.0, 0.5]), torch.tensor(0)
    with pytest.raises(ValueError, match=r"pred.unsqueeze\(0\) and target.unsqueeze\(0\)"):
        losses.cross_entropy(logits, label)
    # the advice works: it gives PyTorch's loss for that one example
    fixed = losses.cross_entropy(logits.unsqueeze(0), label.unsqueeze(0))
    assert torch.allclose(fixed, nn.CrossEntropyLoss()(logits.unsqueeze(0), label.unsqueeze(0)))
