"""`detect_anomaly()`: find the operation, and the line of your code, behind a NaN or a bad write.

Inside the context an observer watches the engine (through `core.set_observer`): every
Function remembers where it was created (the innermost frame outside autograd_lite: your file
and line) and keeps a copy of the arrays it saved. A forward or backward that produces NaN or
Inf, a backward that raises, or a saved array that was changed through NumPy after the forward
pass (``x.data[0] = v``, ``x.data.fill(0)``, ``np.copyto(x.data, ...)``: writes the engine
cannot see otherwise) then fails with an `AnomalyError` naming the op, the shapes and that line.
Outside the context nothing is recorded or checked; the engine pays one test per op.
"""

from __future__ import annotations

import contextlib
import linecache
import sys
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_lite import core


class AnomalyError(RuntimeError):
    """A NaN/Inf, an error or a bad write, traced back to the op and the line that created it."""


class detect_anomaly(contextlib.ContextDecorator):  # noqa: N801 - named like a function
    """Check every forward and backward and name the user's line behind a NaN or a bad write.

    Examples
    --------
    >>> with detect_anomaly():            # doctest: +SKIP
    ...     loss = F.log(x - x).sum()     # AnomalyError: Log produced -inf ... at your_file.py:2
    """

    def __init__(self) -> None:
        self._saved: list[Any] = []

    def _recreate_cm(self) -> detect_anomaly:
        return detect_anomaly()

    def __enter__(self) -> detect_anomaly:
        self._saved.append(core.set_observer(_observer))
        return self

    def __exit__(self, *exc: object) -> None:
        core.set_observer(self._saved.pop())


def user_line() -> str:
    """``file:line (function): source`` of the innermost frame outside autograd_lite."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] == \
            "autograd_lite":
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


class _Observer:
    """What anomaly mode adds to the engine: records at forward, checks around backward."""

    def __init__(self) -> None:
        # Function -> (the line that created it, copies of the arrays it read)
        self.records: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def forward(self, fn: core.Function, xs: list, ys: Any) -> None:
        line = user_line()
        for y in ys if isinstance(ys, tuple) else (ys,):
            what = _bad(y)
            if what:
                raise AnomalyError(f"{type(fn).__name__} produced {what} in its output (inputs: "
                                   f"{_describe(xs)}), created at {line}")
        copies = [x.copy() if isinstance(x, np.ndarray) else None for x in xs]
        self.records[fn] = (line, copies)

    def where(self, fn: core.Function) -> str:
        record = self.records.get(fn)
        return record[0] if record else "an unknown line (created outside detect_anomaly)"

    def wrap(self, step: Callable) -> Callable:
        def checked(fn: core.Function, gys: list, create_graph: bool) -> tuple:
            self._check_saved(fn)
            try:
                gxs = step(fn, gys, create_graph)
            except AnomalyError:
                raise
            except Exception as e:
                shapes = _describe(fn.saved)
                raise AnomalyError(
                    f"the backward of {type(fn).__name__} (inputs: {shapes}) raised "
                    f"{type(e).__name__}: {e}; the op was created at {self.where(fn)}"
                ) from e
            for i, g in enumerate(gxs):
                what = None if g is None else _bad(g)
                if what:
                    raise AnomalyError(
                        f"the backward of {type(fn).__name__} produced {what} in the gradient of "
                        f"its input {i} (inputs: {_describe(fn.saved)}); the op was created at "
                        f"{self.where(fn)}"
                    )
            return gxs

        return checked

    def _check_saved(self, fn: core.Function) -> None:
        """Fail if an array `fn` read was changed after its forward pass."""
        record = self.records.get(fn)
        if record is None:
            return
        for i, (x, copy) in enumerate(zip(fn.saved, record[1])):
            if copy is not None and (x.shape != copy.shape or x.tobytes() != copy.tobytes()):
                raise AnomalyError(
                    f"{type(fn).__name__}: its input {i} (shape {x.shape}) was changed in place "
                    "after the forward pass, so backward would use the new values and return a "
                    f"wrong gradient; the op was created at {record[0]}. Call backward before "
                    "changing it, or run the forward pass again after the change."
                )


_observer = _Observer()
