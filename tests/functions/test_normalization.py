"""batch_norm, dropout and embedding beyond their op-spec rows (test_ops_layers.py): running
statistics, masks, accumulation of repeated ids, dtype, and errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite.functions as F
from autograd_lite import Variable
from autograd_lite.testing import gradcheck, gradgradcheck


@st.composite
def bn_cases(draw):
    """(N, C) or (N, C, H, W) inputs with gamma, beta and running statistics."""
    c = draw(st.integers(1, 3))
    shape = draw(st.sampled_from([(draw(st.integers(2, 5)), c),
                                  (draw(st.integers(1, 3)), c, draw(st.integers(1, 3)),
                                   draw(st.integers(2, 3)))]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal(shape) * 2 + 1
    gamma, beta = rng.standard_normal(c), rng.standard_normal(c)
    rm, rv = rng.standard_normal(c), rng.uniform(0.5, 2, c)
    return x, gamma, beta, rm, rv


def bn_reference(x, gamma, beta, mean, var, eps=1e-5):
    shape = (1, -1) + (1,) * (x.ndim - 2)
    xhat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    return xhat * gamma.reshape(shape) + beta.reshape(shape)


@given(bn_cases(), st.floats(0.0, 1.0))
def test_batch_norm_training_value_and_running_stats(case, momentum):
    x, gamma, beta, rm, rv = case
    axes = (0,) + tuple(range(2, x.ndim))
    rm0, rv0 = rm.copy(), rv.copy()
    y = F.batch_norm(x, gamma, beta, rm, rv, training=True, momentum=momentum)
    expected = bn_reference(x, gamma, beta, x.mean(axis=axes), x.var(axis=axes))
    np.testing.assert_allclose(y.data, expected, atol=1e-10)
    np.testing.assert_allclose(rm, (1 - momentum) * rm0 + momentum * x.mean(axis=axes))
    np.testing.assert_allclose(rv, (1 - momentum) * rv0 + momentum * x.var(axis=axes, ddof=1))


@given(bn_cases())
def test_batch_norm_eval_uses_running_stats(case):
    x, gamma, beta, rm, rv = case
    rm0, rv0 = rm.copy(), rv.copy()
    y = F.batch_norm(x, gamma, beta, rm, rv, training=False)
    np.testing.assert_allclose(y.data, bn_reference(x, gamma, beta, rm, rv), atol=1e-10)
    np.testing.assert_array_equal(rm, rm0)
    np.testing.assert_array_equal(rv, rv0)


def test_batch_norm_keeps_float32_and_errors():
    x = Variable(np.random.default_rng(0).standard_normal((4, 3, 2, 2)).astype(np.float32))
    g = Variable(np.ones(3, np.float32))
    rm, rv = np.zeros(3, np.float32), np.ones(3, np.float32)
    y = F.batch_norm(x, g, None, rm, rv)
    assert y.dtype == rm.dtype == rv.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == g.grad.dtype == np.float32
    with pytest.raises(ValueError, match=r"gamma of shape \(2,\).*expected \(3,\)"):
        F.batch_norm(x, np.ones(2), None, rm, rv)
    with pytest.raises(ValueError, match="more than one value per channel"):
        F.batch_norm(np.ones((1, 3)), None, None, None, None)


@given(st.floats(0.05, 0.95), st.integers(0, 2**16))
def test_dropout_mask_scale_and_gradient(p, seed):
    x = np.random.default_rng(seed).uniform(1, 2, (50, 40))
    y = F.dropout(x, p, rng=np.random.default_rng(seed))
    kept = y.data != 0
    np.testing.assert_allclose(y.data[kept], x[kept] / (1 - p))
    assert abs(kept.mean() - (1 - p)) < 0.1  # 2000 draws: ~6 standard deviations of slack
    # Same generator state, same mask: the gradient is the mask, and the second derivative 0.
    assert gradcheck(lambda v: F.dropout(v, p, rng=np.random.default_rng(seed)), x[:3, :4])
    assert gradgradcheck(lambda v: F.dropout(v, p, rng=np.random.default_rng(seed)) ** 2,
                         x[:3, :4])


def test_dropout_identity_and_reproducible():
    x = Variable(np.ones((4, 5), np.float32))
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert (F.dropout(x, 1.0).data == 0).all()
    a = F.dropout(x, 0.3, rng=np.random.default_rng(1))
    b = F.dropout(x, 0.3, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a.data, b.data)
    assert a.dtype == np.float32
    with pytest.raises(ValueError, match="p must lie in"):
        F.dropout(x, 1.5)


def test_embedding_repeated_ids_accumulate_and_errors():
    W = Variable(np.zeros((3, 2), np.float32))
    F.embedding(np.array([[0, 2], [2, 2]]), W).sum().backward()
    np.testing.assert_array_equal(W.grad.data, [[1, 1], [0, 0], [3, 3]])
    assert W.grad.dtype == np.float32
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 2\]"):
        F.embedding(np.array([3]), W)
    with pytest.raises(TypeError, match="ids must be integers"):
        F.embedding(np.array([0.0]), W)
