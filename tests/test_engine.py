"""Engine properties: graph walking, memory, accumulation, grad modes, constants, dtypes, errors.

Per-op gradients are tested in tests/functions/; here the ops are only vehicles for the engine.
"""

from __future__ import annotations

import gc
import sys
import weakref

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd_lite.functions as F
from autograd_lite import Function, Variable, enable_grad, grad, is_grad_enabled, no_grad
from autograd_lite.testing import strategies as ast

# ----------------------------------------------------------------------------- helpers


class Scale(Function):
    """``k * x`` as a user Function whose backward counts its calls (per class)."""

    calls = 0

    def __init__(self, k: float) -> None:
        self.k = k

    def forward(self, x):
        return x * self.k

    def backward(self, gy):
        type(self).calls += 1
        self.seen = gy.data.copy()
        return gy * self.k


class Probe(Function):
    """Identity on two inputs (``a + b``) that records which input gradients were asked for."""

    def forward(self, a, b):
        return a + b

    def backward(self, gy):
        type(self).asked = self.needs_input_grad
        return (gy if self.needs_input_grad[0] else None,
                gy if self.needs_input_grad[1] else None)


class TwoOut(Function):
    """``(2 x, 3 x)``: two outputs, for the one-output-unused case."""

    def forward(self, x):
        return 2 * x, 3 * x

    def backward(self, g1, g2):
        return g1 * 2 + g2 * 3


def fresh_scale() -> type[Scale]:
    """A Scale subclass with its own counter."""
    return type("Scale", (Scale,), {"calls": 0})


@pytest.fixture
def gc_off():
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# ----------------------------------------------------------------------------- long chains

N_CHAIN = 100_000


def _chain(x: Variable) -> Variable:
    y = x
    for _ in range(N_CHAIN // 2):
        y = -y
        y = y + 1.0
    return y


@pytest.mark.slow
def test_long_chain_forward_backward_exact():
    x = Variable(np.array(0.5))
    y = _chain(x)
    # -(y) + 1 twice: y -> -y + 1 -> y - 1 + 1 = y; after 50,000 pairs: 0.5 (even count)
    assert y.item() == 0.5
    y.backward()
    assert x.grad.item() == 1.0  # (-1) ** 50_000, exactly


@pytest.mark.slow
def test_long_chain_under_low_recursion_limit():
    x = Variable(np.array([0.25, -2.0]))
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        y = _chain(x) * 3.0
        s = y.sum()
        s.backward()
        text = repr(s)
        del y, s  # freeing the 100,000-op graph must not recurse either
    finally:
        sys.setrecursionlimit(old)
    assert "Variable" in text
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])


# ----------------------------------------------------------------------------- no cycles


def test_creator_dies_with_output_without_gc(gc_off):
    x = Variable(np.ones(3))
    a = x * 2.0
    b = F.exp(a)
    y = b.sum()
    refs = [weakref.ref(v) for v in (a, b)] + [weakref.ref(y.creator), weakref.ref(b.creator),
                                                 weakref.ref(a.creator)]
    del a, b
    assert all(r() is not None for r in refs)  # the graph keeps them alive while y lives
    del y
    assert [r() for r in refs] == [None] * len(refs)
    assert x.grad is None


@pytest.mark.parametrize("retain_graph", [False, True])
def test_graph_freed_after_backward_without_gc(gc_off, retain_graph):
    x = Variable(np.arange(4.0))
    h = F.tanh(x * x)
    y = (h * h + F.sin(h)).sum()
    refs = [weakref.ref(h), weakref.ref(h.creator), weakref.ref(y.creator)]
    y.backward(retain_graph=retain_graph)
    del h, y
    assert [r() for r in refs] == [None] * len(refs)
    assert x.grad is not None


def test_user_function_graph_freed_without_gc(gc_off):
    x = Variable(np.ones(2))
    y, z = TwoOut()(x)
    ref = weakref.ref(y.creator)
    y.sum().backward()
    del y, z
    assert ref() is None


# ----------------------------------------------------------------------------- once per Function


def test_diamond_runs_each_backward_once():
    S = fresh_scale()
    x = Variable(np.array([1.0, 2.0]))
    f, g, h = S(2.0), S(3.0), S(5.0)
    a = f(x)
    y = g(a) + h(a)
    y.sum().backward()
    assert S.calls == 3
    np.testing.assert_array_equal(f.seen, [8.0, 8.0])  # f ran after both consumers
    np.testing.assert_array_equal(x.grad.data, [16.0, 16.0])


