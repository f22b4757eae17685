"""Batch normalisation, composed from differentiable means, products and a square root, so its
gradients of every order come from theirs."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.core import Variable, as_variable
from autograd_lite.functions.dtype_check import check_same_dtype
from autograd_lite.functions.elementwise import sqrt
from autograd_lite.functions.reduction import mean


def batch_norm(x: Any, gamma: Any, beta: Any, running_mean: np.ndarray | None,
               running_var: np.ndarray | None, training: bool = True, momentum: float = 0.1,
               eps: float = 1e-5) -> Variable:
    """Normalise every channel to zero mean and unit variance, then scale and shift.

    Parameters
    ----------
    x : (N, C) or (N, C, ...) such as (N, C, H, W)
        Statistics are taken per channel C, over every other axis.
    gamma, beta : (C,) or None
        Learned scale and shift (None: 1 and 0).
    running_mean, running_var : (C,) ndarrays or None
        In training, updated in place: ``r = (1 - momentum) * r + momentum * batch_stat``, with
        the unbiased batch variance in `running_var` (PyTorch's formula). In evaluation they
        replace the batch statistics.
    training : bool
        Use the batch statistics (True) or the running ones (False).
    momentum, eps : float
        Weight of the new batch in the running statistics, and the variance's safety term.

    Returns
    -------
    Variable shaped like `x`: ``(x - mean) / sqrt(var + eps) * gamma + beta``.

    Raises TypeError when `gamma`, `beta` or the running statistics do not have the dtype of
    `x` (see `dtype_check`).
    """
    x = as_variable(x)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected input of shape (N, C) or (N, C, ...), got "
                         f"{x.shape}")
    c = x.shape[1]
    for name, value in (("gamma", gamma), ("beta", beta), ("running_mean", running_mean),
                        ("running_var", running_var)):
        if value is not None and np.shape(value) != (c,):
            raise ValueError(f"batch_norm: {name} of shape {np.shape(value)} does not fit input "
                             f"of shape {x.shape}; expected ({c},)")
    check_same_dtype("batch_norm", x, gamma=gamma, beta=beta, running_mean=running_mean,
                     running_var=running_var)
    axes = (0,) + tuple(range(2, x.ndim))
    per_channel = (1, c) + (1,) * (x.ndim - 2)
    if training:
        count = x.size // c
        if count < 2:
            raise ValueError(f"batch_norm: need more than one value per channel in training, "
                             f"got input of shape {x.shape}")
        mu = mean(x, axis=axes, keepdims=True)
        centered = x - mu
        var = mean(centered * centered, axis=axes, keepdims=True)
        if running_mean is not None:
            running_mean *= 1 - momentum
            running_mean += momentum * mu.data.reshape(c)
        if running_var is not None:
            running_var *= 1 - momentum
            running_var += (momentum * count / (count - 1)) * var.data.reshape(c)
        scale = 1 / sqrt(var + eps)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: evaluation (training=False) needs running_mean and "
                             "running_var")
        # Copies (C values each): the graph must not hold the arrays a later training step
        # updates in place
        centered = x - np.array(running_mean, dtype=x.dtype).reshape(per_channel)
        scale = 1 / np.sqrt(np.array(running_var, dtype=x.dtype).reshape(per_channel) + eps)
    if gamma is not None:
        scale = scale * as_variable(gamma).reshape(per_channel)  # (1, C, 1, ...): cheap
    y = centered * scale
    if beta is not None:
        y = y + as_variable(beta).reshape(per_channel)
    return y
