"""2-D pooling over NCHW images: `max_pool2d` and `avg_pool2d`.

When the windows tile the image exactly (kernel == stride, the size divides, no padding) the
windows are a plain reshape of the input; otherwise they come from ``im2col``'s strided view.

Max pooling routes each output's gradient to the first largest element of its window (as
PyTorch does on ties), through a gather/scatter pair that are each other's gradient, so the
result can be differentiated again.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from autograd_lite.core import Function, Variable, as_variable
from autograd_lite.functions.conv import Im2col, check_geometry, output_size
from autograd_lite.functions.shape import pad


def _tiles(shape: tuple[int, ...], k: tuple[int, int], s: tuple[int, int],
           p: tuple[int, int]) -> bool:
    """Whether the windows tile the image exactly, so a reshape gives them."""
    return k == s and p == (0, 0) and shape[2] % k[0] == 0 and shape[3] % k[1] == 0


class Gather(Function):
    """``x.reshape(-1)[index]``: picks elements by flat index (the result has index's shape)."""

    __slots__ = ("index", "unique")

    def __init__(self, index: np.ndarray, unique: bool) -> None:
        self.index, self.unique = index, unique

    def forward(self, x):
        return x.reshape(-1)[self.index]

    def vjp(self, gy, y, x):
        return ScatterAdd(self.index, x.shape, self.unique).apply(gy)


class ScatterAdd(Function):
    """Zeros of `shape` with ``y`` added at the flat positions `index` (repeats add up)."""

    __slots__ = ("index", "shape", "unique")

    def __init__(self, index: np.ndarray, shape: tuple[int, ...], unique: bool) -> None:
        self.index, self.shape, self.unique = index, tuple(shape), unique

    def forward(self, y):
        size = int(np.prod(self.shape))
        if self.unique:  # no position repeats: a plain assignment is exact and fastest
            out = np.zeros(size, dtype=y.dtype)
            out[self.index.reshape(-1)] = y.reshape(-1)
        else:
            out = np.bincount(self.index.reshape(-1), weights=y.reshape(-1), minlength=size)
            out = out.astype(y.dtype, copy=False)
        return out.reshape(self.shape)

    def vjp(self, gout, out, y):
        return Gather(self.index, self.unique).apply(gout)


def _argmax_index(x: np.ndarray, k: tuple[int, int], s: tuple[int, int]) -> np.ndarray:
    """Flat index into `x` (N, C, H, W) of the first maximum of every window: (N, C, OH, OW)."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw) = k, s
    oh, ow = output_size(h, kh, sh, 0), output_size(w, kw, sw, 0)
    if _tiles(x.shape, k, s, (0, 0)):
        windows = x.reshape(n, c, oh, kh, ow, kw).transpose(0, 1, 2, 4, 3, 5)
    else:
        windows = sliding_window_view(x, k, axis=(2, 3))[:, :, ::sh, ::sw]
    arg = windows.reshape(n, c, oh, ow, kh * kw).argmax(axis=-1)  # argmax keeps the first
    rows = np.arange(oh).reshape(-1, 1) * sh + arg // kw
    cols = np.arange(ow) * sw + arg % kw
    planes = np.arange(n * c).reshape(n, c, 1, 1)
    return (planes * h + rows) * w + cols


def max_pool2d(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0) -> Variable:
    """Largest value of every window.

    Parameters
    ----------
    x : (N, C, H, W)
    kernel_size, stride, padding : int or (int, int)
        `stride` defaults to `kernel_size`; padding adds ``-inf`` (at most half the kernel).

    Returns
    -------
    Variable of shape (N, C, OH, OW), ``OH = (H + 2*padding - kh) // stride + 1``.
    """
    x = as_variable(x)
    k, s, p = check_geometry("max_pool2d", x.shape, kernel_size,
                              kernel_size if stride is None else stride, padding)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"max_pool2d: padding {p} must be at most half the kernel size {k}")
    if p != (0, 0):
        x = pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])), value=-np.inf)
    index = _argmax_index(x.data, k, s)
    return Gather(index, unique=s[0] >= k[0] and s[1] >= k[1])(x)


def avg_pool2d(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0) -> Variable:
    """Mean of every window; zeros of the padding count in the mean (``count_include_pad``).

    Parameters and shapes as `max_pool2d` (padding adds zeros).
    """
    x = as_variable(x)
    k, s, p = check_geometry("avg_pool2d", x.shape, kernel_size,
                              kernel_size if stride is None else stride, padding)
    n, c, h, w = x.shape
    if _tiles(x.shape, k, s, p):
        return x.reshape(n, c, h // k[0], k[0], w // k[1], k[1]).mean(axis=(3, 5))
    oh, ow = output_size(h, k[0], s[0], p[0]), output_size(w, k[1], s[1], p[1])
    # Every channel is its own one-channel image; each row of im2col is one window.
    cols = Im2col(k, s, p)(x.reshape(n * c, 1, h, w))
    return cols.mean(axis=1).reshape(n, c, oh, ow)
