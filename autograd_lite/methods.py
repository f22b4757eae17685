"""Variable's operators and array methods: front doors to the op library.

The engine (`autograd_lite.core`) never imports the op library, which is built on top of it.
Instead the library registers the functions these methods call in `ops` when it is imported
(``autograd_lite.functions`` does so), and the engine reaches its own chores (undoing
broadcasting, casting gradients) through the same table. So imports point down: functions ->
core -> methods.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np


class _Ops:
    """The registry: one attribute per function the engine and the methods below need."""

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"autograd_lite: no function {name!r} is registered with the "
                             "engine; import autograd_lite (which registers its op library)")


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

    # -- reductions: NumPy's axis/keepdims, or PyTorch's dim/keepdim (keyword only)
    def sum(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None) -> Any:
        return ops.sum(self, _axis(axis, dim), _keep(keepdims, keepdim))

    def mean(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
             keepdim: bool | None = None) -> Any:
        return ops.mean(self, _axis(axis, dim), _keep(keepdims, keepdim))

    def var(self, axis: Any = None, keepdims: bool = False, ddof: int = 0, *, dim: Any = None,
            keepdim: bool | None = None) -> Any:
        return ops.var(self, _axis(axis, dim), _keep(keepdims, keepdim), ddof)

    def std(self, axis: Any = None, keepdims: bool = False, ddof: int = 0, *, dim: Any = None,
            keepdim: bool | None = None) -> Any:
        return ops.std(self, _axis(axis, dim), _keep(keepdims, keepdim), ddof)

    def prod(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
             keepdim: bool | None = None) -> Any:
        return ops.prod(self, _axis(axis, dim), _keep(keepdims, keepdim))

    def logsumexp(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
                  keepdim: bool | None = None) -> Any:
        return ops.logsumexp(self, _axis(axis, dim), _keep(keepdims, keepdim))

    def norm(self, ord: Any = None, axis: Any = None, keepdims: bool = False, *,
             dim: Any = None, keepdim: bool | None = None) -> Any:
        """``np.linalg.norm`` of this Variable (2-norm of all elements by default)."""
        return ops.norm(self, ord, _axis(axis, dim), _keep(keepdims, keepdim))

    def max(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None) -> Any:
        """The largest value over `axis` (NumPy). With ``dim=`` (PyTorch), the pair
        ``(values, indices)``, as ``torch.max(x, dim)`` returns."""
        return _extreme(self, ops.max, np.argmax, axis, keepdims, dim, keepdim)

    def min(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None) -> Any:
        """The smallest value over `axis`; with ``dim=``, ``(values, indices)``."""
        return _extreme(self, ops.min, np.argmin, axis, keepdims, dim, keepdim)

    def cumsum(self, axis: int | None = None, *, dim: int | None = None) -> Any:
        return ops.cumsum(self, _axis(axis, dim))

    def argmax(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
               keepdim: bool | None = None) -> np.ndarray:
        """Indices of the largest values: a plain integer array (not differentiable)."""
        return np.argmax(self._data, axis=_axis(axis, dim), keepdims=_keep(keepdims, keepdim))

    def argmin(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
               keepdim: bool | None = None) -> np.ndarray:
        """Indices of the smallest values: a plain integer array (not differentiable)."""
        return np.argmin(self._data, axis=_axis(axis, dim), keepdims=_keep(keepdims, keepdim))

    # -- elementwise
    def exp(self) -> Any:
        return ops.exp(self)

    def log(self) -> Any:
        return ops.log(self)

    def sqrt(self) -> Any:
        return ops.sqrt(self)

    def abs(self) -> Any:
        return ops.abs(self)

    def tanh(self) -> Any:
        return ops.tanh(self)

    def sigmoid(self) -> Any:
        return ops.sigmoid(self)

    def relu(self) -> Any:
        return ops.relu(self)

    def clip(self, min: Any = None, max: Any = None) -> Any:  # noqa: A002 - ndarray.clip's names
        """Values limited to ``[min, max]`` (either may be None), as ``ndarray.clip``."""
        return ops.clip(self, min, max)

    clamp = clip  # PyTorch's name

    def softmax(self, axis: int = -1, *, dim: int | None = None) -> Any:
        return ops.softmax(self, _axis(axis, dim))

    def log_softmax(self, axis: int = -1, *, dim: int | None = None) -> Any:
        return ops.log_softmax(self, _axis(axis, dim))

    # -- more shapes
    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Any:
        """Merge the axes from `start_dim` to `end_dim` (by default all: a 1-D result)."""
        return ops.flatten(self, start_dim, end_dim)

    def squeeze(self, axis: Any = None, *, dim: Any = None) -> Any:
        return ops.squeeze(self, _axis(axis, dim))

    def unsqueeze(self, dim: int) -> Any:
        """A new axis of size 1 at `dim` (PyTorch's name for ``np.expand_dims``)."""
        return ops.unsqueeze(self, dim)

    # -- dtype
    def astype(self, dtype: Any) -> Any:
        """A copy converted to `dtype`; the gradient flows back converted to this dtype."""
        return ops.astype(self, dtype)

    def to(self, dtype: Any) -> Any:
        """PyTorch's spelling of `astype` (dtypes only: there is no device to move to)."""
        return ops.astype(self, dtype)

    def float(self) -> Any:
        """A float32 copy (differentiable), as ``torch.Tensor.float``."""
        return ops.astype(self, np.float32)

    def double(self) -> Any:
        """A float64 copy (differentiable), as ``torch.Tensor.double``."""
        return ops.astype(self, np.float64)

    def clone(self) -> Any:
        """A differentiable copy (``copy`` in NumPy's words)."""
        return ops.astype(self, self._data.dtype)

    copy = clone


def _axis(axis: Any, dim: Any) -> Any:
    """The axis, given in NumPy's words (`axis`) or PyTorch's (`dim`), not both."""
    if dim is None:
        return axis
    if axis is not None and axis != -1:
        raise TypeError("give the axis either as axis= (NumPy) or as dim= (PyTorch), not both")
    return dim


def _keep(keepdims: bool, keepdim: bool | None) -> bool:
    return keepdims if keepdim is None else keepdim


def _extreme(x: Any, reduce: Any, arg: Any, axis: Any, keepdims: bool, dim: Any,
             keepdim: bool | None) -> Any:
    keep = _keep(keepdims, keepdim)
    if dim is None:
        return reduce(x, axis, keep)
    return MaxMin(reduce(x, dim, keep), arg(x._data, axis=dim, keepdims=keep))


class MaxMin(NamedTuple):
    """``(values, indices)``: what ``x.max(dim=...)`` returns, as in PyTorch."""

    values: Any
    indices: np.ndarray
