"""Losses, reduced like PyTorch's default ``reduction='mean'``, and the `accuracy` metric."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable, as_variable
from autograd_lite.functions.arithmetic import mul, sub
from autograd_lite.functions.elementwise import softplus
from autograd_lite.functions.precision import float_dtype, work_dtype
from autograd_lite.functions.probabilities import Softmax
from autograd_lite.functions.reduction import mean


def _labels(op: str, t: Any, logits_shape: tuple[int, ...]) -> np.ndarray:
    """Check integer class labels of shape (N,) against logits of shape (N, C)."""
    t = np.asarray(t.data if isinstance(t, Variable) else t)
    if len(logits_shape) != 2:
        raise ValueError(f"{op}: expected inputs of shape (N, C), got {logits_shape}")
    n, c = logits_shape
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: labels must be integer class indices, got dtype {t.dtype} "
                        "(convert with t.astype(np.int64))")
    if t.shape != (n,):
        raise ValueError(f"{op}: labels of shape {t.shape} do not match inputs of shape "
                         f"{logits_shape}; expected ({n},)")
    if n and (t.min() < 0 or t.max() >= c):
        raise ValueError(f"{op}: labels must lie in [0, {c - 1}] for {c} classes, got values "
                         f"from {t.min()} to {t.max()}")
    return t


class CrossEntropy(Function):
    """Mean over the batch of ``-log_softmax(x)[i, t[i]]``, softmax and loss fused.

    An empty batch gives NaN, as PyTorch (the mean of nothing); float16 logits are computed in
    float32 and the loss returned as float16.
    """

    __slots__ = ("t",)

    def __init__(self, t: np.ndarray) -> None:
        self.t = t

    def forward(self, x):
        n = len(x)
        if n == 0:
            return np.full((), np.nan, float_dtype(x.dtype))
        z = x.astype(work_dtype(x.dtype), copy=False)
        z = z - z.max(axis=1, keepdims=True)
        logp_t = z[np.arange(n), self.t] - np.log(np.exp(z).sum(axis=1))
        return np.asarray(-logp_t.sum() / n).astype(float_dtype(x.dtype), copy=False)

    def vjp(self, gy, y, x):
        # softmax(x) - onehot(t): Softmax normalises after its shift, so this is exact to any
        # order, and it sums float16 in float32
        n = len(x)
        onehot = np.zeros(x.shape, dtype=x.dtype)
        onehot[np.arange(n), self.t] = 1
        return (Softmax(1).apply(x) - onehot) * (gy * (1.0 / n if n else math.nan))


def cross_entropy(logits: Any, t: Any) -> Variable:
    """Softmax cross-entropy with integer labels, mean over the batch.

    Parameters
    ----------
    logits : (N, C) unnormalised scores
    t : (N,) integer class indices in ``[0, C)``

    Finite and exact for logits of any size (through log-softmax, never ``log(softmax)``).
    An empty batch (N = 0) gives NaN, as PyTorch.
    """
    logits = as_variable(logits)
    return CrossEntropy(_labels("cross_entropy", t, logits.shape))(logits)


def nll_loss(logp: Any, t: Any) -> Variable:
    """Negative log-likelihood ``-mean(logp[i, t[i]])`` of log-probabilities (N, C); NaN for
    an empty batch, as PyTorch."""
    logp = as_variable(logp)
    t = _labels("nll_loss", t, logp.shape)
    return -mean(logp[np.arange(len(t)), t])


def mse_loss(y: Any, t: Any) -> Variable:
    """Mean squared error over all elements; `y` and `t` must have the same shape."""
    y, t = as_variable(y), as_variable(t)
    if y.shape != t.shape:
        raise ValueError(f"mse_loss: prediction of shape {y.shape} and target of shape "
                         f"{t.shape} differ (broadcasting them is a classic silent bug)")
    d = sub(y, t)
    return mean(mul(d, d))


def binary_cross_entropy_with_logits(logits: Any, t: Any) -> Variable:
    """``mean(softplus(x) - t * x)``: sigmoid + binary cross-entropy, stable for any logit."""
    logits, t = as_variable(logits), as_variable(t)
    if logits.shape != t.shape:
        raise ValueError(f"binary_cross_entropy_with_logits: logits of shape {logits.shape} and "
                         f"targets of shape {t.shape} differ")
    return mean(sub(softplus(logits), mul(t, logits)))


def accuracy(logits: Any, t: Any) -> float:
    """Fraction of rows whose largest logit is at the label (not differentiable)."""
    scores = np.asarray(logits.data if isinstance(logits, Variable) else logits)
    labels = np.asarray(t.data if isinstance(t, Variable) else t)
    if scores.shape[:1] != labels.shape[:1]:
        raise ValueError(f"accuracy: {scores.shape[0]} predictions for {labels.shape[0]} labels")
    return float((scores.argmax(axis=-1) == labels).mean())
