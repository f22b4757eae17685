"""The op-spec suite: one row per differentiable function, many generated properties.

Each `Spec` names the function, a plain NumPy reference, and a Hypothesis strategy drawing
``(arrays, kwargs)`` from its domain (away from kinks and poles). Every row gets: the value
against the reference; gradcheck with a random upstream gradient; gradgradcheck where a second
derivative exists; the fast backward mode against the recorded (create_graph) mode; inputs
never mutated; float32 kept in outputs and gradients; non-contiguous inputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite.functions as F
from autograd_lite import Variable, grad
from autograd_lite.testing import gradcheck, gradgradcheck
from autograd_lite.testing import strategies as ast


@dataclass
class Spec:
    name: str
    fn: Callable
    ref: Callable
    args: st.SearchStrategy  # -> (tuple of ndarrays, dict of kwargs)
    second_order: bool = True
    atol: float = 1e-5
    rtol: float = 1e-3


def _erf_ref(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x)


def _sigmoid_ref(x):
    return 1 / (1 + np.exp(-x))


def _softmax_ref(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _lse_ref(x, axis=None, keepdims=False):
    m = x.max(axis=axis, keepdims=True)
    out = np.log(np.exp(x - m).sum(axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis) if axis is not None else out.reshape(())


# ----------------------------------------------------------------------------- strategies


def unary(low=-3.0, high=3.0, avoid=(), distinct=False, **shape_kw):
    return ast.arrays(ast.shapes(**shape_kw), low=low, high=high, avoid=avoid,
                      distinct=distinct).map(lambda x: ((x,), {}))


@st.composite
def binary(draw, low=(-3.0, -3.0), high=(3.0, 3.0), avoid=((), ())):
    sa, sb = draw(ast.broadcastable_shapes(2))
    a = draw(ast.arrays(sa, low=low[0], high=high[0], avoid=avoid[0]))
    b = draw(ast.arrays(sb, low=low[1], high=high[1], avoid=avoid[1]))
    return (a, b), {}


@st.composite
def untied_pair(draw):
    """Two broadcastable arrays that never tie elementwise (for maximum/minimum)."""
    sa, sb = draw(ast.broadcastable_shapes(2))
    a = draw(ast.arrays(sa))
    gap = draw(ast.arrays(np.broadcast_shapes(sa, sb), low=-1.0, high=1.0, avoid=[0.0],
                          margin=0.1))
    b = (np.broadcast_to(a, gap.shape) + gap)
    b = b.reshape(sb) if b.size == int(np.prod(sb)) else np.full(sb, float(a.flat[0]) + 0.5)
    if np.any(np.abs(np.broadcast_to(a, np.broadcast_shapes(sa, sb))
                     - np.broadcast_to(b, np.broadcast_shapes(sa, sb))) < 0.05):
        b = b + 7.0  # shifted clear of every element of a
    return (a, b), {}


@st.composite
def with_axis(draw, low=-3.0, high=3.0, distinct=False, min_dims=0, **extra):
    x = draw(ast.arrays(ast.shapes(min_dims=min_dims), low=low, high=high, distinct=distinct))
    kw = {"axis": draw(ast.axes(x.ndim)), "keepdims": draw(st.booleans())}
    kw.update({k: draw(v) for k, v in extra.items()})
    return (x,), kw


@st.composite
def single_axis(draw, min_dims=1):
    x = draw(ast.arrays(ast.shapes(min_dims=min_dims)))
    return (x,), {"axis": draw(st.integers(-x.ndim, x.ndim - 1))}


@st.composite
def reshapes(draw):
    x = draw(ast.arrays())
    target = draw(st.sampled_from([(-1,), x.shape[::-1], (1,) + x.shape, (x.size, 1)]))
    return (x,), {"shape": target}


@st.composite
def transposes(draw):
    x = draw(ast.arrays())
    axes = draw(st.none() | st.permutations(range(x.ndim)).map(tuple))
    return (x,), {"axes": axes}


@st.composite
def broadcasts(draw):
    small, big = draw(ast.broadcastable_shapes(2))
    target = np.broadcast_shapes(small, big)
    return (draw(ast.arrays(small)),), {"shape": target}


@st.composite
def sums_to(draw):
    small, big = draw(ast.broadcastable_shapes(2))
    target = np.broadcast_shapes(small, big)
    return (draw(ast.arrays(target)),), {"shape": small}


@st.composite
def joins(draw, stacking=False):
    shape = draw(ast.shapes(min_dims=1))
    n = draw(st.integers(1, 3))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    xs = []
    for _ in range(n):
        s = list(shape)
        if not stacking:
            s[axis] = draw(st.integers(1, 3))
        xs.append(draw(ast.arrays(tuple(s))))
    if stacking:
        axis = draw(st.integers(-len(shape) - 1, len(shape)))
    return tuple(xs), {"axis": axis}


@st.composite
def splits(draw):
    x = draw(ast.arrays(ast.shapes(min_dims=1)))
    axis = draw(st.integers(0, x.ndim - 1))
    n = x.shape[axis]
    divisors = [d for d in range(1, n + 1) if n % d == 0]
    sections = draw(st.sampled_from(divisors) | st.lists(st.integers(0, n), max_size=3)
                    .map(sorted))
    return (x,), {"sections": sections, "axis": axis}


@st.composite
def flattens(draw):
    """Any input (0-d counts as one axis, as in PyTorch) and a valid start_dim <= end_dim."""
    x = draw(ast.arrays())
    ndim = x.ndim or 1
    start = draw(st.integers(0, ndim - 1))
    end = draw(st.integers(start, ndim - 1))
    return (x,), {"start_dim": start - draw(st.sampled_from([0, ndim])),
                  "end_dim": end - draw(st.sampled_from([0, ndim]))}


def _flatten_ref(x, start_dim, end_dim):
    shape = x.shape or (1,)
    start, end = start_dim % len(shape), end_dim % len(shape)
    return x.reshape(shape[:start] + (-1,) + shape[end + 1:])


@st.composite
def indexings(draw):
    x = draw(ast.arrays(ast.shapes(min_dims=1)))
    n = x.shape[0]
    kind = draw(st.sampled_from(["int", "slice", "repeat", "mask", "tuple"]))
    if kind == "int":
        index = draw(st.integers(-n, n - 1))
    elif kind == "slice":
        index = slice(draw(st.integers(0, n)), None, draw(st.integers(1, 2)))
    elif kind == "repeat":  # repeated indices add their gradients
        index = np.array(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=5)))
    elif kind == "mask":
        index = np.array(draw(st.lists(st.booleans(), min_size=x.size, max_size=x.size)))
        index = index.reshape(x.shape)
    else:
        index = (slice(None), Ellipsis) if x.ndim == 1 else (
            np.array(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4))),
            draw(st.integers(0, x.shape[1] - 1)))
    return (x,), {"index": index}


@st.composite
def pads(draw):
    x = draw(ast.arrays(ast.shapes(min_dims=1)))
    width = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(x.ndim))
    return (x,), {"pad_width": width}


@st.composite
def matmuls(draw):
    sa, sb = draw(ast.matmul_shapes())
    return (draw(ast.arrays(sa)), draw(ast.arrays(sb))), {}


@st.composite
def linears(draw):
    batch = draw(ast.shapes(min_dims=0, max_dims=2))
    n_in, n_out = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    x = draw(ast.arrays(batch + (n_in,)))
    W = draw(ast.arrays((n_out, n_in)))
    if draw(st.booleans()):
        return (x, W, draw(ast.arrays((n_out,)))), {}
    return (x, W), {}


@st.composite
def classification(draw, logits=True):
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    x = draw(ast.arrays((n, c), low=-3 if logits else -4, high=3 if logits else -0.1))
    t = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), dtype=np.int64)
    return (x, t), {}


@st.composite
def same_shape_pair(draw, t_low=-3.0, t_high=3.0):
    shape = draw(ast.shapes())
    return (draw(ast.arrays(shape)), draw(ast.arrays(shape, low=t_low, high=t_high))), {}


@st.composite
def huber_pair(draw, delta=1.0, reduction="mean"):
    """Input and target whose differences keep away from 0 and from the kinks at +-delta."""
    shape = draw(ast.shapes())
    y = draw(ast.arrays(shape))
    d = draw(ast.arrays(shape, low=-2.5 * delta, high=2.5 * delta, avoid=[-delta, 0.0, delta],
                        margin=0.1 * delta))
    return (y, y - d), {"reduction": reduction, "delta": delta}


def _huber_ref(y, t, reduction="mean", delta=1.0):
    a = np.abs(y - t)
    loss = np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta))
    return {"mean": np.mean, "sum": np.sum, "none": np.asarray}[reduction](loss)


@st.composite
def wheres(draw):
    sc, sa, sb = draw(ast.broadcastable_shapes(3))
    cond = draw(ast.arrays(sc, low=-1, high=1)) > 0
    return (draw(ast.arrays(sa)), draw(ast.arrays(sb))), {"cond": cond}


@st.composite
def scalar_powers(draw):
    x = draw(ast.arrays(low=0.3, high=2.0))
    return (x,), {"p": draw(st.sampled_from([2, 3, 0.5, -1, 1.5, -2.5]))}


# ----------------------------------------------------------------------------- the table

SPECS = [
    Spec("add", F.add, np.add, binary()),
    Spec("sub", F.sub, np.subtract, binary()),
    Spec("mul", F.mul, np.multiply, binary()),
    Spec("div", F.div, np.divide, binary(avoid=((), (0.0,)), low=(-3, -3), high=(3, 3))
         .filter(lambda a: np.all(np.abs(a[0][1]) >= 0.3))),
    Spec("pow", F.pow, np.power, binary(low=(0.3, -2.0), high=(2.0, 2.0))),
    Spec("pow_scalar", lambda x, p: F.pow(x, p), lambda x, p: x**p, scalar_powers()),
    Spec("neg", F.neg, np.negative, unary()),
    Spec("exp", F.exp, np.exp, unary(-2, 2)),
    Spec("log", F.log, np.log, unary(0.2, 3)),
    Spec("sqrt", F.sqrt, np.sqrt, unary(0.2, 3)),
    Spec("abs", F.abs, np.abs, unary(avoid=[0.0])),
    Spec("sin", F.sin, np.sin, unary()),
    Spec("cos", F.cos, np.cos, unary()),
    Spec("tanh", F.tanh, np.tanh, unary()),
    Spec("sigmoid", F.sigmoid, _sigmoid_ref, unary(-6, 6)),
    Spec("relu", F.relu, lambda x: np.maximum(x, 0), unary(avoid=[0.0])),
    Spec("leaky_relu", lambda x: F.leaky_relu(x, 0.1), lambda x: np.where(x > 0, x, 0.1 * x),
         unary(avoid=[0.0])),
    Spec("softplus", F.softplus, lambda x: np.log1p(np.exp(x)), unary()),
    Spec("erf", F.erf, _erf_ref, unary()),
    Spec("gelu", F.gelu, lambda x: x * 0.5 * (1 + _erf_ref(x / math.sqrt(2))), unary()),
    Spec("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"),
         lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
         unary()),
    Spec("maximum", F.maximum, np.maximum, untied_pair()),
    Spec("minimum", F.minimum, np.minimum, untied_pair()),
    Spec("clip", lambda x: F.clip(x, -1.0, 1.5), lambda x: np.clip(x, -1.0, 1.5),
         unary(avoid=[-1.0, 1.5])),
    Spec("where", lambda a, b, cond: F.where(cond, a, b), lambda a, b, cond: np.where(cond, a, b),
         wheres()),
    Spec("reshape", F.reshape, np.reshape, reshapes()),
    Spec("transpose", F.transpose, np.transpose, transposes()),
    Spec("broadcast_to", F.broadcast_to, np.broadcast_to, broadcasts()),
    Spec("sum_to", F.sum_to, lambda x, shape: x.sum(
        axis=tuple(range(x.ndim - len(shape))) + tuple(
            x.ndim - len(shape) + i for i, n in enumerate(shape) if n == 1), keepdims=True)
         .reshape(shape), sums_to()),
    Spec("concatenate", lambda *xs, axis: F.concatenate(xs, axis),
         lambda *xs, axis: np.concatenate(xs, axis), joins()),
    Spec("stack", lambda *xs, axis: F.stack(xs, axis), lambda *xs, axis: np.stack(xs, axis),
         joins(stacking=True)),
    Spec("split", F.split, lambda x, sections, axis: tuple(np.split(x, sections, axis)),
         splits()),
    Spec("flatten", F.flatten, _flatten_ref, flattens()),
    Spec("getitem", F.getitem, lambda x, index: x[index], indexings()),
    Spec("pad", F.pad, lambda x, pad_width: np.pad(x, pad_width), pads()),
    Spec("sum", F.sum, np.sum, with_axis()),
    Spec("mean", F.mean, np.mean, with_axis()),
    Spec("var", F.var, np.var, with_axis(ddof=st.just(0))),
    Spec("max", F.max, np.max, with_axis(distinct=True)),
    Spec("min", F.min, np.min, with_axis(distinct=True)),
    Spec("logsumexp", F.logsumexp, _lse_ref, with_axis()),
    Spec("matmul", F.matmul, np.matmul, matmuls()),
    Spec("linear", F.linear, lambda x, W, b=None: x @ W.T + (0 if b is None else b), linears()),
    Spec("softmax", F.softmax, _softmax_ref, single_axis()),
    Spec("log_softmax", F.log_softmax, lambda x, axis: np.log(_softmax_ref(x, axis)),
         single_axis()),
    Spec("cross_entropy", F.cross_entropy,
         lambda x, t: -np.mean(np.log(_softmax_ref(x, 1))[np.arange(len(t)), t]),
         classification()),
    Spec("nll_loss", F.nll_loss, lambda x, t: -np.mean(x[np.arange(len(t)), t]),
         classification(logits=False)),
    Spec("mse_loss", F.mse_loss, lambda y, t: np.mean((y - t) ** 2), same_shape_pair()),
    Spec("bce_with_logits", F.binary_cross_entropy_with_logits,
         lambda x, t: np.mean(-t * np.log(_sigmoid_ref(x)) - (1 - t) * np.log(
             1 - _sigmoid_ref(x))), same_shape_pair(0.0, 1.0)),
    Spec("huber_loss", F.huber_loss, _huber_ref, huber_pair()),
    Spec("huber_loss:sum", F.huber_loss, _huber_ref, huber_pair(0.5, "sum")),
    Spec("huber_loss:none", F.huber_loss, _huber_ref, huber_pair(2.0, "none")),
    Spec("smooth_l1_loss", lambda y, t, reduction, delta: F.smooth_l1_loss(
        y, t, reduction, beta=delta), lambda y, t, reduction, delta: _huber_ref(
        y, t, reduction, delta) / delta, huber_pair(0.5)),
]

IDS = [s.name for s in SPECS]


def _float_inputs(arrays):
    return [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]


def _as_tuple(out):
    return out if isinstance(out, tuple) else (out,)


def _bind(spec: Spec, kwargs: dict) -> Callable:
    return lambda *xs: spec.fn(*xs, **kwargs)


# ----------------------------------------------------------------------------- properties


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_value_matches_reference(spec):
    @given(spec.args)
    def check(case):
        arrays, kwargs = case
        out = _as_tuple(spec.fn(*[Variable(a, requires_grad=a.dtype.kind == "f")
                                  for a in arrays], **kwargs))
        expected = _as_tuple(spec.ref(*arrays, **kwargs))
        assert len(out) == len(expected)
        for o, e in zip(out, expected):
            assert isinstance(o, Variable)
            assert o.shape == np.shape(e)
            np.testing.assert_allclose(o.data, e, rtol=1e-7, atol=1e-10)

    check()


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_gradcheck(spec):
    @given(spec.args)
    def check(case):
        arrays, kwargs = case
        assert gradcheck(_bind(spec, kwargs), *arrays, atol=spec.atol, rtol=spec.rtol)

    check()


@pytest.mark.parametrize("spec", [s for s in SPECS if s.second_order],
                         ids=[s.name for s in SPECS if s.second_order])
def test_gradgradcheck(spec):
    @given(spec.args)
    def check(case):
        arrays, kwargs = case
        assert gradgradcheck(_bind(spec, kwargs), *arrays, atol=spec.atol, rtol=spec.rtol)

    check()


def _gradients(spec, arrays, kwargs, create_graph):
    """Input gradients for a fixed random upstream gradient, in one backward mode."""
    xs = [Variable(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    outs = _as_tuple(spec.fn(*xs, **kwargs))
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(o.shape).astype(o.dtype) for o in outs]
    diff = [xs[i] for i in _float_inputs(arrays)]
    gs = grad(list(outs), diff, grad_outputs=weights, create_graph=create_graph,
              allow_unused=True)
    return outs, [None if g is None else g.data for g in gs], diff


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_fast_and_recorded_backward_agree(spec):
    """The ndarray (fast) and Variable (create_graph) runs of each formula give one answer."""
    @given(spec.args)
    def check(case):
        arrays, kwargs = case
        _, fast, _ = _gradients(spec, arrays, kwargs, create_graph=False)
        _, recorded, _ = _gradients(spec, arrays, kwargs, create_graph=True)
        for f, r in zip(fast, recorded):
            assert (f is None) == (r is None)
            if f is not None:
                np.testing.assert_allclose(f, r, rtol=1e-10, atol=1e-12)

    check()


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_inputs_not_mutated(spec):
    @given(spec.args)
    def check(case):
        arrays, kwargs = case
        copies = [a.copy() for a in arrays]
        _gradients(spec, arrays, kwargs, create_graph=False)
        _gradients(spec, arrays, kwargs, create_graph=True)
        for a, c in zip(arrays, copies):
            np.testing.assert_array_equal(a, c)

    check()


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_float32_kept(spec):
    @given(spec.args)
    def check(case):
        arrays, kwargs = case
        arrays = [a.astype(np.float32) if a.dtype.kind == "f" else a for a in arrays]
        outs, grads, diff = _gradients(spec, arrays, kwargs, create_graph=False)
        for o in outs:
            assert o.dtype == np.float32, f"{spec.name} output is {o.dtype}"
        for g in grads:
            assert g is None or g.dtype == np.float32, f"{spec.name} gradient is {g.dtype}"

    check()


def _non_contiguous(a: np.ndarray) -> np.ndarray:
    """The same values as a strided view: every other element of a twice-as-long array."""
    if a.ndim == 0:
        return a
    doubled = np.repeat(a, 2, axis=-1)[..., ::2]
    assert not doubled.flags.c_contiguous or a.shape[-1] <= 1
    return doubled


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_non_contiguous_inputs(spec):
    @given(spec.args)
    def check(case):
        arrays, kwargs = case
        strided = [_non_contiguous(a) if a.dtype.kind == "f" else a for a in arrays]
        outs, grads, _ = _gradients(spec, arrays, kwargs, create_graph=False)
        outs_s, grads_s, _ = _gradients(spec, strided, kwargs, create_graph=False)
        for o, s in zip(outs, outs_s):
            np.testing.assert_allclose(o.data, s.data, rtol=1e-12, atol=1e-12)
        for g, s in zip(grads, grads_s):
            if g is not None:
                np.testing.assert_allclose(g, s, rtol=1e-12, atol=1e-12)

    check()


# Every property above, for the other op-spec tables (test_ops_layers.py, test_ops_numpy.py).
PROPERTIES = [test_value_matches_reference, test_gradcheck, test_gradgradcheck,
              test_fast_and_recorded_backward_agree, test_inputs_not_mutated, test_float32_kept,
              test_non_contiguous_inputs]


# ----------------------------------------------------------------------------- edge cases


def test_sigmoid_is_finite_at_large_inputs():
    x = Variable(np.array([-1000.0, 1000.0]))
    y = F.sigmoid(x)
    y.backward(np.ones(2))
    assert np.all(np.isfinite(y.data)) and np.all(np.isfinite(x.grad.data))
    np.testing.assert_allclose(y.data, [0.0, 1.0])


def test_cross_entropy_exact_at_huge_logits():
    x = Variable(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]]))
    loss = F.cross_entropy(x, np.array([0, 0]))
    loss.backward()
    assert np.isfinite(loss.data) and np.all(np.isfinite(x.grad.data))
    np.testing.assert_allclose(loss.data, 1e4)  # row 0 is exactly right, row 1 is off by 2e4
    np.testing.assert_allclose(x.grad.data, [[0, 0, 0], [-0.5, 0.5, 0]], atol=1e-12)


@pytest.mark.parametrize("fn, x, expected", [
    (F.relu, 0.0, 0.0), (F.abs, 0.0, 0.0), (lambda v: F.clip(v, 0.0, 1.0), 0.0, 1.0),
    (lambda v: F.clip(v, 0.0, 1.0), 1.0, 1.0),
])
def test_subgradient_conventions(fn, x, expected):
    v = Variable(np.array(x))
    fn(v).backward()
    assert v.grad.item() == expected


def test_ties_share_the_gradient():
    x = Variable(np.array([1.0, 3.0, 3.0]))
    F.max(x).backward()
    np.testing.assert_array_equal(x.grad.data, [0, 0.5, 0.5])
    a, b = Variable(np.array(2.0)), Variable(np.array(2.0))
    F.maximum(a, b).backward()
    assert a.grad.item() == b.grad.item() == 0.5


def test_getitem_repeated_indices_accumulate():
    x = Variable(np.arange(4.0))
    x[np.array([1, 1, 3, 1])].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0, 3, 0, 1])


def test_matmul_error_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) are not aligned"):
        F.matmul(np.ones((2, 3)), Variable(np.ones((4, 5))))


def test_broadcast_error_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"Add.*\(2, 3\).*\(4,\)"):
        Variable(np.ones((2, 3))) + np.ones(4)


@pytest.mark.parametrize("labels, message", [
    (np.array([0.0, 1.0]), "integer"), (np.array([0, 1, 2]), "do not match"),
    (np.array([0, 5]), r"\[0, 2\]"),
])
def test_cross_entropy_label_errors(labels, message):
    with pytest.raises((TypeError, ValueError), match=message):
        F.cross_entropy(Variable(np.zeros((2, 3))), labels)


def test_accuracy():
    logits = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert F.accuracy(Variable(logits), np.array([1, 0, 0])) == pytest.approx(2 / 3)


def test_reduction_axis_error_names_op():
    with pytest.raises(ValueError, match="sum: axis 2 is out of bounds"):
        F.sum(Variable(np.ones((2, 3))), axis=2)


def test_split_with_unused_part():
    x = Variable(np.arange(6.0))
    a, _, c = F.split(x, 3)
    (a.sum() + 2 * c.sum()).backward()
    np.testing.assert_array_equal(x.grad.data, [1, 1, 0, 0, 2, 2])


def test_linear_skips_input_gradient_for_constant_images():
    images = np.random.default_rng(0).standard_normal((4, 3))
    W = Variable(np.ones((2, 3)))
    y = F.linear(images, W)
    assert y.creator.needs_input_grad == (False, True)
    y.sum().backward()
    np.testing.assert_allclose(W.grad.data, np.tile(images.sum(0), (2, 1)))
