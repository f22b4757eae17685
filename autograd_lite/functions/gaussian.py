"""The standard normal CDF `ndtr` in plain NumPy, and GELU built on it, fast enough for a
transformer's MLP.

NumPy has no ``erf``: without SciPy, ``F.erf`` falls back on ``math.erf`` per element (some
60 ms for a GPT's (768, 512) activations). Here ``erfc(z)`` for ``z >= 0`` is written as
``t * exp(-z**2 + P(t))`` with ``t = 2 / (2 + z)``, a form in which the smooth remainder ``P``
needs a polynomial of low degree (Numerical Recipes' choice of variable). ``P`` is fitted once,
at import, by Chebyshev interpolation of ``math.erfc`` on ``0 <= z <= 26`` (beyond, ``erfc``
underflows in float64), then truncated to the dtype's precision: degree 21 for float64 (relative
error about 1e-14 below z = 6, 2e-13 beyond), 11 for float32, evaluated in float32 (below 2e-6
for z < 4, 1e-5 beyond, where ``erfc(z) < 2e-8``: the rounding of ``z**2`` in float32).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.polynomial import chebyshev

from autograd_lite.core import Function, Variable

_Z_MAX = 26.0
_T_MIN = 2 / (2 + _Z_MAX)


def _fit() -> np.ndarray:
    """Chebyshev coefficients of ``P(s) = log(erfc(z) / t) + z**2``, ``s`` in [-1, 1]
    mapping ``t`` in [_T_MIN, 1]."""
    def remainder(s: np.ndarray) -> np.ndarray:
        t = _T_MIN + (s + 1) / 2 * (1 - _T_MIN)
        z = 2 / t - 2
        return np.array([math.log(math.erfc(zi) / ti) + zi * zi for zi, ti in zip(z, t)])
    return chebyshev.chebinterpolate(remainder, 40)


def _power_series(coefficients: np.ndarray, tol: float, dtype: type) -> np.ndarray:
    """The Chebyshev series cut after its last coefficient above `tol`, as powers of s."""
    degree = max(i for i, c in enumerate(coefficients) if abs(c) > tol)
    return chebyshev.cheb2poly(coefficients[:degree + 1]).astype(dtype)


_CHEB = _fit()
_POWERS = {np.dtype(np.float64): _power_series(_CHEB, 1e-14, np.float64),
           np.dtype(np.float32): _power_series(_CHEB, 2e-8, np.float32)}
del _CHEB


def erfc_nonnegative(z: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """``scale * erfc(z)`` for float32 or float64 ``z >= 0`` (ndarrays only; a new array).

    Written in place into three arrays: a fresh large array costs page faults that can take
    longer than the arithmetic itself.
    """
    shape, z = np.shape(z), np.ravel(z)  # 1-D, so in-place steps work on 0-d input too
    a = _POWERS[z.dtype]
    dt = z.dtype.type
    t = z + 2
    np.divide(2, t, out=t)
    s = t * dt(2 / (1 - _T_MIN))
    s += dt(-2 * _T_MIN / (1 - _T_MIN) - 1)  # beyond _Z_MAX, s < -1: P stays small there
    p = s * a[-1]
    for coefficient in a[-2:0:-1]:  # Horner
        p += coefficient
        p *= s
    p += a[0] + dt(math.log(scale))  # scale * exp(P) = exp(P + log(scale))
    p -= np.multiply(z, z, out=s)
    np.exp(p, out=p)
    p *= t
    return p.reshape(shape)


_LOG_PDF_SCALE = -0.5 * math.log(2 * math.pi)  # the normal density is exp(-x**2/2 + this)


class Ndtr(Function):
    """The standard normal CDF ``Phi(x) = (1 + erf(x / sqrt 2)) / 2``; ``Phi' = exp(-x**2/2) /
    sqrt(2 pi)``. Exact in the tails: ``Phi(-x)`` comes from ``erfc``, not ``1 - erf``."""

    __slots__ = ()

    def forward(self, x):
        work = x if x.dtype in _POWERS else np.asarray(x, dtype=np.float64)
        z = np.abs(work, out=np.empty_like(work))  # an array even for 0-d input
        z *= work.dtype.type(1 / math.sqrt(2))
        half = erfc_nonnegative(z, 0.5)
        # half where x < 0 (exact in the tail), 1 - half elsewhere: arithmetic on a 0/1 mask
        # (np.where on a random mask is some 50 times slower than a product), written into z
        cdf = np.multiply(half, -2, out=z)
        cdf += 1
        cdf *= work >= 0
        cdf += half
        return cdf if x.dtype.kind != "f" else cdf.astype(x.dtype, copy=False)

    def vjp(self, gy, y, x):
        return gy * np.exp(x * x * -0.5 + _LOG_PDF_SCALE)


class Gelu(Function):
    """``x * Phi(x)``, gradient ``gy * (Phi(x) + x * phi(x))`` (``phi``: the normal density).

    Forward keeps ``Phi(x)`` for the fast backward (the costly part, computed once); a
    recorded backward takes it from `Ndtr` instead, so that it is differentiable too.
    """

    __slots__ = ("_cdf",)

    def forward(self, x):
        self._cdf = Ndtr().forward(x)
        return x * self._cdf

    def vjp(self, gy, y, x):
        cdf = Ndtr()(x) if isinstance(x, Variable) else self._cdf
        # Augmented assignments write into the new arrays and rebind Variables: one text for
        # both modes, with two temporaries for the arrays
        g = x * -0.5
        g *= x
        g += _LOG_PDF_SCALE
        g = np.exp(g)  # phi(x)
        g *= x
        g += cdf
        g *= gy
        return g


_TANH_C = math.sqrt(2 / math.pi)
_TANH_A = 0.044715


class GeluTanh(Function):
    """``x / 2 * (1 + tanh(c * (x + a x**3)))``, ``c = sqrt(2 / pi)``, ``a = 0.044715``,
    with its derivative in closed form."""

    __slots__ = ()

    def forward(self, x):
        x = x if x.dtype.kind == "f" else x.astype(np.float64)
        y = np.multiply(x, x, out=np.empty_like(x))  # one new array (even 0-d), then in place
        y *= _TANH_C * _TANH_A
        y += _TANH_C
        y *= x
        np.tanh(y, out=y)
        y += 1
        y *= x
        y *= 0.5
        return y

    def vjp(self, gy, y, x):
        # d/dx = (1 + t) / 2 + x / 2 * (1 - t**2) * (c + 3 c a x**2), t = tanh(c (x + a x**3)).
        # Augmented assignments write into new arrays and rebind Variables (one text for both
        # modes, four temporaries for the arrays).
        x2 = x * x
        u = x2 * (_TANH_C * _TANH_A)
        u += _TANH_C
        u *= x
        t = np.tanh(u)
        g = t * t
        g -= 1  # -(1 - t**2)
        x2 *= -3 * _TANH_C * _TANH_A
        x2 -= _TANH_C  # -(c + 3 c a x**2)
        g *= x2
        g *= x
        g += t
        g += 1
        g *= 0.5
        g *= gy
        return g


def ndtr(x: Any) -> Variable:
    """The standard normal cumulative distribution ``P(N(0, 1) <= x)``, elementwise."""
    return Ndtr()(x)


def gelu(x: Any, approximate: str = "none") -> Variable:
    """Gaussian error linear unit ``x * Phi(x)`` (``Phi``: the standard normal CDF).

    Parameters
    ----------
    x : array of any shape
    approximate : "none" or "tanh"
        "tanh": ``x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x**3)))``, as PyTorch.

    Returns
    -------
    Variable shaped like `x`.
    """
    if approximate == "tanh":
        return GeluTanh()(x)
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return Gelu()(x)
