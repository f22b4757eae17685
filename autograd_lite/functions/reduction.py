"""Reductions over axes: sum, mean, var, std, max, min, logsumexp, prod.

Each gradient is broadcast back over the reduced axes. ``max``/``min`` share the gradient
equally among tied extremes (as PyTorch's ``amax``).

Edges follow PyTorch: the mean of nothing is NaN, its log-sum-exp is -inf and its sum 0, all
with an empty gradient and without NumPy's warnings; a variance with no degrees of freedom left
(``var(ddof=1)`` of one value) is NaN or inf with one RuntimeWarning, as PyTorch warns too; the
maximum of nothing is an error. float16 inputs are summed in float32 (see `precision`).
"""

from __future__ import annotations

import contextlib
import math
import warnings
from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable, as_variable
from autograd_lite.functions.elementwise import Where
from autograd_lite.functions.precision import HALF, SINGLE, accumulator, mean_dtype
from autograd_lite.functions.shape import BroadcastTo


def normalize_axis(op: str, axis: Any, ndim: int) -> tuple[int, ...] | None:
    """`axis` as a sorted tuple of non-negative ints (None: all axes), checked against `ndim`."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(
                f"{op}: axis {a} is out of bounds for an array of {ndim} dimensions")
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis}")
    return tuple(sorted(out))


def _kept_shape(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> tuple[int, ...]:
    """The shape of the result with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _out_shape(shape: tuple[int, ...], axis: tuple[int, ...] | None,
               keepdims: bool) -> tuple[int, ...]:
    if keepdims:
        return _kept_shape(shape, axis)
    return () if axis is None else tuple(n for i, n in enumerate(shape) if i not in axis)


