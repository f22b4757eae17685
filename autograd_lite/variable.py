"""`Variable`: an ndarray that remembers the `Function` that made it.

Its data is read and written through the ``data`` property, so that every write takes a tick of
the engine's clock (`mark_modified`): backward refuses a Function whose saved values changed
after it ran. Operators and array methods come from `VariableMethods` (front doors to the op
library); ``backward()`` is the front door to `autograd_lite.backward`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd_lite.methods import VariableMethods, ops

if TYPE_CHECKING:
    from autograd_lite.function import Function

# One clock for the engine: a recorded Function takes a tick (its order), and so does every
# write into a Variable's data. next() on it is atomic, so threads never share a tick.
clock = itertools.count(1)
last_write = 0  # the tick of the latest write: backward checks versions only after one
hooks_in_use = False  # set once any hook is registered: backward then looks for hooks


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
        global last_write
        self._version = last_write = next(clock)

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
        ops.backward([self], [grad], create_graph=create_graph,
                     retain_graph=retain_graph or create_graph)

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
        global hooks_in_use
        hooks_in_use = True
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
