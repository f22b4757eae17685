"""Schedulers give PyTorch's documented learning-rate sequences and resume exactly."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
from autograd_lite.optim import SGD, Adagrad, Adam
from autograd_lite.optim.lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiStepLR,
    OneCycleLR,
    SequentialLR,
    StepLR,
)

from autograd_lite import Variable

from .cases import make_params, run
from .reference import Quadratic
from .test_state_dict import assert_same_tree


def lr_sequence(opt, scheduler, n_epochs):
    """Each group's lr as used during epochs 0 .. n_epochs-1 (the usual training loop)."""
    seen = []
    for _ in range(n_epochs):
        seen.append([group["lr"] for group in opt.param_groups])
        assert scheduler.get_last_lr() == seen[-1]
        opt.step()
        scheduler.step()
    return np.array(seen)


def two_group_sgd(lr0=0.05, lr1=0.2):
    return SGD([{"params": [Variable(np.zeros(2))]}, {"params": [Variable(np.zeros(3))],
                                                      "lr": lr1}], lr=lr0)


def expected(formula, base_lrs, n_epochs):
    return np.array([[formula(base, epoch) for base in base_lrs] for epoch in range(n_epochs)])


def test_step_lr_documented_example():
    # PyTorch's docs: lr = 0.05 for epochs < 30, 0.005 for < 60, 0.0005 for < 90.
    opt = SGD([Variable(np.zeros(2))], lr=0.05)
    got = lr_sequence(opt, StepLR(opt, step_size=30, gamma=0.1), 90)
    want = np.array([0.05] * 30 + [0.005] * 30 + [0.0005] * 30)[:, None]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_step_lr_formula_two_groups():
    opt = two_group_sgd()
    got = lr_sequence(opt, StepLR(opt, step_size=3, gamma=0.5), 20)
    np.testing.assert_allclose(
        got, expected(lambda b, e: b * 0.5 ** (e // 3), [0.05, 0.2], 20), rtol=1e-12
    )


def test_multistep_lr_documented_example():
    # PyTorch's docs: lr = 0.05 for epochs < 30, 0.005 for < 80, 0.0005 from 80 on.
    opt = SGD([Variable(np.zeros(2))], lr=0.05)
    got = lr_sequence(opt, MultiStepLR(opt, milestones=[80, 30], gamma=0.1), 100)
    want = np.array([0.05] * 30 + [0.005] * 50 + [0.0005] * 20)[:, None]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_multistep_lr_repeated_milestone_decays_twice():
    opt = SGD([Variable(np.zeros(2))], lr=1.0)
    got = lr_sequence(opt, MultiStepLR(opt, milestones=[2, 2, 4], gamma=0.5), 6)
    np.testing.assert_allclose(got[:, 0], [1, 1, 0.25, 0.25, 0.125, 0.125], rtol=1e-12)


def test_exponential_lr():
    opt = two_group_sgd()
    got = lr_sequence(opt, ExponentialLR(opt, gamma=0.9), 30)
    np.testing.assert_allclose(got, expected(lambda b, e: b * 0.9**e, [0.05, 0.2], 30), rtol=1e-12)


def test_cosine_annealing_lr():
    eta_min, t_max = 0.001, 10
    opt = two_group_sgd()
    got = lr_sequence(opt, CosineAnnealingLR(opt, T_max=t_max, eta_min=eta_min), 25)

    def cosine(base, epoch):
        return eta_min + (base - eta_min) * (1 + math.cos(math.pi * epoch / t_max)) / 2

    np.testing.assert_allclose(got, expected(cosine, [0.05, 0.2], 25), rtol=1e-12)
    np.testing.assert_allclose(got[0], [0.05, 0.2], rtol=1e-12)
    np.testing.assert_allclose(got[t_max], [eta_min, eta_min], rtol=1e-12)
    np.testing.assert_allclose(got[2 * t_max], [0.05, 0.2], rtol=1e-12)
    assert np.all(np.diff(got[: t_max + 1, 0]) < 0)


def test_linear_lr_documented_example():
    # PyTorch's docs: lr = 0.025, 0.03125, 0.0375, 0.04375, then 0.05 from epoch 4 on.
    opt = SGD([Variable(np.zeros(2))], lr=0.05)
    got = lr_sequence(opt, LinearLR(opt, start_factor=0.5, total_iters=4), 8)
    want = [0.025, 0.03125, 0.0375, 0.04375, 0.05, 0.05, 0.05, 0.05]
    np.testing.assert_allclose(got[:, 0], want, rtol=1e-12)


def test_linear_lr_defaults_and_decay():
    opt = two_group_sgd()
    got = lr_sequence(opt, LinearLR(opt), 8)  # start 1/3, end 1, 5 iterations

    def linear(base, epoch):
        return base * (1 / 3 + (1 - 1 / 3) * min(epoch, 5) / 5)

    np.testing.assert_allclose(got, expected(linear, [0.05, 0.2], 8), rtol=1e-12)
    opt = two_group_sgd()
    got = lr_sequence(opt, LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=3), 5)
    np.testing.assert_allclose(got[:, 0], 0.05 * np.array([1.0, 0.7, 0.4, 0.1, 0.1]), rtol=1e-12)


def test_initial_lr_is_recorded_and_kept():
    opt = two_group_sgd(0.05, 0.2)
    scheduler = ExponentialLR(opt, gamma=0.5)
    scheduler.step()
    assert [g["initial_lr"] for g in opt.param_groups] == [0.05, 0.2]
    assert scheduler.base_lrs == [0.05, 0.2]
    assert scheduler.last_epoch == 1
    # A second scheduler on the same optimizer starts from initial_lr, not the current lr.
    second = StepLR(opt, step_size=1, gamma=1.0)
    assert second.base_lrs == [0.05, 0.2]


def test_resume_with_last_epoch():
    opt = two_group_sgd()
    with pytest.raises(KeyError, match=r"'initial_lr'.*param_groups\[0\]"):
        StepLR(opt, step_size=2, gamma=0.5, last_epoch=4)
    StepLR(opt, step_size=2, gamma=0.5)  # records initial_lr
    resumed = StepLR(opt, step_size=2, gamma=0.5, last_epoch=4)
    assert resumed.last_epoch == 5
    np.testing.assert_allclose(resumed.get_last_lr(), [0.05 * 0.25, 0.2 * 0.25], rtol=1e-12)


def test_base_class_needs_get_lr():
    with pytest.raises(NotImplementedError, match="get_lr"):
        LRScheduler(two_group_sgd())


@pytest.mark.parametrize(
    "make, exc, message",
    [
        (lambda o: StepLR(o, step_size=0), ValueError, "StepLR: invalid step_size: 0"),
        (lambda o: StepLR(o, step_size=2.5), ValueError, "StepLR: invalid step_size: 2.5"),
        (lambda o: StepLR(o, 2, gamma=-0.1), ValueError, "StepLR: invalid gamma: -0.1"),
        (lambda o: MultiStepLR(o, [3, -1]), ValueError, "MultiStepLR: invalid milestone: -1"),
        (lambda o: ExponentialLR(o, gamma=0), ValueError, "ExponentialLR: invalid gamma: 0"),
        (lambda o: CosineAnnealingLR(o, T_max=0), ValueError, "invalid T_max: 0"),
        (lambda o: CosineAnnealingLR(o, 5, eta_min=-1), ValueError, "invalid eta_min: -1"),
        (lambda o: LinearLR(o, start_factor=0), ValueError, "invalid start_factor: 0"),
        (lambda o: LinearLR(o, start_factor=1.5), ValueError, "invalid start_factor: 1.5"),
        (lambda o: LinearLR(o, end_factor=2.0), ValueError, "invalid end_factor: 2.0"),
        (lambda o: LinearLR(o, total_iters=0), ValueError, "invalid total_iters: 0"),
        (lambda o: StepLR(o, 2, last_epoch=-3), ValueError, "invalid last_epoch: -3"),
        (lambda o: StepLR(object(), 2), TypeError, "expected an Optimizer, got object"),
    ],
)
def test_bad_arguments(make, exc, message):
    opt = two_group_sgd()
    with pytest.raises(exc, match=message):
        make(opt)
    assert all("initial_lr" not in group for group in opt.param_groups)
    assert [group["lr"] for group in opt.param_groups] == [0.05, 0.2]


def test_scheduler_and_optimizer_resume_bit_identically():
    problem = Quadratic()

    def train(opt, scheduler, params, n_epochs):
        record = []
        for _ in range(n_epochs):
            run(problem, opt, params, 2)
            scheduler.step()
            record.append(([p.data.copy() for p in params], scheduler.get_last_lr()))
        return record

    params = make_params(problem)
    opt = Adam([{"params": params[:2]}, {"params": params[2:], "lr": 0.05}], lr=0.1)
    scheduler = CosineAnnealingLR(opt, T_max=6, eta_min=0.01)
    train(opt, scheduler, params, 3)
    saved_opt, saved_sched = opt.state_dict(), scheduler.state_dict()
    at_save = [p.data.copy() for p in params]
    continued = train(opt, scheduler, params, 3)

    params2 = [Variable(x.copy()) for x in at_save]
    opt2 = Adam([{"params": params2[:2]}, {"params": params2[2:]}], lr=7.0)
    scheduler2 = CosineAnnealingLR(opt2, T_max=6, eta_min=0.01)
    opt2.load_state_dict(saved_opt)
    scheduler2.load_state_dict(saved_sched)
    assert scheduler2.last_epoch == 3
    resumed = train(opt2, scheduler2, params2, 3)
    for (params_a, lrs_a), (params_b, lrs_b) in zip(continued, resumed, strict=True):
        assert lrs_a == lrs_b
        for a, b in zip(params_a, params_b, strict=True):
            np.testing.assert_array_equal(a, b)


def test_scheduler_state_dict_contents():
    opt = two_group_sgd()
    scheduler = MultiStepLR(opt, milestones=[2, 5], gamma=0.5)
    scheduler.step()
    sd = scheduler.state_dict()
    assert "optimizer" not in sd
    assert sd["last_epoch"] == 1 and sd["milestones"] == [2, 5] and sd["base_lrs"] == [0.05, 0.2]
    sd["milestones"].append(9)
    assert scheduler.milestones == [2, 5]  # a copy


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (lambda sd: sd.pop("last_epoch"), r"missing keys \['last_epoch'\]"),
        (lambda sd: sd.update(bogus=1), r"unexpected keys \['bogus'\]"),
        (lambda sd: sd.update(base_lrs=[0.1]), "1 base_lrs, the optimizer has 2 parameter groups"),
    ],
)
def test_scheduler_bad_load_raises_and_changes_nothing(corrupt, message):
    opt = two_group_sgd()
    scheduler = StepLR(opt, step_size=2)
    scheduler.step()
    sd = scheduler.state_dict()
    sd["last_epoch"] = 40
    corrupt(sd)
    before = scheduler.state_dict()
    with pytest.raises(ValueError, match=message):
        scheduler.load_state_dict(sd)
    assert_same_tree(scheduler.state_dict(), before)


