"""2-D pooling over NCHW images: `max_pool2d` and `avg_pool2d`.

Both loop over the kh * kw kernel offsets, never over pixels: each step reads one strided view
holding that offset of every window (`window_offsets`). This beats copying the windows out
(by reshape or im2col) and reducing along a short axis; when the windows tile the image
(stride >= kernel) the max-pool gradient is a plain assignment instead of an accumulation.

Max pooling routes each output's gradient to the first largest element of its window (as
PyTorch does on ties), through a pair of masked maps that are each other's gradient, so the
result can be differentiated again. Average pooling and its gradient are likewise a pair of
adjoint linear maps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.core import Variable, as_variable
from autograd_lite.functions.conv import (
    WindowFunction,
    check_geometry,
    output_size,
    window_offsets,
)
from autograd_lite.functions.shape import pad


def _first_max_masks(x: np.ndarray, best: np.ndarray, k: tuple[int, int],
                     s: tuple[int, int]) -> list[np.ndarray]:
    """For every kernel offset, where that offset holds the first maximum of its window.

    `best` holds the window maxima (the forward's output); exactly one mask is true per window.
    A NaN counts as the maximum of its window (so it propagates, as in PyTorch).
    """
    has_nan = bool(np.isnan(best).any())
    taken = np.zeros(best.shape, dtype=bool)
    masks = []
    for _, _, view in window_offsets(x, k, s, best.shape[2:]):
        hit = view == best
        if has_nan:
            hit |= np.isnan(view)
        hit &= ~taken
        taken |= hit
        masks.append(hit)
    return masks


class _Routing(WindowFunction):
    """Base of the two adjoint maps between windows and their maxima, given the masks."""

    __slots__ = ("masks",)

    def __init__(self, masks: list[np.ndarray], shape: tuple[int, ...],
                 kernel_size: tuple[int, int], stride: tuple[int, int]) -> None:
        super().__init__(kernel_size, stride, shape=shape)
        self.masks = masks


class RouteToMax(_Routing):
    """(N, C, OH, OW) -> (N, C, H, W): each value goes to its window's first maximum."""

    __slots__ = ()

    def forward(self, gy):
        image = np.zeros(self.shape, dtype=gy.dtype)
        tiled = self.stride[0] >= self.kernel_size[0] and self.stride[1] >= self.kernel_size[1]
        views = window_offsets(image, self.kernel_size, self.stride, gy.shape[2:])
        for (_, _, view), mask in zip(views, self.masks):
            if tiled:  # windows do not overlap: every pixel is written once
                np.multiply(gy, mask, out=view)
            else:
                view += gy * mask
        return image

    def vjp(self, ggx, y, gy):
        return PickAtMax(self.masks, gy.shape, self.kernel_size, self.stride).apply(ggx)


class PickAtMax(_Routing):
    """(N, C, H, W) -> (N, C, OH, OW): the value at each window's first maximum."""

    __slots__ = ()

    def forward(self, image):
        out = np.zeros(self.shape, dtype=image.dtype)
        for (_, _, view), mask in zip(window_offsets(image, self.kernel_size, self.stride,
                                                     self.shape[2:]), self.masks):
            out += view * mask
        return out

    def vjp(self, gout, y, image):
        return RouteToMax(self.masks, image.shape, self.kernel_size, self.stride).apply(gout)


class MaxPool2d(WindowFunction):
    """Largest value of every window (of an already padded input).

    The forward is a running maximum over the kernel offsets; where each maximum sits is only
    worked out in the backward, so evaluation never pays for it.
    """

    __slots__ = ()

    def forward(self, x):
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        oh, ow = output_size(x.shape[2], kh, sh, 0), output_size(x.shape[3], kw, sw, 0)
        views = window_offsets(x, self.kernel_size, self.stride, (oh, ow))
        best = next(views)[2].copy()
        for _, _, view in views:
            np.maximum(best, view, out=best)
        return best

    def vjp(self, gy, y, x):
        x_data, y_data = (v.data if isinstance(v, Variable) else v for v in (x, y))
        masks = _first_max_masks(x_data, y_data, self.kernel_size, self.stride)
        return RouteToMax(masks, x.shape, self.kernel_size, self.stride).apply(gy)


class AvgPool2d(WindowFunction):
    """Mean of every window; padding zeros count."""

    __slots__ = ()

    def forward(self, x):
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        if ph or pw:
            x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        oh, ow = output_size(x.shape[2], kh, sh, 0), output_size(x.shape[3], kw, sw, 0)
        views = window_offsets(x, self.kernel_size, self.stride, (oh, ow))
        total = next(views)[2].copy()
        for _, _, view in views:
            total += view
        return total * np.asarray(1 / (kh * kw), dtype=x.dtype)

    def vjp(self, gy, y, x):
        return AvgPool2dGrad(self.kernel_size, self.stride, self.padding, x.shape).apply(gy)


class AvgPool2dGrad(WindowFunction):
    """The adjoint of `AvgPool2d`: spread every output's value evenly over its window."""

    __slots__ = ()

    def forward(self, gy):
        n, c, h, w = self.shape
        (kh, kw), (ph, pw) = self.kernel_size, self.padding
        share = gy * np.asarray(1 / (kh * kw), dtype=gy.dtype)
        image = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=gy.dtype)
        for _, _, view in window_offsets(image, self.kernel_size, self.stride, gy.shape[2:]):
            view += share
        return image[:, :, ph:ph + h, pw:pw + w]

    def vjp(self, ggx, y, gy):
        return AvgPool2d(self.kernel_size, self.stride, self.padding).apply(ggx)


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
    The gradient goes to the first maximum of each window (ties: as PyTorch).
    """
    x = as_variable(x)
    k, s, p = check_geometry("max_pool2d", x.shape, kernel_size,
                             kernel_size if stride is None else stride, padding)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"max_pool2d: padding {p} must be at most half the kernel size {k}")
    if p != (0, 0):
        x = pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])), value=-np.inf)
    return MaxPool2d(k, s)(x)


def avg_pool2d(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0) -> Variable:
    """Mean of every window; zeros of the padding count in the mean (``count_include_pad``).

    Parameters and shapes as `max_pool2d` (padding adds zeros).
    """
    x = as_variable(x)
    k, s, p = check_geometry("avg_pool2d", x.shape, kernel_size,
                             kernel_size if stride is None else stride, padding)
    return AvgPool2d(k, s, p)(x)
