"""What the MNIST examples share: arguments, data, the training loop, checkpoints and plots.

``mnist_mlp.py`` and ``mnist_cnn.py`` only build their model and call :func:`main`; everything
else (the optimizer and its schedule, epochs with a progress bar, evaluation, ``--save`` /
``--resume`` / ``--plot``, the summary line) lives here, once.

A run is deterministic for a given ``--seed``: the model's initial weights, the order of the
training samples and the dropout masks each come from their own ``numpy.random.Generator``
seeded from it. A checkpoint stores the state of those generators too, so training 2 epochs,
saving, and resuming for 2 more gives the same model as training 4 epochs in one go.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import autograd_lite.functions as F
from autograd_lite import nn, no_grad, optim
from autograd_lite.data import DataLoader, TensorDataset, load_mnist

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # of the 60,000 training pixels scaled to [0, 1]
EVAL_BATCH = 1000


# ----------------------------------------------------------------------------- arguments
def make_parser(description: str, *, epochs: int, batch_size: int, lr: float,
                optimizer: str = "adam") -> argparse.ArgumentParser:
    """The command line both MNIST examples take; each passes its own defaults."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--epochs", type=int, default=epochs,
                        help=f"total epochs; with --resume, train up to this many (default "
                             f"{epochs})")
    parser.add_argument("--batch-size", type=int, default=batch_size,
                        help=f"training mini-batch size (default {batch_size})")
    parser.add_argument("--lr", type=float, default=lr,
                        help=f"peak learning rate, annealed along a cosine to 0 over the run "
                             f"(default {lr})")
    parser.add_argument("--optimizer", choices=("adam", "sgd"), default=optimizer,
                        help=f"Adam, or SGD with Nesterov momentum 0.9 (default {optimizer})")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random draw")
    parser.add_argument("--data-dir", default=None,
                        help="folder with the four MNIST files (default: $AUTOGRAD_LITE_DATA/"
                             "mnist, else ~/.cache/autograd_lite/mnist; downloaded if missing)")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="quick run on the first N training and N test samples")
    parser.add_argument("--synthetic", action="store_true",
                        help="use small random class templates instead of MNIST (no files "
                             "needed; for smoke tests)")
    parser.add_argument("--save", metavar="PATH", default=None,
                        help="write the model (Module.save, .npz) to PATH and the optimizer "
                             "and training state next to it (PATH's stem + .train.npz)")
    parser.add_argument("--resume", metavar="PATH", default=None,
                        help="continue from a checkpoint written by --save")
    parser.add_argument("--plot", metavar="PATH", default=None,
                        help="write a PNG of the loss and accuracy curves per epoch")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


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


