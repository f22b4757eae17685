"""NumPy's array manipulation routines, composed from the shape primitives (reshape, transpose,
broadcast_to, concatenate, getitem), so each gradient is theirs: squeeze, expand_dims,
moveaxis, ravel, flip, roll, tile, repeat, take, take_along_axis, diagonal, sort, diff, the
atleast_nd family and the stacking helpers. Arguments and results follow NumPy's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd_lite.core import Variable, as_variable
from autograd_lite.functions.reduction import normalize_axis
from autograd_lite.functions.shape import broadcast_to, concatenate, getitem, reshape, transpose


def _one_axis(op: str, axis: Any, ndim: int) -> int:
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be an int, got {axis!r}")
    return normalize_axis(op, axis, ndim)[0]


def _axes_in_order(op: str, axes: Any, ndim: int) -> list[int]:
    """Axes as non-negative ints in the order given (normalize_axis sorts them)."""
    axes = [axes] if isinstance(axes, (int, np.integer)) else list(axes)
    out = [_one_axis(op, a, ndim) for a in axes]
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axes}")
    return out


def squeeze(x: Any, axis: Any = None) -> Variable:
    """Remove axes of length 1: all of them (`axis` None) or the given ones, which must be 1."""
    x = as_variable(x)
    if axis is None:
        return reshape(x, tuple(n for n in x.shape if n != 1))
    axes = normalize_axis("squeeze", axis, x.ndim)
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(f"squeeze: axis {a} has length {x.shape[a]}, not 1 (input of shape "
                             f"{x.shape})")
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in axes))


def expand_dims(x: Any, axis: Any) -> Variable:
    """Insert axes of length 1 at the positions `axis` (an int or a tuple) of the result."""
    x = as_variable(x)
    n_new = 1 if isinstance(axis, (int, np.integer)) else len(tuple(axis))
    axes = normalize_axis("expand_dims", axis, x.ndim + n_new)
    rest = iter(x.shape)
    return reshape(x, tuple(1 if i in axes else next(rest) for i in range(x.ndim + n_new)))


def unsqueeze(x: Any, dim: int) -> Variable:
    """PyTorch's name: `expand_dims` with one axis, ``dim`` in ``[-ndim - 1, ndim]``."""
    x = as_variable(x)
    return expand_dims(x, _one_axis("unsqueeze", dim, x.ndim + 1))


