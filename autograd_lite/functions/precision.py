"""The dtypes functions compute in: float results for integer inputs, float32 sums for float16.

float16 holds 11 significant bits and nothing above 65504, so a sum of 70,000 ones, or of a
few values near 1e4, overflows or drifts. Functions that add many numbers (reductions,
softmax, losses, norms, scans) widen float16 to float32 for the work and return float16, as
PyTorch does; the gradients stay float16 (the engine casts them back to the input's dtype).
"""

from __future__ import annotations

import numpy as np

HALF = np.dtype(np.float16)
SINGLE = np.dtype(np.float32)


def float_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype NumPy gives a float function (``np.sin``) of `dtype`: floats keep theirs;
    bool and small integers give float16, int16 float32, wider integers float64."""
    return dtype if dtype.kind == "f" else np.result_type(dtype, HALF)


def mean_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype NumPy gives a mean or variance of `dtype`: floats keep theirs, others float64."""
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


def work_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype to compute a float function in: `float_dtype`, float16 widened to float32."""
    out = float_dtype(dtype)
    return SINGLE if out == HALF else out


def widen(x: np.ndarray) -> np.ndarray:
    """`x` in its `work_dtype` (the array itself when that is already its dtype)."""
    dtype = work_dtype(x.dtype)
    return x if x.dtype == dtype else x.astype(dtype)


def accumulator(dtype: np.dtype) -> np.dtype | None:
    """The ``dtype=`` argument for a NumPy sum of `dtype`: float32 for float16, else None."""
    return SINGLE if dtype == HALF else None
