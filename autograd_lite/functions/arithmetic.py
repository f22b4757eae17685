"""Arithmetic: + - * / ** and negation, and dtype casts.

Broadcasting is undone by the engine (it sums each gradient back to its input's shape), so a
formula here returns gradients in the broadcast shape of the output.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable


class Add(Function):
    __slots__ = ()

    def forward(self, a, b):
        return a + b

    def vjp(self, gy, y, a, b):
        return gy, gy


class Sub(Function):
    __slots__ = ()

    def forward(self, a, b):
        return a - b

    def vjp(self, gy, y, a, b):
        return gy, (-gy if self.needs_input_grad[1] else None)


class Mul(Function):
    __slots__ = ()

    def forward(self, a, b):
        return a * b

    def vjp(self, gy, y, a, b):
        need_a, need_b = self.needs_input_grad
        return (gy * b if need_a else None), (gy * a if need_b else None)


class Div(Function):
    __slots__ = ()

    def forward(self, a, b):
        return a / b

    def vjp(self, gy, y, a, b):
        need_a, need_b = self.needs_input_grad
        ga = gy / b if need_a else None
        gb = -gy * y / b if need_b else None
        return ga, gb


class Neg(Function):
    __slots__ = ()

    def forward(self, x):
        return -x

    def vjp(self, gy, y, x):
        return -gy


class Pow(Function):
    """``a ** b`` with both sides arrays (see `PowScalar` for a number exponent)."""

    __slots__ = ()

    def forward(self, a, b):
        return a**b

    def vjp(self, gy, y, a, b):
        need_a, need_b = self.needs_input_grad
        ga = gy * b * a ** (b - 1) if need_a else None
        gb = gy * y * np.log(a) if need_b else None
        return ga, gb


class PowScalar(Function):
    """``x ** p`` for a Python number `p`."""

    __slots__ = ("p",)

    def __init__(self, p: float) -> None:
        self.p = p

    def forward(self, x):
        return x**self.p

    def vjp(self, gy, y, x):
        p = self.p
        # p * x**(p - 1) is 0 * inf = nan at x = 0 for p = 0 and (one order up) for p = 1
        if p == 0:
            return gy * 0
        if p == 1:
            return gy
        if p == 2:
            return gy * (2 * x)
        return gy * (p * x ** (p - 1))


class AsType(Function):
    """Cast to another dtype; the gradient is cast back."""

    __slots__ = ("dtype",)

    def __init__(self, dtype: Any) -> None:
        self.dtype = np.dtype(dtype)

    def forward(self, x):
        return x.astype(self.dtype)

    def vjp(self, gy, y, x):
        return gy.astype(x.dtype)


def add(a: Any, b: Any) -> Variable:
    """``a + b`` with broadcasting."""
    return Add()(a, b)


def sub(a: Any, b: Any) -> Variable:
    """``a - b`` with broadcasting."""
    return Sub()(a, b)


def mul(a: Any, b: Any) -> Variable:
    """``a * b`` with broadcasting."""
    return Mul()(a, b)


def div(a: Any, b: Any) -> Variable:
    """``a / b`` with broadcasting."""
    return Div()(a, b)


def neg(x: Any) -> Variable:
    """``-x``."""
    return Neg()(x)


def pow(x: Any, p: Any) -> Variable:
    """``x ** p``; `p` a number or an array (then differentiable in both)."""
    if isinstance(p, (int, float)) and not isinstance(p, bool):
        return PowScalar(p)(x)
    return Pow()(x, p)


def astype(x: Any, dtype: Any) -> Variable:
    """`x` converted to `dtype`; gradients flow back converted to `x`'s dtype."""
    return AsType(dtype)(x)