def test_diamond_builtin():
    x = Variable(np.array([0.7]))  # 0-d: see test_scalar_gradient_accumulates_three_times
    a = F.sin(x)
    y = F.exp(a) + a * a + a
    y.backward()
    expected = (np.exp(np.sin(0.7)) + 2 * np.sin(0.7) + 1) * np.cos(0.7)
    np.testing.assert_allclose(x.grad.item(), expected, rtol=1e-14)


WIDTH = 20_000


def test_wide_fan_in_user_function():
    S = fresh_scale()
    x = Variable(np.array([1.0, -1.0]))
    root = S(1.0)
    a = root(x)  # one Variable used by WIDTH ops
    ys = [S(2.0)(a) for _ in range(WIDTH)]
    F.stack(ys).sum().backward()
    assert S.calls == WIDTH + 1
    np.testing.assert_array_equal(root.seen, [2.0 * WIDTH] * 2)
    np.testing.assert_array_equal(x.grad.data, [2.0 * WIDTH] * 2)


def test_wide_fan_in_builtin():
    x = Variable(np.array([1.5]))
    a = x * 1.0
    total = None
    for i in range(WIDTH):
        t = a * float(i)
        total = t if total is None else total + t
    total.backward()
    assert x.grad.item() == WIDTH * (WIDTH - 1) / 2


# ----------------------------------------------------------------------------- accumulation


def test_leaf_grads_accumulate_until_cleargrad():
    x = Variable(np.array([1.0, 2.0]))
    (x * 3.0).sum().backward()
    first = x.grad
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3 + 2, 3 + 4])
    np.testing.assert_array_equal(first.data, [3.0, 3.0])  # earlier reference not mutated
    x.cleargrad()
    assert x.grad is None
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])
    x.zero_grad()
    assert x.grad is None


def test_scalar_gradient_accumulates_three_times():
    x = Variable(np.array(2.0))
    (x + x + x).backward()
    assert x.grad.item() == 3.0


def test_x_plus_x_and_x_times_x():
    x = Variable(np.array(3.0))
    (x + x).backward()
    assert x.grad.item() == 2.0
    x.cleargrad()
    (x * x).backward()
    assert x.grad.item() == 6.0


def test_intermediate_grads_only_when_retained():
    x = Variable(np.array([1.0, 2.0]))
    a = x * x
    b = a * 3.0
    c = F.exp(b * 0.1)
    b.retain_grad()
    c.sum().backward()
    assert a.grad is None
    assert c.grad is None
    np.testing.assert_allclose(b.grad.data, 0.1 * np.exp(0.1 * 3 * np.array([1.0, 4.0])))
    np.testing.assert_allclose(x.grad.data, b.grad.data * 6 * x.data)


def test_retained_grad_of_root_and_reused_intermediate():
    x = Variable(np.array([2.0]))
    a = x * 1.0
    a.retain_grad()
    y = a * a + a
    y.retain_grad()
    y.backward()
    assert y.grad.item() == 1.0
    assert a.grad.item() == 2 * 2.0 + 1


def test_second_backward_through_freed_graph_raises():
    x = Variable(np.array([1.0, 2.0]))
    y = (F.exp(x) * 2.0).sum()
    y.backward()
    g = x.grad.data.copy()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()
    np.testing.assert_array_equal(x.grad.data, g)  # no silent partial accumulation


def test_retain_graph_allows_second_backward_and_accumulates():
    x = Variable(np.array([1.0, 2.0]))
    y = (F.exp(x) * 2.0).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.data, 4 * np.exp(x.data))


def test_leaf_grads_never_share_memory_vector():
    a, b = Variable(np.ones(3)), Variable(np.ones(3))
    (a + b).sum().backward()
    a.grad.data[0] = 100.0
    assert b.grad.data[0] == 1.0


_SHARED_GY = ("engine bug: when a vjp returns one owning array for two inputs (Add: gy, gy), "
              "_store_grad stores it uncopied as both leaves' .grad")


def test_leaf_grads_never_share_memory_after_mul():
    a, b = Variable(np.ones(3)), Variable(np.ones(3))
    ((a + b) * 2.0).sum().backward()  # Mul makes a fresh gy; Add hands it to both leaves
    a.grad.data[0] = 100.0
    assert b.grad.data[0] == 2.0


