"""NumPy calls on Variables: ``np.exp(x)``, ``np.linalg.norm(x)``, ``ndarray * x`` stay
differentiable.

`Variable` implements NumPy's ``__array_ufunc__`` and ``__array_function__`` protocols by
looking the NumPy function up here:

* a differentiable counterpart in `autograd_lite.functions` (`UFUNCS`, `ROUTES`) takes the call,
  its arguments bound by NumPy's own signature; an argument it does not support (``dtype=``,
  ``out=``, ``where=``, ...) is a TypeError that names it, unless it has its default value;
* functions that are constant almost everywhere (comparisons, ``sign``, ``floor``, ``round``,
  ``argmax``, ...) run on the data and return plain arrays, as their gradient is zero;
* anything else is a TypeError naming the NumPy function in full (``np.linalg.svd``) and, where
  there is one, the supported alternative, instead of silently dropping the gradient.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd_lite.core import Variable
from autograd_lite.functions import arithmetic as A
from autograd_lite.functions import contraction as EI
from autograd_lite.functions import cumulative as C
from autograd_lite.functions import elementwise as E
from autograd_lite.functions import exponential as X
from autograd_lite.functions import linalg as L
from autograd_lite.functions import manipulation as M
from autograd_lite.functions import norms as N
from autograd_lite.functions import reduction as R
from autograd_lite.functions import shape as S
from autograd_lite.functions import trigonometric as T

UFUNCS: dict[np.ufunc, Callable] = {
    np.add: A.add, np.subtract: A.sub, np.multiply: A.mul, np.true_divide: A.div,
    np.negative: A.neg, np.power: A.pow, np.positive: lambda x: x,
    np.square: lambda x: A.pow(x, 2), np.reciprocal: lambda x: A.div(1.0, x),
    np.exp: E.exp, np.log: E.log, np.sqrt: E.sqrt, np.absolute: E.abs,
    np.sin: E.sin, np.cos: E.cos, np.tanh: E.tanh,
    np.maximum: E.maximum, np.minimum: E.minimum, np.matmul: L.matmul,
    np.tan: T.tan, np.arcsin: T.arcsin, np.arccos: T.arccos, np.arctan: T.arctan,
    np.arctan2: T.arctan2, np.sinh: T.sinh, np.cosh: T.cosh, np.arcsinh: T.arcsinh,
    np.arccosh: T.arccosh, np.arctanh: T.arctanh,
    np.log1p: X.log1p, np.expm1: X.expm1, np.exp2: X.exp2, np.log2: X.log2, np.log10: X.log10,
    np.logaddexp: X.logaddexp,
}
if hasattr(np, "vecdot"):  # NumPy >= 2.0
    UFUNCS[np.vecdot] = lambda a, b: R.sum(A.mul(a, b), axis=-1)

# Piecewise constant (or boolean): the data alone answers, and the gradient is zero.
CONSTANT_UFUNCS = {
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor,
    np.isnan, np.isinf, np.isfinite, np.signbit, np.sign, np.floor, np.ceil, np.rint, np.trunc,
    np.floor_divide, np.heaviside,
}

CONSTANT_FUNCTIONS = {
    np.shape, np.ndim, np.size, np.allclose, np.isclose, np.array_equal, np.array_equiv,
    np.argmax, np.argmin, np.argsort, np.argpartition, np.nonzero, np.count_nonzero, np.any,
    np.all, np.result_type, np.may_share_memory, np.shares_memory, np.iscomplexobj,
    np.isrealobj, np.ones_like, np.zeros_like, np.empty_like, np.full_like,
    np.round, np.around, np.fix, np.searchsorted, np.digitize, np.argwhere, np.flatnonzero,
    np.isin, np.isposinf, np.isneginf, np.einsum_path, np.unravel_index,
}


@dataclass(frozen=True)
class Route:
    """How a NumPy function's call becomes a call of its counterpart `fn`.

    The first `arrays` parameters (and any ``*args``) are passed on by position, those in
    `keywords` by keyword (renamed by `rename`), those in `ignored` dropped (they cannot change
    the result); any other argument must have its default value.
    """

    fn: Callable
    keywords: tuple[str, ...] = ()
    arrays: int = 1
    rename: tuple[tuple[str, str], ...] = ()
    ignored: tuple[str, ...] = ()


def _where(condition: Any, x: Any = None, y: Any = None) -> Any:
    if x is None and y is None:  # np.where(cond): the indices of the true elements
        return np.nonzero(_data(condition))
    return E.where(condition, x, y)


def _clip(a: Any, a_min: Any = None, a_max: Any = None, min: Any = None,  # noqa: A002
          max: Any = None) -> Variable:  # noqa: A002
    lo, hi = (a_min if a_min is not None else min), (a_max if a_max is not None else max)
    if isinstance(lo, Variable) or isinstance(hi, Variable):  # bounds that learn, too
        out = a if lo is None else E.maximum(a, lo)
        return out if hi is None else E.minimum(out, hi)
    return E.clip(a, lo, hi)


def _einsum(*operands: Any) -> Variable:
    if isinstance(operands[0], str):
        return EI.einsum(*operands)
    # the sublist form: op0, [0, 1], op1, [1, 2], ..., optionally the output [0, 2]
    def letters(sub: Any) -> str:
        return "".join("..." if i is Ellipsis else EI.LETTERS[i] for i in sub)
    if len(operands) % 2:
        arrays, subs, output = operands[0:-1:2], operands[1:-1:2], "->" + letters(operands[-1])
    else:
        arrays, subs, output = operands[0::2], operands[1::2], ""
    return EI.einsum(",".join(letters(s) for s in subs) + output, *arrays)


def _vector_norm(x: Any, axis: Any = None, keepdims: bool = False, ord: Any = 2) -> Variable:
    if axis is None:  # every element, whatever the shape
        flat = N.norm(M.ravel(x), ord)
        return S.reshape(flat, (1,) * np.ndim(_data(x))) if keepdims else flat
    return N.norm(x, ord, axis, keepdims)


def _matrix_norm(x: Any, keepdims: bool = False, ord: Any = "fro") -> Variable:
    return N.norm(x, ord, (-2, -1), keepdims)


ROUTES: dict[Callable, Route] = {
    np.sum: Route(R.sum, ("axis", "keepdims")),
    np.mean: Route(R.mean, ("axis", "keepdims")),
    np.var: Route(R.var, ("axis", "keepdims", "ddof", "correction"),
                  rename=(("correction", "ddof"),)),
    np.std: Route(R.std, ("axis", "keepdims", "ddof", "correction"),
                  rename=(("correction", "ddof"),)),
    np.max: Route(R.max, ("axis", "keepdims")),
    np.amax: Route(R.max, ("axis", "keepdims")),
    np.min: Route(R.min, ("axis", "keepdims")),
    np.amin: Route(R.min, ("axis", "keepdims")),
    np.prod: Route(R.prod, ("axis", "keepdims")),
    np.cumsum: Route(C.cumsum, ("axis",)),
    np.average: Route(R.average, ("axis", "weights", "keepdims")),
    np.reshape: Route(S.reshape, ("shape", "newshape"), rename=(("newshape", "shape"),),
                      ignored=("copy",)),
    np.transpose: Route(S.transpose, ("axes",)),
    np.swapaxes: Route(S.swapaxes, ("axis1", "axis2")),
    np.broadcast_to: Route(S.broadcast_to, ("shape",), ignored=("subok",)),
    np.concatenate: Route(S.concatenate, ("axis",)),
    np.stack: Route(S.stack, ("axis",)),
    np.split: Route(S.split, ("indices_or_sections", "axis"),
                    rename=(("indices_or_sections", "sections"),)),
    np.pad: Route(S.pad, ("pad_width", "constant_values"),
                  rename=(("constant_values", "value"),)),
    np.where: Route(_where, arrays=3),
    np.clip: Route(_clip, ("a_min", "a_max", "min", "max")),
    np.dot: Route(L.dot, arrays=2),
    np.vdot: Route(L.vdot, arrays=2),
    np.inner: Route(L.inner, arrays=2),
    np.outer: Route(L.outer, arrays=2),
    np.tensordot: Route(L.tensordot, ("axes",), arrays=2),
    np.einsum: Route(_einsum, ignored=("optimize",)),
    np.trace: Route(L.trace, ("offset", "axis1", "axis2")),
    np.linalg.norm: Route(N.norm, ("ord", "axis", "keepdims")),
    np.diagonal: Route(M.diagonal, ("offset", "axis1", "axis2")),
    np.squeeze: Route(M.squeeze, ("axis",)),
    np.expand_dims: Route(M.expand_dims, ("axis",)),
    np.moveaxis: Route(M.moveaxis, ("source", "destination")),
    np.ravel: Route(M.ravel),
    np.flip: Route(M.flip, ("axis",)),
    np.roll: Route(M.roll, ("shift", "axis")),
    np.tile: Route(M.tile, ("reps",)),
    np.repeat: Route(M.repeat, ("repeats", "axis")),
    np.take: Route(M.take, ("indices", "axis")),
    np.take_along_axis: Route(M.take_along_axis, ("indices", "axis")),
    np.sort: Route(M.sort, ("axis",), ignored=("kind", "stable")),
    np.diff: Route(M.diff, ("n", "axis", "prepend", "append")),
    np.atleast_1d: Route(M.atleast_1d),
    np.atleast_2d: Route(M.atleast_2d),
    np.atleast_3d: Route(M.atleast_3d),
    np.hstack: Route(M.hstack),
    np.vstack: Route(M.vstack),
    np.dstack: Route(M.dstack),
    np.column_stack: Route(M.column_stack),
}
if hasattr(np.linalg, "matmul"):  # NumPy >= 2.0
    ROUTES[np.linalg.matmul] = Route(L.matmul, arrays=2)
if hasattr(np.linalg, "vector_norm"):
    ROUTES[np.linalg.vector_norm] = Route(_vector_norm, ("axis", "keepdims", "ord"))
    ROUTES[np.linalg.matrix_norm] = Route(_matrix_norm, ("keepdims", "ord"))


# The supported spelling of functions without a differentiable counterpart, by full name.
ALTERNATIVES = {
    "np.cumprod": "F.exp(F.cumsum(F.log(x), axis)) for positive x",
    "np.nansum": "F.sum(F.where(np.isnan(x.data), 0.0, x))",
    "np.nanmean": "F.where(np.isnan(x.data), 0.0, x) summed, over the count of non-NaN values",
    "np.median": "F.sort(x, axis) and indexing the middle",
    "np.percentile": "F.sort(x, axis) and indexing",
    "np.quantile": "F.sort(x, axis) and indexing",
    "np.ptp": "F.max(x, axis) - F.min(x, axis)",
    "np.append": "F.concatenate([x, values], axis)",
    "np.copy": "the Variable itself (operations never change a Variable in place), or "
               "x.detach() for a constant",
    "np.array_split": "F.split(x, indices, axis) with explicit indices",
    "np.hypot": "F.sqrt(a * a + b * b)",
    "np.fmax": "F.maximum (NaNs propagate)",
    "np.fmin": "F.minimum (NaNs propagate)",
    "np.remainder": "x - m * np.floor(x.data / m)",
    "np.fmod": "x - m * np.trunc(x.data / m)",
    "np.nan_to_num": "F.where(np.isfinite(x.data), x, value)",
    "np.linalg.matrix_power": "repeated F.matmul",
    "np.cbrt": "F.sign-aware power: np.sign(x.data) * F.abs(x) ** (1 / 3)",
}

# What to do instead of an argument that is not supported, by parameter name.
ARGUMENT_HINTS = {
    "dtype": "convert first, with x.astype(dtype)",
    "out": "use the returned Variable (nothing is written into an array)",
    "where": "mask first, e.g. F.where(mask, x, 0.0)",
    "initial": "combine the result with the initial value yourself",
}


def numpy_name(func: Any) -> str:
    """The name a user types: ``np.sum``, ``np.linalg.norm``, ``np.add.reduce``."""
    if isinstance(func, np.ufunc):
        return f"np.{func.__name__}"
    name = getattr(func, "__name__", repr(func))
    for prefix, module in (("np", np), ("np.linalg", np.linalg), ("np.fft", np.fft)):
        if getattr(module, name, None) is func:
            return f"{prefix}.{name}"
    module = getattr(func, "__module__", None) or "numpy"
    return f"{module.replace('numpy', 'np', 1)}.{name}"


def _not_differentiable(name: str) -> TypeError:
    alternative = ALTERNATIVES.get(name)
    return TypeError(
        f"{name} is not differentiable in autograd_lite; "
        + (f"use {alternative}, " if alternative else "use autograd_lite.functions, ")
        + "or pass x.data to treat x as a constant"
    )


def _data(x: Any) -> Any:
    if isinstance(x, Variable):
        return x.data
    if isinstance(x, (list, tuple)):
        return type(x)(_data(i) for i in x)
    return x


_SIGNATURES: dict[Any, inspect.Signature] = {}


def _signature(func: Any) -> inspect.Signature:
    sig = _SIGNATURES.get(func)
    if sig is None:
        sig = _SIGNATURES[func] = inspect.signature(func)
    return sig


def _short(value: Any) -> str:
    """An argument as an error message shows it: arrays by their shape, not their values."""
    if isinstance(value, (np.ndarray, Variable)):
        return f"<{type(value).__name__} of shape {value.shape}>"
    if isinstance(value, tuple):
        return "(" + ", ".join(map(_short, value)) + ("," if len(value) == 1 else "") + ")"
    text = getattr(value, "__name__", None) or repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_default(value: Any, default: Any) -> bool:
    if value is default:
        return True
    try:
        return isinstance(value, (str, int, float, bool, type(None))) and bool(value == default)
    except (TypeError, ValueError):
        return False


def _call(route: Route, name: str, sig: inspect.Signature, args: tuple, kwargs: dict) -> Any:
    """Bind the call by NumPy's signature `sig`, check every argument, call `route.fn`."""
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"{name}: {e}") from None
    positional, keywords = [], {}
    rename = dict(route.rename)
    for i, (param, spec) in enumerate(sig.parameters.items()):
        if param not in bound.arguments:
            continue
        value = bound.arguments[param]
        if spec.kind is spec.VAR_POSITIONAL:
            positional.extend(value)
            continue
        items = value.items() if spec.kind is spec.VAR_KEYWORD else [(param, value)]
        for key, v in items:
            if i < route.arrays and spec.kind is not spec.VAR_KEYWORD:
                positional.append(v)
            elif key in route.keywords:
                keywords[rename.get(key, key)] = v
            elif key not in route.ignored and not (
                    _is_default(v, spec.default) or (key == "where" and v is True)):
                hint = ARGUMENT_HINTS.get(key, "it is not supported for Variables")
                raise TypeError(f"{name}(..., {key}={_short(v)}) is not supported on "
                                f"Variables: {hint}")
    return route.fn(*positional, **keywords)


