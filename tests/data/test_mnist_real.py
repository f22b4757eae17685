"""Load the real MNIST files from $AUTOGRAD_LITE_DATA/mnist (skipped when absent)."""

import os
from pathlib import Path

import numpy as np
import pytest

from autograd_lite.data import load_mnist
from autograd_lite.data.mnist import MNIST_FILES

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def real_mnist_folder():
    data_dir = os.environ.get("AUTOGRAD_LITE_DATA")
    if not data_dir:
        pytest.skip("AUTOGRAD_LITE_DATA is not set")
    folder = Path(data_dir) / "mnist"
    for name in MNIST_FILES:
        if not ((folder / name).is_file() or (folder / f"{name}.gz").is_file()):
            pytest.skip(f"no MNIST file {name} in {folder}")
    return folder


@pytest.mark.mnist
def test_real_mnist_shapes_dtypes_and_label_counts():
    folder = real_mnist_folder()
    (x_train, t_train), (x_test, t_test) = load_mnist(folder, download=False)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == x_test.dtype == np.uint8
    assert t_train.dtype == t_test.dtype == np.int64
    assert np.bincount(t_train).tolist() == TRAIN_COUNTS
    assert np.bincount(t_test).tolist() == TEST_COUNTS
    assert x_train.max() == 255 and x_train.min() == 0