def test_leaf_grads_never_share_memory_scalar():
    a, b = Variable(np.array(1.0)), Variable(np.array(2.0))
    (a + b).backward()  # the seed goes to both leaves
    assert not np.shares_memory(a.grad.data, b.grad.data)


def test_leaf_grad_does_not_alias_given_grad():
    a, b = Variable(np.ones(3)), Variable(np.ones(3))
    g = np.ones(3)
    (a + b).backward(g)
    assert not np.shares_memory(a.grad.data, g)
    assert not np.shares_memory(a.grad.data, b.grad.data)


def test_leaf_grads_through_reshape_views_do_not_alias():
    a, b = Variable(np.ones((2, 2))), Variable(np.ones((4, 1)))
    (a.reshape(4) + b.reshape(4)).sum().backward()
    a.grad.data[0, 0] = 100.0
    np.testing.assert_array_equal(b.grad.data, np.ones((4, 1)))


# ----------------------------------------------------------------------------- grad modes


def test_no_grad_context_records_nothing():
    x = Variable(np.ones(2))
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        y = F.exp(x * 2.0)
    assert is_grad_enabled()
    assert y.creator is None and not y.requires_grad
    with pytest.raises(RuntimeError, match="does not require"):
        y.sum().backward()


def test_no_grad_enable_grad_nested_and_restored_on_error():
    with no_grad():
        with enable_grad():
            assert is_grad_enabled()
            with no_grad():
                assert not is_grad_enabled()
            assert is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            raise ZeroDivisionError
    assert is_grad_enabled()


def test_no_grad_and_enable_grad_as_decorators():
    @no_grad()
    def frozen(v):
        assert not is_grad_enabled()
        return v * 2.0

    @enable_grad()
    def live(v):
        return v * 2.0

    x = Variable(np.ones(2))
    y = frozen(x)
    assert y.creator is None and not y.requires_grad
    assert is_grad_enabled()
    with no_grad():
        z = live(x)
        w = frozen(x)  # re-entering the same decorator nests fine
    assert isinstance(z.creator, F.Mul) and z.requires_grad
    assert w.creator is None
    assert frozen(frozen(x)).creator is None  # recursion through one decorator instance


# ----------------------------------------------------------------------------- constants


def test_constant_inputs_not_differentiated_user_function():
    x = Variable(np.ones(2))
    Probe.asked = None
    Probe()(x, np.ones(2)).sum().backward()
    assert Probe.asked == (True, False)
    Probe()(2.0, x).sum().backward()
    assert Probe.asked == (False, True)
    Probe()(Variable(np.ones(2), requires_grad=False), x).sum().backward()
    assert Probe.asked == (False, True)


def test_linear_does_not_differentiate_images():
    images = np.random.default_rng(0).standard_normal((4, 3))
    W, b = Variable(np.ones((2, 3))), Variable(np.zeros(2))
    y = F.linear(images, W, b)
    fn = y.creator
    assert isinstance(fn, F.Linear)
    assert fn.needs_input_grad == (False, True, True)
    assert fn.inputs[0].creator is None and not fn.inputs[0].requires_grad
    gy = np.ones((4, 2))
    gx, gW, gb = fn.vjp(gy, y.data, images, W.data, b.data)
    assert gx is None
    y.sum().backward()
    np.testing.assert_allclose(W.grad.data, np.ones((4, 2)).T @ images)
    np.testing.assert_array_equal(b.grad.data, [4.0, 4.0])


OPS = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b, "**": lambda a, b: a**b, "@": lambda a, b: a @ b,
}


@pytest.mark.parametrize("op", sorted(OPS))
def test_ndarray_on_the_left_gives_variable(op):
    a = np.array([1.5, 2.0])
    x = Variable(np.array([0.5, 3.0]))
    y = OPS[op](a, x)
    assert isinstance(y, Variable)
    np.testing.assert_allclose(y.data, OPS[op](a, x.data))
    y.sum().backward()
    assert x.grad is not None and x.grad.shape == x.shape
    assert y.creator.needs_input_grad == (False, True)


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_python_numbers_on_both_sides(op):
    x = Variable(np.array([0.5, 3.0]))
    for y, ref in ((OPS[op](2.0, x), OPS[op](2.0, x.data)), (OPS[op](x, 2), OPS[op](x.data, 2))):
        assert isinstance(y, Variable)
        np.testing.assert_allclose(y.data, ref)
        x.cleargrad()
        y.sum().backward()
        assert x.grad.shape == (2,)


