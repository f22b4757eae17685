"""Schedulers give PyTorch's documented learning-rate sequences and resume exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest
from autograd_lite.optim import SGD, Adam
from autograd_lite.optim.lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    LRScheduler,
    MultiStepLR,
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
