"""Functional transforms, as in JAX and ``torch.func``: ``grad(f)`` is a new function.

``grad value_and_grad vjp jvp jacobian hessian hvp`` all rest on one move: call `f` on fresh
Variables, then take ``autograd_lite.grad(..., create_graph=True)``, so every result is itself
a recorded computation and the transforms compose (``grad(grad(f))``, ``jacobian(grad(f))``).

How an argument enters a transform:

* an ndarray, a number, or a Variable that needs no gradient becomes a fresh leaf Variable
  sharing its data (nothing is copied, nothing is ever written into it);
* a Variable that is part of an enclosing graph (it requires a gradient: an outer transform's
  input, or a user's parameter) gets a new differentiable use, an `Alias`. The transform
  differentiates with respect to that use alone, and gradients still flow on to the Variable,
  so an outer transform or ``backward`` sees through the inner one.

Results are Variables (``np.asarray`` gives the array). They stay connected to any enclosing
graph; when there is none (plain arrays in, nothing closed over that needs a gradient, or
grad mode off) they come back as constants, so a loop like ``x = x - lr * grad(f)(x)`` never
grows a graph. `jvp` is the double-vjp trick: the vjp ``u -> u^T J`` is linear in ``u``, and
its own vjp with the tangent ``t`` is ``J t``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from autograd_lite import functions as F
from autograd_lite.core import (
    Function,
    Variable,
    as_variable,
    enable_grad,
    is_grad_enabled,
)
from autograd_lite.core import grad as _grad

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacobian", "hessian", "hvp"]

Argnums = int | tuple[int, ...]


class Alias(Function):
    """The identity, as a new use of a Variable: a transform differentiates through it alone."""

    __slots__ = ()

    def forward(self, x):
        return x

    def vjp(self, gy, y, x):
        return gy


# ----------------------------------------------------------------------------- plumbing


class _Inputs:
    """The Variables a transform differentiates with respect to, made from `f`'s arguments."""

    def __init__(self, what: str, values: Sequence[Any], positions: Sequence[int]) -> None:
        self.vars: list[Variable] = []
        self.aliases: list[Variable] = []
        self.fresh: list[Variable] = []  # leaves made here: nothing outside depends on them
        for i, value in zip(positions, values):
            if isinstance(value, Variable) and value.requires_grad:
                v = Alias()(value)
                self.aliases.append(v)
            else:
                v = _fresh_leaf(what, i, value)
                self.fresh.append(v)
            self.vars.append(v)

    @contextlib.contextmanager
    def cut(self) -> Iterator[None]:
        """Make the aliases leaves while an inner gradient is taken, then reconnect them.

        The inner backward then stops at them instead of walking on through the enclosing
        graph, whose gradients it does not need.
        """
        creators = [a.creator for a in self.aliases]
        for a in self.aliases:
            a.creator = None
        try:
            yield
        finally:
            for a, c in zip(self.aliases, creators):
                a.creator = c


def _fresh_leaf(what: str, i: int, value: Any) -> Variable:
    data = value.data if isinstance(value, Variable) else value
    if isinstance(data, (np.ndarray, np.generic)) and data.dtype.kind != "f":
        raise TypeError(
            f"{what}: argument {i} has dtype {data.dtype}; only floating-point inputs can be "
            "differentiated (convert it, e.g. x.astype(np.float64), or leave it out of argnums)"
        )
    try:
        return Variable(data)  # Python numbers and lists become float64, as everywhere
    except TypeError as e:
        raise TypeError(f"{what}: argument {i}: {e}") from None