def _count(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> int:
    """How many elements each result element reduces."""
    return math.prod(shape) if axis is None else math.prod(shape[a] for a in axis)


def _quiet(degenerate: bool) -> contextlib.AbstractContextManager:
    """Silence NumPy's 0/0 and x/0 warnings where NaN or inf is the documented answer."""
    if degenerate:
        return np.errstate(divide="ignore", invalid="ignore")
    return contextlib.nullcontext()


class _Reduction(Function):
    __slots__ = ("axis", "keepdims")

    def __init__(self, axis: tuple[int, ...] | None, keepdims: bool) -> None:
        self.axis, self.keepdims = axis, keepdims

    def _kept(self, g, x):
        """`g` (shaped like the output) reshaped to keep the reduced axes as size 1."""
        return g if self.keepdims else g.reshape(_kept_shape(x.shape, self.axis))


class Sum(_Reduction):
    __slots__ = ()

    def forward(self, x):
        acc = accumulator(x.dtype)
        if acc is None:
            return x.sum(axis=self.axis, keepdims=self.keepdims)
        return x.sum(axis=self.axis, keepdims=self.keepdims, dtype=acc).astype(x.dtype)

    def vjp(self, gy, y, x):
        return BroadcastTo(x.shape).apply(self._kept(gy, x))


class Mean(_Reduction):
    __slots__ = ()

    def forward(self, x):
        if _count(x.shape, self.axis) == 0:  # the mean of nothing: NaN, as PyTorch, silently
            return np.full(_out_shape(x.shape, self.axis, self.keepdims), np.nan,
                           mean_dtype(x.dtype))
        return x.mean(axis=self.axis, keepdims=self.keepdims)  # float16: NumPy sums in float32

    def vjp(self, gy, y, x):
        n = _count(x.shape, self.axis)
        g = self._kept(gy, x) * (1.0 / n if n else math.nan)  # n == 0: x and its gradient empty
        return BroadcastTo(x.shape).apply(g)


class Var(_Reduction):
    __slots__ = ("ddof",)

    def __init__(self, axis: tuple[int, ...] | None, keepdims: bool, ddof: int) -> None:
        super().__init__(axis, keepdims)
        self.ddof = ddof

    def _dof(self, x) -> int:
        """Degrees of freedom, clamped at 0 as NumPy and PyTorch do (then x / 0: NaN or inf)."""
        dof = _count(x.shape, self.axis) - self.ddof
        return dof if dof > 0 else 0

    def forward(self, x):
        xw = x.astype(SINGLE) if x.dtype == HALF else x
        if self._dof(x) > 0:
            out = xw.var(axis=self.axis, keepdims=self.keepdims, ddof=self.ddof)
        else:
            with _quiet(True):
                centered = xw - xw.sum(axis=self.axis, keepdims=True) / _count(x.shape, self.axis)
                out = np.square(centered).sum(axis=self.axis, keepdims=self.keepdims) / 0
        return np.asarray(out).astype(mean_dtype(x.dtype), copy=False)

    def vjp(self, gy, y, x):
        dof = self._dof(x)
        with _quiet(dof == 0):
            centered = x - Mean(self.axis, True).apply(x)
            return self._kept(gy, x) * (centered * (2.0 / dof if dof else math.inf))


class Std(Var):
    """``sqrt(var)``, with PyTorch's gradient 0 where the standard deviation is 0 (a constant
    slice), not the 0 * inf = NaN of composing `sqrt` and `var`."""

    __slots__ = ()

    def forward(self, x):
        return np.sqrt(super().forward(x))

    def vjp(self, gy, y, x):
        dof = self._dof(x)
        with _quiet(dof == 0):
            y = self._kept(y, x)
            centered = x - Mean(self.axis, True).apply(x)
            return centered * (self._kept(gy, x) / ((y + (y == 0)) * dof))


class _Extreme(_Reduction):
    __slots__ = ()

    def vjp(self, gy, y, x):
        hit = (x == self._kept(y, x)).astype(gy.dtype)
        share = hit / hit.sum(axis=self.axis, keepdims=True)
        return self._kept(gy, x) * share


class Max(_Extreme):
    __slots__ = ()

    def forward(self, x):
        return x.max(axis=self.axis, keepdims=self.keepdims)


class Min(_Extreme):
    __slots__ = ()

    def forward(self, x):
        return x.min(axis=self.axis, keepdims=self.keepdims)


class LogSumExp(_Reduction):
    __slots__ = ()

    def forward(self, x):
        dtype = mean_dtype(x.dtype)
        if _count(x.shape, self.axis) == 0:  # log(0): -inf, as PyTorch
            return np.full(_out_shape(x.shape, self.axis, self.keepdims), -np.inf, dtype)
        xw = x.astype(SINGLE if x.dtype == HALF else dtype, copy=False)
        m = xw.max(axis=self.axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)  # all -inf (or inf) rows: let log/exp say so
        s = np.log(np.exp(xw - m).sum(axis=self.axis, keepdims=True)) + m
        s = s if self.keepdims else s.reshape(_out_shape(x.shape, self.axis, False))
        return s.astype(dtype, copy=False)

    def vjp(self, gy, y, x):
        return self._kept(gy, x) * np.exp(x - self._kept(y, x))


class Prod(_Reduction):
    """Product over axes. Its gradient, the product of the *other* elements, is computed
    without dividing by x, so it is exact where one or several elements are 0."""

    __slots__ = ()

    def forward(self, x):
        acc = accumulator(x.dtype)
        y = x.prod(axis=self.axis, keepdims=self.keepdims, dtype=acc)
        return y if acc is None else y.astype(x.dtype)

    def vjp(self, gy, y, x):
        return self._kept(gy, x) * _product_of_others(x, self.axis)


def _product_of_others(x, axis: tuple[int, ...] | None):
    """For every element, the product of the other elements of its reduced slice."""
    reduced = tuple(range(x.ndim)) if axis is None else axis
    order = tuple(i for i in range(x.ndim) if i not in reduced) + reduced
    moved = x.transpose(order) if order != tuple(range(x.ndim)) else x
    n = _count(x.shape, axis)
    rows = moved.reshape(moved.shape[:x.ndim - len(reduced)] + (n,))
    others = ProdOthers().apply(rows).reshape(moved.shape)
    if order == tuple(range(x.ndim)):
        return others
    return others.transpose(tuple(int(i) for i in np.argsort(order)))


class ProdOthers(Function):
    """``out[..., k] = prod(x[..., j] for j != k)`` along the last axis, from the products to
    the left and to the right of k (no division, so zeros are exact)."""

    __slots__ = ()

    def forward(self, x):
        if x.shape[-1] == 0:
            return x.copy()
        xw = x.astype(SINGLE) if x.dtype == HALF else x
        left = np.ones_like(xw)
        np.cumprod(xw[..., :-1], axis=-1, out=left[..., 1:])
        right = np.ones_like(xw)
        right[..., :-1] = np.cumprod(xw[..., :0:-1], axis=-1)[..., ::-1]
        return (left * right).astype(x.dtype, copy=False)

    def vjp(self, gy, y, x):
        # d out[i] / d x[k] = prod(x[j] for j not in {i, k}) for k != i, 0 for k == i: the
        # product of the others in row i of a matrix whose row i is x with x[i] set to 1.
        off = ~np.eye(x.shape[-1], dtype=bool)
        rows = Where(off).apply(x[..., None, :], 1.0)
        return ((gy[..., :, None] * ProdOthers().apply(rows)) * off).sum(axis=-2)


def _reduce(cls: type, op: str, x: Any, axis: Any, keepdims: bool, *extra: Any) -> Variable:
    x = as_variable(x)
    axes = normalize_axis(op, axis, x.ndim)
    if x.size == 0 and cls in (Max, Min) and _count(x.shape, axes) == 0:
        where = "an empty input" if axis is None else f"axis {axis} of length 0"
        raise ValueError(f"{op}: cannot reduce over {where} (input of shape {x.shape}): "
                         "there is no extreme of nothing (NumPy and PyTorch refuse too)")
    if extra and _count(x.shape, axes) - extra[0] <= 0:  # var, std: no degrees of freedom
        warnings.warn(f"{op}: degrees of freedom <= 0 ({_count(x.shape, axes)} values per "
                      f"result, ddof={extra[0]}): the result is NaN or inf", RuntimeWarning,
                      stacklevel=3)
    return cls(axes, keepdims, *extra)(x)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:  # noqa: A001
    """Sum over `axis` (an int, a tuple, or None for all); 0 for an empty input."""
    return _reduce(Sum, "sum", x, axis, keepdims)


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """Arithmetic mean over `axis`; NaN for an empty input (as PyTorch)."""
    return _reduce(Mean, "mean", x, axis, keepdims)


def var(x: Any, axis: Any = None, keepdims: bool = False, ddof: int = 0) -> Variable:
    """Variance over `axis` with ``ddof`` as NumPy (0: divide by n; 1: by n - 1).

    Where n - ddof <= 0 (an empty input, or ``ddof=1`` and one value) the result is NaN (or
    inf) with a RuntimeWarning, as PyTorch.
    """
    return _reduce(Var, "var", x, axis, keepdims, ddof)


def std(x: Any, axis: Any = None, keepdims: bool = False, ddof: int = 0) -> Variable:
    """Standard deviation ``sqrt(var(x, axis, keepdims, ddof))``; gradient 0 where it is 0."""
    return _reduce(Std, "std", x, axis, keepdims, ddof)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:  # noqa: A001
    """Largest value over `axis` (ties share the gradient); an error over nothing."""
    return _reduce(Max, "max", x, axis, keepdims)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:  # noqa: A001
    """Smallest value over `axis` (ties share the gradient); an error over nothing."""
    return _reduce(Min, "min", x, axis, keepdims)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """``log(sum(exp(x)))`` over `axis`, without overflow; -inf for an empty input."""
    return _reduce(LogSumExp, "logsumexp", x, axis, keepdims)


def prod(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """Product over `axis`; 1 for an empty input. Exact gradients where elements are 0."""
    return _reduce(Prod, "prod", x, axis, keepdims)


def average(x: Any, axis: Any = None, weights: Any = None, keepdims: bool = False) -> Variable:
    """Weighted mean ``sum(x * w) / sum(w)`` over `axis`, as ``np.average`` (no weights: the
    mean). 1-D `weights` go along a single `axis`; otherwise they have the shape of `x`."""
    x = as_variable(x)
    if weights is None:
        return mean(x, axis, keepdims)
    w = as_variable(weights)
    if w.shape != x.shape:
        if not isinstance(axis, (int, np.integer)) or w.shape != (x.shape[axis],):
            raise ValueError(f"average: weights of shape {w.shape} need the shape of the input "
                             f"{x.shape}, or one weight per element along an int axis")
        w = w.reshape(tuple(-1 if i == int(axis) % x.ndim else 1 for i in range(x.ndim)))
    return sum(x * w, axis, keepdims) / sum(w, axis, keepdims)
