"""One training step of examples/char_gpt.py's default model: a character GPT of 4 blocks,
4 heads, 128 channels, context 64, batch 12, vocabulary 65 (forward, backward, gradient
clipping, AdamW). PyTorch runs the same model from the same weights on the same batches.
Peak memory: each implementation trains in its own process (``--child``)."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.options import Options
from benchmarks.timing import OURS, Metric, WorkloadResult, alternate, seconds

ROOT = Path(__file__).resolve().parents[2]
VOCAB, BLOCK, BATCH, LAYERS, HEADS, EMBD = 65, 64, 12, 4, 4, 128
LR, WEIGHT_DECAY, CLIP = 1e-3, 0.1, 1.0


def _load(name: str, path: Path) -> Any:
    """Import a script (examples/char_gpt.py, benchmarks/char_gpt_torch.py) by its path."""
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "examples"))
    return module


class Ours:
    def __init__(self, quick: bool) -> None:
        import autograd_lite.functions as F
        from autograd_lite import nn, optim

        self.F, self.nn = F, nn
        cg = _load("char_gpt", ROOT / "examples" / "char_gpt.py")
        size = (1, 2, 16) if quick else (LAYERS, HEADS, EMBD)
        self.model = cg.GPT(VOCAB, BLOCK, *size, np.random.default_rng(0))
        self.params = list(self.model.parameters())
        self.optimizer = optim.AdamW([
            {"params": [p for p in self.params if p.ndim >= 2], "weight_decay": WEIGHT_DECAY},
            {"params": [p for p in self.params if p.ndim < 2], "weight_decay": 0.0},
        ], lr=LR, betas=(0.9, 0.99))

    def step(self, x: np.ndarray, t: np.ndarray) -> float:
        logits = self.model(x)
        loss = self.F.cross_entropy(logits.reshape(-1, VOCAB), t.reshape(-1))
        self.optimizer.zero_grad()
        loss.backward()
        self.nn.utils.clip_grad_norm_(self.params, CLIP)
        self.optimizer.step()
        return loss.item()


class Torch:
    def __init__(self, torch: Any, state: dict[str, np.ndarray], quick: bool) -> None:
        ref = _load("char_gpt_torch", ROOT / "benchmarks" / "char_gpt_torch.py")
        self.ref = ref
        size = (1, 2, 16) if quick else (LAYERS, HEADS, EMBD)
        self.model = ref.GPT(VOCAB, BLOCK, *size)
        self.model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()})
        self.optimizer = ref.make_optimizer(self.model, LR, WEIGHT_DECAY)

    def step(self, x: np.ndarray, t: np.ndarray) -> float:
        return self.ref.train_step(self.model, self.optimizer, x, t, CLIP)


def batches(n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(0)
    out = []
    for _ in range(n):
        ids = rng.integers(0, VOCAB, (BATCH, BLOCK + 1))
        out.append((ids[:, :-1], ids[:, 1:]))
    return out


def make(impl: str, torch: Any, quick: bool) -> Any:
    ours = Ours(quick)
    if impl == OURS:
        return ours
    return Torch(torch, ours.model.state_dict(), quick)


def _child(impl: str, steps: int, threads: int, quick: bool) -> float:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    cmd = [sys.executable, "-m", "benchmarks.workloads.gpt", "--child", impl, "--steps",
           str(steps), "--threads", str(threads)] + (["--quick"] if quick else [])
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"gpt: the {impl} child failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])["peak_rss_mib"]


def run(options: Options) -> WorkloadResult:
    steps = 1 if options.quick else 5
    data = batches(steps)
    models = {OURS: make(OURS, None, options.quick)}
    if options.torch is not None:
        models["torch"] = make("torch", options.torch, options.quick)
    first_loss = {name: float(m.step(*data[0])) for name, m in models.items()}

    def sampler(model: Any) -> Any:
        def run_steps() -> None:
            for x, t in data:
                model.step(x, t)
        return lambda: seconds(run_steps) / steps

    samples = alternate({n: sampler(m) for n, m in models.items()}, options.repeat,
                        settle=options.settle)
    memory_steps = 3 if options.quick else 20
    peak = {name: [_child(name, memory_steps, options.threads, options.quick)]
            for name in models}
    return WorkloadResult(
        "gpt",
        params={"vocab": VOCAB, "block": BLOCK, "batch": BATCH, "layers": LAYERS,
                "heads": HEADS, "embd": EMBD, "optimizer": "AdamW", "dtype": "float32",
                "steps_per_sample": steps, "first_loss": first_loss},
        metrics=[Metric("train step", "ms", {k: [s * 1e3 for s in v] for k, v in samples.items()}),
                 Metric("peak RSS", "MiB", peak,
                        note=f"own process, {memory_steps} steps")])


def main(argv: list[str] | None = None) -> int:
    """The peak-memory child: train a few steps, print the peak RSS as JSON."""
    parser = argparse.ArgumentParser(description="one implementation's gpt steps, alone")
    parser.add_argument("--child", choices=[OURS, "torch"], required=True)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    from benchmarks.impls.torch_ref import load_torch
    from benchmarks.machine import set_blas_threads
    from benchmarks.memory_child import peak_rss_mib

    set_blas_threads(args.threads)
    torch = load_torch(args.threads) if args.child == "torch" else None
    model = make(args.child, torch, args.quick)
    for x, t in batches(args.steps):
        model.step(x, t)
    print(json.dumps({"impl": args.child, "peak_rss_mib": peak_rss_mib()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
