"""metrics: every value below is counted by hand from the predictions and labels."""

import pytest
import torch

from course_utils import metrics

# 10 examples. Probabilities, their labels at threshold 0.5, and the true labels:
#   prob   0.9  0.8  0.3  0.6  0.1  0.4  0.7  0.2  0.55 0.05
#   pred   1    1    0    1    0    0    1    0    1    0
#   true   1    0    1    1    0    1    1    0    0    0
#          TP   FP   FN   TP   TN   FN   TP   TN   FP   TN
# TN = 3, FP = 2, FN = 2, TP = 3
PROBABILITIES = torch.tensor([0.9, 0.8, 0.3, 0.6, 0.1, 0.4, 0.7, 0.2, 0.55, 0.05])
LABELS = torch.tensor([1.0, 0, 1, 1, 0, 1, 1, 0, 0, 0])


def test_confusion_matrix_layout_is_tn_fp_fn_tp():
    matrix = metrics.confusion_matrix(PROBABILITIES, LABELS)
    assert matrix.tolist() == [[3, 2], [2, 3]]
    assert matrix.dtype == torch.int64
    # one example of each kind shows where each count goes
    assert metrics.confusion_matrix([0, 1, 0, 1], [0, 0, 1, 1]).tolist() == [[1, 1], [1, 1]]
    assert metrics.confusion_matrix([1, 1, 1], [0, 0, 1]).tolist() == [[0, 2], [0, 1]]


def test_metrics_of_the_hand_counted_example():
    assert metrics.accuracy(PROBABILITIES, LABELS) == pytest.approx(6 / 10)
    assert metrics.precision(PROBABILITIES, LABELS) == pytest.approx(3 / 5)
    assert metrics.recall(PROBABILITIES, LABELS) == pytest.approx(3 / 5)
    assert metrics.f1(PROBABILITIES, LABELS) == pytest.approx(3 / 5)


def test_an_unbalanced_example_where_precision_and_recall_differ():
    # pred 1 1 1 1 0 0, true 1 1 0 0 1 0: TP 2, FP 2, FN 1, TN 1
    y_pred = [1, 1, 1, 1, 0, 0]
    y_true = [1, 1, 0, 0, 1, 0]
    assert metrics.precision(y_pred, y_true) == pytest.approx(2 / 4)
    assert metrics.recall(y_pred, y_true) == pytest.approx(2 / 3)
    assert metrics.f1(y_pred, y_true) == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert metrics.accuracy(y_pred, y_true) == pytest.approx(3 / 6)


def test_threshold_moves_the_decision():
    # at threshold 0.75 only 0.9 and 0.8 are positive: TP 1 (0.9), FP 1 (0.8), FN 4
    assert metrics.confusion_matrix(PROBABILITIES, LABELS, threshold=0.75).tolist() == [
        [4, 1],
        [4, 1],
    ]
    assert metrics.precision(PROBABILITIES, LABELS, threshold=0.75) == pytest.approx(1 / 2)
    assert metrics.recall(PROBABILITIES, LABELS, threshold=0.75) == pytest.approx(1 / 5)


def test_threshold_rule_matches_round_like_the_seed():
    probabilities = torch.tensor([0.5, 0.5001, 0.4999, 1.0, 0.0])
    labels = torch.tensor([0.0, 1, 0, 1, 0])
    assert metrics.accuracy(probabilities, labels) == 1.0
    assert torch.equal(
        (probabilities > 0.5).float(), probabilities.round()
    )  # the rule documented in the module


def test_shapes_n_and_n_by_1_are_accepted_and_mixed():
    column = PROBABILITIES.reshape(-1, 1)
    assert metrics.confusion_matrix(column, LABELS.reshape(-1, 1)).tolist() == [[3, 2], [2, 3]]
    assert metrics.confusion_matrix(column, LABELS).tolist() == [[3, 2], [2, 3]]
    assert metrics.confusion_matrix(PROBABILITIES.tolist(), LABELS.int()).tolist() == [
        [3, 2],
        [2, 3],
    ]


def test_zero_division_cases_give_zero():
    # no predicted positives: precision has nothing to count
    assert metrics.precision([0, 0, 0], [1, 0, 1]) == 0.0
    assert metrics.recall([0, 0, 0], [1, 0, 1]) == 0.0
    assert metrics.f1([0, 0, 0], [1, 0, 1]) == 0.0
    # no actual positives: recall has nothing to count
    assert metrics.recall([1, 0, 1], [0, 0, 0]) == 0.0
    assert metrics.precision([1, 0, 1], [0, 0, 0]) == 0.0
    assert metrics.f1([1, 0, 1], [0, 0, 0]) == 0.0
    # neither: everything is a true negative
    assert metrics.f1([0, 0], [0, 0]) == 0.0
    assert metrics.accuracy([0, 0], [0, 0]) == 1.0
    # perfect predictions
    assert metrics.f1([1, 0, 1], [1, 0, 1]) == 1.0


def test_empty_input_is_refused():
    with pytest.raises(ValueError, match="empty"):
        metrics.accuracy(torch.tensor([]), torch.tensor([]))
    with pytest.raises(ValueError, match="empty"):
        metrics.confusion_matrix([], [])


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="got 3 predictions and 2 labels"):
        metrics.precision([1, 0, 1], [1, 0])


def test_bad_values_and_shapes_are_explained():
    with pytest.raises(ValueError, match="labels 0 and 1 only"):
        metrics.recall([1, 0], [2, 0])
    with pytest.raises(ValueError, match="torch.sigmoid"):
        metrics.accuracy(torch.tensor([2.3, -1.0]), torch.tensor([1, 0]))
    with pytest.raises(ValueError, match=r"shape \(N,\) or \(N, 1\)"):
        metrics.accuracy(torch.zeros(3, 2), torch.zeros(3))


def test_predicted_labels_is_class_1_only_above_the_threshold():
    probabilities = torch.tensor([[0.2], [0.5], [0.9], [0.3]])
    assert metrics.predicted_labels(probabilities).tolist() == [[0], [0], [1], [0]]  # by hand
    assert metrics.predicted_labels(probabilities, threshold=0.3).tolist() == [[0], [1], [1], [0]]
    assert metrics.predicted_labels(probabilities).dtype == torch.int64
    # the metrics count with the same rule: at threshold
    # 0.3 the 0.3 is class 0, a false negative
    for probabilities in (
        [0.3, 0.7],
        torch.tensor([0.3, 0.7]),
        torch.tensor([0.3, 0.7], dtype=torch.float64),
    ):
        matrix = metrics.confusion_matrix(probabilities, [1, 1], threshold=0.3)
        assert matrix.tolist() == [[0, 0], [1, 1]]


@pytest.mark.parametrize("threshold", [1.5, -0.1, "0.5", None, True])
def test_a_threshold_that_is_not_a_probability_is_refused(threshold):
    with pytest.raises(ValueError, match="threshold must be a number between 0 and 1"):
        metrics.predicted_labels(torch.tensor([0.4]), threshold)
    with pytest.raises(ValueError, match="threshold must be a number between 0 and 1"):
        metrics.accuracy(torch.tensor([0.4]), torch.tensor([0.0]), threshold)


def test_nan_predictions_are_not_called_logits():
    with pytest.raises(ValueError) as caught:
        metrics.accuracy(torch.tensor([0.2, float("nan"), 0.9]), torch.tensor([0.0, 1.0, 1.0]))
    assert "y_pred holds 1 NaN value(s)" in str(caught.value)
    assert "logits" not in str(caught.value) and "sigmoid" not in str(caught.value)