def _positions(what: str, argnums: Argnums, n_args: int | None = None) -> tuple[int, ...]:
    """`argnums` as a tuple of non-negative positions, checked against `n_args` when given."""
    nums = (argnums,) if isinstance(argnums, (int, np.integer)) else argnums
    if (not isinstance(nums, tuple) or not nums or isinstance(argnums, bool)
            or not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool)
                       for a in nums)):
        raise TypeError(f"{what}: argnums must be an int or a non-empty tuple of ints, "
                        f"got {argnums!r}")
    if len(set(nums)) != len(nums):
        raise ValueError(f"{what}: repeated position in argnums={argnums!r}")
    if n_args is None:
        return tuple(int(a) for a in nums)
    for a in nums:
        if not -n_args <= a < n_args:
            raise ValueError(f"{what}: argnums={argnums!r} is out of range for a call with "
                             f"{n_args} positional argument{'s' if n_args != 1 else ''}")
    positions = tuple(int(a) % n_args for a in nums)
    if len(set(positions)) != len(positions):
        raise ValueError(f"{what}: argnums={argnums!r} names the same argument twice")
    return positions


def _call(what: str, f: Callable, args: Sequence[Any], kwargs: dict,
          positions: Sequence[int]) -> tuple[Any, _Inputs]:
    """Run `f` with the arguments at `positions` replaced by differentiable Variables."""
    inputs = _Inputs(what, [args[i] for i in positions], positions)
    args = list(args)
    for i, v in zip(positions, inputs.vars):
        args[i] = v
    with enable_grad():
        out = f(*args, **kwargs)
    return out, inputs


def _split_aux(what: str, out: Any, has_aux: bool) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not isinstance(out, tuple) or len(out) != 2:
        got = (f"a tuple of length {len(out)}" if isinstance(out, tuple)
               else f"a {type(out).__name__}")
        raise TypeError(f"{what}(has_aux=True): f must return a pair (output, aux), got {got}")
    return out


def _outputs(what: str, out: Any) -> tuple[tuple[Variable, ...], bool]:
    """`f`'s output as a tuple of Variables, and whether `f` returned a tuple."""
    if isinstance(out, (tuple, list)):
        if not out:
            raise ValueError(f"{what}: f returned an empty {type(out).__name__}")
        return tuple(_as_output(what, o) for o in out), True
    return (_as_output(what, out),), False


def _as_output(what: str, out: Any) -> Variable:
    try:
        return as_variable(out)
    except TypeError:
        raise TypeError(f"{what}: f must return arrays or Variables, got a "
                        f"{type(out).__name__}") from None


def _scalar(what: str, out: Any) -> Variable:
    out = _as_output(what, out)
    if out.size != 1:
        raise ValueError(
            f"{what}: f must return a scalar (a single element), got an output of shape "
            f"{out.shape}; reduce it (e.g. .sum()) or use jacobian or vjp for non-scalar outputs"
        )
    return out


def _zeros(x: Variable) -> Variable:
    return Variable(np.zeros_like(x.data), requires_grad=False)


def _gradients(outputs: Sequence[Variable], seeds: Sequence[Any], wrt: Sequence[Variable],
               inputs: _Inputs) -> tuple[Variable, ...]:
    """``sum_k seeds[k]^T d outputs[k] / d wrt``, recorded; zeros where nothing depends on it."""
    live = [(o, s) for o, s in zip(outputs, seeds) if o.requires_grad]
    gs: Sequence[Variable | None] = (None,) * len(wrt)
    if live:
        with inputs.cut():
            gs = _grad([o for o, _ in live], list(wrt), grad_outputs=[s for _, s in live],
                       create_graph=True, allow_unused=True)
    return tuple(_zeros(x) if g is None else g for g, x in zip(gs, wrt))


def _reaches_outside(results: Sequence[Variable], own: Sequence[Variable]) -> bool:
    """Whether the graph of `results` reaches a leaf needing a gradient that is not in `own`."""
    own_ids = {id(v) for v in own}
    stack, seen = [], set()
    for v in results:
        if not v.requires_grad:
            continue
        if v.creator is None:
            if id(v) not in own_ids:
                return True
        elif v.creator not in seen:
            seen.add(v.creator)
            stack.append(v.creator)
    while stack:
        for x in stack.pop().inputs:
            if not isinstance(x, Variable) or not x.requires_grad:  # numbers, constants
                continue
            c = x.creator
            if c is None:
                if id(x) not in own_ids:
                    return True
            elif c not in seen:
                seen.add(c)
                stack.append(c)
    return False


