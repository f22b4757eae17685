"""Exponentials and logarithms beyond exp and log (see elementwise.py): the accurate forms
near 0 (`log1p`, `expm1`), other bases (`exp2`, `log2`, `log10`) and `logaddexp`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable


class Log1p(Function):
    """``log(1 + x)``, exact for tiny ``x``."""

    __slots__ = ()

    def forward(self, x):
        return np.log1p(x)

    def vjp(self, gy, y, x):
        return gy / (1 + x)


class Expm1(Function):
    """``exp(x) - 1``, exact for tiny ``x``."""

    __slots__ = ()

    def forward(self, x):
        return np.expm1(x)

    def vjp(self, gy, y, x):
        return gy * (y + 1)


class Exp2(Function):
    __slots__ = ()

    def forward(self, x):
        return np.exp2(x)

    def vjp(self, gy, y, x):
        return gy * y * math.log(2)


class Log2(Function):
    __slots__ = ()

    def forward(self, x):
        return np.log2(x)

    def vjp(self, gy, y, x):
        return gy / (x * math.log(2))


class Log10(Function):
    __slots__ = ()

    def forward(self, x):
        return np.log10(x)

    def vjp(self, gy, y, x):
        return gy / (x * math.log(10))


class LogAddExp(Function):
    """``log(exp(a) + exp(b))`` without overflow; its gradient weights never overflow either."""

    __slots__ = ()

    def forward(self, a, b):
        return np.logaddexp(a, b)

    def vjp(self, gy, y, a, b):
        need_a, need_b = self.needs_input_grad
        return (gy * np.exp(a - y) if need_a else None), (gy * np.exp(b - y) if need_b else None)


def log1p(x: Any) -> Variable:
    """Elementwise ``log(1 + x)``, accurate near 0."""
    return Log1p()(x)


def expm1(x: Any) -> Variable:
    """Elementwise ``exp(x) - 1``, accurate near 0."""
    return Expm1()(x)


def exp2(x: Any) -> Variable:
    """Elementwise ``2 ** x``."""
    return Exp2()(x)


def log2(x: Any) -> Variable:
    """Elementwise base-2 logarithm."""
    return Log2()(x)


def log10(x: Any) -> Variable:
    """Elementwise base-10 logarithm."""
    return Log10()(x)


def logaddexp(a: Any, b: Any) -> Variable:
    """Elementwise ``log(exp(a) + exp(b))``, stable for any values (broadcasting)."""
    return LogAddExp()(a, b)
