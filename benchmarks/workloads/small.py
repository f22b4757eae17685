"""A tiny MLP (4-128-128-2) trained with nn and optim: forward, MSE loss, backward, Adam step.

The shape of a reinforcement-learning update, at batch 1 and batch 32: the matrices are so
small that the time goes to per-op and per-parameter overhead, not to arithmetic. Both
implementations build the same model with the same weights and run the same steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite import nn, optim
from benchmarks.options import Options
from benchmarks.timing import OURS, Metric, WorkloadResult, alternate, scaled, seconds

SIZES = (4, 128, 128, 2)
BATCHES = (1, 32)
LR = 1e-3


def _weights(seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [((rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)).astype(np.float32),
             np.zeros(n_out, np.float32)) for n_in, n_out in zip(SIZES[:-1], SIZES[1:])]


def _data(batch: int, steps: int, seed: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((batch, SIZES[0])).astype(np.float32),
             rng.standard_normal((batch, SIZES[-1])).astype(np.float32)) for _ in range(steps)]


def ours_trainer(weights: list, data: list) -> Any:
    layers: list[nn.Module] = []
    for W, b in weights:
        linear = nn.Linear(W.shape[1], W.shape[0])
        linear.weight.data, linear.bias.data = W.copy(), b.copy()
        layers += [linear, nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    opt = optim.Adam(model.parameters(), lr=LR)
    loss_fn = nn.MSELoss()

    def run() -> float:
        for x, t in data:
            opt.zero_grad()
            loss = loss_fn(model(x), t)
            loss.backward()
            opt.step()
        return loss.item()

    return run


def torch_trainer(torch: Any, weights: list, data: list) -> Any:
    layers: list[Any] = []
    for W, b in weights:
        linear = torch.nn.Linear(W.shape[1], W.shape[0])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        layers += [linear, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = torch.nn.MSELoss()
    tensors = [(torch.from_numpy(x), torch.from_numpy(t)) for x, t in data]

    def run() -> float:
        for x, t in tensors:
            opt.zero_grad()
            loss = loss_fn(model(x), t)
            loss.backward()
            opt.step()
        return loss.item()

    return run


def run(options: Options) -> WorkloadResult:
    steps = 5 if options.quick else 200
    metrics, first_losses = [], {}
    for batch in BATCHES:
        data = _data(batch, steps)
        trainers = {OURS: ours_trainer(_weights(), data)}
        if options.torch is not None:
            trainers["torch"] = torch_trainer(options.torch, _weights(), data)
        first_losses[batch] = {name: run() for name, run in trainers.items()}  # same values
        samples = alternate({name: (lambda r=run: seconds(r)) for name, run in trainers.items()},
                            options.repeat, settle=options.settle)
        metrics.append(Metric(f"batch {batch}: train step", "us", scaled(samples, 1e6 / steps)))
    return WorkloadResult(
        "small", params={"sizes": SIZES, "batches": BATCHES, "optimizer": "Adam", "lr": LR,
                         "loss": "MSE", "dtype": "float32", "steps_per_sample": steps,
                         "loss_after_one_pass": first_losses},
        metrics=metrics)