def test_constants_get_no_grad():
    c = Variable(np.ones(2), requires_grad=False)
    x = Variable(np.ones(2))
    (x * c + c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])


# ----------------------------------------------------------------------------- dtypes


SCALAR_EXPRS = {
    "x*2.0": lambda x: x * 2.0, "x+1": lambda x: x + 1, "2**x": lambda x: 2**x,
    "x/3": lambda x: x / 3, "1-x": lambda x: 1 - x, "x**2": lambda x: x**2,
    "x**0.5": lambda x: x**0.5, "-x": lambda x: -x, "exp": F.exp, "sum": lambda x: x.sum(),
    "mean": lambda x: x.mean(axis=0), "matmul": lambda x: x @ x.T, "max": lambda x: x.max(),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(SCALAR_EXPRS))
def test_dtype_kept_through_ops_and_gradients(name, dtype):
    x = Variable(np.array([[0.5, 1.5], [2.0, 0.25]], dtype=dtype))
    y = SCALAR_EXPRS[name](x)
    assert y.dtype == dtype
    y.sum().backward()
    assert x.grad.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_kept_in_second_derivative(dtype):
    x = Variable(np.array([0.5, 1.5], dtype=dtype))
    (g,) = grad((x**3 * 2.0 + 1).sum(), x, create_graph=True)
    assert g.dtype == dtype
    (gg,) = grad(g.sum(), x)
    assert gg.dtype == dtype


def test_mixed_dtype_gradient_follows_each_input():
    a = Variable(np.ones(2, dtype=np.float32))
    b = Variable(np.ones(2, dtype=np.float64))
    (a * b).sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


def test_integer_and_boolean_data_are_constants_unless_a_gradient_is_asked_for():
    for data in (np.arange(3), np.array([True, False])):
        v = Variable(data)
        assert not v.requires_grad and v.dtype == data.dtype
        with pytest.raises(TypeError, match="requires_grad"):
            Variable(data, requires_grad=True)
    assert Variable(np.arange(3), requires_grad=False).dtype.kind == "i"


def test_python_data_becomes_float64():
    assert Variable([1, 2]).dtype == np.float64
    assert Variable(3).dtype == np.float64
    assert Variable(3).shape == ()


@given(ast.arrays(ast.shapes(min_dims=1), dtype=np.float32))
def test_comparisons_return_boolean_ndarrays(a):
    x = Variable(a)
    for r in (x < 0, x <= 0, x > 0, x >= 0, x == x, x != 0.5):
        assert type(r) is np.ndarray and r.dtype == np.bool_
        assert r.shape == a.shape
    np.testing.assert_array_equal(x > 0, a > 0)


def test_comparison_of_0d_is_numpy_bool_not_variable():
    x = Variable(np.array(1.0))
    r = x > 0.5
    assert not isinstance(r, Variable)
    assert np.asarray(r).dtype == np.bool_ and bool(r)


# ----------------------------------------------------------------------------- higher order, grad()


def test_third_derivative_of_x4():
    x = Variable(np.array(1.5))
    (g1,) = grad(x**4, x, create_graph=True)
    (g2,) = grad(g1, x, create_graph=True)
    (g3,) = grad(g2, x)
    assert g1.item() == pytest.approx(4 * 1.5**3)
    assert g2.item() == pytest.approx(12 * 1.5**2)
    assert g3.item() == pytest.approx(24 * 1.5)
    assert x.grad is None


def test_backward_create_graph_then_backward_again():
    x = Variable(np.array([0.3]))
    y = F.sin(x) * x
    y.backward(create_graph=True)
    gx = x.grad
    assert gx.creator is not None  # the backward pass was recorded
    x.cleargrad()
    gx.backward()
    expected = 2 * np.cos(0.3) - 0.3 * np.sin(0.3)
    assert x.grad.item() == pytest.approx(expected, rel=1e-12)


def test_grad_leaves_dot_grad_untouched():
    x = Variable(np.array([1.0, 2.0]))
    w = Variable(np.array([3.0, 4.0]))
    h = x * w
    y = (h * h).sum()
    gx, gw = grad(y, [x, w], retain_graph=True)
    assert x.grad is None and w.grad is None and h.grad is None
    np.testing.assert_allclose(gx.data, 2 * x.data * w.data**2)
    np.testing.assert_allclose(gw.data, 2 * w.data * x.data**2)


