"""Losses, reduced like PyTorch's default ``reduction='mean'``, and the `accuracy` metric."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable, as_variable
from autograd_lite.functions.arithmetic import mul, sub
from autograd_lite.functions.elementwise import Clip, abs, softplus
from autograd_lite.functions.precision import float_dtype, work_dtype
from autograd_lite.functions.probabilities import Softmax
from autograd_lite.functions.reduction import mean, sum


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


REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss: Variable, reduction: str) -> Variable:
    return mean(loss) if reduction == "mean" else sum(loss) if reduction == "sum" else loss


class Huber(Function):
    """Elementwise Huber loss of ``d = x - t``, reduced by mean, sum or not at all, in one
    step: ``0.5 q**2 + delta (|d| - q)`` with ``q = min(|d|, delta)``. Its gradient is
    ``clip(d, -delta, delta)`` (a differentiable op, so higher orders follow)."""

    __slots__ = ("delta", "reduction")

    def __init__(self, delta: float, reduction: str) -> None:
        self.delta, self.reduction = delta, reduction

    def forward(self, x, t):
        a = np.abs(x - t)
        q = np.minimum(a, self.delta)
        loss = q * (0.5 * q) + self.delta * (a - q)
        if self.reduction == "none":
            return loss
        total = loss.sum()
        if self.reduction == "mean":  # no elements: NaN, as PyTorch
            total = total * (1.0 / loss.size if loss.size else math.nan)
        return np.asarray(total, dtype=loss.dtype)

    def vjp(self, gy, y, x, t):
        g = Clip(-self.delta, self.delta).apply(x - t)
        if self.reduction == "mean":
            gy = gy * (1.0 / g.size if g.size else math.nan)
        g = g * gy
        need = self.needs_input_grad
        return g if need[0] else None, -g if need[1] else None


def _check_pair(op: str, input: Variable, target: Variable) -> None:  # noqa: A002
    if input.shape != target.shape:
        raise ValueError(f"{op}: input of shape {input.shape} and target of shape "
                         f"{target.shape} differ (broadcasting them is a classic silent bug)")


def _check_reduction(op: str, reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of "
                         f"{', '.join(map(repr, REDUCTIONS))}, got {reduction!r}")


def huber_loss(input: Any, target: Any, reduction: str = "mean",  # noqa: A002 - PyTorch's name
               delta: float = 1.0) -> Variable:
    """Huber loss: ``0.5 d**2`` where ``|d| <= delta``, else ``delta * (|d| - 0.5 delta)``,
    with ``d = input - target``, as ``torch.nn.functional.huber_loss``.

    Quadratic near zero, linear beyond `delta`: large errors (a DQN's early, wildly wrong
    targets) pull with a bounded gradient ``delta * sign(d)``. One fused op (a reinforcement
    learner calls it on tiny batches, where every op's overhead counts); the gradient is
    continuous, the second derivative jumps at ``|d| = delta``.

    Parameters
    ----------
    input, target : arrays of the same shape
    reduction : ``"mean"`` (over all elements; NaN for no elements), ``"sum"`` or ``"none"``
    delta : float > 0, where the quadratic turns linear
    """
    input, target = as_variable(input), as_variable(target)  # noqa: A001
    _check_pair("huber_loss", input, target)
    _check_reduction("huber_loss", reduction)
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    return Huber(float(delta), reduction)(input, target)


def smooth_l1_loss(input: Any, target: Any, reduction: str = "mean",  # noqa: A002
                   beta: float = 1.0) -> Variable:
    """Smooth L1 loss, as ``torch.nn.functional.smooth_l1_loss``: ``0.5 d**2 / beta`` where
    ``|d| < beta``, else ``|d| - 0.5 beta``; that is ``huber_loss(..., delta=beta) / beta``,
    and plain L1 ``|d|`` for ``beta = 0``."""
    input, target = as_variable(input), as_variable(target)  # noqa: A001
    _check_pair("smooth_l1_loss", input, target)
    _check_reduction("smooth_l1_loss", reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must not be negative, got {beta}")
    if beta == 0:
        return _reduce(abs(sub(input, target)), reduction)
    return Huber(float(beta), reduction)(input, target) * (1.0 / beta)


def accuracy(logits: Any, t: Any) -> float:
    """Fraction of rows whose largest logit is at the label (not differentiable)."""
    scores = np.asarray(logits.data if isinstance(logits, Variable) else logits)
    labels = np.asarray(t.data if isinstance(t, Variable) else t)
    if scores.shape[:1] != labels.shape[:1]:
        raise ValueError(f"accuracy: {scores.shape[0]} predictions for {labels.shape[0]} labels")
    return float((scores.argmax(axis=-1) == labels).mean())
