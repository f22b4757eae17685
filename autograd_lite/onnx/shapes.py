"""What depends on the inputs, read off several recordings of one model.

The graph was recorded at one batch size, so every shape in it is a number. To export a
dynamic axis, the model is recorded again with that axis one longer (and the input values
shuffled): a dimension that changed with it is symbolic, ``coef * batch``; one that did not is
fixed. The same pairing finds what must not be baked into the file: an op argument or a
constant that changed with the input's values (a comparison or an index computed with NumPy
outside the graph) or with its size (a mask of the batch's shape).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd_lite.core import Variable
from autograd_lite.onnx.errors import ExportError, where
from autograd_lite.onnx.trace import Node, Trace, arguments, live_outputs


@dataclass(frozen=True)
class Dim:
    """A dimension that follows the dynamic axes: ``coef`` times the product of `symbols`."""

    coef: int
    symbols: tuple[str, ...]

    def __str__(self) -> str:
        text = "*".join(self.symbols)
        return text if self.coef == 1 else f"{self.coef}*{text}"


UNKNOWN = Dim(0, ())  # changes with the inputs in a way no product of the axes explains


@dataclass(eq=False)
class Graph:
    """The nodes of the base recording with what the other recordings taught: the symbolic
    shape of every Variable (by id) and the constants that changed (``"uniform"``: only their
    shape, filled with one value; ``"values"``: their values)."""

    trace: Trace
    nodes: list
    shapes: dict
    changed: dict


def compare(base: Trace, others: list[Trace], sizes: list[dict[str, int]],
            moved: list[str | None]) -> Graph:
    """Pair `base` with `others` position by position.

    `sizes` holds each recording's size of every symbol (base first); `moved` says which
    symbol each of `others` changed (None: only the values).
    """
    n = len(base.functions)
    for other in others:
        if len(other.functions) != n or any(type(a) is not type(b) for a, b in
                                             zip(base.functions, other.functions)):
            raise ExportError(
                "onnx.export: the model recorded a different graph for inputs of another size "
                "or other values (Python control flow that depends on them?); only graphs "
                "whose ops do not depend on the input values can be exported")
    shapes: dict[int, tuple] = {}
    changed: dict[int, str] = {}

    def dims(values: list[tuple[int, ...]]) -> tuple:
        return symbolic(values, sizes, moved)

    for k, x in enumerate(base.inputs):
        if isinstance(x, Variable):
            shapes[id(x)] = dims([np.shape(t.inputs[k]) for t in [base, *others]])
    nodes = []
    for i, fn in enumerate(base.functions):
        peers = [other.functions[i] for other in others]
        path, owner = base.owners.get(id(fn), ("", None))
        node = Node(fn, list(fn.inputs), live_outputs(fn), path, owner)
        for slot, x in enumerate(fn.inputs):
            xs = [p.inputs[slot] for p in peers]
            if not isinstance(x, Variable):
                if any(not isinstance(y, type(x)) or y != x for y in xs):
                    raise ExportError(f"onnx.export: {where(node)} takes the number {x!r}, which "
                                      "changes with the input's size or values (computed from "
                                      "them in Python); it would be fixed in the file")
            elif x.creator is None and id(x) not in shapes:
                shapes[id(x)] = dims([np.shape(v) for v in [x, *xs]])
                if not any(x is v for v in base.inputs):
                    kind = _change(x, xs)
                    if kind:
                        changed[id(x)] = kind
        for j, y in enumerate(node.outputs):
            if y is not None:
                shapes[id(y)] = dims([y.shape] + [_output_shape(p, j) for p in peers])
        node.varying = frozenset(_varying(fn, peers, base, others))
        nodes.append(node)
    return Graph(base, nodes, shapes, changed)


def symbolic(values: list[tuple[int, ...]], sizes: list[dict[str, int]],
             moved: list[str | None]) -> tuple:
    """One shape with a `Dim` for every dimension that changed between the recordings."""
    base = values[0]
    if any(len(v) != len(base) for v in values):
        return tuple(UNKNOWN for _ in base)
    out: list[Any] = []
    for d, n in enumerate(base):
        deps = tuple(sorted({moved[k] for k, v in enumerate(values[1:])
                             if v[d] != n and moved[k] is not None}))
        if all(v[d] == n for v in values):
            out.append(n)
            continue
        if any(v[d] != n and moved[k] is None for k, v in enumerate(values[1:])):
            out.append(UNKNOWN)
            continue
        unit = math.prod(sizes[0][s] for s in deps)
        coef = n // unit if unit and n % unit == 0 else 0
        fits = coef and all(v[d] == coef * math.prod(sizes[k][s] for s in deps)
                            for k, v in enumerate(values))
        out.append(Dim(coef, deps) if fits else UNKNOWN)
    return tuple(out)


def _output_shape(fn: Any, j: int) -> tuple:
    y = fn.outputs[j]()
    return y.shape if y is not None else fn.output_specs[j][0]


def _change(x: Variable, peers: list) -> str:
    """"" if the constant is the same in every recording, "uniform" if only its shape changed
    and it holds one value throughout, else "values"."""
    a = x.data
    if all(np.shape(p.data) == a.shape and np.array_equal(p.data, a, equal_nan=True)
           for p in peers):
        return ""
    flat = [a.ravel()] + [np.asarray(p.data).ravel() for p in peers]
    if all(f.size for f in flat):
        first = flat[0][0]
        if all(np.all(f == first) for f in flat):
            return "uniform"
    return "values"


def _varying(fn: Any, peers: list, base: Trace, others: list[Trace]) -> list[str]:
    names = []
    mine = arguments(fn)
    for peer, other in zip(peers, others):
        theirs = arguments(peer)
        for name, value in mine.items():
            if name not in names and not _same(value, theirs.get(name), base.arrays,
                                                other.arrays):
                names.append(name)
    return names


def _same(a: Any, b: Any, arrays_a: list, arrays_b: list) -> bool:
    """Equal arguments, where an array that *is* an input matches the same input."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        ia = next((k for k, x in enumerate(arrays_a) if x is a), None)
        ib = next((k for k, x in enumerate(arrays_b) if x is b), None)
        if ia is not None or ib is not None:
            return ia == ib
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (tuple, list)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(_same(x, y, arrays_a, arrays_b) for x, y in zip(a, b)))
    if isinstance(a, slice):
        return isinstance(b, slice) and all(
            _same(getattr(a, k), getattr(b, k), arrays_a, arrays_b)
            for k in ("start", "stop", "step"))
    try:
        return type(a) is type(b) and bool(a == b)
    except (TypeError, ValueError):
        return a is b
