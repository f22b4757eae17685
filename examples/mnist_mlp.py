"""Classify MNIST digits with a multi-layer perceptron.

    python3 examples/mnist_mlp.py                       # 98.7% test accuracy, ~40 s on 2 cores
    python3 examples/mnist_mlp.py --synthetic --limit 200 --epochs 1   # no data, no network
    python3 examples/mnist_mlp.py --epochs 3 --save --plot    # writes runs/mnist_mlp/
    python3 examples/mnist_mlp.py --resume --save       # continues an interrupted run exactly

Two hidden layers of 512 ReLU units with dropout, Adam and a cosine learning-rate schedule.
The training loop is below, top to bottom; the command line, data loading, checkpoints and
plots are plumbing in ``_common.py`` and ``_checkpoint.py``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from _checkpoint import TrainingState, run_settings
from _common import (
    evaluate,
    finish,
    load_data,
    make_optimizer,
    make_parser,
    make_rngs,
    parse_args,
    progress,
)

import autograd_lite.functions as F
from autograd_lite import nn, optim
from autograd_lite.data import DataLoader, TensorDataset


def build_mlp(init_rng: np.random.Generator, dropout_rng: np.random.Generator,
              hidden: int = 512, p_drop: float = 0.2) -> nn.Module:
    """784 -> hidden -> hidden -> 10, ReLU and dropout after each hidden layer."""
    return nn.Sequential(
        nn.Linear(28 * 28, hidden, rng=init_rng), nn.ReLU(), nn.Dropout(p_drop, rng=dropout_rng),
        nn.Linear(hidden, hidden, rng=init_rng), nn.ReLU(), nn.Dropout(p_drop, rng=dropout_rng),
        nn.Linear(hidden, 10, rng=init_rng),
    )


def main(argv: Sequence[str] | None = None) -> float:
    """Train as the command line `argv` says; returns the final test accuracy."""
    parser = make_parser("mnist_mlp", __doc__.splitlines()[0], epochs=10, batch_size=128,
                         lr=1e-3)
    args = parse_args(parser, argv)
    rngs = make_rngs(args.seed)  # init, shuffle, dropout: each its own stream

    x_train, t_train, x_test, t_test = load_data(args, image_shape=(28 * 28,))
    loader = DataLoader(TensorDataset(x_train, t_train), batch_size=args.batch_size,
                        shuffle=True, seed=rngs["shuffle"])
    model = build_mlp(rngs["init"], rngs["dropout"])
    optimizer = make_optimizer(args, model.parameters())
    # Annealed per batch, so that a short run still ends at a small learning rate.
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * len(loader))

    # What --save writes after every epoch and --resume restores (see _checkpoint.py).
    settings = run_settings("mnist_mlp", args, t_train, t_test)
    state = TrainingState(model, optimizer, scheduler, rngs, settings, len(loader))
    history = state.resume(args.resume) if args.resume else []
    print(f"MNIST MLP: {sum(p.size for p in model.parameters()):,} parameters, "
          f"{len(x_train):,} training and {len(x_test):,} test samples, {args.optimizer} "
          f"lr {args.lr}, batch {args.batch_size}"
          + (f"; resumed after epoch {len(history)}" if args.resume else ""))

    start = time.perf_counter()
    for epoch in range(len(history) + 1, args.epochs + 1):
        model.train()
        lr = optimizer.param_groups[0]["lr"]
        total_loss = total_correct = seen = 0.0
        tic = time.perf_counter()
        for x, t in progress(loader, f"epoch {epoch}/{args.epochs}", not args.no_progress):
            logits = model(x)                        # forward
            loss = F.cross_entropy(logits, t)        # loss
            optimizer.zero_grad()
            loss.backward()                          # backward
            optimizer.step()                         # update the weights
            scheduler.step()                         # and the learning rate
            total_loss += loss.item() * len(t)
            total_correct += F.accuracy(logits, t) * len(t)
            seen += len(t)
        seconds = time.perf_counter() - tic
        test_loss, test_acc = evaluate(model, x_test, t_test)
        history.append(dict(epoch=epoch, train_loss=total_loss / seen,
                            train_acc=total_correct / seen, test_loss=test_loss,
                            test_acc=test_acc, seconds=seconds))
        print(f"epoch {epoch}/{args.epochs}  lr {lr:.2e}  train loss {total_loss / seen:.4f} "
              f"acc {total_correct / seen:.4f}  test loss {test_loss:.4f} acc {test_acc:.4f}  "
              f"time {seconds:.1f} s", flush=True)
        if args.save:  # after every epoch, so that an interrupted run can be resumed
            state.save(args.save, history)

    return finish(args, history, model, (x_test, t_test), "MNIST MLP", start)


if __name__ == "__main__":
    main()