def test_grad_leaves_retained_intermediate_grad_untouched():
    x = Variable(np.array([1.0, 2.0]))
    h = x * 3.0
    h.retain_grad()
    grad((h * h).sum(), x)
    assert h.grad is None


def test_grad_with_grad_outputs_and_non_leaf_input():
    x = Variable(np.array([1.0, 2.0, 3.0]))
    a = x * 2.0
    y = a * a
    go = np.array([1.0, 10.0, 100.0])
    ga, gx = grad(y, [a, x], grad_outputs=go)
    np.testing.assert_allclose(ga.data, 2 * a.data * go)
    np.testing.assert_allclose(gx.data, 2 * a.data * go * 2.0)


def test_grad_allow_unused():
    x, z = Variable(np.array(1.0)), Variable(np.array(2.0))
    y = x * 3.0
    with pytest.raises(RuntimeError, match="allow_unused"):
        grad(y, [x, z], retain_graph=True)
    gx, gz = grad(y, [x, z], allow_unused=True)
    assert gx.item() == 3.0 and gz is None


def test_grad_several_outputs():
    x = Variable(np.array([2.0]))
    y1, y2 = x * x, x * 3.0
    (g,) = grad([y1, y2], x)
    assert g.item() == 4.0 + 3.0


# ----------------------------------------------------------------------------- backward errors


def test_backward_non_scalar_needs_grad():
    y = Variable(np.ones((2, 3))) * 2.0
    with pytest.raises(RuntimeError, match=r"\(2, 3\)"):
        y.backward()


def test_backward_wrong_grad_shape():
    y = Variable(np.ones((2, 3))) * 2.0
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 3\)"):
        y.backward(np.ones(3))


def test_backward_on_constant_raises():
    c = Variable(np.array(1.0), requires_grad=False)
    with pytest.raises(RuntimeError, match="does not require a gradient"):
        c.backward()
    with pytest.raises(RuntimeError, match="does not require a gradient"):
        (c * 2.0).backward()


# ----------------------------------------------------------------------------- forward errors


def test_matmul_error_names_op_and_shapes():
    with pytest.raises(ValueError) as info:
        Variable(np.ones((2, 3))) @ Variable(np.ones((4, 5)))
    msg = str(info.value)
    assert "matmul" in msg.lower() and "(2, 3)" in msg and "(4, 5)" in msg


def test_matmul_error_names_op_once():
    with pytest.raises(ValueError) as info:
        Variable(np.ones((2, 3))) @ Variable(np.ones((4, 5)))
    assert str(info.value).lower().count("matmul") == 1


def test_broadcast_error_names_op_and_shapes():
    with pytest.raises(ValueError) as info:
        Variable(np.ones((2, 3))) + np.ones(4)
    msg = str(info.value)
    assert msg.startswith("Add") and "(2, 3)" in msg and "(4,)" in msg


def test_cross_entropy_label_errors():
    logits = Variable(np.zeros((2, 3)))
    with pytest.raises(TypeError, match="cross_entropy.*integer"):
        F.cross_entropy(logits, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"cross_entropy.*\(3,\).*\(2, 3\)"):
        F.cross_entropy(logits, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="cross_entropy"):
        F.cross_entropy(logits, np.array([0, 3]))


# ----------------------------------------------------------------------------- hooks


def test_hook_on_leaf_sees_and_replaces_gradient():
    x = Variable(np.array([1.0, 2.0]))
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.data.copy()))
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(seen[0], [3.0, 3.0])
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])
    handle.remove()
    h2 = x.register_hook(lambda g: g * 10.0)
    x.cleargrad()
    (x * 3.0).sum().backward()
    assert len(seen) == 1  # removed hook not called
    np.testing.assert_array_equal(x.grad.data, [30.0, 30.0])
    h2.remove()
    h2.remove()  # removing twice is harmless


def test_hook_on_intermediate_replaces_upstream_gradient():
    x = Variable(np.array(2.0))
    a = x * x
    seen = []
    a.register_hook(lambda g: seen.append(g.item()))
    a.register_hook(lambda g: g * 0.5)
    (a * 3.0).backward()
    assert seen == [3.0]
    assert x.grad.item() == 0.5 * 3.0 * 2 * 2.0
    assert a.grad is None


