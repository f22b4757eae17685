"""Functions that move, copy or pick elements: reshape, transpose, broadcasting, joining,
splitting, indexing and padding. Their gradients move the same elements back."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable, as_variable


def sum_to_array(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum `x` down to `shape`, undoing NumPy broadcasting (ndarrays only)."""
    if x.shape == shape:
        return x
    lead = x.ndim - len(shape)
    if lead < 0:
        raise ValueError(f"sum_to: cannot sum shape {x.shape} to the larger rank of {shape}")
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1
    )
    for i, n in enumerate(shape):
        if n != 1 and x.shape[lead + i] != n:
            raise ValueError(f"sum_to: shape {x.shape} does not broadcast from {shape}")
    y = x.sum(axis=axes, keepdims=True) if axes else x
    return y.reshape(shape) if lead else y


class Reshape(Function):
    __slots__ = ("shape",)

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        return x.reshape(self.shape)

    def vjp(self, gy, y, x):
        return gy.reshape(x.shape)


class Transpose(Function):
    __slots__ = ("axes",)

    def __init__(self, axes: tuple[int, ...] | None) -> None:
        self.axes = axes

    def forward(self, x):
        return x.transpose(self.axes)

    def vjp(self, gy, y, x):
        if self.axes is None:
            return gy.transpose()
        return gy.transpose(tuple(np.argsort([a % x.ndim for a in self.axes])))


class BroadcastTo(Function):
    __slots__ = ("shape",)

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = tuple(shape)

    def forward(self, x):
        return np.broadcast_to(x, self.shape)

    def vjp(self, gy, y, x):
        return SumTo(x.shape).apply(gy)


class SumTo(Function):
    __slots__ = ("shape",)

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = tuple(shape)

    def forward(self, x):
        return sum_to_array(x, self.shape)

    def vjp(self, gy, y, x):
        return BroadcastTo(x.shape).apply(gy)


class Concatenate(Function):
    __slots__ = ("axis",)

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs):
        return np.concatenate(xs, axis=self.axis)

    def vjp(self, gy, y, *xs):
        axis = self.axis % gy.ndim
        edges = np.cumsum([0] + [x.shape[axis] for x in xs])
        head = (slice(None),) * axis
        return tuple(gy[head + (slice(lo, hi),)] if need else None
                     for lo, hi, need in zip(edges[:-1], edges[1:], self.needs_input_grad))


class Stack(Function):
    __slots__ = ("axis",)

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs):
        return np.stack(xs, axis=self.axis)

    def vjp(self, gy, y, *xs):
        head = (slice(None),) * (self.axis % gy.ndim)
        return tuple(gy[head + (i,)] if need else None
                     for i, need in enumerate(self.needs_input_grad))


class Split(Function):
    __slots__ = ("sections", "axis")

    def __init__(self, sections: Any, axis: int) -> None:
        self.sections, self.axis = sections, axis

    def forward(self, x):
        return tuple(np.split(x, self.sections, axis=self.axis))

    def vjp(self, gys, ys, x):
        if not isinstance(gys, tuple):  # one section: the engine passes a single gradient
            gys = (gys,)
        parts = np.split(np.empty(x.shape, dtype=bool), self.sections, axis=self.axis)
        gys = [np.zeros(p.shape, dtype=x.dtype) if g is None else g for g, p in zip(gys, parts)]
        return Concatenate(self.axis).apply(*_same_kind(gys))


def _same_kind(items: list) -> list:
    """Make every item a Variable if any is one (zeros filled in for unused outputs)."""
    if any(isinstance(g, Variable) for g in items):
        return [as_variable(g) for g in items]
    return items


def _normalize_index(index: Any) -> Any:
    """Indices as NumPy takes them, with Variables and lists turned into arrays."""
    if isinstance(index, tuple):
        return tuple(_normalize_index(i) for i in index)
    if isinstance(index, Variable):
        return index.data
    if isinstance(index, list):
        index = np.asarray(index)
        # [] (or [[]]) has no elements to say it holds integers: NumPy takes it as an empty
        # integer index, x[[]] of shape (0, ...)
        return index.astype(np.intp) if index.size == 0 and index.dtype.kind == "f" else index
    return index


def _is_basic(index: Any) -> bool:
    """Basic indexing (ints, slices, None, ...) never repeats an element."""
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis
               for i in items)


class GetItem(Function):
    __slots__ = ("index",)

    def __init__(self, index: Any) -> None:
        self.index = index

    def forward(self, x):
        return x[self.index]

    def vjp(self, gy, y, x):
        return GetItemGrad(self.index, x.shape).apply(gy)


