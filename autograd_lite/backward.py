"""The backward pass: gradients from outputs to leaves, and `grad`.

A Function is queued when one of its outputs receives its first gradient; Functions run newest
first (by their tick of the clock), since a consumer is always recorded after the Functions whose
outputs it takes. Each runs its one gradient formula on ndarrays, or on Variables when the
backward pass is itself recorded (``create_graph=True``); the engine then does the chores for
every op at once: undo broadcasting, restore dtypes, add up the gradients of a Variable used
several times (in place only into arrays made here), run hooks, and hand the leaves their
``.grad``.
"""

from __future__ import annotations

from collections.abc import Sequence
from heapq import heappop, heappush
from typing import Any

import numpy as np

from autograd_lite import function, grad_mode, variable
from autograd_lite.function import Function
from autograd_lite.methods import ops, register_ops
from autograd_lite.variable import Variable, _new_variable, _retain, as_variable


def _backward(roots: Sequence[Variable], seeds: Sequence[Any], create_graph: bool,
              retain_graph: bool, capture: set | None = None) -> dict:
    """Propagate gradients from `roots` to the leaves.

    Leaf gradients are added to ``.grad``; with `capture`, the gradients of those Variables are
    returned in a dict instead and no ``.grad`` is touched. Gradients are ndarrays, or
    Variables when `create_graph` is True (the backward pass is then recorded).

    A Function is queued when one of its outputs receives its first gradient, and Functions
    run newest first: a consumer is always recorded after the Functions whose outputs it
    takes, so by the time a Function runs, every use of its outputs has been counted.
    """
    observer = function.observer
    step = _vjp if observer is None else observer.wrap(_vjp)
    watch = capture is not None or variable.hooks_in_use  # some gradients are seen on the way
    grads: dict[Variable, Any] = {}   # gradients still flowing (and, at the end, the leaves')
    owned: set[Variable] = set()      # whose gradient array was made here: safe to add into
    results: dict[Variable, Any] = {}
    heap: list[tuple[int, Function]] = []  # (-order, Function): newest first
    for v, g in zip(roots, seeds):
        if v not in grads and v.creator is not None:
            heappush(heap, (-v.creator.order, v.creator))
        _accumulate(grads, owned, v, _seed(v, g, create_graph), create_graph)
    saved_mode = grad_mode.state.grad_enabled
    grad_mode.set_grad_enabled(create_graph)
    try:
        last = None
        while heap:
            fn = heappop(heap)[1]
            if fn is last:  # queued by two of its outputs
                continue
            last = fn
            if fn.saved is None or variable.last_write > fn.order:
                _check_saved(fn)
            gys, live = [], False
            for ref in fn.outputs:  # a freed output (ref() is None) has no gradient
                y = ref()
                g = grads.pop(y, None)
                if g is not None:
                    live = True
                    if watch:
                        g = _visit(y, g, create_graph, capture, results)
                gys.append(g)
            if live:
                gxs = step(fn, gys, create_graph)
                for x, gx, need in zip(fn.inputs, gxs, fn.needs_input_grad):
                    if gx is not None and need:
                        data = x._data
                        if create_graph or type(gx) is not np.ndarray or gx.shape != data.shape \
                                or gx.dtype != data.dtype:
                            gx = _fit(gx, x, fn, create_graph)
                        if x in grads:
                            _accumulate(grads, owned, x, gx, create_graph)
                        else:
                            grads[x] = gx
                            if x.creator is not None:
                                heappush(heap, (-x.creator.order, x.creator))
            if not retain_graph:
                fn.saved = None
        _deliver_leaves(grads, create_graph, capture, results)
    finally:
        grad_mode.set_grad_enabled(saved_mode)
    return results


def _check_saved(fn: Function) -> None:
    """Refuse a Function whose saved values were freed by a backward, or changed since."""
    if fn.saved is None:
        raise RuntimeError(
            f"backward through the graph a second time: {type(fn).__name__}'s saved values "
            "were freed by the first backward. Pass retain_graph=True to the first "
            "backward() (or grad()) if you need to go through the graph again."
        )
    for i, x in enumerate(fn.inputs):
        if isinstance(x, Variable) and x._version > fn.order:
            raise _modified(fn, "input", i, x)
    for i, ref in enumerate(fn.outputs):
        y = ref()
        if y is not None and y._version > fn.order:
            raise _modified(fn, "output", i, y)


