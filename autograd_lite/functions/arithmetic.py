"""Arithmetic: + - * / ** and negation, and dtype casts.

Broadcasting is undone by the engine (it sums each gradient back to its input's shape), so a
formula here returns gradients in the broadcast shape of the output. Either side may be a Python
number (``x * 2.0``, ``2 - x``): the engine passes numbers as they are, and NumPy gives them the
dtype of the array they meet, so float32 stays float32 without a constant Variable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable
from autograd_lite.functions.elementwise import Where


class Add(Function):
    __slots__ = ()
    takes_numbers = True

    def forward(self, a, b):
        return a + b

    def vjp(self, gy, y, a, b):
        return gy, gy


class Sub(Function):
    __slots__ = ()
    takes_numbers = True

    def forward(self, a, b):
        return a - b

    def vjp(self, gy, y, a, b):
        return gy, (-gy if self.needs_input_grad[1] else None)


class Mul(Function):
    __slots__ = ()
    takes_numbers = True

    def forward(self, a, b):
        return a * b

    def vjp(self, gy, y, a, b):
        need_a, need_b = self.needs_input_grad
        return (gy * b if need_a else None), (gy * a if need_b else None)


class Div(Function):
    __slots__ = ()
    takes_numbers = True

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
    """``a ** b``, either side an array or a number.

    At ``a == 0`` the gradients follow PyTorch instead of giving NaN or inf: ``d/da`` is 0 where
    also ``b == 0`` (``b * a**(b - 1)`` would be ``0 * inf``) and ``d/db`` is 0 where ``b >= 0``
    (``a**b * log(a)`` would be ``0 * -inf``).
    """

    __slots__ = ()
    takes_numbers = True

    def forward(self, a, b):
        if type(b) in (int, float) and b == 3:  # NumPy's pow for 3 is generic and slow
            return a * a * a
        return a**b

    def vjp(self, gy, y, a, b):
        need_a, need_b = self.needs_input_grad
        ga = gb = None
        if need_a:
            if isinstance(b, (int, float)):  # a number, as in x**2 or x**0.5: the common case
                ga = gy * 0 if b == 0 else gy if b == 1 else gy * (b * a ** (b - 1))
            else:  # base 1 where a == b == 0: the gradient is 0 there, not 0 * inf
                ga = gy * (b * _where((a == 0) & (b == 0), 1, a) ** (b - 1))
        if need_b:  # log(1) where a == 0 <= b: the gradient is 0 there, not 0 * -inf
            gb = gy * (y * np.log(_where((a == 0) & (b >= 0), 1, a)))
        return ga, gb


def _where(cond: Any, x: Any, y: Any) -> Any:
    """``where(cond, x, y)``, differentiable in `y`; `y` itself when `cond` holds nowhere."""
    return Where(np.asarray(cond)).apply(x, y) if np.any(cond) else y


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
    """``x ** p``; either side a number or an array (differentiable in both)."""
    return Pow()(x, p)


def astype(x: Any, dtype: Any) -> Variable:
    """`x` converted to `dtype`; gradients flow back converted to `x`'s dtype."""
    return AsType(dtype)(x)
