"""A DCGAN: two networks, one drawing digits from noise, one judging them, trained against
each other.

    python3 examples/mnist_gan.py                  # 15 epochs, ~25 min on one core, then a score
    python3 examples/mnist_gan.py --synthetic --limit 256 --epochs 1   # no data, no network

The generator G maps a 100-d noise vector through a transposed convolution to 7x7, then two
stride-2 transposed convolutions (each doubling the size) to a 28x28 image in [-1, 1] (tanh),
with batch normalisation and ReLU between (128, then 64 channels). The discriminator D is the
mirror image at half the width (32, then 64 channels; with G as narrow as D its digits were
less recognisable): stride-2 convolutions with LeakyReLU down to one logit, "real or
generated?", and dropout (0.1) after each LeakyReLU: a D that cannot lean on a few memorised
features has to judge whole digits, which keeps G drawing all ten of them (without it the 0s
came out as up to 18% of the samples and the 4s as few as 4%). Each has its own Adam (2e-4,
beta1 0.5, as in the DCGAN paper).
Every step:

1. D learns: real digits should score "real" (target 0.9, not 1: one-sided label smoothing
   keeps D from growing over-confident, whose saturated gradients would starve G), G's digits
   "generated" (target 0). G's digits go in *detached*, so this step cannot reach G.
2. G learns: its digits, through D, should score "real". This backward also fills D's
   gradients, which D's next ``zero_grad`` clears; only G's optimizer steps here.

Afterwards 10,000 generated digits are scored by the CNN of mnist_cnn.py (its checkpoint
runs/mnist_cnn/checkpoint.npz, or ``--classifier PATH``; without one a classifier is trained
for one epoch first): its mean confidence, how evenly the ten classes come out, and a Frechet
distance between its features of generated and real digits. Writes under runs/mnist_gan/:
samples_epoch<N>.png after every epoch, losses.png, generator.npz and discriminator.npz.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from _common import RUNS, load_data, make_rngs, progress, save_figure
from _digit_score import load_classifier, score, train_classifier
from _images import save_grid
from _process import add_threads_option, setup_process

import autograd_lite.functions as F
from autograd_lite import Variable, nn, no_grad, optim
from autograd_lite.data import DataLoader, TensorDataset

OUT = RUNS / "mnist_gan"
CLASSIFIER = RUNS / "mnist_cnn" / "checkpoint.npz"
NOISE = 100
REAL_TARGET = 0.9  # one-sided label smoothing (see the module's docstring)
DROPOUT = 0.1  # in the discriminator (see the module's docstring)
WIDTH = 32  # D's channels: w, then 2w
G_WIDTH = 64  # G's channels: 2w, then w (twice D's: see the module's docstring)


def generator(width: int, rng: np.random.Generator) -> nn.Module:
    """z (N, 100, 1, 1) -> (N, 2w, 7, 7) -> (N, w, 14, 14) -> (N, 1, 28, 28) in [-1, 1]."""
    return nn.Sequential(
        nn.ConvTranspose2d(NOISE, 2 * width, 7, bias=False, rng=rng),
        nn.BatchNorm2d(2 * width), nn.ReLU(),
        nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1, bias=False, rng=rng),
        nn.BatchNorm2d(width), nn.ReLU(),
        nn.ConvTranspose2d(width, 1, 4, stride=2, padding=1, rng=rng),
        nn.Tanh(),
    )


def discriminator(width: int, rng: np.random.Generator, dropout: float = DROPOUT
                  ) -> nn.Module:
    """x (N, 1, 28, 28) -> (N, w, 14, 14) -> (N, 2w, 7, 7) -> one logit per image (N,), with
    dropout after each activation (its masks drawn from `rng` too)."""
    return nn.Sequential(
        nn.Conv2d(1, width, 4, stride=2, padding=1, rng=rng), nn.LeakyReLU(0.2),
        nn.Dropout(dropout, rng=rng),
        nn.Conv2d(width, 2 * width, 4, stride=2, padding=1, bias=False, rng=rng),
        nn.BatchNorm2d(2 * width), nn.LeakyReLU(0.2), nn.Dropout(dropout, rng=rng),
        nn.Conv2d(2 * width, 1, 7, rng=rng), nn.Flatten(0),
    )


def dcgan_init(model: nn.Module, rng: np.random.Generator) -> None:
    """The DCGAN paper's initialisation: weights of convolutions N(0, 0.02), batch-norm
    scales N(1, 0.02) and shifts 0."""
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
            module.weight.data = rng.normal(0, 0.02, module.weight.shape).astype(np.float32)
        elif isinstance(module, nn.BatchNorm2d):
            module.weight.data = rng.normal(1, 0.02, module.weight.shape).astype(np.float32)
            module.bias.data = np.zeros(module.bias.shape, np.float32)


def noise(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.standard_normal((n, NOISE, 1, 1)).astype(np.float32)


def bce(logits: Variable, target: float) -> Variable:
    """Binary cross-entropy of D's logits against one target for the whole batch."""
    return F.binary_cross_entropy_with_logits(logits, np.full(logits.shape, target, np.float32))


