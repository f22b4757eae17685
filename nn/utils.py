"""Gradient clipping. Gradients are replaced by scaled copies, never changed in place, since a
gradient array may be shared with another Variable."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from autograd_lite import Variable


def _with_grads(params: Variable | Iterable[Variable]) -> list[Variable]:
    params = [params] if isinstance(params, Variable) else list(params)
    return [p for p in params if p.grad is not None]


def clip_grad_norm_(params: Variable | Iterable[Variable], max_norm: float,
                    norm_type: float = 2.0) -> float:
    """Scale all gradients together so that their joint norm is at most `max_norm`.

    Parameters
    ----------
    params : a Variable or an iterable of them (gradients None are skipped)
    max_norm : float
    norm_type : float
        The p of the p-norm (``float('inf')`` for the largest absolute value).

    Returns
    -------
    float
        The joint norm before clipping.
    """
    params = _with_grads(params)
    if not params:
        return 0.0
    grads = [p.grad.data for p in params]
    if norm_type == float("inf"):
        total = max(float(np.abs(g).max()) if g.size else 0.0 for g in grads)
    else:
        total = float(sum(np.sum(np.abs(g.astype(np.float64)) ** norm_type) for g in grads)
                      ** (1.0 / norm_type))
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for p in params:
            g = p.grad.data
            p.grad = Variable(g * np.asarray(coef, dtype=g.dtype), requires_grad=False)
    return total


def clip_grad_value_(params: Variable | Iterable[Variable], clip_value: float) -> None:
    """Clip every gradient element to ``[-clip_value, clip_value]``."""
    for p in _with_grads(params):
        p.grad = Variable(np.clip(p.grad.data, -clip_value, clip_value), requires_grad=False)