def _modified(fn: Function, kind: str, i: int, v: Variable) -> RuntimeError:
    return RuntimeError(
        f"{type(fn).__name__}: its {kind} {i} (shape {v.shape}) was modified in place after "
        "the forward pass, so backward would use the new values and return a wrong gradient "
        "(PyTorch: 'modified by an inplace operation'). Call backward before changing it, or "
        "run the forward pass again after the change."
    )


def backward(roots: Sequence[Variable], grads: Sequence[Any], *, create_graph: bool,
             retain_graph: bool) -> None:
    """Add d(roots)/d(leaf) to the ``.grad`` of every leaf (`Variable.backward` calls this)."""
    _check_roots(roots, "backward")
    _backward(roots, grads, create_graph, retain_graph)


register_ops(backward=backward)


def _check_roots(roots: Sequence[Variable], what: str) -> None:
    for v in roots:
        if not isinstance(v, Variable):
            raise TypeError(f"{what}: expected Variables, got {type(v).__name__}")
        if not v.requires_grad:
            raise RuntimeError(
                f"{what}: this Variable does not require a gradient (it is a constant, or was "
                "computed under no_grad() or from constants only), so there is nothing to "
                "differentiate"
            )


def _seed(v: Variable, g: Any, create_graph: bool) -> Any:
    """The gradient flowing into a root: ones for a single element, else the one given (a
    number is spread over the whole output)."""
    if g is None:
        if v.size != 1:
            raise RuntimeError(
                f"backward: the output has shape {v.shape}, not a single element; pass "
                "grad= (an array of that shape), e.g. y.backward(np.ones_like(y.data))"
            )
        g = np.ones_like(v._data)
    elif isinstance(g, Variable):
        g = g if create_graph else g._data.copy()
    else:  # a copy: the caller's array never becomes a .grad
        g = np.array(g, dtype=v._data.dtype)
        if g.ndim == 0 and v.ndim:
            g = np.full(v.shape, g)
    if g.shape != v.shape:
        raise ValueError(f"backward: grad has shape {g.shape} but the output has shape {v.shape}")
    return _new_variable(g) if create_graph and not isinstance(g, Variable) else g


def _vjp(fn: Function, gys: list, create_graph: bool) -> tuple:
    """One Function's input gradients from its output gradients: its formula, on ndarrays
    (the arrays it saved) or, to record a graph, on Variables (its inputs and outputs)."""
    xs = fn.inputs if create_graph else fn.saved
    if fn.multi:
        ys = [ref() for ref in fn.outputs]
        if not create_graph:
            ys = [None if y is None else y._data for y in ys]
        gxs = fn.vjp(tuple(gys), tuple(ys), *xs)
    else:
        y = fn.outputs[0]()
        gxs = fn.vjp(gys[0], y if create_graph else y._data, *xs)
    return gxs if type(gxs) is tuple else (gxs,)


def _fit(gx: Any, x: Variable, fn: Function, create_graph: bool) -> Any:
    """Undo broadcasting and restore the input's dtype: the engine's chores, done once for all."""
    if create_graph:
        if not isinstance(gx, Variable):
            gx = _new_variable(np.asarray(gx))
    elif not isinstance(gx, np.ndarray):
        gx = np.asarray(gx._data if isinstance(gx, Variable) else gx)
    shape, dtype = x._data.shape, x._data.dtype
    if gx.shape != shape:
        try:
            gx = ops.sum_to(gx, shape)
        except ValueError:
            raise RuntimeError(
                f"{type(fn).__name__}.backward returned a gradient of shape {gx.shape} for an "
                f"input of shape {shape}"
            ) from None
    if gx.dtype != dtype:
        gx = ops.astype(gx, dtype)
    return gx


