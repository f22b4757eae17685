"""`MultiheadAttention`: several attention heads side by side, as PyTorch's layer.

The queries, keys and values are projected by one packed weight ``in_proj_weight`` (3E, E),
split into `num_heads` heads of size E / num_heads, attended separately
(`autograd_lite.functions.attention_weights`), joined and projected by ``out_proj``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd_lite.functions as F
from autograd_lite import Variable, as_variable

from . import init
from .dtypes import check_input_dtype
from .layers import Linear
from .module import Module
from .parameter import Parameter


def _dtype(mask: Any) -> np.dtype:
    return mask.dtype if isinstance(mask, Variable) else np.asarray(mask).dtype


def _merge_masks(attn_mask: Any, padding: Any) -> Any:
    """One mask for `attention_weights` from an attention mask and a key padding mask, each
    None, boolean (True: masked out, the layer's convention) or float (added)."""
    masks = [m for m in (attn_mask, padding) if m is not None]
    if not masks:
        return None
    floats = [_dtype(m) for m in masks if _dtype(m).kind != "b"]
    if not floats:  # attention's boolean masks say the opposite: True takes part
        keep = ~np.asarray(masks[0])
        return keep if len(masks) == 1 else keep & ~np.asarray(masks[1])
    total = None
    for m in masks:
        if _dtype(m).kind == "b":
            m = np.where(m, -np.inf, 0.0).astype(floats[0])  # the float mask's precision
        total = m if total is None else total + m
    return total


class MultiheadAttention(Module):
    """Attention with `num_heads` heads over inputs of size `embed_dim`.

    Parameters
    ----------
    embed_dim : int
        E, the size of queries, keys, values and output; divisible by `num_heads`.
    num_heads : int
    dropout : float
        Dropout on the attention weights, in training only.
    bias : bool
        Learn ``in_proj_bias`` (3E,) and ``out_proj.bias`` (both start at zero).
    batch_first : bool
        Inputs and output are (N, L, E) instead of (L, N, E).

    Attributes
    ----------
    in_proj_weight : (3E, E) float32, Xavier-uniform: the query, key and value projections,
        stacked in that order (PyTorch's layout, so its state dict loads 1:1).
    in_proj_bias : (3E,) or None
    out_proj : Linear(E, E)
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 batch_first: bool = False, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if num_heads <= 0 or embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim {embed_dim} must be divisible by "
                             f"num_heads {num_heads}")
        if not 0 <= dropout <= 1:
            raise ValueError(f"MultiheadAttention: dropout must lie in [0, 1], got {dropout}")
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = embed_dim // num_heads
        self.dropout, self.batch_first, self.rng = dropout, batch_first, rng
        self.in_proj_weight = Parameter(init.xavier_uniform_(
            np.empty((3 * embed_dim, embed_dim), np.float32), rng=rng))
        if bias:
            self.in_proj_bias = Parameter(np.zeros(3 * embed_dim, np.float32))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, rng=rng)
        if bias:
            init.zeros_(self.out_proj.bias)

    def forward(self, query: Any, key: Any, value: Any, key_padding_mask: Any = None,
                need_weights: bool = True, attn_mask: Any = None,
                average_attn_weights: bool = True, is_causal: bool = False
                ) -> tuple[Variable, Variable | None]:
        """Attend from `query` to `key`/`value`.

        Parameters
        ----------
        query : (L, N, E), or (N, L, E) with batch_first, or unbatched (L, E)
        key, value : (S, N, E), or (N, S, E) with batch_first, or unbatched (S, E)
        key_padding_mask : (N, S) or (S,), optional
            Boolean: True marks a key to ignore (padding). Float: added to the scores.
        need_weights : bool
            Also return the attention weights.
        attn_mask : (L, S) or (N * num_heads, L, S), optional
            Boolean: True forbids a query to see a key (PyTorch's layer convention, the
            opposite of `scaled_dot_product_attention`). Float: added to the scores.
        average_attn_weights : bool
            Average the returned weights over the heads.
        is_causal : bool
            A hint that `attn_mask` is the causal mask; as in PyTorch, the mask is required.

        Returns
        -------
        output : (L, N, E), (N, L, E) with batch_first, or (L, E) unbatched
        weights : (N, L, S) averaged or (N, num_heads, L, S), without the batch axis when
            unbatched; None when `need_weights` is False. A query whose keys are all masked
            gets zero weights and a zero output before ``out_proj`` (PyTorch returns NaN
            there when it computes the weights).
        """
        if is_causal and attn_mask is None:
            raise ValueError("MultiheadAttention: is_causal=True is a hint that needs the causal "
                             "attn_mask itself, as in PyTorch (e.g. np.triu(np.ones((L, L), "
                             "bool), 1): True above the diagonal)")
        q_in, k_in, v_in = (as_variable(a) for a in (query, key, value))
        self._check_inputs(q_in, k_in, v_in)
        batched = q_in.ndim == 3
        if not batched:  # a batch of one, axis 0 in (N, L, E)
            q_in, k_in, v_in = (a.reshape((1,) + a.shape) for a in (q_in, k_in, v_in))
            if key_padding_mask is not None:
                key_padding_mask = F.reshape(key_padding_mask, (1, -1)) if isinstance(
                    key_padding_mask, Variable) else np.reshape(key_padding_mask, (1, -1))
        elif not self.batch_first:  # (L, N, E) -> (N, L, E)
            q_in, k_in, v_in = self._batch_first(q_in, k_in, v_in, query, key, value)
        n, L, E = q_in.shape
        S = k_in.shape[1]
        mask = _merge_masks(self._attn_mask(attn_mask, n, L, S),
                            self._padding_mask(key_padding_mask, n, S))

        q, k, v = self._project(q_in, k_in, v_in, query is key and key is value, key is value)
        weights = F.attention_weights(q, k, mask)  # (N, H, L, S)
        if self.training and self.dropout > 0:
            weights = F.dropout(weights, self.dropout, rng=self.rng or init.default_rng())
        heads = F.matmul(weights, v)  # (N, H, L, hd)
        if self.batch_first or not batched:
            out = heads.transpose(0, 2, 1, 3).reshape(n, L, E)
        else:
            out = heads.transpose(2, 0, 1, 3).reshape(L, n, E)
        out = self.out_proj(out)
        if not batched:
            out = out.reshape(L, E)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = weights.mean(axis=1)
        return out, weights if batched else weights.reshape(weights.shape[1:])

    # -- the steps
    def _check_inputs(self, q: Variable, k: Variable, v: Variable) -> None:
        for name, a in (("query", q), ("key", k), ("value", v)):
            check_input_dtype("MultiheadAttention", a, self.in_proj_weight.dtype, name)
            if a.ndim not in (2, 3) or a.shape[-1] != self.embed_dim:
                raise ValueError(f"MultiheadAttention: {name} of shape {a.shape} does not fit; "
                                 f"expected (L, N, {self.embed_dim}), (N, L, {self.embed_dim}) "
                                 f"with batch_first, or unbatched (L, {self.embed_dim})")
        if not q.ndim == k.ndim == v.ndim or k.shape != v.shape or (
                q.ndim == 3 and q.shape[1 - self.batch_first] != k.shape[1 - self.batch_first]):
            raise ValueError(f"MultiheadAttention: query {q.shape}, key {k.shape} and value "
                             f"{v.shape} do not fit together (key and value must have the same "
                             "shape, and all the same batch size)")

    @staticmethod
    def _batch_first(q: Variable, k: Variable, v: Variable, query: Any, key: Any,
                     value: Any) -> tuple[Variable, Variable, Variable]:
        """(L, N, E) -> (N, L, E), transposing a shared input once."""
        q_t = q.transpose(1, 0, 2)
        k_t = q_t if key is query else k.transpose(1, 0, 2)
        v_t = k_t if value is key else q_t if value is query else v.transpose(1, 0, 2)
        return q_t, k_t, v_t

    def _project(self, query: Variable, key: Variable, value: Variable, self_attention: bool,
                 shared_kv: bool) -> tuple[Variable, Variable, Variable]:
        """The packed in-projection, then heads: each (N, H, length, head_dim)."""
        W, b, E = self.in_proj_weight, self.in_proj_bias, self.embed_dim
        if self_attention:  # one product for all three
            q, k, v = F.split(F.linear(query, W, b), 3, axis=-1)
        else:
            bq, bkv = (None, None) if b is None else (b[:E], b[E:])
            q = F.linear(query, W[:E], bq)
            if shared_kv:
                k, v = F.split(F.linear(key, W[E:], bkv), 2, axis=-1)
            else:
                bk, bv = (None, None) if b is None else (bkv[:E], bkv[E:])
                k, v = F.linear(key, W[E:2 * E], bk), F.linear(value, W[2 * E:], bv)
        return tuple(self._heads(a) for a in (q, k, v))

    def _heads(self, x: Variable) -> Variable:
        n, length, _ = x.shape
        return x.reshape(n, length, self.num_heads, self.head_dim).transpose(0, 2, 1, 3)

    def _attn_mask(self, mask: Any, n: int, L: int, S: int) -> Any:
        """(L, S) stays; (N * H, L, S) becomes (N, H, L, S)."""
        if mask is None:
            return None
        shape = np.shape(mask)
        if shape == (L, S):
            return mask
        if shape == (n * self.num_heads, L, S):
            shape4 = (n, self.num_heads, L, S)
            return F.reshape(mask, shape4) if isinstance(mask, Variable) else np.reshape(
                mask, shape4)
        raise ValueError(f"MultiheadAttention: attn_mask of shape {shape} does not fit; "
                         f"expected ({L}, {S}) or ({n * self.num_heads}, {L}, {S})")

    @staticmethod
    def _padding_mask(mask: Any, n: int, S: int) -> Any:
        """(N, S) becomes (N, 1, 1, S): the same for every head and query."""
        if mask is None:
            return None
        if np.shape(mask) != (n, S):
            raise ValueError(f"MultiheadAttention: key_padding_mask of shape {np.shape(mask)} "
                             f"does not fit; expected ({n}, {S})")
        shape4 = (n, 1, 1, S)
        return F.reshape(mask, shape4) if isinstance(mask, Variable) else np.reshape(mask, shape4)

    def extra_repr(self) -> str:
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
                f"dropout={self.dropout}, batch_first={self.batch_first}")