def test_hooks_called_once_with_total_gradient():
    x = Variable(np.array([2.0]))
    seen = []
    x.register_hook(lambda g: seen.append(("x", g.item())))
    a = x * 1.0
    a.register_hook(lambda g: seen.append(("a", g.item())))
    (a * a + a * 3.0 + x).sum().backward()
    assert seen == [("a", 2 * 2.0 + 3.0), ("x", 7.0 + 1.0)]


def test_hook_under_create_graph_gets_differentiable_gradient():
    x = Variable(np.array([2.0]))
    seen = []
    x.register_hook(seen.append)
    (x**3).sum().backward(create_graph=True)
    (g,) = seen
    assert isinstance(g, Variable) and g.item() == 12.0 and g.creator is not None


def test_hook_wrong_shape_raises():
    x = Variable(np.ones(2))
    x.register_hook(lambda g: np.ones(3))
    with pytest.raises(RuntimeError, match="shape"):
        (x * 1.0).sum().backward()


# ----------------------------------------------------------------------------- several outputs


def test_user_function_with_unused_output():
    x = Variable(np.array([1.0, 2.0]))
    y1, y2 = TwoOut()(x)
    (y1 * y1).sum().backward()  # y2 unused: its gradient comes in as zeros
    np.testing.assert_allclose(x.grad.data, 2 * (2 * x.data) * 2)


def test_user_function_with_dropped_output():
    x = Variable(np.array([1.0, 2.0]))
    y2 = TwoOut()(x)[1]  # the first output is never kept
    y2.sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 3.0])


def test_builtin_split_with_unused_piece():
    x = Variable(np.arange(4.0))
    a, b = F.split(x, 2)
    (b * 5.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 5.0, 5.0])


# ----------------------------------------------------------------------------- NumPy protocol


def test_numpy_ufuncs_and_functions_dispatch():
    x = Variable(np.array([-1.0, 0.5, 2.0]))
    for y, dydx in (
        (np.exp(x), np.exp(x.data)),
        (np.sum(x), np.ones(3)),
        (np.maximum(x, 0), (x.data > 0).astype(float)),
        (np.sin(x) * np.ones(3), np.cos(x.data)),
    ):
        assert isinstance(y, Variable)
        x.cleargrad()
        y.sum().backward()
        np.testing.assert_allclose(x.grad.data, dydx)


def test_numpy_non_differentiable_calls():
    x = Variable(np.array([1.0, np.nan]))
    with pytest.raises(TypeError, match="np.cumprod is not differentiable"):
        np.cumprod(x)
    r = np.isnan(x)
    assert type(r) is np.ndarray and r.dtype == np.bool_
    np.testing.assert_array_equal(r, [False, True])


# ----------------------------------------------------------------------------- params


def test_function_params():
    x = Variable(np.ones((2, 3)))
    s = x.sum(axis=1, keepdims=True).creator
    assert isinstance(s, F.Sum)
    p = s.params()
    assert p["keepdims"] is True and p["axis"] in (1, (1,))
    assert "Sum(" in repr(s)
    assert (x + x).creator.params() == {}
    assert Scale(2.5).params() == {"k": 2.5}


# ----------------------------------------------------------------------------- random graphs


@given(st.lists(st.tuples(st.sampled_from(["add", "mul", "sin"]), st.integers(0, 10**6),
                          st.integers(0, 10**6)), min_size=1, max_size=25),
       st.floats(-2, 2))
def test_random_dag_matches_forward_mode(program, x0):
    """A random expression DAG: reverse-mode gradient equals a dual-number forward pass."""
    x = Variable(np.array([x0]))  # 0-d: see test_scalar_gradient_accumulates_three_times
    nodes = [(x, x0, 1.0)]  # (Variable, value, d value / dx)
    for op, i, j in program:
        (a, va, da), (b, vb, db) = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if op == "add":
            nodes.append((a + b, va + vb, da + db))
        elif op == "mul":
            nodes.append((a * b, va * vb, da * vb + va * db))
        else:
            nodes.append((F.sin(a), np.sin(va), np.cos(va) * da))
    y, vy, dy = nodes[-1]
    assume(np.isfinite(vy) and np.isfinite(dy) and abs(dy) < 1e100)
    y.backward()
    assert y.item() == pytest.approx(vy, rel=1e-9, abs=1e-12)
    got = 0.0 if x.grad is None else x.grad.item()
    assert got == pytest.approx(dy, rel=1e-9, abs=1e-9)
