"""Variables, Functions and the reverse-mode engine.

* A `Variable` wraps an ndarray and remembers the `Function` that created it (``creator``).
* A `Function` computes its outputs from ndarrays in ``forward``, keeps its ``inputs`` and the
  arrays it read (``saved``), holds its ``outputs`` weakly (so the graph has no reference cycles
  and dies by reference counting) and says in ``vjp`` how output gradients flow back.
* `backward` runs every Function behind the outputs once, consumers before producers, in
  reverse order of creation (each Function takes a number from one clock when it is recorded).

Every gradient formula is written once, as ``vjp(gy, y, *xs)``, with operators, ndarray methods
and NumPy functions that Variables also understand. The engine calls it with ndarrays (fast) or,
when ``create_graph=True``, with Variables, so the same formula gives first derivatives quickly
and higher derivatives exactly. That makes NumPy dispatch on Variables (``np.exp(x)``,
``x.sum(axis=0)``, ``ndarray * x``) part of the engine's contract: a formula may only use NumPy
functions with a differentiable counterpart (see `autograd_lite.functions.numpy_dispatch`).

In-place safety: every write into a Variable's data through the library (the ``data`` setter,
optimizers, ``nn.init``, ``load_state_dict``, `Variable.mark_modified`) stamps the Variable
with the clock. A Function whose input or output was stamped after it was recorded refuses to
run backward, instead of returning a gradient computed from the new values.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import weakref
from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import Any

import numpy as np

from autograd_lite.methods import VariableMethods, ops

_clock = itertools.count(1)  # orders recorded Functions and stamps writes; next() is atomic
_NUMBERS = (float, int)  # Python numbers that built-in Functions take as they are
_last_write = 0  # the clock at the latest write into a Variable's data (see _check_saved)
_hooks_in_use = False  # set once any hook is registered: backward then looks for them


# ----------------------------------------------------------------------------- grad mode


class _ThreadState(threading.local):
    grad_enabled = True  # each thread starts with recording on, as in PyTorch


_state = _ThreadState()
_threads_without_grad = 0  # threads whose recording is off now; 0 spares a per-thread lookup
_mode_lock = threading.Lock()


def _set_grad_enabled(enabled: bool) -> None:
    global _threads_without_grad
    if _state.grad_enabled != enabled:
        with _mode_lock:
            _threads_without_grad += -1 if enabled else 1
        _state.grad_enabled = enabled


class _GradMode(contextlib.ContextDecorator):
    """Switches graph recording on or off in the current thread (context manager, decorator)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._saved: list[bool] = []

    def _recreate_cm(self) -> _GradMode:
        return _GradMode(self.enabled)  # a decorated function may run in several threads

    def __enter__(self) -> None:
        self._saved.append(_state.grad_enabled)
        _set_grad_enabled(self.enabled)

    def __exit__(self, *exc: object) -> None:
        _set_grad_enabled(self._saved.pop())


def no_grad() -> _GradMode:
    """Record no graph inside (outputs are constants): ``with no_grad():`` or ``@no_grad()``."""
    return _GradMode(False)


def enable_grad() -> _GradMode:
    """Record the graph inside, even within ``no_grad()``."""
    return _GradMode(True)


def is_grad_enabled() -> bool:
    """Whether Functions record the graph in this thread right now."""
    return _state.grad_enabled


# ----------------------------------------------------------------------------- Variable


