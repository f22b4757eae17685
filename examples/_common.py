"""Plumbing the examples share, so that their files show only the model and the loop: the
MNIST command line, the data, random generators, the optimizer, progress bars, evaluation and
plots. Checkpoints are in ``_checkpoint.py``. Nothing here is needed to follow the loop.

A run is deterministic for a given ``--seed``: the initial weights, the order of the training
samples and the dropout masks each come from their own ``numpy.random.Generator`` seeded from
it (see :func:`make_rngs`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from _checkpoint import merge_settings
from _process import add_threads_option, setup_process

import autograd_lite.functions as F
from autograd_lite import nn, no_grad, optim
from autograd_lite.data import DataFileError, load_mnist
from autograd_lite.data.mnist import mnist_folder
from autograd_lite.files import atomic_write

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # of the 60,000 training pixels scaled to [0, 1]
EVAL_BATCH = 1000
RUNS = Path("runs")  # outputs go to runs/<example>/ under the current directory


# ----------------------------------------------------------------------------- arguments
def make_parser(example: str, description: str, *, epochs: int, batch_size: int, lr: float,
                optimizer: str = "adam") -> argparse.ArgumentParser:
    """The command line both MNIST examples take; each passes its own defaults.

    ``--save``, ``--resume`` and ``--plot`` take an optional PATH; alone they use
    ``runs/<example>/checkpoint.npz`` and ``runs/<example>/curves.png``.
    """
    checkpoint, curves = RUNS / example / "checkpoint.npz", RUNS / example / "curves.png"
    parser = argparse.ArgumentParser(prog=f"{example}.py", description=description)
    parser.add_argument("--epochs", type=int, default=epochs,
                        help=f"epochs in the whole run (default {epochs})")
    parser.add_argument("--batch-size", type=int, default=batch_size,
                        help=f"training mini-batch size (default {batch_size})")
    parser.add_argument("--lr", type=float, default=lr,
                        help=f"peak learning rate, annealed along a cosine to 0 over the run "
                             f"(default {lr})")
    parser.add_argument("--optimizer", choices=("adam", "sgd"), default=optimizer,
                        help=f"Adam, or SGD with Nesterov momentum 0.9 (default {optimizer})")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of every random draw (default 0)")
    add_threads_option(parser)
    parser.add_argument("--data-dir", default=None, metavar="FOLDER",
                        help="the folder of the four MNIST files, or its parent (default: "
                             "$AUTOGRAD_LITE_DATA, else ~/.cache/autograd_lite/mnist; "
                             "downloaded if missing)")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="quick run on the first N training and N test samples (default: "
                             "all)")
    parser.add_argument("--synthetic", action="store_true",
                        help="use random class templates instead of MNIST: no files or "
                             "network needed (default: off)")
    parser.add_argument("--save", metavar="PATH", nargs="?", const=str(checkpoint),
                        help="after every epoch, write the whole training state (model, "
                             "optimizer, schedule, random generators, history, settings) to "
                             f"one .npz file (default: off; --save alone: {checkpoint})")
    parser.add_argument("--resume", metavar="PATH", nargs="?", const=str(checkpoint),
                        help="continue the run saved in PATH exactly; settings left out are "
                             "taken from it, settings that differ are refused (default: off; "
                             f"--resume alone: {checkpoint})")
    parser.add_argument("--plot", metavar="PATH", nargs="?", const=str(curves),
                        help="write a PNG of the loss and accuracy per epoch (default: off; "
                             f"--plot alone: {curves})")
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress bars (default: bars on a terminal only)")
    return parser


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None = None
               ) -> argparse.Namespace:
    """Parse `argv`; with ``--resume``, settings left out come from the checkpoint and
    settings given that differ from it end the program with a message listing them."""
    args = parser.parse_args(argv)
    setup_process(args.threads)
    if args.resume:
        try:
            merge_settings(args, given_options(parser, argv), args.resume,
                           parser.prog.removesuffix(".py"))
        except (ValueError, OSError) as err:  # not a checkpoint of this run, or unreadable
            parser.error(str(err))
    for flag, value in (("--epochs", args.epochs), ("--batch-size", args.batch_size),
                        ("--limit", args.limit), ("--lr", args.lr)):
        if value is not None and not value > 0:
            parser.error(f"{flag} must be positive, got {value}"
                         + (" (from the checkpoint)" if args.resume else ""))
    return args


def given_options(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> set[str]:
    """The destinations of the options present in `argv` (not left at their defaults)."""
    unset = object()  # argparse fills in defaults only for attributes the namespace lacks
    namespace = argparse.Namespace(**{dest: unset for dest in vars(parser.parse_args(argv))})
    return {dest for dest, value in vars(parser.parse_args(argv, namespace)).items()
            if value is not unset}


def make_rngs(seed: int) -> dict[str, np.random.Generator]:
    """Independent generators for the initial weights, the shuffling and the dropout masks."""
    names = ("init", "shuffle", "dropout")
    seeds = np.random.SeedSequence(seed).spawn(len(names))
    return {name: np.random.default_rng(s) for name, s in zip(names, seeds)}


def make_optimizer(args: argparse.Namespace, params: Iterable[Any]) -> optim.Optimizer:
    if args.optimizer == "adam":
        return optim.Adam(params, lr=args.lr)
    return optim.SGD(params, lr=args.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)


# ----------------------------------------------------------------------------- data
def synthetic_mnist(n_train: int, n_test: int, seed: int = 0
                    ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """A learnable stand-in for MNIST: each class is a random 28x28 template plus noise.

    Returns ``(x_train, t_train), (x_test, t_test)`` as :func:`load_mnist` does (uint8
    images, int64 labels).
    """
    rng = np.random.default_rng(seed)
    templates = rng.uniform(0, 255, (10, 28, 28))

    def draw(n: int) -> tuple[np.ndarray, np.ndarray]:
        t = rng.integers(0, 10, n)
        x = templates[t] + rng.normal(0, 60, (n, 28, 28))
        return np.clip(x, 0, 255).astype(np.uint8), t.astype(np.int64)

    return draw(n_train), draw(n_test)


def load_data(args: argparse.Namespace, image_shape: tuple[int, ...], standardize: bool = True
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST (or the synthetic stand-in) as float32 images of ``image_shape``: standardised
    with MNIST's mean and deviation, or with ``standardize=False`` scaled to [0, 1].

    Returns ``x_train (N, *image_shape), t_train (N,), x_test, t_test``, cut to
    ``args.limit`` samples each when given. Without the data (and no network to download
    it), the program ends with a short message saying what to do.
    """
    if args.synthetic:
        n = args.limit or 1000
        (x_train, t_train), (x_test, t_test) = synthetic_mnist(n, n, args.seed)
    else:
        try:
            (x_train, t_train), (x_test, t_test) = load_mnist(args.data_dir)
        except (OSError, DataFileError) as err:  # missing, not downloadable, or corrupt
            raise SystemExit(no_data_message(mnist_folder(args.data_dir), err)) from None
    if args.limit is not None:
        x_train, t_train = x_train[:args.limit], t_train[:args.limit]
        x_test, t_test = x_test[:args.limit], t_test[:args.limit]

    def prepare(x: np.ndarray) -> np.ndarray:
        x = x.astype(np.float32) / 255
        if standardize:
            x = (x - MNIST_MEAN) / MNIST_STD
        return x.reshape(len(x), *image_shape)

    return prepare(x_train), t_train, prepare(x_test), t_test


