"""Hypothesis strategies for arrays that are safe to gradient-check.

Built on ``hypothesis.extra.numpy``: shapes include 0-d arrays and size-1 axes, values stay in a
domain and away from kinks and poles, and `distinct` values keep ``max``/``sort``-like functions
away from ties. A property test of your own Function takes a few lines:

>>> from hypothesis import given
>>> from autograd_lite.testing import gradcheck
>>> from autograd_lite.testing import strategies as st
>>> @given(st.arrays(low=0.1, high=3.0))
... def test_my_log(x):
...     assert gradcheck(lambda v: MyLog()(v), x)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = ["arrays", "axes", "broadcastable_shapes", "matmul_shapes", "shapes"]


def shapes(*, min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
           max_side: int = 4) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes, from 0-d up to `max_dims` axes, sides in ``[min_side, max_side]``."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcastable_shapes(num_shapes: int = 2, *, min_dims: int = 0, max_dims: int = 3,
                         min_side: int = 1, max_side: int = 4
                         ) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Tuples of `num_shapes` shapes that broadcast together (size-1 and missing axes)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=min_side,
        max_side=max_side,
    ).map(lambda r: r.input_shapes)


@st.composite
def matmul_shapes(draw: Any, *, max_batch_dims: int = 2, max_side: int = 4,
                  vectors: bool = True) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Shape pairs valid for ``np.matmul``: batched, broadcasting batches, 1-D operands."""
    n, k, m = (draw(st.integers(1, max_side)) for _ in range(3))
    batch_a, batch_b = draw(broadcastable_shapes(2, max_dims=max_batch_dims, max_side=3))
    a = (k,) if vectors and draw(st.booleans()) else batch_a + (n, k)
    b = (k,) if vectors and draw(st.booleans()) else batch_b + (k, m)
    return a, b


def _away_from(points: Sequence[float], margin: float, low: float, high: float):
    """Move a value that falls within `margin` of a point to the nearest value that does not,
    staying inside ``[low, high]`` (when there is none, the value is rejected)."""
    def clear(v: float) -> bool:
        return low <= v <= high and all(abs(v - p) >= margin * (1 - 1e-9) for p in points)

    def push(v: float) -> float:
        if clear(v):
            return v
        candidates = [c for p in points for c in (p - margin, p + margin) if clear(c)]
        return min(candidates, key=lambda c: abs(c - v)) if candidates else float("nan")
    return push


def arrays(shape: Any = None, *, dtype: Any = np.float64, low: float = -3.0, high: float = 3.0,
           avoid: Sequence[float] = (), margin: float = 0.05,
           distinct: bool = False) -> st.SearchStrategy[np.ndarray]:
    """Finite arrays with values in ``[low, high]``.

    Parameters
    ----------
    shape : tuple, int, strategy or None
        A fixed shape, or a strategy of shapes (default: `shapes()`).
    dtype : float dtype
    low, high : float
        The value domain (e.g. ``low=0.1`` for ``log``).
    avoid : sequence of float
        Points where the function has a kink or pole (0 for ``relu`` and ``abs``); values are
        kept at least `margin` away, so central differences do not straddle them.
    margin : float
    distinct : bool
        All elements at least `margin` apart (no ties for ``max``/``min``/``maximum``).
    """
    if shape is None:
        shape = shapes()
    elif isinstance(shape, (int, tuple)):
        shape = st.just((shape,) if isinstance(shape, int) else shape)
    if distinct:
        steps = int((high - low) / margin)
        elements = st.integers(0, steps).map(lambda i: low + i * margin)
    else:
        elements = st.floats(low, high, allow_nan=False, allow_infinity=False)
    if avoid:
        elements = elements.map(_away_from(avoid, margin, low, high)).filter(
            lambda v: v == v)
    return hnp.arrays(np.float64, shape, elements=elements, unique=distinct).map(
        lambda a: a.astype(dtype))


@st.composite
def axes(draw: Any, ndim: int, *, allow_none: bool = True,
         allow_tuple: bool = True) -> int | tuple[int, ...] | None:
    """A valid `axis` argument for an array of `ndim` axes: None, an int (maybe negative), or
    a tuple of distinct axes."""
    choices = ["none"] if allow_none or ndim == 0 else []
    if ndim:
        choices.append("int")
        if allow_tuple:
            choices.append("tuple")
    kind = draw(st.sampled_from(choices))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    picked = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(a - ndim if draw(st.booleans()) else a for a in picked)
