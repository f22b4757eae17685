"""NumPy calls on Variables: ``np.exp(x)``, ``np.sum(x)``, ``ndarray * x`` stay differentiable.

`Variable` implements NumPy's ``__array_ufunc__`` and ``__array_function__`` protocols by
looking the NumPy function up here. Functions that are constant almost everywhere (comparisons,
``sign``, ``floor``, ``isnan``, ``argmax``, ...) run on the data and return plain arrays, as their
gradient is zero. Anything else raises a TypeError instead of silently dropping the gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_lite.core import Variable
from autograd_lite.functions import arithmetic as A
from autograd_lite.functions import elementwise as E
from autograd_lite.functions import linalg as L
from autograd_lite.functions import reduction as R
from autograd_lite.functions import shape as S

UFUNCS: dict[np.ufunc, Callable] = {
    np.add: A.add, np.subtract: A.sub, np.multiply: A.mul, np.true_divide: A.div,
    np.negative: A.neg, np.power: A.pow, np.positive: lambda x: x,
    np.exp: E.exp, np.log: E.log, np.sqrt: E.sqrt, np.absolute: E.abs,
    np.sin: E.sin, np.cos: E.cos, np.tanh: E.tanh,
    np.maximum: E.maximum, np.minimum: E.minimum, np.matmul: L.matmul,
    np.square: lambda x: A.pow(x, 2),
}

# Piecewise constant (or boolean): the data alone answers, and the gradient is zero.
CONSTANT_UFUNCS = {
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor,
    np.isnan, np.isinf, np.isfinite, np.signbit, np.sign, np.floor, np.ceil, np.rint, np.trunc,
}

FUNCTIONS: dict[Callable, Callable] = {
    np.sum: R.sum, np.mean: R.mean, np.var: R.var, np.max: R.max, np.min: R.min,
    np.amax: R.max, np.amin: R.min,
    np.reshape: S.reshape, np.transpose: S.transpose, np.swapaxes: S.swapaxes,
    np.broadcast_to: S.broadcast_to, np.concatenate: S.concatenate, np.stack: S.stack,
    np.split: S.split, np.pad: S.pad, np.where: E.where, np.clip: E.clip,
}

CONSTANT_FUNCTIONS = {
    np.shape, np.ndim, np.size, np.allclose, np.isclose, np.array_equal, np.array_equiv,
    np.argmax, np.argmin, np.argsort, np.nonzero, np.count_nonzero, np.any, np.all,
    np.result_type, np.may_share_memory, np.shares_memory, np.iscomplexobj, np.isrealobj,
    np.copyto, np.ones_like, np.zeros_like, np.empty_like, np.full_like,
}


def _data(x: Any) -> Any:
    if isinstance(x, Variable):
        return x.data
    if isinstance(x, (list, tuple)):
        return type(x)(_data(i) for i in x)
    return x


def array_ufunc(ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
    if ufunc in CONSTANT_UFUNCS:
        return getattr(ufunc, method)(*_data(inputs), **_data(kwargs))
    fn = UFUNCS.get(ufunc)
    if fn is None or method != "__call__" or kwargs:
        what = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        extra = f" with {sorted(kwargs)}" if kwargs and fn is not None else ""
        raise TypeError(
            f"{what}{extra} is not differentiable in autograd_lite; use autograd_lite.functions, "
            "or pass x.data to treat x as a constant"
        )
    return fn(*inputs)


def array_function(func: Callable, args: tuple, kwargs: dict) -> Any:
    if func in CONSTANT_FUNCTIONS:
        return func(*_data(args), **_data(kwargs))
    fn = FUNCTIONS.get(func)
    if fn is None:
        raise TypeError(
            f"np.{func.__name__} is not differentiable in autograd_lite; use "
            "autograd_lite.functions, or pass x.data to treat x as a constant"
        )
    return fn(*args, **kwargs)
