"""The examples' process settings: NumPy's BLAS threads (one by default), and a C allocator
that reuses freed arrays.

Threads. On a machine whose cores are busy with other work, multi-threaded BLAS falls off a
cliff: a thread that lost its core stalls the others, which spin waiting for it. Measured here
(2 cores, one MNIST MLP epoch on 20,000 images, load average about 5): 3.9-4.8 s with one
thread, 11-17 s with two. On a quiet machine two threads gain 10-25% at most, so the examples
default to one; pass --threads N to use more.

Memory. Every training step frees and allocates the same large arrays again; by default glibc
hands the freed ones back to the kernel and page-faults fresh ones in (see
`autograd_lite.keep_freed_memory`, which stops that: the benchmark CNN's step went from 20.5
to 11.5 ms here).
"""

from __future__ import annotations

import argparse

from autograd_lite import keep_freed_memory


def add_threads_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=int, default=1, metavar="N",
                        help="threads for NumPy's BLAS (default 1: safe on a busy machine)")


def setup_process(threads: int) -> None:
    """Limit NumPy's BLAS (OpenBLAS, MKL, ...) to `threads` threads and keep freed memory for
    reuse, for the rest of the process."""
    if threads < 1:
        raise SystemExit(f"--threads must be at least 1, got {threads}")
    from threadpoolctl import threadpool_limits  # the examples extra installs it

    threadpool_limits(threads)
    keep_freed_memory()
