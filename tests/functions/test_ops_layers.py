"""The layer primitives (conv2d, conv_transpose2d, pooling, batch_norm, dropout, embedding,
interpolate) as rows of the
op-spec suite: each gets every generated property of ``test_ops`` (value against a plain
NumPy reference, gradcheck, gradgradcheck, both backward modes, purity, float32 kept,
non-contiguous inputs)."""

import numpy as np
import pytest
from hypothesis import assume
from hypothesis import strategies as st

import autograd_lite.functions as F
import tests.functions.test_ops as ops
from tests.functions.test_conv import (
    conv_cases,
    conv_reference,
    conv_transpose_cases,
    conv_transpose_reference,
)
from tests.functions.test_normalization import bn_cases, bn_reference
from tests.functions.test_pooling import pool_cases, pool_reference

Spec = ops.Spec


def _conv_args(case):
    x, W, b, stride, padding = case
    return ((x, W) if b is None else (x, W, b)), {"stride": stride, "padding": padding}


def _conv_transpose_args(case):
    x, W, b, stride, padding, output_padding = case
    return ((x, W) if b is None else (x, W, b)), {
        "stride": stride, "padding": padding, "output_padding": output_padding}


def _conv_transpose_ref(x, W, b=None, stride=1, padding=0, output_padding=0):
    return conv_transpose_reference(x, W, b, stride, padding, output_padding)


def _pool_args(case):
    x, k, s, p = case
    return (x,), {"kernel_size": k, "stride": s, "padding": p}


def _conv_ref(x, W, b=None, stride=1, padding=0):
    return conv_reference(x, W, b, stride, padding)


@st.composite
def interpolate_args(draw):
    """1 to 3 spatial axes; a size, or a scale factor (one, or one per axis)."""
    spatial = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    x = draw(ops.ast.arrays((draw(st.integers(1, 2)), draw(st.integers(1, 2))) + spatial))
    mode = draw(st.sampled_from(["nearest", "nearest-exact"]))
    if draw(st.booleans()):
        size = draw(st.integers(1, 7) | st.tuples(*[st.integers(1, 7) for _ in spatial]))
        return (x,), {"size": size, "mode": mode}
    factors = st.sampled_from([0.5, 1.0, 1.5, 2.0, 2.5, 3.0])
    scale = draw(factors | st.tuples(*[factors for _ in spatial]))
    scales = scale if isinstance(scale, tuple) else (scale,) * len(spatial)
    assume(all(int(n * f) >= 1 for n, f in zip(spatial, scales)))
    return (x,), {"scale_factor": scale, "mode": mode}


def _interpolate_ref(x, size=None, scale_factor=None, mode="nearest"):
    """Each output pixel copies input pixel min(floor((i [+ 0.5]) * s), n - 1), in float32,
    with s = 1 / scale_factor or in / out (PyTorch's documented nearest rule)."""
    spatial = x.shape[2:]

    def per_axis(v):
        return v if isinstance(v, tuple) else (v,) * len(spatial)

    if size is not None:
        outs = per_axis(size)
        steps = [np.float32(n) / np.float32(o) for n, o in zip(spatial, outs)]
    else:
        outs = [int(n * f) for n, f in zip(spatial, per_axis(scale_factor))]
        steps = [np.float32(1 / f) for f in per_axis(scale_factor)]
    shift = np.float32(0.5 if mode == "nearest-exact" else 0.0)
    for axis, (n, o, step) in enumerate(zip(spatial, outs, steps), start=2):
        src = [min(int(np.floor((np.float32(i) + shift) * step)), n - 1) for i in range(o)]
        x = np.take(x, src, axis=axis)
    return x


@st.composite
def bn_args(draw):
    x, gamma, beta, rm, rv = draw(bn_cases())
    return (x, gamma, beta), {"running": (rm, rv), "training": draw(st.booleans())}


def _bn(x, gamma, beta, running, training):
    # copies (the running statistics are updated in place), in the input's dtype (as a float32
    # model's buffers are float32)
    rm, rv = (r.astype(x.dtype) for r in running)
    return F.batch_norm(x, gamma, beta, rm, rv, training)


def _bn_ref(x, gamma, beta, running, training):
    axes = (0,) + tuple(range(2, x.ndim))
    mean, var = (x.mean(axis=axes), x.var(axis=axes)) if training else running
    return bn_reference(x, gamma, beta, mean, var)


@st.composite
def dropout_args(draw):
    x = draw(ops.ast.arrays())
    return (x,), {"p": draw(st.sampled_from([0.0, 0.2, 0.5, 0.9])),
                  "seed": draw(st.integers(0, 2**16))}


def _dropout_ref(x, p, seed):
    keep = np.random.default_rng(seed).random(x.shape) >= p
    return np.where(keep, x / (1 - p), 0.0)


@st.composite
def embedding_args(draw):
    W = draw(ops.ast.arrays(st.tuples(st.integers(1, 5), st.integers(1, 3))))
    ids = draw(st.sampled_from([(), (4,), (2, 3)]).flatmap(
        lambda shape: st.integers(0, 2**16).map(
            lambda seed: np.random.default_rng(seed).integers(0, len(W), shape))))
    return (W, ids), {}


LAYER_SPECS = [
    Spec("conv2d", F.conv2d, _conv_ref, conv_cases().map(_conv_args)),
    Spec("conv_transpose2d", F.conv_transpose2d, _conv_transpose_ref,
         conv_transpose_cases().map(_conv_transpose_args)),
    Spec("max_pool2d", F.max_pool2d, lambda x, **kw: pool_reference(
        x, kw["kernel_size"], kw["stride"], kw["padding"], np.max, -np.inf),
         pool_cases().map(_pool_args)),
    Spec("avg_pool2d", F.avg_pool2d, lambda x, **kw: pool_reference(
        x, kw["kernel_size"], kw["stride"], kw["padding"], np.mean, 0.0),
         pool_cases().map(_pool_args)),
    Spec("batch_norm", _bn, _bn_ref, bn_args(), atol=1e-4),
    Spec("dropout", lambda x, p, seed: F.dropout(x, p, rng=np.random.default_rng(seed)),
         _dropout_ref, dropout_args()),
    Spec("embedding", lambda W, ids: F.embedding(ids, W), lambda W, ids: W[ids],
         embedding_args()),
    Spec("interpolate", F.interpolate, _interpolate_ref, interpolate_args()),
]
IDS = [s.name for s in LAYER_SPECS]
PROPERTIES = ops.PROPERTIES


@pytest.mark.parametrize("prop", PROPERTIES, ids=lambda p: p.__name__.removeprefix("test_"))
@pytest.mark.parametrize("spec", LAYER_SPECS, ids=IDS)
def test_layer_op(spec, prop):
    prop(spec)
