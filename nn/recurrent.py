"""Recurrent layers: `RNN` (tanh), `LSTM` and `GRU`, one layer, composed from matmul, sigmoid
and tanh.

The input projection of all time steps is one matrix product; each step then adds the
hidden-state product. Inputs are (N, T, input_size) with ``batch_first=True`` (the default
here; PyTorch's default is False), (T, N, input_size) otherwise. States are (N, hidden_size),
without PyTorch's leading ``num_layers`` axis. Parameters carry PyTorch's names and layouts
(``weight_ih_l0`` (gates * hidden, input_size), ``weight_hh_l0``, ``bias_ih_l0``,
``bias_hh_l0``, gates stacked in PyTorch's order), so state dicts map one to one.

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

        self.weight_ih_l0 = draw(rows, input_size)
        self.weight_hh_l0 = draw(rows, hidden_size)
        self.bias_ih_l0 = draw(rows)
        self.bias_hh_l0 = draw(rows)

    def _steps(self, x: Any) -> tuple[list[Variable], int]:
        """The input projection of every time step, (N, gates * hidden) each, and N."""
        x = as_variable(x)
        if x.ndim != 3 or x.shape[2] != self.input_size:
            layout = "(N, T, input_size)" if self.batch_first else "(T, N, input_size)"
            raise ValueError(f"{type(self).__name__}: expected input of shape {layout} with "
                             f"input_size={self.input_size}, got {x.shape}")
        time_axis = 1 if self.batch_first else 0
        n, steps = x.shape[1 - time_axis], x.shape[time_axis]
        projected = F.linear(x, self.weight_ih_l0, self.bias_ih_l0)  # all steps, one matmul
        # split (not indexing per step): its gradient is one concatenation, not T scatters
        parts = F.split(projected, steps, axis=time_axis)
        return [p.reshape(n, -1) for p in parts], n

    def _initial(self, state: Any, n: int, what: str) -> Variable:
        if state is None:  # zeros in the weights' dtype, so a float64 model stays float64
            return as_variable(np.zeros((n, self.hidden_size), self.weight_hh_l0.dtype))
        state = as_variable(state)
        if state.shape != (n, self.hidden_size):
            raise ValueError(f"{type(self).__name__}: initial {what} of shape {state.shape}, "
                             f"expected ({n}, {self.hidden_size}) (one layer: no leading "
                             "num_layers axis, unlike PyTorch's (1, N, hidden_size))")
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
            h = F.tanh(xw + F.linear(h, self.weight_hh_l0, self.bias_hh_l0))
            hs.append(h)
        return self._stack(hs), h


class LSTM(_Recurrent):
    """Long short-term memory with PyTorch's gate order (input, forget, cell, output).

    weight_ih_l0 (4*hidden, input_size), weight_hh_l0 (4*hidden, hidden) and their biases hold
    the four gates stacked, so each step is one fused matmul split into four.
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
            gates = xw + F.linear(h, self.weight_hh_l0, self.bias_hh_l0)
            i, f, g, o = F.split(gates, 4, axis=1)
            c = F.sigmoid(f) * c + F.sigmoid(i) * F.tanh(g)
            h = F.sigmoid(o) * F.tanh(c)
            hs.append(h)
        return self._stack(hs), (h, c)


class GRU(_Recurrent):
    """Gated recurrent unit with PyTorch's gate order (reset, update, new)::

        r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
        z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        h' = (1 - z) * n + z * h

    weight_ih_l0 (3*hidden, input_size), weight_hh_l0 (3*hidden, hidden) and their biases
    hold the three gates stacked. ``forward(x, h0=None)`` returns ``(outputs, h)``: every
    step's hidden state, (N, T, hidden_size) (batch first), and the last one (N, hidden_size).
    """

    _gates = 3

    def forward(self, x: Any, h0: Any = None) -> tuple[Variable, Variable]:
        steps, n = self._steps(x)
        h = self._initial(h0, n, "state h0")
        two = [2 * self.hidden_size]  # r and z together, then n: b_hn stays inside r * (...)
        hs = []
        for xw in steps:
            x_rz, x_n = F.split(xw, two, axis=1)
            h_rz, h_n = F.split(F.linear(h, self.weight_hh_l0, self.bias_hh_l0), two, axis=1)
            r, z = F.split(F.sigmoid(x_rz + h_rz), 2, axis=1)
            new = F.tanh(x_n + r * h_n)
            h = new + z * (h - new)  # (1 - z) * new + z * h, one product fewer
            hs.append(h)
        return self._stack(hs), h
