"""Converters of the Functions that move elements: reshape, transpose, broadcasting, joining,
splitting, indexing and padding.

Target shapes come from the symbolic output shape, not from the Function's recorded argument,
so a reshape to ``(N, -1)`` recorded at N = 7 works for any batch: a single dimension that
follows a dynamic axis becomes -1, several are computed from the inputs' shapes at run time.
"""

from __future__ import annotations

import numpy as np

import autograd_lite.functions as F
from autograd_lite.onnx.convert import Context, converts
from autograd_lite.onnx.shapes import Dim

_BIG = np.iinfo(np.int64).max


@converts(F.Reshape, shape_args=("shape",))
def _reshape(ctx: Context) -> str:
    out = ctx.out_shape()
    dynamic = [i for i, d in enumerate(out) if isinstance(d, Dim)]
    if len(dynamic) == 1:
        target = ctx.ints([-1 if isinstance(d, Dim) else d for d in out])
    else:
        target = ctx.b.shape(out)
    allowzero = 1 if not dynamic and 0 in out else 0  # a real 0, not "copy this dimension"
    return ctx.op("Reshape", [ctx.input(0), target], allowzero=allowzero)


@converts(F.Transpose)
def _transpose(ctx: Context) -> str:
    ndim = len(ctx.shape(0))
    axes = ctx.fn.axes
    perm = list(range(ndim))[::-1] if axes is None else [a % ndim for a in axes]
    return ctx.op("Transpose", [ctx.input(0)], perm=perm)


@converts(F.BroadcastTo, shape_args=("shape",))
def _broadcast_to(ctx: Context) -> str:
    return ctx.op("Expand", [ctx.input(0), ctx.b.shape(ctx.out_shape())])


@converts(F.SumTo, shape_args=("shape",))
def _sum_to(ctx: Context) -> str:
    shape, out = ctx.shape(0), ctx.out_shape()
    lead = len(shape) - len(out)
    axes = list(range(lead)) + [lead + i for i, n in enumerate(out)
                                if n == 1 and shape[lead + i] != 1]
    if not axes:
        return ctx.op("Identity", [ctx.input(0)])
    y = ctx.b.reduce("ReduceSum", ctx.input(0), axes, True)
    return ctx.b.squeeze(y, list(range(lead)))


@converts(F.Concatenate)
def _concatenate(ctx: Context) -> str:
    dtype = ctx.out_dtype()
    axis = ctx.fn.axis % len(ctx.out_shape())
    return ctx.op("Concat", [ctx.input(i, dtype) for i in range(ctx.n_inputs())], axis=axis)


@converts(F.Stack)
def _stack(ctx: Context) -> str:
    dtype = ctx.out_dtype()
    axis = ctx.fn.axis % len(ctx.out_shape())
    parts = [ctx.b.unsqueeze(ctx.input(i, dtype), [axis]) for i in range(ctx.n_inputs())]
    return ctx.op("Concat", parts, axis=axis)


@converts(F.Split)
def _split(ctx: Context) -> list[str]:
    shape = ctx.shape(0)
    axis = ctx.fn.axis % len(shape)
    (n,) = ctx.static((shape[axis],), "the split axis")
    sizes = [len(part) for part in np.split(np.arange(n), ctx.fn.sections)]
    outs = ctx.op("Split", [ctx.input(0), ctx.ints(sizes)], n_out=len(sizes), axis=axis)
    return outs if isinstance(outs, list) else [outs]


@converts(F.Pad)
def _pad(ctx: Context) -> str:
    width = ctx.fn.pad_width
    pads = [int(b) for b, _ in width] + [int(a) for _, a in width]
    value = ctx.scalar(ctx.fn.value)
    return ctx.op("Pad", [ctx.input(0), ctx.ints(pads), value], mode="constant")


# -- indexing
def _items(ctx: Context) -> list:
    """The index as one item per axis of the input (plus Nones), Ellipsis expanded and
    boolean masks turned into their integer positions."""
    index = ctx.fn.index if isinstance(ctx.fn.index, tuple) else (ctx.fn.index,)
    ndim = len(ctx.shape(0))
    used = sum(i.ndim if isinstance(i, np.ndarray) and i.dtype == bool else
               0 if i is None or i is Ellipsis else 1 for i in index)
    items: list = []
    for i in index:
        if i is Ellipsis:
            items.extend([slice(None)] * (ndim - used))
        elif isinstance(i, np.ndarray) and i.dtype == bool:
            if any(i is source for source, _ in ctx.array_inputs):
                raise ctx.fail("a boolean mask given as an input selects a number of elements "
                               "known only at run time")
            items.extend(i.nonzero())
        else:
            items.append(i)
    if not any(i is Ellipsis for i in index):
        items.extend([slice(None)] * (ndim - used))
    return items