def _finish(grad_was_on: bool, inputs: _Inputs, results: Sequence[Variable],
            own: Sequence[Variable] = ()) -> list[Variable]:
    """Keep `results` connected if an enclosing graph needs them, else return constants."""
    if grad_was_on and (inputs.aliases or _reaches_outside(results, inputs.fresh + list(own))):
        return list(results)
    return [r.detach() if r.requires_grad else r for r in results]


def _tuple_of(what: str, name: str, values: Any) -> tuple:
    if not isinstance(values, (tuple, list)):
        raise TypeError(f"{what}: {name} must be a tuple with one entry per argument of f "
                        f"(e.g. (x,)), got a {type(values).__name__}")
    return tuple(values)


def _tangents(what: str, primals: tuple, tangents: Any) -> list[Any]:
    """Check `tangents` against `primals`; arrays take the primal's float dtype (no copy)."""
    tangents = _tuple_of(what, "tangents", tangents)
    if len(tangents) != len(primals):
        raise ValueError(f"{what}: {len(tangents)} tangents for {len(primals)} primals")
    out = []
    for i, (p, t) in enumerate(zip(primals, tangents)):
        p_shape, t_shape = np.shape(p), np.shape(t)
        if p_shape != t_shape:
            raise ValueError(f"{what}: tangent {i} has shape {t_shape} but primal {i} has shape "
                             f"{p_shape}")
        if not isinstance(t, Variable):
            t = np.asarray(t, dtype=np.asarray(p).dtype if _is_float(p) else np.float64)
        out.append(t)
    return out


def _is_float(x: Any) -> bool:
    return np.asarray(x.data if isinstance(x, Variable) else x).dtype.kind == "f"


# ----------------------------------------------------------------------------- transforms


def _value_and_grad(f: Callable, argnums: Argnums, has_aux: bool, what: str) -> Callable:
    """``g(*args) -> (value, aux, grads)``: the shared body of grad, value_and_grad, hessian."""
    if not callable(f):
        raise TypeError(f"{what}: f must be callable, got a {type(f).__name__}")
    _positions(what, argnums)
    single = isinstance(argnums, (int, np.integer))

    def run(*args: Any, **kwargs: Any) -> tuple[Variable, Any, Any]:
        grad_was_on = is_grad_enabled()
        positions = _positions(what, argnums, len(args))
        out, inputs = _call(what, f, args, kwargs, positions)
        out, aux = _split_aux(what, out, has_aux)
        out = _scalar(what, out)
        grads = _gradients([out], [None], inputs.vars, inputs)
        value, *grads = _finish(grad_was_on, inputs, (out, *grads))
        return value, aux, grads[0] if single else tuple(grads)

    return run


def grad(f: Callable, argnums: Argnums = 0, has_aux: bool = False) -> Callable:
    """The gradient of a scalar function, as a function.

    Parameters
    ----------
    f : callable
        ``f(*args)`` returns a single-element array or Variable (with ``has_aux``: a pair
        ``(output, aux)``).
    argnums : int or tuple of int
        Which positional arguments to differentiate with respect to.
    has_aux : bool
        `f` returns ``(output, aux)``; `aux` is handed back as `f` gave it.

    Returns
    -------
    callable
        ``grad_f(*args, **kwargs)`` -> the gradient, shaped like ``args[argnums]`` (a tuple for
        a tuple `argnums`); with `has_aux`, ``(gradient, aux)``.

    Examples
    --------
    >>> import numpy as np
    >>> df = grad(lambda x: (x ** 3).sum())
    >>> np.asarray(df(np.array([1.0, 2.0])))
    array([ 3., 12.])
    >>> float(grad(grad(lambda x: x ** 3))(2.0))
    12.0
    """
    run = _value_and_grad(f, argnums, has_aux, "grad")

    @functools.wraps(f)
    def grad_f(*args: Any, **kwargs: Any) -> Any:
        _, aux, grads = run(*args, **kwargs)
        return (grads, aux) if has_aux else grads

    return grad_f


