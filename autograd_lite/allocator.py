"""`keep_freed_memory`: let the C allocator reuse freed arrays instead of handing them back.

A training step allocates and frees the same large arrays every time (activations, their
gradients, im2col columns). glibc's malloc serves each array of more than 128 KiB to 32 MiB
with fresh pages from the kernel once it has returned the previous ones, and every first touch
of a 4 KiB page is a page fault: on the benchmark CNN (batch 100) that was 9 of a 20 ms step.
Raising two of its thresholds keeps freed memory in the process for the next step. The process
then holds on to its peak memory (up to `limit` above the live data) instead of shrinking
between steps. PyTorch's CPU tuning guide gives the same advice in the form of jemalloc or
tcmalloc; the environment variables ``MALLOC_MMAP_THRESHOLD_`` and ``MALLOC_TRIM_THRESHOLD_``
do what this does, for a process not yet started.
"""

from __future__ import annotations

import ctypes
import ctypes.util

__all__ = ["keep_freed_memory"]

# mallopt's parameters, from glibc's malloc.h
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# glibc's ceiling for the mmap threshold on 64-bit systems: larger arrays still get fresh pages
_MMAP_MAX = 32 << 20


def keep_freed_memory(limit: int = 1 << 30) -> bool:
    """Make glibc's malloc keep up to `limit` bytes of freed memory for reuse, and serve arrays
    of up to 32 MiB from that memory rather than from fresh pages, for the rest of the process.

    Returns True when the allocator took both settings, False where there is nothing to tune
    (not glibc: macOS, Windows, musl). Affects every library in the process, PyTorch included.
    """
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < _MMAP_MAX:
        raise ValueError(f"keep_freed_memory: limit must be an int of at least {_MMAP_MAX} "
                         f"bytes (32 MiB), got {limit!r}")
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
    except (OSError, TypeError):
        return False  # no C library to load
    if not hasattr(libc, "gnu_get_libc_version"):
        return False  # not glibc: another C library's mallopt may be a stub
    mallopt = libc.mallopt
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    limit = min(limit, 2**31 - 1)
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_MAX)) and bool(mallopt(_M_TRIM_THRESHOLD, limit))
