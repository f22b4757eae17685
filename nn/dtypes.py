"""The check that an input's dtype matches a layer's parameters, with PyTorch's strictness.

NumPy would silently promote a float32 layer fed float64 data to a float64 result (twice the
memory and time, and gradients cast back); PyTorch refuses, and so do we, saying how to fix it.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def check_input_dtype(layer: str, x: Any, dtype: np.dtype, what: str = "input") -> None:
    """Raise ``TypeError`` naming both dtypes and the fix when a floating-point `x` is not
    `dtype` (the dtype of the layer's parameters); other inputs pass (ints, bools, lists)."""
    x_dtype = getattr(x, "dtype", None)
    if x_dtype is None or np.dtype(x_dtype).kind != "f" or x_dtype == dtype:
        return
    raise TypeError(
        f"{layer}: the {what} is {x_dtype} but the layer's parameters are {dtype}; convert the "
        f"{what} with x.astype(np.{dtype}), or the parameters with "
        f"p.data = p.data.astype(np.{x_dtype}) for each p in the layer's parameters()"
    )