def discriminator_step(D: nn.Module, opt_d: optim.Optimizer, real: np.ndarray,
                       fake: Variable) -> float:
    """D learns: real digits -> REAL_TARGET, generated ones -> 0. `fake` goes in detached,
    so no gradient of this loss can reach the generator."""
    loss = bce(D(real), REAL_TARGET) + bce(D(fake.detach()), 0.0)
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.item()


def generator_step(D: nn.Module, opt_g: optim.Optimizer, fake: Variable) -> float:
    """G learns: D should call its digits real. The backward passes through D and fills D's
    gradients too, but only G's optimizer steps (D's next zero_grad clears them)."""
    loss = bce(D(fake), 1.0)
    opt_g.zero_grad()
    loss.backward()
    opt_g.step()
    return loss.item()


def generate(G: nn.Module, z: np.ndarray, batch: int = 500) -> np.ndarray:
    """Digits (N, 1, 28, 28) in [0, 1] from noise `z`, in eval mode, without a graph."""
    G.eval()
    with no_grad():
        out = np.concatenate([G(z[i:i + batch]).data for i in range(0, len(z), batch)])
    G.train()
    return (out + 1) / 2


def plot_losses(d_losses: list[float], g_losses: list[float], steps_per_epoch: int,
                path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.5))
    window = max(1, steps_per_epoch // 10)
    for losses, label in ((d_losses, "discriminator"), (g_losses, "generator")):
        smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
        ax.plot(np.arange(len(smooth)) / steps_per_epoch, smooth, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"loss (mean of {window} steps)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    save_figure(fig, path)


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    """Train as the command line `argv` says; returns the score of the generated digits."""
    parser = argparse.ArgumentParser(prog="mnist_gan.py", description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15, help="epochs (default 15)")
    parser.add_argument("--batch-size", type=int, default=64, help="batch size (default 64)")
    parser.add_argument("--lr", type=float, default=2e-4, help="both Adams' rate (default 2e-4)")
    parser.add_argument("--width", type=int, default=WIDTH, metavar="W",
                        help=f"D's channels are w and 2w (default {WIDTH})")
    parser.add_argument("--g-width", type=int, default=G_WIDTH, metavar="W",
                        help=f"G's channels are 2w and w (default {G_WIDTH})")
    parser.add_argument("--dropout", type=float, default=DROPOUT,
                        help=f"D's dropout probability (default {DROPOUT})")
    parser.add_argument("--seed", type=int, default=0, help="seed of every draw (default 0)")
    add_threads_option(parser)
    parser.add_argument("--data-dir", default=None, metavar="FOLDER",
                        help="the MNIST files' folder (default $AUTOGRAD_LITE_DATA/mnist)")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="quick run on the first N training and N test digits")
    parser.add_argument("--synthetic", action="store_true",
                        help="random class templates instead of MNIST (no files needed)")
    parser.add_argument("--classifier", default=None, metavar="PATH",
                        help=f"the CNN that scores the digits (default {CLASSIFIER} when "
                             "present, else one trained for one epoch here)")
    parser.add_argument("--samples", type=int, default=10_000,
                        help="digits generated for the score (default 10000)")
    parser.add_argument("--out", default=str(OUT),
                        help=f"folder of the models and pictures (default {OUT})")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    setup_process(args.threads)
    for flag in ("epochs", "batch_size", "width", "g_width", "samples"):
        if getattr(args, flag) < 1:
            parser.error(f"--{flag.replace('_', '-')} must be positive")
    if not 0 <= args.dropout < 1:
        parser.error(f"--dropout must be in [0, 1), got {args.dropout}")
    # "init" draws the weights and D's dropout masks, "dropout" the noise G gets
    rngs = make_rngs(args.seed)
    folder = Path(args.out)

    # pixels in [0, 1]; the labels serve the stand-in classifier only: the GAN never sees them
    x_train, t_train, x_test, _ = load_data(args, (1, 28, 28), standardize=False)
    classifier_path = args.classifier or (CLASSIFIER if CLASSIFIER.exists() else None)
    # read now, so that a wrong --classifier fails before the run, not after it
    classifier = load_classifier(classifier_path) if classifier_path else None
    loader = DataLoader(TensorDataset(x_train * 2 - 1), batch_size=args.batch_size,
                        shuffle=True, drop_last=True, seed=rngs["shuffle"])
    G = generator(args.g_width, rngs["init"])
    D = discriminator(args.width, rngs["init"], args.dropout)
    dcgan_init(G, rngs["init"])
    dcgan_init(D, rngs["init"])
    opt_g = optim.Adam(G.parameters(), lr=args.lr, betas=(0.5, 0.999))
    opt_d = optim.Adam(D.parameters(), lr=args.lr, betas=(0.5, 0.999))
    fixed_z = noise(rngs["dropout"], 64)  # the same 64 digits drawn after every epoch
    print(f"MNIST DCGAN: generator {sum(p.size for p in G.parameters()):,} and discriminator "
          f"{sum(p.size for p in D.parameters()):,} parameters, {len(x_train):,} digits, "
          f"Adam lr {args.lr} beta1 0.5, batch {args.batch_size}, D's dropout {args.dropout}")

    d_losses: list[float] = []
    g_losses: list[float] = []
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        tic = time.perf_counter()
        for (real,) in progress(loader, f"epoch {epoch}/{args.epochs}", not args.no_progress):
            fake = G(noise(rngs["dropout"], len(real)))          # generate, once per step
            d_losses.append(discriminator_step(D, opt_d, real, fake))   # 1. D's step
            g_losses.append(generator_step(D, opt_g, fake))             # 2. G's step
        seconds = time.perf_counter() - tic
        steps = max(len(loader), 1)
        save_grid(generate(G, fixed_z)[:, 0], 8, 8, folder / f"samples_epoch{epoch}.png")
        print(f"epoch {epoch}/{args.epochs}  D loss {np.mean(d_losses[-steps:]):.3f}  "
              f"G loss {np.mean(g_losses[-steps:]):.3f}  time {seconds:.1f} s "
              f"({1000 * seconds / steps:.1f} ms/step)", flush=True)
    wall = time.perf_counter() - start
    print(f"total training time {wall:.1f} s")
    G.save(folder / "generator.npz")
    D.save(folder / "discriminator.npz")
    if d_losses:
        plot_losses(d_losses, g_losses, max(len(loader), 1), folder / "losses.png")
    print(f"wrote {folder}/samples_epoch*.png, losses.png, generator.npz, discriminator.npz")

    if classifier is not None:
        print(f"scoring with the classifier in {classifier_path}")
    else:
        print(f"no classifier at {CLASSIFIER} (train one with mnist_cnn.py --save, or pass "
              "--classifier PATH): training a quick one")
        classifier = train_classifier(x_train, t_train, args.seed)
    result = score(classifier, generate(G, noise(rngs["dropout"], args.samples)), x_test)
    result["seconds"] = wall
    shares = " ".join(f"{s:.1%}" for s in result["shares"])
    print(f"class shares 0-9: {shares}")
    print(f"classifier confidence {result['confidence']:.3f}, classes "
          f"{result['min_share']:.1%}-{result['max_share']:.1%}, FID {result['fid']:.1f}, "
          f"training {wall:.0f} s", flush=True)
    return result


if __name__ == "__main__":
    main()