def moveaxis(x: Any, source: Any, destination: Any) -> Variable:
    """Move axes to new positions; the others keep their order, as ``np.moveaxis``.

    Shapes: ``moveaxis(x of shape (2, 3, 4), 0, -1)`` has shape (3, 4, 2).
    """
    x = as_variable(x)
    src = _axes_in_order("moveaxis", source, x.ndim)
    dst = _axes_in_order("moveaxis", destination, x.ndim)
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: {len(src)} source axes but {len(dst)} destinations")
    order = [a for a in range(x.ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(x, order)


def ravel(x: Any) -> Variable:
    """The elements as one axis, in C order: shape (x.size,)."""
    return reshape(x, (-1,))


def flip(x: Any, axis: Any = None) -> Variable:
    """Reverse the order of the elements along `axis` (None: every axis)."""
    x = as_variable(x)
    axes = normalize_axis("flip", axis, x.ndim)
    axes = range(x.ndim) if axes is None else axes
    return getitem(x, tuple(slice(None, None, -1) if i in axes else slice(None)
                            for i in range(x.ndim)))


def roll(x: Any, shift: Any, axis: Any = None) -> Variable:
    """Shift elements cyclically along `axis` (None: over the flattened array, then reshaped).

    `shift` and `axis` may be sequences (one shift per axis), as in ``np.roll``.
    """
    x = as_variable(x)
    if axis is None:
        return reshape(roll(ravel(x), shift, 0), x.shape)
    shifts, axes = np.broadcast_arrays(np.asarray(shift), np.asarray(axis))
    total: dict[int, int] = {}
    for s, a in zip(shifts.ravel(), axes.ravel()):
        a = _one_axis("roll", int(a), x.ndim)
        total[a] = total.get(a, 0) + int(s)
    for a, s in total.items():
        n = x.shape[a]
        s = s % n if n else 0
        if s:
            head = (slice(None),) * a
            x = concatenate([x[head + (slice(n - s, None),)], x[head + (slice(0, n - s),)]], a)
    return x


def tile(x: Any, reps: Any) -> Variable:
    """`x` repeated `reps` times along each axis, as ``np.tile`` (the gradient sums copies)."""
    x = as_variable(x)
    reps = tuple(int(r) for r in np.atleast_1d(reps))
    if any(r < 0 for r in reps):
        raise ValueError(f"tile: negative repetitions {reps}")
    d = max(len(reps), x.ndim)
    shape = (1,) * (d - x.ndim) + x.shape
    reps = (1,) * (d - len(reps)) + reps
    spread = reshape(x, tuple(v for n in shape for v in (1, n)))
    copies = broadcast_to(spread, tuple(v for r, n in zip(reps, shape) for v in (r, n)))
    return reshape(copies, tuple(r * n for r, n in zip(reps, shape)))


def take(x: Any, indices: Any, axis: int | None = None) -> Variable:
    """The elements at integer `indices` along `axis` (None: of the flattened array)."""
    x = as_variable(x)
    if axis is None:
        x, axis = ravel(x), 0
    axis = _one_axis("take", axis, x.ndim)
    indices = np.asarray(indices.data if isinstance(indices, Variable) else indices)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"take: indices must be integers, got dtype {indices.dtype}")
    return getitem(x, (slice(None),) * axis + (indices,))


def repeat(x: Any, repeats: Any, axis: int | None = None) -> Variable:
    """Repeat each element `repeats` times (an int, or one count per element) along `axis`
    (None: of the flattened array), as ``np.repeat``."""
    x = as_variable(x)
    if axis is None:
        x, axis = ravel(x), 0
    axis = _one_axis("repeat", axis, x.ndim)
    counts = np.asarray(repeats)
    if counts.dtype.kind not in "iu" or (counts < 0).any():
        raise ValueError(f"repeat: repeats must be non-negative integers, got {repeats!r}")
    if counts.ndim:
        return take(x, np.repeat(np.arange(x.shape[axis]), counts), axis)
    r, shape = int(counts), x.shape
    copies = broadcast_to(expand_dims(x, axis + 1), shape[:axis + 1] + (r,) + shape[axis + 1:])
    return reshape(copies, shape[:axis] + (shape[axis] * r,) + shape[axis + 1:])


def take_along_axis(x: Any, indices: Any, axis: int | None = -1) -> Variable:
    """``x`` picked at `indices` along `axis`, matching the other axes, as
    ``np.take_along_axis`` (e.g. with the output of ``np.argsort``)."""
    x = as_variable(x)
    indices = np.asarray(indices.data if isinstance(indices, Variable) else indices)
    if axis is None:
        x, axis = ravel(x), 0
    if indices.dtype.kind not in "iu":
        raise TypeError(f"take_along_axis: indices must be integers, got dtype {indices.dtype}")
    if indices.ndim != x.ndim:
        raise ValueError(f"take_along_axis: indices of shape {indices.shape} need as many axes "
                         f"as the input of shape {x.shape}")
    axis = _one_axis("take_along_axis", axis, x.ndim)
    index = tuple(indices if d == axis else
                  np.arange(n).reshape((1,) * d + (n,) + (1,) * (x.ndim - d - 1))
                  for d, n in enumerate(x.shape))
    return getitem(x, index)


def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Variable:
    """The diagonal of the (axis1, axis2) planes, as the last axis of the result.

    Shapes: (..., n, m) with ``axis1=-2, axis2=-1`` gives (..., min(n, m)) for offset 0.
    """
    x = as_variable(x)
    a1, a2 = _axes_in_order("diagonal", (axis1, axis2), x.ndim)
    order = [a for a in range(x.ndim) if a not in (a1, a2)] + [a1, a2]
    moved = transpose(x, order)
    n1, n2 = x.shape[a1], x.shape[a2]
    r0, c0 = max(-offset, 0), max(offset, 0)
    steps = np.arange(max(0, min(n1 - r0, n2 - c0)))
    return getitem(moved, (Ellipsis, steps + r0, steps + c0))


def sort(x: Any, axis: int | None = -1) -> Variable:
    """Sorted copy along `axis` (None: flattened); the gradient goes back to where each
    element came from (ties: in a stable order)."""
    x = as_variable(x)
    if axis is None:
        x, axis = ravel(x), 0
    order = np.argsort(x.data, axis=axis, kind="stable")
    return take_along_axis(x, order, axis)


def diff(x: Any, n: int = 1, axis: int = -1, prepend: Any = None, append: Any = None
         ) -> Variable:
    """The `n`-th discrete difference ``x[1:] - x[:-1]`` along `axis`, as ``np.diff``."""
    x = as_variable(x)
    if n < 0:
        raise ValueError(f"diff: order n must be non-negative, got {n}")
    axis = _one_axis("diff", axis, x.ndim)
    if n == 0:  # NumPy returns the input itself, without prepend or append
        return x
    # a Python number takes x's dtype, as everywhere in expressions with Variables
    ends = [as_variable(np.asarray(e, x.dtype) if isinstance(e, (int, float)) else e)
            for e in (prepend, append) if e is not None]
    if ends:
        edge = x.shape[:axis] + (1,) + x.shape[axis + 1:]
        ends = [broadcast_to(e, edge) if e.ndim == 0 else e for e in ends]
        parts = ([ends.pop(0)] if prepend is not None else []) + [x] + ends
        x = concatenate(parts, axis)
    head = (slice(None),) * axis
    for _ in range(n):
        x = x[head + (slice(1, None),)] - x[head + (slice(None, -1),)]
    return x


def _atleast(xs: Sequence[Any], shape_of: Any) -> Any:
    out = tuple(reshape(v, shape_of(v.shape)) for v in map(as_variable, xs))
    return out[0] if len(out) == 1 else out


def atleast_1d(*xs: Any) -> Any:
    """Each input with at least one axis: 0-d becomes (1,). One input: one result, else a tuple."""
    return _atleast(xs, lambda s: s or (1,))


def atleast_2d(*xs: Any) -> Any:
    """Each input with at least two axes: () -> (1, 1), (n,) -> (1, n)."""
    return _atleast(xs, lambda s: (1,) * (2 - len(s)) + s if len(s) < 2 else s)


def atleast_3d(*xs: Any) -> Any:
    """Each input with at least three axes: () -> (1, 1, 1), (n,) -> (1, n, 1),
    (m, n) -> (m, n, 1), as ``np.atleast_3d``."""
    return _atleast(xs, lambda s: {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}.get(len(s), s))


def _as_tuple(x: Any) -> tuple:
    return x if isinstance(x, tuple) else (x,)


def hstack(xs: Sequence[Any]) -> Variable:
    """Join along the second axis (the first for 1-D inputs), as ``np.hstack``."""
    parts = _as_tuple(atleast_1d(*xs))
    return concatenate(parts, 0 if parts[0].ndim == 1 else 1)


def vstack(xs: Sequence[Any]) -> Variable:
    """Join as rows: 1-D inputs of length n become (1, n), then join along the first axis."""
    return concatenate(_as_tuple(atleast_2d(*xs)), 0)


def dstack(xs: Sequence[Any]) -> Variable:
    """Join along the third axis, after `atleast_3d`."""
    return concatenate(_as_tuple(atleast_3d(*xs)), 2)


def column_stack(xs: Sequence[Any]) -> Variable:
    """Join 1-D inputs as columns of a 2-D result (2-D inputs as they are)."""
    cols = [as_variable(x) for x in xs]
    cols = [reshape(c, (-1, 1)) if c.ndim < 2 else c for c in cols]
    return concatenate(cols, 1)
