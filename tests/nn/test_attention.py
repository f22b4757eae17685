"""LayerNorm, MultiheadAttention and the new activations: behaviour, errors, and (where torch
is installed) forward values and gradients of inputs and parameters against PyTorch, in
float32 and float64, with the same weights copied into both."""

import numpy as np
import pytest

import autograd_lite.functions as F
from autograd_lite import Variable, nn

DTYPES = [(np.float64, 1e-10), (np.float32, 2e-5)]


def _to_dtype(module, dtype):
    for p in module.parameters():
        p.data = p.data.astype(dtype)
    return module


def _copy_from_torch(ours, theirs, dtype):
    """Load PyTorch's state dict into ours (the keys must be the same) in `dtype`."""
    _to_dtype(ours, dtype)
    state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    assert list(state) == list(ours.state_dict())
    ours.load_state_dict(state)


def _compare_grads(ours, theirs, tol):
    named = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, named[name].grad.numpy(), rtol=tol, atol=tol,
                                   err_msg=name)
        assert p.grad.dtype == p.dtype


# ----------------------------------------------------------------------------- LayerNorm


def test_layernorm_parameters_and_value():
    ln = nn.LayerNorm(4)
    assert ln.weight.dtype == np.float32 and ln.weight.shape == (4,)
    np.testing.assert_array_equal(ln.weight.data, 1)
    np.testing.assert_array_equal(ln.bias.data, 0)
    x = np.random.default_rng(0).normal(3, 2, (5, 4)).astype(np.float32)
    y = ln(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data.mean(-1), 0, atol=1e-6)
    np.testing.assert_allclose(y.data.var(-1), 1, atol=1e-4)
    assert nn.LayerNorm(4, bias=False).bias is None
    assert list(nn.LayerNorm((2, 3), elementwise_affine=False).parameters()) == []
    assert repr(nn.LayerNorm(4)) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True)"


@pytest.mark.parametrize("dtype, tol", DTYPES)
@pytest.mark.parametrize("shape, bias", [((4,), True), ((3, 4), True), ((4,), False)])
def test_layernorm_matches_pytorch(dtype, tol, shape, bias):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.LayerNorm(shape, bias=bias).to(torch.float64 if dtype == np.float64
                                                     else torch.float32)
    with torch.no_grad():  # not the trivial ones and zeros
        for p in theirs.parameters():
            p.copy_(torch.randn(p.shape))
    ours = nn.LayerNorm(shape, bias=bias)
    _copy_from_torch(ours, theirs, dtype)
    r = np.random.default_rng(0)
    x = r.standard_normal((2, 5) + shape).astype(dtype)
    g = r.standard_normal(x.shape).astype(dtype)
    xv, xt = Variable(x), torch.tensor(x, requires_grad=True)
    y, yt = ours(xv), theirs(xt)
    y.backward(g)
    yt.backward(torch.tensor(g))
    assert y.dtype == xv.grad.dtype == dtype
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(xv.grad.data, xt.grad.numpy(), rtol=tol, atol=tol)
    _compare_grads(ours, theirs, tol)


def test_float64_input_to_a_float32_layer_says_how_to_fix_it():
    for layer, call in [(nn.LayerNorm(3), lambda m, x: m(x)),
                        (nn.MultiheadAttention(4, 2), lambda m, x: m(x, x, x))]:
        x = np.ones((2, 3, layer.weight.shape[0] if hasattr(layer, "weight") else 4))
        with pytest.raises(TypeError, match=r"input|query.*float64.*float32.*astype\(np.float32"):
            call(layer, x)
        call(layer, x.astype(np.float32))  # the fix works
        _to_dtype(layer, np.float64)
        assert call(layer, x) is not None  # and so does the other fix


# ----------------------------------------------------------------------------- MultiheadAttention


def test_mha_parameters_follow_pytorch_layout_and_init():
    mha = nn.MultiheadAttention(8, 2, rng=np.random.default_rng(0))
    assert [(n, p.shape) for n, p in mha.named_parameters()] == [
        ("in_proj_weight", (24, 8)), ("in_proj_bias", (24,)), ("out_proj.weight", (8, 8)),
        ("out_proj.bias", (8,))]
    assert all(p.dtype == np.float32 for p in mha.parameters())
    bound = np.sqrt(6 / (8 + 24))  # Xavier-uniform over the packed (3E, E) weight
    assert 0.8 * bound < np.abs(mha.in_proj_weight.data).max() <= bound
    np.testing.assert_array_equal(mha.in_proj_bias.data, 0)
    np.testing.assert_array_equal(mha.out_proj.bias.data, 0)
    assert [n for n, _ in nn.MultiheadAttention(8, 2, bias=False).named_parameters()] == [
        "in_proj_weight", "out_proj.weight"]
    with pytest.raises(ValueError, match="divisible"):
        nn.MultiheadAttention(10, 3)


