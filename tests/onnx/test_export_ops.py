"""Property test: random compositions of the supported ops export, pass onnx.checker and match
onnxruntime at batch sizes other than the example's (the batch axis is dynamic)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hst

import autograd_lite.functions as F
from autograd_lite import Variable

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")


def _param(rng, *shape):
    return Variable(rng.standard_normal(shape).astype(np.float32))


# Each op maps an (N, A, B) float32 Variable to another (N, A', B') one with values of order 1,
# so that a chain of them stays comparable at a fixed tolerance.
OPS = {
    "tanh": lambda x, r: F.tanh(x),
    "sigmoid": lambda x, r: F.sigmoid(x),
    "relu": lambda x, r: F.relu(x),
    "leaky_relu": lambda x, r: F.leaky_relu(x, 0.1),
    "abs-sqrt": lambda x, r: F.sqrt(F.abs(x) + 1),
    "sin-cos": lambda x, r: F.sin(x) * F.cos(x),
    "softplus": lambda x, r: F.softplus(x),
    "gelu": lambda x, r: F.gelu(x),
    "gelu-tanh": lambda x, r: F.gelu(x, approximate="tanh"),
    "erf": lambda x, r: F.erf(x),
    "square": lambda x, r: F.tanh(x ** 2),
    "cube": lambda x, r: F.tanh(x ** 3 * 0.1),
    "exp": lambda x, r: F.exp(F.tanh(x)),
    "log": lambda x, r: F.log(x * x + 1),
    "exp-family": lambda x, r: F.expm1(F.tanh(x)) + F.exp2(F.tanh(x)) + F.log1p(F.abs(x)),
    "log-family": lambda x, r: F.log2(F.abs(x) + 1) - F.log10(F.abs(x) + 2),
    "trig": lambda x, r: F.arctan(x) + F.sinh(F.tanh(x)) + F.arcsinh(x) + F.cosh(F.tanh(x)),
    "arctan2": lambda x, r: F.arctan2(x, _param(r, x.shape[-1])),
    "logaddexp": lambda x, r: F.logaddexp(x, _param(r, x.shape[-1])),
    "clip": lambda x, r: F.clip(x, -0.5, 0.7),
    "maximum-minimum": lambda x, r: F.maximum(x, _param(r, x.shape[-1])) - F.minimum(x, 0.2),
    "add-sub-mul-div": lambda x, r: (x + _param(r, 1, x.shape[-1])) * 0.5 - 1.0 / (
        F.abs(_param(r, x.shape[-2], 1)) + 1) + (2.0 - x) / 3,
    "neg": lambda x, r: -x,
    "where": lambda x, r: F.where(r.random(x.shape[1:]) > 0.5, x, -x * 0.5),
    "transpose": lambda x, r: x.transpose(0, 2, 1),
    "flatten-unflatten": lambda x, r: F.flatten(x).reshape(-1, x.shape[2], x.shape[1]),
    "flip": lambda x, r: F.flip(x, axis=-1),
    "slice": lambda x, r: x[:, ::-1, 1:] if x.shape[2] > 1 else x[:, ::2],
    "pick": lambda x, r: x[:, x.shape[1] - 1:, :] + x[:, 0, None, :],
    "take": lambda x, r: F.take(x, r.integers(0, x.shape[2], 4), axis=2),
    "diagonal": lambda x, r: F.diagonal(x, axis1=1, axis2=2)[:, :, None],
    "roll": lambda x, r: F.roll(x, 1, axis=1),
    "concat-split": lambda x, r: F.concatenate(list(F.split(x, [1], axis=2))[::-1] + [x], axis=2),
    "stack": lambda x, r: F.stack([x, F.tanh(x)], axis=1).reshape(-1, 2 * x.shape[1], x.shape[2]),
    "pad": lambda x, r: F.pad(x, ((0, 0), (1, 0), (0, 2)), value=0.5),
    "tile": lambda x, r: F.tile(x, (1, 2, 1)),
    "repeat": lambda x, r: F.repeat(x, 2, axis=2),
    "broadcast": lambda x, r: F.broadcast_to(F.sum(x, axis=1, keepdims=True), x.shape) * 0.1,
    "cumsum": lambda x, r: F.cumsum(x, axis=2) * 0.3,
    "sum-mean": lambda x, r: x - F.mean(x, axis=2, keepdims=True) + F.sum(x, axis=1,
                                                                          keepdims=True) * 0.1,
    "max-min": lambda x, r: x - F.max(x, axis=2, keepdims=True) + F.min(x, axis=(1, 2),
                                                                         keepdims=True),
    "var-std": lambda x, r: F.var(x, axis=2, keepdims=True) + F.std(x, axis=1, keepdims=True),
    "logsumexp": lambda x, r: F.logsumexp(x, axis=2)[:, :, None] - x,
    "norm": lambda x, r: F.norm(x, axis=2, keepdims=True) + x,
    "prod": lambda x, r: F.prod(F.tanh(x), axis=1, keepdims=True),
    "softmax": lambda x, r: F.softmax(x, axis=1),
    "log_softmax": lambda x, r: F.log_softmax(x, axis=-1) * 0.2,
    "layer_norm": lambda x, r: F.layer_norm(x, x.shape[-1], _param(r, x.shape[-1]),
                                            _param(r, x.shape[-1])),
    "matmul": lambda x, r: x @ (_param(r, x.shape[-1], 3) * 0.5),
    "linear": lambda x, r: F.linear(x, _param(r, 4, x.shape[-1]) * 0.5, _param(r, 4)),
    "einsum": lambda x, r: F.einsum("nab,bc->nac", x, _param(r, x.shape[-1], 2) * 0.5),
    "attention": lambda x, r: F.scaled_dot_product_attention(x, x, x, is_causal=True),
    "astype": lambda x, r: F.tanh(x.astype(np.float64)).astype(np.float32),
}


@given(names=hst.lists(hst.sampled_from(sorted(OPS)), min_size=1, max_size=4),
       seed=hst.integers(0, 2**16), a=hst.integers(1, 4), b=hst.integers(1, 5),
       newest=hst.booleans())
def test_random_compositions_match_onnxruntime(tmp_path_factory, names, seed, a, b, newest):
    import onnx
    import onnxruntime as ort

    from autograd_lite.onnx import export

    def model(x):
        r = np.random.default_rng(seed)  # the same parameters on every call
        for name in names:
            x = OPS[name](x, r)
        return x

    path = tmp_path_factory.mktemp("ops") / "model.onnx"
    data = np.random.default_rng(seed + 1).standard_normal((9, a, b)).astype(np.float32)
    opset = onnx.defs.onnx_opset_version() if newest else 17  # reductions' axes moved in 18
    export(model, data[:3], path, dynamic_axes={"input": {0: "batch"}}, opset=opset)
    # onnxruntime 1.32's MatMulScaleFusion removes a Mul whose result is still read elsewhere
    # (y = tanh(x) * 0.3; ((y * 0.7) @ y.T) @ y fails to load: "Node input 'y' is not a graph
    # input"); a valid file, so that optimisation is left out here
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"],
                                   disabled_optimizers=["MatMulScaleFusion"])
    for n in (1, 7):
        want = model(Variable(data[:n])).data
        got = session.run(None, {"input": data[:n]})[0]
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5, err_msg=str(names))


@pytest.mark.parametrize("name", sorted(OPS))
def test_each_op_alone(tmp_path, name):
    test_random_compositions_match_onnxruntime.hypothesis.inner_test(
        tmp_path_factory=_Factory(tmp_path), names=[name], seed=0, a=3, b=4, newest=False)


class _Factory:
    def __init__(self, path):
        self.path = path

    def mktemp(self, name):
        return self.path
