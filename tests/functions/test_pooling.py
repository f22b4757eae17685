"""max_pool2d and avg_pool2d: the loop reference and input strategy of their op-spec rows
(test_ops_layers.py), non-zero second derivatives, the first-max rule on ties, and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite.functions as F
from autograd_lite import Variable
from autograd_lite.testing import gradgradcheck


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


def test_pool_errors():
    with pytest.raises(ValueError, match=r"4-D input.*\(3, 4, 4\)"):
        F.max_pool2d(np.zeros((3, 4, 4)), 2)
    with pytest.raises(ValueError, match=r"kernel of size \(5, 5\) is larger"):
        F.avg_pool2d(np.zeros((1, 1, 4, 4)), 5)
    with pytest.raises(ValueError, match="at most half the kernel"):
        F.max_pool2d(np.zeros((1, 1, 4, 4)), 2, padding=2)


def test_max_pool2d_propagates_nan_like_pytorch():
    x = Variable(np.array([[[[1.0, np.nan, 0.0, 2.0], [3.0, 4.0, 5.0, 1.0]]]]))
    y = F.max_pool2d(x, 2)
    assert np.isnan(y.data[0, 0, 0, 0]) and y.data[0, 0, 0, 1] == 5
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[[[0, 1, 0, 0], [0, 0, 1, 0]]]])


def test_max_pool2d_with_large_kernels():
    """More than 255 offsets per window (the first-max bookkeeping widens its integers)."""
    x = np.random.default_rng(0).permutation(2 * 17 * 17).reshape(1, 2, 17, 17) * 1.0
    y = F.max_pool2d(x, 16, stride=1)
    np.testing.assert_array_equal(y.data, pool_reference(x, (16, 16), (1, 1), (0, 0), np.max,
                                                         -np.inf))
