"""Tests of autograd_lite.func: each transform against finite differences of the one below it,
closed-form n-th derivatives, purity, nesting inside an outer graph, and the error messages."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite.functions as F
from autograd_lite import Variable, func, no_grad
from autograd_lite.testing import numerical_grad
from autograd_lite.testing import strategies as als

TOL = dict(rtol=1e-5, atol=1e-6)


def numerical_jacobian(fun, x, eps=1e-6):
    """Central differences of `fun` (array in, array-like out): shape out.shape + x.shape."""
    x = np.array(x, dtype=np.float64)  # a private copy
    cols = []
    for j in range(x.size):
        step = np.zeros(x.size)
        step[j] = eps
        step = step.reshape(x.shape)
        plus, minus = np.asarray(fun(x + step)), np.asarray(fun(x - step))
        cols.append((plus - minus).reshape(-1) / (2 * eps))
    out_shape = np.shape(np.asarray(fun(x)))
    return np.stack(cols, axis=-1).reshape(out_shape + x.shape)


# Smooth functions of one array of any shape: scalar-valued and array-valued.
SCALAR_FNS = {
    "tanh_sq": lambda x: (F.tanh(x) ** 2).sum() + F.logsumexp(x),
    "sin_exp_mean": lambda x: (F.sin(x) * F.exp(0.3 * x)).sum() * F.mean(x),
    "softplus_var": lambda x: F.softplus(x).sum() + F.var(x) * 2.0,
}
VECTOR_FNS = {
    "sin_tanh": lambda x: F.sin(x) * F.tanh(x) * 2.0,
    "sigmoid_times_norm": lambda x: F.sigmoid(x) * (x**2).sum(),
    "softmax_flat": lambda x: F.softmax(F.reshape(x, (-1,))),
}

small_arrays = als.arrays(als.shapes(max_dims=2, max_side=3), low=-2.0, high=2.0)


# ----------------------------------------------------------------------------- properties


@given(x=small_arrays, name=st.sampled_from(sorted(VECTOR_FNS)))
def test_jacobian_matches_finite_differences(x, name):
    f = VECTOR_FNS[name]
    J = func.jacobian(f)(x)
    assert J.shape == np.shape(f(x)) + x.shape
    np.testing.assert_allclose(np.asarray(J), numerical_jacobian(lambda a: f(a).data, x), **TOL)


@given(x=small_arrays, name=st.sampled_from(sorted(SCALAR_FNS)))
def test_hessian_matches_numerical_jacobian_of_grad(x, name):
    f = SCALAR_FNS[name]
    H = func.hessian(f)(x)
    assert H.shape == x.shape + x.shape
    numeric = numerical_jacobian(lambda a: func.grad(f)(a).data, x)
    np.testing.assert_allclose(np.asarray(H), numeric, **TOL)
    np.testing.assert_allclose(np.asarray(func.jacobian(func.grad(f))(x)), np.asarray(H),
                               rtol=1e-12, atol=1e-12)


@given(x=small_arrays, name=st.sampled_from(sorted(VECTOR_FNS)), data=st.data())
def test_jvp_is_jacobian_times_tangent(x, name, data):
    f = VECTOR_FNS[name]
    u = data.draw(als.arrays(x.shape))
    out, tangent_out = func.jvp(f, (x,), (u,))
    J = numerical_jacobian(lambda a: f(a).data, x).reshape(out.size, x.size)
    np.testing.assert_allclose(np.asarray(out), f(x).data)
    np.testing.assert_allclose(np.asarray(tangent_out), (J @ u.reshape(-1)).reshape(out.shape),
                               **TOL)


@given(x=small_arrays, name=st.sampled_from(sorted(VECTOR_FNS)), data=st.data())
def test_vjp_is_cotangent_times_jacobian(x, name, data):
    f = VECTOR_FNS[name]
    out, vjp_fn = func.vjp(f, x)
    u = data.draw(als.arrays(out.shape))
    (g,) = vjp_fn(u)
    (numeric,) = numerical_grad(lambda a: f(a) * u, x)  # gradient of sum(f * u) = u^T J
    np.testing.assert_allclose(np.asarray(g), numeric, **TOL)
    (g_again,) = vjp_fn(u)  # vjp_fn may be called again
    np.testing.assert_allclose(np.asarray(g_again), np.asarray(g))


@given(x=small_arrays, name=st.sampled_from(sorted(SCALAR_FNS)), data=st.data())
def test_hvp_is_hessian_times_vector(x, name, data):
    f = SCALAR_FNS[name]
    v = data.draw(als.arrays(x.shape))
    out, hv = func.hvp(f, (x,), (v,))
    H = np.asarray(func.hessian(f)(x)).reshape(x.size, x.size)
    np.testing.assert_allclose(np.asarray(out), f(x).data)
    np.testing.assert_allclose(np.asarray(hv), (H @ v.reshape(-1)).reshape(x.shape), **TOL)


@given(x=small_arrays, name=st.sampled_from(sorted(SCALAR_FNS)))
def test_grad_of_summed_grad_is_hessian_row_sum(x, name):
    f = SCALAR_FNS[name]
    g = func.grad(lambda a: func.grad(f)(a).sum())(x)
    H = np.asarray(func.hessian(f)(x)).reshape(x.size, x.size)
    np.testing.assert_allclose(np.asarray(g), H.sum(axis=0).reshape(x.shape), **TOL)


# ----------------------------------------------------------------------------- closed forms


def tanh_derivative(n, x):
    """d^n tanh / dx^n as a polynomial in t = tanh(x): P_{k+1}(t) = P_k'(t) (1 - t^2)."""
    p = np.polynomial.Polynomial([0.0, 1.0])
    for _ in range(n):
        p = p.deriv() * np.polynomial.Polynomial([1.0, 0.0, -1.0])
    return p(np.tanh(x))


