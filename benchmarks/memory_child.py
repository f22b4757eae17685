"""One implementation's MLP training in its own process, so its peak RSS is its own.

``python -m benchmarks.memory_child IMPL --steps N --count-at A B --threads T`` prints one JSON
line: the peak RSS before and after training (MiB) and, for autograd_lite, the live engine
objects (Variable and Function instances) after steps A and B.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
from typing import Any

from benchmarks import data
from benchmarks.machine import set_blas_threads
from benchmarks.workloads.mlp import BATCH, LR, SIZES

N_BATCHES = 10  # few distinct batches, so that the data does not swamp the engine's memory


def peak_rss_mib() -> float:
    """This process's peak resident set size so far, in MiB.

    Linux: VmHWM from /proc/self/status, because ``ru_maxrss`` keeps the high-water mark of
    the parent process this one was forked from (the runner, with PyTorch loaded) across exec.
    Elsewhere: ``ru_maxrss``.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 2**10  # kB
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes vs KiB


def engine_objects() -> dict[str, int]:
    """Live autograd_lite Variables and Functions: reachable ones, and cyclic garbage that only
    the garbage collector would free."""
    from autograd_lite import Function, Variable

    def count() -> int:
        return sum(isinstance(o, (Variable, Function)) for o in gc.get_objects())

    before = count()
    gc.collect()
    after = count()
    return {"live": after, "cyclic_garbage": before - after}


def make_model(impl: str, threads: int) -> tuple[Any, list]:
    batches, _ = data.batches(N_BATCHES, BATCH)
    layers = data.mlp_params(SIZES)
    if impl == "autograd_lite":
        from benchmarks.impls.ours import OursMLP
        return OursMLP(layers), batches
    if impl == "numpy":
        from benchmarks.impls.numpy_mlp import NumpyMLP
        return NumpyMLP(layers), batches
    if impl == "torch":
        from benchmarks.impls import torch_ref
        from benchmarks.workloads.training import torch_batches
        torch = torch_ref.load_torch(threads)
        return torch_ref.mlp(torch, layers), torch_batches(torch, batches)
    raise ValueError(f"memory_child: unknown implementation {impl!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("impl", choices=["autograd_lite", "numpy", "torch"])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--count-at", type=int, nargs="*", default=[10, 200])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    set_blas_threads(args.threads)
    model, batches = make_model(args.impl, args.threads)
    result: dict[str, Any] = {"impl": args.impl, "steps": args.steps,
                              "rss_before_mib": peak_rss_mib(), "objects": {}}
    for step in range(1, args.steps + 1):
        x, t = batches[step % len(batches)]
        model.step(x, t, LR)
        if args.impl == "autograd_lite" and step in args.count_at:
            result["objects"][str(step)] = engine_objects()
    result["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