# ---------------------------------------------------------------------------- LambdaLR
class Halving:
    """A callable object with state: LambdaLR saves its attributes."""

    def __init__(self, every: int) -> None:
        self.every = every

    def __call__(self, step: int) -> float:
        return 0.5 ** (step // self.every)


def test_lambda_lr_one_function_for_every_group():
    opt = two_group_sgd()
    got = lr_sequence(opt, LambdaLR(opt, lambda step: 1 / (1 + step)), 6)
    np.testing.assert_allclose(got, expected(lambda b, e: b / (1 + e), [0.05, 0.2], 6),
                               rtol=1e-12)


def test_lambda_lr_one_function_per_group_and_its_state():
    opt = two_group_sgd()
    halving = Halving(2)
    scheduler = LambdaLR(opt, [lambda step: 0.9**step, halving])
    got = lr_sequence(opt, scheduler, 6)
    np.testing.assert_allclose(got[:, 0], 0.05 * 0.9 ** np.arange(6), rtol=1e-12)
    np.testing.assert_allclose(got[:, 1], 0.2 * 0.5 ** (np.arange(6) // 2), rtol=1e-12)
    sd = scheduler.state_dict()
    assert sd["lr_lambdas"] == [None, {"every": 2}]  # functions are not saved, objects are
    json.dumps(sd)
    other = Halving(5)
    resumed = LambdaLR(two_group_sgd(), [lambda step: 0.9**step, other])
    resumed.load_state_dict(sd)
    assert other.every == 2 and resumed.last_epoch == scheduler.last_epoch


# ---------------------------------------------------------------------------- SequentialLR
def warmup_then_cosine(opt, warmup=5, t_max=20, eta_min=1e-4):
    return SequentialLR(
        opt,
        [LinearLR(opt, start_factor=0.1, total_iters=warmup),
         CosineAnnealingLR(opt, T_max=t_max, eta_min=eta_min)],
        milestones=[warmup],
    )


def test_sequential_lr_linear_warmup_then_cosine():
    opt = two_group_sgd()
    got = lr_sequence(opt, warmup_then_cosine(opt), 30)

    def formula(base, step):
        if step < 5:
            return base * (0.1 + 0.9 * step / 5)
        return 1e-4 + (base - 1e-4) * (1 + math.cos(math.pi * (step - 5) / 20)) / 2

    np.testing.assert_allclose(got, expected(formula, [0.05, 0.2], 30), rtol=1e-12)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.05, 0.2]


def test_sequential_lr_three_schedules_and_the_active_one():
    opt = SGD([Variable(np.zeros(2))], lr=1.0)
    first = ExponentialLR(opt, gamma=0.5)
    second = StepLR(opt, step_size=2, gamma=0.1)
    third = LambdaLR(opt, lambda step: 1 + step)
    scheduler = SequentialLR(opt, [first, second, third], milestones=[3, 7])
    got = lr_sequence(opt, scheduler, 10)[:, 0]
    want = [1, 0.5, 0.25, 1, 1, 0.1, 0.1, 1, 2, 3]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert (first.last_epoch, second.last_epoch, third.last_epoch) == (2, 3, 3)
    assert third.get_last_lr() == scheduler.get_last_lr()


def test_sequential_lr_resumes_across_a_milestone():
    opt = two_group_sgd()
    scheduler = warmup_then_cosine(opt, warmup=4, t_max=8)
    lr_sequence(opt, scheduler, 3)
    saved_opt, saved = opt.state_dict(), scheduler.state_dict()
    json.dumps(saved)
    continued = lr_sequence(opt, scheduler, 8)
    opt2 = two_group_sgd(lr0=9.0, lr1=9.0)
    resumed_scheduler = warmup_then_cosine(opt2, warmup=4, t_max=8)
    opt2.load_state_dict(saved_opt)
    resumed_scheduler.load_state_dict(saved)
    np.testing.assert_array_equal(lr_sequence(opt2, resumed_scheduler, 8), continued)


def test_sequential_lr_bad_child_state_changes_nothing():
    opt = two_group_sgd()
    scheduler = warmup_then_cosine(opt)
    scheduler.step()
    sd = scheduler.state_dict()
    sd["last_epoch"] = 17
    del sd["_schedulers"][1]["T_max"]
    before = scheduler.state_dict()
    with pytest.raises(ValueError, match=r"SequentialLR.load_state_dict: scheduler 1 "
                                         r"\(CosineAnnealingLR\): missing keys \['T_max'\]"):
        scheduler.load_state_dict(sd)
    assert_same_tree(scheduler.state_dict(), before)


# ---------------------------------------------------------------------------- OneCycleLR
def cos_anneal(start, end, pct):
    return end + (start - end) * (1 + math.cos(math.pi * pct)) / 2


def test_one_cycle_lr_two_phases_with_momentum():
    opt = SGD([Variable(np.zeros(2))], lr=123.0, momentum=0.5)
    scheduler = OneCycleLR(opt, max_lr=1.0, total_steps=10)  # pct_start 0.3: peak at step 2
    lrs, momenta = [], []
    for _ in range(10):
        lrs.append(opt.param_groups[0]["lr"])
        momenta.append(opt.param_groups[0]["momentum"])
        opt.step()
        scheduler.step()
    initial, low = 1.0 / 25, 1.0 / 25 / 1e4
    want = [cos_anneal(initial, 1.0, s / 2) for s in range(3)]
    want += [cos_anneal(1.0, low, (s - 2) / 7) for s in range(3, 10)]
    np.testing.assert_allclose(lrs, want, rtol=1e-12)
    want_m = [cos_anneal(0.95, 0.85, s / 2) for s in range(3)]
    want_m += [cos_anneal(0.85, 0.95, (s - 2) / 7) for s in range(3, 10)]
    np.testing.assert_allclose(momenta, want_m, rtol=1e-12)
    assert lrs[2] == 1.0 and math.isclose(lrs[0], initial) and math.isclose(lrs[-1], low)
    with pytest.raises(ValueError, match="OneCycleLR: stepped 11 times, but total_steps is 10"):
        scheduler.step()


def test_one_cycle_lr_linear_three_phases_cycles_adam_beta1():
    opt = Adam([Variable(np.zeros(2))], betas=(0.9, 0.99))
    scheduler = OneCycleLR(opt, max_lr=0.1, epochs=2, steps_per_epoch=10, pct_start=0.25,
                           anneal_strategy="linear", three_phase=True, div_factor=10,
                           final_div_factor=100)
    lrs, beta1s = [], []
    for _ in range(20):
        lrs.append(opt.param_groups[0]["lr"])
        beta1s.append(opt.param_groups[0]["betas"][0])
        assert opt.param_groups[0]["betas"][1] == 0.99
        opt.step()
        scheduler.step()
    # Phases end at steps 4, 8 and 19: 0.01 -> 0.1 -> 0.01 -> 0.0001, linearly.
    np.testing.assert_allclose(lrs[:5], np.linspace(0.01, 0.1, 5), rtol=1e-12)
    np.testing.assert_allclose(lrs[4:9], np.linspace(0.1, 0.01, 5), rtol=1e-12)
    np.testing.assert_allclose(lrs[8:], np.linspace(0.01, 0.0001, 12), rtol=1e-12)
    np.testing.assert_allclose(beta1s[:5], np.linspace(0.95, 0.85, 5), rtol=1e-12)
    np.testing.assert_allclose(beta1s[8:], 0.95, rtol=1e-12)


def test_one_cycle_lr_per_group_max_lr_and_state():
    opt = two_group_sgd()
    scheduler = OneCycleLR(opt, max_lr=[1.0, 2.0], total_steps=6, cycle_momentum=False)
    assert [g["initial_lr"] for g in opt.param_groups] == [1.0 / 25, 2.0 / 25]
    assert [g["max_lr"] for g in opt.param_groups] == [1.0, 2.0]
    assert opt.param_groups[0]["momentum"] == 0.0  # not cycled
    lr_sequence(opt, scheduler, 3)
    json.dumps(scheduler.state_dict())


def test_one_cycle_lr_a_one_step_warmup_does_not_divide_by_zero():
    opt = SGD([Variable(np.zeros(2))], lr=1.0)
    scheduler = OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=0.1)  # phase 1 ends at 0
    assert opt.param_groups[0]["lr"] == 1.0
    scheduler.step()
    assert opt.param_groups[0]["lr"] < 1.0


@pytest.mark.parametrize(
    "make, exc, message",
    [
        (lambda o: LambdaLR(o, [lambda s: 1.0]), ValueError,
         "LambdaLR: expected 2 values of lr_lambda .one per parameter group., got 1"),
        (lambda o: LambdaLR(o, 0.5), TypeError, "LambdaLR: lr_lambda must be callable"),
        (lambda o: SequentialLR(o, [], milestones=[]), ValueError,
         "SequentialLR: expected at least one scheduler"),
        (lambda o: SequentialLR(o, [StepLR(o, 2), StepLR(o, 3)], milestones=[]), ValueError,
         "SequentialLR: 2 schedulers need 1 milestones, got 0"),
        (lambda o: SequentialLR(o, [StepLR(o, 2), StepLR(o, 3), StepLR(o, 4)], [5, 5]),
         ValueError, r"SequentialLR: invalid milestones: \[5, 5\] .expected increasing ints"),
        (lambda o: SequentialLR(o, [StepLR(o, 2), StepLR(two_group_sgd(), 3)], [5]), ValueError,
         "SequentialLR: scheduler 1 .StepLR. belongs to another optimizer"),
        (lambda o: SequentialLR(o, [StepLR(o, 2), "warmup"], [5]), TypeError,
         "SequentialLR: scheduler 1 is a str, not an LRScheduler"),
        (lambda o: OneCycleLR(o, max_lr=1.0), ValueError,
         "OneCycleLR: give total_steps, or epochs and steps_per_epoch"),
        (lambda o: OneCycleLR(o, 1.0, total_steps=0), ValueError, "invalid total_steps: 0"),
        (lambda o: OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=-1), ValueError,
         "invalid steps_per_epoch: -1"),
        (lambda o: OneCycleLR(o, 1.0, 10, pct_start=1.5), ValueError, "invalid pct_start: 1.5"),
        (lambda o: OneCycleLR(o, 1.0, 10, anneal_strategy="exp"), ValueError,
         "OneCycleLR: anneal_strategy must be 'cos' or 'linear', got 'exp'"),
        (lambda o: OneCycleLR(o, [1.0], 10), ValueError,
         "OneCycleLR: expected 2 values of max_lr .one per parameter group., got 1"),
        (lambda o: OneCycleLR(o, -1.0, 10), ValueError, "OneCycleLR: invalid max_lr: -1.0"),
        (lambda o: OneCycleLR(o, 1.0, 10, div_factor=0), ValueError, "invalid div_factor: 0"),
    ],
)
def test_bad_arguments_of_the_composite_schedulers(make, exc, message):
    opt = two_group_sgd()
    with pytest.raises(exc, match=message):
        make(opt)
    assert all("max_lr" not in group for group in opt.param_groups)


