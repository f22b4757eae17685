"""What every workload is told: how many samples, how small, and which references to run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Options:
    """Settings of one benchmark run.

    Attributes
    ----------
    repeat : int
        Samples per implementation (each sample is timed after the others', in turn).
    quick : bool
        Tiny sizes and few steps: checks that everything runs, measures nothing useful.
    threads : int
        Threads for NumPy's BLAS and PyTorch.
    torch : module or None
        PyTorch, or None to leave its column out.
    settle : float
        Seconds of pause before every sample, so that the thread pools of the implementation
        timed before (OpenBLAS, PyTorch's OpenMP) stop spinning first.
    """

    repeat: int = 10
    quick: bool = False
    threads: int = 1
    torch: Any = None
    settle: float = 0.25
