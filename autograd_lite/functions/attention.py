"""Scaled dot-product attention, and the masked softmax at its heart.

Every query row of ``q @ k^T * scale`` becomes a probability distribution over the keys it may
see (the mask), and the output is that mixture of the values. The masked softmax is one
primitive with the softmax's closed-form gradient: masking and normalising in one step saves
passes over the (..., L, S) scores, the largest arrays of a transformer.

Masks follow PyTorch's ``scaled_dot_product_attention``: a boolean mask says which positions
take part (True), a float mask is added to the scores (``-inf`` removes a position). A query
that may see no key at all gets zero weights, so its output is zero and no NaN reaches any
gradient (PyTorch 2.13 gives the same zeros).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable, as_variable
from autograd_lite.functions.linalg import matmul
from autograd_lite.functions.regularization import dropout
from autograd_lite.functions.shape import swapaxes


class MaskedSoftmax(Function):
    """Softmax along `axis` of ``x`` (plus an additive ``bias`` input, if given), where the
    positions whose constant boolean `keep` is False get weight 0, and an all-masked row is
    all zeros.

    The gradient is the softmax's, ``y * (gy - sum(gy * y))`` for ``x`` and for ``bias``
    alike: masked positions have ``y == 0`` and so receive none.
    """

    __slots__ = ("axis", "keep")

    def __init__(self, axis: int, keep: np.ndarray | None = None) -> None:
        self.axis, self.keep = axis, keep

    def forward(self, x, bias=None):
        if self.keep is not None:
            # -inf where masked, added: the (L, S) mask is small, np.where over the scores slow
            masked = np.where(self.keep, 0, -np.inf).astype(x.dtype)
            bias = masked if bias is None else bias + masked
        z = x if bias is None else x + bias
        if z.size == 0:
            return np.zeros(z.shape, z.dtype)
        top = z.max(axis=self.axis, keepdims=True)
        top[~np.isfinite(top)] = 0  # an all-masked row: exp(-inf - 0) = 0, no NaN
        z = z - top if z is x else np.subtract(z, top, out=z)  # never write the caller's x
        np.exp(z, out=z)
        total = z.sum(axis=self.axis, keepdims=True)
        total[total == 0] = 1  # 0 / 1: the all-masked row stays zeros
        z /= total
        return z

    def vjp(self, gy, y, x, bias=None):
        g = gy * y  # a new array: the augmented assignment below writes into it
        g -= y * g.sum(axis=self.axis, keepdims=True)
        if bias is None:
            return g
        need_x, need_bias = self.needs_input_grad
        return (g if need_x else None), (g if need_bias else None)


def masked_softmax(x: Any, mask: Any = None, axis: int = -1) -> Variable:
    """Softmax along `axis` over the positions a mask allows.

    Parameters
    ----------
    x : array of any shape
    mask : boolean or float array broadcastable to ``x.shape``, optional
        Boolean: True where a position takes part. Float (it may be a Variable, and then gets
        a gradient): added to `x` before the softmax, ``-inf`` removing a position.
    axis : int

    Returns
    -------
    Variable shaped like ``x`` (and the mask, broadcast): each slice along `axis` sums to 1,
    or is all zeros where the mask removes every position.
    """
    x = as_variable(x)
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"masked_softmax: axis {axis} is out of bounds for an input of shape "
                         f"{x.shape}")
    if mask is None:
        return MaskedSoftmax(axis)(x)
    mask_dtype = mask.dtype if isinstance(mask, Variable) else np.asarray(mask).dtype
    try:
        np.broadcast_shapes(np.shape(mask), x.shape)
    except ValueError:
        raise ValueError(f"masked_softmax: mask of shape {np.shape(mask)} does not broadcast "
                         f"to the input's shape {x.shape}") from None
    if mask_dtype.kind == "b":
        return MaskedSoftmax(axis, np.asarray(mask))(x)
    if mask_dtype.kind != "f":
        raise TypeError(f"masked_softmax: mask must be boolean (True: take part) or float "
                        f"(added to the scores), got {mask_dtype}")
    if not isinstance(mask, Variable):
        mask = np.asarray(mask, dtype=x.dtype)  # a constant: keep the scores' precision
    return MaskedSoftmax(axis)(x, mask)


def _causal_keep(L: int, S: int) -> np.ndarray:
    """Query i sees keys 0..i (aligned at the top left, as PyTorch's ``is_causal``)."""
    return np.tri(L, S, dtype=bool)


def attention_weights(q: Any, k: Any, attn_mask: Any = None, is_causal: bool = False,
                      scale: float | None = None) -> Variable:
    """The attention weights ``masked_softmax(q @ k^T * scale, mask)``, one row per query.

    Parameters
    ----------
    q : (..., L, E)
    k : (..., S, E)
    attn_mask, is_causal, scale : as in `scaled_dot_product_attention`

    Returns
    -------
    Variable of shape (..., L, S): row i holds how much query i takes from each key.
    """
    q, k = as_variable(q), as_variable(k)
    if q.ndim < 2 or k.ndim < 2 or q.shape[-1] != k.shape[-1]:
        raise ValueError(f"scaled_dot_product_attention: query of shape {q.shape} and key of "
                         f"shape {k.shape} do not fit; expected (..., L, E) and (..., S, E)")
    if is_causal:
        if attn_mask is not None:
            raise ValueError("scaled_dot_product_attention: give attn_mask or is_causal=True, "
                             "not both (add the causal mask into attn_mask yourself)")
        attn_mask = _causal_keep(q.shape[-2], k.shape[-2])
    if scale is None:
        scale = 1 / math.sqrt(q.shape[-1]) if q.shape[-1] else 1.0
    # Scale the (..., L, E) queries rather than the (..., L, S) scores: fewer elements.
    scores = matmul(q * float(scale), swapaxes(k, -1, -2))
    if attn_mask is not None:
        try:
            np.broadcast_shapes(np.shape(attn_mask), scores.shape)
        except ValueError:
            raise ValueError(f"scaled_dot_product_attention: attn_mask of shape "
                             f"{np.shape(attn_mask)} does not broadcast to the scores' shape "
                             f"{scores.shape} (..., L, S)") from None
    return masked_softmax(scores, attn_mask, axis=-1)


def scaled_dot_product_attention(q: Any, k: Any, v: Any, attn_mask: Any = None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None,
                                 rng: np.random.Generator | None = None) -> Variable:
    """Attention: each query's output is a mixture of the values, weighted by how well the
    query matches each key.

    ``softmax(q @ k^T * scale + mask) @ v``, as PyTorch's function of the same name.

    Parameters
    ----------
    q : (..., L, E) queries
    k : (..., S, E) keys
    v : (..., S, Ev) values. Leading axes (batch, heads) broadcast, as in `matmul`.
    attn_mask : (L, S) or any shape broadcastable to (..., L, S), optional
        Boolean: True where a query may attend to a key. Float: added to the scores
        (``-inf`` forbids). A query row that may see no key outputs zeros.
    dropout_p : float
        Probability of zeroing each attention weight (the rest scaled by ``1 / (1 - p)``).
        Applied whenever it is above 0, as in PyTorch: pass 0 in evaluation.
    is_causal : bool
        Query i attends to keys 0..i only (a lower-triangular mask aligned at the top left).
        Cannot be combined with `attn_mask`.
    scale : float, optional
        Multiplies the scores; default ``1 / sqrt(E)``, which keeps the scores' variance near 1
        whatever the head size, so the softmax does not saturate.
    rng : numpy.random.Generator, optional
        Source of the dropout mask (default: a freshly seeded generator).

    Returns
    -------
    Variable of shape (..., L, Ev).
    """
    v = as_variable(v)
    weights = attention_weights(q, k, attn_mask, is_causal, scale)
    if v.ndim < 2 or v.shape[-2] != weights.shape[-1]:
        raise ValueError(f"scaled_dot_product_attention: value of shape {v.shape} does not fit "
                         f"key of shape {np.shape(k)}; expected (..., S, Ev) with S = "
                         f"{weights.shape[-1]}")
    if dropout_p > 0:
        weights = dropout(weights, dropout_p, training=True, rng=rng)
    return matmul(weights, v)