def _mha_case(kind, batch_first, batched, r, E=8, L=3, S=4, N=2):
    def shape(length):
        if not batched:
            return (length, E)
        return (N, length, E) if batch_first else (length, N, E)
    q = r.standard_normal(shape(L))
    if kind == "self":
        return q, q, q
    k = r.standard_normal(shape(S))
    return (q, k, k) if kind == "shared_kv" else (q, k, r.standard_normal(shape(S)))


def _mha_masks(mask_kind, r, batched, N=2, H=2, L=3, S=4):
    attn_mask = padding = None
    if mask_kind in ("bool", "both"):
        attn_mask = r.random((L, S)) > 0.6
        attn_mask[:, 0] = False  # every query sees a key: PyTorch gives NaN otherwise
    if mask_kind == "float3d":
        attn_mask = r.standard_normal((N * H, L, S) if batched else (H, L, S))
    if mask_kind in ("padding", "both"):
        padding = r.random((N, S) if batched else (S,)) > 0.6
        padding[..., 0] = False
    if mask_kind == "float_padding":
        padding = r.standard_normal((N, S) if batched else (S,))
    return attn_mask, padding


@pytest.mark.parametrize("dtype, tol", DTYPES)
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("kind, mask_kind", [
    ("self", None), ("self", "bool"), ("self", "both"), ("self", "float_padding"),
    ("shared_kv", "float3d"), ("shared_kv", "padding"), ("separate", None),
    ("separate", "both")])
def test_mha_matches_pytorch(dtype, tol, batch_first, kind, mask_kind):
    torch = pytest.importorskip("torch")
    r = np.random.default_rng(0)
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    theirs = torch.nn.MultiheadAttention(8, 2, batch_first=batch_first).to(tdtype)
    with torch.no_grad():
        for p in theirs.parameters():
            p.copy_(torch.randn(p.shape) * 0.5)
    ours = nn.MultiheadAttention(8, 2, batch_first=batch_first)
    _copy_from_torch(ours, theirs, dtype)
    arrays = [a.astype(dtype) for a in _mha_case(kind, batch_first, True, r)]
    attn_mask, padding = (m if m is None or m.dtype == bool else m.astype(dtype) for m in
                          _mha_masks(mask_kind, r, True, S=arrays[1].shape[int(batch_first)]))
    ours_in = [Variable(a) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    if kind != "separate":  # the same object, as a user passes it for self-attention
        ours_in[2], theirs_in[2] = ours_in[1], theirs_in[1]
        if kind == "self":
            ours_in[1] = ours_in[2] = ours_in[0]
            theirs_in[1] = theirs_in[2] = theirs_in[0]
    for average in (True, False):
        out, w = ours(*ours_in, key_padding_mask=padding, attn_mask=attn_mask,
                      average_attn_weights=average)
        t_out, t_w = theirs(*theirs_in, key_padding_mask=None if padding is None
                            else torch.tensor(padding), attn_mask=None if attn_mask is None
                            else torch.tensor(attn_mask), average_attn_weights=average)
        g = r.standard_normal(out.shape).astype(dtype)
        (out * g).sum().backward()
        (t_out * torch.tensor(g)).sum().backward()
        assert out.dtype == w.dtype == dtype
        np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=tol, atol=tol)
        np.testing.assert_allclose(w.data, t_w.detach().numpy(), rtol=tol, atol=tol)
        for a, t in zip(ours_in, theirs_in):
            np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=tol, atol=tol)
        _compare_grads(ours, theirs, tol)
        for m in (ours, theirs):
            m.zero_grad()
        for a, t in zip(ours_in, theirs_in):
            a.grad, t.grad = None, None


@pytest.mark.parametrize("mask_kind", [None, "both", "float3d"])
def test_mha_unbatched_and_need_weights_false_match_pytorch(mask_kind):
    torch = pytest.importorskip("torch")
    r = np.random.default_rng(1)
    theirs = torch.nn.MultiheadAttention(8, 2).double()
    ours = nn.MultiheadAttention(8, 2)
    _copy_from_torch(ours, theirs, np.float64)
    q, k, v = _mha_case("separate", False, False, r)
    attn_mask, padding = _mha_masks(mask_kind, r, False)
    tm = None if attn_mask is None else torch.tensor(attn_mask)
    tp = None if padding is None else torch.tensor(padding)
    for average in (True, False):
        out, w = ours(q, k, v, key_padding_mask=padding, attn_mask=attn_mask,
                      average_attn_weights=average)
        t_out, t_w = theirs(*map(torch.tensor, (q, k, v)), key_padding_mask=tp, attn_mask=tm,
                            average_attn_weights=average)
        assert out.shape == tuple(t_out.shape) and w.shape == tuple(t_w.shape)
        np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(w.data, t_w.detach().numpy(), rtol=1e-10, atol=1e-12)
    out, w = ours(q, k, v, need_weights=False)
    assert w is None
    np.testing.assert_allclose(out.data, theirs(*map(torch.tensor, (q, k, v)),
                                                need_weights=False)[0].detach().numpy(),
                               rtol=1e-10)


