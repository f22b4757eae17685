"""Variable's operators and array methods: front doors to the op library.

The engine (`autograd_lite.core`) never imports the op library, which is built on top of it.
Instead the library registers the functions these methods call in `ops` when it is imported
(``autograd_lite.functions`` does so), and the engine reaches its own chores (undoing
broadcasting, casting gradients) through the same table. So imports point down: functions ->
core -> methods.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class _Ops:
    """The registry: one attribute per function the engine and the methods below need."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"autograd_lite: no function {name!r} is registered with the engine; "
                           "import autograd_lite (which registers its op library) first")


ops = _Ops()


def register_ops(**functions: Any) -> None:
    """Register the op library's functions by name (e.g. ``add=...``, ``sum_to=...``)."""
    for name, fn in functions.items():
        setattr(ops, name, fn)


def _data_of(x: Any) -> Any:
    return x._data if isinstance(x, VariableMethods) else x


class VariableMethods:
    """Operators and methods of `Variable`, each one call into the op library.

    Arithmetic takes Variables, ndarrays and numbers on either side (an ndarray on the left
    still gives a Variable, through NumPy's protocols). Comparisons give plain boolean ndarrays
    (they are not differentiable), as do ``argmax``/``argmin``.
    """

    __slots__ = ()
    _data: np.ndarray  # provided by Variable

    # -- arithmetic
    def __add__(self, other: Any) -> Any:
        return ops.Add()(self, other)

    def __radd__(self, other: Any) -> Any:
        return ops.Add()(other, self)

    def __sub__(self, other: Any) -> Any:
        return ops.Sub()(self, other)

    def __rsub__(self, other: Any) -> Any:
        return ops.Sub()(other, self)

    def __mul__(self, other: Any) -> Any:
        return ops.Mul()(self, other)

    def __rmul__(self, other: Any) -> Any:
        return ops.Mul()(other, self)

    def __truediv__(self, other: Any) -> Any:
        return ops.Div()(self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return ops.Div()(other, self)

    def __pow__(self, other: Any) -> Any:
        return ops.Pow()(self, other)

    def __rpow__(self, other: Any) -> Any:
        return ops.Pow()(other, self)

    def __matmul__(self, other: Any) -> Any:
        return ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Any:
        return ops.matmul(other, self)

    def __neg__(self) -> Any:
        return ops.Neg()(self)

    def __pos__(self) -> Any:
        return self

    def __abs__(self) -> Any:
        return ops.abs(self)

    def __getitem__(self, index: Any) -> Any:
        return ops.getitem(self, index)

    # -- comparisons: plain boolean ndarrays
    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return self._data == _data_of(other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return self._data != _data_of(other)

    def __lt__(self, other: Any) -> Any:
        return self._data < _data_of(other)

    def __le__(self, other: Any) -> Any:
        return self._data <= _data_of(other)

    def __gt__(self, other: Any) -> Any:
        return self._data > _data_of(other)

    def __ge__(self, other: Any) -> Any:
        return self._data >= _data_of(other)

    __hash__ = object.__hash__

    # -- NumPy's protocols: np.exp(x), np.sum(x), ndarray * x all stay differentiable
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return ops.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        return ops.array_function(func, args, kwargs)

    # -- shapes
    @property
    def T(self) -> Any:
        return ops.transpose(self)

    @property
    def mT(self) -> Any:
        """Swap the last two axes (matrix transpose of a batch)."""
        return ops.swapaxes(self, -1, -2)

    def reshape(self, *shape: Any) -> Any:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return ops.reshape(self, shape)

    def transpose(self, *axes: Any) -> Any:
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        return ops.transpose(self, axes or None)

    def swapaxes(self, axis1: int, axis2: int) -> Any:
        return ops.swapaxes(self, axis1, axis2)

    # -- reductions
    def sum(self, axis: Any = None, keepdims: bool = False) -> Any:
        return ops.sum(self, axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Any:
        return ops.mean(self, axis, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Any:
        return ops.max(self, axis, keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Any:
        return ops.min(self, axis, keepdims)

    # -- dtype
    def astype(self, dtype: Any) -> Any:
        """A copy converted to `dtype`; the gradient flows back converted to this dtype."""
        return ops.astype(self, dtype)
