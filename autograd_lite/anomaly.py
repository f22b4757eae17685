"""`detect_anomaly()`: find the operation, and the line of your code, that made a NaN.

Inside the context every Function remembers where it was created (the first frame outside
autograd_lite, nn and optim: your file and line). A forward or backward that produces NaN or
Inf, or a backward that raises, then fails with an `AnomalyError` naming the op, the shapes and
that line. Outside the context nothing is recorded and nothing is checked.
"""

from __future__ import annotations

import contextlib
import linecache
import os
import sys
from typing import Any

import numpy as np

from autograd_lite import core

_LIBRARY = tuple(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep + pkg + os.sep
    for pkg in ("autograd_lite", "nn", "optim")
)


class AnomalyError(RuntimeError):
    """A NaN/Inf or an error, traced back to the op and the user's line that created it."""


class detect_anomaly(contextlib.ContextDecorator):  # noqa: N801 - named like a function
    """Check every forward and backward for NaN/Inf and name the user's line that caused it.

    Examples
    --------
    >>> with detect_anomaly():            # doctest: +SKIP
    ...     loss = F.log(x - x).sum()     # AnomalyError: Log produced -inf ... at your_file.py:2
    """

    def __init__(self) -> None:
        self._saved: list[bool] = []

    def __enter__(self) -> detect_anomaly:
        self._saved.append(core._detect_anomaly)
        core._detect_anomaly = True
        return self

    def __exit__(self, *exc: object) -> None:
        core._detect_anomaly = self._saved.pop()


def user_line() -> str:
    """``file:line (function): source`` of the innermost frame outside the library."""
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_LIBRARY):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    path, line = frame.f_code.co_filename, frame.f_lineno
    source = linecache.getline(path, line).strip()
    return f"{path}:{line} ({frame.f_code.co_name}): {source}"


def _describe(arrays: Any) -> str:
    return ", ".join(f"{np.shape(a)} {getattr(a, 'dtype', '')}".strip()
                     for a in arrays if a is not None)


def _bad(a: Any) -> str | None:
    a = np.asarray(a.data if isinstance(a, core.Variable) else a)
    if a.dtype.kind not in "fc":
        return None
    if np.isnan(a).any():
        return "NaN"
    if np.isinf(a).any():
        return "Inf"
    return None


def after_forward(fn: core.Function, xs: list, ys: Any) -> None:
    """Remember where `fn` was created; fail if its output holds NaN/Inf."""
    fn.created_at = user_line()
    for y in ys if isinstance(ys, tuple) else (ys,):
        what = _bad(y)
        if what:
            raise AnomalyError(
                f"{type(fn).__name__} produced {what} in its output (inputs: {_describe(xs)}), "
                f"created at {fn.created_at}"
            )


def _where(fn: core.Function) -> str:
    return getattr(fn, "created_at", None) or "an unknown line (created outside detect_anomaly)"


def after_backward(fn: core.Function, gxs: Any) -> None:
    """Fail if `fn`'s backward produced NaN/Inf in an input gradient."""
    for i, g in enumerate(gxs):
        what = None if g is None else _bad(g)
        if what:
            shapes = _describe([x.data for x in fn.inputs])
            raise AnomalyError(
                f"the backward of {type(fn).__name__} produced {what} in the gradient of its "
                f"input {i} (inputs: {shapes}); the op was created at {_where(fn)}"
            )


def backward_failed(fn: core.Function, error: Exception) -> AnomalyError:
    shapes = _describe([x.data for x in fn.inputs]) if fn.inputs else ""
    return AnomalyError(
        f"the backward of {type(fn).__name__} (inputs: {shapes}) raised "
        f"{type(error).__name__}: {error}; the op was created at {_where(fn)}"
    )


def propagate_checked(propagate: Any, ready: list, state: tuple, create_graph: bool,
                      retain_graph: bool) -> None:
    """The engine's backward loop, with every Function's gradients and errors checked."""
    running: list[core.Function] = []

    def check(fn: core.Function, gxs: Any) -> None:
        if gxs is None:
            running[:] = [fn]
        else:
            after_backward(fn, gxs)

    try:
        propagate(ready, state, create_graph, retain_graph, check)
    except AnomalyError:
        raise
    except Exception as e:
        if not running:
            raise
        raise backward_failed(running[0], e) from e