def test_one_cycle_lr_momentum_needs_an_optimizer_with_momentum():
    opt = Adagrad([Variable(np.zeros(2))])
    with pytest.raises(ValueError, match="OneCycleLR: cycle_momentum=True needs an optimizer "
                                         "with 'momentum' or 'betas'"):
        OneCycleLR(opt, max_lr=1.0, total_steps=10)
    OneCycleLR(opt, max_lr=1.0, total_steps=10, cycle_momentum=False)


# ---------------------------------------------------------------------------- composition
def test_a_rate_changed_behind_a_schedulers_back_is_reported():
    # PyTorch's recursive schedulers would compose; these compute from initial_lr, so the
    # change is overwritten: that must not happen silently.
    opt = SGD([Variable(np.zeros(2))], lr=1.0)
    warmup = LinearLR(opt, start_factor=0.1, total_iters=4)
    cosine = CosineAnnealingLR(opt, T_max=8)  # sets the rate that warmup had set
    with pytest.warns(UserWarning, match=r"LinearLR.step\(\): the learning rate of "
                                         r"parameter group 0 was changed .*SequentialLR"):
        warmup.step()
    with pytest.warns(UserWarning, match=r"CosineAnnealingLR.step\(\)"):
        cosine.step()
    sched = StepLR(opt, 2)
    opt.param_groups[0]["lr"] = 0.5  # by hand
    with pytest.warns(UserWarning, match=r"StepLR.step\(\)"):
        sched.step()
    assert opt.param_groups[0]["lr"] == 1.0  # overwritten, as the warning says


def test_the_ordinary_loop_does_not_warn():
    opt = two_group_sgd()
    scheduler = warmup_then_cosine(opt)
    resumed_opt = two_group_sgd()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lr_sequence(opt, scheduler, 10)
        resumed = warmup_then_cosine(resumed_opt)
        resumed_opt.load_state_dict(opt.state_dict())
        resumed.load_state_dict(scheduler.state_dict())
        lr_sequence(resumed_opt, resumed, 3)
        OneCycleLR(opt, max_lr=1.0, total_steps=5).step()
