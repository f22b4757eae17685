"""PyTorch versions of the workloads, imported only when PyTorch is installed."""

from __future__ import annotations

from typing import Any

import numpy as np


def load_torch(threads: int) -> Any:
    """The torch module set to ``threads`` threads, or None when it is not importable."""
    try:
        import torch
    except Exception:  # not installed, or broken: the column is left out
        return None
    torch.set_num_threads(threads)
    return torch


def overhead(torch: Any, iterations: int) -> None:
    """``iterations`` x (y * 1.0001 + 0.0001, tanh) on one float64 element, then backward."""
    x = torch.tensor([0.5], dtype=torch.float64, requires_grad=True)
    y = x
    for _ in range(iterations):
        y = y * 1.0001 + 0.0001
        y = torch.tanh(y)
    y.backward()


def fanin_graph(torch: Any, terms: int) -> tuple[Any, Any]:
    """A scalar ``sum_i x * c_i`` of ``terms`` terms: x used by ``terms`` products."""
    x = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    y = x * 0.0
    for i in range(terms):
        y = y + x * float(i % 7)
    return x, y


class TorchModel:
    """A model run by PyTorch's autograd with a plain SGD update, matching the NumPy ones."""

    def __init__(self, torch: Any, params: dict[str, np.ndarray], forward: Any) -> None:
        self.torch = torch
        self.params = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
        self._forward = forward

    def step(self, x: Any, t: Any, lr: float) -> float:
        """One SGD step on torch tensors x, t; returns the loss before the update."""
        F = self.torch.nn.functional
        loss = F.cross_entropy(self._forward(self.params, x), t)
        loss.backward()
        with self.torch.no_grad():
            for p in self.params.values():  # in place, like the hand-written floor
                p -= p.grad.mul_(lr)
                p.grad = None
        return loss.item()


def mlp(torch: Any, layers: list[tuple[np.ndarray, np.ndarray]]) -> TorchModel:
    """The benchmark MLP (ReLU between layers) with these (W, b)."""
    params = {f"{kind}{i}": arr for i, (W, b) in enumerate(layers)
              for kind, arr in (("W", W), ("b", b))}
    F = torch.nn.functional

    def forward(p: dict[str, Any], x: Any) -> Any:
        h = x
        for i in range(len(layers)):
            h = F.linear(h, p[f"W{i}"], p[f"b{i}"])
            if i < len(layers) - 1:
                h = F.relu(h)
        return h

    return TorchModel(torch, params, forward)


def cnn(torch: Any, params: dict[str, np.ndarray]) -> TorchModel:
    """The benchmark CNN with parameters from :func:`benchmarks.data.cnn_params`."""
    F = torch.nn.functional

    def forward(p: dict[str, Any], x: Any) -> Any:
        h = F.max_pool2d(F.relu(F.conv2d(x, p["conv_W"], p["conv_b"])), 2)
        h = F.relu(F.linear(h.flatten(1), p["fc1_W"], p["fc1_b"]))
        return F.linear(h, p["fc2_W"], p["fc2_b"])

    return TorchModel(torch, params, forward)
