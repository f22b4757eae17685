"""Gradients checked against central differences, in float64.

`numerical_grad` is pure: it perturbs private copies, never the caller's arrays (the classic
textbook version writes into its argument, which surprises whoever reads the array next).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd_lite.core import Variable, grad


class GradcheckError(AssertionError):
    """Analytic and numerical gradients disagree; the message names the input and element."""


def _is_float(x: Any) -> bool:
    return np.asarray(x.data if isinstance(x, Variable) else x).dtype.kind == "f"


def _float64_copy(x: Any) -> np.ndarray:
    return np.array(x.data if isinstance(x, Variable) else x, dtype=np.float64, copy=True)


def _outputs(out: Any) -> list[Variable]:
    items = list(out) if isinstance(out, (tuple, list)) else [out]
    return [o if isinstance(o, Variable) else Variable(np.asarray(o), requires_grad=False)
            for o in items]


def numerical_grad(f: Callable, *inputs: Any, eps: float = 1e-6) -> tuple[np.ndarray, ...]:
    """Central-difference gradient of ``sum(f(*inputs))`` with respect to each input.

    Parameters
    ----------
    f : callable
        Called as ``f(*inputs)`` with float64 copies of the inputs (Variables stay Variables).
        Its output (an array, a Variable, or a tuple of them) is summed.
    *inputs : array_like or Variable
        Floating-point values; none of them is modified.
    eps : float
        Step of the central difference.

    Returns
    -------
    tuple of ndarray
        One float64 array per input, shaped like it.

    Examples
    --------
    >>> x = np.array([1.0, 2.0])
    >>> numerical_grad(lambda a: a ** 2, x)[0].round(6)
    array([2., 4.])
    >>> x  # untouched
    array([1., 2.])
    """
    for i, x in enumerate(inputs):
        if not _is_float(x):
            raise TypeError(f"numerical_grad: input {i} is not floating-point "
                            f"({np.asarray(getattr(x, 'data', x)).dtype}); close over it instead")
    arrays = [_float64_copy(x) for x in inputs]
    args = [Variable(a, requires_grad=x.requires_grad) if isinstance(x, Variable) else a
            for a, x in zip(arrays, inputs)]

    def value() -> float:
        return float(sum(np.sum(o.data) for o in _outputs(f(*args))))

    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        flat, gflat = a.reshape(-1), g.reshape(-1)  # views of the private copy
        for j in range(flat.size):
            keep = flat[j]
            flat[j] = keep + eps
            plus = value()
            flat[j] = keep - eps
            minus = value()
            flat[j] = keep
            gflat[j] = (plus - minus) / (2 * eps)
        grads.append(g)
    return tuple(grads)


def gradcheck(f: Callable, *inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, fast_mode: bool = False, seed: int = 0) -> bool:
    """Check the gradients of `f` at `inputs` against central differences.

    Every floating-point input is checked, in float64; integer inputs (labels, indices) are
    passed through unchanged. A random upstream gradient weighs the outputs, so every output
    element matters.

    Parameters
    ----------
    f : callable
        Takes Variables, returns a Variable or a tuple of Variables.
    *inputs : array_like or Variable
    eps, atol, rtol : float
        Step, and tolerance ``|analytic - numerical| <= atol + rtol * |numerical|``.
    fast_mode : bool
        Compare one random directional derivative per call instead of every element (cheap,
        as in HIPS autograd's check of ``<u, J v>`` both ways).
    seed : int
        Seed of the random upstream gradient and directions.

    Returns
    -------
    True

    Raises
    ------
    GradcheckError
        Naming the input, the worst element, and the analytic and numerical values.
    """
    rng = np.random.default_rng(seed)
    checked = [i for i, x in enumerate(inputs) if _is_float(x)]
    base = [_float64_copy(x) if i in checked else x for i, x in enumerate(inputs)]

    def call(values: Sequence[Any]) -> list[Variable]:
        args = list(base)
        for i, a in zip(checked, values):
            args[i] = a if isinstance(a, Variable) else Variable(a)
        return _outputs(f(*args))

    variables = [Variable(base[i].copy()) for i in checked]
    outs = call(variables)
    weights = [rng.standard_normal(o.shape) for o in outs]

    def weighted(*arrays: np.ndarray) -> float:
        return float(sum(np.sum(o.data * w) for o, w in zip(call(arrays), weights)))

    analytic = _analytic(outs, weights, variables)
    if fast_mode:
        directions = [rng.standard_normal(v.shape) for v in variables]
        along = sum(float(np.sum(a * d)) for a, d in zip(analytic, directions))
        plus = weighted(*[v.data + eps * d for v, d in zip(variables, directions)])
        minus = weighted(*[v.data - eps * d for v, d in zip(variables, directions)])
        numeric = (plus - minus) / (2 * eps)
        if not abs(along - numeric) <= atol + rtol * abs(numeric):
            raise GradcheckError(
                f"gradcheck (fast mode): along a random direction the analytic derivative is "
                f"{along!r} but the numerical one is {numeric!r}"
            )
        return True
    numeric = numerical_grad(weighted, *[v.data for v in variables], eps=eps)
    for k, (a, n) in enumerate(zip(analytic, numeric)):
        _compare(checked[k], inputs[checked[k]], a, n, atol, rtol)
    return True


def _analytic(outs: list[Variable], weights: list[np.ndarray],
              variables: list[Variable]) -> list[np.ndarray]:
    live = [(o, w) for o, w in zip(outs, weights) if o.requires_grad]
    if not live or not variables:
        return [np.zeros(v.shape) for v in variables]
    grads = grad([o for o, _ in live], variables, grad_outputs=[w for _, w in live],
                 allow_unused=True)
    return [np.zeros(v.shape) if g is None else np.asarray(g.data, dtype=np.float64)
            for g, v in zip(grads, variables)]


def _compare(index: int, original: Any, analytic: np.ndarray, numeric: np.ndarray,
             atol: float, rtol: float) -> None:
    excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    excess = np.where(np.isnan(analytic) | np.isnan(numeric), np.inf, excess)
    if analytic.shape != numeric.shape:
        raise GradcheckError(f"gradcheck: input {index}: gradient of shape {analytic.shape}, "
                             f"expected {numeric.shape}")
    if excess.size and excess.max() > 0:
        worst = np.unravel_index(int(np.argmax(excess)), excess.shape)
        name = getattr(original, "name", None)
        label = f"input {index}" + (f" ({name!r})" if name else "")
        raise GradcheckError(
            f"gradcheck: {label} of shape {numeric.shape}: worst element {tuple(map(int, worst))}"
            f": analytic {float(analytic[worst])!r}, numerical {float(numeric[worst])!r} "
            f"({int((excess > 0).sum())} of {excess.size} elements off; atol={atol}, rtol={rtol})"
        )


def gradgradcheck(f: Callable, *inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, fast_mode: bool = False, seed: int = 0) -> bool:
    """Check second derivatives: `gradcheck` of the gradient of ``<f(*inputs), u>``.

    The gradient is taken with ``create_graph=True`` for a fixed random `u`, so this checks
    that every backward formula is itself correctly differentiable. Same arguments as
    `gradcheck`.
    """
    rng = np.random.default_rng(seed + 1)
    checked = [i for i, x in enumerate(inputs) if _is_float(x)]
    probe = _outputs(f(*[Variable(_float64_copy(x)) if i in checked else x
                         for i, x in enumerate(inputs)]))
    weights = [rng.standard_normal(o.shape) for o in probe]

    def first_derivative(*args: Any) -> tuple[Variable, ...]:
        outs = _outputs(f(*args))
        diff = [args[i] for i in checked]
        live = [(o, w) for o, w in zip(outs, weights) if o.requires_grad]
        if not live:
            return tuple(Variable(np.zeros(x.shape), requires_grad=False) for x in diff)
        gs = grad([o for o, _ in live], diff, grad_outputs=[w for _, w in live],
                  create_graph=True, allow_unused=True)
        return tuple(Variable(np.zeros(x.shape), requires_grad=False) if g is None else g
                     for g, x in zip(gs, diff))

    return gradcheck(first_derivative, *inputs, eps=eps, atol=atol, rtol=rtol,
                     fast_mode=fast_mode, seed=seed)
