"""Memory: peak RSS over MLP training steps, one process per implementation, and whether the
number of live engine objects grows with the steps (it should not)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.options import Options
from benchmarks.timing import OURS, Metric, WorkloadResult

ROOT = Path(__file__).resolve().parents[2]  # the folder that holds benchmarks/


def _child(impl: str, steps: int, count_at: tuple[int, int], threads: int) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    cmd = [sys.executable, "-m", "benchmarks.memory_child", impl, "--steps", str(steps),
           "--count-at", *map(str, count_at), "--threads", str(threads)]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"memory: the {impl} child failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(options: Options) -> WorkloadResult:
    steps, count_at = (12, (5, 12)) if options.quick else (200, (10, 200))
    impls = [OURS, "numpy"] + (["torch"] if options.torch is not None else [])
    rounds = 1 if options.quick else min(options.repeat, 3)
    runs: dict[str, list[dict]] = {impl: [] for impl in impls}
    for _ in range(rounds):
        for impl in impls:
            runs[impl].append(_child(impl, steps, count_at, options.threads))
    peak = {impl: [r["peak_rss_mib"] for r in runs[impl]] for impl in impls}
    growth = {impl: [r["peak_rss_mib"] - r["rss_before_mib"] for r in runs[impl]]
              for impl in impls}
    first, last = (str(s) for s in count_at)
    ours_runs = runs[OURS]
    return WorkloadResult(
        "memory", params={"steps": steps, "model": "mlp", "runs": runs},
        metrics=[
            Metric("peak RSS", "MiB", peak),
            Metric("RSS growth in training", "MiB", growth,
                   note="peak RSS minus the peak before the first step"),
            Metric(f"live engine objects, step {first}", "count",
                   {OURS: [r["objects"][first]["live"] for r in ours_runs]}),
            Metric(f"live engine objects, step {last}", "count",
                   {OURS: [r["objects"][last]["live"] for r in ours_runs]}),
            Metric(f"cyclic garbage objects, step {last}", "count",
                   {OURS: [r["objects"][last]["cyclic_garbage"] for r in ours_runs]},
                   note="Variables/Functions freed only by gc.collect(): reference cycles"),
        ])
