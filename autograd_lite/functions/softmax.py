"""Softmax and log-softmax along an axis, both shifted by the maximum so nothing overflows."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable


class Softmax(Function):
    __slots__ = ("axis",)

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x):
        e = np.exp(x - x.max(axis=self.axis, keepdims=True))
        e /= e.sum(axis=self.axis, keepdims=True)
        return e

    def vjp(self, gy, y, x):
        return y * (gy - (gy * y).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    __slots__ = ("axis",)

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x):
        z = x - x.max(axis=self.axis, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=self.axis, keepdims=True))

    def vjp(self, gy, y, x):
        return gy - np.exp(y) * gy.sum(axis=self.axis, keepdims=True)


def softmax(x: Any, axis: int = -1) -> Variable:
    """``exp(x) / sum(exp(x))`` along `axis`: a probability distribution."""
    return Softmax(axis)(x)


def log_softmax(x: Any, axis: int = -1) -> Variable:
    """``x - logsumexp(x)`` along `axis`: log-probabilities, exact for large logits."""
    return LogSoftmax(axis)(x)