class Variable(VariableMethods):
    """An ndarray that records how it was computed, so gradients can flow back to it.

    Parameters
    ----------
    data : array_like
        The value. ndarrays are used as they are (no copy, dtype kept); Python numbers and lists
        become float64 arrays.
    name : str, optional
        Shown in ``repr`` and in graph pictures.
    requires_grad : bool, optional
        Whether ``backward`` computes a gradient for this Variable. By default floating-point
        data does and integer or boolean data does not (it cannot: asking raises TypeError).

    Examples
    --------
    >>> x = Variable(3.0)
    >>> y = x * x + 2 * x
    >>> y.backward()
    >>> x.grad
    Variable(8.)
    """

    __slots__ = ("_data", "_version", "grad", "name", "creator", "requires_grad", "_hooks",
                 "__weakref__")

    def __init__(self, data: Any, name: str | None = None,
                 requires_grad: bool | None = None) -> None:
        if isinstance(data, Variable):
            data = data._data
        elif not isinstance(data, np.ndarray):
            python_value = not isinstance(data, np.generic)
            data = np.asarray(data)
            if python_value and data.dtype.kind in "biu":
                data = data.astype(np.float64)
            if data.dtype == object:
                raise TypeError(f"Variable: cannot hold data of type {type(data).__name__}")
        if requires_grad is None:
            requires_grad = data.dtype.kind == "f"
        elif requires_grad and data.dtype.kind != "f":
            raise TypeError(
                f"Variable: {data.dtype} data cannot require gradients (only floating-point "
                "data can); leave requires_grad out, or convert it, e.g. x.astype(np.float32)"
            )
        self._data = data
        self._version = 0
        self.grad: Variable | None = None
        self.name = name
        self.creator: Function | None = None
        self.requires_grad = bool(requires_grad)
        self._hooks: list[Callable] | None = None

    # -- the data, and in-place safety
    @property
    def data(self) -> np.ndarray:
        """The value (an ndarray). Assigning it (``p.data = p.data.astype(np.float64)``, or
        ``x.data -= step``) counts as a change for the in-place check of backward."""
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value if isinstance(value, np.ndarray) else np.asarray(value)
        self.mark_modified()

    def mark_modified(self) -> None:
        """Declare that ``.data`` was changed in place without the ``.data`` setter.

        Call it after writing into the array through NumPy (``np.copyto(x.data, new)``,
        ``x.data[0] = v``, ``out=x.data``): a backward through a graph recorded before the write
        then refuses instead of computing a gradient from the new values. Optimizers, ``nn.init``
        and ``load_state_dict`` call it for every array they write.
        """
        global _last_write
        self._version = _last_write = next(_clock)

    # -- array-like attributes
    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def size(self) -> int:
        return self._data.size

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    def __len__(self) -> int:
        return len(self._data)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def __bool__(self) -> bool:
        return bool(self._data)

    def __float__(self) -> float:
        return float(self._data)

    def __int__(self) -> int:
        return int(self._data)

    def __repr__(self) -> str:
        body = np.array2string(self._data, separator=", ", prefix="Variable(")
        extras = []
        if self._data.dtype != np.float64:
            extras.append(f"dtype={self._data.dtype}")
        if self.name is not None:
            extras.append(f"name={self.name!r}")
        if self.creator is not None:
            extras.append(f"creator={type(self.creator).__name__}")
        return "Variable(" + ", ".join([body, *extras]) + ")"

    def item(self) -> Any:
        return self._data.item()

    def numpy(self) -> np.ndarray:
        """The data (shared, not copied)."""
        return self._data

    def detach(self) -> Variable:
        """The same data as a constant: no gradient flows through it."""
        return _new_variable(self._data)

    # -- gradients
    @property
    def is_leaf(self) -> bool:
        """Whether no recorded Function made this Variable (parameters, inputs, constants)."""
        return self.creator is None

    @property
    def grad_fn(self) -> Function | None:
        """PyTorch's name for `creator`."""
        return self.creator

    def requires_grad_(self, requires_grad: bool = True) -> Variable:
        """Switch gradient tracking of a leaf on or off, in place; returns the Variable."""
        if self.creator is not None:
            raise RuntimeError(
                "requires_grad_: this Variable was computed by a recorded op; only a leaf's "
                "flag can change (use .detach() for a constant copy of a computed value)"
            )
        if requires_grad and self._data.dtype.kind != "f":
            raise TypeError(f"requires_grad_: {self._data.dtype} data cannot require gradients "
                            "(only floating-point data can); convert it first, e.g. "
                            "x.astype(np.float32)")
        self.requires_grad = bool(requires_grad)
        return self

    def backward(self, grad: Any = None, retain_graph: bool = False,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into the ``.grad`` of every leaf that requires one.

        Parameters
        ----------
        grad : array_like or Variable, optional
            The gradient flowing into ``self``; needed unless ``self`` has a single element.
        retain_graph : bool
            Keep the graph usable for another backward pass (default: freed).
        create_graph : bool
            Record the backward pass itself, so the gradients can be differentiated again.
        """
        _check_roots([self], "backward")
        _backward([self], [grad], create_graph, retain_graph or create_graph)

    def cleargrad(self) -> None:
        """Forget the accumulated gradient."""
        self.grad = None

    zero_grad = cleargrad

    def retain_grad(self) -> None:
        """Keep this intermediate Variable's gradient in ``.grad`` after ``backward``."""
        self.register_hook(_retain)

    def register_hook(self, hook: Callable[[Variable], Variable | None]) -> _HookHandle:
        """Call ``hook(grad)`` when this Variable's gradient is complete.

        The hook may return a replacement gradient (same shape and dtype). Returns a handle
        with ``remove()``.
        """
        global _hooks_in_use
        _hooks_in_use = True
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _HookHandle(self._hooks, hook)


def _new_variable(data: np.ndarray, creator: Function | None = None) -> Variable:
    """A Variable around an ndarray without the checks of `Variable.__init__` (the hot path)."""
    v = object.__new__(Variable)
    v._data = data
    v._version = 0
    v.grad = None
    v.name = None
    v.creator = creator
    v.requires_grad = creator is not None
    v._hooks = None
    return v


def as_variable(x: Any) -> Variable:
    """`x` itself if it is a Variable, else `x` as a constant Variable."""
    if isinstance(x, Variable):
        return x
    data = np.asarray(x)
    if data.dtype == object:
        raise TypeError(f"cannot use a {type(x).__name__} in an expression with Variables")
    return _new_variable(data)


def _retain(grad: Variable) -> None:
    """The hook of `retain_grad` (the engine recognises it and keeps the gradient)."""


class _HookHandle:
    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


# ----------------------------------------------------------------------------- Function


class Function:
    """A differentiable operation: subclass it and implement `forward` and `backward`.

    ``forward(self, *xs)`` receives ndarrays and returns an ndarray (or a tuple of them).
    ``backward(self, *gys)`` receives one gradient Variable per output (zeros for an output
    nobody used) and returns one gradient per input (a Variable, or None where
    ``self.needs_input_grad`` is False). Write it with differentiable operations on Variables,
    so it can be differentiated again. ``self.inputs``, ``self.outputs`` (weak references:
    call one to get its Variable) and ``self.needs_input_grad`` are set when the call recorded
    a graph.

    Call an instance once: ``y = MyFunction()(x)``.

    Built-in functions define ``vjp(gy, y, *xs)`` instead (see the module docstring): for a
    function that returned a tuple, ``gy`` and ``y`` are tuples, with None for an output that
    received no gradient. A Function whose class sets ``takes_numbers = True`` (the arithmetic
    operators: ``x * 2.0``, ``1 - x``) receives Python numbers as they are; every other constant
    arrives as an ndarray.
    """

    __slots__ = ("inputs", "outputs", "saved", "needs_input_grad", "order", "multi",
                 "output_specs", "__weakref__")
    takes_numbers = False  # True: Python numbers reach forward and vjp as they are (see below)

    def __call__(self, *inputs: Any) -> Any:
        xs, needs = [], []
        for x in inputs:
            if isinstance(x, Variable):
                xs.append(x._data)
                needs.append(x.requires_grad)
            elif type(x) in _NUMBERS and self.takes_numbers:
                xs.append(x)
                needs.append(False)
            else:
                return self(*self._constants(inputs))
        try:
            ys = self.forward(*xs)
        except (ValueError, IndexError, TypeError) as e:
            raise _named_error(self, e, xs) from e
        if _observer is not None:
            _observer.forward(self, xs, ys)
        creator = self if True in needs and (not _threads_without_grad or _state.grad_enabled) \
            else None
        if type(ys) is tuple:
            outputs = tuple([_new_variable(y if type(y) is np.ndarray else np.asarray(y), creator)
                             for y in ys])
            if creator:
                self.outputs = tuple([weakref.ref(y) for y in outputs])
                self.output_specs = tuple([(y.shape, y.dtype) for y in outputs])
        else:
            outputs = _new_variable(ys if type(ys) is np.ndarray else np.asarray(ys), creator)
            if creator:
                self.outputs = (weakref.ref(outputs),)
        if creator:
            self.inputs = inputs
            self.saved = xs
            self.needs_input_grad = tuple(needs)
            self.multi = type(ys) is tuple
            self.order = next(_clock)
        return outputs

    def _constants(self, inputs: tuple) -> tuple:
        """The inputs with every constant a Variable or, for a Function that ``takes_numbers``
        (the arithmetic operators), a Python number as it is: NumPy then gives the number the
        dtype of the array it meets, so float32 stays float32 without a constant Variable.
        Other Functions get numbers as arrays of the float dtype of their first float input.
        NumPy scalars act like Python numbers, as in PyTorch.
        """
        like = next((x._data.dtype for x in inputs
                     if isinstance(x, Variable) and x._data.dtype.kind == "f"), None)
        out = []
        for x in inputs:
            if isinstance(x, np.generic) and x.dtype.kind in "biuf":
                x = x.item()
            if isinstance(x, Variable) or (type(x) in _NUMBERS and self.takes_numbers):
                out.append(x)
            elif isinstance(x, (bool, int, float)):
                out.append(_new_variable(np.asarray(x, dtype=like if like else None)))
            else:
                out.append(as_variable(x))
        return tuple(out)

    def forward(self, *xs: np.ndarray) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, *gys: Variable) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.backward is not implemented")

    def vjp(self, gy: Any, y: Any, *xs: Any) -> Any:
        """A user's Function: its `backward`, on Variables, in either mode of the engine."""
        gys = gy if self.multi else (gy,)
        arrays = not any(isinstance(g, Variable) for g in gys)
        if any(g is None for g in gys):  # an output nobody used: its gradient is zero
            gys = [np.zeros(*spec) if g is None else g for g, spec in zip(gys, self.output_specs)]
        gys = [as_variable(g) for g in gys]
        gxs = self.backward(*gys)
        gxs = tuple(gxs) if isinstance(gxs, (tuple, list)) else (gxs,)
        if len(gxs) != len(self.inputs):
            raise RuntimeError(f"{type(self).__name__}.backward returned {len(gxs)} gradients "
                               f"for {len(self.inputs)} inputs")
        if arrays:  # nothing is recorded in this mode: hand the engine the arrays
            gxs = tuple(g._data if isinstance(g, Variable) else g for g in gxs)
        return gxs

    def apply(self, *xs: Any) -> Any:
        """Run on Variables as a recorded call, or on ndarrays as a bare `forward`.

        Gradient formulas use this so that one formula serves both modes of the engine.
        """
        for x in xs:
            if isinstance(x, Variable):
                return self(*xs)
        y = self.forward(*xs)
        return y if type(y) is np.ndarray else np.asarray(y)

    def params(self) -> dict[str, Any]:
        """The non-array arguments of this op (axis, shape, stride, ...), for pictures."""
        names = []
        for cls in type(self).__mro__:
            if cls is Function:
                break
            names.extend(cls.__dict__.get("__slots__", ()))
        names.extend(getattr(self, "__dict__", ()))  # a user's Function without __slots__
        return {n: getattr(self, n) for n in names
                if not n.startswith("_") and hasattr(self, n)
                and not isinstance(getattr(self, n), (np.ndarray, Variable))}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{type(self).__name__}({args})"


