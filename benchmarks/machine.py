"""What the numbers were measured on: platform, CPUs, NumPy and its BLAS, PyTorch, threads."""

from __future__ import annotations

import ctypes
import datetime
import os
import platform
from typing import Any

import numpy as np

_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _openblas_library() -> tuple[ctypes.CDLL, str] | None:
    """The OpenBLAS that NumPy loaded, and its symbol prefix (Linux only: reads /proc/self/maps)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("openblas", "64_"), ("openblas", "")):
            if hasattr(lib, f"{prefix}_get_num_threads{suffix}"):
                return lib, f"{prefix}_%s_num_threads{suffix}"
    return None


def blas_threads() -> int | None:
    """How many threads NumPy's BLAS uses, or None when it cannot be asked."""
    found = _openblas_library()
    if found is None:
        return None
    lib, name = found
    return int(getattr(lib, name % "get")())


def set_blas_threads(n: int) -> bool:
    """Ask NumPy's BLAS to use ``n`` threads; False when it cannot be asked."""
    found = _openblas_library()
    if found is None:
        return False
    lib, name = found
    getattr(lib, name % "set")(ctypes.c_int(n))
    return True


def available_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def choose_threads(requested: int | None) -> int:
    """The thread count for every implementation: ``--threads``, else the environment, else
    what NumPy's BLAS already uses, else the available CPUs."""
    if requested is not None:
        return requested
    for var in _THREAD_ENV:
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return blas_threads() or available_cpus()


def _blas_info() -> dict[str, Any]:
    try:
        config = np.show_config(mode="dicts")  # numpy >= 1.26
        blas = config["Build Dependencies"]["blas"]
        return {"name": blas.get("name"), "version": blas.get("version"),
                "config": blas.get("openblas configuration")}
    except Exception:  # older numpy: only the text form exists
        return {"name": "unknown"}


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info(threads: int, torch_module: Any = None) -> dict[str, Any]:
    """A JSON-ready description of the machine and the libraries."""
    info: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_available": available_cpus(),
        "numpy": np.__version__,
        "blas": _blas_info(),
        "blas_threads": blas_threads(),
        "threads": threads,
        "thread_env": {var: os.environ[var] for var in _THREAD_ENV if var in os.environ},
        "torch": None,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    if torch_module is not None:
        info["torch"] = torch_module.__version__
        info["torch_threads"] = torch_module.get_num_threads()
    return info
