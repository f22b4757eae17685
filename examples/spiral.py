"""Three interleaved spirals, a small MLP, and a picture of its decision regions.

    python3 examples/spiral.py                      # writes runs/spiral/spiral.png
    python3 examples/spiral.py --steps 300 --out /tmp/spiral.png

The classic toy problem that no straight line can solve: 100 points per class on three arms
of a spiral, with a little noise. A two-layer perceptron trained full-batch with Adam
separates them; the PNG colours the plane by the class the network predicts.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from _process import add_threads_option, setup_process

import autograd_lite.functions as F
from autograd_lite import nn, no_grad, optim
from autograd_lite.files import atomic_write

OUT = Path("runs") / "spiral" / "spiral.png"  # under the current directory
CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]


def make_spiral(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2,
                rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Points on `n_classes` spiral arms: ``x`` (N, 2) float32 in about [-1, 1], ``t`` (N,).

    Arm ``k`` turns from the centre outwards, starting at angle ``k * 2 pi / n_classes``.
    """
    rng = rng or np.random.default_rng(0)
    radius = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    t = np.repeat(np.arange(n_classes), n_per_class)
    angle = (t * 2 * np.pi / n_classes + radius * 4.0
             + rng.normal(0.0, noise, n_per_class * n_classes))
    x = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    return x.astype(np.float32), t.astype(np.int64)


def build_mlp(hidden: int, n_classes: int, rng: np.random.Generator) -> nn.Module:
    return nn.Sequential(nn.Linear(2, hidden, rng=rng), nn.ReLU(),
                         nn.Linear(hidden, hidden, rng=rng), nn.ReLU(),
                         nn.Linear(hidden, n_classes, rng=rng))


def train(model: nn.Module, x: np.ndarray, t: np.ndarray, steps: int, lr: float) -> float:
    """Full-batch Adam for `steps` steps; returns the final loss."""
    optimizer = optim.Adam(model.parameters(), lr=lr)
    for step in range(1, steps + 1):
        loss = F.cross_entropy(model(x), t)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % max(1, steps // 5) == 0 or step == steps:
            print(f"step {step:5d}  loss {loss.item():.4f}")
    return loss.item()


def plot_decision_regions(model: nn.Module, x: np.ndarray, t: np.ndarray,
                          path: str | os.PathLike, resolution: int = 300) -> None:
    """Write a PNG: the plane coloured by predicted class, the data points on top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    lo, hi = x.min(axis=0) - 0.2, x.max(axis=0) + 0.2
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
    with no_grad():
        regions = model(grid).data.argmax(axis=1).reshape(gx.shape)

    colors = ListedColormap(CLASS_COLORS[: t.max() + 1])
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.contourf(gx, gy, regions, levels=np.arange(-0.5, t.max() + 1), cmap=colors, alpha=0.25)
    ax.scatter(x[:, 0], x[:, 1], c=t, cmap=colors, s=14, edgecolors="k", linewidths=0.4)
    ax.set_title("spiral: decision regions of a 2-layer MLP")
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        with atomic_write(path) as f:
            fig.savefig(f, format="png", dpi=100)
    finally:
        plt.close(fig)


def main(argv: Sequence[str] | None = None) -> float:
    """Run the example; returns the training accuracy."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000,
                        help="full-batch Adam steps (default 1000)")
    parser.add_argument("--hidden", type=int, default=64,
                        help="units per hidden layer (default 64)")
    parser.add_argument("--lr", type=float, default=1e-2, help="learning rate (default 0.01)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the data and the initial weights (default 0)")
    parser.add_argument("--out", default=str(OUT), help=f"PNG to write (default {OUT})")
    add_threads_option(parser)
    args = parser.parse_args(argv)
    setup_process(args.threads)

    data_rng, init_rng = (np.random.default_rng(s)
                          for s in np.random.SeedSequence(args.seed).spawn(2))
    x, t = make_spiral(rng=data_rng)
    model = build_mlp(args.hidden, 3, init_rng)
    train(model, x, t, args.steps, args.lr)
    with no_grad():
        accuracy = F.accuracy(model(x), t)
    plot_decision_regions(model, x, t, args.out)
    print(f"wrote {args.out}")
    print(f"train accuracy: {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main()
