"""Softmax and log-softmax along an axis, both shifted by the maximum so nothing overflows.

float16 inputs are computed in float32 (a float16 sum of 70,000 exponentials overflows) and
returned as float16; integer inputs give floats. An empty input gives an empty output.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable, as_variable
from autograd_lite.functions.precision import float_dtype, work_dtype
from autograd_lite.functions.reduction import Sum, normalize_axis


def _shifted(x: np.ndarray, axis: int) -> np.ndarray:
    """`x` in its working dtype, minus its maximum along `axis`."""
    xw = x.astype(work_dtype(x.dtype), copy=False)
    return xw - xw.max(axis=axis, keepdims=True)


def _sum_along(axis: int, g: Any) -> Any:
    """`g` summed along `axis` with keepdims (float16 in float32); a 0-d `g` is its own sum."""
    return Sum((axis,) if g.ndim else None, True).apply(g)


class Softmax(Function):
    __slots__ = ("axis",)

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x):
        if x.size == 0:
            return np.empty(x.shape, float_dtype(x.dtype))
        e = np.exp(_shifted(x, self.axis))
        e /= e.sum(axis=self.axis, keepdims=True)
        return e.astype(float_dtype(x.dtype), copy=False)

    def vjp(self, gy, y, x):
        return y * (gy - _sum_along(self.axis, gy * y))


class LogSoftmax(Function):
    __slots__ = ("axis",)

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x):
        if x.size == 0:
            return np.empty(x.shape, float_dtype(x.dtype))
        z = _shifted(x, self.axis)
        z -= np.log(np.exp(z).sum(axis=self.axis, keepdims=True))
        return z.astype(float_dtype(x.dtype), copy=False)

    def vjp(self, gy, y, x):
        return gy - np.exp(y) * _sum_along(self.axis, gy)


def _axis(op: str, x: Variable, axis: int) -> int:
    """One axis, made non-negative (a 0-d input takes -1 or 0, as in NumPy's reductions)."""
    return normalize_axis(op, axis, x.ndim or 1)[0]


def softmax(x: Any, axis: int = -1) -> Variable:
    """``exp(x) / sum(exp(x))`` along `axis`: a probability distribution."""
    x = as_variable(x)
    return Softmax(_axis("softmax", x, axis))(x)


def log_softmax(x: Any, axis: int = -1) -> Variable:
    """``x - logsumexp(x)`` along `axis`: log-probabilities, exact for large logits."""
    x = as_variable(x)
    return LogSoftmax(_axis("log_softmax", x, axis))(x)
