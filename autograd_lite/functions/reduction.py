"""Reductions over axes: sum, mean, var, max, min, logsumexp.

Each gradient is broadcast back over the reduced axes. ``max``/``min`` share the gradient
equally among tied extremes (as PyTorch's ``amax``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable, as_variable
from autograd_lite.functions.shape import BroadcastTo


def normalize_axis(op: str, axis: Any, ndim: int) -> tuple[int, ...] | None:
    """`axis` as a sorted tuple of non-negative ints (None: all axes), checked against `ndim`."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"{op}: axis {a} is out of bounds for an array of {ndim} dimensions")
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis}")
    return tuple(sorted(out))


def _kept_shape(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> tuple[int, ...]:
    """The shape of the result with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _count(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> int:
    return int(np.prod(shape)) if axis is None else int(np.prod([shape[a] for a in axis]))


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
        return x.sum(axis=self.axis, keepdims=self.keepdims)

    def vjp(self, gy, y, x):
        return BroadcastTo(x.shape).apply(self._kept(gy, x))


class Mean(_Reduction):
    __slots__ = ()

    def forward(self, x):
        return x.mean(axis=self.axis, keepdims=self.keepdims)

    def vjp(self, gy, y, x):
        g = self._kept(gy, x) * (1.0 / _count(x.shape, self.axis))
        return BroadcastTo(x.shape).apply(g)


class Var(_Reduction):
    __slots__ = ("ddof",)

    def __init__(self, axis: tuple[int, ...] | None, keepdims: bool, ddof: int) -> None:
        super().__init__(axis, keepdims)
        self.ddof = ddof

    def forward(self, x):
        return x.var(axis=self.axis, keepdims=self.keepdims, ddof=self.ddof)

    def vjp(self, gy, y, x):
        centered = x - x.mean(axis=self.axis, keepdims=True)
        scale = 2.0 / (_count(x.shape, self.axis) - self.ddof)
        return self._kept(gy, x) * (centered * scale)


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
        m = x.max(axis=self.axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)  # all -inf (or inf) rows: let log/exp say so
        s = np.log(np.exp(x - m).sum(axis=self.axis, keepdims=True)) + m
        return s if self.keepdims else s.reshape(np.shape(x.sum(axis=self.axis)))

    def vjp(self, gy, y, x):
        return self._kept(gy, x) * np.exp(x - self._kept(y, x))


def _reduce(cls: type, op: str, x: Any, axis: Any, keepdims: bool, *extra: Any) -> Variable:
    x = as_variable(x)
    if x.size == 0 and cls in (Max, Min):
        raise ValueError(f"{op}: cannot reduce an empty array of shape {x.shape}")
    return cls(normalize_axis(op, axis, x.ndim), keepdims, *extra)(x)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:  # noqa: A001
    """Sum over `axis` (an int, a tuple, or None for all)."""
    return _reduce(Sum, "sum", x, axis, keepdims)


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """Arithmetic mean over `axis`."""
    return _reduce(Mean, "mean", x, axis, keepdims)


def var(x: Any, axis: Any = None, keepdims: bool = False, ddof: int = 0) -> Variable:
    """Variance over `axis` with ``ddof`` as NumPy (0: divide by n)."""
    return _reduce(Var, "var", x, axis, keepdims, ddof)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:  # noqa: A001
    """Largest value over `axis` (ties share the gradient)."""
    return _reduce(Max, "max", x, axis, keepdims)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:  # noqa: A001
    """Smallest value over `axis` (ties share the gradient)."""
    return _reduce(Min, "min", x, axis, keepdims)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """``log(sum(exp(x)))`` over `axis`, without overflow."""
    return _reduce(LogSumExp, "logsumexp", x, axis, keepdims)
