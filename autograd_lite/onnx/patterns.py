"""Patterns: small-op compositions of the graph written as the one ONNX op they are.

Layers here are compositions (that is how every one of them gets gradients of any order), and
most map op for op. Three are worth recognising, because the single op is what runtimes
optimise and what a reader of the file expects to see:

* ``conv2d``: im2col, a matmul with the reshaped kernels, the bias, a reshape -> ``Conv``;
* ``conv_transpose2d``: a matmul of the transposed kernels and the images, col2im, the bias
  -> ``ConvTranspose``;
* a ``BatchNorm1d/2d`` module in evaluation mode (subtract, scale, shift with its running
  statistics) -> ``BatchNormalization``, its buffers stored under their dotted names.

A pattern applies only when its intermediate results are used nowhere else; otherwise the
ops are written one by one, which is just as exact.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd_lite.functions as F
from autograd_lite.core import Variable
from autograd_lite.onnx.convert import Context
from autograd_lite.onnx.shapes import Graph
from autograd_lite.onnx.trace import Node


class _Index:
    """Who makes and who reads each Variable of the graph."""

    def __init__(self, graph: Graph) -> None:
        self.producer: dict[int, Node] = {}
        self.readers: dict[int, int] = {}
        for node in graph.nodes:
            for y in node.outputs:
                if y is not None:
                    self.producer[id(y)] = node
            for x in node.inputs:
                if isinstance(x, Variable):
                    self.readers[id(x)] = self.readers.get(id(x), 0) + 1
        for y in graph.trace.outputs:
            self.readers[id(y)] = self.readers.get(id(y), 0) + 1

    def made_by(self, v: Any, cls: type) -> Node | None:
        """The node of class `cls` that made `v`, if `v` is read once (by the pattern)."""
        if not isinstance(v, Variable):
            return None
        node = self.producer.get(id(v))
        if node is None or node.fn is None or type(node.fn) is not cls:
            return None
        return node if self.readers.get(id(v)) == 1 else None

    def only_reader(self, graph: Graph, v: Variable, cls: type) -> Node | None:
        if self.readers.get(id(v)) != 1:
            return None
        for node in graph.nodes:
            if node.fn is not None and type(node.fn) is cls and any(x is v for x in node.inputs):
                return node
        return None


def fuse(graph: Graph) -> None:
    """Replace every matched group of nodes by one fused node, in place."""
    index = _Index(graph)
    groups: list[tuple[list[Node], Node]] = []
    for node in graph.nodes:
        if node.fn is None:
            continue
        if type(node.fn) is F.Im2col:
            found = _conv(graph, index, node)
        elif type(node.fn) is F.Col2im and node.fn.batch_last:
            found = _conv_transpose(graph, index, node)
        else:
            found = None
        if found:
            groups.append(found)
    groups.extend(_batch_norms(graph, index))
    for group, fused in groups:
        last = max(graph.nodes.index(n) for n in group)
        graph.nodes[last] = fused
        gone = {id(n) for n in group}
        graph.nodes = [n for n in graph.nodes if id(n) not in gone or n is fused]


def _bias(graph: Graph, index: _Index, y: Variable, rank: int) -> tuple[Any, list[Node]]:
    """``y + b.reshape(1, C, 1[, 1])``: the bias and the two nodes, or (None, [])."""
    add = index.only_reader(graph, y, F.Add)
    if add is None or add.inputs[0] is not y:
        return None, []
    shaped = index.made_by(add.inputs[1], F.Reshape)
    if shaped is None or not isinstance(shaped.inputs[0], Variable) or \
            shaped.inputs[0].ndim != 1 or add.inputs[1].ndim != rank:
        return None, []
    return shaped.inputs[0], [shaped, add]


def _conv(graph: Graph, index: _Index, im2col: Node) -> tuple[list[Node], Node] | None:
    cols = im2col.outputs[0]
    product = index.only_reader(graph, cols, F.MatMul)
    if product is None or product.inputs[1] is not cols:
        return None
    kernels = index.made_by(product.inputs[0], F.Reshape)
    if kernels is None or not isinstance(kernels.inputs[0], Variable) or \
            kernels.inputs[0].ndim != 4:
        return None
    y = product.outputs[0]
    fn = im2col.fn
    # per image: (N, out, OH*OW) -> reshape; batch last: (out, OH*OW*N) -> reshape, transpose
    b, bias_nodes = _bias(graph, index, y, 2 if fn.batch_last else 3)
    if bias_nodes:
        y = bias_nodes[-1].outputs[0]
    final = index.only_reader(graph, y, F.Reshape)
    if final is None or final.outputs[0] is None or final.outputs[0].ndim != 4:
        return None
    shaped = [final]
    if fn.batch_last:
        final = index.only_reader(graph, final.outputs[0], F.Transpose)
        if final is None or final.outputs[0] is None or \
                tuple(final.fn.axes or ()) != (3, 0, 1, 2):
            return None
        shaped.append(final)
    (kh, kw), (sh, sw), (ph, pw) = fn.kernel_size, fn.stride, fn.padding
    W = kernels.inputs[0]

    def emit(ctx: Context) -> str:
        dtype = ctx.out_dtype()
        inputs = [ctx.input(i, dtype) for i in range(ctx.n_inputs())]
        return ctx.op("Conv", inputs, kernel_shape=[kh, kw], strides=[sh, sw],
                      pads=[ph, pw, ph, pw])

    group = [kernels, im2col, product, *bias_nodes, *shaped]
    inputs = [im2col.inputs[0], W] + ([b] if b is not None else [])
    return group, _fused(final, "Conv", inputs, emit)


def _conv_transpose(graph: Graph, index: _Index, col2im: Node
                    ) -> tuple[list[Node], Node] | None:
    product = index.made_by(col2im.inputs[0], F.MatMul)
    if product is None:
        return None
    flipped = index.made_by(product.inputs[0], F.Transpose)
    images = index.made_by(product.inputs[1], F.Reshape)
    if flipped is None or images is None or flipped.fn.axes is not None:
        return None
    kernels = index.made_by(flipped.inputs[0], F.Reshape)
    moved = index.made_by(images.inputs[0], F.Transpose)
    if kernels is None or moved is None or tuple(moved.fn.axes or ()) != (1, 2, 3, 0):
        return None
    W, x = kernels.inputs[0], moved.inputs[0]
    if not isinstance(W, Variable) or W.ndim != 4:
        return None
    y = col2im.outputs[0]
    b, bias_nodes = _bias(graph, index, y, 4)
    fn = col2im.fn
    (kh, kw), (sh, sw), (ph, pw) = fn.kernel_size, fn.stride, fn.padding
    out_h, out_w = fn.shape[2:]
    in_h, in_w = x.shape[2:]
    extra = [out_h - ((in_h - 1) * sh - 2 * ph + kh), out_w - ((in_w - 1) * sw - 2 * pw + kw)]

    def emit(ctx: Context) -> str:
        dtype = ctx.out_dtype()
        ctx.static(ctx.shape(0)[2:], "the image size of a transposed convolution")
        inputs = [ctx.input(i, dtype) for i in range(ctx.n_inputs())]
        return ctx.op("ConvTranspose", inputs, kernel_shape=[kh, kw], strides=[sh, sw],
                      pads=[ph, pw, ph, pw], output_padding=extra)

    group = [kernels, flipped, moved, images, product, col2im, *bias_nodes]
    inputs = [x, W] + ([b] if b is not None else [])
    return group, _fused(group[-1], "ConvTranspose", inputs, emit)


def _batch_norms(graph: Graph, index: _Index) -> list[tuple[list[Node], Node]]:
    from autograd_lite.nn.layers import _BatchNorm  # the exporter reads the module's state

    found = []
    by_output = {id(y): node for node in graph.nodes for y in node.outputs if y is not None}
    for call in graph.trace.calls:
        module = call.module
        if not isinstance(module, _BatchNorm) or call.training or not call.args:
            continue
        x, y = call.args[0], call.output
        if not isinstance(x, Variable) or not isinstance(y, Variable) or id(y) not in by_output:
            continue
        group = _region(index, by_output[id(y)], x, call.path)
        if group is None:
            continue
        found.append((group, _fused(by_output[id(y)], "BatchNormalization", [x],
                                    _batch_norm_emitter(call.path, module))))
    return found


def _region(index: _Index, last: Node, x: Variable, path: str) -> list[Node] | None:
    """The nodes between `x` and `last` if all were recorded by the module at `path` and
    nothing else reads their results; else None."""
    group, stack, seen = [], [last], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.fn is None or node.module != path:
            return None
        group.append(node)
        for v in node.inputs:
            if isinstance(v, Variable) and v is not x and id(v) in index.producer:
                stack.append(index.producer[id(v)])
    for node in group:  # every result but the last is read inside the group only
        for y in node.outputs:
            inside = sum(1 for n in group for v in n.inputs if v is y)
            if node is not last and y is not None and index.readers.get(id(y), 0) != inside:
                return None
    return group


def _batch_norm_emitter(path: str, module: Any) -> Any:
    def emit(ctx: Context) -> str:
        dtype = ctx.out_dtype()
        c = module.num_features
        if module.weight is not None:
            scale, shift = ctx.name_of(module.weight), ctx.name_of(module.bias)
        else:
            scale, shift = ctx.const(np.ones(c, dtype)), ctx.const(np.zeros(c, dtype))
        mean = ctx.b.buffer(f"{path}.running_mean", module.running_mean.astype(dtype))
        var = ctx.b.buffer(f"{path}.running_var", module.running_var.astype(dtype))
        return ctx.op("BatchNormalization", [ctx.input(0, dtype), scale, shift, mean, var],
                      epsilon=float(module.eps))

    return emit


def _fused(anchor: Node, kind: str, inputs: list, emit: Any) -> Node:
    return Node(None, inputs, list(anchor.outputs), anchor.module, anchor.owner, emit=emit,
                kind=kind)
