"""Classify MNIST digits with a small convolutional network.

    python3 examples/mnist_cnn.py                       # 99.2% test accuracy, ~6.5 min on 2 cores
    python3 examples/mnist_cnn.py --synthetic --limit 200 --epochs 1   # no data, no network
    python3 examples/mnist_cnn.py --epochs 2 --save --plot    # writes runs/mnist_cnn/
    python3 examples/mnist_cnn.py --resume --save       # continues an interrupted run exactly
    python3 examples/mnist_cnn.py --export              # also writes runs/mnist_cnn/model.onnx

Two blocks of 3x3 convolution, batch normalisation, ReLU and 2x2 max pooling, then two
linear layers with dropout; Adam with a cosine learning-rate schedule. The training loop is
below, top to bottom; the command line, data loading, checkpoints and plots are plumbing in
``_common.py`` and ``_checkpoint.py``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from _checkpoint import TrainingState, run_settings
from _common import (
    RUNS,
    evaluate,
    export_onnx,
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


def conv_block(in_ch: int, out_ch: int, rng: np.random.Generator) -> list[nn.Module]:
    """3x3 convolution (size kept) -> batch norm -> ReLU -> 2x2 max pool (size halved).

    The convolution has no bias: the batch norm that follows would cancel it.
    """
    return [nn.Conv2d(in_ch, out_ch, 3, padding=1, bias=False, rng=rng),
            nn.BatchNorm2d(out_ch), nn.ReLU(), nn.MaxPool2d(2)]


def build_cnn(init_rng: np.random.Generator, dropout_rng: np.random.Generator,
              channels: tuple[int, int] = (16, 32), hidden: int = 128) -> nn.Module:
    """(N, 1, 28, 28) -> two conv blocks -> (N, c2, 7, 7) -> dropout 0.25 -> linear `hidden`
    -> ReLU -> dropout 0.5 -> linear -> (N, 10) logits."""
    c1, c2 = channels
    return nn.Sequential(
        *conv_block(1, c1, init_rng),
        *conv_block(c1, c2, init_rng),
        nn.Flatten(),
        nn.Dropout(0.25, rng=dropout_rng),
        nn.Linear(c2 * 7 * 7, hidden, rng=init_rng),
        nn.ReLU(),
        nn.Dropout(0.5, rng=dropout_rng),
        nn.Linear(hidden, 10, rng=init_rng),
    )


def main(argv: Sequence[str] | None = None) -> float:
    """Train as the command line `argv` says; returns the final test accuracy."""
    parser = make_parser("mnist_cnn", __doc__.splitlines()[0], epochs=8, batch_size=128,
                         lr=3e-3)
    parser.add_argument("--channels", type=int, nargs=2, default=[16, 32], metavar=("C1", "C2"),
                        help="channels of the two convolution blocks (default 16 32)")
    parser.add_argument("--hidden", type=int, default=128,
                        help="units of the hidden linear layer (default 128)")
    onnx_path = RUNS / "mnist_cnn" / "model.onnx"
    parser.add_argument("--export", metavar="PATH", nargs="?", const=str(onnx_path),
                        help="after training, write the model as ONNX for onnxruntime or the "
                             "web page in examples/web (needs pip install -e '.[onnx]'; "
                             f"default: off; --export alone: {onnx_path})")
    args = parse_args(parser, argv)
    rngs = make_rngs(args.seed)  # init, shuffle, dropout: each its own stream

    x_train, t_train, x_test, t_test = load_data(args, image_shape=(1, 28, 28))
    loader = DataLoader(TensorDataset(x_train, t_train), batch_size=args.batch_size,
                        shuffle=True, seed=rngs["shuffle"])
    model = build_cnn(rngs["init"], rngs["dropout"], tuple(args.channels), args.hidden)
    optimizer = make_optimizer(args, model.parameters())
    # Annealed per batch, so that a short run still ends at a small learning rate.
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * len(loader))

    # What --save writes after every epoch and --resume restores (see _checkpoint.py).
    settings = run_settings("mnist_cnn", args, t_train, t_test)
    state = TrainingState(model, optimizer, scheduler, rngs, settings, len(loader))
    history = state.resume(args.resume) if args.resume else []
    print(f"MNIST CNN: {sum(p.size for p in model.parameters()):,} parameters, "
          f"{len(x_train):,} training and {len(x_test):,} test samples, {args.optimizer} "
          f"lr {args.lr}, batch {args.batch_size}"
          + (f"; resumed after epoch {len(history)}" if args.resume else ""))

    start = time.perf_counter()
    for epoch in range(len(history) + 1, args.epochs + 1):
        model.train()                                # dropout on, batch norm learns
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

    if args.export:                                  # the trained model, as ONNX
        export_onnx(model, x_test[:1], args.export)
    return finish(args, history, model, (x_test, t_test), "MNIST CNN", start)


if __name__ == "__main__":
    main()
