"""How many threads NumPy's BLAS may use: one by default.

On a machine whose cores are busy with other work, multi-threaded BLAS falls off a cliff: a
thread that lost its core stalls the others, which spin waiting for it. Measured here (2 cores,
one MNIST MLP epoch on 20,000 images, load average about 5): 3.9-4.8 s with one thread,
11-17 s with two. On a quiet machine two threads gain 10-25% at most, so the examples default to
one; pass --threads N to use more.
"""

from __future__ import annotations

import argparse


def add_threads_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=int, default=1, metavar="N",
                        help="threads for NumPy's BLAS (default 1: safe on a busy machine)")


def use_threads(n: int) -> None:
    """Limit NumPy's BLAS (OpenBLAS, MKL, ...) to `n` threads for the rest of the process."""
    if n < 1:
        raise SystemExit(f"--threads must be at least 1, got {n}")
    from threadpoolctl import threadpool_limits  # the examples extra installs it

    threadpool_limits(n)