def test_mha_causal_self_attention_and_fully_masked_queries():
    mha = nn.MultiheadAttention(4, 2, batch_first=True)
    x = np.random.default_rng(0).standard_normal((2, 5, 4)).astype(np.float32)
    causal = np.triu(np.ones((5, 5), bool), 1)  # True: may not attend (the layer's convention)
    out, w = mha(x, x, x, attn_mask=causal, is_causal=True)
    assert np.all(w.data[:, np.triu_indices(5, 1)[0], np.triu_indices(5, 1)[1]] == 0)
    # a later position never changes an earlier output
    x2 = x.copy()
    x2[:, -1] += 1
    np.testing.assert_allclose(mha(x2, x2, x2, attn_mask=causal)[0].data[:, :-1],
                               out.data[:, :-1], rtol=1e-6)
    padding = np.zeros((2, 5), bool)
    padding[1] = True  # the second sequence is all padding: zeros, not NaN
    xv = Variable(x)
    out, w = mha(xv, xv, xv, key_padding_mask=padding)
    out.sum().backward()
    np.testing.assert_array_equal(w.data[1], 0)
    np.testing.assert_allclose(out.data[1], np.broadcast_to(mha.out_proj.bias.data, (5, 4)))
    assert all(np.all(np.isfinite(p.grad.data)) for p in mha.parameters())
    with pytest.raises(ValueError, match="is_causal=True is a hint that needs"):
        mha(x, x, x, is_causal=True)


def test_mha_dropout_is_seeded_and_off_in_eval():
    mha = nn.MultiheadAttention(4, 2, dropout=0.5, batch_first=True,
                                rng=np.random.default_rng(0))
    x = np.random.default_rng(1).standard_normal((2, 6, 4)).astype(np.float32)
    w_train = mha(x, x, x, average_attn_weights=False)[1].data
    assert np.any(w_train == 0) and np.any(w_train > 1 / 6)
    mha.eval()
    w_eval = mha(x, x, x, average_attn_weights=False)[1].data
    np.testing.assert_allclose(w_eval.sum(-1), 1, rtol=1e-6)
    np.testing.assert_allclose(np.where(w_train > 0, w_train / 2, 0), np.where(
        w_train > 0, w_eval, 0), rtol=1e-6)


@pytest.mark.parametrize("args, kwargs, message", [
    (((3, 2, 5),) * 3, {}, r"query of shape \(3, 2, 5\)"),
    (((3, 2, 4), (3, 2, 4), (4, 2, 4)), {}, "do not fit together"),
    (((3, 2, 4), (3, 3, 4), (3, 3, 4)), {}, "do not fit together"),
    (((3, 2, 4),) * 3, {"attn_mask": np.zeros((3, 2), bool)}, r"attn_mask of shape \(3, 2\)"),
    (((3, 2, 4),) * 3, {"key_padding_mask": np.zeros((3, 2), bool)}, "key_padding_mask"),
])
def test_mha_shape_errors(args, kwargs, message):
    mha = nn.MultiheadAttention(4, 2)
    with pytest.raises(ValueError, match=message):
        mha(*(np.ones(s, np.float32) for s in args), **kwargs)


# ----------------------------------------------------------------------------- activations


def test_small_modules():
    x = np.linspace(-2, 2, 12).reshape(3, 4)
    np.testing.assert_allclose(nn.Softmax(dim=0)(x).data, F.softmax(x, axis=0).data)
    np.testing.assert_allclose(nn.LogSoftmax(dim=1)(x).data, F.log_softmax(x, axis=1).data)
    v = Variable(x)
    assert nn.Identity(54, unused=True)(v) is v
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("erf")
    assert repr(nn.GELU("tanh")) == "GELU(approximate='tanh')"


@pytest.mark.parametrize("dtype, tol", DTYPES)
def test_activations_match_pytorch(dtype, tol):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((3, 4, 5)).astype(dtype) * 3
    g = np.random.default_rng(1).standard_normal(x.shape).astype(dtype)
    pairs = [(nn.GELU(), torch.nn.GELU()), (nn.GELU("tanh"), torch.nn.GELU("tanh")),
             (nn.Softmax(1), torch.nn.Softmax(1)), (nn.LogSoftmax(-1), torch.nn.LogSoftmax(-1))]
    for ours, theirs in pairs:
        xv, xt = Variable(x), torch.tensor(x, requires_grad=True)
        y, yt = ours(xv), theirs(xt)
        y.backward(g)
        yt.backward(torch.tensor(g))
        assert y.dtype == xv.grad.dtype == dtype
        np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=tol, atol=tol)
        np.testing.assert_allclose(xv.grad.data, xt.grad.numpy(), rtol=tol, atol=tol)