def _named_error(fn: Function, e: Exception, xs: list) -> Exception:
    """The error `e` of `fn.forward`, its message prefixed with the op and the input shapes."""
    name = type(fn).__name__
    if str(e).lower().startswith(name.lower() + ":"):
        return e  # already says which op
    shapes = ", ".join(f"{np.shape(x)} {getattr(x, 'dtype', type(x).__name__)}" for x in xs)
    message = f"{name}: {e} (inputs: {shapes})"
    try:
        return type(e)(message)  # keep the type (NumPy's AxisError stays an AxisError)
    except Exception:
        return ValueError(message)


# The anomaly-mode observer (autograd_lite.anomaly), or None: the engine's only hook.
_observer: Any = None


def set_observer(observer: Any) -> Any:
    """Install an observer of every forward and backward step (None: none); returns the old one.

    It has ``forward(fn, xs, ys)``, called after every forward, and ``wrap(step)``, which
    returns the function backward then calls for each Function instead of
    ``step(fn, gys, create_graph)`` (the Function's input gradients), to check around it.
    """
    global _observer
    old, _observer = _observer, observer
    return old


# ----------------------------------------------------------------------------- backward


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
    step = _vjp if _observer is None else _observer.wrap(_vjp)
    watch = capture is not None or _hooks_in_use  # some gradients are seen on the way
    grads: dict[Variable, Any] = {}   # gradients still flowing (and, at the end, the leaves')
    owned: set[Variable] = set()      # whose gradient array was made here: safe to add into
    results: dict[Variable, Any] = {}
    heap: list[tuple[int, Function]] = []  # (-order, Function): newest first
    for v, g in zip(roots, seeds):
        if v not in grads and v.creator is not None:
            heappush(heap, (-v.creator.order, v.creator))
        _accumulate(grads, owned, v, _seed(v, g, create_graph), create_graph)
    saved_mode = _state.grad_enabled
    _set_grad_enabled(create_graph)
    try:
        last = None
        while heap:
            fn = heappop(heap)[1]
            if fn is last:  # queued by two of its outputs
                continue
            last = fn
            if fn.saved is None or _last_write > fn.order:
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
        _set_grad_enabled(saved_mode)
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
