"""No silent wrong gradient: roots that share a Function, writes backward must notice, grad mode
per thread, gradients at the edges (0 ** b, hooks), errors that keep their type.

Each test here failed on the engine before the trust issue (11) was fixed.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite.functions as F
from autograd_lite import (
    AnomalyError,
    Variable,
    detect_anomaly,
    enable_grad,
    func,
    grad,
    is_grad_enabled,
    nn,
    no_grad,
    optim,
)
from autograd_lite.testing import strategies as ast

# ----------------------------------------------------------------------------- several roots


def test_both_halves_of_a_split_as_roots():
    x = Variable(np.arange(4.0))
    a, b = F.split(x * 2, 2)
    (g,) = grad([a, b], [x], [np.ones(2), np.ones(2)])
    np.testing.assert_array_equal(g.data, [2, 2, 2, 2])


def test_the_same_root_twice_counts_twice():
    x = Variable(np.array([1.0, 2.0]))
    y = x * x
    (g,) = grad([y, y], x, [np.ones(2), np.ones(2)])
    np.testing.assert_array_equal(g.data, [4, 8])


def test_vjp_of_a_function_returning_both_halves_of_a_split():
    _, vjp_fn = func.vjp(lambda v: F.split(v * 3.0, 2), np.arange(4.0))
    (g,) = vjp_fn((np.ones(2), np.array([1.0, 2.0])))
    np.testing.assert_array_equal(np.asarray(g), [3, 3, 3, 6])


def test_a_number_as_the_gradient_of_a_root_is_spread_over_it():
    x = Variable(np.arange(3.0))
    (g,) = grad(x * 2.0, x, 1.0)
    np.testing.assert_array_equal(g.data, [2, 2, 2])


@st.composite
def root_sets(draw):
    """A random set of roots drawn from the pieces of a split and a stack of one input."""
    n = draw(st.integers(1, 4))
    x = draw(ast.arrays((n * 2,), low=-2, high=2))
    picks = draw(st.lists(st.sampled_from(["split", "stack", "whole"]), min_size=1,
                          max_size=5))
    pieces = [(kind, draw(st.integers(0, n - 1))) for kind in picks]
    seeds = [draw(st.floats(-2, 2)) for _ in pieces]
    return x, n, pieces, seeds


@given(root_sets())
def test_random_root_sets_sum_their_gradients(case):
    """grad of several roots (some the same Variable, some outputs of one Function) equals the
    sum of the gradients of each root taken alone."""
    x0, n, pieces, seeds = case
    x = Variable(x0)
    h = x * 3.0
    parts = F.split(h, n)
    stacked = F.stack([h[:n], h[n:]])

    def root(kind, i):
        return {"split": parts[i], "stack": stacked[i % 2], "whole": h}[kind]

    roots = [root(k, i) for k, i in pieces]
    together = grad(roots, x, [np.full(r.shape, s) for r, s in zip(roots, seeds)],
                    retain_graph=True)[0].data
    alone = sum(grad(r, x, np.full(r.shape, s), retain_graph=True)[0].data
                for r, s in zip(roots, seeds))
    np.testing.assert_allclose(together, alone, rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------- writes


def test_every_data_assignment_between_forward_and_backward_is_refused():
    for change in (lambda w: setattr(w, "data", w.data - 0.1),
                   lambda w: setattr(w, "data", w.data.astype(np.float32))):
        w = Variable(np.ones(3))
        loss = (w * w).sum()
        change(w)
        with pytest.raises(RuntimeError, match="modified in place after the forward pass"):
            loss.backward()


def test_a_changed_output_that_its_op_saved_is_refused():
    x = Variable(np.array([0.5, 1.0]))
    y = F.exp(x)  # Exp's gradient reads its output
    y.data = y.data * 2
    with pytest.raises(RuntimeError, match="Exp: its output 0"):
        y.sum().backward()


def test_raw_numpy_writes_are_declared_with_mark_modified():
    w = Variable(np.ones(3))
    loss = (w * w).sum()
    w.data[0] = 5.0
    w.mark_modified()
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


@pytest.mark.parametrize("write", [
    lambda a: a.__setitem__(0, 5.0), lambda a: a.fill(2.0),
    lambda a: np.copyto(a, np.zeros_like(a)), lambda a: np.add(a, 1, out=a),
])
def test_anomaly_mode_catches_raw_numpy_writes_and_names_the_line(write):
    with detect_anomaly():
        w = Variable(np.ones(3))
        loss = (w * w).sum()  # the op whose saved input is changed
        write(w.data)
        with pytest.raises(AnomalyError, match=r"Mul: its input 0 .* changed in place.*"
                                               r"loss = \(w \* w\)\.sum\(\)"):
            loss.backward()


def test_anomaly_mode_costs_nothing_to_clean_graphs():
    with detect_anomaly():
        w = Variable(np.ones(3))
        (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad.data, [2, 2, 2])


def test_the_gan_pattern_raises():
    g_net, d_net = nn.Linear(2, 2), nn.Linear(2, 1)
    opt_d = optim.Adam(d_net.parameters(), lr=0.1)
    fake = g_net(np.ones((4, 2), np.float32))
    loss_d = d_net(fake.detach()).mean()
    loss_g = -d_net(fake).mean()
    loss_d.backward()
    opt_d.step()  # changes D's weights, which loss_g's graph saved
    with pytest.raises(RuntimeError, match="modified in place"):
        loss_g.backward()


# ----------------------------------------------------------------------------- threads


def test_no_grad_in_one_thread_does_not_stop_recording_in_another():
    inside, recorded = threading.Event(), []
    release = threading.Event()

    def frozen():
        with no_grad():
            inside.set()
            release.wait(5)

    t = threading.Thread(target=frozen)
    t.start()
    inside.wait(5)
    assert is_grad_enabled()
    x = Variable(np.ones(2))
    recorded.append((x * 2.0).creator is not None)
    release.set()
    t.join()
    assert recorded == [True]


def test_overlapping_no_grad_blocks_in_two_threads_restore_each_thread():
    barrier = threading.Barrier(2)
    after = []

    def worker(first):
        with no_grad():
            barrier.wait(5)
            if first:  # leave while the other thread is still inside
                pass
            else:
                barrier.wait(5)
        if first:
            barrier.wait(5)
        after.append(is_grad_enabled())

    threads = [threading.Thread(target=worker, args=(i == 0,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert after == [True, True] and is_grad_enabled()


def _make_model(seed):
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Linear(3, 16, rng=rng), nn.Tanh(), nn.Linear(16, 1, rng=rng))


def _train(model, seed, steps, grads_out):
    rng = np.random.default_rng(seed)
    opt = optim.SGD(model.parameters(), lr=0.05)
    for _ in range(steps):
        x = rng.standard_normal((8, 3)).astype(np.float32)
        t = rng.standard_normal((8, 1)).astype(np.float32)
        opt.zero_grad()
        F.mse_loss(model(x), t).backward()
        grads_out.append([p.grad.data.copy() for p in model.parameters()])
        opt.step()


def test_two_threads_training_two_models_get_the_single_threaded_gradients():
    steps = 300
    expected = {}
    for seed in (1, 2):
        expected[seed] = []
        _train(_make_model(seed), seed, steps, expected[seed])
    got = {1: [], 2: []}
    threads = [threading.Thread(target=_train, args=(_make_model(s), s, steps, got[s]))
               for s in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for seed in (1, 2):
        assert len(got[seed]) == steps
        for a, b in zip(got[seed], expected[seed]):
            for ga, gb in zip(a, b):
                np.testing.assert_array_equal(ga, gb)


def test_a_layer_run_while_another_thread_is_inside_backward_records():
    """Backward switches recording off for its own thread only."""
    started, release = threading.Event(), threading.Event()

    class Slow(F.Exp):
        def vjp(self, gy, y, x):
            started.set()
            release.wait(5)
            return super().vjp(gy, y, x)

    x = Variable(np.ones(2))
    loss = Slow()(x).sum()
    t = threading.Thread(target=loss.backward)
    t.start()
    started.wait(5)
    layer = nn.Linear(2, 1)
    out = layer(np.ones((1, 2), np.float32))
    release.set()
    t.join()
    assert out.creator is not None
    out.sum().backward()
    assert layer.weight.grad is not None and np.all(x.grad.data == np.e)


def test_grad_mode_decorator_is_safe_in_two_threads():
    entered, gate = threading.Event(), threading.Event()

    @no_grad()
    def frozen(v, block):
        if block:
            entered.set()
            gate.wait(5)
        return v * 2.0

    results = []
    t = threading.Thread(target=lambda: results.append(frozen(Variable(np.ones(1)), True)))
    t.start()
    entered.wait(5)
    y = frozen(Variable(np.ones(1)), False)  # in and out while the thread is still inside
    assert is_grad_enabled()
    gate.set()
    t.join()
    assert y.creator is None and results[0].creator is None and is_grad_enabled()
    with enable_grad():
        assert is_grad_enabled()


# ----------------------------------------------------------------------------- edges


def test_pow_gradients_at_zero_are_zero_like_pytorch():
    a = Variable(np.array([0.0, 0.0, 2.0]))
    b = Variable(np.array([0.0, 2.0, 0.0]))
    (a**b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(b.grad.data, [0.0, 0.0, np.log(2.0)])
    x = Variable(np.array([0.0, 3.0]))
    (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])


def test_pow_at_zero_matches_pytorch():
    torch = pytest.importorskip("torch")
    base = np.array([0.0, 0.0, 0.0, 1.5, 2.0, 0.5])
    expo = np.array([0.0, 1.0, 2.5, 0.0, 3.0, -1.0])
    a, b = Variable(base), Variable(expo)
    (a**b).sum().backward()
    ta = torch.tensor(base, requires_grad=True)
    tb = torch.tensor(expo, requires_grad=True)
    (ta**tb).sum().backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy())
    np.testing.assert_allclose(b.grad.data, tb.grad.numpy())


def test_a_hook_must_keep_the_dtype():
    w = Variable(np.ones(2, np.float32))
    w.register_hook(lambda g: g.data.astype(np.float64))
    with pytest.raises(RuntimeError, match="dtype float64 .* dtype float32"):
        (w * 2.0).sum().backward()


def test_numpy_axis_errors_keep_their_type():
    with pytest.raises(np.exceptions.AxisError):
        F.softmax(Variable(np.ones((2, 3))), axis=5)
