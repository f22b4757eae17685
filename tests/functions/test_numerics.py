"""Numerics at the edges: empty inputs, no degrees of freedom, float16, integer inputs, empty
indices, 0-d flatten, and batch_norm's running statistics. PyTorch is the reference where it
behaves well (cross-checked when it is installed)."""

import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite.functions as F
from autograd_lite import Variable, grad
from autograd_lite.testing import gradgradcheck
from autograd_lite.testing import strategies as ast


@st.composite
def empty_cases(draw):
    """An array with at least one axis of length 0, a random axis argument and keepdims."""
    shape = list(draw(ast.shapes(min_dims=1, min_side=0, max_side=3)))
    shape[draw(st.integers(0, len(shape) - 1))] = 0
    x = np.zeros(shape)
    return x, draw(ast.axes(x.ndim)), draw(st.booleans())


def _reduced_count(shape, axis):
    axes = range(len(shape)) if axis is None else np.atleast_1d(axis) % len(shape)
    return math.prod(shape[a] for a in axes)


def _strict(fn, *args, **kwargs):
    """Run `fn`, turning any warning into an error (PyTorch is silent on these edges)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


def _backward_ones(y, x):
    """Backward of ``sum(y)``: the gradient of `x`, warnings turned into errors."""
    def run():
        (gx,) = grad(y, x, np.ones(y.shape), allow_unused=True)
        return gx
    return _strict(run)


# ----------------------------------------------------------------------------- empty inputs

EMPTY_VALUE = {"sum": 0.0, "mean": np.nan, "logsumexp": -np.inf, "prod": 1.0}


@pytest.mark.parametrize("name", sorted(EMPTY_VALUE))
@given(case=empty_cases())
def test_reductions_of_empty_inputs(name, case):
    x, axis, keepdims = case
    v = Variable(x)
    y = _strict(getattr(F, name), v, axis=axis, keepdims=keepdims)
    assert y.shape == np.sum(x, axis=axis, keepdims=keepdims).shape
    if _reduced_count(x.shape, axis) == 0:
        np.testing.assert_array_equal(y.data, np.full(y.shape, EMPTY_VALUE[name]))
    gx = _backward_ones(y, v)
    assert gx.shape == x.shape and gx.dtype == x.dtype


@pytest.mark.parametrize("name", ["var", "std"])
@given(case=empty_cases(), ddof=st.integers(0, 2))
def test_var_and_std_of_empty_inputs(name, case, ddof):
    x, axis, keepdims = case
    v = Variable(x)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = getattr(F, name)(v, axis=axis, keepdims=keepdims, ddof=ddof)
    assert y.shape == np.sum(x, axis=axis, keepdims=keepdims).shape
    if _reduced_count(x.shape, axis) == 0:
        assert np.isnan(y.data).all()
        assert [str(w.message) for w in caught] == [
            f"{name}: degrees of freedom <= 0 (0 values per result, ddof={ddof}): the result "
            "is NaN or inf"]
    gx = _backward_ones(y, v)
    assert gx.shape == x.shape


@pytest.mark.parametrize("name", ["max", "min"])
@given(case=empty_cases())
def test_max_min_of_empty_inputs(name, case):
    """An error only where a result would be the extreme of nothing, as NumPy and PyTorch."""
    x, axis, keepdims = case
    if _reduced_count(x.shape, axis) == 0:
        message = rf"{name}: cannot reduce over .*shape {re.escape(str(x.shape))}"
        with pytest.raises(ValueError, match=message):
            getattr(F, name)(Variable(x), axis=axis, keepdims=keepdims)
    else:
        v = Variable(x)
        y = _strict(getattr(F, name), v, axis=axis, keepdims=keepdims)
        assert y.shape == np.max(x, axis=axis, keepdims=keepdims).shape
        assert _backward_ones(y, v).shape == x.shape


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax], ids=["softmax", "log_softmax"])
@given(case=empty_cases())
def test_softmax_of_empty_inputs(fn, case):
    x, _, _ = case
    axis = next(i for i, n in enumerate(x.shape) if n == 0)  # along the empty axis too
    v = Variable(x)
    y = _strict(fn, v, axis=axis)
    assert y.shape == x.shape
    assert _backward_ones(y, v).shape == x.shape


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax], ids=["softmax", "log_softmax"])
def test_softmax_of_0d_input(fn):
    x = Variable(np.array(1.5))
    y = fn(x)
    assert y.shape == () and y.item() == (1.0 if fn is F.softmax else 0.0)
    y.backward()
    assert x.grad.item() == 0.0
    assert gradgradcheck(fn, np.array(0.3))


@pytest.mark.parametrize("loss, target", [
    (F.cross_entropy, np.zeros(0, dtype=np.int64)),
    (F.nll_loss, np.zeros(0, dtype=np.int64)),
    (F.mse_loss, np.zeros((0, 3))),
    (F.binary_cross_entropy_with_logits, np.zeros((0, 3))),
    (F.huber_loss, np.zeros((0, 3))),
    (F.smooth_l1_loss, np.zeros((0, 3))),
], ids=["cross_entropy", "nll_loss", "mse_loss", "bce_with_logits", "huber", "smooth_l1"])
def test_losses_of_an_empty_batch_are_nan(loss, target):
    x = Variable(np.zeros((0, 3)))
    y = _strict(loss, x, target)
    assert y.shape == () and np.isnan(y.item())
    gx = _backward_ones(y, x)
    assert gx.shape == (0, 3)


def test_var_of_one_value_with_ddof_1_is_nan_with_nan_gradient():
    x = Variable(np.array([2.0]))
    with pytest.warns(RuntimeWarning, match=r"var: degrees of freedom <= 0 \(1 values"):
        y = F.var(x, ddof=1)
    assert np.isnan(y.item())
    y.backward()
    assert np.isnan(x.grad.data).all()


@given(x=ast.arrays(ast.shapes(min_dims=1)), data=st.data())
def test_var_without_degrees_of_freedom_matches_numpy(x, data):
    """ddof >= n: NaN where the slice is constant, else inf (NumPy and PyTorch clamp n - ddof
    at 0 and divide), and a gradient of the same kind."""
    axis = data.draw(ast.axes(x.ndim))
    n = _reduced_count(x.shape, axis)
    ddof = data.draw(st.integers(n, n + 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = np.var(x, axis=axis, ddof=ddof)
    v = Variable(x)
    with pytest.warns(RuntimeWarning, match="degrees of freedom"):
        y = F.var(v, axis=axis, ddof=ddof)
    np.testing.assert_array_equal(y.data, expected)
    assert not np.isfinite(_backward_ones(y, v).data).any()


def test_std_of_a_constant_has_gradient_zero():
    """sqrt'(0) is infinite, but PyTorch's std gives 0 there (composing would give NaN)."""
    x = Variable(np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 4.0]]))
    F.std(x, axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad.data[0], 0.0)
    assert np.isfinite(x.grad.data).all()


# ----------------------------------------------------------------------------- float16


def test_float16_softmax_over_70000_classes():
    x = np.full(70_000, 1.0, dtype=np.float16)
    expected = np.float16(1 / 70_000)
    for fn, value in ((F.softmax, expected), (F.log_softmax, np.float16(-math.log(70_000)))):
        v = Variable(x)
        y = _strict(fn, v)
        assert y.dtype == np.float16
        np.testing.assert_allclose(y.data[:3].astype(float), float(value), rtol=1e-3)
        w = np.zeros(70_000, np.float16)
        w[0] = 1
        y.backward(w)
        assert v.grad.dtype == np.float16 and np.isfinite(v.grad.data).all()
    lse = F.logsumexp(Variable(x))
    assert lse.dtype == np.float16
    np.testing.assert_allclose(float(lse.data), 1 + math.log(70_000), rtol=1e-3)


def test_float16_cross_entropy_over_70000_classes():
    rng = np.random.default_rng(0)
    x64 = rng.standard_normal((2, 70_000)) * 0.01  # a float16 sum of the exponentials: inf
    t = np.array([3, 69_999])
    x = Variable(x64.astype(np.float16))
    loss = _strict(F.cross_entropy, x, t)
    assert loss.dtype == np.float16
    ref = F.cross_entropy(Variable(x.data.astype(np.float64)), t)
    np.testing.assert_allclose(float(loss.data), ref.item(), rtol=1e-3)
    loss.backward()
    assert x.grad.dtype == np.float16 and np.isfinite(x.grad.data).all()
    np.testing.assert_allclose(x.grad.data[[0, 1], t].astype(float), [-0.5, -0.5], rtol=1e-2)


REDUCTIONS = {"sum": F.sum, "mean": F.mean, "var": F.var, "std": F.std,
              "logsumexp": F.logsumexp, "prod": F.prod}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(data=st.data())
def test_float16_reductions_accumulate_in_float32(name, data):
    """Values near 1e4 (prod: near 1): float16 in, float16 out, as exact as float16 allows."""
    side = 12 if name == "prod" else 40  # a product of 1.01**144 stays inside float16
    shape = data.draw(ast.shapes(min_dims=1, min_side=1, max_side=side, max_dims=2))
    low, high = (0.99, 1.01) if name == "prod" else (9_990.0, 10_010.0)
    if name == "sum":  # keep the sum itself inside float16's range
        low, high = low / 400, high / 400
    x = data.draw(ast.arrays(shape, low=low, high=high)).astype(np.float16)
    axis = data.draw(ast.axes(x.ndim))
    y = _strict(REDUCTIONS[name], Variable(x), axis=axis)
    expected = REDUCTIONS[name](Variable(x.astype(np.float64)), axis=axis).data
    assert y.dtype == np.float16
    np.testing.assert_allclose(y.data.astype(np.float64), expected, rtol=2e-3, atol=1e-2)


def test_float16_var_near_1e4_is_finite():
    x = (1e4 + np.random.default_rng(0).standard_normal(100) * 3).astype(np.float16)
    v = Variable(x)
    y = _strict(F.var, v)
    np.testing.assert_allclose(float(y.data), x.astype(np.float64).var(), rtol=1e-3)
    y.backward()
    assert v.grad.dtype == np.float16 and np.isfinite(v.grad.data).all()


# ----------------------------------------------------------------------------- integer input

FLOAT_FUNCTIONS = {
    "exp": F.exp, "log": F.log, "sqrt": F.sqrt, "sin": F.sin, "cos": F.cos, "tanh": F.tanh,
    "sigmoid": F.sigmoid, "softplus": F.softplus, "erf": F.erf, "gelu": F.gelu,
    "softmax": F.softmax, "log_softmax": F.log_softmax, "logsumexp": F.logsumexp,
    "mean": F.mean, "var": F.var, "std": F.std,
}


@pytest.mark.parametrize("name", sorted(FLOAT_FUNCTIONS))
@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.uint8, np.bool_])
def test_float_functions_of_integer_constants_give_floats(name, dtype):
    x = np.array([1, 2, 1] if dtype is not np.bool_ else [True, True, True], dtype)
    y = FLOAT_FUNCTIONS[name](x)
    assert y.dtype.kind == "f", f"{name} of {np.dtype(dtype)} gave {y.dtype}"
    expected = FLOAT_FUNCTIONS[name](x.astype(np.float64)).data
    np.testing.assert_allclose(y.data.astype(np.float64), expected, rtol=1e-3)


def test_erf_of_integers_has_numpys_float_dtype():
    assert F.erf(np.array([0, 1, 2])).dtype == np.sin(np.array([0, 1, 2])).dtype == np.float64
    assert F.erf(np.array([True, False])).dtype == np.sin(np.array([True])).dtype
    np.testing.assert_allclose(F.erf(np.array([0, 1])).data, [0.0, math.erf(1)])


# ----------------------------------------------------------------------------- indexing, flatten


@given(n=st.integers(1, 4), rest=ast.shapes(max_dims=2))
def test_empty_list_index_is_an_empty_integer_index(n, rest):
    x = Variable(np.ones((n,) + rest))
    y = x[[]]
    assert y.shape == np.ones((n,) + rest)[[]].shape == (0,) + rest
    y.backward(np.ones(y.shape))
    np.testing.assert_array_equal(x.grad.data, 0.0)


def test_empty_list_index_inside_a_tuple():
    x = Variable(np.ones((3, 4)))
    assert x[:, []].shape == np.ones((3, 4))[:, []].shape == (3, 0)


def test_flatten_of_0d_gives_shape_1():
    x = Variable(np.array(2.0))
    y = F.flatten(x, start_dim=0)
    assert y.shape == (1,)
    y.backward(np.ones(1))
    assert x.grad.shape == ()


@pytest.mark.parametrize("shape, start", [((), 1), ((3,), 1), ((2, 3), 2), ((2, 3), -3)])
def test_flatten_out_of_range_axis_is_an_error(shape, start):
    message = rf"flatten: start_dim {start}.*shape {re.escape(str(shape))}"
    with pytest.raises(ValueError, match=message):
        F.flatten(Variable(np.ones(shape)), start_dim=start)


# ----------------------------------------------------------------------------- batch_norm


def _graph_arrays(y):
    """Every array that a recorded Function of `y`'s graph holds as an input."""
    seen, stack, out = set(), [y.creator], []
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        for v in fn.inputs:
            out.append(v.data)
            stack.append(v.creator)
    return out