def load_data(args: argparse.Namespace, image_shape: tuple[int, ...]
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST (or the synthetic stand-in) as normalised float32 images of ``image_shape``.

    Returns ``x_train (N, *image_shape), t_train (N,), x_test, t_test``, cut to
    ``args.limit`` samples each when given.
    """
    if args.synthetic:
        n = args.limit or 1000
        (x_train, t_train), (x_test, t_test) = synthetic_mnist(n, n, args.seed)
    else:
        (x_train, t_train), (x_test, t_test) = load_mnist(args.data_dir)
    if args.limit is not None:
        x_train, t_train = x_train[:args.limit], t_train[:args.limit]
        x_test, t_test = x_test[:args.limit], t_test[:args.limit]

    def prepare(x: np.ndarray) -> np.ndarray:
        x = (x.astype(np.float32) / 255 - MNIST_MEAN) / MNIST_STD
        return x.reshape(len(x), *image_shape)

    return prepare(x_train), t_train, prepare(x_test), t_test


# ----------------------------------------------------------------------------- training
def make_optimizer(args: argparse.Namespace, params: Iterable[Any]) -> optim.Optimizer:
    if args.optimizer == "adam":
        return optim.Adam(params, lr=args.lr)
    return optim.SGD(params, lr=args.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)


def progress_bar(iterable: Any, total: int, desc: str, enabled: bool) -> Any:
    """A tqdm bar when tqdm is installed and wanted; the plain iterable otherwise."""
    if not enabled:
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, total=total, desc=desc, leave=False, unit="batch")


def train_one_epoch(model: nn.Module, loader: DataLoader, optimizer: optim.Optimizer,
                    scheduler: Any, desc: str, show_progress: bool) -> tuple[float, float]:
    """One pass over `loader`; the schedule steps after every batch.

    Returns the mean training loss and accuracy over the epoch (as they were during it).
    """
    model.train()
    total_loss = total_correct = seen = 0.0
    bar = progress_bar(loader, len(loader), desc, show_progress)
    for k, (x, t) in enumerate(bar):
        logits = model(x)
        loss = F.cross_entropy(logits, t)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()

        n = len(t)
        total_loss += loss.item() * n
        total_correct += F.accuracy(logits, t) * n
        seen += n
        if hasattr(bar, "set_postfix") and (k % 10 == 0 or k == len(loader) - 1):
            bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{total_correct / seen:.4f}")
    return total_loss / seen, total_correct / seen


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


# ----------------------------------------------------------------------------- checkpoints
def train_state_path(path: str | os.PathLike) -> Path:
    """Where ``--save PATH`` keeps the optimizer and training state: ``<stem>.train.npz``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.train.npz")


def _atomic_write(path: Path, write: Callable[[Any], None]) -> None:
    """Write through `write(file)` to a temporary file in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in a checkpoint")


def save_checkpoint(path: str | os.PathLike, model: nn.Module, optimizer: optim.Optimizer,
                    scheduler: Any, rngs: dict[str, np.random.Generator],
                    history: list[dict[str, float]]) -> None:
    """Write the model to `path` and everything else a resumed run needs beside it.

    The training-state file holds the optimizer's arrays (``state.<index>.<name>``) and one
    JSON text with the rest (hyper-parameters, step counts, schedule, generator states,
    history): plain arrays only, so loading it never unpickles.
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    packed = optimizer.state_dict()
    arrays, scalars = {}, {}
    for index, entries in packed["state"].items():
        for name, value in entries.items():
            if isinstance(value, np.ndarray):
                arrays[f"state.{index}.{name}"] = value
            else:
                scalars[f"{index}.{name}"] = value
    meta = {
        "param_groups": packed["param_groups"],
        "scalars": scalars,
        "scheduler": scheduler.state_dict(),
        "rngs": {name: rng.bit_generator.state for name, rng in rngs.items()},
        "history": history,
    }
    arrays["meta"] = np.array(json.dumps(meta, default=_json_default))
    _atomic_write(train_state_path(path), lambda f: np.savez(f, **arrays))


def load_checkpoint(path: str | os.PathLike, model: nn.Module, optimizer: optim.Optimizer,
                    scheduler: Any, rngs: dict[str, np.random.Generator]
                    ) -> list[dict[str, float]]:
    """Restore what :func:`save_checkpoint` wrote; returns the history of finished epochs."""
    model.load(path)
    state_path = train_state_path(path)
    if not state_path.is_file():
        raise FileNotFoundError(f"--resume {path}: no training state {state_path} next to the "
                                "model (it is written by --save)")
    with np.load(state_path, allow_pickle=False) as archive:
        meta = json.loads(str(archive["meta"]))
        state: dict[int, dict[str, Any]] = {}
        for key in archive.files:
            if key.startswith("state."):
                _, index, name = key.split(".", 2)
                state.setdefault(int(index), {})[name] = archive[key]
    for key, value in meta["scalars"].items():
        index, name = key.split(".", 1)
        state.setdefault(int(index), {})[name] = value
    optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
    scheduler.load_state_dict(meta["scheduler"])
    for name, rng in rngs.items():
        rng.bit_generator.state = meta["rngs"][name]
    return meta["history"]


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
    _atomic_write(Path(path), lambda f: fig.savefig(f, format="png", dpi=100))
    plt.close(fig)


# ----------------------------------------------------------------------------- the run
def main(name: str, build_model: Callable[[np.random.Generator, np.random.Generator], nn.Module],
         image_shape: tuple[int, ...], args: argparse.Namespace) -> float:
    """Train `build_model(init_rng, dropout_rng)` on MNIST as `args` say; return test accuracy.

    Prints one line per epoch (losses, accuracies, learning rate, wall time) and ends with
    the summary line ``test accuracy: 0.xxxx``.
    """
    seeds = np.random.SeedSequence(args.seed).spawn(3)
    init_rng, shuffle_rng, dropout_rng = (np.random.default_rng(s) for s in seeds)
    rngs = {"shuffle": shuffle_rng, "dropout": dropout_rng}

    x_train, t_train, x_test, t_test = load_data(args, image_shape)
    loader = DataLoader(TensorDataset(x_train, t_train), batch_size=args.batch_size,
                        shuffle=True, seed=shuffle_rng)
    model = build_model(init_rng, dropout_rng)
    optimizer = make_optimizer(args, model.parameters())
    # Annealed per batch, so that a short run still ends at a small learning rate.
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer,
                                                     T_max=max(1, args.epochs * len(loader)))
    history: list[dict[str, float]] = []
    if args.resume:
        history = load_checkpoint(args.resume, model, optimizer, scheduler, rngs)
        # --epochs may have grown since the save: the cosine then ends at the new last epoch.
        scheduler.T_max = max(1, args.epochs * len(loader))
        for group, lr in zip(optimizer.param_groups, scheduler.get_lr()):
            group["lr"] = lr
        print(f"resumed from {args.resume} after epoch {len(history)}")

    n_params = sum(p.size for p in model.parameters())
    print(f"{name}: {n_params:,} parameters, {len(x_train):,} training and {len(x_test):,} "
          f"test samples, {args.optimizer} lr {args.lr}, batch {args.batch_size}")
    start = time.perf_counter()
    for epoch in range(len(history) + 1, args.epochs + 1):
        lr = optimizer.param_groups[0]["lr"]
        tic = time.perf_counter()
        train_loss, train_acc = train_one_epoch(model, loader, optimizer, scheduler,
                                                f"epoch {epoch}/{args.epochs}",
                                                not args.no_progress)
        seconds = time.perf_counter() - tic
        test_loss, test_acc = evaluate(model, x_test, t_test)
        history.append(dict(epoch=epoch, train_loss=train_loss, train_acc=train_acc,
                            test_loss=test_loss, test_acc=test_acc, seconds=seconds))
        print(f"epoch {epoch}/{args.epochs}  lr {lr:.2e}  train loss {train_loss:.4f} "
              f"acc {train_acc:.4f}  test loss {test_loss:.4f} acc {test_acc:.4f}  "
              f"time {seconds:.1f} s", flush=True)
        if args.save:  # after every epoch, so an interrupted run can be resumed
            save_checkpoint(args.save, model, optimizer, scheduler, rngs, history)
    if history:
        print(f"total training time {time.perf_counter() - start:.1f} s")
    if args.save and history:
        print(f"saved {args.save} and {train_state_path(args.save)}")
    if args.plot and history:
        plot_history(history, args.plot, name)
        print(f"wrote {args.plot}")
    accuracy = history[-1]["test_acc"] if history else evaluate(model, x_test, t_test)[1]
    print(f"test accuracy: {accuracy:.4f}")
    sys.stdout.flush()
    return accuracy
