"""gradgradcheck over every function in autograd_lite.functions that has a second derivative.

One row per function: how to call it and how to build inputs that are safe for central
differences (inside the domain, away from kinks and ties). Functions that are piecewise linear
have a second derivative of zero almost everywhere: they are checked too (the check then
compares zeros with zeros) and their Hessian is asserted to be zero. The exceptions, and why,
are listed in NOT_TWICE_DIFFERENTIABLE; a new public function must be added to one of the two.
"""

import math

import numpy as np
import pytest

import autograd_lite.functions as F
from autograd_lite import func
from autograd_lite.testing import gradgradcheck
from tests.functions.test_ops_numpy import NUMPY_SPECS


def normal(*shape):
    return lambda rng: rng.standard_normal(shape)


def positive(*shape):
    return lambda rng: rng.uniform(0.5, 2.0, shape)


def away_from_zero(*shape):
    """Values with |x| >= 0.2, so a step of 1e-6 never crosses the kink at 0."""
    return lambda rng: rng.uniform(0.2, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def distinct(*shape):
    """A shuffled grid 0.3 apart: no ties for max/min."""
    def build(rng):
        n = int(np.prod(shape))
        return rng.permutation(np.arange(n) * 0.3 - 1.0).reshape(shape)
    return build


def both(*builders):
    return lambda rng: tuple(b(rng) for b in builders)


def _off_kink(rng):
    """Inputs and targets whose differences keep away from 1 (the kink of Huber at delta 1)."""
    x = rng.standard_normal((2, 3))
    return x, x - np.array([[0.3, -0.2, 2.5], [-3.0, 0.5, 1.8]])


def one(builder):
    return lambda rng: (builder(rng),)


LABELS = np.array([2, 0, 1])
MASK = np.array([[True, False, True], [False, False, True]])

# "name" or "name:variant" -> (function of the inputs, input builder)
SMOOTH = {
    "add": (F.add, both(normal(2, 3), normal(3))),
    "sub": (F.sub, both(normal(2, 3), normal(2, 1))),
    "mul": (F.mul, both(normal(2, 3), normal(3))),
    "div": (F.div, both(normal(2, 3), positive(3))),
    "neg": (F.neg, one(normal(2, 3))),
    "pow:scalar": (lambda x: F.pow(x, 3), one(normal(2, 3))),
    "pow:fractional": (lambda x: F.pow(x, 2.5), one(positive(2, 3))),
    "pow:array": (F.pow, both(positive(2, 3), normal(3))),
    "astype": (lambda x: F.astype(x, np.float64) * x, one(normal(4))),
    "exp": (F.exp, one(normal(2, 3))),
    "log": (F.log, one(positive(2, 3))),
    "sqrt": (F.sqrt, one(positive(2, 3))),
    "sin": (F.sin, one(normal(2, 3))),
    "cos": (F.cos, one(normal(2, 3))),
    "tanh": (F.tanh, one(normal(2, 3))),
    "sigmoid": (F.sigmoid, one(normal(2, 3))),
    "softplus": (F.softplus, one(normal(2, 3))),
    "erf": (F.erf, one(normal(2, 3))),
    "gelu": (F.gelu, one(normal(2, 3))),
    "gelu:tanh": (lambda x: F.gelu(x, approximate="tanh"), one(normal(2, 3))),
    "where": (lambda a, b: F.where(MASK, a, b) * a, both(normal(2, 3), normal(2, 3))),
    "reshape": (lambda x: F.reshape(x, (3, 2)) ** 2, one(normal(2, 3))),
    "transpose": (lambda x: F.transpose(x, (1, 0)) ** 2, one(normal(2, 3))),
    "swapaxes": (lambda x: F.swapaxes(x, 0, 1) ** 2, one(normal(2, 3))),
    "broadcast_to": (lambda x: F.broadcast_to(x, (2, 3)) ** 2, one(normal(3))),
    "sum_to": (lambda x: F.sum_to(x ** 2, (1, 3)) ** 2, one(normal(2, 3))),
    "concatenate": (lambda a, b: F.concatenate([a, b], axis=1) ** 3,
                    both(normal(2, 3), normal(2, 1))),
    "stack": (lambda a, b: F.stack([a, b * a], axis=1) ** 2, both(normal(2, 3), normal(2, 3))),
    "split": (lambda x: tuple(p ** 3 for p in F.split(x, [1], axis=1)), one(normal(2, 3))),
    "flatten": (lambda x: F.flatten(x) ** 2, one(normal(2, 3, 2))),
    "getitem:basic": (lambda x: F.getitem(x, (slice(None), 1)) ** 3, one(normal(2, 3))),
    "getitem:repeated": (lambda x: F.getitem(x, np.array([0, 2, 0, 0])) ** 3, one(normal(3))),
    "pad": (lambda x: F.pad(x, ((1, 0), (0, 2))) ** 2 + F.pad(x, 1, value=0.5).sum(),
            one(normal(2, 3))),
    "sum": (lambda x: F.sum(x ** 2, axis=0) ** 2, one(normal(2, 3))),
    "mean": (lambda x: F.mean(x ** 2, axis=1, keepdims=True) ** 2, one(normal(2, 3))),
    "var": (lambda x: F.var(x, axis=1), one(normal(2, 3))),
    "var:ddof": (lambda x: F.var(x, ddof=1) ** 2, one(normal(2, 3))),
    "logsumexp": (lambda x: F.logsumexp(x, axis=1), one(normal(2, 3))),
    "matmul": (F.matmul, both(normal(2, 3), normal(3, 4))),
    "matmul:batched_vector": (F.matmul, both(normal(2, 2, 3), normal(3))),
    "linear": (F.linear, lambda rng: (rng.standard_normal((2, 3)), rng.standard_normal((4, 3)),
                                      rng.standard_normal(4))),
    "softmax": (lambda x: F.softmax(x, axis=1), one(normal(2, 3))),
    "log_softmax": (lambda x: F.log_softmax(x, axis=0), one(normal(2, 3))),
    "cross_entropy": (lambda x: F.cross_entropy(x, LABELS), one(normal(3, 4))),
    "nll_loss": (lambda x: F.nll_loss(F.log_softmax(x), LABELS), one(normal(3, 4))),
    "mse_loss": (F.mse_loss, both(normal(2, 3), normal(2, 3))),
    # quadratic within delta, linear beyond: checked away from the switch at |x - t| = delta
    "huber_loss": (lambda x, t: F.huber_loss(x, t, delta=1.0), lambda rng: _off_kink(rng)),
    "smooth_l1_loss": (lambda x, t: F.smooth_l1_loss(x, t, beta=1.0),
                       lambda rng: _off_kink(rng)),
    "binary_cross_entropy": (F.binary_cross_entropy,
                             both(lambda rng: rng.uniform(0.1, 0.9, (2, 3)),
                                  lambda rng: rng.uniform(0, 1, (2, 3)))),
    "binary_cross_entropy_with_logits": (F.binary_cross_entropy_with_logits,
                                         both(normal(2, 3), lambda rng: rng.uniform(0, 1, (2, 3)))),
    "conv2d": (lambda x, W, b: F.conv2d(x, W, b, stride=(2, 1), padding=1),
               both(normal(1, 2, 5, 4), normal(3, 2, 3, 2), normal(3))),
    "conv_transpose2d": (lambda x, W, b: F.conv_transpose2d(x, W, b, stride=(2, 1), padding=1,
                                                             output_padding=(1, 0)) ** 2,
                         both(normal(2, 2, 3, 2), normal(2, 3, 3, 2), normal(3))),
    "im2col": (lambda x: F.im2col(x, 2, 1, 1) ** 2, one(normal(1, 2, 3, 3))),
    "im2col:batch_last": (lambda x: F.im2col(x, 2, 2, 1, batch_last=True) ** 2,
                          one(normal(2, 2, 3, 3))),
    "col2im": (lambda c: F.col2im(c, (1, 2, 3, 3), 2, 1, 1) ** 2, one(normal(1, 8, 16))),
    "col2im:batch_last": (lambda c: F.col2im(c, (2, 2, 3, 3), 2, 2, 1, batch_last=True) ** 2,
                          one(normal(8, 8))),
    "interpolate": (lambda x: F.interpolate(x, size=(3, 5)) ** 3, one(normal(1, 2, 2, 3))),
    "interpolate:repeat": (lambda x: F.interpolate(x, scale_factor=2) ** 3, one(normal(1, 2, 3))),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 3, 2, 1) ** 2, one(normal(1, 2, 5, 4))),
    "batch_norm": (lambda x, g, b: F.batch_norm(x, g, b, None, None),
                   both(normal(4, 3), normal(3), normal(3))),
    "batch_norm:2d": (lambda x: F.batch_norm(x, None, None, None, None), one(normal(2, 2, 2, 3))),
    "dropout": (lambda x: F.dropout(x, 0.5, rng=np.random.default_rng(0)) ** 2,
                one(normal(2, 3))),
    "embedding": (lambda W: F.embedding(np.array([[0, 2], [2, 2]]), W) ** 3, one(normal(3, 2))),
    "prod:zeros": (F.prod, one(lambda rng: np.array([[0.0, 1.5], [0.0, -2.0]]))),
    # -- transformer building blocks
    "layer_norm": (lambda x, w, b: F.layer_norm(x, 3, w, b), both(normal(2, 3), normal(3),
                                                                   normal(3))),
    "masked_softmax": (lambda x: F.masked_softmax(x, MASK), one(normal(2, 3))),
    "attention_weights": (lambda q, k: F.attention_weights(q, k, is_causal=True),
                          both(normal(2, 3, 2), normal(2, 4, 2))),
    "scaled_dot_product_attention": (lambda q, k, v: F.scaled_dot_product_attention(
        q, k, v, attn_mask=MASK[:, :2]), both(normal(2, 2), normal(2, 2), normal(2, 3))),
    "ndtr": (F.ndtr, one(normal(2, 3))),
}

