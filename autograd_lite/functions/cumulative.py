"""Running sums: `cumsum`. Its gradient is the running sum taken from the other end."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable, as_variable
from autograd_lite.functions.precision import accumulator
from autograd_lite.functions.reduction import normalize_axis
from autograd_lite.functions.shape import reshape


class CumSum(Function):
    """Running sum along one axis (float16 summed in float32)."""

    __slots__ = ("axis",)

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x):
        acc = accumulator(x.dtype)
        y = np.cumsum(x, axis=self.axis, dtype=acc)
        return y if acc is None else y.astype(x.dtype)

    def vjp(self, gy, y, x):
        backwards = (slice(None),) * self.axis + (slice(None, None, -1),)
        return CumSum(self.axis).apply(gy[backwards])[backwards]


def cumsum(x: Any, axis: int | None = None) -> Variable:
    """Running sum along `axis` (None: over the flattened array, giving shape (x.size,))."""
    x = as_variable(x)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"cumsum: axis must be an int or None, got {axis!r}")
    return CumSum(normalize_axis("cumsum", axis, x.ndim)[0])(x)
