"""data.load_digits against scikit-learn's own copy of the data, which is its oracle."""

import subprocess
import sys

import pytest
import torch
from sklearn.datasets import load_digits as sklearn_digits

from course_utils import data


def test_digits_are_float_pixels_in_0_1_and_int64_labels():
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == torch.float32
    assert y.shape == (1797,) and y.dtype == torch.int64
    assert X.min() == 0 and X.max() == 1
    assert sorted(y.unique().tolist()) == list(range(10))


def test_digits_are_sklearns_images_scaled_by_16():
    X, y = data.load_digits()
    reference = sklearn_digits()
    # pixel (row 3, column 5) of image 10 is entry 3 * 8 + 5 of its row
    assert X[10].reshape(8, 8)[3, 5] * 16 == float(reference.images[10][3, 5])
    assert torch.equal(X * 16, torch.as_tensor(reference.data, dtype=torch.float32))
    assert y.tolist() == reference.target.tolist()


def test_importing_course_utils_data_does_not_import_sklearn():
    probe = "import sys, course_utils.data; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_loading_the_digits_reads_sklearns_file_without_importing_sklearn():
    probe = "import sys; from course_utils import data; data.load_digits(); print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_without_sklearn_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(data.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match="scikit-learn is not installed.*make lab"):
        data.load_digits()