# Second derivative zero almost everywhere; inputs kept away from the kinks and ties.
PIECEWISE_LINEAR = {
    "relu": (F.relu, one(away_from_zero(2, 3))),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1), one(away_from_zero(2, 3))),
    "abs": (F.abs, one(away_from_zero(2, 3))),
    "clip": (lambda x: F.clip(x, -0.1, 0.1), one(away_from_zero(2, 3))),
    "maximum": (F.maximum, lambda rng: (distinct(2, 3)(rng), distinct(2, 3)(rng) + 0.15)),
    "minimum": (F.minimum, lambda rng: (distinct(2, 3)(rng), distinct(2, 3)(rng) + 0.15)),
    "max": (lambda x: F.max(x, axis=1), one(distinct(2, 3))),
    "min": (lambda x: F.min(x), one(distinct(2, 3))),
    "max_pool2d": (lambda x: F.max_pool2d(x, 2, stride=1), one(distinct(1, 2, 3, 4))),
    "max_pool2d:padded": (lambda x: F.max_pool2d(x, 3, stride=2, padding=1),
                          one(distinct(1, 1, 4, 5))),
}

NOT_TWICE_DIFFERENTIABLE = {
    "accuracy": "a metric: returns a float (argmax), not differentiable at all",
}


def test_every_public_function_is_classified():
    public = {name for name in F.__all__
              if name[0].islower() and callable(getattr(F, name))
              and not isinstance(getattr(F, name), type)}
    public.discard("numpy_dispatch")
    classified = {key.split(":")[0] for key in SMOOTH}  # "pow:array" covers pow
    classified |= set(PIECEWISE_LINEAR) | set(NOT_TWICE_DIFFERENTIABLE)
    # rows of an op-spec table named after their function get gradgradcheck there
    classified |= {s.name.split(":")[0] for s in NUMPY_SPECS if s.second_order}
    missing = sorted(public - classified)
    assert not missing, (f"add these functions to SMOOTH, PIECEWISE_LINEAR or "
                         f"NOT_TWICE_DIFFERENTIABLE: {missing}")


