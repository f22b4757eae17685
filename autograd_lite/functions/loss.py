"""Losses, reduced like PyTorch's default ``reduction='mean'``, and the `accuracy` metric."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable, as_variable
from autograd_lite.functions.arithmetic import add, mul, neg, sub
from autograd_lite.functions.elementwise import Clip, abs, softplus
from autograd_lite.functions.precision import float_dtype, work_dtype
from autograd_lite.functions.probabilities import Softmax
from autograd_lite.functions.reduction import mean
from autograd_lite.functions.reduction import sum as sum_all


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


REDUCTIONS = ("mean", "sum", "none")
LOG_FLOOR = -100.0  # PyTorch's floor for the logs of binary_cross_entropy


def _check_reduction(op: str, reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of "
                         f"{', '.join(map(repr, REDUCTIONS))}, got {reduction!r}")


def _reduce(op: str, loss: Variable, reduction: str) -> Variable:
    _check_reduction(op, reduction)
    return mean(loss) if reduction == "mean" else sum_all(loss) if reduction == "sum" else loss


def _same_shape(op: str, x: Variable, t: Variable, what: str) -> None:
    if x.shape != t.shape:
        raise ValueError(f"{op}: {what} of shape {x.shape} and targets of shape {t.shape} "
                         "differ (broadcasting them is a classic silent bug)")


def _broadcasts_to(op: str, name: str, w: Variable, shape: tuple[int, ...]) -> None:
    try:
        if np.broadcast_shapes(w.shape, shape) == shape:
            return
    except ValueError:
        pass
    raise ValueError(f"{op}: {name} of shape {w.shape} does not broadcast to the input's "
                     f"shape {shape}")


class BinaryCrossEntropy(Function):
    """Elementwise ``-(t log p + (1 - t) log(1 - p))`` of probabilities `p` and targets `t`.

    As PyTorch, each log is floored at -100, so ``p = 0`` or ``p = 1`` gives a finite loss
    (100 per element at worst), and the gradient divides by ``max(p (1 - p), 1e-12)``: a
    confident mistake still gets a large, finite push instead of a zero or an infinity.
    """

    __slots__ = ()

    def forward(self, p, t):
        t = t.astype(p.dtype, copy=False) if p.dtype.kind == "f" else t
        return -(t * _floored_log(p) + (1 - t) * _floored_log1m(p))

    def vjp(self, gy, y, p, t):
        need_p, need_t = self.needs_input_grad
        gp = gy * (p - t) / np.maximum(p * (1 - p), 1e-12) if need_p else None
        gt = gy * (_floored_log1m(p) - _floored_log(p)) if need_t else None
        return gp, gt


def _floored_log(p: Any) -> Any:
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(p), LOG_FLOOR)


def _floored_log1m(p: Any) -> Any:
    with np.errstate(divide="ignore"):
        return np.maximum(np.log1p(-p), LOG_FLOOR)


def binary_cross_entropy(input: Any, target: Any, weight: Any = None,  # noqa: A002
                         reduction: str = "mean") -> Variable:
    """Binary cross-entropy of probabilities `input` in [0, 1] against `target`, as PyTorch.

    Parameters
    ----------
    input : any shape, probabilities (a sigmoid's output)
    target : the same shape, in [0, 1]
    weight : optional, broadcastable to `input`: a factor per element
    reduction : ``"mean"`` (over all elements), ``"sum"`` or ``"none"``

    Logs are floored at -100 (so p = 0 or 1 stay finite). From logits, prefer
    `binary_cross_entropy_with_logits`: it is exact where the sigmoid saturates.

    >>> loss = binary_cross_entropy(np.array([0.5, 0.9]), np.array([1.0, 1.0]), reduction="sum")
    >>> round(float(loss), 6)  # -(log 0.5 + log 0.9)
    0.798508
    """
    op = "binary_cross_entropy"
    p, t = as_variable(input), as_variable(target)
    _same_shape(op, p, t, "input")
    if p.size and (np.nanmin(p.data) < 0 or np.nanmax(p.data) > 1):
        raise ValueError(f"{op}: input must hold probabilities in [0, 1], got values from "
                         f"{np.nanmin(p.data):.4g} to {np.nanmax(p.data):.4g} (from logits, use "
                         "binary_cross_entropy_with_logits)")
    loss = BinaryCrossEntropy()(p, t)
    if weight is not None:
        weight = as_variable(weight)
        _broadcasts_to(op, "weight", weight, p.shape)
        loss = mul(loss, weight)
    return _reduce(op, loss, reduction)


def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None,  # noqa: A002
                                     reduction: str = "mean", pos_weight: Any = None
                                     ) -> Variable:
    """Sigmoid and binary cross-entropy in one, stable for any logit, as PyTorch.

    ``l = (1 - t) x + (1 + (pos_weight - 1) t) softplus(-x)``, which is
    ``softplus(x) - t x`` without `pos_weight`: no sigmoid is ever formed, so a logit of
    +-1000 gives an exact loss and gradient.

    Parameters
    ----------
    input : logits, any shape
    target : the same shape, in [0, 1]
    weight : optional, broadcastable to `input`: a factor per element
    reduction : ``"mean"`` (over all elements), ``"sum"`` or ``"none"``
    pos_weight : optional, broadcastable to `input` (usually one per class, the last axis):
        the weight of the positive term, to trade recall against precision
    """
    op = "binary_cross_entropy_with_logits"
    x, t = as_variable(input), as_variable(target)
    _same_shape(op, x, t, "logits")
    if pos_weight is None:
        loss = sub(softplus(x), mul(t, x))
    else:
        pos_weight = as_variable(pos_weight)
        _broadcasts_to(op, "pos_weight", pos_weight, x.shape)
        log_weight = add(1.0, mul(sub(pos_weight, 1.0), t))
        loss = add(mul(sub(1.0, t), x), mul(log_weight, softplus(neg(x))))
    if weight is not None:
        weight = as_variable(weight)
        _broadcasts_to(op, "weight", weight, x.shape)
        loss = mul(loss, weight)
    return _reduce(op, loss, reduction)


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
    _same_shape("huber_loss", input, target, "input")
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
    _same_shape("smooth_l1_loss", input, target, "input")
    _check_reduction("smooth_l1_loss", reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must not be negative, got {beta}")
    if beta == 0:
        return _reduce("smooth_l1_loss", abs(sub(input, target)), reduction)
    return Huber(float(beta), reduction)(input, target) * (1.0 / beta)


def accuracy(logits: Any, t: Any) -> float:
    """Fraction of rows whose largest logit is at the label (not differentiable)."""
    scores = np.asarray(logits.data if isinstance(logits, Variable) else logits)
    labels = np.asarray(t.data if isinstance(t, Variable) else t)
    if scores.shape[:1] != labels.shape[:1]:
        raise ValueError(f"accuracy: {scores.shape[0]} predictions for {labels.shape[0]} labels")
    return float((scores.argmax(axis=-1) == labels).mean())
