"""Build tiny IDX files (MNIST-shaped) for the data tests."""

import gzip
import hashlib

import numpy as np

from autograd_lite.data.idx import IDX_DTYPES
from autograd_lite.data.mnist import MNIST_FILES

TYPE_CODES = {dtype.newbyteorder("="): code for code, dtype in IDX_DTYPES.items()}


def idx_bytes(array):
    """Encode an array in the IDX format (the inverse of parse_idx)."""
    array = np.asarray(array)
    code = TYPE_CODES[array.dtype.newbyteorder("=")]
    header = bytes([0, 0, code, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def tiny_mnist(n_train=6, n_test=4, seed=0):
    """Payloads of the four MNIST files with a few random samples: {name: idx bytes}."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    assert tuple(arrays) == MNIST_FILES
    return {name: idx_bytes(a) for name, a in arrays.items()}


def gz(payload):
    return gzip.compress(payload, mtime=0)


def md5(data):
    return hashlib.md5(data).hexdigest()


def md5_table(payloads):
    """Checksums that accept exactly these payloads (by their decompressed md5)."""
    return {name: (md5(payload),) for name, payload in payloads.items()}


def write_files(folder, payloads, gzipped=True):
    """Write each payload as folder/name.gz (gzipped) or folder/name (raw)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, payload in payloads.items():
        if gzipped:
            (folder / f"{name}.gz").write_bytes(gz(payload))
        else:
            (folder / name).write_bytes(payload)
    return folder