@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_gradgradcheck_smooth(name):
    fn, build = SMOOTH[name]
    inputs = build(np.random.default_rng(0))
    assert gradgradcheck(fn, *inputs)


@pytest.mark.parametrize("name", sorted(PIECEWISE_LINEAR))
def test_piecewise_linear_second_derivative_is_zero(name):
    fn, build = PIECEWISE_LINEAR[name]
    inputs = build(np.random.default_rng(0))
    assert gradgradcheck(fn, *inputs)
    argnums = tuple(range(len(inputs)))
    H = func.hessian(lambda *xs: (fn(*xs) * 1.7).sum(), argnums=argnums)(*inputs)
    for row in H:
        for block in row:
            np.testing.assert_array_equal(np.asarray(block), 0.0)


@pytest.mark.parametrize("n", range(6))
def test_derivatives_of_integer_powers_are_exact_at_zero(n):
    # p * x**(p - 1) at x = 0 is 0 * inf = nan for p = 0 and p = 1: PowScalar special-cases them
    x = np.array([0.0, 1.0, -1.5])
    d = lambda a: F.pow(a, n)  # noqa: E731
    for k in range(1, n + 2):
        d = func.grad(lambda a, d=d: d(a).sum())
        expected = math.perm(n, k) * x ** (n - k) if k <= n else np.zeros_like(x)
        np.testing.assert_allclose(np.asarray(d(x)), expected, rtol=1e-12)
