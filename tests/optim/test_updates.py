"""Each optimizer's updates equal PyTorch's documented formulas, step by step."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from autograd_lite.optim import SGD, Adagrad, Adam, AdamW, RMSprop
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd_lite import Variable, optim

from . import reference as ref
from .cases import CASES, case_id, make_params, run, set_grads
from .reference import Quadratic

N_STEPS = 6


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_matches_documented_formula_float64(case):
    cls, hyper, step_fn = case
    problem = Quadratic()
    params = make_params(problem)
    got = run(problem, cls(params, **hyper), params, N_STEPS)
    expected = problem.reference(step_fn, hyper, N_STEPS)
    for t, (got_t, expected_t) in enumerate(zip(got, expected, strict=True), start=1):
        for i, (g, e) in enumerate(zip(got_t, expected_t, strict=True)):
            np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-14, err_msg=f"step {t}, p{i}")
    # The parameters moved: the check above is not comparing two unchanged copies.
    assert not np.allclose(got[-1][0], problem.x0[0])


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_float32_stays_float32(case):
    cls, hyper, step_fn = case
    problem = Quadratic()
    params = make_params(problem, np.float32)
    opt = cls(params, **hyper)
    got = run(problem, opt, params, N_STEPS)
    expected = problem.reference(step_fn, hyper, N_STEPS)
    for p, g, e in zip(params, got[-1], expected[-1], strict=True):
        assert p.data.dtype == np.float32
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5)
        for key, value in opt.state[p].items():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32, key


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_updates_in_place_without_a_graph(case):
    cls, hyper, _ = case
    problem = Quadratic()
    params = make_params(problem)
    arrays = [p.data for p in params]
    grads = []
    opt = cls(params, **hyper)
    for _ in range(2):
        set_grads(problem, params)
        grads = [p.grad.data.copy() for p in params]
        opt.step()
    for p, array, grad in zip(params, arrays, grads, strict=True):
        assert p.data is array
        assert p.creator is None
        np.testing.assert_array_equal(p.grad.data, grad)  # the gradient is not modified


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_params_without_grad_are_skipped(case):
    cls, hyper, _ = case
    problem = Quadratic()
    params = make_params(problem)
    frozen = params[1]
    before = frozen.data.copy()
    opt = cls(params, **hyper)
    for _ in range(3):
        set_grads(problem, params)
        frozen.grad = None
        opt.step()
    np.testing.assert_array_equal(frozen.data, before)
    assert frozen not in opt.state
    assert not np.array_equal(params[0].data, problem.x0[0])


def test_param_groups_use_their_own_hyperparameters():
    problem = Quadratic()
    p0, p1, p2 = make_params(problem)
    opt = SGD(
        [{"params": [p0], "lr": 0.2}, {"params": [p1, p2], "momentum": 0.9}], lr=0.01
    )
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.01]
    assert [g["momentum"] for g in opt.param_groups] == [0.0, 0.9]
    got = run(problem, opt, [p0, p1, p2], N_STEPS)
    hypers = [dict(lr=0.2), dict(lr=0.01, momentum=0.9), dict(lr=0.01, momentum=0.9)]
    expected = problem.reference(ref.sgd_step, hypers, N_STEPS)
    for g, e in zip(got[-1], expected[-1], strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-14)


def test_add_param_group_and_zero_grad():
    problem = Quadratic()
    p0, p1, p2 = make_params(problem)
    opt = Adam([p0], lr=0.1)
    opt.add_param_group({"params": p1, "lr": 0.01})
    opt.add_param_group({"params": [p2], "betas": (0.5, 0.6)})
    assert [g["params"] for g in opt.param_groups] == [[p0], [p1], [p2]]
    assert opt.param_groups[1]["betas"] == (0.9, 0.999)
    assert opt.param_groups[2]["lr"] == 0.1
    set_grads(problem, [p0, p1, p2])
    opt.zero_grad()
    assert p0.grad is None and p1.grad is None and p2.grad is None


def test_lr_change_between_steps_takes_effect():
    # Schedulers work by writing group["lr"]; the next step must use it.
    p = Variable(np.array([1.0, -2.0]))
    opt = SGD([p], lr=0.1)
    p.grad = Variable(np.array([1.0, 1.0]), requires_grad=False)
    opt.step()
    opt.param_groups[0]["lr"] = 0.5
    opt.step()
    np.testing.assert_allclose(p.data, [1.0 - 0.1 - 0.5, -2.0 - 0.1 - 0.5], rtol=1e-15)


@given(
    lr=st.floats(1e-4, 0.5),
    beta1=st.floats(0.0, 0.99),
    beta2=st.floats(0.0, 0.999),
    eps=st.floats(1e-10, 1e-2),
    weight_decay=st.floats(0.0, 0.5),
    amsgrad=st.booleans(),
    decoupled=st.booleans(),
    maximize=st.booleans(),
)
def test_adam_family_matches_formula_for_any_hyperparameters(
    lr, beta1, beta2, eps, weight_decay, amsgrad, decoupled, maximize
):
    cls, step_fn = (AdamW, ref.adamw_step) if decoupled else (Adam, ref.adam_step)
    hyper = dict(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                 maximize=maximize)
    problem = Quadratic(seed=1)
    params = make_params(problem)
    got = run(problem, cls(params, **hyper), params, 4)
    expected = problem.reference(step_fn, hyper, 4)
    for g, e in zip(got[-1], expected[-1], strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12)


@given(
    lr=st.floats(1e-4, 0.2),
    momentum=st.sampled_from([0.0, 0.5, 0.9]),
    # alpha just above 0 makes the centred variance a difference of two almost equal numbers
    # (catastrophic cancellation): the two formulas then agree to ~1e-8, not 1e-9.
    alpha=st.one_of(st.just(0.0), st.floats(1e-3, 1.0)),
    weight_decay=st.floats(0.0, 0.5),
    centered=st.booleans(),
)
def test_rmsprop_matches_formula_for_any_hyperparameters(
    lr, momentum, alpha, weight_decay, centered
):
    # eps keeps the centered variant away from dividing by sqrt of a rounding error; with
    # alpha = 0 its variance estimate is g**2 - g**2, exactly 0 in theory and of either sign
    # after rounding, so two correct implementations may take the square root of -1e-20.
    assume(not (centered and alpha == 0.0))
    hyper = dict(
        lr=lr, alpha=alpha, eps=1e-3, weight_decay=weight_decay, momentum=momentum,
        centered=centered,
    )
    problem = Quadratic(seed=2)
    params = make_params(problem)
    got = run(problem, RMSprop(params, **hyper), params, 4)
    expected = problem.reference(ref.rmsprop_step, hyper, 4)
    for g, e in zip(got[-1], expected[-1], strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-11)


@given(
    lr=st.floats(1e-4, 0.3),
    momentum=st.floats(0.0, 0.99),
    dampening=st.floats(0.0, 1.0),
    weight_decay=st.floats(0.0, 0.5),
    maximize=st.booleans(),
    adagrad_decay=st.floats(0.0, 1.0),
)
def test_sgd_and_adagrad_match_formula_for_any_hyperparameters(
    lr, momentum, dampening, weight_decay, maximize, adagrad_decay
):
    problem = Quadratic(seed=3)
    sgd = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
               maximize=maximize)
    adagrad = dict(lr=lr, lr_decay=adagrad_decay, weight_decay=weight_decay)
    for cls, hyper, step_fn in [(SGD, sgd, ref.sgd_step), (Adagrad, adagrad, ref.adagrad_step)]:
        params = make_params(problem)
        got = run(problem, cls(params, **hyper), params, 4)
        expected = problem.reference(step_fn, hyper, 4)
        for g, e in zip(got[-1], expected[-1], strict=True):
            np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12)


def test_optim_defines_no_backward():
    """Optimizers are plain NumPy on .data; optim/ hand-writes no gradient."""
    package = Path(optim.__file__).parent
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.name != "backward", f"{path} defines backward()"