def _ufunc_call(*inputs: Any, out: Any = None, where: Any = True, casting: str = "same_kind",
                order: str = "K", dtype: Any = None, subok: bool = True,
                signature: Any = None) -> None:
    """NumPy's keywords of a ufunc call, for binding (never called)."""


def _ufunc_reduce(array: Any, axis: Any = 0, dtype: Any = None, out: Any = None,
                  keepdims: bool = False, initial: Any = None, where: Any = True) -> None:
    """NumPy's parameters of ``ufunc.reduce``, for binding (never called)."""


def _ufunc_accumulate(array: Any, axis: int = 0, dtype: Any = None, out: Any = None) -> None:
    """NumPy's parameters of ``ufunc.accumulate``, for binding (never called)."""


REDUCE = {np.add: R.sum, np.multiply: R.prod, np.maximum: R.max, np.minimum: R.min}
ACCUMULATE = {np.add: C.cumsum}


def _with_axis_zero(fn: Callable) -> Callable:
    """``ufunc.reduce`` and ``accumulate`` default to axis 0, not to every axis."""
    return lambda x, axis=0, **kw: fn(x, axis=axis, **kw)


def array_ufunc(ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
    if ufunc in CONSTANT_UFUNCS:
        return getattr(ufunc, method)(*_data(inputs), **_data(kwargs))
    name = numpy_name(ufunc)
    if method == "__call__" and ufunc in UFUNCS:
        route = Route(UFUNCS[ufunc])
        return _call(route, name, _signature(_ufunc_call), inputs, kwargs)
    if method == "reduce" and ufunc in REDUCE:
        route = Route(_with_axis_zero(REDUCE[ufunc]), ("axis", "keepdims"))
        return _call(route, f"{name}.reduce", _signature(_ufunc_reduce), inputs, kwargs)
    if method == "accumulate" and ufunc in ACCUMULATE:
        route = Route(_with_axis_zero(ACCUMULATE[ufunc]), ("axis",))
        return _call(route, f"{name}.accumulate", _signature(_ufunc_accumulate), inputs,
                     kwargs)
    if method == "outer" and ufunc in UFUNCS and ufunc.nin == 2 and not kwargs:
        a, b = inputs  # every element of a with every element of b: shape a.shape + b.shape
        a = S.reshape(a, np.shape(_data(a)) + (1,) * np.ndim(_data(b)))
        return UFUNCS[ufunc](a, b)
    raise _not_differentiable(name if method == "__call__" else f"{name}.{method}")


def _copyto(dst: Any, src: Any, casting: str = "same_kind", where: Any = True) -> None:
    """A write into a Variable's data: done, and declared, so a backward through a graph that
    saved the old values refuses instead of using the new ones."""
    np.copyto(_data(dst), _data(src), casting=casting, where=_data(where))
    if isinstance(dst, Variable):
        dst.mark_modified()


def array_function(func: Callable, args: tuple, kwargs: dict) -> Any:
    if func in CONSTANT_FUNCTIONS:
        return func(*_data(args), **_data(kwargs))
    if func is np.copyto:
        return _copyto(*args, **kwargs)
    route = ROUTES.get(func)
    if route is None:
        raise _not_differentiable(numpy_name(func))
    return _call(route, numpy_name(func), _signature(func), args, kwargs)
