"""max_pool2d and avg_pool2d: values against loops over output pixels, gradients of order 1
and 2, the first-max rule on ties, dtype, and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite.functions as F
from autograd_lite import Variable

try:
    from autograd_lite.testing import gradcheck, gradgradcheck
except ImportError:  # until the lead's testing package lands
    from tests.functions._fd import gradcheck, gradgradcheck


def pool_reference(x, k, s, p, reduce, fill):
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])), constant_values=fill)
    oh = (xp.shape[2] - k[0]) // s[0] + 1
    ow = (xp.shape[3] - k[1]) // s[1] + 1
    y = np.zeros(x.shape[:2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            y[:, :, i, j] = reduce(xp[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]],
                                   axis=(2, 3))
    return y


@st.composite
def pool_cases(draw, max_side=7):
    """Geometry of a valid pooling (tiling and overlapping windows), distinct input values."""
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(kh, max_side)), draw(st.integers(kw, max_side))
    if draw(st.booleans()):  # the reshape fast path: windows tile the image
        sh, sw, ph, pw = kh, kw, 0, 0
        h, w = h - h % kh, w - w % kw
    else:
        sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    # Distinct values 0.1 apart: no ties, and central differences never change the argmax.
    x = rng.permutation(n * c * h * w).reshape(n, c, h, w) * 0.1
    return x, (kh, kw), (sh, sw), (ph, pw)


@given(pool_cases())
def test_max_pool2d_value(case):
    x, k, s, p = case
    y = F.max_pool2d(x, k, s, p)
    np.testing.assert_array_equal(y.data, pool_reference(x, k, s, p, np.max, -np.inf))


@given(pool_cases())
def test_avg_pool2d_value(case):
    x, k, s, p = case
    y = F.avg_pool2d(x, k, s, p)
    np.testing.assert_allclose(y.data, pool_reference(x, k, s, p, np.mean, 0.0), atol=1e-12)


@given(pool_cases())
def test_pool_grads(case):
    x, k, s, p = case
    assert gradcheck(lambda v: F.max_pool2d(v, k, s, p), x, eps=1e-4)
    assert gradcheck(lambda v: F.avg_pool2d(v, k, s, p), x)


@settings(max_examples=5)
@given(pool_cases(max_side=4))
def test_pool_second_derivatives(case):
    x, k, s, p = case
    # Squared, so that the second derivative is not zero.
    assert gradgradcheck(lambda v: F.max_pool2d(v, k, s, p) ** 2, x, eps=1e-4)
    assert gradgradcheck(lambda v: F.avg_pool2d(v, k, s, p) ** 2, x)


def test_max_pool2d_ties_send_the_gradient_to_the_first_max():
    x = Variable(np.ones((1, 1, 2, 4)))
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[[[1, 0, 1, 0], [0, 0, 0, 0]]]])
    x = Variable(np.ones((1, 1, 3, 3)))  # overlapping windows: each picks its first max
    F.max_pool2d(x, 2, stride=1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[[[1, 1, 0], [1, 1, 0], [0, 0, 0]]]])


@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
@pytest.mark.parametrize("k, s, p", [(2, 2, 0), (3, 2, 1)])
def test_pool_keeps_float32(pool, k, s, p):
    x = Variable(np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32))
    y = pool(x, k, s, p)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_pool_errors():
    with pytest.raises(ValueError, match=r"4-D input.*\(3, 4, 4\)"):
        F.max_pool2d(np.zeros((3, 4, 4)), 2)
    with pytest.raises(ValueError, match=r"kernel of size \(5, 5\) is larger"):
        F.avg_pool2d(np.zeros((1, 1, 4, 4)), 5)
    with pytest.raises(ValueError, match="at most half the kernel"):
        F.max_pool2d(np.zeros((1, 1, 4, 4)), 2, padding=2)
