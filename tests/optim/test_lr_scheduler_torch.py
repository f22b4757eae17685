"""Every scheduler's learning rates (and OneCycleLR's momenta) equal PyTorch's, step by step."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from autograd_lite.optim import lr_scheduler as ours

from autograd_lite import Variable, optim

torch = pytest.importorskip("torch")


class Warmup:
    """A picklable lr_lambda, the same object for both libraries."""

    def __call__(self, step: int) -> float:
        return min(1.0, (step + 1) / 4)


# name -> (optimizer kind, build(lib, opt), steps). `lib` is our lr_scheduler module or
# torch's, so each recipe is written once for both.
RECIPES = {
    "StepLR": ("sgd", lambda lib, o: lib.StepLR(o, step_size=3, gamma=0.5), 12),
    "MultiStepLR": ("sgd", lambda lib, o: lib.MultiStepLR(o, [2, 5, 5, 9], gamma=0.3), 12),
    "ExponentialLR": ("sgd", lambda lib, o: lib.ExponentialLR(o, gamma=0.8), 12),
    "CosineAnnealingLR": ("sgd", lambda lib, o: lib.CosineAnnealingLR(o, T_max=7), 30),
    "CosineAnnealingLR(eta_min)": (
        "sgd", lambda lib, o: lib.CosineAnnealingLR(o, T_max=10, eta_min=0.004), 45),
    "CosineAnnealingLR(eta_min > lr)": (
        "sgd", lambda lib, o: lib.CosineAnnealingLR(o, T_max=5, eta_min=0.5), 12),
    "LinearLR": ("sgd", lambda lib, o: lib.LinearLR(o, start_factor=0.25, total_iters=6), 10),
    "LinearLR(decay)": (
        "sgd", lambda lib, o: lib.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=4),
        8),
    "LambdaLR": ("sgd", lambda lib, o: lib.LambdaLR(o, lambda s: 0.9**s), 10),
    "LambdaLR(per group)": (
        "sgd", lambda lib, o: lib.LambdaLR(o, [Warmup(), lambda s: 1 / (1 + s)]), 10),
    "SequentialLR(linear warm-up, cosine)": (
        "adam",
        lambda lib, o: lib.SequentialLR(
            o,
            [lib.LinearLR(o, start_factor=0.01, total_iters=5),
             lib.CosineAnnealingLR(o, T_max=20, eta_min=1e-4)],
            milestones=[5],
        ),
        30,
    ),
    "SequentialLR(three)": (
        "sgd",
        lambda lib, o: lib.SequentialLR(
            o,
            [lib.ExponentialLR(o, gamma=0.5), lib.StepLR(o, step_size=2, gamma=0.1),
             lib.LambdaLR(o, Warmup())],
            milestones=[3, 8],
        ),
        14,
    ),
    "OneCycleLR": ("sgd", lambda lib, o: lib.OneCycleLR(o, max_lr=[0.5, 1.0], total_steps=20), 20),
    "OneCycleLR(adam, linear, three phases)": (
        "adam",
        lambda lib, o: lib.OneCycleLR(o, max_lr=0.01, epochs=3, steps_per_epoch=7,
                                      pct_start=0.4, anneal_strategy="linear",
                                      three_phase=True, div_factor=5.0, final_div_factor=50.0),
        21,
    ),
    "OneCycleLR(no momentum)": (
        "sgd",
        lambda lib, o: lib.OneCycleLR(o, max_lr=0.3, total_steps=9, pct_start=0.5,
                                      cycle_momentum=False, base_momentum=0.8),
        9,
    ),
}


def _optimizers(kind):
    """Our optimizer and PyTorch's, two groups with different learning rates."""
    params = [Variable(np.zeros(2)), Variable(np.zeros(3))]
    tensors = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]

    def build(lib, ps):
        groups = [{"params": ps[:1]}, {"params": ps[1:], "lr": 0.2}]
        if kind == "sgd":
            return lib.SGD(groups, lr=0.05, momentum=0.9)
        return lib.Adam(groups, lr=0.05, betas=(0.9, 0.99))

    return build(optim, params), build(torch.optim, tensors)


def _trace(opt, scheduler, steps):
    """Per step: each group's lr, and its momentum or beta1."""
    seen = []
    for _ in range(steps):
        groups = opt.param_groups
        seen.append([[g["lr"], g.get("momentum", g.get("betas", (0.0,))[0])] for g in groups])
        scheduler.step()
    return np.array(seen, dtype=np.float64)


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_schedule_matches_pytorch(name):
    kind, build, steps = RECIPES[name]
    opt, topt = _optimizers(kind)
    got = _trace(opt, build(ours, opt), steps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch warns when no optimizer.step() ran
        want = _trace(topt, build(torch.optim.lr_scheduler, topt), steps)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_state_dict_keys_match_pytorch(name):
    kind, build, _ = RECIPES[name]
    opt, topt = _optimizers(kind)
    mine = build(ours, opt).state_dict()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = build(torch.optim.lr_scheduler, topt).state_dict()
    # PyTorch's private bookkeeping (step counters, flags) has no counterpart here.
    private = {"_step_count", "_get_lr_called_within_step", "_is_initial", "verbose"}
    assert set(mine) - {"base_lrs"} == set(theirs) - private - {"base_lrs"}


def test_sgd_and_adam_groups_after_one_cycle_match_pytorch():
    opt, topt = _optimizers("adam")
    ours.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    torch.optim.lr_scheduler.OneCycleLR(topt, max_lr=0.1, total_steps=10)
    for mine, theirs in zip(opt.param_groups, topt.param_groups, strict=True):
        for key in ("initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum", "lr"):
            assert mine[key] == pytest.approx(theirs[key], rel=1e-12), key
        assert tuple(mine["betas"]) == pytest.approx(tuple(theirs["betas"]), rel=1e-12)
