"""Recurrent layers: `RNN` (tanh) and `LSTM`, one layer, composed from matmul, sigmoid and tanh.

The input projection of all time steps is one matrix product; each step then adds the
hidden-state product. Inputs are (N, T, input_size) with ``batch_first=True`` (the default),
(T, N, input_size) otherwise.

Truncated backpropagation through time: carry the final state into the next chunk as
constants, so gradients stop at the chunk boundary::

    out, (h, c) = lstm(x_chunk, (h.detach(), c.detach()))
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd_lite.functions as F
from autograd_lite import Variable, as_variable

from . import init
from .module import Module
from .parameter import Parameter


class _Recurrent(Module):
    _gates = 1

    def __init__(self, input_size: int, hidden_size: int, batch_first: bool = True,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.batch_first = input_size, hidden_size, batch_first
        rows = self._gates * hidden_size
        bound = 1 / math.sqrt(hidden_size)  # PyTorch: every weight and bias U(-bound, bound)

        def draw(*shape: int) -> Parameter:
            return Parameter(init.uniform_(np.empty(shape, np.float32), -bound, bound, rng))

        self.weight_ih = draw(rows, input_size)
        self.weight_hh = draw(rows, hidden_size)
        self.bias_ih = draw(rows)
        self.bias_hh = draw(rows)

    def _steps(self, x: Any) -> tuple[list[Variable], int]:
        """The input projection of every time step, (N, gates * hidden) each, and N."""
        x = as_variable(x)
        if x.ndim != 3 or x.shape[2] != self.input_size:
            layout = "(N, T, input_size)" if self.batch_first else "(T, N, input_size)"
            raise ValueError(f"{type(self).__name__}: expected input of shape {layout} with "
                             f"input_size={self.input_size}, got {x.shape}")
        time_axis = 1 if self.batch_first else 0
        n, steps = x.shape[1 - time_axis], x.shape[time_axis]
        projected = F.linear(x, self.weight_ih, self.bias_ih)  # all steps, one matmul
        # split (not indexing per step): its gradient is one concatenation, not T scatters
        parts = F.split(projected, steps, axis=time_axis)
        return [p.reshape(n, -1) for p in parts], n

    def _initial(self, state: Any, n: int, what: str) -> Variable:
        if state is None:
            return as_variable(np.zeros((n, self.hidden_size), np.float32))
        state = as_variable(state)
        if state.shape != (n, self.hidden_size):
            raise ValueError(f"{type(self).__name__}: initial {what} of shape {state.shape}, "
                             f"expected ({n}, {self.hidden_size})")
        return state

    def _stack(self, hs: list[Variable]) -> Variable:
        return F.stack(hs, axis=1 if self.batch_first else 0)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, batch_first={self.batch_first}"


class RNN(_Recurrent):
    """Elman RNN: ``h_t = tanh(x_t @ W_ih.T + b_ih + h_{t-1} @ W_hh.T + b_hh)``.

    ``forward(x, h0=None)`` returns ``(outputs, h)``: every step's hidden state, shaped
    (N, T, hidden_size) (batch first), and the last one (N, hidden_size).
    """

    def forward(self, x: Any, h0: Any = None) -> tuple[Variable, Variable]:
        steps, n = self._steps(x)
        h = self._initial(h0, n, "state h0")
        hs = []
        for xw in steps:
            h = F.tanh(xw + F.linear(h, self.weight_hh, self.bias_hh))
            hs.append(h)
        return self._stack(hs), h


class LSTM(_Recurrent):
    """Long short-term memory with PyTorch's gate order (input, forget, cell, output).

    weight_ih (4*hidden, input_size), weight_hh (4*hidden, hidden) and their biases hold the
    four gates stacked, so each step is one fused matmul split into four.
    ``forward(x, state=None)`` takes an optional ``(h0, c0)``, each (N, hidden_size), and
    returns ``(outputs, (h, c))`` with outputs (N, T, hidden_size) (batch first).
    """

    _gates = 4

    def forward(self, x: Any, state: Any = None) -> tuple[Variable, tuple[Variable, Variable]]:
        steps, n = self._steps(x)
        h0, c0 = (None, None) if state is None else state
        h, c = self._initial(h0, n, "state h0"), self._initial(c0, n, "cell state c0")
        hs = []
        for xw in steps:
            gates = xw + F.linear(h, self.weight_hh, self.bias_hh)
            i, f, g, o = F.split(gates, 4, axis=1)
            c = F.sigmoid(f) * c + F.sigmoid(i) * F.tanh(g)
            h = F.sigmoid(o) * F.tanh(c)
            hs.append(h)
        return self._stack(hs), (h, c)
