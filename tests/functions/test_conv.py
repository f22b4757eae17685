"""conv2d, conv_transpose2d, im2col and col2im: the loop-over-pixels references and input
strategies that the op-spec rows (test_ops_layers.py) use, the adjoint property, dtype, and
errors."""

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


def conv_transpose_reference(x, W, b, stride, padding, output_padding):
    """Every input pixel adds its kernel-sized patch into a large canvas, which is cropped."""
    (sh, sw), (ph, pw), (eh, ew) = stride, padding, output_padding
    n, _, h, w = x.shape
    _, c_out, kh, kw = W.shape
    canvas = np.zeros((n, c_out, (h - 1) * sh + kh + eh, (w - 1) * sw + kw + ew))
    for i in range(h):
        for j in range(w):
            canvas[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += np.einsum(
                "nc,cokl->nokl", x[:, :, i, j], W)
    oh, ow = canvas.shape[2] - 2 * ph, canvas.shape[3] - 2 * pw
    y = canvas[:, :, ph:ph + oh, pw:pw + ow]
    return y if b is None else y + b.reshape(1, -1, 1, 1)


@st.composite
def conv_transpose_cases(draw, max_side=4, max_batch=2, max_ch=2):
    """Valid transposed convolutions: odd sizes, strides, cropping padding, output_padding."""
    n, c_in, c_out = (draw(st.integers(1, max_batch)), draw(st.integers(1, max_ch)),
                      draw(st.integers(1, max_ch + 1)))
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    eh, ew = draw(st.integers(0, sh - 1)), draw(st.integers(0, sw - 1))
    # keep at least one output row and column: (h - 1) * sh + kh + eh - 2 * ph >= 1
    ph = draw(st.integers(0, min(2, ((h - 1) * sh + kh + eh - 1) // 2)))
    pw = draw(st.integers(0, min(2, ((w - 1) * sw + kw + ew - 1) // 2)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((n, c_in, h, w))
    W = rng.standard_normal((c_in, c_out, kh, kw))
    b = rng.standard_normal(c_out) if draw(st.booleans()) else None
    return x, W, b, (sh, sw), (ph, pw), (eh, ew)


@pytest.mark.parametrize("batch_last", [False, True], ids=["per_image", "batch_last"])
@given(k=st.integers(1, 3), s=st.integers(1, 2), p=st.integers(0, 1),
       seed=st.integers(0, 2**16))
def test_col2im_is_the_adjoint_of_im2col(batch_last, k, s, p, seed):
    """<im2col(x), c> == <x, col2im(c)>: each is the other's gradient, in both layouts."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 3, 5, 4))
    cols = F.im2col(x, k, s, p, batch_last=batch_last).data
    c = rng.standard_normal(cols.shape)
    back = F.col2im(c, x.shape, k, s, p, batch_last=batch_last).data
    assert back.shape == x.shape
    assert back.flags.c_contiguous or not batch_last  # batch last: copied back to NCHW
    assert np.isclose(np.sum(cols * c), np.sum(x * back))
    small = rng.standard_normal((2, 1, 3, 3))  # two images: the batch-last order matters
    c_small = rng.standard_normal(F.im2col(small, k, s, p, batch_last=batch_last).shape)
    assert gradgradcheck(lambda v: F.im2col(v, k, s, p, batch_last=batch_last) ** 2, small)
    assert gradgradcheck(
        lambda v: F.col2im(v, small.shape, k, s, p, batch_last=batch_last) ** 2, c_small)


def test_batch_last_columns_are_the_per_image_columns_reordered():
    x = np.random.default_rng(0).standard_normal((3, 2, 5, 6))
    per_image = F.im2col(x, (2, 3), 2, 1).data  # (N, C*kh*kw, OH*OW)
    batch_last = F.im2col(x, (2, 3), 2, 1, batch_last=True).data  # (C*kh*kw, OH*OW*N)
    np.testing.assert_array_equal(batch_last, per_image.transpose(1, 2, 0).reshape(12, -1))


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


def test_conv_transpose2d_is_the_input_gradient_of_conv2d():
    """conv_transpose2d(g, W) == d<conv2d(x, W), g>/dx: what makes it a transposed conv."""
    rng = np.random.default_rng(0)
    x = Variable(rng.standard_normal((2, 3, 7, 7)))
    W = rng.standard_normal((4, 3, 3, 2))  # conv2d: (out, in, kh, kw) = transpose2d: (in, out)
    y = F.conv2d(x, W, stride=2, padding=1)
    g = rng.standard_normal(y.shape)
    y.backward(g)
    # conv2d maps widths 6 and 7 alike to 4: output_padding=(0, 1) asks for 7 back
    back = F.conv_transpose2d(g, W, stride=2, padding=1, output_padding=(0, 1))
    assert back.shape == x.shape
    np.testing.assert_allclose(back.data, x.grad.data, atol=1e-12)


def test_conv_transpose2d_dcgan_shapes_float32_kept():
    rng = np.random.default_rng(0)
    z = Variable(rng.standard_normal((3, 8, 1, 1)).astype(np.float32))
    W1 = Variable(rng.standard_normal((8, 6, 7, 7)).astype(np.float32))
    W2 = Variable(rng.standard_normal((6, 1, 4, 4)).astype(np.float32))
    h = F.conv_transpose2d(z, W1)  # 1x1 -> 7x7
    y = F.conv_transpose2d(h, W2, stride=2, padding=1)  # 7x7 -> 14x14
    assert h.shape == (3, 6, 7, 7) and y.shape == (3, 1, 14, 14) and y.dtype == np.float32
    y.sum().backward()
    assert z.grad.dtype == W1.grad.dtype == W2.grad.dtype == np.float32
    f64 = [v.data.astype(np.float64) for v in (z, W1, W2)]
    expected = conv_transpose_reference(conv_transpose_reference(f64[0], f64[1], None, (1, 1),
                                                                 (0, 0), (0, 0)),
                                        f64[2], None, (2, 2), (1, 1), (0, 0))
    np.testing.assert_allclose(y.data, expected, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("x_shape, w_shape, kwargs, match", [
    ((2, 3, 5, 5), (4, 2, 3, 3), {}, r"\(2, 3, 5, 5\) has 3 channels.*\(4, 2, 3, 3\) expects 4"),
    ((2, 3, 5), (3, 2, 3, 3), {}, r"\(N, C, H, W\), got \(2, 3, 5\)"),
    ((2, 3, 5, 5), (3, 2, 3), {}, r"weight.*got \(3, 2, 3\)"),
    ((1, 1, 4, 4), (1, 2, 3, 3), {"b": np.zeros(1)}, r"bias of shape \(1,\).*expected \(2,\)"),
    ((1, 1, 4, 4), (1, 1, 3, 3), {"stride": 0}, r"stride \(0, 0\) must be positive"),
    ((1, 1, 4, 4), (1, 1, 3, 3), {"stride": 2, "output_padding": 2}, r"smaller than the stride"),
    ((1, 1, 1, 1), (1, 1, 1, 1), {"padding": 1}, r"empty output \(-1, -1\)"),
])
def test_conv_transpose2d_errors_name_the_shapes(x_shape, w_shape, kwargs, match):
    with pytest.raises(ValueError, match=match):
        F.conv_transpose2d(np.zeros(x_shape), np.zeros(w_shape), **kwargs)


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
