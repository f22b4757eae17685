"""Time per training step of examples/mnist_gan.py's DCGAN, ours against the same DCGAN in
PyTorch, alternating in one process (PyTorch is not a dependency: run it where torch is).

    python benchmarks/generative/gan_step.py --threads 1 --rounds 5 --steps 20 --keep-freed-memory

One step = generate a batch, D's step on real and detached generated digits, G's step through
D, each with its own Adam (2e-4, beta1 0.5): exactly the loop of the example, on random
"real" images (the data does not change the cost). Prints the median ms per step of each and
the ratio ours / PyTorch.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]  # holds benchmarks/ and examples/
for folder in (ROOT, ROOT / "examples"):  # run as a script, `benchmarks` is not importable
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from benchmarks.timing import alternate, seconds  # noqa: E402


def example():
    """examples/mnist_gan.py as a module."""
    import mnist_gan

    return mnist_gan


def ours(width: int, g_width: int, batch: int):
    from autograd_lite import optim

    gan = example()
    rng = np.random.default_rng(0)
    G, D = gan.generator(g_width, rng), gan.discriminator(width, rng)
    opt_g = optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = rng.uniform(-1, 1, (batch, 1, 28, 28)).astype(np.float32)

    def step():
        fake = G(gan.noise(rng, batch))
        gan.discriminator_step(D, opt_d, real, fake)
        gan.generator_step(D, opt_g, fake)
    return step, (sum(p.size for p in G.parameters()), sum(p.size for p in D.parameters()))


def theirs(width: int, g_width: int, batch: int):
    import torch
    from torch import nn

    gan = example()
    torch.manual_seed(0)
    w = g_width
    G = nn.Sequential(
        nn.ConvTranspose2d(100, 2 * w, 7, bias=False), nn.BatchNorm2d(2 * w), nn.ReLU(),
        nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False), nn.BatchNorm2d(w),
        nn.ReLU(), nn.ConvTranspose2d(w, 1, 4, 2, 1), nn.Tanh())
    D = nn.Sequential(
        nn.Conv2d(1, width, 4, 2, 1), nn.LeakyReLU(0.2), nn.Dropout(gan.DROPOUT),
        nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * width),
        nn.LeakyReLU(0.2), nn.Dropout(gan.DROPOUT), nn.Conv2d(2 * width, 1, 7), nn.Flatten(0))
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.functional.binary_cross_entropy_with_logits
    real = torch.rand(batch, 1, 28, 28) * 2 - 1

    def step():
        fake = G(torch.randn(batch, 100, 1, 1))
        d_real, d_fake = D(real), D(fake.detach())
        loss_d = bce(d_real, torch.full_like(d_real, 0.9)) + bce(d_fake, torch.zeros_like(d_fake))
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        d_fake = D(fake)
        loss_g = bce(d_fake, torch.ones_like(d_fake))
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    return step, (sum(p.numel() for p in G.parameters()), sum(p.numel() for p in D.parameters()))


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Times both as the command line `argv` says; returns the medians (ms per step)."""
    gan = example()
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--width", type=int, default=gan.WIDTH, help="D's width")
    parser.add_argument("--g-width", type=int, default=gan.G_WIDTH, help="G's width")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--keep-freed-memory", action="store_true",
                        help="call autograd_lite.keep_freed_memory() first, as the example does "
                             "(for PyTorch too: it is one process)")
    args = parser.parse_args(argv)
    if args.keep_freed_memory:
        from autograd_lite import keep_freed_memory

        keep_freed_memory()
    import torch
    from threadpoolctl import threadpool_limits

    made = {"ours": ours(args.width, args.g_width, args.batch),
            "pytorch": theirs(args.width, args.g_width, args.batch)}
    sizes = {name: size for name, (_, size) in made.items()}
    if sizes["ours"] != sizes["pytorch"]:
        raise AssertionError(f"the two DCGANs differ: (G, D) parameters {sizes}")
    steps = {name: step for name, (step, _) in made.items()}
    torch_threads = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    # ms per step, `steps` steps a sample, in turn (so both see the same load)
    samplers = {name: (lambda fn=fn: 1000 * seconds(fn, args.steps)) for name, fn in steps.items()}
    try:
        with threadpool_limits(args.threads):
            times = alternate(samplers, args.rounds)
    finally:
        torch.set_num_threads(torch_threads)
    med = {name: float(np.median(t)) for name, t in times.items()}
    for name, t in times.items():
        print(f"{name:8s} {med[name]:7.1f} ms/step  (rounds: {', '.join(f'{v:.1f}' for v in t)})")
    print(f"DCGAN widths G {args.g_width} D {args.width} ({sizes['ours'][0]:,} and "
          f"{sizes['ours'][1]:,} parameters), batch {args.batch}, {args.threads} thread(s): "
          f"ours / PyTorch = {med['ours'] / med['pytorch']:.2f}")
    return med


if __name__ == "__main__":
    main()
