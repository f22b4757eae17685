"""Timing training steps of one model in every implementation (shared by mlp and cnn)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.options import Options
from benchmarks.timing import alternate, seconds

Batch = tuple[Any, Any]


def time_steps(models: dict[str, Any], batches: dict[str, list[Batch]], steps: int, lr: float,
               options: Options) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Seconds per ``steps`` SGD steps of each model, alternating; and each model's first loss
    (the models start equal, so equal first losses show they compute the same thing)."""
    first_loss = {}
    for name, model in models.items():
        x, t = batches[name][0]
        first_loss[name] = float(model.step(x, t, lr))

    def sampler(name: str) -> Callable[[], float]:
        model, data = models[name], batches[name]

        def run() -> None:
            for i in range(steps):
                x, t = data[i % len(data)]
                model.step(x, t, lr)

        return lambda: seconds(run)

    samplers = {name: sampler(name) for name in models}
    samples = alternate(samplers, options.repeat, settle=options.settle)
    return samples, first_loss


def torch_batches(torch: Any, batches: list[tuple[np.ndarray, np.ndarray]]) -> list[Batch]:
    """The same batches as torch tensors (sharing memory)."""
    return [(torch.from_numpy(x), torch.from_numpy(t)) for x, t in batches]
