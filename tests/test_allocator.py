"""keep_freed_memory: after it, a step that frees and reallocates large arrays of mixed sizes
takes no fresh pages from the kernel (counted as minor page faults, in a child process)."""

from __future__ import annotations

import ctypes
import platform
import subprocess
import sys

import pytest

import autograd_lite
from autograd_lite import allocator

STEPS = """
import resource, sys
import numpy as np
import autograd_lite
if sys.argv[1] == "keep":
    assert autograd_lite.keep_freed_memory() is True
rng = np.random.default_rng(0)
sizes = [int(s) for s in rng.integers(1 << 18, 3 << 20, 12)]  # 1 to 12 MiB of float32
def step():
    live = [np.ones(s, np.float32) for s in sizes[:6]]
    for s in sizes[6:]:
        live.pop(0)
        live.append(np.ones(s, np.float32))
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10)
"""


def faults_per_step(mode: str) -> float:
    out = subprocess.run([sys.executable, "-c", STEPS, mode], capture_output=True, text=True,
                         check=True).stdout
    return float(out)


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="tunes glibc's malloc only")
def test_freed_arrays_are_reused_instead_of_faulted_in_again():
    plain, kept = faults_per_step("plain"), faults_per_step("keep")
    assert plain > 500, f"the pattern no longer makes glibc return memory ({plain} faults)"
    assert kept < 50, f"{kept} page faults per step after keep_freed_memory (plain: {plain})"


def test_without_glibc_it_does_nothing_and_says_so(monkeypatch):
    def no_library(name):
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(ctypes, "CDLL", no_library)
    assert autograd_lite.keep_freed_memory() is False


def test_another_c_library_is_left_alone(monkeypatch):
    class Musl:  # a C library with a mallopt but not glibc's
        def mallopt(self, *args):
            raise AssertionError("mallopt called on a C library that is not glibc")

    monkeypatch.setattr(ctypes, "CDLL", lambda name: Musl())
    assert autograd_lite.keep_freed_memory() is False


@pytest.mark.parametrize("limit", [0, -1, 1 << 20, 2.0**31, True, "1G"])
def test_a_limit_below_32_mib_or_not_an_int_is_refused(limit):
    with pytest.raises(ValueError, match=r"keep_freed_memory: limit must be an int of at least "
                                         r"33554432 bytes"):
        allocator.keep_freed_memory(limit)
