"""`export`: write a model as an ONNX file that runs without this package (onnxruntime,
onnxruntime-web in a browser, Netron to look at it)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import onnx
from onnx import helper

from autograd_lite.core import Variable
from autograd_lite.files import atomic_write

# the converters register themselves in the table on import
from autograd_lite.onnx import ops_math, ops_nn, ops_shape  # noqa: F401
from autograd_lite.onnx.builder import GraphBuilder
from autograd_lite.onnx.convert import Context, converter_for
from autograd_lite.onnx.patterns import fuse
from autograd_lite.onnx.shapes import Dim, Graph, compare
from autograd_lite.onnx.trace import record

DEFAULT_OPSET = 17  # LayerNormalization's first opset; onnxruntime and onnxruntime-web run it


def export(model: Any, example_inputs: Any, path: str | os.PathLike,
           input_names: Sequence[str] | None = None,
           output_names: Sequence[str] | None = None,
           dynamic_axes: Mapping[str, Any] | None = None,
           opset: int = DEFAULT_OPSET) -> onnx.ModelProto:
    """Write `model` as an ONNX model to `path`.

    The model runs on the example in evaluation mode (Dropout off, BatchNorm on its running
    statistics; the previous mode is restored afterwards), and the graph it records is walked
    from the outputs to the inputs: each op becomes ONNX operators, each parameter an
    initializer under its dotted name (``fc1.weight``). With `dynamic_axes` the model runs
    once more per axis, that axis one longer, so that every shape that follows the axis is
    computed at run time rather than fixed; the inputs' values are shuffled in that run, so
    that a constant computed from them outside the graph (with NumPy or a comparison, which
    record nothing) is refused instead of being baked into the file.

    Parameters
    ----------
    model : nn.Module or callable
        Called as ``model(*inputs)``; returns a Variable or a (nested) tuple of Variables.
    example_inputs : array_like, Variable or tuple of them
        One example per input, e.g. ``x[:1]``. Floating-point inputs become graph inputs of
        their dtype; integer inputs (token ids) too, where the model indexes with them.
    path : str or PathLike
        The ``.onnx`` file, written atomically.
    input_names, output_names : sequences of str, optional
        Default ``input`` and ``output`` (``input_0``, ``input_1``, ... for several).
    dynamic_axes : mapping, optional
        ``{"input": {0: "batch"}}``: which axes of which inputs (and outputs, to name theirs)
        may change size; a list ``{"input": [0]}`` names them ``input_dim0``. Default: none.
    opset : int
        The ONNX opset, from 17 (default) to the newest the installed ``onnx`` knows.

    Returns
    -------
    onnx.ModelProto
        The model written, accepted by ``onnx.checker`` (full check).

    Raises
    ------
    ExportError
        An op has no ONNX mapping (the message names it and the Module that used it), or an
        argument or constant depends on the input outside the graph.

    Examples
    --------
    >>> import os, tempfile
    >>> from autograd_lite import nn
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    >>> path = os.path.join(tempfile.mkdtemp(), "model.onnx")
    >>> proto = export(model, np.zeros((1, 4), np.float32), path,
    ...                dynamic_axes={"input": {0: "batch"}})
    >>> [node.op_type for node in proto.graph.node], proto.graph.initializer[0].name
    (['Gemm', 'Relu', 'Gemm'], '0.weight')
    """
    newest = onnx.defs.onnx_opset_version()
    if not DEFAULT_OPSET <= opset <= newest:
        raise ValueError(f"onnx.export: opset must lie in [{DEFAULT_OPSET}, {newest}], got "
                         f"{opset}")
    arrays = _example_arrays(example_inputs)
    input_names = _names(input_names, len(arrays), "input")
    axes = _dynamic_axes(dynamic_axes, input_names, arrays)
    symbols = _symbols(axes, input_names)
    graph = _record(model, arrays, axes, symbols)
    output_names = _names(output_names, len(graph.trace.outputs), "output")
    for name in dynamic_axes or ():
        if name not in input_names and name not in output_names:
            raise ValueError(f"onnx.export: dynamic_axes names {name!r}, which is neither an "
                             f"input {list(input_names)} nor an output {list(output_names)}")
    fuse(graph)
    proto = _write(model, graph, input_names, output_names, axes, symbols, opset,
                   _output_axes(dynamic_axes, output_names))
    onnx.checker.check_model(proto, full_check=True)
    with atomic_write(path) as f:
        f.write(proto.SerializeToString())
    return proto


# ----------------------------------------------------------------------------- arguments


def _example_arrays(example: Any) -> list[np.ndarray]:
    items = list(example) if isinstance(example, (tuple, list)) else [example]
    arrays = []
    for item in items:
        data = item.data if isinstance(item, Variable) else item
        arrays.append(np.array(data, copy=True))  # ours: the model may keep references
    return arrays


def _names(names: Sequence[str] | None, n: int, what: str) -> list[str]:
    if names is None:
        return [what] if n == 1 else [f"{what}_{k}" for k in range(n)]
    names = list(names)
    if len(names) != n or len(set(names)) != n:
        raise ValueError(f"onnx.export: {n} distinct {what}_names needed, got {names}")
    return names


def _dynamic_axes(spec: Mapping[str, Any] | None, input_names: list[str],
                  arrays: list[np.ndarray]) -> list[dict[int, str]]:
    """Per input: {axis: symbol}."""
    out: list[dict[int, str]] = [{} for _ in arrays]
    for name, axes in (spec or {}).items():
        if name not in input_names:
            continue
        k = input_names.index(name)
        if not isinstance(axes, Mapping):
            axes = {int(a): f"{name}_dim{int(a)}" for a in axes}
        for axis, symbol in axes.items():
            ndim = arrays[k].ndim
            if not -ndim <= int(axis) < ndim:
                raise ValueError(f"onnx.export: dynamic axis {axis} of input {name!r} is out of "
                                 f"range for its shape {arrays[k].shape}")
            if arrays[k].shape[int(axis)] == 0:
                raise ValueError(f"onnx.export: the example of input {name!r} is empty along "
                                 f"its dynamic axis {axis}; give at least one element")
            out[k][int(axis) % ndim] = str(symbol)
    return out


def _symbols(axes: list[dict[int, str]], input_names: list[str]) -> dict[str, tuple[str, int]]:
    """Each symbol and the first input axis that carries it."""
    found: dict[str, tuple[str, int]] = {}
    for name, per_input in zip(input_names, axes):
        for axis, symbol in sorted(per_input.items()):
            found.setdefault(symbol, (name, axis))
    return found


def _output_axes(spec: Mapping[str, Any] | None, output_names: list[str]) -> dict[str, dict]:
    out = {}
    for name, axes in (spec or {}).items():
        if name in output_names:
            out[name] = dict(axes) if isinstance(axes, Mapping) else {
                int(a): f"{name}_dim{int(a)}" for a in axes}
    return out


# ----------------------------------------------------------------------------- recording


def _record(model: Any, arrays: list[np.ndarray], axes: list[dict[int, str]],
            symbols: dict[str, tuple[str, int]]) -> Graph:
    """Record the model on the example, and once more per dynamic axis (one longer) or, with
    none, once on shuffled values; returns the comparison."""
    modes = [(m, m.training) for m in model.modules()] if hasattr(model, "modules") else []
    if modes:
        model.eval()
    try:
        base = record(model, arrays)
        sizes = [{s: arrays[k].shape[a] for k, per in enumerate(axes) for a, s in per.items()}]
        others, moved = [], []
        for symbol in list(symbols) or [None]:
            grown = [_shuffled(_grow(a, [ax for ax, s in per.items() if s == symbol]))
                     for a, per in zip(arrays, axes)]
            others.append(record(model, grown))
            moved.append(symbol)
            sizes.append({s: n + (s == symbol) for s, n in sizes[0].items()})
    finally:
        for module, training in modes:
            object.__setattr__(module, "training", training)
    return compare(base, others, sizes, moved)


def _grow(a: np.ndarray, axes: list[int]) -> np.ndarray:
    for axis in axes:
        a = np.concatenate([a, np.take(a, [0], axis=axis)], axis=axis)
    return a


def _shuffled(a: np.ndarray) -> np.ndarray:
    """The same values, each moved one place (so ids stay valid ids)."""
    return np.roll(a.reshape(-1), 1).reshape(a.shape)


# ----------------------------------------------------------------------------- writing


def _write(model: Any, graph: Graph, input_names: list[str], output_names: list[str],
           axes: list[dict[int, str]], symbols: dict[str, tuple[str, int]], opset: int,
           output_axes: dict[str, dict]) -> onnx.ModelProto:
    b = GraphBuilder(opset, symbols)
    trace = graph.trace
    names: dict[int, str] = {}
    inputs, array_inputs = [], []
    for name, x, array, per in zip(input_names, trace.inputs, trace.arrays, axes):
        b.reserve(name)
        dims = tuple(Dim(1, (per[d],)) if d in per else n for d, n in enumerate(array.shape))
        inputs.append(b.value_info(name, array.dtype, dims))
        if isinstance(x, Variable):
            names[id(x)] = name
        array_inputs.append((array, name))
    params = {}
    if hasattr(model, "named_parameters"):
        params = {id(p): name for name, p in model.named_parameters()}

    def leaf(v: Variable, ctx: Context) -> str:
        if id(v) in params:
            return b.initializer(params[id(v)], v.data)
        kind = graph.changed.get(id(v))
        if kind == "values":
            raise ctx.fail(f"it reads a constant of shape {v.shape} that changes with the "
                           "input's values (computed from them outside the graph, e.g. with "
                           "NumPy or a comparison); it would be fixed in the file")
        if kind == "uniform":  # e.g. zeros of the batch's shape: filled at run time
            fill = b.const(v.data.reshape(-1)[0])
            return b.add("Expand", [fill, b.shape(graph.shapes[id(v)])])
        return b.const(v.data, hint=v.name or ("weight" if v.requires_grad else "const"))

    ctx = Context(b, graph, names, leaf, array_inputs)
    for node in graph.nodes:
        ctx.node = node
        convert = converter_for(node)
        b.scope = node.module
        outs = convert(ctx)
        outs = [outs] if isinstance(outs, str) else outs
        for y, name in zip(node.outputs, outs):
            if y is not None:
                names[id(y)] = name
    b.scope = ""
    outputs = _name_outputs(b, ctx, trace.outputs, output_names, set(input_names))
    value_infos = [b.value_info(name, v.dtype, graph.shapes.get(id(v), v.shape),
                                _dim_names(output_axes.get(name)))
                   for name, v in zip(outputs, trace.outputs)]
    body = helper.make_graph(b.nodes, "autograd_lite", inputs, value_infos, b.initializers)
    opsets = [helper.make_opsetid("", opset)]
    proto = helper.make_model(body, opset_imports=opsets, producer_name="autograd_lite",
                              ir_version=helper.find_min_ir_version_for(opsets))
    return proto


def _dim_names(axes: dict | None) -> dict[int, str] | None:
    return None if not axes else {int(a): str(s) for a, s in axes.items()}


def _name_outputs(b: GraphBuilder, ctx: Context, outputs: list, output_names: list[str],
                  reserved: set[str]) -> list[str]:
    """Give each output its name: rename the node output that holds it, or (for an input, a
    constant or a value returned twice) add an Identity."""
    produced = {name for node in b.nodes for name in node.output}
    renamed: dict[str, str] = {}
    for v, name in zip(outputs, output_names):
        ctx.node = None
        source = ctx.names.get(id(v)) or ctx.leaf(v, ctx)
        b.reserve(name)
        if source in produced and source not in renamed and source not in reserved:
            renamed[source] = name
        else:
            b.nodes.append(helper.make_node("Identity", [renamed.get(source, source)], [name],
                                            name=b.fresh(f"{name}/Identity")))
    for node in b.nodes:
        for i, name in enumerate(node.input):
            if name in renamed:
                node.input[i] = renamed[name]
        for i, name in enumerate(node.output):
            if name in renamed:
                node.output[i] = renamed[name]
    return list(output_names)
