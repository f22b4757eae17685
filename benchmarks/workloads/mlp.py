"""MLP 784-256-256-10 training steps, float32, batch 100, SGD lr 0.1."""

from __future__ import annotations

from benchmarks import data
from benchmarks.impls import ours, torch_ref
from benchmarks.impls.numpy_mlp import NumpyMLP
from benchmarks.options import Options
from benchmarks.timing import OURS, Metric, WorkloadResult, scaled
from benchmarks.workloads.training import time_steps, torch_batches

SIZES = (784, 256, 256, 10)
BATCH = 100
LR = 0.1
STEPS_PER_EPOCH = 600


def run(options: Options) -> WorkloadResult:
    steps = 2 if options.quick else 20
    batches, source = data.batches(steps, BATCH)
    layers = data.mlp_params(SIZES)
    models = {OURS: ours.OursMLP(layers), "numpy": NumpyMLP(layers)}
    inputs = {OURS: batches, "numpy": batches}
    if options.torch is not None:
        models["torch"] = torch_ref.mlp(options.torch, layers)
        inputs["torch"] = torch_batches(options.torch, batches)
    samples, first_loss = time_steps(models, inputs, steps, LR, options)
    return WorkloadResult(
        "mlp",
        params={"sizes": SIZES, "batch": BATCH, "lr": LR, "dtype": "float32", "data": source,
                "steps_per_sample": steps, "first_loss": first_loss},
        metrics=[Metric("train step", "ms", scaled(samples, 1e3 / steps)),
                 Metric(f"epoch ({STEPS_PER_EPOCH} steps)", "s",
                        scaled(samples, STEPS_PER_EPOCH / steps),
                        note="extrapolated from steps_per_sample steps")])
