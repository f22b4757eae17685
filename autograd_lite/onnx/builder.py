"""A small writer of ONNX graphs: unique names, nodes, constants, and shapes that follow the
dynamic axes (read from the graph's inputs at run time)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from onnx import helper, numpy_helper

from autograd_lite.onnx.errors import ExportError
from autograd_lite.onnx.shapes import UNKNOWN, Dim

_SMALL = 64  # constants up to this many elements are shared between the nodes that use them


def onnx_type(dtype: Any) -> int:
    """The ONNX element type of a NumPy dtype."""
    return helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


class GraphBuilder:
    """Collects nodes and initializers. `scope` (the dotted path of the Module being converted)
    prefixes the names of the nodes, so that a viewer such as Netron shows where each came
    from. `symbols` maps every dynamic axis name to the graph input and axis that carry it."""

    def __init__(self, opset: int, symbols: dict[str, tuple[str, int]]) -> None:
        self.opset = opset
        self.symbols = symbols
        self.nodes: list = []
        self.initializers: list = []
        self.scope = ""
        self._used: set[str] = set()
        self._counts: dict[str, int] = {}
        self._consts: dict[tuple, str] = {}
        self._symbol_tensors: dict[str, str] = {}
        self._buffers: dict[str, str] = {}

    # -- names
    def fresh(self, hint: str) -> str:
        """A name not used yet, made from `hint`."""
        hint = re.sub(r"[^A-Za-z0-9_./:-]", "_", hint) or "t"
        k = self._counts.get(hint, 0)
        name = hint if k == 0 and hint not in self._used else f"{hint}_{k}"
        while name in self._used:
            k += 1
            name = f"{hint}_{k}"
        self._counts[hint] = k + 1
        self._used.add(name)
        return name

    def reserve(self, name: str) -> str:
        """Claim `name` exactly (an input or a parameter's dotted name)."""
        if name in self._used:
            raise ExportError(f"onnx.export: the name {name!r} is used twice")
        self._used.add(name)
        return name

    # -- nodes and constants
    def add(self, op: str, inputs: list[str], n_out: int = 1, **attrs: Any) -> Any:
        """Append one node; returns its output name (a list of names when `n_out` > 1)."""
        base = f"{self.scope}/{op}" if self.scope else op
        name = self.fresh(base)
        outs = [self.fresh(f"{name}_output") if n_out == 1 else self.fresh(f"{name}_output{i}")
                for i in range(n_out)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=name, **attrs))
        return outs[0] if n_out == 1 else outs

    def initializer(self, name: str, array: np.ndarray) -> str:
        """A named initializer (a parameter under its dotted name)."""
        self.reserve(name)
        self.initializers.append(numpy_helper.from_array(np.array(array, order="C"), name))
        return name

    def buffer(self, name: str, array: np.ndarray) -> str:
        """A named initializer made once however often it is asked for (a module's buffer)."""
        if name not in self._buffers:
            self._buffers[name] = self.initializer(name, array)
        return self._buffers[name]

    def const(self, value: Any, dtype: Any = None, hint: str = "const") -> str:
        """A constant tensor; small ones are shared by content."""
        array = np.asarray(value, dtype=dtype)
        key = None
        if array.size <= _SMALL:
            key = (array.dtype.str, array.shape, array.tobytes())
            if key in self._consts:
                return self._consts[key]
        base = f"{self.scope}/{hint}" if self.scope else hint
        name = self.fresh(base)
        self.initializers.append(numpy_helper.from_array(np.array(array, order="C"), name))
        if key is not None:
            self._consts[key] = name
        return name

    def ints(self, values: Any) -> str:
        """A 1-D int64 constant (axes, shapes, pads)."""
        return self.const(np.asarray(values, dtype=np.int64).reshape(-1), hint="ints")

    def cast(self, name: str, dtype: Any) -> str:
        return self.add("Cast", [name], to=onnx_type(dtype))

    # -- ops whose form changed between opsets
    def reduce(self, op: str, x: str, axes: Any, keepdims: bool) -> str:
        """``op`` (ReduceSum, ReduceMean, ...) over `axes` (None: all of them)."""
        if axes is None:
            return self.add(op, [x], keepdims=int(keepdims))
        axes = [int(a) for a in axes]
        if op == "ReduceSum" or self.opset >= 18:  # axes became an input
            return self.add(op, [x, self.ints(axes)], keepdims=int(keepdims))
        return self.add(op, [x], axes=axes, keepdims=int(keepdims))

    def squeeze(self, x: str, axes: list[int]) -> str:
        return self.add("Squeeze", [x, self.ints(axes)]) if axes else x

    def unsqueeze(self, x: str, axes: list[int]) -> str:
        return self.add("Unsqueeze", [x, self.ints(axes)]) if axes else x

    # -- shapes that follow the dynamic axes
    def symbol(self, name: str) -> str:
        """A 1-element int64 tensor holding the run-time size of the axis `name`."""
        if name not in self._symbol_tensors:
            source, axis = self.symbols[name]
            scope, self.scope = self.scope, ""
            self._symbol_tensors[name] = self.add("Shape", [source], start=axis, end=axis + 1)
            self.scope = scope
        return self._symbol_tensors[name]

    def shape(self, dims: tuple) -> str:
        """A 1-D int64 tensor of the shape `dims` (ints and `Dim`s), computed at run time
        from the inputs where it follows a dynamic axis."""
        if all(isinstance(d, int) for d in dims):
            return self.ints(dims)
        parts, fixed = [], []
        for d in dims:
            if isinstance(d, int):
                fixed.append(d)
                continue
            if not isinstance(d, Dim) or d == UNKNOWN:
                raise ExportError("onnx.export: a shape changes with the input in a way no "
                                  "product of the dynamic axes explains")
            if fixed:
                parts.append(self.ints(fixed))
                fixed = []
            size = None
            for s in d.symbols:
                size = self.symbol(s) if size is None else self.add("Mul", [size, self.symbol(s)])
            if d.coef != 1:
                size = self.add("Mul", [size, self.ints([d.coef])])
            parts.append(size)
        if fixed:
            parts.append(self.ints(fixed))
        return parts[0] if len(parts) == 1 else self.add("Concat", parts, axis=0)

    def value_info(self, name: str, dtype: Any, dims: tuple,
                   names: dict[int, str] | None = None) -> Any:
        """A graph input or output: its type, and a named dimension for every dynamic one."""
        shape = []
        for i, d in enumerate(dims):
            if names and i in names:
                shape.append(names[i])
            elif isinstance(d, int):
                shape.append(d)
            else:
                shape.append(None if d == UNKNOWN else str(d))
        return helper.make_tensor_value_info(name, onnx_type(dtype), shape)

