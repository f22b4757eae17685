"""Variables, Functions and the reverse-mode engine, in one file.

* A `Variable` wraps an ndarray and remembers the `Function` that created it (`creator`).
* A `Function` computes its outputs from ndarrays in `forward`, keeps its `inputs`, holds its
  `outputs` weakly (so the graph has no reference cycles and dies by reference counting), and
  says in `backward` how an output gradient flows back to each input.
* `backward` walks the graph once from the outputs to the leaves. A Function runs when all the
  Functions that consumed its outputs have run: each Function counts its pending consumers and is
  released when the count reaches zero (no recursion, no sorting, time linear in the graph).

Built-in functions write their gradient once, as `vjp(gy, y, *xs)`, with operators, ndarray
methods and NumPy ufuncs that Variables also understand. The engine calls it with ndarrays when
no graph of the backward pass is wanted (fast) and with Variables when `create_graph=True`, so
the same line gives first derivatives quickly and higher derivatives exactly.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

_grad_enabled = True
_mutations = 0  # counts in-place changes of Variable data; Functions remember when they ran
_detect_anomaly = False  # set by autograd_lite.anomaly.detect_anomaly()


# ----------------------------------------------------------------------------- grad mode


class _GradMode(contextlib.ContextDecorator):
    """Context manager and decorator that switches graph recording on or off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._saved: list[bool] = []

    def __enter__(self) -> None:
        global _grad_enabled
        self._saved.append(_grad_enabled)
        _grad_enabled = self.enabled

    def __exit__(self, *exc: object) -> None:
        global _grad_enabled
        _grad_enabled = self._saved.pop()


def no_grad() -> _GradMode:
    """Record no graph inside (outputs are constants): ``with no_grad():`` or ``@no_grad()``."""
    return _GradMode(False)


def enable_grad() -> _GradMode:
    """Record the graph inside, even within ``no_grad()``."""
    return _GradMode(True)


def is_grad_enabled() -> bool:
    """Whether Functions record the graph right now."""
    return _grad_enabled


# ----------------------------------------------------------------------------- Variable


def _new_variable(data: np.ndarray, creator: Function | None = None) -> Variable:
    """A Variable around `data` without the checks of `Variable.__init__` (the hot path)."""
    v = object.__new__(Variable)
    v._data = data
    v._version = 0
    v.grad = None
    v.name = None
    v.creator = creator
    v.requires_grad = creator is not None
    v._retain = False
    v._hooks = None
    return v


def _constant(x: Any, like: np.dtype | None) -> Variable:
    """Wrap an ndarray or number met in an expression as a constant Variable.

    A Python number takes the float dtype of the Variable it meets, so ``x * 2.0`` keeps float32
    (NumPy 2's rule for Python scalars); other values keep their own dtype.
    """
    if isinstance(x, np.ndarray):
        return _new_variable(x)
    if isinstance(x, (bool, int, float)) and like is not None and like.kind == "f":
        return _new_variable(np.array(x, dtype=like))
    data = np.asarray(x)
    if data.dtype == object:
        raise TypeError(f"cannot use a {type(x).__name__} in an expression with Variables")
    return _new_variable(data)


