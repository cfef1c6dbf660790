"""data.kfold_indices against scikit-learn's KFold (no shuffling): the same folds, in the same order."""

import numpy as np
import pytest
from sklearn.model_selection import KFold

from course_utils import data


@pytest.mark.parametrize(("n", "k"), [(40, 5), (42, 5), (7, 3), (10, 10), (11, 2), (100, 7)])
def test_kfold_indices_equal_scikit_learns(n, k):
    ours = data.kfold_indices(n, k)
    theirs = list(KFold(n_splits=k).split(np.zeros(n)))
    assert len(ours) == len(theirs) == k
    for (our_train, our_val), (their_train, their_val) in zip(ours, theirs, strict=True):
        assert our_train.tolist() == their_train.tolist()
        assert our_val.tolist() == their_val.tolist()


def test_each_example_is_validated_exactly_once():
    folds = data.kfold_indices(23, 4)
    validated = sorted(index for _, val in folds for index in val.tolist())
    assert validated == list(range(23))


@pytest.mark.parametrize("k", [1, 0, 6, 2.5])
def test_a_bad_number_of_folds_is_explained(k):
    with pytest.raises(ValueError, match="k must be a whole number from 2 to n = 5"):
        data.kfold_indices(5, k)
