"""Optimizer checkpoints: PyTorch's layout, exact resume, all-or-nothing loading."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from autograd_lite.optim import SGD, Adam

from autograd_lite import Variable

from .cases import CASES, case_id, make_params, run
from .reference import Quadratic


def assert_same_tree(a, b, path="state_dict"):
    """Deep equality of nested dicts/lists with ndarrays compared exactly (dtype too)."""
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype, path
        np.testing.assert_array_equal(a, b, err_msg=path)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for key in a:
            assert_same_tree(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_tree(x, y, f"{path}[{i}]")
    else:
        assert a == b, path


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_round_trip_resumes_bit_identically(case):
    cls, hyper, _ = case
    problem = Quadratic()
    params = make_params(problem)
    opt = cls(params, **hyper)
    run(problem, opt, params, 3)
    saved = opt.state_dict()
    saved_copy = copy.deepcopy(saved)
    at_save = [p.data.copy() for p in params]
    continued = run(problem, opt, params, 3)
    assert_same_tree(saved, saved_copy)  # later steps did not write into the saved dict

    resumed_params = [Variable(x.copy(), name=f"p{i}") for i, x in enumerate(at_save)]
    # Different hyper-parameters on purpose: loading must restore the saved ones.
    fresh = cls(resumed_params, lr=123.0)
    fresh.load_state_dict(saved)
    assert_same_tree(fresh.state_dict(), saved)
    resumed = run(problem, fresh, resumed_params, 3)
    for step_a, step_b in zip(continued, resumed, strict=True):
        for a, b in zip(step_a, step_b, strict=True):
            np.testing.assert_array_equal(a, b)
    # The loaded state is a copy: stepping `fresh` did not change `saved`.
    assert_same_tree(saved, saved_copy)


def test_layout_is_pytorch_like():
    problem = Quadratic()
    p0, p1, p2 = make_params(problem)
    opt = Adam([{"params": [p0, p1]}, {"params": [p2], "lr": 0.5}], lr=0.1, amsgrad=True)
    run(problem, opt, [p0, p1, p2], 2)
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert [g["lr"] for g in sd["param_groups"]] == [0.1, 0.5]
    assert sd["param_groups"][0]["betas"] == (0.9, 0.999)
    assert sorted(sd["state"]) == [0, 1, 2]
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert sd["state"][2]["step"] == 2
    assert sd["state"][1]["exp_avg"].shape == p1.data.shape
    assert sd["state"][1]["exp_avg"] is not opt.state[p1]["exp_avg"]


def test_load_casts_state_to_the_parameter_dtype():
    problem = Quadratic()
    params64 = make_params(problem)
    opt64 = Adam(params64, lr=0.1)
    run(problem, opt64, params64, 2)
    params32 = make_params(problem, np.float32)
    opt32 = Adam(params32)
    opt32.load_state_dict(opt64.state_dict())
    for p in params32:
        assert opt32.state[p]["exp_avg"].dtype == np.float32
    run(problem, opt32, params32, 1)
    assert all(p.data.dtype == np.float32 for p in params32)


def _two_group_float32_adam():
    return _two_group_adam(np.float32)


def _two_group_adam(dtype=np.float64):
    problem = Quadratic()
    params = make_params(problem, dtype)
    opt = Adam([{"params": params[:2]}, {"params": params[2:], "lr": 0.01}], lr=0.1)
    run(problem, opt, params, 2)
    return opt, params


def _drop_group(sd):
    sd["param_groups"].pop()


def _drop_param(sd):
    sd["param_groups"][0]["params"].pop()


def _bad_shape(sd):
    sd["state"][1]["exp_avg_sq"] = np.zeros(7)


def _unknown_index(sd):
    sd["state"][99] = {"step": 1}


def _bad_lr(sd):
    sd["param_groups"][1]["lr"] = -0.5


def _no_state_key(sd):
    del sd["state"]


def _int_array(sd):
    sd["state"][1]["exp_avg"] = np.zeros(5, dtype=np.int64)


def _complex_array(sd):
    sd["state"][0]["exp_avg_sq"] = np.zeros((3, 4), dtype=np.complex128)


def _list_for_array(sd):
    sd["state"][1]["exp_avg"] = [0.0] * 5


def _overflowing_array(sd):
    sd["state"][1]["exp_avg_sq"] = np.full(5, 1e300)


def _negative_step(sd):
    sd["state"][2]["step"] = -1


def _fractional_step(sd):
    sd["state"][2]["step"] = 2.5


def _bool_step(sd):
    sd["state"][2]["step"] = True


def _string_step(sd):
    sd["state"][2]["step"] = "3"


def _array_step(sd):
    sd["state"][2]["step"] = np.array([1, 2])


def _unknown_key(sd):
    sd["state"][0]["momentum_buffer"] = np.zeros((3, 4))


def _missing_key(sd):
    del sd["state"][1]["exp_avg_sq"]


def _state_not_a_dict(sd):
    sd["state"][0] = [1, 2]


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (_drop_group, "1 parameter groups, the optimizer has 2"),
        (_drop_param, "parameter group 0 has 1 parameters in the state dict, 2 in the optimizer"),
        (_bad_shape, r"'exp_avg_sq' of parameter 1: shape \(7,\) does not match .* \(5,\)"),
        (_unknown_index, "parameter index 99"),
        (_bad_lr, "parameter group 1: Adam: invalid lr: -0.5"),
        (_no_state_key, "'state' and 'param_groups'"),
        (_int_array, r"Adam.load_state_dict: state 'exp_avg' of parameter 1: .*int64.*float"),
        (_complex_array, r"state 'exp_avg_sq' of parameter 0: .*complex128"),
        (_list_for_array, r"state 'exp_avg' of parameter 1: expected an ndarray, got list"),
        (_overflowing_array, r"state 'exp_avg_sq' of parameter 1: .*overflow.*float32"),
        (_negative_step, r"state 'step' of parameter 2: expected an integer >= 0, got -1"),
        (_fractional_step, r"state 'step' of parameter 2: expected an integer >= 0, got 2.5"),
        (_bool_step, r"state 'step' of parameter 2: expected an integer >= 0, got True"),
        (_string_step, r"state 'step' of parameter 2: expected an integer >= 0, got '3'"),
        (_array_step, r"state 'step' of parameter 2: expected an integer >= 0, got array"),
        (_unknown_key, r"parameter 0 has unknown state 'momentum_buffer' \(Adam keeps "),
        (_missing_key, r"parameter 1 lacks state 'exp_avg_sq'"),
        (_state_not_a_dict, r"the state of parameter 0 must be a dict, got list"),
    ],
)
def test_bad_load_raises_and_changes_nothing(corrupt, message):
    opt, params = _two_group_float32_adam() if corrupt is _overflowing_array else _two_group_adam()
    sd = opt.state_dict()
    corrupt(sd)
    # Give the corrupted dict values that differ from the optimizer's, so a partial
    # load would show.
    for group in sd.get("param_groups", []):
        group["eps"] = 0.5
    for state in sd.get("state", {}).values():
        if isinstance(state, dict) and type(state.get("step")) is int and state["step"] >= 0:
            state["step"] = 1000  # (the corrupted steps are left alone)
    before = opt.state_dict()
    groups_before = opt.param_groups
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(sd)
    assert_same_tree(opt.state_dict(), before)
    assert opt.param_groups is groups_before
    assert set(opt.state) == set(params)


def test_load_keeps_extra_group_keys_such_as_initial_lr():
    opt, params = _two_group_adam()
    opt.param_groups[0]["initial_lr"] = 0.3
    sd = opt.state_dict()
    fresh = Adam([{"params": params[:2]}, {"params": params[2:]}])
    fresh.load_state_dict(sd)
    assert fresh.param_groups[0]["initial_lr"] == 0.3
    assert fresh.param_groups[1]["lr"] == 0.01


def test_state_dict_before_any_step_round_trips():
    p = Variable(np.ones(3))
    opt = SGD([p], lr=0.1, momentum=0.9)
    sd = opt.state_dict()
    assert sd["state"] == {}
    SGD([Variable(np.ones(3))], lr=1.0).load_state_dict(sd)


def test_load_accepts_step_counts_as_numpy_integers_and_integral_floats():
    # PyTorch keeps `step` as a float tensor; NumPy copies of it are integral floats.
    opt, params = _two_group_adam()
    sd = opt.state_dict()
    sd["state"][0]["step"] = np.int64(5)
    sd["state"][1]["step"] = np.array(7.0, dtype=np.float32)
    sd["state"][2]["step"] = 3.0
    fresh = Adam([{"params": params[:2]}, {"params": params[2:]}])
    fresh.load_state_dict(sd)
    steps = [fresh.state[p]["step"] for p in params]
    assert steps == [5, 7, 3] and all(type(step) is int for step in steps)


def test_sgd_state_with_and_without_a_momentum_buffer_loads():
    problem = Quadratic()
    params = make_params(problem)
    opt = SGD(params, lr=0.1, momentum=0.9)
    run(problem, opt, params, 2)
    sd = opt.state_dict()
    assert set(sd["state"][0]) == {"momentum_buffer"}
    SGD(make_params(problem), lr=0.1, momentum=0.9).load_state_dict(sd)
    sd["state"] = {0: {}}
    SGD(make_params(problem), lr=0.1, momentum=0.9).load_state_dict(sd)


def test_amsgrad_state_needs_its_maximum_only_when_amsgrad_is_on():
    problem = Quadratic()
    params = make_params(problem)
    opt = Adam(params, lr=0.1, amsgrad=True)
    run(problem, opt, params, 1)
    sd = opt.state_dict()
    del sd["state"][0]["max_exp_avg_sq"]
    with pytest.raises(ValueError, match="parameter 0 lacks state 'max_exp_avg_sq'"):
        Adam(make_params(problem)).load_state_dict(sd)
    sd["param_groups"][0]["amsgrad"] = False
    Adam(make_params(problem)).load_state_dict(sd)
