"""Inverted dropout: zero each element with probability p, scale the rest by 1 / (1 - p)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.core import Variable, as_variable
from autograd_lite.functions.arithmetic import mul


def dropout(x: Any, p: float = 0.5, training: bool = True,
            rng: np.random.Generator | None = None) -> Variable:
    """Randomly zero elements of `x` in training; the identity otherwise.

    Parameters
    ----------
    x : array of any shape
    p : float
        Probability that an element is zeroed, in ``[0, 1]``.
    training : bool
        False (evaluation) or ``p == 0`` returns `x` itself.
    rng : numpy.random.Generator, optional
        Source of the mask, for reproducible runs (default: a freshly seeded generator).

    Returns
    -------
    Variable shaped like `x`. Kept elements are scaled by ``1 / (1 - p)`` so the expected value
    is unchanged and evaluation needs no rescaling. The gradient flows through the same mask.
    """
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: p must lie in [0, 1], got {p}")
    x = as_variable(x)
    if not training or p == 0:
        return x
    if rng is None:
        rng = np.random.default_rng()
    if p == 1:
        mask = np.zeros(x.shape, dtype=x.dtype)
    else:
        mask = (rng.random(x.shape) >= p) * np.asarray(1 / (1 - p), dtype=x.dtype)
    return mul(x, mask.astype(x.dtype, copy=False))
