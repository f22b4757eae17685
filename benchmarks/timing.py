"""Alternating timing: ours, ref, ours, ref, ... so that noise hits every implementation."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

OURS = "autograd_lite"


def seconds(fn: Callable[[], Any], number: int = 1) -> float:
    """Wall-clock seconds per call of ``fn``, averaged over ``number`` calls in a row.

    Several calls per sample let a short workload run past the slow start that follows the
    pause before each sample (cold caches, a core clocking up).
    """
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def alternate(samplers: dict[Any, Callable[[], float]], repeat: int,
              warmup: int = 1, settle: float = 0.0) -> dict[Any, list[float]]:
    """Call each sampler ``warmup`` times (discarded), then ``repeat`` rounds in turn.

    A sampler returns one measurement (usually seconds from :func:`seconds`); the result maps
    each name to its ``repeat`` measurements. Every sample starts after a full garbage
    collection and a pause of ``settle`` seconds (neither timed), so that none pays for the
    garbage of the one before, nor for its thread pool: OpenBLAS and OpenMP threads keep
    spinning for a while after their last task and would take a core from the next sample.
    """
    for _ in range(warmup):
        for sample in samplers.values():
            sample()
    results: dict[Any, list[float]] = {name: [] for name in samplers}
    for _ in range(repeat):
        for name, sample in samplers.items():
            gc.collect()
            if settle:
                time.sleep(settle)
            results[name].append(sample())
    return results


@dataclass
class Metric:
    """One measured quantity: its samples per implementation, in ``unit``."""

    name: str
    unit: str
    samples: dict[str, list[float]]
    note: str = ""

    def summary(self) -> dict[str, Any]:
        """JSON-ready: samples, median, min, max, and ours / reference ratios of medians."""
        medians = {k: statistics.median(v) for k, v in self.samples.items() if v}
        ours = medians.get(OURS)
        ratios = {k: ours / m for k, m in medians.items()
                  if k != OURS and ours is not None and m}
        # ratios within each round (the samples were taken in turn): robust to slow phases
        paired = {k: statistics.median(a / b for a, b in zip(self.samples[OURS], v, strict=True))
                  for k, v in self.samples.items()
                  if k != OURS and OURS in self.samples and all(v)
                  and len(v) == len(self.samples[OURS])}
        return {"name": self.name, "unit": self.unit, "note": self.note,
                "samples": self.samples, "median": medians,
                "min": {k: min(v) for k, v in self.samples.items() if v},
                "max": {k: max(v) for k, v in self.samples.items() if v},
                "ratio": ratios, "paired_ratio": paired}


@dataclass
class WorkloadResult:
    """What a workload reports: its parameters, its metrics, or why it was skipped."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    metrics: list[Metric] = field(default_factory=list)
    skipped: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"params": self.params, "skipped": self.skipped,
                "metrics": [m.summary() for m in self.metrics]}


def scaled(samples: dict[str, list[float]], factor: float) -> dict[str, list[float]]:
    """Every sample multiplied by ``factor`` (e.g. seconds for n steps -> ms per step)."""
    return {k: [s * factor for s in v] for k, v in samples.items()}
