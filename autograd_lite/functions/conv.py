"""2-D convolution, built from two differentiable primitives and one matrix product.

``im2col`` lays every receptive field of the (padded) input out as one column of a matrix per
image; the convolution is then one matmul of the flattened kernels with those columns, which
lands directly in NCHW order. ``col2im`` adds the columns back into an image: it is the adjoint
of ``im2col``, so each is the other's gradient, and a convolution can be differentiated any
number of times.

Layout is NCHW: images (N, C, H, W), kernels (out_channels, C, kh, kw).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from autograd_lite.core import Function, Variable, as_variable
from autograd_lite.functions.linalg import matmul


def pair(value: Any, name: str, op: str) -> tuple[int, int]:
    """An int or a pair of ints as a pair (height, width)."""
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    try:
        a, b = value
        return int(a), int(b)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}") from None


def output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """Number of window positions along one axis."""
    return (size + 2 * padding - kernel) // stride + 1


def window_offsets(image: np.ndarray, kernel_size: tuple[int, int], stride: tuple[int, int],
                   out_size: tuple[int, int]) -> Iterator[tuple[int, int, np.ndarray]]:
    """For every kernel offset (i, j): a strided view of `image` (N, C, H, W) holding element
    (i, j) of every window, shaped (N, C, OH, OW).

    Loops over kh * kw offsets only, each touching all windows at once; writing into a view
    writes into `image`.
    """
    (kh, kw), (sh, sw), (oh, ow) = kernel_size, stride, out_size
    for i in range(kh):
        for j in range(kw):
            yield i, j, image[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]


class WindowFunction(Function):
    """Base of the ops that slide a window over (N, C, H, W) images: its geometry as pairs,
    and, for the ops that build an image, that image's `shape`."""

    __slots__ = ("kernel_size", "stride", "padding", "shape")

    def __init__(self, kernel_size: tuple[int, int], stride: tuple[int, int],
                 padding: tuple[int, int] = (0, 0), shape: tuple[int, ...] | None = None) -> None:
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.shape = None if shape is None else tuple(shape)


class Im2col(WindowFunction):
    """(N, C, H, W) -> (N, C*kh*kw, OH*OW): per image, one column per output pixel."""

    __slots__ = ()

    def forward(self, x):
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        if ph or pw:
            x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        # A strided view (no copy) of every window: (N, C, OH, OW, kh, kw).
        windows = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
        n, c, oh, ow = windows.shape[:4]
        # The single copy: rows ordered (c, kh, kw) like the kernels, columns (oh, ow).
        return windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, oh * ow)

    def vjp(self, gy, y, x):
        return Col2im(self.kernel_size, self.stride, self.padding, x.shape).apply(gy)


class Col2im(WindowFunction):
    """(N, C*kh*kw, OH*OW) -> (N, C, H, W): add every column back onto its receptive field."""

    __slots__ = ()

    def forward(self, cols):
        n, c, h, w = self.shape
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        oh, ow = output_size(h, kh, sh, ph), output_size(w, kw, sw, pw)
        patches = cols.reshape(n, c, kh, kw, oh, ow)
        image = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
        for i, j, view in window_offsets(image, (kh, kw), (sh, sw), (oh, ow)):
            view += patches[:, :, i, j]
        return image[:, :, ph:ph + h, pw:pw + w]

    def vjp(self, gy, y, cols):
        return Im2col(self.kernel_size, self.stride, self.padding).apply(gy)


def im2col(x: Any, kernel_size: Any, stride: Any = 1, padding: Any = 0) -> Variable:
    """Receptive fields of `x` (N, C, H, W) as columns: shape (N, C*kh*kw, OH*OW)."""
    x = as_variable(x)
    k, s, p = check_geometry("im2col", x.shape, kernel_size, stride, padding)
    return Im2col(k, s, p)(x)


def col2im(cols: Any, shape: Any, kernel_size: Any, stride: Any = 1, padding: Any = 0
           ) -> Variable:
    """Sum the columns of `cols` back into an image of `shape` (N, C, H, W): im2col's adjoint."""
    k, s, p = check_geometry("col2im", tuple(shape), kernel_size, stride, padding)
    return Col2im(k, s, p, tuple(shape))(cols)


def check_geometry(op: str, shape: tuple[int, ...], kernel_size: Any, stride: Any,
                    padding: Any) -> tuple[tuple[int, int], ...]:
    """Kernel, stride and padding as pairs, checked against an (N, C, H, W) input shape."""
    if len(shape) != 4:
        raise ValueError(f"{op}: expected a 4-D input (N, C, H, W), got shape {shape}")
    k, s, p = (pair(kernel_size, "kernel_size", op), pair(stride, "stride", op),
               pair(padding, "padding", op))
    if min(k) < 1 or min(s) < 1 or min(p) < 0:
        raise ValueError(f"{op}: kernel_size {k} and stride {s} must be positive and padding "
                         f"{p} non-negative")
    h, w = shape[2] + 2 * p[0], shape[3] + 2 * p[1]
    if k[0] > h or k[1] > w:
        raise ValueError(f"{op}: kernel of size {k} is larger than the padded input "
                         f"({h}, {w}) (input shape {shape}, padding {p})")
    return k, s, p


def conv2d(x: Any, W: Any, b: Any = None, stride: Any = 1, padding: Any = 0) -> Variable:
    """2-D convolution (cross-correlation, as in every deep learning library).

    Parameters
    ----------
    x : (N, C, H, W) images
    W : (out_channels, C, kh, kw) kernels
    b : (out_channels,), optional
    stride, padding : int or (int, int)
        Step between windows, and zeros added on each side of H and W.

    Returns
    -------
    Variable of shape (N, out_channels, OH, OW), ``OH = (H + 2*padding - kh) // stride + 1``.
    """
    x, W = as_variable(x), as_variable(W)
    if x.ndim != 4:
        raise ValueError(f"conv2d: expected input of shape (N, C, H, W), got {x.shape}")
    if W.ndim != 4:
        raise ValueError(f"conv2d: expected weight of shape (out_channels, in_channels, kh, kw), "
                         f"got {W.shape}")
    if x.shape[1] != W.shape[1]:
        raise ValueError(f"conv2d: input of shape {x.shape} has {x.shape[1]} channels but weight "
                         f"of shape {W.shape} expects {W.shape[1]}")
    if b is not None and np.shape(b) != (W.shape[0],):
        raise ValueError(f"conv2d: bias of shape {np.shape(b)} does not fit weight of shape "
                         f"{W.shape}; expected ({W.shape[0]},)")
    k, s, p = check_geometry("conv2d", x.shape, W.shape[2:], stride, padding)
    n, out_ch = x.shape[0], W.shape[0]
    oh = output_size(x.shape[2], k[0], s[0], p[0])
    ow = output_size(x.shape[3], k[1], s[1], p[1])
    cols = Im2col(k, s, p)(x)
    y = matmul(W.reshape(out_ch, -1), cols)  # the one matrix product: (N, out_ch, OH*OW)
    if b is not None:
        y = y + as_variable(b).reshape(1, out_ch, 1)
    return y.reshape(n, out_ch, oh, ow)