def no_data_message(folder: Path, err: BaseException) -> str:
    reason = str(err).splitlines()[0].removesuffix("; tried:")
    return (f"{Path(sys.argv[0]).name}: cannot load MNIST from {folder}: {reason}\n"
            "Give the folder of the four MNIST files (or its parent) with --data-dir FOLDER or "
            "the AUTOGRAD_LITE_DATA environment variable,\nor try the example without any "
            "data: --synthetic")


# ----------------------------------------------------------------------------- loop helpers
def progress(loader: Any, desc: str, enabled: bool) -> Any:
    """`loader` wrapped in a tqdm bar on a terminal (when tqdm is installed and `enabled`);
    elsewhere (a log, a pipe) the plain loader: the epoch's own line is the progress."""
    if not enabled or not sys.stderr.isatty():
        return loader
    try:
        from tqdm import tqdm
    except ImportError:
        return loader
    return tqdm(loader, total=len(loader), desc=desc, leave=False, unit="batch")


def evaluate(model: nn.Module, x: np.ndarray, t: np.ndarray) -> tuple[float, float]:
    """Mean loss and accuracy on ``(x, t)``, in eval mode and without recording a graph."""
    model.eval()
    total_loss = total_correct = 0.0
    with no_grad():
        for start in range(0, len(x), EVAL_BATCH):
            xb, tb = x[start:start + EVAL_BATCH], t[start:start + EVAL_BATCH]
            logits = model(xb)
            total_loss += F.cross_entropy(logits, tb).item() * len(tb)
            total_correct += F.accuracy(logits, tb) * len(tb)
    return total_loss / len(x), total_correct / len(x)


def export_onnx(model: nn.Module, example: np.ndarray, path: str | os.PathLike) -> None:
    """Write `model` as ONNX to `path`: input ``input`` (N, ...) with a dynamic batch axis,
    output ``logits``."""
    try:
        from autograd_lite.onnx import export
    except ImportError as err:
        raise SystemExit(f"--export: {err}") from None
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    export(model, example, path, output_names=["logits"], dynamic_axes={"input": {0: "batch"}})
    print(f"wrote {path}")


# ----------------------------------------------------------------------------- plots
def plot_history(history: Sequence[dict[str, float]], path: str | os.PathLike,
                 title: str) -> None:
    """Write a PNG with the loss (left) and accuracy (right) per epoch, train and test."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    epochs = [h["epoch"] for h in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.5))
    for ax, key, label in ((ax_loss, "loss", "loss"), (ax_acc, "acc", "accuracy")):
        ax.plot(epochs, [h[f"train_{key}"] for h in history], "o-", label="train")
        ax.plot(epochs, [h[f"test_{key}"] for h in history], "s-", label="test")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    save_figure(fig, path)


def save_figure(fig: Any, path: str | os.PathLike, dpi: int = 100) -> None:
    """Write a matplotlib figure as PNG, atomically, creating the folder; then close it."""
    import matplotlib.pyplot as plt

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        with atomic_write(path) as f:
            fig.savefig(f, format="png", dpi=dpi)
    finally:
        plt.close(fig)


def finish(args: argparse.Namespace, history: list[dict], model: nn.Module,
           test: tuple[np.ndarray, np.ndarray], title: str, start: float) -> float:
    """The end of a run: total time, what was written, and the summary line (the final test
    accuracy, also returned)."""
    print(f"total training time {time.perf_counter() - start:.1f} s")
    if args.save and history:
        print(f"saved {args.save}")
    if args.plot and history:
        plot_history(history, args.plot, title)
        print(f"wrote {args.plot}")
    accuracy = history[-1]["test_acc"] if history else evaluate(model, *test)[1]
    print(f"test accuracy: {accuracy:.4f}", flush=True)
    return accuracy
