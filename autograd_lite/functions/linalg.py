"""Matrix products: `matmul` (batched and broadcasting like ``np.matmul``) and `linear`, and
NumPy's other products composed from them: `tensordot`, `dot`, `inner`, `outer`, `vdot`, and
`trace`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable, as_variable
from autograd_lite.functions.dtype_check import check_same_dtype
from autograd_lite.functions.manipulation import diagonal
from autograd_lite.functions.shape import reshape, transpose


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


def tensordot(a: Any, b: Any, axes: Any = 2) -> Variable:
    """Sum of products over the last `axes` axes of `a` and the first of `b` (an int), or over
    the given axis lists ``([a axes], [b axes])``, as ``np.tensordot``.

    Shapes: (free_a..., summed...) and (summed..., free_b...) give (free_a..., free_b...).
    Composed of transpose, reshape and one matmul, so it runs at BLAS speed.
    """
    a, b = as_variable(a), as_variable(b)
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0 or n > a.ndim or n > b.ndim:
            raise ValueError(f"tensordot: cannot sum over {n} axes of shapes {a.shape} and "
                             f"{b.shape}")
        sum_a, sum_b = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        sum_a, sum_b = ([int(i)] if np.ndim(i) == 0 else [int(j) for j in i] for i in axes)
        sum_a = [i % a.ndim for i in sum_a] if a.ndim else sum_a
        sum_b = [i % b.ndim for i in sum_b] if b.ndim else sum_b
    if len(sum_a) != len(sum_b) or any(a.shape[i] != b.shape[j] for i, j in zip(sum_a, sum_b)):
        raise ValueError(f"tensordot: axes {axes} do not match for shapes {a.shape} and "
                         f"{b.shape}")
    free_a = [i for i in range(a.ndim) if i not in sum_a]
    free_b = [i for i in range(b.ndim) if i not in sum_b]
    k = math.prod(a.shape[i] for i in sum_a)
    a2 = reshape(transpose(a, free_a + sum_a), (math.prod(a.shape[i] for i in free_a), k))
    b2 = reshape(transpose(b, sum_b + free_b), (k, math.prod(b.shape[i] for i in free_b)))
    return reshape(matmul(a2, b2), tuple(a.shape[i] for i in free_a) +
                   tuple(b.shape[i] for i in free_b))


def dot(a: Any, b: Any) -> Variable:
    """``np.dot``: a product with a 0-d operand, the inner product of vectors, the matrix
    product, and for N-D operands the sum over the last axis of `a` and the second-to-last of
    `b` (shape ``a.shape[:-1] + b.shape[:-2] + b.shape[-1:]``)."""
    a, b = as_variable(a), as_variable(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim <= 2:
        return matmul(a, b)  # the same contraction as np.dot for these shapes
    return tensordot(a, b, ([-1], [-2]))


def inner(a: Any, b: Any) -> Variable:
    """Sum of products over the last axes of `a` and `b` (a product if either is 0-d)."""
    a, b = as_variable(a), as_variable(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return tensordot(a, b, ([-1], [-1]))


def outer(a: Any, b: Any) -> Variable:
    """``a.ravel()[:, None] * b.ravel()[None, :]``: shape (a.size, b.size)."""
    a, b = as_variable(a), as_variable(b)
    return reshape(a, (-1, 1)) * reshape(b, (1, -1))


def vdot(a: Any, b: Any) -> Variable:
    """The dot product of the flattened inputs (real data: no conjugation)."""
    a, b = as_variable(a), as_variable(b)
    if a.size != b.size:
        raise ValueError(f"vdot: inputs of shapes {a.shape} and {b.shape} differ in size")
    return matmul(reshape(a, (-1,)), reshape(b, (-1,)))


def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Variable:
    """Sum of the diagonal of the (axis1, axis2) planes, as ``np.trace``."""
    return diagonal(x, offset, axis1, axis2).sum(axis=-1)
