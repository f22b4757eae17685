"""Checks of what users hand to optimizers: hyper-parameters, and state loaded from a file.

Every error names its owner (``"Adam"``, ``"Adam.load_state_dict: state 'exp_avg' of
parameter 1"``), the value and what was expected.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def check_number(
    owner: str,
    name: str,
    value: Any,
    low: float = 0.0,
    high: float | None = None,
    high_inclusive: bool = True,
) -> None:
    """Raise ValueError unless ``low <= value <= high`` (or ``< high``).

    The message names the owner, the hyper-parameter and the value.
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and value >= low
    if ok and high is not None:
        ok = value <= high if high_inclusive else value < high
    if not ok:
        if high is None:
            expected = f">= {low}"
        else:
            expected = f"in [{low}, {high}{']' if high_inclusive else ')'}"
        raise ValueError(f"{owner}: invalid {name}: {value!r} (expected a number {expected})")


def check_betas(owner: str, betas: Any) -> None:
    """Raise ValueError unless `betas` is a pair of numbers in [0, 1)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{owner}: invalid betas: {betas!r} (expected a pair (beta1, beta2))")
    for i, beta in enumerate(betas):
        check_number(owner, f"betas[{i}]", beta, 0.0, 1.0, high_inclusive=False)


def restore_count(value: Any, where: str) -> int:
    """A saved step count as an int; it must be a whole number >= 0.

    NumPy integers and integral floats are accepted (PyTorch keeps ``step`` as a float
    tensor, so a converted PyTorch checkpoint holds ``array(7.0)``).
    """
    number = value
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        number = value.item()
    ok = (isinstance(number, numbers.Real) and not isinstance(number, (bool, np.bool_))
          and np.isfinite(number) and number >= 0 and number == int(number))
    if not ok:
        raise ValueError(f"{where}: expected an integer >= 0, got {value!r}")
    return int(number)


def restore_array(value: Any, like: np.ndarray, where: str) -> np.ndarray:
    """A copy of a saved state array in the dtype of `like` (the parameter's array).

    It must be a floating-point ndarray of the parameter's shape whose values survive the
    cast (a float64 value too large for float32 is refused, not turned into inf).
    """
    if not isinstance(value, np.ndarray):
        raise ValueError(f"{where}: expected an ndarray, got {type(value).__name__}")
    if value.dtype.kind != "f":
        raise ValueError(
            f"{where}: dtype {value.dtype} is not a floating-point dtype (expected float, "
            f"kept as the parameter's {like.dtype})"
        )
    if value.shape != like.shape:
        raise ValueError(
            f"{where}: shape {value.shape} does not match the parameter's shape {like.shape}"
        )
    with np.errstate(over="ignore"):  # overflow is reported below, with the entry's name
        cast = value.astype(like.dtype)  # always a copy: later steps never write into it
    if np.any(np.isfinite(value) & ~np.isfinite(cast)):
        raise ValueError(f"{where}: values overflow the parameter's dtype {like.dtype}")
    return cast
