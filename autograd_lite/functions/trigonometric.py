"""Trigonometric and hyperbolic functions beyond sin, cos and tanh (see elementwise.py), and
their inverses. Each gradient is the textbook derivative, written with operations that
Variables understand, so it can be differentiated again."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable


class Tan(Function):
    __slots__ = ()

    def forward(self, x):
        return np.tan(x)

    def vjp(self, gy, y, x):
        return gy * (1 + y * y)


class Arcsin(Function):
    __slots__ = ()

    def forward(self, x):
        return np.arcsin(x)

    def vjp(self, gy, y, x):
        return gy / np.sqrt(1 - x * x)


class Arccos(Function):
    __slots__ = ()

    def forward(self, x):
        return np.arccos(x)

    def vjp(self, gy, y, x):
        return -gy / np.sqrt(1 - x * x)


class Arctan(Function):
    __slots__ = ()

    def forward(self, x):
        return np.arctan(x)

    def vjp(self, gy, y, x):
        return gy / (1 + x * x)


class Arctan2(Function):
    """The angle of the point (b, a): ``arctan(a / b)`` in the right quadrant."""

    __slots__ = ()

    def forward(self, a, b):
        return np.arctan2(a, b)

    def vjp(self, gy, y, a, b):
        g = gy / (a * a + b * b)
        need_a, need_b = self.needs_input_grad
        return (g * b if need_a else None), (-g * a if need_b else None)


class Sinh(Function):
    __slots__ = ()

    def forward(self, x):
        return np.sinh(x)

    def vjp(self, gy, y, x):
        return gy * Cosh().apply(x)


class Cosh(Function):
    __slots__ = ()

    def forward(self, x):
        return np.cosh(x)

    def vjp(self, gy, y, x):
        return gy * Sinh().apply(x)


class Arcsinh(Function):
    __slots__ = ()

    def forward(self, x):
        return np.arcsinh(x)

    def vjp(self, gy, y, x):
        return gy / np.sqrt(x * x + 1)


class Arccosh(Function):
    __slots__ = ()

    def forward(self, x):
        return np.arccosh(x)

    def vjp(self, gy, y, x):
        return gy / np.sqrt(x * x - 1)


class Arctanh(Function):
    __slots__ = ()

    def forward(self, x):
        return np.arctanh(x)

    def vjp(self, gy, y, x):
        return gy / (1 - x * x)


def tan(x: Any) -> Variable:
    """Elementwise tangent."""
    return Tan()(x)


def arcsin(x: Any) -> Variable:
    """Elementwise inverse sine, for ``-1 <= x <= 1`` (infinite slope at the ends)."""
    return Arcsin()(x)


def arccos(x: Any) -> Variable:
    """Elementwise inverse cosine, for ``-1 <= x <= 1``."""
    return Arccos()(x)


def arctan(x: Any) -> Variable:
    """Elementwise inverse tangent."""
    return Arctan()(x)


def arctan2(a: Any, b: Any) -> Variable:
    """Elementwise angle of the point ``(b, a)`` in ``(-pi, pi]``, as ``np.arctan2(a, b)``
    (broadcasting)."""
    return Arctan2()(a, b)


def sinh(x: Any) -> Variable:
    """Elementwise hyperbolic sine."""
    return Sinh()(x)


def cosh(x: Any) -> Variable:
    """Elementwise hyperbolic cosine."""
    return Cosh()(x)


def arcsinh(x: Any) -> Variable:
    """Elementwise inverse hyperbolic sine."""
    return Arcsinh()(x)


def arccosh(x: Any) -> Variable:
    """Elementwise inverse hyperbolic cosine, for ``x >= 1``."""
    return Arccosh()(x)


def arctanh(x: Any) -> Variable:
    """Elementwise inverse hyperbolic tangent, for ``-1 < x < 1``."""
    return Arctanh()(x)