def _slice_axes(ctx: Context, x: str, items: list) -> tuple[str, list]:
    """Apply every slice item with one Slice node; returns it and the sliced symbolic shape."""
    shape = list(ctx.shape(0))
    starts, ends, axes, steps = [], [], [], []
    axis = 0
    for item in items:
        if item is None:
            continue
        if isinstance(item, slice) and item != slice(None):
            step = 1 if item.step is None else int(item.step)
            start = item.start if item.start is not None else (0 if step > 0 else _BIG)
            end = item.stop if item.stop is not None else (_BIG if step > 0 else -_BIG)
            starts.append(int(start))
            ends.append(int(end))
            axes.append(axis)
            steps.append(step)
            n = shape[axis]
            if isinstance(n, Dim):
                raise ctx.fail(f"slice {item} of an axis that follows the dynamic axis {n}")
            shape[axis] = len(range(*item.indices(n)))
        axis += 1
    if axes:
        x = ctx.op("Slice", [x, ctx.ints(starts), ctx.ints(ends), ctx.ints(axes),
                             ctx.ints(steps)])
    return x, shape


@converts(F.GetItem)
def _getitem(ctx: Context) -> str:
    items = _items(ctx)
    x, shape = _slice_axes(ctx, ctx.input(0), items)
    arrays = [(pos, item) for pos, item in enumerate([i for i in items if i is not None])
              if not isinstance(item, slice)]
    if not any(isinstance(item, np.ndarray) for _, item in arrays):  # basic indexing
        for pos, i in reversed(arrays):  # ints: a Gather each removes its axis
            x = ctx.op("Gather", [x, ctx.const(np.int64(i))], axis=pos)
        new_axes, out = [], 0
        for item in items:
            if item is None:
                new_axes.append(out)
            if item is None or isinstance(item, slice):
                out += 1
        return ctx.b.unsqueeze(x, new_axes) if new_axes else ctx.op("Identity", [x])
    if any(item is None for item in items):
        raise ctx.fail("None (a new axis) mixed with array indices is not supported")
    if len(arrays) == 1:  # one array: a Gather along its axis (an embedding, take)
        pos, idx = arrays[0]
        ids = ctx.array(idx) if idx.dtype in (np.int32, np.int64) else ctx.array(idx, np.int64)
        return ctx.op("Gather", [x, ids], axis=pos)
    return _gather_many(ctx, x, shape, arrays)


def _gather_many(ctx: Context, x: str, shape: list, arrays: list) -> str:
    """Several index arrays: move their axes to the front, merge them into one, and Gather
    the flat positions; then put the result's axes where NumPy puts them."""
    positions = [pos for pos, _ in arrays]
    for _, idx in arrays:
        if any(idx is source for source, _ in ctx.array_inputs):
            raise ctx.fail("an input used as one of several index arrays is not supported")
    sizes = ctx.static(tuple(shape[p] for p in positions), "an indexed axis")
    idx = np.broadcast_arrays(*[np.asarray(i) for _, i in arrays])
    flat = np.ravel_multi_index(tuple(np.where(i < 0, i + n, i) for i, n in zip(idx, sizes)),
                                sizes)
    rest = [p for p in range(len(shape)) if p not in positions]
    moved = ctx.op("Transpose", [x], perm=positions + rest)
    merged = ctx.op("Reshape", [moved, ctx.b.shape((int(np.prod(sizes)),) +
                                                   tuple(shape[p] for p in rest))])
    y = ctx.op("Gather", [merged, ctx.const(flat.astype(np.int64))], axis=0)
    nb, first = flat.ndim, positions[0]
    if positions == list(range(first, first + len(positions))) and first > 0:
        perm = (list(range(nb, nb + first)) + list(range(nb))
                + list(range(nb + first, nb + len(rest))))
        y = ctx.op("Transpose", [y], perm=perm)
    return y
