"""The one dtype rule of the ops that carry weights: the input's dtype is the weights' dtype.

NumPy would quietly promote a float64 batch through float32 weights to float64 outputs and
float64 gradients (twice the memory, half the speed, and an optimizer that casts every step),
and integer images to float64 as well. PyTorch refuses such mixes; so do `linear`, `conv2d`,
`conv_transpose2d` and `batch_norm`, with both dtypes and the fix in the message. A float64
model (float64 weights fed float64 inputs) is fine.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.core import Variable


def dtype_of(x: Any) -> np.dtype:
    """The dtype `x` has, or would have as a Variable (Python numbers and lists: float64)."""
    if isinstance(x, (Variable, np.ndarray, np.generic)):
        return x.dtype
    data = np.asarray(x)
    return np.dtype(np.float64) if data.dtype.kind in "biu" else data.dtype


def check_same_dtype(op: str, x: Any, **weights: Any) -> None:
    """Raise TypeError unless every weight that is not None has the dtype of the input `x`."""
    x_dtype = dtype_of(x)
    for name, w in weights.items():
        if w is None:
            continue
        w_dtype = dtype_of(w)
        if w_dtype != x_dtype:
            fix = f"convert the input, e.g. x.astype(np.{w_dtype})"
            if x_dtype.kind == "f":
                fix += (f", or, for a {x_dtype} model, every parameter and buffer "
                        f"(p.data = p.data.astype(np.{x_dtype}))")
            raise TypeError(f"{op}: the input has dtype {x_dtype} but {name} has dtype "
                            f"{w_dtype}; they must match (NumPy would silently compute in the "
                            f"wider one): {fix}")
