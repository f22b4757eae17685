"""The closed-form schedules: a factor of each group's ``initial_lr`` at each step.

A *step* is one call of ``scheduler.step()``: an epoch or a batch, as the caller decides
(see `lr_scheduler`). Every count below (`step_size`, `milestones`, `T_max`, `total_iters`)
is in those steps.
"""

from __future__ import annotations

import bisect
import copy
import math
import numbers
import types
from collections.abc import Callable, Iterable
from typing import Any

from .checks import check_number
from .optimizer import Optimizer
from .scheduler import LRScheduler, check_positive, check_positive_int, per_group


class StepLR(LRScheduler):
    """Multiply the learning rate by `gamma` every `step_size` steps.

    ``lr = initial_lr * gamma ** (step // step_size)``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    step_size : int
        Steps between decays.
    gamma : float, default 0.1
        Decay factor.
    last_epoch : int, default -1
        See `LRScheduler`.
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        check_positive_int("StepLR", "step_size", step_size)
        check_positive("StepLR", "gamma", gamma)
        self.step_size = int(step_size)
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        factor = self.gamma ** (self.last_epoch // self.step_size)
        return [base_lr * factor for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by `gamma` at each milestone step.

    ``lr = initial_lr * gamma ** (number of milestones <= step)``; a milestone
    listed twice decays twice.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    milestones : iterable of int
        Steps at which to decay.
    gamma : float, default 0.1
        Decay factor.
    last_epoch : int, default -1
        See `LRScheduler`.
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        milestones = list(milestones)
        for milestone in milestones:
            if not isinstance(milestone, numbers.Integral) or milestone < 0:
                raise ValueError(
                    f"MultiStepLR: invalid milestone: {milestone!r} (expected ints >= 0)"
                )
        check_positive("MultiStepLR", "gamma", gamma)
        self.milestones = sorted(int(m) for m in milestones)
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        factor = self.gamma ** bisect.bisect_right(self.milestones, self.last_epoch)
        return [base_lr * factor for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by `gamma` every step: ``lr = initial_lr * gamma ** step``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    gamma : float
        Decay factor.
    last_epoch : int, default -1
        See `LRScheduler`.
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        check_positive("ExponentialLR", "gamma", gamma)
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        factor = self.gamma**self.last_epoch
        return [base_lr * factor for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Anneal the learning rate along a cosine from ``initial_lr`` to `eta_min`.

    ``lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * step / T_max)) / 2``;
    the rate reaches `eta_min` at ``step == T_max`` and, past it, climbs back along the
    same cosine (period ``2 * T_max``; no restarts). An `eta_min` above ``initial_lr``
    makes the rate rise to `eta_min` instead. PyTorch computes the same values
    recursively from the group's current rate; this closed form is what it gives when
    this scheduler alone sets the rate (inside `SequentialLR` included).

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    T_max : int
        Steps of the half-period.
    eta_min : float, default 0
        Learning rate at step `T_max`.
    last_epoch : int, default -1
        See `LRScheduler`.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        check_positive_int("CosineAnnealingLR", "T_max", T_max)
        check_number("CosineAnnealingLR", "eta_min", eta_min)
        self.T_max = int(T_max)
        self.eta_min = float(eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        cosine = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base_lr - self.eta_min) * cosine for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the learning rate by a factor that moves linearly (a warm-up, or a decay).

    ``lr = initial_lr * (start_factor + (end_factor - start_factor) * min(step, total_iters)
    / total_iters)``: from ``start_factor`` at step 0 to ``end_factor`` from step
    ``total_iters`` on.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    start_factor : float, default 1/3
        Factor at step 0, in (0, 1].
    end_factor : float, default 1.0
        Factor from step `total_iters` on, in [0, 1].
    total_iters : int, default 5
        Steps over which the factor moves.
    last_epoch : int, default -1
        See `LRScheduler`.
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        check_number("LinearLR", "start_factor", start_factor, 0.0, 1.0)
        if start_factor == 0:
            raise ValueError("LinearLR: invalid start_factor: 0 (expected a number in (0, 1])")
        check_number("LinearLR", "end_factor", end_factor, 0.0, 1.0)
        check_positive_int("LinearLR", "total_iters", total_iters)
        self.start_factor = float(start_factor)
        self.end_factor = float(end_factor)
        self.total_iters = int(total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        progress = min(self.last_epoch, self.total_iters) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * progress
        return [base_lr * factor for base_lr in self.base_lrs]


class LambdaLR(LRScheduler):
    """Multiply each group's ``initial_lr`` by a function of the step.

    ``lr = initial_lr * lr_lambda(step)``, e.g. a warm-up ``lambda step: min(1, (step + 1)
    / 100)``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    lr_lambda : callable, or list of callables
        ``f(step) -> factor``: one for every group, or one per group.
    last_epoch : int, default -1
        See `LRScheduler`.

    Notes
    -----
    As in PyTorch, `state_dict` saves the attributes of a callable *object* (``vars(f)``)
    and nothing of a plain function or lambda: those come from the code that makes the
    scheduler again.
    """

    _not_saved = ("optimizer", "lr_lambdas")

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        lambdas = per_group("LambdaLR", "lr_lambda", lr_lambda, optimizer)
        for fn in lambdas:
            if not callable(fn):
                raise TypeError(f"LambdaLR: lr_lambda must be callable, got {fn!r}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [base_lr * fn(self.last_epoch)
                for fn, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)]

    def state_dict(self) -> dict[str, Any]:
        """The state (see `LRScheduler`); ``lr_lambdas`` holds ``vars(f)`` of objects, else None."""
        state = super().state_dict()
        state["lr_lambdas"] = [_saved(fn) for fn in self.lr_lambdas]
        return state

    def _check_state_dict(self, state_dict: Any, where: str) -> None:
        super()._check_state_dict(state_dict, where)
        saved = state_dict["lr_lambdas"]
        if not isinstance(saved, list) or len(saved) != len(self.lr_lambdas):
            raise ValueError(f"{where}: expected {len(self.lr_lambdas)} lr_lambdas, got {saved!r}")
        for i, entry in enumerate(saved):
            if entry is not None and not isinstance(entry, dict):
                raise ValueError(f"{where}: lr_lambdas[{i}] must be None or a dict, got {entry!r}")

    def _apply_state_dict(self, state_dict: dict[str, Any]) -> None:
        super()._apply_state_dict({k: v for k, v in state_dict.items() if k != "lr_lambdas"})
        for fn, saved in zip(self.lr_lambdas, state_dict["lr_lambdas"], strict=True):
            if saved is not None:
                vars(fn).update(copy.deepcopy(saved))


def _saved(fn: Callable) -> dict[str, Any] | None:
    """What `LambdaLR.state_dict` keeps of `fn`: a callable object's attributes."""
    if isinstance(fn, types.FunctionType) or not hasattr(fn, "__dict__"):
        return None
    return copy.deepcopy(vars(fn))
