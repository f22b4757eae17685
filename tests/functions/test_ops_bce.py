"""binary_cross_entropy and binary_cross_entropy_with_logits: rows of the op-spec suite (every
property of ``test_ops``, over weights, pos_weight and the three reductions, odd shapes
included), PyTorch's values and gradients, its floors at p = 0 and 1, and clear errors."""

import numpy as np
import pytest
from hypothesis import strategies as st

import autograd_lite.functions as F
import tests.functions.test_ops as ops
from autograd_lite import Variable, nn
from autograd_lite.testing import gradcheck, gradgradcheck

Spec = ops.Spec
torch = pytest.importorskip("torch")


def _reduce(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](loss)


def _bce_ref(p, t, weight=None, reduction="mean"):
    loss = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    return _reduce(loss * (1 if weight is None else weight), reduction)


def _bce_logits_ref(x, t, weight=None, pos_weight=None, reduction="mean"):
    p = 1 / (1 + np.exp(-x))
    pw = 1 if pos_weight is None else pos_weight
    loss = -(pw * t * np.log(p) + (1 - t) * np.log(1 - p))
    return _reduce(loss * (1 if weight is None else weight), reduction)


@st.composite
def bce_args(draw, logits):
    """Input and target of one shape (0-d, size-0 and size-1 axes included); a weight and a
    pos_weight of shapes that broadcast to it, or none; a reduction."""
    shape = draw(ops.ast.shapes())
    x = draw(ops.ast.arrays(shape, low=-4.0, high=4.0) if logits
             else ops.ast.arrays(shape, low=0.05, high=0.95))
    arrays = [x, draw(ops.ast.arrays(shape, low=0.0, high=1.0))]
    kwargs = {"reduction": draw(st.sampled_from(["mean", "sum", "none"]))}
    extras = ["weight", "pos_weight"] if logits else ["weight"]
    for name in extras:
        if draw(st.booleans()):
            cut = draw(st.integers(0, len(shape)))  # a trailing part, size-1 axes allowed
            small = tuple(draw(st.sampled_from([1, n])) for n in shape[cut:])
            arrays.append(draw(ops.ast.arrays(small, low=0.2, high=2.0)))
            kwargs.setdefault("names", []).append(name)
    return tuple(arrays), kwargs


def _bind(fn):
    """Call `fn(x, t, **named)` with the extra arrays passed under their names."""
    def call(x, t, *extra, reduction, names=()):
        return fn(x, t, reduction=reduction, **dict(zip(names, extra)))
    return call


BCE_SPECS = [
    Spec("binary_cross_entropy", _bind(F.binary_cross_entropy), _bind(_bce_ref),
         bce_args(logits=False)),
    Spec("binary_cross_entropy_with_logits", _bind(F.binary_cross_entropy_with_logits),
         _bind(_bce_logits_ref), bce_args(logits=True)),
]


@pytest.mark.parametrize("prop", ops.PROPERTIES, ids=lambda p: p.__name__.removeprefix("test_"))
@pytest.mark.parametrize("spec", BCE_SPECS, ids=[s.name for s in BCE_SPECS])
def test_bce_op(spec, prop):
    prop(spec)


# ----------------------------------------------------------------------------- against PyTorch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape, weight_shape", [
    ((4, 3), None), ((4, 3), (3,)), ((2, 1, 5), (1, 5)), ((), ()), ((0, 3), (3,))])
def test_values_and_gradients_match_pytorch(reduction, shape, weight_shape):
    rng = np.random.default_rng(0)
    p = rng.uniform(0.01, 0.99, shape).astype(np.float32)
    x = rng.normal(0, 3, shape).astype(np.float32)
    t = rng.uniform(0, 1, shape).astype(np.float32)
    w = None if weight_shape is None else rng.uniform(0.5, 2, weight_shape).astype(np.float32)
    pw = None if weight_shape is None else rng.uniform(0.5, 3, weight_shape).astype(np.float32)
    tt = {k: None if v is None else torch.from_numpy(v) for k, v in dict(w=w, pw=pw).items()}
    cases = [
        (lambda a, b: F.binary_cross_entropy(a, b, w, reduction),
         lambda a, b: torch.nn.functional.binary_cross_entropy(a, b, tt["w"],
                                                              reduction=reduction), p),
        (lambda a, b: F.binary_cross_entropy_with_logits(a, b, w, reduction, pw),
         lambda a, b: torch.nn.functional.binary_cross_entropy_with_logits(
             a, b, tt["w"], reduction=reduction, pos_weight=tt["pw"]), x),
    ]
    for ours, theirs, inp in cases:
        a, b = Variable(inp), Variable(t)
        at, bt = (torch.tensor(v, requires_grad=True) for v in (inp, t))
        y, yt = ours(a, b), theirs(at, bt)
        assert y.dtype == np.float32 and y.shape == tuple(yt.shape)
        np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-5, atol=1e-5)
        g = rng.standard_normal(y.shape).astype(np.float32)
        y.backward(g)
        yt.backward(torch.from_numpy(g))
        for ours_grad, theirs_grad in ((a.grad, at.grad), (b.grad, bt.grad)):
            np.testing.assert_allclose(ours_grad.data, theirs_grad.numpy(), rtol=1e-4,
                                       atol=1e-5)


