"""The public testing utilities: numerical_grad, gradcheck, gradgradcheck and the strategies."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

import autograd_lite.functions as F
from autograd_lite import Function, Variable
from autograd_lite.testing import GradcheckError, gradcheck, gradgradcheck, numerical_grad
from autograd_lite.testing import strategies as ast

# ----------------------------------------------------------------------------- user Functions


class Square(Function):
    """``x ** 2`` with a correct, differentiable backward."""

    def forward(self, x):
        return x * x

    def backward(self, gy):
        (x,) = self.inputs
        return gy * 2.0 * x


class SquareWrongAt(Function):
    """``x ** 2`` whose backward forgets element `bad` (its gradient comes out 0)."""

    def __init__(self, bad: int) -> None:
        self.bad = bad

    def forward(self, x):
        return x * x

    def backward(self, gy):
        (x,) = self.inputs
        mask = np.ones(x.shape)
        mask[self.bad] = 0.0
        return gy * 2.0 * x * mask


class SquareDataBackward(Function):
    """``x ** 2`` whose backward is right but uses ``.data``: the graph of it is broken."""

    def forward(self, x):
        return x * x

    def backward(self, gy):
        (x,) = self.inputs
        return gy * (2.0 * x.data)


# ----------------------------------------------------------------------------- numerical_grad


@given(ast.arrays(low=-2.0, high=2.0), ast.arrays(low=-2.0, high=2.0))
def test_numerical_grad_does_not_mutate_and_matches(a, b):
    a_before, b_before = a.copy(), b.copy()
    va = Variable(a.copy())
    ga, gb = numerical_grad(lambda x, y: np.sin(x) * np.sum(y), a, b)
    (gva,) = numerical_grad(lambda v: F.exp(v), va)
    np.testing.assert_array_equal(a, a_before)
    np.testing.assert_array_equal(b, b_before)
    np.testing.assert_array_equal(va.data, a_before)
    assert ga.dtype == gb.dtype == np.float64
    assert ga.shape == a.shape and gb.shape == b.shape
    np.testing.assert_allclose(ga, np.cos(a) * np.sum(b), atol=1e-6)
    np.testing.assert_allclose(gb, np.full(b.shape, np.sum(np.sin(a))), atol=1e-6)
    np.testing.assert_allclose(gva, np.exp(a), rtol=1e-6)


def test_numerical_grad_float32_input_untouched():
    a = np.array([0.5, 1.5], dtype=np.float32)
    (g,) = numerical_grad(lambda x: x**3, a)
    assert a.dtype == np.float32 and a.tolist() == [0.5, 1.5]
    np.testing.assert_allclose(g, 3 * a.astype(np.float64) ** 2, rtol=1e-6)


def test_numerical_grad_rejects_integer_input():
    with pytest.raises(TypeError, match="input 1"):
        numerical_grad(lambda x, t: x, np.ones(2), np.arange(2))


# ----------------------------------------------------------------------------- gradcheck


@given(ast.arrays(shape=ast.shapes(max_dims=2)))
def test_gradcheck_true_for_correct_functions(a):
    assert gradcheck(lambda x: Square()(x), a) is True
    assert gradcheck(lambda x, y: F.sin(x) * y + y, a, a + 1.0) is True
    assert gradcheck(lambda x: Square()(x), a, fast_mode=True) is True


def test_gradcheck_passes_integer_inputs_through():
    logits = np.random.default_rng(1).standard_normal((3, 4))
    labels = np.array([0, 3, 1])
    assert gradcheck(lambda x, t: F.cross_entropy(x, t), logits, labels)


def test_gradcheck_does_not_mutate_inputs():
    a = np.array([0.3, -0.7])
    v = Variable(np.array([1.0, 2.0]))
    gradcheck(lambda x, y: x * y, a, v)
    assert a.tolist() == [0.3, -0.7] and v.data.tolist() == [1.0, 2.0]
    assert v.grad is None


def _values(msg: str) -> tuple[float, float]:
    m = re.search(r"analytic (\S+?),? numerical (\S+)", msg)
    assert m, msg
    return float(m.group(1).rstrip(",")), float(m.group(2).rstrip(","))


def test_gradcheck_names_input_element_and_values():
    a = np.array([0.5, 1.0])
    b = np.array([1.0, 2.0, 3.0])
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: F.sum(x) + SquareWrongAt(2)(y), a, b)
    msg = str(info.value)
    assert "input 1" in msg
    assert "(2,)" in msg  # the worst element
    analytic, numerical = _values(msg)
    assert analytic == 0.0
    assert abs(numerical) > 1e-3  # 2 * b[2] * (random weight) is not zero


def test_gradcheck_error_on_2d_worst_element():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    with pytest.raises(GradcheckError, match=r"input 0.*\(1, 2\)"):
        gradcheck(lambda v: SquareWrongAt((1, 2))(v), x)


def test_gradcheck_fast_mode_catches_wrong_function():
    b = np.array([1.0, 2.0, 3.0])
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda y: SquareWrongAt(2)(y), b, fast_mode=True)
    assert "analytic" in str(info.value) and "numerical" in str(info.value)


def test_gradcheck_error_is_an_assertion_error():
    assert issubclass(GradcheckError, AssertionError)


# ----------------------------------------------------------------------------- gradgradcheck


def test_gradgradcheck_true_for_correct_functions():
    x = np.array([0.3, -1.2, 2.0])
    assert gradgradcheck(lambda v: Square()(v), x)
    assert gradgradcheck(lambda v: F.tanh(v) * v, x)
    assert gradgradcheck(lambda v: F.tanh(v) * v, x, fast_mode=True)


def test_gradgradcheck_catches_backward_using_data():
    x = np.array([0.3, -1.2, 2.0])
    assert gradcheck(lambda v: SquareDataBackward()(v), x)  # first derivative is right
    with pytest.raises(GradcheckError):
        gradgradcheck(lambda v: SquareDataBackward()(v), x)
    with pytest.raises(GradcheckError):
        gradgradcheck(lambda v: SquareDataBackward()(v), x, fast_mode=True)


# ----------------------------------------------------------------------------- strategies


@given(st.data())
def test_shapes_in_bounds(data):
    min_dims = data.draw(st.integers(0, 3))
    max_dims = data.draw(st.integers(min_dims, 4))
    min_side = data.draw(st.integers(0, 3))
    max_side = data.draw(st.integers(max(min_side, 1), 5))
    shape = data.draw(ast.shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                                 max_side=max_side))
    assert isinstance(shape, tuple)
    assert min_dims <= len(shape) <= max_dims
    assert all(min_side <= n <= max_side for n in shape)


@given(st.data())
def test_broadcastable_shapes_broadcast(data):
    n = data.draw(st.integers(1, 4))
    max_dims = data.draw(st.integers(0, 4))
    max_side = data.draw(st.integers(1, 5))
    shapes = data.draw(ast.broadcastable_shapes(n, max_dims=max_dims, max_side=max_side))
    assert len(shapes) == n
    np.broadcast_shapes(*shapes)  # raises if they do not broadcast
    assert all(len(s) <= max_dims and all(1 <= k <= max_side for k in s) for s in shapes)


@given(st.data())
def test_matmul_shapes_valid(data):
    vectors = data.draw(st.booleans())
    max_side = data.draw(st.integers(1, 5))
    a, b = data.draw(ast.matmul_shapes(max_side=max_side, vectors=vectors))
    np.matmul(np.ones(a), np.ones(b))  # raises if not aligned
    if not vectors:
        assert len(a) >= 2 and len(b) >= 2
    assert a[-1] <= max_side and all(n >= 1 for n in a + b)


@given(st.data())
def test_arrays_shape_dtype_and_domain(data):
    low = data.draw(st.floats(-5, 4))
    high = data.draw(st.floats(low + 0.5, 5))
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    shape = data.draw(st.one_of(st.integers(0, 4), ast.shapes()))
    a = data.draw(ast.arrays(shape, dtype=dtype, low=low, high=high))
    assert a.shape == ((shape,) if isinstance(shape, int) else shape)
    assert a.dtype == dtype
    assert np.all(np.isfinite(a))
    slack = 1e-6 * max(1.0, abs(low), abs(high))  # float32 rounding
    assert np.all(a >= low - slack) and np.all(a <= high + slack)


@given(st.data())
def test_arrays_default_shape_in_default_bounds(data):
    a = data.draw(ast.arrays())
    assert a.dtype == np.float64 and a.ndim <= 3 and all(1 <= n <= 4 for n in a.shape)
    assert np.all((a >= -3.0) & (a <= 3.0))


@given(st.data())
def test_arrays_keep_away_from_avoided_points(data):
    margin = data.draw(st.sampled_from([0.01, 0.05, 0.1]))
    # avoided points well inside the domain and far enough apart that both margins fit
    avoid = data.draw(st.lists(st.sampled_from([-2.0, -1.0, 0.0, 0.5, 1.5]), min_size=1,
                               max_size=3, unique=True))
    a = data.draw(ast.arrays(ast.shapes(max_dims=2, max_side=6), avoid=avoid, margin=margin))
    for p in avoid:
        assert np.all(np.abs(a - p) >= margin * (1 - 1e-9)), (p, a)
    assert np.all((a >= -3.0) & (a <= 3.0))


_SEARCH = settings(max_examples=1000, derandomize=True, database=None)


def test_arrays_avoid_at_domain_edge_stays_in_domain():
    strategy = ast.arrays((3,), low=0.0, high=1.0, avoid=(1.0,))
    with pytest.raises(NoSuchExample):
        find(strategy, lambda a: bool(a.max() > 1.0), settings=_SEARCH)


def test_arrays_close_avoided_points_both_respected():
    avoid, margin = (0.0, 0.06), 0.05
    strategy = ast.arrays((3,), low=-1.0, high=1.0, avoid=avoid, margin=margin)

    def too_close(a):
        return any(bool((np.abs(a - p) < margin).any()) for p in avoid)

    with pytest.raises(NoSuchExample):
        find(strategy, too_close, settings=_SEARCH)


@given(st.data())
def test_arrays_distinct_values_are_separated(data):
    margin = data.draw(st.sampled_from([0.05, 0.1, 0.25]))
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    a = data.draw(ast.arrays(ast.shapes(max_dims=2, max_side=5), dtype=dtype, distinct=True,
                             margin=margin))
    flat = np.sort(a.reshape(-1).astype(np.float64))
    assert len(np.unique(flat)) == flat.size
    if flat.size > 1:
        assert np.diff(flat).min() >= margin * (1 - 1e-5)
    assert np.all((flat >= -3.0 - 1e-6) & (flat <= 3.0 + 1e-6))


@given(st.data())
def test_axes_valid(data):
    ndim = data.draw(st.integers(0, 4))
    allow_none = data.draw(st.booleans())
    allow_tuple = data.draw(st.booleans())
    axis = data.draw(ast.axes(ndim, allow_none=allow_none, allow_tuple=allow_tuple))
    x = np.ones((2,) * ndim)
    np.sum(x, axis=axis)  # raises on an invalid or repeated axis
    if axis is None:
        assert allow_none or ndim == 0
    elif isinstance(axis, tuple):
        assert allow_tuple and 1 <= len(axis) <= ndim
        assert len({a % ndim for a in axis}) == len(axis)
    else:
        assert isinstance(axis, int) and -ndim <= axis < ndim


@given(ast.arrays(low=0.1, high=3.0))
def test_readme_style_property_test_of_user_function(x):
    assert gradcheck(lambda v: Square()(v), x)
