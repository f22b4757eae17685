"""Grad mode: whether Functions record the graph, per thread (as in PyTorch).

``no_grad()`` and ``enable_grad()`` switch recording in the current thread only, as context
managers or decorators; ``backward`` switches it off in its own thread while it runs. A count of
the threads with recording off lets every op skip the per-thread lookup while it is zero.
"""

from __future__ import annotations

import contextlib
import threading


class _ThreadState(threading.local):
    grad_enabled = True  # each thread starts with recording on, as in PyTorch


state = _ThreadState()
threads_without_grad = 0  # threads whose recording is off now; 0 spares a per-thread lookup
_mode_lock = threading.Lock()


def set_grad_enabled(enabled: bool) -> None:
    global threads_without_grad
    if state.grad_enabled != enabled:
        with _mode_lock:
            threads_without_grad += -1 if enabled else 1
        state.grad_enabled = enabled


class _GradMode(contextlib.ContextDecorator):
    """Switches graph recording on or off in the current thread (context manager, decorator)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._saved: list[bool] = []

    def _recreate_cm(self) -> _GradMode:
        return _GradMode(self.enabled)  # a decorated function may run in several threads

    def __enter__(self) -> None:
        self._saved.append(state.grad_enabled)
        set_grad_enabled(self.enabled)

    def __exit__(self, *exc: object) -> None:
        set_grad_enabled(self._saved.pop())


def no_grad() -> _GradMode:
    """Record no graph inside (outputs are constants): ``with no_grad():`` or ``@no_grad()``."""
    return _GradMode(False)


def enable_grad() -> _GradMode:
    """Record the graph inside, even within ``no_grad()``."""
    return _GradMode(True)


def is_grad_enabled() -> bool:
    """Whether Functions record the graph in this thread right now."""
    return state.grad_enabled