def test_modules_match_pytorch():
    rng = np.random.default_rng(1)
    x = rng.normal(0, 2, (5, 4)).astype(np.float32)
    t = (rng.random((5, 4)) > 0.5).astype(np.float32)
    w, pw = rng.uniform(0.5, 2, 4).astype(np.float32), rng.uniform(0.5, 3, 4).astype(np.float32)
    p = 1 / (1 + np.exp(-x))
    for reduction in ("mean", "sum", "none"):
        ours = nn.BCELoss(weight=w, reduction=reduction)(p, t).data
        theirs = torch.nn.BCELoss(weight=torch.from_numpy(w), reduction=reduction)(
            torch.from_numpy(p), torch.from_numpy(t))
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-5, atol=1e-6)
        ours = nn.BCEWithLogitsLoss(weight=w, reduction=reduction, pos_weight=pw)(x, t).data
        theirs = torch.nn.BCEWithLogitsLoss(weight=torch.from_numpy(w), reduction=reduction,
                                            pos_weight=torch.from_numpy(pw))(
            torch.from_numpy(x), torch.from_numpy(t))
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_saturated_probabilities_are_floored_as_pytorch():
    """p = 0 or 1 (a saturated sigmoid in float32): each log is floored at -100 and the
    gradient divides by max(p (1 - p), 1e-12), so both stay finite, as PyTorch's."""
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.5], np.float64)
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.3], np.float64)
    a = Variable(p)
    y = F.binary_cross_entropy(a, t, reduction="sum")
    y.backward()
    at = torch.tensor(p, requires_grad=True)
    yt = torch.nn.functional.binary_cross_entropy(at, torch.from_numpy(t), reduction="sum")
    yt.backward()
    assert np.isfinite(y.data) and np.all(np.isfinite(a.grad.data))
    np.testing.assert_allclose(y.data, yt.item(), rtol=1e-12)
    np.testing.assert_allclose(a.grad.data, at.grad.numpy(), rtol=1e-8)  # its eps is float32


def test_logits_are_exact_at_any_size():
    x = Variable(np.array([-1000.0, 1000.0, -1000.0, 1000.0]))
    t = np.array([1.0, 0.0, 0.0, 1.0])
    y = F.binary_cross_entropy_with_logits(x, t, reduction="none", pos_weight=np.array(2.0))
    np.testing.assert_array_equal(y.data, [2000.0, 1000.0, 0.0, 0.0])
    y.backward(np.ones(4))
    np.testing.assert_array_equal(x.grad.data, [-2.0, 1.0, 0.0, 0.0])


def test_gradcheck_float64_with_weights_and_second_order():
    rng = np.random.default_rng(2)
    p, x = rng.uniform(0.1, 0.9, (3, 4)), rng.normal(0, 2, (3, 4))
    t, w, pw = rng.uniform(0, 1, (3, 4)), rng.uniform(0.5, 2, (4,)), rng.uniform(0.5, 3, (4,))
    assert gradcheck(lambda p, t, w: F.binary_cross_entropy(p, t, w, "sum"), p, t, w)
    assert gradgradcheck(lambda p, t, w: F.binary_cross_entropy(p, t, w, "sum"), p, t, w)
    assert gradcheck(lambda x, t, w, pw: F.binary_cross_entropy_with_logits(x, t, w, "mean", pw),
                     x, t, w, pw)
    assert gradgradcheck(lambda x, t, pw: F.binary_cross_entropy_with_logits(
        x, t, None, "sum", pw), x, t, pw)


@pytest.mark.parametrize("call, message", [
    (lambda: F.binary_cross_entropy(np.array([0.5, 1.5]), np.array([1.0, 0.0])),
     r"binary_cross_entropy: input must hold probabilities in \[0, 1\], got values from 0.5 "
     r"to 1.5"),
    (lambda: F.binary_cross_entropy(np.full((2, 3), 0.5), np.ones((3,))),
     r"binary_cross_entropy: input of shape \(2, 3\) and targets of shape \(3,\) differ"),
    (lambda: F.binary_cross_entropy_with_logits(np.zeros((2, 3)), np.zeros((2, 3)),
                                                 weight=np.ones(2)),
     r"binary_cross_entropy_with_logits: weight of shape \(2,\) does not broadcast to the "
     r"input's shape \(2, 3\)"),
    (lambda: F.binary_cross_entropy_with_logits(np.zeros((2, 3)), np.zeros((2, 3)),
                                                 pos_weight=np.ones((4,))),
     r"pos_weight of shape \(4,\) does not broadcast"),
    (lambda: F.binary_cross_entropy_with_logits(np.zeros(2), np.zeros(2), reduction="avg"),
     r"reduction must be one of 'mean', 'sum', 'none', got 'avg'"),
])
def test_bad_input_is_refused_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()
