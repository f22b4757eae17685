"""Per-op overhead: a long chain of tiny ops on one float64 element, forward + backward."""

from __future__ import annotations

from benchmarks.impls import ours, scalar, torch_ref
from benchmarks.options import Options
from benchmarks.timing import OURS, Metric, WorkloadResult, alternate, scaled, seconds

OPS_PER_ITERATION = 3  # mul, add, tanh


def run(options: Options) -> WorkloadResult:
    iterations = 50 if options.quick else 2000
    number = 1 if options.quick else 5  # one run is ~40 ms: too short to time alone
    samplers = {OURS: lambda: seconds(lambda: ours.overhead(iterations), number),
                "scalar": lambda: seconds(lambda: scalar.overhead(iterations), number),
                "scalar-numpy": lambda: seconds(
                    lambda: scalar.overhead(iterations, scalar.ArrayScalar), number)}
    if options.torch is not None:
        torch = options.torch
        samplers["torch"] = lambda: seconds(lambda: torch_ref.overhead(torch, iterations),
                                            number)
    samples = alternate(samplers, options.repeat, settle=options.settle)
    ops = OPS_PER_ITERATION * iterations
    return WorkloadResult(
        "overhead", params={"iterations": iterations, "ops": ops, "dtype": "float64"},
        metrics=[Metric("per op (fwd+bwd)", "us", scaled(samples, 1e6 / ops))])
