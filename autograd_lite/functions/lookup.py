"""Embedding lookup: rows of a weight matrix picked by integer ids."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.core import Variable, as_variable
from autograd_lite.functions.shape import getitem


def embedding(ids: Any, W: Any) -> Variable:
    """``W[ids]``: one row of `W` per id.

    Parameters
    ----------
    ids : integer array of any shape S, values in ``[0, num_embeddings)``
    W : (num_embeddings, dim)

    Returns
    -------
    Variable of shape S + (dim,). A row picked several times receives the sum of the gradients.
    """
    ids = np.asarray(ids.data if isinstance(ids, Variable) else ids)
    W = as_variable(W)
    if W.ndim != 2:
        raise ValueError(f"embedding: expected weight of shape (num_embeddings, dim), got "
                         f"{W.shape}")
    if ids.dtype.kind not in "iu":
        raise TypeError(f"embedding: ids must be integers, got dtype {ids.dtype} "
                        "(convert with ids.astype(np.int64))")
    if ids.size and (ids.min() < 0 or ids.max() >= W.shape[0]):
        raise ValueError(f"embedding: ids must lie in [0, {W.shape[0] - 1}] for a weight of "
                         f"shape {W.shape}, got values from {ids.min()} to {ids.max()}")
    return getitem(W, ids)
