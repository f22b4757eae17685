"""Recording a forward pass for export, and walking the graph it leaves behind.

`record` runs the model once on given inputs with every float input a Variable that requires a
gradient, so that every op on the path from the inputs to the outputs is recorded (an op is
recorded only when one of its inputs requires a gradient). Forward hooks on every sub-module
say which Module recorded each Function, for error messages and for module-level patterns.

`topological` walks the recorded graph from the outputs back to the leaves, iteratively, and
returns the Functions producers first. Two recordings of the same model on inputs of other
sizes or values give lists of the same length and kinds, position by position; `compare`
(in `shapes`) reads the symbolic shapes and the input-dependent constants off that pairing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable, enable_grad


@dataclass(eq=False)
class Node:
    """One step of the exported graph: a recorded Function, or a pattern fused from several.

    `inputs` are Variables and Python numbers (the arithmetic ops take numbers as they are),
    `outputs` Variables (None where an output was dropped unused). `module` is the dotted path
    of the innermost Module whose forward recorded it ("" for the model itself), `owner` that
    Module (None for a plain function). `varying` names the Function's arguments that differed
    between two recordings (they depend on the batch size or on the input's values).
    """

    fn: Function | None
    inputs: list = field(repr=False)
    outputs: list = field(repr=False)
    module: str = ""
    owner: Any = field(default=None, repr=False)
    varying: frozenset = frozenset()
    emit: Callable | None = None  # a fused pattern's converter, instead of the Function's
    kind: str = ""

    def __post_init__(self) -> None:
        if not self.kind:
            self.kind = type(self.fn).__name__


@dataclass(eq=False)
class Call:
    """One call of a sub-module: its positional inputs, its output, and whether it ran in
    training mode."""

    path: str
    module: Any = field(repr=False)
    args: tuple = field(repr=False)
    output: Any = field(repr=False)
    training: bool = False


@dataclass(eq=False)
class Trace:
    """A recorded forward pass: inputs (Variables for float inputs, the arrays themselves for
    integer and boolean ones), the outputs flattened, the Functions producers first, and which
    Module recorded each Function."""

    inputs: list
    arrays: list
    outputs: list
    functions: list = field(default_factory=list)
    owners: dict = field(default_factory=dict)  # id(Function) -> (path, Module)
    calls: list = field(default_factory=list)


def as_input(array: np.ndarray) -> Any:
    """What the model receives for one input: a Variable that records every op on it for
    floating-point data, the array itself for integer ids and masks (they cannot require a
    gradient; ops that read them keep them by identity, e.g. an embedding's index)."""
    if array.dtype.kind == "f":
        return Variable(array, requires_grad=True)
    return array


def flatten_outputs(out: Any) -> list:
    """The Variables of a model's output, nested tuples and lists flattened in order (None
    entries, such as attention weights not asked for, are left out)."""
    flat, stack = [], [out]
    while stack:
        item = stack.pop()
        if isinstance(item, (tuple, list)):
            stack.extend(reversed(item))
        elif item is not None:
            flat.append(item)
    for item in flat:
        if not isinstance(item, Variable):
            raise TypeError(f"onnx.export: the model returned a {type(item).__name__}; "
                            "expected Variables (or tuples and lists of them)")
    return flat


def record(model: Any, arrays: list[np.ndarray]) -> Trace:
    """Run `model` on `arrays` with graph recording on, and keep what the export needs."""
    inputs = [as_input(a) for a in arrays]
    trace = Trace(inputs=inputs, arrays=arrays, outputs=[])
    handles = []
    named = getattr(model, "named_modules", None)
    if named is not None:
        for path, module in named():
            handles.append(module.register_forward_hook(_attribute(trace, path)))
    try:
        with enable_grad():
            out = model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
    trace.outputs = flatten_outputs(out)
    trace.functions = topological(trace.outputs)
    return trace


def _attribute(trace: Trace, path: str) -> Callable:
    """A forward hook that gives the Functions recorded by this call to `path`, unless an
    inner module (whose hook ran first) already took them."""

    def hook(module: Any, args: tuple, out: Any) -> None:
        stop = {id(a) for a in args if isinstance(a, Variable)}
        outputs = [v for v in _variables(out)]
        trace.calls.append(Call(path, module, args, out, bool(getattr(module, "training", False))))
        seen: set[int] = set()
        stack = [v.creator for v in outputs if v.creator is not None and id(v) not in stop]
        while stack:
            fn = stack.pop()
            if id(fn) in seen:
                continue
            seen.add(id(fn))
            trace.owners.setdefault(id(fn), (path, module))
            for x in fn.inputs:
                if isinstance(x, Variable) and x.creator is not None and id(x) not in stop:
                    stack.append(x.creator)

    return hook


def _variables(out: Any) -> list:
    try:
        return flatten_outputs(out)
    except TypeError:  # a sub-module may return anything; only its Variables matter here
        return []


def topological(outputs: list) -> list:
    """Every Function behind `outputs`, each after the Functions whose outputs it reads
    (iterative depth-first, inputs in order, so two recordings of one model agree)."""
    order: list = []
    seen: set[int] = set()
    stack = [(v.creator, False) for v in reversed(outputs) if v.creator is not None]
    while stack:
        fn, finished = stack.pop()
        if finished:
            order.append(fn)
            continue
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        stack.append((fn, True))
        for x in reversed(fn.inputs):
            if isinstance(x, Variable) and x.creator is not None and id(x.creator) not in seen:
                stack.append((x.creator, False))
    return order


def live_outputs(fn: Function) -> list:
    """The Function's outputs, None for one that was dropped (held weakly, it is gone)."""
    return [ref() for ref in fn.outputs]


def arguments(fn: Function) -> dict[str, Any]:
    """The Function's own arguments (axis, shape, index arrays, masks, ...): every public
    attribute its classes declare, arrays included (`Function.params` leaves arrays out)."""
    names = []
    for cls in type(fn).__mro__:
        if cls is Function:
            break
        names.extend(cls.__dict__.get("__slots__", ()))
    names.extend(getattr(fn, "__dict__", ()))
    return {n: getattr(fn, n) for n in names if not n.startswith("_") and hasattr(fn, n)}
