"""`Function`: a differentiable operation, and the recording of the graph.

Calling a Function runs its ``forward`` on the inputs' ndarrays and, when grad mode is on and
some input needs a gradient, records it: it keeps its ``inputs``, the arrays it read
(``saved``), weak references to its ``outputs`` and a tick of the engine's clock (``order``),
which both orders backward and dates its saved values.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from autograd_lite import grad_mode, variable
from autograd_lite.variable import Variable, _new_variable, as_variable

_NUMBERS = (float, int)  # Python numbers that a Function with takes_numbers gets as they are


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
        if observer is not None:
            observer.forward(self, xs, ys)
        creator = self if True in needs and (not grad_mode.threads_without_grad
                                                   or grad_mode.state.grad_enabled) \
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
            self.order = next(variable.clock)
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
observer: Any = None


def set_observer(new: Any) -> Any:
    """Install an observer of every forward and backward step (None: none); returns the old one.

    It has ``forward(fn, xs, ys)``, called after every forward, and ``wrap(step)``, which
    returns the function backward then calls for each Function instead of
    ``step(fn, gys, create_graph)`` (the Function's input gradients), to check around it.
    """
    global observer
    old, observer = observer, new
    return old