def value_and_grad(f: Callable, argnums: Argnums = 0, has_aux: bool = False) -> Callable:
    """Like `grad`, but the function returns ``(value, gradient)``.

    With `has_aux` it returns ``((value, aux), gradient)``, as JAX does.
    """
    run = _value_and_grad(f, argnums, has_aux, "value_and_grad")

    @functools.wraps(f)
    def value_and_grad_f(*args: Any, **kwargs: Any) -> Any:
        value, aux, grads = run(*args, **kwargs)
        return ((value, aux), grads) if has_aux else (value, grads)

    return value_and_grad_f


def vjp(f: Callable, *primals: Any) -> tuple[Any, Callable]:
    """Evaluate `f` and return its vector-Jacobian product function.

    Parameters
    ----------
    f : callable
        Returns an array or Variable, or a tuple of them.
    *primals : array_like or Variable
        The point: every argument of `f` is differentiated.

    Returns
    -------
    out : Variable or tuple of Variable
        ``f(*primals)``.
    vjp_fn : callable
        ``vjp_fn(cotangent)`` -> a tuple with one ``cotangent^T J_i`` per primal, shaped like
        it. `cotangent` is shaped like `out` (a tuple for a tuple `out`); call it any number of
        times.
    """
    if not callable(f):
        raise TypeError(f"vjp: f must be callable, got a {type(f).__name__}")
    grad_was_on = is_grad_enabled()
    out, inputs = _call("vjp", f, primals, {}, range(len(primals)))
    outs, is_tuple = _outputs("vjp", out)

    def vjp_fn(cotangent: Any) -> tuple[Variable, ...]:
        cots = _tuple_of("vjp_fn", "cotangent", cotangent) if is_tuple else (cotangent,)
        if len(cots) != len(outs):
            raise ValueError(f"vjp_fn: {len(cots)} cotangents for {len(outs)} outputs")
        for k, (o, c) in enumerate(zip(outs, cots)):
            if np.shape(c) != o.shape:
                raise ValueError(f"vjp_fn: cotangent {k} has shape {np.shape(c)} but output {k} "
                                 f"has shape {o.shape}")
        gs = _gradients(outs, cots, inputs.vars, inputs)
        return tuple(_finish(grad_was_on, inputs, gs))

    values = _finish(grad_was_on, inputs, outs)
    return (tuple(values) if is_tuple else values[0]), vjp_fn


