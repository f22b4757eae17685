"""Matrix products: `matmul` (batched and broadcasting like ``np.matmul``) and `linear`."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable
from autograd_lite.functions.dtype_check import check_same_dtype


class MatMul(Function):
    __slots__ = ()

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: operands must have at least 1 dimension, got shapes "
                             f"{a.shape} and {b.shape} (use * for scalars)")
        k_a, k_b = a.shape[-1], b.shape[-2 if b.ndim > 1 else 0]
        if k_a != k_b:
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned "
                             f"({k_a} != {k_b})")
        return np.matmul(a, b)

    def vjp(self, gy, y, a, b):
        # Treat vectors as matrices (a: 1 x n, b: n x 1), as np.matmul does, then drop the axis.
        a2 = a.reshape((1,) + a.shape) if a.ndim == 1 else a
        b2 = b.reshape(b.shape + (1,)) if b.ndim == 1 else b
        gy2 = gy.reshape(gy.shape[:-1] + (1,) + gy.shape[-1:]) if a.ndim == 1 else gy
        gy2 = gy2.reshape(gy2.shape + (1,)) if b.ndim == 1 else gy2
        need_a, need_b = self.needs_input_grad
        ga = gb = None
        if need_a:
            ga = gy2 @ b2.swapaxes(-1, -2)
            if a.ndim == 1:
                ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
        if need_b:
            gb = a2.swapaxes(-1, -2) @ gy2
            if b.ndim == 1:
                gb = gb.reshape(gb.shape[:-1])
        return ga, gb


class Linear(Function):
    """``x @ W.T + b`` with W of shape (out, in), as a single step forward and back."""

    __slots__ = ()

    def forward(self, x, W, b=None):
        if W.ndim != 2 or x.ndim == 0 or x.shape[-1] != W.shape[1]:
            raise ValueError(f"linear: input of shape {x.shape} does not fit weight of shape "
                             f"{W.shape} (expected (..., {W.shape[-1]}) inputs for "
                             "(out_features, in_features) weights)")
        y = x @ W.T
        if b is not None:
            if b.shape != (W.shape[0],):
                raise ValueError(f"linear: bias of shape {b.shape} does not fit weight of shape "
                                 f"{W.shape}; expected ({W.shape[0]},)")
            y += b
        return y

    def vjp(self, gy, y, x, W, b=None):
        need = self.needs_input_grad
        gx = gy @ W if need[0] else None
        gW = gb = None
        if need[1] or (b is not None and need[2]):
            g2 = gy.reshape((-1, gy.shape[-1])) if gy.ndim != 2 else gy
            if need[1]:
                x2 = x.reshape((-1, x.shape[-1])) if x.ndim != 2 else x
                gW = g2.T @ x2
            if b is not None and need[2]:
                gb = g2.sum(axis=0)
        return (gx, gW) if b is None else (gx, gW, gb)


def matmul(a: Any, b: Any) -> Variable:
    """Matrix product with NumPy's rules: batched over leading axes, which broadcast.

    Shapes: (..., n, k) @ (..., k, m) -> (..., n, m); a 1-D operand acts as a row/column.
    """
    return MatMul()(a, b)


def linear(x: Any, W: Any, b: Any = None) -> Variable:
    """Affine map ``x @ W.T + b``.

    Parameters
    ----------
    x : (..., in_features)
    W : (out_features, in_features)
    b : (out_features,), optional

    Returns
    -------
    Variable of shape (..., out_features)

    Raises TypeError when `x` does not have the dtype of `W` and `b` (see `dtype_check`).
    """
    check_same_dtype("linear", x, weight=W, bias=b)
    return Linear()(x, W) if b is None else Linear()(x, W, b)