def test_batch_norm_eval_graph_holds_copies_of_running_stats():
    rng = np.random.default_rng(0)
    x = Variable(rng.standard_normal((4, 3)))
    gamma = Variable(np.ones(3))
    rm, rv = rng.standard_normal(3), rng.uniform(0.5, 2.0, 3)
    y = F.batch_norm(x, gamma, None, rm, rv, training=False)
    for a in _graph_arrays(y):
        assert not np.shares_memory(a, rm) and not np.shares_memory(a, rv)
    expected = grad((y * y).sum(), [x, gamma], retain_graph=True)
    F.batch_norm(Variable(rng.standard_normal((4, 3)) * 5), None, None, rm, rv, training=True)
    after = grad((y * y).sum(), [x, gamma])
    for e, a in zip(expected, after):
        np.testing.assert_array_equal(e.data, a.data)


# ----------------------------------------------------------------------------- PyTorch


@pytest.mark.parametrize("shape, axis", [((0, 3), None), ((0, 3), 0), ((0, 3), 1),
                                         ((2, 0), (0, 1)), ((0,), 0)])
@pytest.mark.parametrize("name", ["sum", "mean", "var", "logsumexp", "amax"])
def test_empty_reductions_match_pytorch(shape, axis, name):
    torch = pytest.importorskip("torch")
    t = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    dim = tuple(range(len(shape))) if axis is None else axis
    ours = {"sum": F.sum, "mean": F.mean, "var": F.var, "logsumexp": F.logsumexp,
            "amax": F.max}[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if name == "var":
                expected = torch.var(t, dim=dim, correction=0)
            else:
                expected = getattr(torch, name)(t, dim=dim)
        except (RuntimeError, IndexError):
            with pytest.raises(ValueError):
                ours(Variable(np.zeros(shape)), axis=axis)
            return
        x = Variable(np.zeros(shape))
        y = ours(x, axis=axis)
        np.testing.assert_array_equal(y.data, expected.detach().numpy())
        expected.sum().backward()
        y.backward(np.ones(y.shape))
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())


