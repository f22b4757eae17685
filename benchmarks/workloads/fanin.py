"""Fan-in: one Variable used by many ops. Backward should take time linear in the graph size,
so 10x the uses should take about 10x the time (a sort on every push makes it superlinear)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmarks.impls import ours, torch_ref
from benchmarks.options import Options
from benchmarks.timing import OURS, Metric, WorkloadResult, alternate, seconds


def _backward_seconds(build: Callable[[int], tuple[Any, Any]], terms: int) -> Callable[[], float]:
    def sample() -> float:
        _, y = build(terms)  # the forward pass is not timed
        return seconds(y.backward)

    return sample


def run(options: Options) -> WorkloadResult:
    small, large = (20, 200) if options.quick else (2000, 20000)
    builders: dict[str, Callable[[int], tuple[Any, Any]]] = {OURS: ours.fanin_graph}
    if options.torch is not None:
        torch = options.torch
        builders["torch"] = lambda terms: torch_ref.fanin_graph(torch, terms)
    samplers = {}
    for name, build in builders.items():
        samplers[(name, small)] = _backward_seconds(build, small)
        samplers[(name, large)] = _backward_seconds(build, large)
    samples = alternate(samplers, options.repeat, settle=options.settle)
    ms_small = {name: [s * 1e3 for s in samples[(name, small)]] for name in builders}
    ms_large = {name: [s * 1e3 for s in samples[(name, large)]] for name in builders}
    ratio = {name: [b / a for a, b in zip(ms_small[name], ms_large[name], strict=True)]
             for name in builders}
    return WorkloadResult(
        "fanin", params={"small": small, "large": large, "dtype": "float64"},
        metrics=[Metric(f"backward, {small} uses", "ms", ms_small),
                 Metric(f"backward, {large} uses", "ms", ms_large),
                 Metric(f"time ratio {large}/{small}", "x", ratio,
                        note="linear is about 10")])
