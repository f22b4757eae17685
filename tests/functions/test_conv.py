"""conv2d, im2col and col2im: the loop-over-pixels reference and input strategy that the
op-spec rows (test_ops_layers.py) use, the adjoint property, dtype, and errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite.functions as F
from autograd_lite import Variable
from autograd_lite.testing import gradgradcheck


def conv_reference(x, W, b, stride, padding):
    """Cross-correlation by a plain loop over output pixels."""
    (sh, sw), (ph, pw) = stride, padding
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    _, _, kh, kw = W.shape
    oh = (xp.shape[2] - kh) // sh + 1
    ow = (xp.shape[3] - kw) // sw + 1
    y = np.zeros((x.shape[0], W.shape[0], oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            y[:, :, i, j] = np.einsum("nchw,ochw->no", patch, W)
    return y if b is None else y + b.reshape(1, -1, 1, 1)


@st.composite
def conv_cases(draw, max_side=6, max_batch=2, max_ch=2):
    """Shapes and geometry of a valid convolution (odd sizes, strides, padding, 1x1 kernels)."""
    n = draw(st.integers(1, max_batch))
    c = draw(st.integers(1, max_ch))
    o = draw(st.integers(1, max_ch + 1))
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    kh = draw(st.integers(1, min(3, h + 2 * ph)))
    kw = draw(st.integers(1, min(3, w + 2 * pw)))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    bias = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w))
    W = rng.standard_normal((o, c, kh, kw))
    b = rng.standard_normal(o) if bias else None
    return x, W, b, (sh, sw), (ph, pw)


@given(st.integers(1, 3), st.integers(1, 2), st.integers(0, 1), st.integers(0, 2**16))
def test_col2im_is_the_adjoint_of_im2col(k, s, p, seed):
    """<im2col(x), c> == <x, col2im(c)>: each is the other's gradient."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 3, 5, 4))
    cols = F.im2col(x, k, s, p).data
    c = rng.standard_normal(cols.shape)
    back = F.col2im(c, x.shape, k, s, p).data
    assert np.isclose(np.sum(cols * c), np.sum(x * back))
    small = rng.standard_normal((1, 2, 3, 3))
    c_small = rng.standard_normal(F.im2col(small, k, s, p).shape)
    assert gradgradcheck(lambda v: F.im2col(v, k, s, p) ** 2, small)
    assert gradgradcheck(lambda v: F.col2im(v, small.shape, k, s, p) ** 2, c_small)


def test_conv2d_benchmark_shape_float32_kept():
    rng = np.random.default_rng(0)
    x = Variable(rng.standard_normal((4, 1, 28, 28)).astype(np.float32))
    W = Variable(rng.standard_normal((30, 1, 5, 5)).astype(np.float32))
    b = Variable(np.zeros(30, np.float32))
    y = F.conv2d(x, W, b)
    assert y.shape == (4, 30, 24, 24) and y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == W.grad.dtype == b.grad.dtype == np.float32
    expected = conv_reference(x.data.astype(np.float64), W.data.astype(np.float64), None,
                              (1, 1), (0, 0))
    np.testing.assert_allclose(y.data, expected, atol=1e-4)


def test_conv2d_skips_the_gradient_of_constant_images():
    x = np.ones((2, 1, 5, 5))
    W = Variable(np.ones((3, 1, 3, 3)))
    fn, ops = F.conv2d(x, W).creator, []
    while fn is not None:  # down the chain of the output's ancestors to the matmul
        ops.append(type(fn).__name__)
        if ops[-1] == "MatMul":
            break
        fn = fn.inputs[0].creator
    assert ops[-1] == "MatMul"
    assert fn.needs_input_grad == (True, False)  # kernels yes, im2col columns of images no


@pytest.mark.parametrize("x_shape, w_shape, kwargs, match", [
    ((2, 3, 5, 5), (4, 2, 3, 3), {}, r"\(2, 3, 5, 5\) has 3 channels.*\(4, 2, 3, 3\)"),
    ((2, 3, 5), (4, 3, 3, 3), {}, r"\(N, C, H, W\), got \(2, 3, 5\)"),
    ((2, 3, 5, 5), (4, 3, 3), {}, r"weight.*got \(4, 3, 3\)"),
    ((1, 1, 2, 2), (1, 1, 3, 3), {}, r"kernel of size \(3, 3\) is larger.*\(2, 2\)"),
    ((1, 1, 4, 4), (1, 1, 3, 3), {"stride": 0}, r"stride"),
    ((1, 1, 4, 4), (1, 1, 3, 3), {"b": np.zeros(2)}, r"bias of shape \(2,\)"),
])
def test_conv2d_errors_name_the_shapes(x_shape, w_shape, kwargs, match):
    with pytest.raises(ValueError, match=match):
        F.conv2d(np.zeros(x_shape), np.zeros(w_shape), **kwargs)