@given(x=ast.arrays(ast.shapes(min_dims=1, max_side=2)), data=st.data())
def test_var_degrees_of_freedom_match_pytorch(x, data):
    torch = pytest.importorskip("torch")
    axis = data.draw(ast.axes(x.ndim, allow_none=False))
    # Up to ddof = n: beyond, PyTorch's value clamps n - ddof at 0 (NaN or inf, as ours) but its
    # gradient divides by the negative n - ddof (finite); ours stays the value's derivative.
    ddof = data.draw(st.integers(0, _reduced_count(x.shape, axis)))
    t = torch.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = torch.var(t, dim=axis, correction=ddof)
        v = Variable(x)
        y = F.var(v, axis=axis, ddof=ddof)
        np.testing.assert_allclose(y.data, expected.detach().numpy(), rtol=1e-12)
        expected.sum().backward()
        y.backward(np.ones(y.shape))
    np.testing.assert_allclose(v.grad.data, t.grad.numpy(), rtol=1e-12, atol=1e-15)


@given(shape=ast.shapes(max_dims=4), data=st.data())
def test_flatten_matches_pytorch(shape, data):
    torch = pytest.importorskip("torch")
    ndim = len(shape) or 1
    start = data.draw(st.integers(-ndim - 1, ndim))
    end = data.draw(st.integers(-ndim - 1, ndim))
    x = np.arange(math.prod(shape), dtype=np.float64).reshape(shape)
    try:
        expected = torch.flatten(torch.tensor(x), start, end).numpy()
    except (RuntimeError, IndexError):
        with pytest.raises(ValueError, match="flatten"):
            F.flatten(Variable(x), start, end)
        return
    np.testing.assert_array_equal(F.flatten(Variable(x), start, end).data, expected)
