"""Normalisation layers' primitives.

`batch_norm` normalises every channel over the batch; it is composed from differentiable means,
products and a square root, so its gradients of every order come from theirs.

`layer_norm` normalises every sample over its last axes. It has primitives with closed-form
gradients (a transformer calls it twice per block; composed from means and products it would
cost twice the passes over the data): `LayerNormalize` alone, and `LayerNormAffine` with the
scale and shift.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable, as_variable
from autograd_lite.functions.dtype_check import check_same_dtype
from autograd_lite.functions.elementwise import sqrt
from autograd_lite.functions.reduction import mean


def batch_norm(x: Any, gamma: Any, beta: Any, running_mean: np.ndarray | None,
               running_var: np.ndarray | None, training: bool = True, momentum: float = 0.1,
               eps: float = 1e-5) -> Variable:
    """Normalise every channel to zero mean and unit variance, then scale and shift.

    Parameters
    ----------
    x : (N, C) or (N, C, ...) such as (N, C, H, W)
        Statistics are taken per channel C, over every other axis.
    gamma, beta : (C,) or None
        Learned scale and shift (None: 1 and 0).
    running_mean, running_var : (C,) ndarrays or None
        In training, updated in place: ``r = (1 - momentum) * r + momentum * batch_stat``, with
        the unbiased batch variance in `running_var` (PyTorch's formula). In evaluation they
        replace the batch statistics.
    training : bool
        Use the batch statistics (True) or the running ones (False).
    momentum, eps : float
        Weight of the new batch in the running statistics, and the variance's safety term.

    Returns
    -------
    Variable shaped like `x`: ``(x - mean) / sqrt(var + eps) * gamma + beta``.

    Raises TypeError when `gamma`, `beta` or the running statistics do not have the dtype of
    `x` (see `dtype_check`).
    """
    x = as_variable(x)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected input of shape (N, C) or (N, C, ...), got "
                         f"{x.shape}")
    c = x.shape[1]
    for name, value in (("gamma", gamma), ("beta", beta), ("running_mean", running_mean),
                        ("running_var", running_var)):
        if value is not None and np.shape(value) != (c,):
            raise ValueError(f"batch_norm: {name} of shape {np.shape(value)} does not fit input "
                             f"of shape {x.shape}; expected ({c},)")
    check_same_dtype("batch_norm", x, gamma=gamma, beta=beta, running_mean=running_mean,
                     running_var=running_var)
    axes = (0,) + tuple(range(2, x.ndim))
    per_channel = (1, c) + (1,) * (x.ndim - 2)
    if training:
        count = x.size // c
        if count < 2:
            raise ValueError(f"batch_norm: need more than one value per channel in training, "
                             f"got input of shape {x.shape}")
        mu = mean(x, axis=axes, keepdims=True)
        centered = x - mu
        var = mean(centered * centered, axis=axes, keepdims=True)
        if running_mean is not None:
            running_mean *= 1 - momentum
            running_mean += momentum * mu.data.reshape(c)
        if running_var is not None:
            running_var *= 1 - momentum
            running_var += (momentum * count / (count - 1)) * var.data.reshape(c)
        scale = 1 / sqrt(var + eps)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: evaluation (training=False) needs running_mean and "
                             "running_var")
        # Copies (C values each): the graph must not hold the arrays a later training step
        # updates in place
        centered = x - np.array(running_mean, dtype=x.dtype).reshape(per_channel)
        scale = 1 / np.sqrt(np.array(running_var, dtype=x.dtype).reshape(per_channel) + eps)
    if gamma is not None:
        scale = scale * as_variable(gamma).reshape(per_channel)  # (1, C, 1, ...): cheap
    y = centered * scale
    if beta is not None:
        y = y + as_variable(beta).reshape(per_channel)
    return y


# ----------------------------------------------------------------------------- layer norm
def _rstd(x: Any, axes: tuple[int, ...], eps: float) -> Any:
    """``1 / sqrt(var + eps)`` over `axes` (kept), for ndarrays and Variables alike."""
    centered = x - x.mean(axis=axes, keepdims=True)
    return ((centered * centered).mean(axis=axes, keepdims=True) + eps) ** -0.5


def _normalize(x: np.ndarray, axes: tuple[int, ...], eps: float
               ) -> tuple[np.ndarray, np.ndarray]:
    """``(xhat, rstd)`` of an ndarray: a new normalised array and the kept ``1/std``."""
    if x.size == 0:
        return np.zeros_like(x), np.zeros((), x.dtype)
    centered = x - x.mean(axis=axes, keepdims=True)
    letters = "abcdefghijklmnopqrstuvwxyz"[:len(axes)]  # the trailing, normalised axes
    sq = np.einsum(f"...{letters},...{letters}->...", centered, centered)  # no squared copy
    var = sq.reshape(sq.shape + (1,) * len(axes)) / (x.size // max(sq.size, 1))
    rstd = 1 / np.sqrt(var + eps)
    centered *= rstd
    return centered, rstd


class LayerNormalize(Function):
    """``(x - mean) / sqrt(var + eps)`` over `axes` (the biased variance, as PyTorch).

    The gradient is written with the output ``y``:
    ``gx = rstd * (gy - mean(gy) - y * mean(gy * y))``. Forward keeps ``rstd`` (as PyTorch
    keeps it) for the fast backward; a recorded backward recomputes it from ``x``, so that it
    is differentiable too and every higher derivative is exact.
    """

    __slots__ = ("axes", "eps", "_rstd")

    def __init__(self, axes: tuple[int, ...], eps: float) -> None:
        self.axes, self.eps = axes, eps

    def forward(self, x):
        y, self._rstd = _normalize(x, self.axes, self.eps)
        return y

    def vjp(self, gy, y, x):
        rstd = _rstd(x, self.axes, self.eps) if isinstance(x, Variable) else self._rstd
        # Augmented assignments write into `g` (a new array) and rebind a Variable: one text
        # for both modes, with fewer temporaries for the arrays
        g = gy - gy.mean(axis=self.axes, keepdims=True)
        g -= y * (gy * y).mean(axis=self.axes, keepdims=True)
        g *= rstd
        return g


class LayerNormAffine(Function):
    """``xhat * weight (+ bias)``, ``xhat`` the `LayerNormalize` of ``x``, in one step: a
    transformer's LayerNorm makes two new arrays forward and three backward, where the
    composition of normalise, product and sum makes twice as many.

    Forward keeps ``xhat`` and ``rstd`` for the fast backward; a recorded backward takes them
    from `LayerNormalize` and `_rstd` instead, so that they are differentiable too.
    """

    __slots__ = ("axes", "eps", "_xhat", "_rstd")

    def __init__(self, axes: tuple[int, ...], eps: float) -> None:
        self.axes, self.eps = axes, eps

    def forward(self, x, weight, bias=None):
        self._xhat, self._rstd = _normalize(x, self.axes, self.eps)
        y = self._xhat * weight
        if bias is not None:
            y += bias
        return y

    def vjp(self, gy, y, x, weight, bias=None):
        if isinstance(x, Variable):
            xhat = LayerNormalize(self.axes, self.eps)(x)
            rstd = _rstd(x, self.axes, self.eps)
        else:
            xhat, rstd = self._xhat, self._rstd
        need = self.needs_input_grad
        batch = tuple(range(x.ndim - len(self.axes)))
        gx = g_weight = g_bias = None
        if need[0]:  # the LayerNormalize gradient of gy * weight, written into a new array
            gx = gy * weight
            mean_gx_xhat = (gx * xhat).mean(axis=self.axes, keepdims=True)
            gx -= gx.mean(axis=self.axes, keepdims=True)
            gx -= xhat * mean_gx_xhat
            gx *= rstd
        if need[1]:
            g_weight = (gy * xhat).sum(axis=batch)
        if bias is None:
            return gx, g_weight
        if need[2]:
            g_bias = gy.sum(axis=batch)
        return gx, g_weight, g_bias


def _shape_tuple(normalized_shape: Any) -> tuple[int, ...]:
    if isinstance(normalized_shape, (int, np.integer)):
        return (int(normalized_shape),)
    return tuple(int(n) for n in normalized_shape)


def layer_norm(x: Any, normalized_shape: Any, weight: Any = None, bias: Any = None,
               eps: float = 1e-5) -> Variable:
    """Normalise over the last ``len(normalized_shape)`` axes, then scale and shift.

    Parameters
    ----------
    x : (..., *normalized_shape)
    normalized_shape : int or tuple of int
        The trailing shape normalised together (e.g. the embedding size of a transformer).
    weight, bias : normalized_shape, optional
        Elementwise scale and shift (None: 1 and 0). Must have the input's dtype.
    eps : float
        Added to the variance, so a constant input gives zeros, not a division by zero.

    Returns
    -------
    Variable shaped like `x`: ``(x - mean) / sqrt(var + eps) * weight + bias``, with the mean and
    the biased variance taken per sample over the normalised axes.
    """
    x = as_variable(x)
    shape = _shape_tuple(normalized_shape)
    n = len(shape)
    if x.ndim < n or x.shape[x.ndim - n:] != shape:
        raise ValueError(f"layer_norm: input of shape {x.shape} does not end in "
                         f"normalized_shape {shape}")
    for name, value in (("weight", weight), ("bias", bias)):
        if value is None:
            continue
        if np.shape(value) != shape:
            raise ValueError(f"layer_norm: {name} of shape {np.shape(value)} does not match "
                             f"normalized_shape {shape}")
        dtype = np.asarray(value).dtype if not isinstance(value, Variable) else value.dtype
        if dtype != x.dtype:
            raise TypeError(f"layer_norm: input is {x.dtype} but {name} is {dtype}; convert "
                            f"one to the other's dtype, e.g. x.astype(np.{dtype})")
    axes = tuple(range(x.ndim - n, x.ndim))
    if weight is not None:
        affine = LayerNormAffine(axes, eps)
        return affine(x, weight) if bias is None else affine(x, weight, bias)
    y = LayerNormalize(axes, eps)(x)
    return y if bias is None else y + bias