def jvp(f: Callable, primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """Evaluate `f` and its directional derivative ``J @ tangents`` (forward mode).

    Parameters
    ----------
    f : callable
        Returns an array or Variable, or a tuple of them.
    primals, tangents : tuple
        The point and the direction, one entry per argument of `f`, shapes matching.

    Returns
    -------
    out, tangent_out
        ``f(*primals)`` and ``sum_i J_i @ tangents[i]``, both shaped like `f`'s output.

    Notes
    -----
    Computed by the double-vjp trick (two reverse passes), so it costs about twice a `vjp`.
    """
    primals = _tuple_of("jvp", "primals", primals)
    tangents = _tangents("jvp", primals, tangents)
    grad_was_on = is_grad_enabled()
    out, inputs = _call("jvp", f, primals, {}, range(len(primals)))
    outs, is_tuple = _outputs("jvp", out)
    # The vjp of a dummy cotangent u is linear in u; its gradient along the tangents is J t.
    dummies = [Variable(np.zeros_like(o.data)) for o in outs if o.requires_grad]
    live = [o for o in outs if o.requires_grad]
    pulled = _gradients(live, dummies, inputs.vars, inputs)
    pushed = iter(_gradients(pulled, tangents, dummies, inputs))
    tangent_out = [next(pushed) if o.requires_grad else _zeros(o) for o in outs]
    results = _finish(grad_was_on, inputs, (*outs, *tangent_out), own=dummies)
    values, tangent_out = results[:len(outs)], results[len(outs):]
    if is_tuple:
        return tuple(values), tuple(tangent_out)
    return values[0], tangent_out[0]


def jacobian(f: Callable, argnums: Argnums = 0) -> Callable:
    """The Jacobian of `f`, as a function (one reverse pass per output element).

    Returns
    -------
    callable
        ``jac_f(*args, **kwargs)`` -> the Jacobian of shape ``out.shape + args[i].shape``: a
        tuple over `argnums` when it is a tuple, and a tuple over outputs when `f` returns a
        tuple (outputs outer, arguments inner).

    Examples
    --------
    >>> import numpy as np
    >>> np.asarray(jacobian(lambda x: x ** 2)(np.array([1.0, 3.0])))
    array([[2., 0.],
           [0., 6.]])
    """
    return _jacobian(f, argnums, "jacobian")


def _jacobian(f: Callable, argnums: Argnums, what: str) -> Callable:
    if not callable(f):
        raise TypeError(f"{what}: f must be callable, got a {type(f).__name__}")
    _positions(what, argnums)
    single = isinstance(argnums, (int, np.integer))

    @functools.wraps(f)
    def jacobian_f(*args: Any, **kwargs: Any) -> Any:
        grad_was_on = is_grad_enabled()
        positions = _positions(what, argnums, len(args))
        out, inputs = _call(what, f, args, kwargs, positions)
        outs, is_tuple = _outputs(what, out)
        flat = [J for o in outs for J in _jacobian_rows(o, inputs)]
        flat = iter(_finish(grad_was_on, inputs, flat))
        per_output = [next(flat) if single else tuple(next(flat) for _ in positions)
                      for _ in outs]
        return tuple(per_output) if is_tuple else per_output[0]

    return jacobian_f


def _jacobian_rows(o: Variable, inputs: _Inputs) -> list[Variable]:
    """The Jacobians of one output with respect to every input, stacked from one vjp per row."""
    xs = inputs.vars
    if not o.requires_grad or o.size == 0:
        return [Variable(np.zeros(o.shape + x.shape, dtype=x.dtype), requires_grad=False)
                for x in xs]
    rows = []
    for k in range(o.size):
        seed = np.zeros(o.size, dtype=o.dtype)
        seed[k] = 1
        rows.append(_gradients([o], [seed.reshape(o.shape)], xs, inputs))
    return [F.stack([r[j] for r in rows]).reshape(o.shape + x.shape) for j, x in enumerate(xs)]


def hessian(f: Callable, argnums: Argnums = 0) -> Callable:
    """The Hessian of a scalar function: ``jacobian(grad(f, argnums), argnums)``.

    Returns
    -------
    callable
        ``hess_f(*args, **kwargs)`` -> shape ``x.shape + x.shape``; for a tuple `argnums`, a
        tuple of tuples, ``H[i][j]`` of shape ``x_i.shape + x_j.shape``.
    """
    return _jacobian(grad(f, argnums), argnums, "hessian")


def hvp(f: Callable, primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """Evaluate a scalar `f` and its Hessian-vector product, without forming the Hessian.

    Parameters
    ----------
    f : callable
        Returns a single-element array or Variable.
    primals, tangents : tuple
        The point and the vector, one entry per argument of `f`, shapes matching.

    Returns
    -------
    out : Variable
        ``f(*primals)``.
    hvp_out : Variable or tuple of Variable
        ``H @ tangents`` over all the arguments (``H`` is symmetric), shaped like the gradient
        of `f` with respect to all of them: one Variable for one primal, else a tuple.

    Notes
    -----
    Reverse over reverse: the gradient ``g`` is recorded, then ``d(g . v)/dx = H v``.
    """
    if not callable(f):
        raise TypeError(f"hvp: f must be callable, got a {type(f).__name__}")
    primals = _tuple_of("hvp", "primals", primals)
    tangents = _tangents("hvp", primals, tangents)
    grad_was_on = is_grad_enabled()
    out, inputs = _call("hvp", f, primals, {}, range(len(primals)))
    out = _scalar("hvp", out)
    gs = _gradients([out], [None], inputs.vars, inputs)
    hv = _gradients(gs, tangents, inputs.vars, inputs)
    out, *hv = _finish(grad_was_on, inputs, (out, *hv))
    return out, (hv[0] if len(hv) == 1 else tuple(hv))
