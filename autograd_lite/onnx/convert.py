"""The table from Function classes to converters, and what a converter sees of its node.

A converter is ``convert(ctx) -> name or list of names``: it reads its node's inputs through
`Context` (tensor names, symbolic shapes, dtypes, the Function's arguments) and appends ONNX
nodes through ``ctx.op``; it returns the name of each of the Function's outputs.

An argument of the Function that changed between the recordings (it depends on the batch
size or on the input values) is refused, unless the converter says it derives that argument
from the symbolic output shape instead (``shape_args``: a reshape's target shape, say).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd_lite.core import Variable
from autograd_lite.onnx.builder import GraphBuilder
from autograd_lite.onnx.errors import ExportError, where
from autograd_lite.onnx.shapes import Dim, Graph


@dataclass(frozen=True)
class Converter:
    convert: Callable
    shape_args: frozenset


CONVERTERS: dict[type, Converter] = {}
REFUSED: dict[type, str] = {}  # Functions with no mapping, and why (said in the error)


def converts(*classes: type, shape_args: tuple[str, ...] = ()) -> Callable:
    """Register the decorated function as the converter of `classes`."""

    def register(fn: Callable) -> Callable:
        for cls in classes:
            CONVERTERS[cls] = Converter(fn, frozenset(shape_args))
        return fn

    return register


def converter_for(node: Any) -> Callable:
    """The converter of `node`, after checking that nothing it bakes in varies."""
    if node.emit is not None:
        return node.emit
    entry = CONVERTERS.get(type(node.fn))  # exactly: a subclass may compute something else
    if type(node.fn) in REFUSED:
        raise ExportError(f"onnx.export: {where(node)}: {REFUSED[type(node.fn)]}")
    if entry is None:
        raise ExportError(f"onnx.export: no ONNX mapping for {where(node)}; the supported ops "
                          f"are listed in autograd_lite.onnx.supported_ops()")
    bad = sorted(node.varying - entry.shape_args)
    if bad:
        raise ExportError(
            f"onnx.export: {where(node)} has argument {bad[0]!r} = {_short(node, bad[0])}, "
            "which changes with the input's size or values (it was computed from them outside "
            "the graph: NumPy calls and comparisons on .data record nothing); it would be "
            "fixed in the file. Compute it with recorded ops on Variables instead")
    return entry.convert


def _short(node: Any, name: str) -> str:
    value = getattr(node.fn, name, "?")
    if isinstance(value, np.ndarray):
        return f"<{value.dtype} array of shape {value.shape}>"
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


class Context:
    """One node's view of the graph being written."""

    def __init__(self, builder: GraphBuilder, graph: Graph, names: dict[int, str],
                 leaf: Callable[[Variable, Any], str], array_inputs: list[tuple[Any, str]]) -> None:
        self.b = builder
        self.graph = graph
        self.names = names
        self.leaf = leaf
        self.array_inputs = array_inputs
        self.node: Any = None

    # -- the node
    @property
    def fn(self) -> Any:
        return self.node.fn

    def fail(self, why: str) -> ExportError:
        return ExportError(f"onnx.export: {where(self.node)}: {why}")

    def value(self, i: int) -> Any:
        """Input `i` of the base recording: a Variable or a Python number."""
        return self.node.inputs[i]

    def name_of(self, v: Variable) -> str:
        if id(v) not in self.names:
            if v.creator is not None:
                raise self.fail("an input was not converted before its use (internal error)")
            self.names[id(v)] = self.leaf(v, self)
        return self.names[id(v)]

    def input(self, i: int, dtype: Any = None) -> str:
        """The tensor name of input `i`, cast to `dtype` if given; a number becomes a constant
        of `dtype` (default: the dtype of the first output)."""
        x = self.value(i)
        if not isinstance(x, Variable):
            return self.b.const(x, dtype if dtype is not None else self.out_dtype())
        name = self.name_of(x)
        if dtype is not None and x.dtype != np.dtype(dtype):
            name = self.b.cast(name, dtype)
        return name

    def array(self, array: np.ndarray, dtype: Any = None) -> str:
        """An array argument of the Function (an index, labels): the graph input it is, when
        the model was given it as an input (an embedding's ids), else a constant."""
        for source, name in self.array_inputs:
            if source is array:
                return name if dtype is None or array.dtype == dtype else self.b.cast(name, dtype)
        return self.b.const(array, dtype)

    def n_inputs(self) -> int:
        return len(self.node.inputs)

    def shape(self, i: int) -> tuple:
        """The symbolic shape of input `i` (ints and `Dim`s)."""
        x = self.value(i)
        return self.graph.shapes[id(x)] if isinstance(x, Variable) else ()

    def out_shape(self, j: int = 0) -> tuple:
        y = self.node.outputs[j]
        if y is None:
            return self.fn.output_specs[j][0]
        return self.graph.shapes[id(y)]

    def dtype(self, i: int) -> np.dtype:
        x = self.value(i)
        return x.dtype if isinstance(x, Variable) else np.asarray(x).dtype

    def out_dtype(self, j: int = 0) -> np.dtype:
        y = self.node.outputs[j]
        return y.dtype if y is not None else np.dtype(self.fn.output_specs[j][1])

    def static(self, dims: tuple, what: str) -> tuple[int, ...]:
        """`dims` as plain ints, or an error saying that `what` must not follow a dynamic
        axis."""
        if any(isinstance(d, Dim) for d in dims):
            raise self.fail(f"{what} follows a dynamic axis ({', '.join(map(str, dims))}); "
                            "this op needs it fixed")
        return tuple(dims)

    # -- writing
    def op(self, op: str, inputs: list[str], n_out: int = 1, **attrs: Any) -> Any:
        return self.b.add(op, inputs, n_out, **attrs)

    def const(self, value: Any, dtype: Any = None) -> str:
        return self.b.const(value, dtype)

    def ints(self, values: Any) -> str:
        return self.b.ints(values)

    def scalar(self, value: float, dtype: Any = None) -> str:
        """A 0-d constant of `dtype` (default: the output's)."""
        return self.b.const(value, self.out_dtype() if dtype is None else dtype)
