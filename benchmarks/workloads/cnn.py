"""CNN training steps: conv 1->30 5x5 -> ReLU -> max-pool 2 -> Linear 4320->100 -> ReLU ->
Linear 100->10, float32, batch 100, SGD lr 0.1."""

from __future__ import annotations

from benchmarks import data
from benchmarks.impls import ours, torch_ref
from benchmarks.impls.numpy_cnn import NumpyCNN
from benchmarks.options import Options
from benchmarks.timing import OURS, Metric, WorkloadResult, scaled
from benchmarks.workloads.training import time_steps, torch_batches

BATCH = 100
LR = 0.1


def run(options: Options) -> WorkloadResult:
    steps = 1 if options.quick else 5
    flat, source = data.batches(steps, BATCH)
    batches = [(x.reshape(-1, 1, 28, 28), t) for x, t in flat]
    params = data.cnn_params()
    models = {OURS: ours.OursCNN(params), "numpy": NumpyCNN(params)}
    inputs = {OURS: batches, "numpy": batches}
    if options.torch is not None:
        models["torch"] = torch_ref.cnn(options.torch, params)
        inputs["torch"] = torch_batches(options.torch, batches)
    samples, first_loss = time_steps(models, inputs, steps, LR, options)
    return WorkloadResult(
        "cnn",
        params={"batch": BATCH, "lr": LR, "dtype": "float32", "data": source,
                "steps_per_sample": steps, "first_loss": first_loss},
        metrics=[Metric("train step", "ms", scaled(samples, 1e3 / steps))])
