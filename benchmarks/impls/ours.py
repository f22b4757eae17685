"""The workloads written with autograd_lite's core API only (Variable and functions), with a
plain SGD update, so that the benchmark measures the engine rather than nn or optim."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd_lite.functions as F
from autograd_lite import Variable


def overhead(iterations: int) -> None:
    """``iterations`` x (y * 1.0001 + 0.0001, tanh) on one float64 element, then backward."""
    x = Variable(np.array([0.5]))
    y = x
    for _ in range(iterations):
        y = y * 1.0001 + 0.0001
        y = F.tanh(y)
    y.backward()


def fanin_graph(terms: int) -> tuple[Variable, Variable]:
    """A scalar ``sum_i x * c_i`` of ``terms`` terms: x used by ``terms`` products."""
    x = Variable(np.array([1.0]))
    y = x * 0.0
    for i in range(terms):
        y = y + x * float(i % 7)
    return x, y


class OursModel:
    """Parameters as Variables and a plain SGD update (no optim), in place as the NumPy floor
    and the PyTorch reference do it."""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.params = {k: Variable(v.copy(), name=k) for k, v in params.items()}

    def logits(self, x: Any) -> Variable:
        raise NotImplementedError

    def loss(self, x: Any, t: np.ndarray) -> Variable:
        return F.cross_entropy(self.logits(x), t)

    def step(self, x: Any, t: np.ndarray, lr: float) -> float:
        """One SGD step; returns the loss before the update."""
        loss = self.loss(x, t)
        loss.backward()
        for p in self.params.values():  # in place, like the hand-written floor
            step = p.grad.data
            step *= lr
            p.data -= step
            p.cleargrad()
        return loss.item()


class OursMLP(OursModel):
    """The benchmark MLP (ReLU between layers) with these (W, b)."""

    def __init__(self, layers: list[tuple[np.ndarray, np.ndarray]]) -> None:
        super().__init__({f"{kind}{i}": arr for i, (W, b) in enumerate(layers)
                          for kind, arr in (("W", W), ("b", b))})
        self.n_layers = len(layers)

    def logits(self, x: Any) -> Variable:
        p = self.params
        h = x
        for i in range(self.n_layers):
            h = F.linear(h, p[f"W{i}"], p[f"b{i}"])
            if i < self.n_layers - 1:
                h = F.relu(h)
        return h


class OursCNN(OursModel):
    """The benchmark CNN with parameters from :func:`benchmarks.data.cnn_params`."""

    def logits(self, x: Any) -> Variable:
        p = self.params
        h = F.max_pool2d(F.relu(F.conv2d(x, p["conv_W"], p["conv_b"], 1, 0)), 2)
        h = F.relu(F.linear(F.flatten(h), p["fc1_W"], p["fc1_b"]))
        return F.linear(h, p["fc2_W"], p["fc2_b"])