def _accumulate(grads: dict, owned: set, x: Variable, g: Any, create_graph: bool) -> None:
    """Add `g` to the gradient of `x` so far: in place only into an array made here."""
    old = grads.get(x)
    if old is None:
        grads[x] = g
    elif create_graph:
        grads[x] = old + g
    elif x in owned:
        np.add(old, g, out=old)
    else:
        grads[x] = np.asarray(old + g)  # 0-d sums come back as NumPy scalars
        owned.add(x)


def _visit(v: Variable, g: Any, create_graph: bool, capture: set | None,
           results: dict) -> Any:
    """A Variable's gradient is complete: run its hooks, keep it if asked (retain_grad, or
    `capture` in grad()); returns the gradient that flows on."""
    if v._hooks is not None:
        g = _run_hooks(v, g, create_graph)
    if capture is not None:
        if v in capture:
            results[v] = g
    elif v._hooks is not None and _retain in v._hooks:
        _store_grad(v, g if create_graph or v.grad is not None else g.copy(), create_graph)
    return g


def _deliver_leaves(grads: dict, create_graph: bool, capture: set | None,
                    results: dict) -> None:
    """Hand each leaf its finished gradient: into ``.grad``, or into `results` for grad()."""
    given: set[int] = set()  # arrays already handed to a leaf: the next leaf gets a copy
    for x, g in grads.items():
        if x._hooks is not None:
            g = _run_hooks(x, g, create_graph)
        if capture is not None:
            if x in capture:
                results[x] = g
            continue
        if not create_graph and x.grad is None:
            if id(g) in given or g.base is not None:
                g = g.copy()
            given.add(id(g))
        _store_grad(x, g, create_graph)


def _run_hooks(v: Variable, g: Any, create_graph: bool) -> Any:
    for hook in list(v._hooks):
        if hook is _retain:
            continue
        out = hook(g if create_graph else _new_variable(g))
        if out is not None:
            out = as_variable(out)
            if out.shape != v.shape or out.dtype != v.dtype:
                raise RuntimeError(
                    f"a hook returned a gradient of shape {out.shape} and dtype {out.dtype} for "
                    f"a Variable of shape {v.shape} and dtype {v.dtype}; return one of the same "
                    "shape and dtype"
                )
            g = out if create_graph else out._data
    return g


def _store_grad(v: Variable, g: Any, create_graph: bool) -> None:
    """Accumulate into ``v.grad``; never in place, so earlier references stay valid."""
    if create_graph:
        v.grad = g if v.grad is None else v.grad + g
    elif v.grad is None:
        v.grad = _new_variable(g)
    else:
        v.grad = _new_variable(v.grad._data + g)


def grad(outputs: Variable | Sequence[Variable], inputs: Variable | Sequence[Variable],
         grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple:
    """Gradients of `outputs` with respect to `inputs`, without touching any ``.grad``.

    Parameters
    ----------
    outputs, inputs : Variable or sequence of Variables
    grad_outputs : array_like or sequence, optional
        The gradient flowing into each output (needed for outputs of more than one element).
    retain_graph : bool, optional
        Keep the graph for another pass; defaults to `create_graph`.
    create_graph : bool
        Record the computation, so the result can be differentiated again.
    allow_unused : bool
        Return None for an input the outputs do not depend on, instead of raising.

    Returns
    -------
    tuple of Variable
        One gradient per input, shaped like it.
    """
    outputs = [outputs] if isinstance(outputs, Variable) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Variable) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, (Variable, np.ndarray, int, float)):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    _check_roots(outputs, "grad")
    for x in inputs:
        if not isinstance(x, Variable) or not x.requires_grad:
            raise RuntimeError("grad: every input must be a Variable that requires a gradient")
    if retain_graph is None:
        retain_graph = create_graph
    results = _backward(outputs, grad_outputs, create_graph, retain_graph, capture=set(inputs))
    out = []
    for i, x in enumerate(inputs):
        g = results.get(x)
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {x.shape}) is not used to compute the outputs; "
                    "pass allow_unused=True to get None for it"
                )
            out.append(None)
        else:
            out.append(g if isinstance(g, Variable) else _new_variable(g))
    return tuple(out)
