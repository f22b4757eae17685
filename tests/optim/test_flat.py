"""The flat path (many small parameters updated at once, optim/flat.py) gives bit for bit the
updates of the one-by-one path, keeps per-parameter states that are ordinary arrays, and falls
back or rebuilds whenever the parameters or their states change."""

from __future__ import annotations

import numpy as np
import pytest
from autograd_lite.optim import SGD, Adam, flat

from autograd_lite import Variable

from .cases import CASES, case_id, make_params, run, set_grads
from .reference import Quadratic


@pytest.fixture
def one_by_one(monkeypatch):
    """Run the optimizers with the flat path switched off."""
    monkeypatch.setattr(flat, "MEAN_SIZE", 0)


def _trajectory(cls, hyper, steps=5):
    problem = Quadratic(seed=3)
    params = make_params(problem)
    optimizer = cls(params, **hyper)
    return run(problem, optimizer, params, steps), optimizer, params


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_flat_updates_equal_one_by_one_updates(case, monkeypatch):
    cls, hyper, _ = case
    flat_run, optimizer, params = _trajectory(cls, hyper)
    assert optimizer.flat_groups, "the small parameters took the flat path"
    monkeypatch.setattr(flat, "MEAN_SIZE", 0)
    plain_run, plain_optimizer, _ = _trajectory(cls, hyper)
    assert not plain_optimizer.flat_groups
    for a, b in zip(flat_run, plain_run, strict=True):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)
    # The states are per-parameter arrays of the parameters' shapes, equal in both runs.
    for p, q in zip(params, plain_optimizer.param_groups[0]["params"], strict=True):
        for key, value in optimizer.state[p].items():
            other = plain_optimizer.state[q][key]
            if isinstance(value, np.ndarray):
                assert value.shape == p.shape
            np.testing.assert_array_equal(value, other)


def test_a_loaded_state_is_taken_up_and_a_saved_one_is_a_copy():
    problem = Quadratic(seed=4)
    params = make_params(problem)
    optimizer = Adam(params, lr=0.1)
    run(problem, optimizer, params, 3)
    saved = optimizer.state_dict()
    snapshot = [p.data.copy() for p in params]
    run(problem, optimizer, params, 2)
    after = [p.data.copy() for p in params]
    for p, value in zip(params, snapshot):  # rewind, and load the saved state
        p.data = value.copy()
    optimizer.load_state_dict(saved)
    run(problem, optimizer, params, 2)
    for p, value in zip(params, after):
        np.testing.assert_array_equal(p.data, value)
    assert saved["state"][0]["step"] == 3  # the saved dict did not move with the optimizer


def test_a_parameter_without_a_gradient_is_left_alone():
    problem = Quadratic(seed=5)
    params = make_params(problem)
    optimizer = SGD(params, lr=0.1, momentum=0.9)
    set_grads(problem, params)
    optimizer.step()
    set_grads(problem, params)
    params[1].grad = None
    before = params[1].data.copy()
    steps = [optimizer.state[p].get("momentum_buffer").copy() for p in params]
    optimizer.step()
    np.testing.assert_array_equal(params[1].data, before)
    np.testing.assert_array_equal(optimizer.state[params[1]]["momentum_buffer"], steps[1])
    assert not np.array_equal(optimizer.state[params[0]]["momentum_buffer"], steps[0])


def test_parameters_of_different_dtypes_are_updated_one_by_one():
    a = Variable(np.ones(3, np.float32))
    b = Variable(np.ones(2, np.float64))
    for p in (a, b):
        p.grad = Variable(np.ones_like(p.data), requires_grad=False)
    optimizer = SGD([a, b], lr=0.5)
    optimizer.step()
    assert not optimizer.flat_groups
    np.testing.assert_array_equal(a.data, [0.5] * 3)
    assert a.data.dtype == np.float32 and b.data.dtype == np.float64


def test_the_flat_path_declares_its_writes():
    w, v = Variable(np.ones(3)), Variable(np.ones(2))
    optimizer = Adam([w, v], lr=0.1)
    loss = (w * w).sum() + (v * v).sum()
    loss.backward(retain_graph=True)
    optimizer.step()
    assert optimizer.flat_groups
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_large_parameters_take_the_one_by_one_path():
    big = [Variable(np.zeros(flat.MEAN_SIZE + 1)), Variable(np.zeros(flat.MEAN_SIZE + 1))]
    for p in big:
        p.grad = Variable(np.ones_like(p.data), requires_grad=False)
    optimizer = Adam(big)
    optimizer.step()
    assert not optimizer.flat_groups