CLOSED_FORMS = {
    "tanh": (F.tanh, tanh_derivative),
    "sin": (F.sin, lambda n, x: np.sin(x + n * math.pi / 2)),
    "exp": (F.exp, lambda n, x: np.exp(x)),
}


def test_tanh_closed_form_recurrence_itself():
    x = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(tanh_derivative(1, x), 1 - np.tanh(x) ** 2)
    np.testing.assert_allclose(tanh_derivative(2, x), -2 * np.tanh(x) * (1 - np.tanh(x) ** 2))


@pytest.mark.parametrize("n", range(1, 7))
@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_nth_derivative_elementwise(name, n):
    fn, closed = CLOSED_FORMS[name]
    x = np.linspace(-3, 3, 41)
    d = fn
    for _ in range(n):
        d = func.grad(lambda a, d=d: d(a).sum())  # elementwise: the gradient of a sum
    np.testing.assert_allclose(np.asarray(d(x)), closed(n, x), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_nth_derivative_of_a_scalar_by_nesting_grad(name):
    fn, closed = CLOSED_FORMS[name]
    d = fn
    for n in range(1, 7):
        d = func.grad(d)
        got = d(0.7)
        assert got.shape == ()
        assert math.isclose(float(got), closed(n, 0.7), rel_tol=1e-10, abs_tol=1e-12)


# ----------------------------------------------------------------------------- purity


def test_caller_arrays_are_never_written():
    rng = np.random.default_rng(0)
    x, y, u, v = (rng.standard_normal(3) for _ in range(4))
    copies = [a.copy() for a in (x, y, u, v)]
    for a in (x, y, u, v):
        a.flags.writeable = False  # any write raises

    def f(a, b):
        return (F.tanh(a) * b).sum() + (a * a).sum()

    def g(a):
        return F.sin(a) * 3.0

    func.grad(f, argnums=(0, 1))(x, y)
    func.value_and_grad(f)(x, y)
    func.hessian(f)(x, y)
    func.jacobian(g)(x)
    out, vjp_fn = func.vjp(g, x)
    vjp_fn(u)
    func.jvp(g, (x,), (u,))
    func.jvp(lambda a: a, (x,), (u,))
    func.hvp(f, (x, y), (u, v))
    for a, c in zip((x, y, u, v), copies):
        np.testing.assert_array_equal(a, c)


def test_variables_given_keep_their_data_and_grad():
    x = Variable(np.array([0.5, -1.0]))
    before = x.data.copy()
    func.grad(lambda a: (a**3).sum())(x)
    func.hessian(lambda a: (a**3).sum())(x)
    np.testing.assert_array_equal(x.data, before)
    assert x.grad is None  # transforms never touch .grad


# ----------------------------------------------------------------------------- nesting


def test_closed_over_variable_gets_its_gradient_through_grad():
    x0 = np.array([1.0, 2.0, -0.5])
    w = Variable(np.array([0.3, -1.2, 2.0]))
    c = np.array([1.0, -2.0, 0.5])
    g = func.grad(lambda x: (w * x**2).sum())(x0)  # 2 w x0
    np.testing.assert_allclose(np.asarray(g), 2 * w.data * x0)
    (g * c).sum().backward()
    np.testing.assert_allclose(w.grad.data, 2 * x0 * c)


def test_primal_from_an_outer_graph_passes_gradients_on():
    a = Variable(np.array([0.5, -1.5]))
    h = a * 3.0
    g = func.grad(lambda y: (y**3).sum())(h)  # 3 h^2 = 27 a^2
    np.testing.assert_allclose(np.asarray(g), 27 * a.data**2)
    g.sum().backward()
    np.testing.assert_allclose(a.grad.data, 54 * a.data)


def test_inner_transform_differentiates_this_use_only():
    # d/dx [x * d/dy (x + y)] = 1: the inner derivative must not see x (perturbation confusion)
    df = func.grad(lambda x: x * func.grad(lambda y: x + y)(1.0))
    assert float(df(1.0)) == 1.0
    # the same Variable as closure and argument: d/dy (x * y) at y = x is x
    x = Variable(np.array([1.5, 2.0]))
    g = func.grad(lambda y: (x * y).sum())(x)
    np.testing.assert_allclose(np.asarray(g), x.data)
    g.sum().backward()
    np.testing.assert_allclose(x.grad.data, [1.0, 1.0])


def test_transforms_nest_inside_outer_backward():
    w = Variable(np.array([[1.0, 0.5], [-0.3, 2.0]]))
    x0 = np.array([0.2, -0.7])

    def energy(x):
        return (F.tanh(w @ x) ** 2).sum()

    def loss(W):  # a loss on the gradient field: as in gradient-penalty training
        return (func.grad(energy)(x0) ** 2).sum()

    loss(w).backward()
    Wn = w.data.copy()

    def numeric_loss(Wv):
        def e(x):
            return (F.tanh(Wv @ x) ** 2).sum()
        return (func.grad(e)(x0).data ** 2).sum()

    (expected,) = numerical_grad(numeric_loss, Wn)
    np.testing.assert_allclose(w.grad.data, expected, rtol=1e-5, atol=1e-7)


def test_top_level_results_are_constants_so_loops_do_not_grow_a_graph():
    f = SCALAR_FNS["tanh_sq"]
    x = np.array([0.3, -0.2])
    for _ in range(3):
        g = func.grad(f)(x)
        assert not g.requires_grad and g.creator is None
        x = x - 0.1 * g
    assert not x.requires_grad
    with no_grad():
        w = Variable(np.array([1.0, 2.0]))
        g = func.grad(lambda a: (w * a * a).sum())(x)
    assert not g.requires_grad  # grad mode off: nothing connects outward


# ----------------------------------------------------------------------------- arguments


def test_argnums_tuple_and_aux():
    x, y = np.array([1.0, 2.0]), np.array([3.0, -1.0])

    def f(a, b):
        loss = (a * b**2).sum()
        return loss, {"loss": loss}

    (gx, gy), aux = func.grad(f, argnums=(0, 1), has_aux=True)(x, y)
    np.testing.assert_allclose(np.asarray(gx), y**2)
    np.testing.assert_allclose(np.asarray(gy), 2 * x * y)
    assert float(aux["loss"]) == pytest.approx((x * y**2).sum())
    (value, aux), g = func.value_and_grad(f, argnums=-1, has_aux=True)(x, y)
    assert float(value) == pytest.approx((x * y**2).sum())
    np.testing.assert_allclose(np.asarray(g), 2 * x * y)


def test_unused_inputs_give_zeros_and_constant_outputs_too():
    x, y = np.array([1.0, 2.0]), np.array([[3.0]])
    g = func.grad(lambda a, b: (a * 2).sum(), argnums=1)(x, y)
    np.testing.assert_array_equal(np.asarray(g), np.zeros((1, 1)))
    g = func.grad(lambda a: np.float64(3.0))(x)
    np.testing.assert_array_equal(np.asarray(g), np.zeros(2))
    _, t = func.jvp(lambda a, b: a * 2, (x, y), (x, y))
    np.testing.assert_allclose(np.asarray(t), 2 * x)


def test_hessian_with_two_arguments():
    x, y = np.array([0.5, -1.0]), np.array([2.0])

    def f(a, b):
        return (F.sin(a) * b**3).sum()

    H = func.hessian(f, argnums=(0, 1))(x, y)

    full = numerical_jacobian(lambda v: func.grad(
        lambda w: f(w[:2], w[2:]))(v).data, np.concatenate([x, y]))
    np.testing.assert_allclose(np.asarray(H[0][0]), full[:2, :2], **TOL)
    np.testing.assert_allclose(np.asarray(H[0][1]), full[:2, 2:], **TOL)
    np.testing.assert_allclose(np.asarray(H[1][0]), full[2:, :2], **TOL)
    np.testing.assert_allclose(np.asarray(H[1][1]), full[2:, 2:], **TOL)


def test_jacobian_of_tuple_output_and_tuple_argnums():
    x, y = np.array([1.0, 2.0]), np.array([0.5])
    (jxx, jxy), (jyx, jyy) = func.jacobian(lambda a, b: (a * b, (a**2).sum()),
                                           argnums=(0, 1))(x, y)
    np.testing.assert_allclose(np.asarray(jxx), np.diag([0.5, 0.5]))
    np.testing.assert_allclose(np.asarray(jxy), x.reshape(2, 1))
    np.testing.assert_allclose(np.asarray(jyx), 2 * x)
    assert jyy.shape == (1,)
    np.testing.assert_array_equal(np.asarray(jyy), [0.0])


def test_vjp_and_jvp_with_several_outputs():
    x = np.array([0.3, 0.6])
    out, vjp_fn = func.vjp(lambda a: (F.sin(a), a.sum()), x)
    (g,) = vjp_fn((np.ones(2), np.array(2.0)))
    np.testing.assert_allclose(np.asarray(g), np.cos(x) + 2)
    (o1, o2), (t1, t2) = func.jvp(lambda a: (F.sin(a), a.sum()), (x,), (np.ones(2),))
    np.testing.assert_allclose(np.asarray(t1), np.cos(x))
    assert float(t2) == pytest.approx(2.0)


def test_dtype_is_kept_and_numbers_are_accepted():
    x = np.array([0.5, 1.0], dtype=np.float32)
    assert func.grad(lambda a: (a**2).sum())(x).dtype == np.float32
    assert func.hessian(lambda a: (a**3).sum())(x).dtype == np.float32
    assert float(func.grad(lambda a: a * a)(3)) == 6.0  # a Python int becomes float64


# ----------------------------------------------------------------------------- errors


def test_grad_of_non_scalar_names_the_shape():
    with pytest.raises(ValueError, match=r"grad: f must return a scalar.*\(2, 3\)"):
        func.grad(lambda a: a * 2)(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"hvp: f must return a scalar.*\(3,\)"):
        func.hvp(lambda a: a, (np.ones(3),), (np.ones(3),))


def test_argnums_errors():
    f = func.grad(lambda a, b: (a * b).sum(), argnums=2)
    with pytest.raises(ValueError, match=r"argnums=2 is out of range .* 2 positional"):
        f(np.ones(2), np.ones(2))
    with pytest.raises(TypeError, match="argnums must be an int or a non-empty tuple"):
        func.grad(lambda a: a, argnums="0")
    with pytest.raises(ValueError, match="repeated"):
        func.jacobian(lambda a: a, argnums=(0, 0))
    with pytest.raises(ValueError, match="names the same argument twice"):
        func.grad(lambda a, b: a.sum(), argnums=(0, -2))(np.ones(1), np.ones(1))


def test_has_aux_needs_a_pair():
    with pytest.raises(TypeError, match=r"has_aux=True\): f must return a pair .* Variable"):
        func.grad(lambda a: a.sum(), has_aux=True)(np.ones(2))
    with pytest.raises(TypeError, match="tuple of length 3"):
        func.value_and_grad(lambda a: (a.sum(), 1, 2), has_aux=True)(np.ones(2))


def test_integer_inputs_are_refused_clearly():
    with pytest.raises(TypeError, match="argument 0 has dtype int64; only floating-point"):
        func.grad(lambda a: a.sum())(np.arange(3))


def test_shape_mismatches_are_named():
    with pytest.raises(ValueError, match=r"tangent 0 has shape \(2,\) but primal 0 .* \(3,\)"):
        func.jvp(lambda a: a, (np.ones(3),), (np.ones(2),))
    with pytest.raises(TypeError, match="primals must be a tuple"):
        func.jvp(lambda a: a, np.ones(3), (np.ones(3),))
    _, vjp_fn = func.vjp(lambda a: a * 2, np.ones(3))
    with pytest.raises(ValueError, match=r"cotangent 0 has shape \(4,\) but output 0"):
        vjp_fn(np.ones(4))


@given(x=small_arrays, name=st.sampled_from(sorted(SCALAR_FNS)), data=st.data())
def test_forward_over_reverse_equals_reverse_over_reverse(x, name, data):
    f = SCALAR_FNS[name]
    v = data.draw(als.arrays(x.shape))
    _, hv = func.hvp(f, (x,), (v,))
    _, jvp_of_grad = func.jvp(func.grad(f), (x,), (v,))
    np.testing.assert_allclose(np.asarray(jvp_of_grad), np.asarray(hv), rtol=1e-10, atol=1e-12)


def test_grad_of_jvp_and_of_vjp():
    x, v = np.array([0.4, -1.1]), np.array([2.0, 0.5])
    g = func.grad(lambda a: func.jvp(F.sin, (a,), (v,))[1].sum())(x)  # d/dx sum(cos(x) v)
    np.testing.assert_allclose(np.asarray(g), -np.sin(x) * v)
    g = func.grad(lambda a: func.vjp(F.exp, a)[1](v)[0].sum())(x)  # d/dx sum(v exp(x))
    np.testing.assert_allclose(np.asarray(g), v * np.exp(x))


def test_inner_gradient_stops_at_its_inputs():
    # The graph behind h was freed by a backward pass: the transform never walks into it.
    a = Variable(np.array([0.5, 2.0]))
    h = F.exp(a) * 2.0
    h.sum().backward()
    g = func.grad(lambda y: (y**2).sum())(h)
    np.testing.assert_allclose(np.asarray(g), 2 * h.data)
    assert g.requires_grad  # still connected to h, for whoever owns the outer graph
