"""The gradient of integer-array indexing (an embedding lookup) sums the rows of repeated ids,
negative ids included, as ``np.add.at`` does (it takes a faster path than np.add.at)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite.functions as F
from autograd_lite import Variable
from autograd_lite.testing import gradcheck


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 6), ids_shape=st.lists(st.integers(1, 5), min_size=1, max_size=3),
       tail=st.lists(st.integers(1, 3), min_size=1, max_size=2), seed=st.integers(0, 2**32 - 1),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_row_gradient_sums_repeated_and_negative_ids(rows, ids_shape, tail, seed, dtype):
    rng = np.random.default_rng(seed)
    ids = rng.integers(-rows, rows, ids_shape)
    W = Variable(rng.standard_normal((rows, *tail)).astype(dtype))
    gy = rng.standard_normal((*ids_shape, *tail)).astype(dtype)
    W[ids].backward(gy)
    expected = np.zeros(W.shape, dtype)
    np.add.at(expected, ids, gy)
    assert W.grad.dtype == dtype
    np.testing.assert_allclose(W.grad.data, expected, rtol=1e-5, atol=1e-5)


def test_embedding_gradcheck_with_repeats():
    ids = np.array([[0, 2, 2], [1, 0, 1]])
    assert gradcheck(lambda w: F.embedding(ids, w), np.random.randn(3, 4))
