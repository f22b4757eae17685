"""The transformer primitives (layer_norm, masked_softmax, scaled_dot_product_attention, ndtr,
the fast gelu) as rows of the op-spec suite, plus their edge cases: fully masked rows, mask
kinds, errors, and PyTorch's values where torch is installed."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite.functions as F
import tests.functions.test_ops as ops
from autograd_lite import Variable, grad
from autograd_lite.functions.gaussian import erfc_nonnegative, gelu
from autograd_lite.testing import gradcheck, gradgradcheck

Spec = ops.Spec
ast = ops.ast
_erfc = np.vectorize(math.erfc, otypes=[np.float64])


# ----------------------------------------------------------------------------- references


def masked_softmax_ref(x, bias=None, keep=None, axis=-1):
    z = x if bias is None else x + bias
    if keep is not None:
        z = np.where(keep, z, -np.inf)
    top = z.max(axis=axis, keepdims=True) if z.size else z
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(z - top)
    total = e.sum(axis=axis, keepdims=True)
    return e / np.where(total == 0, 1.0, total)


def sdpa_ref(q, k, v, bias=None, keep=None, is_causal=False, scale=None):
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ np.swapaxes(k, -1, -2) * scale
    if is_causal:
        keep = np.tri(q.shape[-2], k.shape[-2], dtype=bool)
    return masked_softmax_ref(scores, bias, keep) @ v


def layer_norm_ref(x, weight=None, bias=None, n_axes=1):
    axes = tuple(range(x.ndim - n_axes, x.ndim))
    y = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + 1e-5)
    return y * (1 if weight is None else weight) + (0 if bias is None else bias)


def ndtr_ref(x):
    return 0.5 * _erfc(-x / math.sqrt(2))


# ----------------------------------------------------------------------------- strategies


def _mask(draw, shape, float_mask):
    """A boolean keep-mask or an additive float mask (with some -inf) broadcastable to shape,
    sometimes removing every position of a row."""
    mshape = tuple(n if draw(st.booleans()) else 1 for n in shape[-draw(st.integers(1, 2)):])
    seed = draw(st.integers(0, 2**16))
    r = np.random.default_rng(seed)
    keep = r.random(mshape) > 0.3
    if draw(st.booleans()):  # a row that may see nothing
        if keep.ndim > 1:
            keep[..., 0, :] = False
        else:
            keep[...] = False
    if not float_mask:
        return keep
    return np.where(keep, r.uniform(-2, 2, mshape), -np.inf)


@st.composite
def masked_softmax_args(draw):
    x = draw(ast.arrays(ast.shapes(min_dims=1)))
    kind = draw(st.sampled_from(["none", "bool", "float"]))
    if kind == "none":
        return (x,), {}
    mask = _mask(draw, x.shape, kind == "float")
    # A float mask is a constant here: the engine double-counts a gradient handed to two
    # inputs at once in gradgradcheck (see F.exp(x + b)); its own gradient is checked below.
    return (x,), {"keep" if kind == "bool" else "bias": mask}


def _masked_softmax(x, bias=None, keep=None):
    return F.masked_softmax(x, keep if bias is None else bias)


@st.composite
def sdpa_args(draw):
    batch = draw(ast.shapes(max_dims=2, max_side=2))
    L, S = draw(st.integers(1, 3)), draw(st.integers(1, 3))  # size 0: see test_empty_*
    E, Ev = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    q = draw(ast.arrays(batch + (L, E)))
    k = draw(ast.arrays(batch + (S, E)))
    v = draw(ast.arrays(batch + (S, Ev)))
    kwargs = {"scale": draw(st.none() | st.floats(0.2, 2.0))}
    kind = draw(st.sampled_from(["none", "bool", "float", "causal"]))
    if kind == "causal":
        kwargs["is_causal"] = True
    elif kind == "bool":
        kwargs["keep"] = _mask(draw, batch + (L, S), False)
    elif kind == "float":
        kwargs["bias"] = _mask(draw, batch + (L, S), True)
    return (q, k, v), kwargs


def _sdpa(q, k, v, bias=None, keep=None, **kwargs):
    return F.scaled_dot_product_attention(q, k, v, keep if bias is None else bias, **kwargs)


@st.composite
def layer_norm_args(draw):
    normalized = draw(ast.shapes(min_dims=1, max_dims=2, max_side=3))
    batch = draw(ast.shapes(max_dims=2, max_side=2))
    # distinct values: no slice is nearly constant, where the gradient would be huge
    x = draw(ast.arrays(batch + normalized, distinct=True, margin=0.1))
    arrays = [x]
    for _ in range(draw(st.integers(0, 2))):
        arrays.append(draw(ast.arrays(normalized)))
    return tuple(arrays), {"n_axes": len(normalized)}


def _layer_norm(x, weight=None, bias=None, n_axes=1):
    return F.layer_norm(x, x.shape[x.ndim - n_axes:], weight, bias)


ATTENTION_SPECS = [
    Spec("masked_softmax", _masked_softmax, masked_softmax_ref, masked_softmax_args()),
    Spec("scaled_dot_product_attention", _sdpa, sdpa_ref, sdpa_args()),
    Spec("layer_norm", _layer_norm, layer_norm_ref, layer_norm_args(), atol=1e-4),
    Spec("ndtr", F.ndtr, ndtr_ref, ops.unary(-6, 6)),
    Spec("gelu_fast", gelu, lambda x: x * ndtr_ref(x), ops.unary()),
    Spec("gelu_fast_tanh", lambda x: gelu(x, "tanh"),
         lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
         ops.unary()),
]
IDS = [s.name for s in ATTENTION_SPECS]
PROPERTIES = [ops.test_value_matches_reference, ops.test_gradcheck, ops.test_gradgradcheck,
              ops.test_fast_and_recorded_backward_agree, ops.test_inputs_not_mutated,
              ops.test_float32_kept, ops.test_non_contiguous_inputs]


@pytest.mark.parametrize("prop", PROPERTIES, ids=lambda p: p.__name__.removeprefix("test_"))
@pytest.mark.parametrize("spec", ATTENTION_SPECS, ids=IDS)
def test_attention_op(spec, prop):
    prop(spec)


# ----------------------------------------------------------------------------- masks


def _qkv(seed=0, batch=(2,), L=3, S=4, E=5, Ev=2):
    r = np.random.default_rng(seed)
    return (r.standard_normal(batch + (L, E)), r.standard_normal(batch + (S, E)),
            r.standard_normal(batch + (S, Ev)))


def test_fully_masked_rows_give_zeros_and_finite_gradients():
    q, k, v = (Variable(a) for a in _qkv())
    keep = np.ones((3, 4), bool)
    keep[1] = False
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
    out.backward(np.ones(out.shape))
    np.testing.assert_array_equal(out.data[:, 1], 0.0)
    for x in (q, k, v):
        assert np.all(np.isfinite(x.grad.data))
    np.testing.assert_array_equal(q.grad.data[:, 1], 0.0)  # the masked query has no influence
    additive = np.where(keep, 0.0, -np.inf)
    np.testing.assert_allclose(
        F.scaled_dot_product_attention(*_qkv(), attn_mask=additive).data, out.data)


def test_second_derivatives_finite_with_masked_rows():
    q, k, v = _qkv(batch=())
    keep = np.tri(3, 4, dtype=bool)
    keep[0] = False
    assert gradgradcheck(lambda *a: F.scaled_dot_product_attention(*a, attn_mask=keep), q, k, v)


def test_bool_and_additive_masks_agree_and_causal_is_top_left():
    q, k, v = _qkv(L=4, S=3)
    causal = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    keep = np.tri(4, 3, dtype=bool)
    np.testing.assert_allclose(causal.data, F.scaled_dot_product_attention(
        q, k, v, attn_mask=keep).data)
    np.testing.assert_allclose(causal.data, F.scaled_dot_product_attention(
        q, k, v, attn_mask=np.where(keep, 0.0, -np.inf)).data)
    weights = F.attention_weights(q, k, is_causal=True).data
    np.testing.assert_array_equal(weights[:, 0, 1:], 0.0)
    np.testing.assert_allclose(weights.sum(-1), 1.0)


def test_a_mask_broadcasts_over_batch_and_heads():
    q, k, v = _qkv(batch=(2, 3))
    keep = np.random.default_rng(1).random((2, 1, 3, 4)) > 0.3
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
    for b in range(2):
        for h in range(3):
            np.testing.assert_allclose(out.data[b, h], sdpa_ref(q[b, h], k[b, h], v[b, h],
                                                                 keep=keep[b, 0]))


def test_a_float_mask_variable_gets_the_score_gradient():
    q, k, v = _qkv(batch=())
    bias = Variable(np.random.default_rng(2).standard_normal((3, 4)))
    assert gradcheck(lambda b: F.scaled_dot_product_attention(q, k, v, attn_mask=b), bias)


def test_default_scale_is_one_over_sqrt_e():
    q, k, v = _qkv(E=16)
    np.testing.assert_allclose(F.scaled_dot_product_attention(q, k, v).data,
                               F.scaled_dot_product_attention(q, k, v, scale=0.25).data)


def test_dropout_on_the_weights_is_seeded_and_scaled():
    q, k, v = _qkv(batch=(4,), L=8, S=8)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5, rng=np.random.default_rng(3))
    b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a.data, b.data)
    weights = F.attention_weights(q, k).data
    keep = np.random.default_rng(3).random(weights.shape) >= 0.5
    np.testing.assert_allclose(a.data, (np.where(keep, weights * 2, 0)) @ v)


@pytest.mark.parametrize("kwargs, message", [
    ({"attn_mask": np.ones((3, 4), bool), "is_causal": True}, "not both"),
    ({"attn_mask": np.ones((3, 5), bool)}, r"attn_mask of shape \(3, 5\)"),
    ({"attn_mask": np.ones((3, 4), np.int64)}, "boolean .* or float"),
])
def test_mask_errors(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        F.scaled_dot_product_attention(*_qkv(), **kwargs)


def test_shape_errors_name_the_op():
    q, k, v = _qkv()
    with pytest.raises(ValueError, match="scaled_dot_product_attention: query"):
        F.scaled_dot_product_attention(q, k[..., :3], v)
    with pytest.raises(ValueError, match="scaled_dot_product_attention: value"):
        F.scaled_dot_product_attention(q, k, v[:, :2])


def test_empty_queries_keys_and_rows():
    q, k, v = _qkv(L=0)
    assert F.scaled_dot_product_attention(q, k, v).shape == (2, 0, 2)
    q, k, v = (Variable(a) for a in _qkv(S=0))
    out = F.scaled_dot_product_attention(q, k, v)  # no key at all: like a fully masked row
    out.backward(np.ones(out.shape))
    np.testing.assert_array_equal(out.data, np.zeros((2, 3, 2)))
    assert q.grad.shape == q.shape and np.all(q.grad.data == 0)
    assert F.layer_norm(np.ones((0, 3)), 3).shape == (0, 3)
    assert F.masked_softmax(np.ones((2, 0)), np.ones((2, 0), bool)).shape == (2, 0)


# ----------------------------------------------------------------------------- layer_norm


def test_layer_norm_checks_shapes_and_dtypes():
    x = np.ones((2, 3), np.float32)
    with pytest.raises(ValueError, match=r"does not end in normalized_shape \(4,\)"):
        F.layer_norm(x, 4)
    with pytest.raises(ValueError, match=r"weight of shape \(2,\)"):
        F.layer_norm(x, 3, np.ones(2, np.float32))
    with pytest.raises(TypeError, match="input is float32 but weight is float64"):
        F.layer_norm(x, 3, np.ones(3))


def test_layer_norm_of_a_constant_row_is_zero_with_a_finite_gradient():
    x = Variable(np.full((2, 4), 3.0))
    y = F.layer_norm(x, 4, eps=1e-4)
    g = np.arange(8.0).reshape(2, 4)
    y.backward(g)
    np.testing.assert_array_equal(y.data, 0.0)
    # only the eps keeps the slope finite: (g - mean(g)) / sqrt(eps), as in PyTorch
    np.testing.assert_allclose(x.grad.data, (g - g.mean(1, keepdims=True)) * 100, rtol=1e-12)


# ----------------------------------------------------------------------------- ndtr, gelu


@pytest.mark.parametrize("dtype, rtol_to_4, rtol", [(np.float64, 2e-14, 2e-13),
                                                     (np.float32, 2e-6, 1e-5)])
def test_erfc_accuracy(dtype, rtol_to_4, rtol):
    z = np.linspace(0, 9, 20001).astype(dtype)
    expected = _erfc(z.astype(np.float64))
    got = erfc_nonnegative(z)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=0)
    np.testing.assert_allclose(got[z < 4], expected[z < 4], rtol=rtol_to_4, atol=0)


def test_ndtr_tails_are_exact_and_large_inputs_saturate():
    x = np.array([-40.0, -20.0, -8.0, 8.0, 40.0, 1e6, -1e6])
    np.testing.assert_allclose(F.ndtr(x).data, ndtr_ref(x), rtol=1e-12, atol=0)
    assert F.ndtr(np.array(0.0)).shape == ()


def test_gelu_gradient_of_every_order_in_float32_and_float64():
    x = Variable(np.linspace(-4, 4, 9))
    (g,) = grad(gelu(x).sum(), [x], create_graph=True)
    (h,) = grad(g.sum(), [x])
    phi = np.exp(-x.data**2 / 2) / math.sqrt(2 * math.pi)
    np.testing.assert_allclose(g.data, ndtr_ref(x.data) + x.data * phi, rtol=1e-12)
    np.testing.assert_allclose(h.data, 2 * phi - x.data**2 * phi, rtol=1e-10, atol=1e-15)


# ----------------------------------------------------------------------------- PyTorch


@given(sdpa_args())
def test_sdpa_matches_pytorch(case):
    torch = pytest.importorskip("torch")
    arrays, kwargs = case
    mask = kwargs.get("bias", kwargs.get("keep"))
    if mask is not None and mask.ndim < 2:  # PyTorch wants an (L, S) mask at least
        mask = mask.reshape((1,) * (2 - mask.ndim) + mask.shape)
    qkv = [Variable(a) for a in arrays]
    out = F.scaled_dot_product_attention(*qkv, attn_mask=mask, is_causal=kwargs.get(
        "is_causal", False), scale=kwargs["scale"])
    g = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(g)
    tqkv = [torch.tensor(a, requires_grad=True) for a in arrays]
    t_out = torch.nn.functional.scaled_dot_product_attention(
        *tqkv, attn_mask=None if mask is None else torch.tensor(mask),
        is_causal=kwargs.get("is_causal", False), scale=kwargs["scale"])
    t_out.backward(torch.tensor(g))
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    for ours, theirs in zip(qkv, tqkv):
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
@pytest.mark.parametrize("dtype, tol", [(np.float32, 2e-6), (np.float64, 1e-13)])
def test_gelu_and_ndtr_match_pytorch(approximate, dtype, tol):
    torch = pytest.importorskip("torch")
    x = np.concatenate([np.linspace(-12, 12, 2001), [-40.0, 40.0]]).astype(dtype)
    xv = Variable(x)
    y = gelu(xv, approximate)
    y.backward(np.ones_like(x))
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.gelu(xt, approximate=approximate)
    yt.backward(torch.ones_like(yt))
    assert y.dtype == xv.grad.dtype == dtype
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(xv.grad.data, xt.grad.numpy(), rtol=tol, atol=tol)
    # (torch.special.ndtr is not compared: it rounds to 0 below x = -8, where ours is exact)