class Variable:
    """An ndarray that records how it was computed, so gradients can flow back to it.

    Parameters
    ----------
    data : array_like
        The value. ndarrays are used as they are (no copy, dtype kept); Python numbers and lists
        become float64 arrays.
    name : str, optional
        Shown in ``repr`` and in graph pictures.
    requires_grad : bool
        Whether ``backward`` computes a gradient for this Variable. Only floating-point data can.

    Examples
    --------
    >>> x = Variable(3.0)
    >>> y = x * x + 2 * x
    >>> y.backward()
    >>> x.grad
    Variable(8.0)
    """

    __slots__ = ("_data", "_version", "grad", "name", "creator", "requires_grad", "_retain",
                 "_hooks", "__weakref__")

    def __init__(self, data: Any, name: str | None = None, requires_grad: bool = True) -> None:
        if isinstance(data, Variable):
            data = data.data
        elif not isinstance(data, np.ndarray):
            python_value = not isinstance(data, np.generic)
            data = np.asarray(data)
            if python_value and data.dtype.kind in "biu":
                data = data.astype(np.float64)
            if data.dtype == object:
                raise TypeError(f"Variable: cannot hold data of type {type(data).__name__}")
        if requires_grad and data.dtype.kind != "f":
            raise TypeError(
                f"Variable: {data.dtype} data cannot require gradients (only floating-point "
                "data can); pass requires_grad=False, or convert it, e.g. x.astype(np.float32)"
            )
        self._data = data
        self._version = 0
        self.grad: Variable | None = None
        self.name = name
        self.creator: Function | None = None
        self.requires_grad = bool(requires_grad)
        self._retain = False
        self._hooks: list[Callable] | None = None

    # -- the data, and in-place safety
    @property
    def data(self) -> np.ndarray:
        """The value (an ndarray). Assignable, e.g. ``p.data = p.data.astype(np.float64)``."""
        return self._data

    @data.setter
    def data(self, value: np.ndarray) -> None:
        global _mutations
        if not isinstance(value, np.ndarray):
            value = np.asarray(value)
        if value is self._data:
            # ``x.data -= step`` changed the array in place: Functions that saved it before now
            # hold stale values, and backward through them must refuse (see _count_consumers).
            _mutations += 1
            self._version = _mutations
        self._data = value

    def mark_modified(self) -> None:
        """Declare that ``.data`` was changed in place without the ``.data`` setter.

        Call it after writing into the array through NumPy (``np.copyto(x.data, new)``,
        ``x.data[0] = v``, ``out=x.data``): a backward through a graph recorded before the write
        then refuses instead of computing a gradient from the new values. Optimizers, ``nn.init``
        and ``load_state_dict`` call it for every array they write.
        """
        global _mutations
        _mutations += 1
        self._version = _mutations

    # -- array-like attributes
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def T(self) -> Variable:
        return _F.transpose(self)

    @property
    def mT(self) -> Variable:
        """Swap the last two axes (matrix transpose of a batch)."""
        return _F.swapaxes(self, -1, -2)

    def __len__(self) -> int:
        return len(self.data)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data if dtype is None else self.data.astype(dtype, copy=False)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Variable(")
        extras = []
        if self.data.dtype != np.float64:
            extras.append(f"dtype={self.data.dtype}")
        if self.name is not None:
            extras.append(f"name={self.name!r}")
        if self.creator is not None:
            extras.append(f"creator={type(self.creator).__name__}")
        return "Variable(" + ", ".join([body, *extras]) + ")"

    def item(self) -> Any:
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The data (shared, not copied)."""
        return self.data

    # -- gradients
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
        _run_backward([self], [grad], create_graph=create_graph,
                      retain_graph=retain_graph or create_graph)

    def cleargrad(self) -> None:
        """Forget the accumulated gradient."""
        self.grad = None

    zero_grad = cleargrad

    def retain_grad(self) -> None:
        """Keep this intermediate Variable's gradient in ``.grad`` after ``backward``."""
        self._retain = True

    def register_hook(self, hook: Callable[[Variable], Variable | None]) -> _HookHandle:
        """Call ``hook(grad)`` when this Variable's gradient is computed.

        The hook may return a replacement gradient. Returns a handle with ``remove()``.
        """
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _HookHandle(self._hooks, hook)

    def detach(self) -> Variable:
        """The same data as a constant: no gradient flows through it."""
        return _new_variable(self.data)

    def astype(self, dtype: Any) -> Variable:
        return _F.astype(self, dtype)

    # -- shape and reductions (thin front doors to autograd_lite.functions)
    def reshape(self, *shape: Any) -> Variable:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _F.reshape(self, shape)

    def transpose(self, *axes: Any) -> Variable:
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        return _F.transpose(self, axes or None)

    def swapaxes(self, axis1: int, axis2: int) -> Variable:
        return _F.swapaxes(self, axis1, axis2)

    def sum(self, axis: Any = None, keepdims: bool = False) -> Variable:
        return _F.sum(self, axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Variable:
        return _F.mean(self, axis, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Variable:
        return _F.max(self, axis, keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Variable:
        return _F.min(self, axis, keepdims)

    # -- operators (a Python number on either side takes the scalar ops: no constant Variable)
    def __add__(self, other: Any) -> Variable:
        if type(other) in _NUMBERS:
            return _F.AddScalar(other)(self)
        return _F.add(self, other)

    def __radd__(self, other: Any) -> Variable:
        if type(other) in _NUMBERS:
            return _F.AddScalar(other)(self)
        return _F.add(other, self)

    def __sub__(self, other: Any) -> Variable:
        if type(other) in _NUMBERS:
            return _F.AddScalar(-other)(self)
        return _F.sub(self, other)

    def __rsub__(self, other: Any) -> Variable:
        return _F.sub(other, self)

    def __mul__(self, other: Any) -> Variable:
        if type(other) in _NUMBERS:
            return _F.MulScalar(other)(self)
        return _F.mul(self, other)

    def __rmul__(self, other: Any) -> Variable:
        if type(other) in _NUMBERS:
            return _F.MulScalar(other)(self)
        return _F.mul(other, self)

    def __truediv__(self, other: Any) -> Variable:
        return _F.div(self, other)

    def __rtruediv__(self, other: Any) -> Variable:
        return _F.div(other, self)

    def __pow__(self, other: Any) -> Variable:
        return _F.pow(self, other)

    def __rpow__(self, other: Any) -> Variable:
        return _F.pow(other, self)

    def __matmul__(self, other: Any) -> Variable:
        return _F.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Variable:
        return _F.matmul(other, self)

    def __neg__(self) -> Variable:
        return _F.neg(self)

    def __pos__(self) -> Variable:
        return self

    def __abs__(self) -> Variable:
        return _F.abs(self)

    def __getitem__(self, index: Any) -> Variable:
        return _F.getitem(self, index)

    # Comparisons are not differentiable: they give plain boolean ndarrays.
    def __eq__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        return self.data == _data_of(other)

    def __ne__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        return self.data != _data_of(other)

    def __lt__(self, other: Any) -> np.ndarray:
        return self.data < _data_of(other)

    def __le__(self, other: Any) -> np.ndarray:
        return self.data <= _data_of(other)

    def __gt__(self, other: Any) -> np.ndarray:
        return self.data > _data_of(other)

    def __ge__(self, other: Any) -> np.ndarray:
        return self.data >= _data_of(other)

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.data)

    def __int__(self) -> int:
        return int(self.data)

    # -- NumPy protocols: np.exp(x), np.sum(x), ndarray * x all stay differentiable
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return _F.numpy_dispatch.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Callable, types: Any, args: Any, kwargs: Any) -> Any:
        return _F.numpy_dispatch.array_function(func, args, kwargs)


_NUMBERS = (int, float)


def _data_of(x: Any) -> Any:
    return x.data if isinstance(x, Variable) else x


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
    ``self.needs_input_grad`` is False). Write it with differentiable operations on
    Variables, so it can be differentiated again. ``self.inputs``,
    ``self.outputs`` (weak references: call one to get its Variable) and
    ``self.needs_input_grad`` are set when the call recorded a graph.

    Call an instance once: ``y = MyFunction()(x)``.

    Built-in functions instead define ``vjp(gy, y, *xs)`` (see the module docstring); for
    functions with several outputs, ``gy`` and ``y`` are tuples.
    """

    __slots__ = ("inputs", "outputs", "needs_input_grad", "saved", "stamp", "output_specs",
                 "created_at", "__weakref__")
    vjp: Callable | None = None

    def __call__(self, *inputs: Any) -> Any:
        for x in inputs:
            if not isinstance(x, Variable):
                inputs = _with_constants(inputs)
                break
        xs = [x._data for x in inputs]
        try:
            ys = self.forward(*xs)
        except (ValueError, IndexError, TypeError) as e:
            err = _named_error(self, e, xs)
            if err is e:
                raise
            raise err from e
        if _detect_anomaly:
            from autograd_lite import anomaly
            anomaly.after_forward(self, xs, ys)
        needs = tuple([x.requires_grad for x in inputs]) if _grad_enabled else ()
        creator = self if True in needs else None
        if type(ys) is tuple:
            outputs = tuple(_new_variable(_as_array(y), creator) for y in ys)
            refs = [weakref.ref(y) for y in outputs] if creator else None
            if creator:  # to give zeros for an output dropped unused
                self.output_specs = [(y.shape, y.dtype) for y in outputs]
        else:
            outputs = _new_variable(ys if type(ys) is np.ndarray else np.asarray(ys), creator)
            refs = [weakref.ref(outputs)] if creator else None
        if creator:
            self.inputs = inputs
            self.outputs = refs
            self.needs_input_grad = needs
            self.saved = xs
            self.stamp = _mutations
        return outputs

    def forward(self, *xs: np.ndarray) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, *gys: Variable) -> Any:
        """Gradients of the inputs, as Variables (built-ins: through their `vjp`)."""
        if self.vjp is None:
            raise NotImplementedError(f"{type(self).__name__}.backward is not implemented")
        ys = [ref() for ref in self.outputs]
        if len(ys) == 1:
            return self.vjp(gys[0], ys[0], *self.inputs)
        return self.vjp(gys, ys, *self.inputs)

    def apply(self, *xs: Any) -> Any:
        """Run on Variables as a recorded call, or on ndarrays as a bare `forward`.

        Gradient formulas use this so that one formula serves both backward modes.
        """
        if isinstance(xs[0], Variable):
            return self(*xs)
        return _as_array(self.forward(*xs))

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


def _with_constants(inputs: tuple) -> tuple:
    """The inputs with every ndarray or number wrapped as a constant Variable."""
    like = None
    for v in inputs:
        if isinstance(v, Variable):
            like = v._data.dtype
            break
    return tuple(v if isinstance(v, Variable) else _constant(v, like) for v in inputs)


def _named_error(fn: Function, e: Exception, xs: list) -> Exception:
    """The error `e` from `fn.forward`, its message prefixed with the op and the input shapes."""
    name = type(fn).__name__
    if str(e).lower().startswith(name.lower() + ":"):
        return e  # already says which op
    shapes = ", ".join(f"{np.shape(x)} {getattr(x, 'dtype', type(x).__name__)}" for x in xs)
    kind = type(e) if type(e) in (ValueError, IndexError, TypeError) else ValueError
    return kind(f"{name}: {e} (inputs: {shapes})")


def _as_array(y: Any) -> np.ndarray:
    return y if type(y) is np.ndarray else np.asarray(y)


# ----------------------------------------------------------------------------- backward


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
    """The gradient that flows into a root: ones for a single element, else the given one."""
    if g is None:
        if v.data.size != 1:
            raise RuntimeError(
                f"backward: the output has shape {v.shape}, not a single element; pass "
                "grad= (an array of that shape), e.g. y.backward(np.ones_like(y.data))"
            )
        g = np.ones_like(v.data)
    elif isinstance(g, Variable):
        g = g if create_graph else g.data
    else:
        g = np.array(g, dtype=v._data.dtype)  # a copy: the caller's array never becomes a .grad
    if g.shape != v.shape:
        raise ValueError(f"backward: grad has shape {g.shape} but the output has shape {v.shape}")
    if create_graph and not isinstance(g, Variable):
        g = _new_variable(g)
    return g


def _count_consumers(roots: Sequence[Variable]) -> dict[Function, int]:
    """For every Function reachable from `roots`, how many recorded uses of its outputs wait."""
    pending: dict[Function, int] = {}
    stack = [v.creator for v in roots if v.creator is not None]
    seen = set(stack)
    while stack:
        fn = stack.pop()
        if fn.saved is None:
            raise RuntimeError(
                f"backward through the graph a second time: {type(fn).__name__}'s saved values "
                "were freed by the first backward. Pass retain_graph=True to the first "
                "backward() (or grad()) if you need to go through the graph again."
            )
        stamp = fn.stamp
        for x in fn.inputs:
            if x._version > stamp:
                raise _modified_in_place(fn, x)
            c = x.creator
            if c is not None:
                pending[c] = pending.get(c, 0) + 1
                if c not in seen:
                    seen.add(c)
                    stack.append(c)
    return pending


def _modified_in_place(fn: Function, x: Variable) -> RuntimeError:
    i = next(i for i, v in enumerate(fn.inputs) if v is x)
    return RuntimeError(
        f"{type(fn).__name__}: its input {i} (shape {x.shape}) was modified in place after the "
        "forward pass, so backward would use the new values and return a wrong gradient. "
        "Change a copy instead (x.data = x.data - step), or call backward before changing it."
    )


def _run_backward(roots: Sequence[Variable], root_grads: Sequence[Any], *, create_graph: bool,
                  retain_graph: bool, wanted: Sequence[Variable] | None = None) -> dict:
    """Propagate gradients from `roots` to the leaves (or to `wanted`).

    Without `wanted`, leaf gradients are accumulated into ``.grad``. With `wanted`, their
    gradients are returned in a dict and no ``.grad`` is touched.
    Gradients are ndarrays in the fast mode and Variables when `create_graph` is True.
    """
    global _grad_enabled
    saved_mode, _grad_enabled = _grad_enabled, create_graph
    try:
        grads: dict[Variable, Any] = {}   # gradients still flowing, by Variable
        owned: set[Variable] = set()      # whose gradient array was made here: safe to add into
        leaves: dict[Variable, Any] = {}  # finished gradients of leaves
        want = set(wanted) if wanted is not None else None
        results: dict[Variable, Any] = {}
        for v, g in zip(roots, root_grads):
            g = _seed(v, g, create_graph)
            _accumulate(leaves if v.creator is None else grads, owned, v, g, create_graph)
        pending = _count_consumers(roots)
        ready = list({v.creator: None for v in roots
                      if v.creator is not None and v.creator not in pending})
        state = (pending, grads, owned, leaves, want, results)
        if _detect_anomaly:
            from autograd_lite import anomaly
            anomaly.propagate_checked(_propagate, ready, state, create_graph, retain_graph)
        else:
            _propagate(ready, state, create_graph, retain_graph)
        given: set[int] = set()  # arrays already handed to a leaf: the next leaf gets a copy
        for x, g in leaves.items():
            if x._hooks is not None:
                g = _run_hooks(x, g, create_graph)
            if want is None:
                if not create_graph and x.grad is None:
                    if id(g) in given or g.base is not None:
                        g = g.copy()
                    given.add(id(g))
                _store_grad(x, g, create_graph)
            elif x in want:
                results[x] = g
        return results
    finally:
        _grad_enabled = saved_mode


def _propagate(ready: list, state: tuple, create_graph: bool, retain_graph: bool,
               check: Callable | None = None) -> None:
    """Run each ready Function's backward, hand the gradients to its inputs, release creators.

    `check` (anomaly mode) is called with each Function before its backward runs (gradients
    None) and after, with the gradients it produced.
    """
    pending, grads, owned, leaves, want, results = state
    fast = not create_graph
    while ready:
        fn = ready.pop()
        if check is not None:
            check(fn, None)
        vjp = fn.vjp
        if fast and vjp is not None and len(fn.outputs) == 1:
            # The common case, kept lean: a built-in op with one output, ndarrays only.
            y = fn.outputs[0]()
            gy = grads.pop(y, None)
            if gy is not None:
                if y._hooks is not None or y._retain or want is not None:
                    gy = _visit(y, gy, False, want, results)
                gxs = vjp(gy, y._data, *fn.saved)
                if type(gxs) is not tuple:
                    gxs = (gxs,)
            else:
                gxs = (None,) * len(fn.inputs)
        else:
            outputs = [ref() for ref in fn.outputs]
            gys = []
            for y in outputs:
                g = grads.pop(y, None) if y is not None else None
                if g is not None:
                    g = _visit(y, g, create_graph, want, results)
                gys.append(g)
            gxs = _call_backward(fn, gys, outputs, create_graph)
        if check is not None:
            check(fn, gxs)
        for x, gx in zip(fn.inputs, gxs):
            c = x.creator
            if gx is not None and x.requires_grad:
                if not (fast and type(gx) is np.ndarray and gx.shape == x._data.shape
                        and gx.dtype == x._data.dtype):
                    gx = _fit(gx, x, fn, create_graph)
                store = leaves if c is None else grads
                if x in store:
                    _accumulate(store, owned, x, gx, create_graph)
                else:
                    store[x] = gx
            if c is not None:
                left = pending[c] - 1
                pending[c] = left
                if not left:
                    ready.append(c)
        if not retain_graph:
            fn.saved = None


def _call_backward(fn: Function, gys: list, outputs: list, create_graph: bool) -> tuple:
    """Run one Function's gradient formula in the mode at hand; one entry per input.

    An output nobody used has no gradient (None): built-in formulas handle that themselves, a
    user's `backward` gets zeros for it.
    """
    n_in = len(fn.inputs)
    if all(g is None for g in gys):
        return (None,) * n_in
    if fn.vjp is not None:
        if create_graph:
            ys, xs = outputs, fn.inputs
        else:
            ys, xs = [None if y is None else y.data for y in outputs], fn.saved
        if len(gys) == 1:
            gxs = fn.vjp(gys[0], ys[0], *xs)
        else:
            gxs = fn.vjp(tuple(gys), tuple(ys), *xs)
    else:
        if any(g is None for g in gys):  # an unused one of several outputs
            gys = [np.zeros(*spec) if g is None else g for g, spec in zip(gys, fn.output_specs)]
        gys = [g if g is None or isinstance(g, Variable) else _new_variable(g) for g in gys]
        gxs = fn.backward(*gys)
        if not create_graph:  # no graph is recorded here: keep the arrays
            gxs = (tuple(_data_of(g) for g in gxs) if isinstance(gxs, (tuple, list))
                   else _data_of(gxs))
    if not isinstance(gxs, (tuple, list)):
        gxs = (gxs,)
    if len(gxs) != n_in:
        raise RuntimeError(
            f"{type(fn).__name__}.backward returned {len(gxs)} gradients for {n_in} inputs"
        )
    return gxs


def _fit(gx: Any, x: Variable, fn: Function, create_graph: bool) -> Any:
    """Undo broadcasting and restore the input's dtype: the engine's chores, done once for all."""
    if create_graph:
        if not isinstance(gx, Variable):
            gx = _new_variable(np.asarray(gx))
    elif not isinstance(gx, np.ndarray):
        gx = np.asarray(gx)
    if gx.shape != x.data.shape:
        try:
            gx = _F.SumTo(x.data.shape).apply(gx)
        except ValueError:
            raise RuntimeError(
                f"{type(fn).__name__}.backward returned a gradient of shape {gx.shape} for an "
                f"input of shape {x.data.shape}"
            ) from None
    if gx.dtype != x.data.dtype:
        gx = _F.AsType(x.data.dtype).apply(gx)
    return gx


def _accumulate(store: dict, owned: set, x: Variable, g: Any, create_graph: bool) -> None:
    """Add `g` to the gradient of `x` so far: in place only into an array made here."""
    old = store.get(x)
    if old is None:
        store[x] = g
    elif create_graph:
        store[x] = old + g
    elif x not in owned:
        store[x] = _as_array(old + g)  # 0-d sums come back as NumPy scalars
        owned.add(x)
    else:
        np.add(old, g, out=old)


def _run_hooks(v: Variable, g: Any, create_graph: bool) -> Any:
    for hook in list(v._hooks):
        gv = g if create_graph else _new_variable(g)
        out = hook(gv)
        if out is not None:
            if not isinstance(out, Variable):
                out = _new_variable(np.asarray(out))
            if out.shape != v.shape:
                raise RuntimeError(
                    f"a hook returned a gradient of shape {out.shape} for a Variable of shape "
                    f"{v.shape}"
                )
            g = out if create_graph else out.data
    return g


def _visit(v: Variable, g: Any, create_graph: bool, want: set | None, results: dict) -> Any:
    """An intermediate Variable's gradient is complete: run its hooks, keep it if asked."""
    if v._hooks is not None:
        g = _run_hooks(v, g, create_graph)
    if want is None:
        if v._retain:  # a copy: this gradient flows on and may reach a leaf's .grad
            _store_grad(v, g if create_graph or v.grad is not None else g.copy(), create_graph)
    elif v in want:  # grad(): collect, touch no .grad
        results[v] = g
    return g


def _store_grad(v: Variable, g: Any, create_graph: bool) -> None:
    """Accumulate into ``v.grad``; never in place, so earlier references stay valid."""
    if create_graph:
        v.grad = g if v.grad is None else v.grad + g
    elif v.grad is None:
        v.grad = _new_variable(g)
    else:
        v.grad = _new_variable(v.grad.data + g)


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
    if grad_outputs is None or isinstance(grad_outputs, (Variable, np.ndarray)):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    _check_roots(outputs, "grad")
    for x in inputs:
        if not isinstance(x, Variable) or not x.requires_grad:
            raise RuntimeError("grad: every input must be a Variable that requires a gradient")
    if retain_graph is None:
        retain_graph = create_graph
    results = _run_backward(outputs, grad_outputs, create_graph=create_graph,
                            retain_graph=retain_graph, wanted=inputs)
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


def as_variable(x: Any) -> Variable:
    """`x` itself if it is a Variable, else `x` wrapped as a constant."""
    return x if isinstance(x, Variable) else _constant(x, None)


# Variable's operators are front doors to the function library, which is itself built on
# Variable and Function above: importing it here, last, lets both live in one namespace.
from autograd_lite import functions as _F  # noqa: E402
