"""Training batches of MNIST's shapes: real MNIST when ``$AUTOGRAD_LITE_DATA/mnist`` has it,
synthetic otherwise (the speed does not depend on the pixel values)."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

IMAGES = "train-images-idx3-ubyte.gz"
LABELS = "train-labels-idx1-ubyte.gz"


def mnist_dir() -> Path | None:
    """``$AUTOGRAD_LITE_DATA/mnist`` when it holds the training files, else None."""
    root = os.environ.get("AUTOGRAD_LITE_DATA")
    if not root:
        return None
    folder = Path(root) / "mnist"
    if (folder / IMAGES).is_file() and (folder / LABELS).is_file():
        return folder
    return None


def _read_idx(path: Path, magic: int, count: int, item_bytes: int) -> np.ndarray:
    """The first ``count`` items of a gzip IDX file, as flat uint8."""
    header = 16 if magic == 2051 else 8
    with gzip.open(path, "rb") as f:
        head = f.read(header)
        found = int.from_bytes(head[:4], "big")
        if found != magic:
            raise ValueError(f"{path}: IDX magic number {found}, expected {magic}")
        available = int.from_bytes(head[4:8], "big")
        if count > available:
            raise ValueError(f"{path}: asked for {count} items, the file has {available}")
        payload = f.read(count * item_bytes)
    return np.frombuffer(payload, dtype=np.uint8)


def batches(n_batches: int, batch_size: int = 100, seed: int = 0,
            ) -> tuple[list[tuple[np.ndarray, np.ndarray]], str]:
    """``n_batches`` batches ``(x, t)``: x float32 of shape (batch_size, 784) in [0, 1], t int64
    labels of shape (batch_size,). Returns the batches and "mnist" or "synthetic"."""
    n = n_batches * batch_size
    folder = mnist_dir()
    if folder is not None:
        images = _read_idx(folder / IMAGES, 2051, n, 784).reshape(n, 784)
        labels = _read_idx(folder / LABELS, 2049, n, 1).astype(np.int64)
        source = "mnist"
    else:
        rng = np.random.default_rng(seed)
        images = rng.integers(0, 256, size=(n, 784), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.int64)
        source = "synthetic"
    x = images.astype(np.float32) / np.float32(255)
    return [(x[i:i + batch_size], labels[i:i + batch_size])
            for i in range(0, n, batch_size)], source


def mlp_params(sizes: tuple[int, ...], seed: int = 0, dtype: type = np.float32,
               ) -> list[tuple[np.ndarray, np.ndarray]]:
    """He-initialised ``(W, b)`` per layer, W of shape (out, in) as in PyTorch."""
    rng = np.random.default_rng(seed)
    return [((rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)).astype(dtype),
             np.zeros(n_out, dtype=dtype))
            for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]


def cnn_params(in_ch: int = 1, out_ch: int = 30, kernel: int = 5, image: int = 28,
               hidden: int = 100, classes: int = 10, seed: int = 0,
               dtype: type = np.float32) -> dict[str, np.ndarray]:
    """He-initialised parameters of conv(k x k) -> ReLU -> pool 2 -> Linear -> ReLU -> Linear.

    Keys: ``conv_W`` (out_ch, in_ch, k, k), ``conv_b``, ``fc1_W`` (hidden, out_ch * p * p) with
    p = (image - k + 1) // 2, ``fc1_b``, ``fc2_W`` (classes, hidden), ``fc2_b``.
    """
    rng = np.random.default_rng(seed)
    pooled = (image - kernel + 1) // 2
    flat = out_ch * pooled * pooled
    fan_conv = in_ch * kernel * kernel

    def he(shape: tuple[int, ...], fan_in: int) -> np.ndarray:
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype)

    return {"conv_W": he((out_ch, in_ch, kernel, kernel), fan_conv),
            "conv_b": np.zeros(out_ch, dtype), "fc1_W": he((hidden, flat), flat),
            "fc1_b": np.zeros(hidden, dtype), "fc2_W": he((classes, hidden), hidden),
            "fc2_b": np.zeros(classes, dtype)}
