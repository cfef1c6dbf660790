"""metrics for C classes: every value below is counted by hand from the listed predictions."""

import pytest
import torch

from course_utils import metrics

# 8 examples of 3 classes:
#   true   0  0  0  1  1  2  2  2
#   pred   0  0  1  1  2  2  2  0
# row = true class, column = predicted class:
#   true 0: predicted 0 twice, 1 once          -> [2, 1, 0]
#   true 1: predicted 1 once, 2 once           -> [0, 1, 1]
#   true 2: predicted 2 twice, 0 once          -> [1, 0, 2]
TRUE = torch.tensor([0, 0, 0, 1, 1, 2, 2, 2])
PREDICTED = torch.tensor([0, 0, 1, 1, 2, 2, 2, 0])
MATRIX = [[2, 1, 0], [0, 1, 1], [1, 0, 2]]


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    matrix = metrics.multiclass_confusion_matrix(PREDICTED, TRUE)
    assert matrix.tolist() == MATRIX
    assert matrix.dtype == torch.int64
    # the docstring's example, and a single example landing in its one cell
    assert metrics.multiclass_confusion_matrix([0, 2, 2], [0, 1, 2]).tolist() == [
        [1, 0, 0],
        [0, 0, 1],
        [0, 0, 1],
    ]
    one = metrics.multiclass_confusion_matrix([3], [1], num_classes=5)
    assert one.shape == (5, 5) and one[1, 3] == 1 and one.sum() == 1


def test_scores_are_turned_into_their_argmax():
    # one row of scores per example whose largest entry is the predicted class above
    scores = torch.full((8, 3), -1.0)
    scores[torch.arange(8), PREDICTED] = 2.0
    assert metrics.multiclass_confusion_matrix(scores, TRUE).tolist() == MATRIX
    assert metrics.multiclass_confusion_matrix(scores.softmax(dim=1), TRUE).tolist() == MATRIX
    assert metrics.multiclass_accuracy(scores, TRUE) == pytest.approx(5 / 8)


def test_accuracy_is_the_diagonal_over_all():
    assert metrics.multiclass_accuracy(PREDICTED, TRUE) == pytest.approx((2 + 1 + 2) / 8)


def test_per_class_precision_and_recall_by_hand():
    precision, recall = metrics.per_class_precision_recall(PREDICTED, TRUE)
    # precision: column sums 3, 2, 3 -> 2/3, 1/2, 2/3; recall: row sums 3, 2, 3 -> 2/3, 1/2, 2/3
    assert precision.tolist() == pytest.approx([2 / 3, 1 / 2, 2 / 3])
    assert recall.tolist() == pytest.approx([2 / 3, 1 / 2, 2 / 3])
    # an unbalanced case: pred 0 0 0 0, true 0 0 1 2 -> class 0: P = 2/4, R = 2/2; classes 1, 2: 0
    precision, recall = metrics.per_class_precision_recall([0, 0, 0, 0], [0, 0, 1, 2])
    assert precision.tolist() == pytest.approx([0.5, 0.0, 0.0])
    assert recall.tolist() == pytest.approx([1.0, 0.0, 0.0])


@pytest.mark.parametrize("classes", [2, 3, 10])
def test_per_class_precision_and_recall_equal_scikit_learn(classes):
    from sklearn.metrics import precision_recall_fscore_support

    generator = torch.Generator().manual_seed(classes)
    y_true = torch.randint(
        0, classes - 1, (60,), generator=generator
    )  # the last class: no examples
    y_pred = torch.randint(0, classes, (60,), generator=generator)
    y_pred[y_pred == 0] = 1  # class 0 is never predicted
    expected = precision_recall_fscore_support(
        y_true.numpy(), y_pred.numpy(), labels=range(classes), zero_division=0
    )
    precision, recall = metrics.per_class_precision_recall(y_pred, y_true, num_classes=classes)
    assert precision.dtype == recall.dtype == torch.float64
    torch.testing.assert_close(precision, torch.from_numpy(expected[0]))
    torch.testing.assert_close(recall, torch.from_numpy(expected[1]))


def test_a_class_never_seen_nor_predicted_counts_zero_not_nan():
    precision, recall = metrics.per_class_precision_recall([0, 1], [0, 1], num_classes=4)
    assert precision.tolist() == [1.0, 1.0, 0.0, 0.0]
    assert recall.tolist() == [1.0, 1.0, 0.0, 0.0]


def test_bad_inputs_say_what_to_do():
    with pytest.raises(ValueError, match=r"argmax\(dim=1\)"):
        metrics.multiclass_confusion_matrix(PREDICTED, torch.eye(3)[TRUE])  # one-hot labels
    with pytest.raises(ValueError, match="8 predictions and 7 labels"):
        metrics.multiclass_confusion_matrix(PREDICTED, TRUE[:7])
    with pytest.raises(ValueError, match="empty"):
        metrics.multiclass_accuracy(torch.tensor([], dtype=torch.long), torch.tensor([]))
    with pytest.raises(ValueError, match="3 classes"):
        metrics.multiclass_confusion_matrix([0, 3], [0, 1], num_classes=3)
    with pytest.raises(ValueError, match="whole class indices"):
        metrics.multiclass_confusion_matrix(torch.tensor([0.2, 0.9]), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="one column per class"):
        metrics.multiclass_confusion_matrix(torch.zeros(2, 4), [0, 1], num_classes=3)
