"""Load the real MNIST files from $AUTOGRAD_LITE_DATA/mnist (skipped when absent)."""


import numpy as np
import pytest

from autograd_lite.data import load_mnist

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.mark.mnist
def test_real_mnist_shapes_dtypes_and_label_counts(real_mnist):
    folder = real_mnist
    (x_train, t_train), (x_test, t_test) = load_mnist(folder, download=False)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == x_test.dtype == np.uint8
    assert t_train.dtype == t_test.dtype == np.int64
    assert np.bincount(t_train).tolist() == TRAIN_COUNTS
    assert np.bincount(t_test).tolist() == TEST_COUNTS
    assert x_train.max() == 255 and x_train.min() == 0
