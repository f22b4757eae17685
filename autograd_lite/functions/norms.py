"""Vector and matrix norms, as ``np.linalg.norm``.

The p-norms are one Function whose gradient is ``sign(x) * (|x| / norm) ** (p - 1)``: at the
zero vector it is 0 (PyTorch's choice), not the 0 / 0 = NaN of composing ``sqrt(sum(x**2))``.
The 1-norm, the max-norm and the induced matrix 1- and inf-norms are composed from `abs`,
`sum` and `max`/`min` (ties share the gradient).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite.core import Variable, as_variable
from autograd_lite.functions.elementwise import abs as abs_
from autograd_lite.functions.reduction import (
    Sum,
    _Reduction,
    max,
    min,
    normalize_axis,
    sum,
)
from autograd_lite.functions.shape import reshape


class PNorm(_Reduction):
    """``sum(|x| ** p) ** (1 / p)`` over axes, for a finite p > 0 (float16 summed in float32)."""

    __slots__ = ("p",)

    def __init__(self, axis: tuple[int, ...] | None, keepdims: bool, p: float) -> None:
        super().__init__(axis, keepdims)
        self.p = p

    def forward(self, x):
        xw = x.astype(np.float32) if x.dtype == np.float16 else x
        p = self.p
        s = (xw * xw) if p == 2 else np.abs(xw) ** p
        s = s.sum(axis=self.axis, keepdims=self.keepdims)
        return np.asarray(np.sqrt(s) if p == 2 else s ** (1 / p)).astype(x.dtype, copy=False)

    def vjp(self, gy, y, x):
        y = self._kept(y, x)
        safe = y + (y == 0)  # a zero norm means x == 0 there: the gradient is then 0
        g = self._kept(gy, x)
        if self.p == 2:
            return g * (x / safe)
        return g * np.sign(x) * (np.abs(x) / safe) ** (self.p - 1)


def _vector_norm(x: Variable, ord: Any, axis: tuple[int, ...] | None, keepdims: bool
                 ) -> Variable:
    if ord is None or ord == 2:
        return PNorm(axis, keepdims, 2)(x)
    if ord == math.inf:
        return max(abs_(x), axis, keepdims)
    if ord == -math.inf:
        return min(abs_(x), axis, keepdims)
    if ord == 1:
        return sum(abs_(x), axis, keepdims)
    if ord == 0:  # the number of non-zero elements: piecewise constant, no gradient
        count = Sum(axis, keepdims).forward((x.data != 0).astype(x.dtype))
        return Variable(np.asarray(count), requires_grad=False)
    if isinstance(ord, str) or not np.isfinite(ord) or ord < 0:
        raise ValueError(f"norm: invalid ord {ord!r} for a vector norm (use None, 1, 2, inf, "
                         "-inf, 0 or a positive number)")
    return PNorm(axis, keepdims, float(ord))(x)


def _matrix_norm(x: Variable, ord: Any, axis: tuple[int, int], keepdims: bool) -> Variable:
    rows, cols = axis
    if ord in (None, "fro"):
        return PNorm(tuple(sorted(axis)), keepdims, 2)(x)
    if ord in (1, -1, math.inf, -math.inf):
        # 1: the largest column sum of |x|; inf: the largest row sum (-1, -inf: the smallest)
        summed, over = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = sum(abs_(x), summed, keepdims=True)
        out = (max if ord > 0 else min)(sums, over, keepdims=True)
        return out if keepdims else reshape(out, tuple(
            n for i, n in enumerate(x.shape) if i not in axis))
    if ord in (2, -2, "nuc"):
        raise NotImplementedError(
            f"norm: the matrix norm ord={ord!r} needs singular values, which autograd_lite "
            "does not differentiate; use ord='fro' (or None), 1, -1, inf or -inf")
    raise ValueError(f"norm: invalid ord {ord!r} for a matrix norm (use None, 'fro', 1, -1, "
                     "inf or -inf)")


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Variable:
    """Vector or matrix norm, with ``np.linalg.norm``'s arguments.

    Parameters
    ----------
    x : array, any shape
        With `axis` None and `ord` None: the 2-norm of all elements, whatever the shape.
    ord : None, 'fro', int, float, inf or -inf
        Vectors: None or 2 (Euclidean), 1, inf, -inf, 0 (count of non-zeros, a constant) or
        any p > 0. Matrices: None or 'fro' (Frobenius), 1, -1, inf, -inf.
    axis : None, int, or a pair of ints
        An int (or a 1-D input) takes vector norms along it; a pair (or a 2-D input with `ord`
        given) takes matrix norms over that plane.
    keepdims : bool
        Keep the reduced axes with length 1.

    Returns
    -------
    Variable: the shape of `x` without the reduced axes (or with length 1 for `keepdims`).
    """
    x = as_variable(x)
    if x.dtype.kind != "f":
        x = Variable(x.data.astype(np.float64), requires_grad=False)
    if axis is None:
        if ord is None:
            return PNorm(None, keepdims, 2)(x)
        if x.ndim not in (1, 2):
            raise ValueError(f"norm: ord={ord!r} needs a 1-D or 2-D input or an axis, got an "
                             f"input of shape {x.shape}")
        axis = tuple(range(x.ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if len(axes) == 1:
        return _vector_norm(x, ord, normalize_axis("norm", axes, x.ndim), keepdims)
    if len(axes) == 2:
        normalize_axis("norm", axes, x.ndim)  # checks the range and repeats
        return _matrix_norm(x, ord, tuple(int(a) % x.ndim for a in axes), keepdims)
    raise ValueError(f"norm: axis must be an int or a pair of ints, got {axis!r}")