class GetItemGrad(Function):
    """Scatter `gy` into zeros of the input's shape, adding where an index repeats."""

    __slots__ = ("index", "shape")

    def __init__(self, index: Any, shape: tuple[int, ...]) -> None:
        self.index, self.shape = index, shape

    def forward(self, gy):
        gx = np.zeros(self.shape, dtype=gy.dtype)
        if _is_basic(self.index):
            gx[self.index] = gy
        elif (isinstance(self.index, np.ndarray) and self.index.dtype.kind in "iu"
              and self.index.size and gx.ndim > 1):
            _add_rows(gx, self.index, gy)
        else:
            np.add.at(gx, self.index, gy)
        return gx

    def vjp(self, ggx, y, gy):
        return GetItem(self.index).apply(ggx)


def _add_rows(gx: np.ndarray, ids: np.ndarray, gy: np.ndarray) -> None:
    """``np.add.at(gx, ids, gy)`` for integer row ids (an embedding's gradient), some four
    times faster: the rows of `gy` are sorted by id and summed per id in one ``reduceat``."""
    flat = ids.ravel()
    flat = flat + (flat < 0) * gx.shape[0]  # -1 and n-1 are the same row
    rows = gy.reshape((flat.size,) + gx.shape[1:])
    order = np.argsort(flat, kind="stable")
    ordered = flat[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    gx[ordered[starts]] = np.add.reduceat(rows[order], starts, axis=0)


class Pad(Function):
    __slots__ = ("pad_width", "value")

    def __init__(self, pad_width: tuple[tuple[int, int], ...], value: float) -> None:
        self.pad_width, self.value = pad_width, value

    def forward(self, x):
        return np.pad(x, self.pad_width, constant_values=self.value)

    def vjp(self, gy, y, x):
        return gy[tuple(slice(lo, lo + n) for (lo, _), n in zip(self.pad_width, x.shape))]


def reshape(x: Any, shape: Any) -> Variable:
    """`x` with a new shape (one entry may be -1)."""
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    x = as_variable(x)
    if x.shape == shape:
        return x
    return Reshape(shape)(x)


def transpose(x: Any, axes: Any = None) -> Variable:
    """Permute the axes (reverse them when `axes` is None)."""
    return Transpose(None if axes is None else tuple(axes))(x)


def swapaxes(x: Any, axis1: int, axis2: int) -> Variable:
    """Exchange two axes."""
    x = as_variable(x)
    axes = list(range(x.ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return Transpose(tuple(axes))(x)


def broadcast_to(x: Any, shape: Any) -> Variable:
    """`x` repeated along new or size-1 axes to `shape` (the gradient sums back)."""
    return BroadcastTo(tuple(shape))(x)


def sum_to(x: Any, shape: Any) -> Variable:
    """Sum `x` down to `shape`: the inverse of `broadcast_to`."""
    return SumTo(tuple(shape))(x)


def concatenate(xs: Any, axis: int | None = 0) -> Variable:
    """Join a sequence of arrays along an existing axis (None: their flattened elements)."""
    if axis is None:
        xs, axis = [reshape(x, (-1,)) for x in xs], 0
    return Concatenate(axis)(*xs)


def stack(xs: Any, axis: int = 0) -> Variable:
    """Join a sequence of same-shaped arrays along a new axis."""
    return Stack(axis)(*xs)


def split(x: Any, sections: Any, axis: int = 0) -> tuple[Variable, ...]:
    """Split into equal `sections` (an int) or at the given indices, as `np.split`."""
    if not isinstance(sections, (int, np.integer)):
        sections = tuple(sections)
    out = Split(sections, axis)(x)
    return out if isinstance(out, tuple) else (out,)


def flatten(x: Any, start_dim: int = 1, end_dim: int = -1) -> Variable:
    """Merge the axes `start_dim` to `end_dim` (included) into one, as ``torch.flatten``.

    (N, C, H, W) -> (N, C*H*W) by default; a 0-d input counts as one axis and gives shape
    (1,) (``start_dim=0``); an axis out of range is an error, as in PyTorch.
    """
    x = as_variable(x)
    ndim = x.ndim or 1
    start = start_dim + ndim if start_dim < 0 else start_dim
    end = end_dim + ndim if end_dim < 0 else end_dim
    if not (0 <= start < ndim and 0 <= end < ndim):
        raise ValueError(f"flatten: start_dim {start_dim} and end_dim {end_dim} must be axes of "
                         f"the input of shape {x.shape} (from {-ndim} to {ndim - 1})")
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for an "
                         f"input of shape {x.shape}")
    shape = x.shape or (1,)
    return reshape(x, shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])


def getitem(x: Any, index: Any) -> Variable:
    """``x[index]``: basic and advanced indexing; repeated indices add their gradients."""
    return GetItem(_normalize_index(index))(x)


def pad(x: Any, pad_width: Any, value: float = 0.0) -> Variable:
    """Pad with a constant, `pad_width` as in `np.pad` (int, (before, after) or one per axis)."""
    x = as_variable(x)
    width = np.broadcast_to(np.asarray(pad_width, dtype=int), (x.ndim, 2))
    if (width < 0).any():
        raise ValueError(f"pad: negative pad width {pad_width}")
    return Pad(tuple((int(a), int(b)) for a, b in width), value)(x)
