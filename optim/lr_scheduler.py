"""Learning-rate schedules: set ``group["lr"]`` of each parameter group once per epoch.

Call ``scheduler.step()`` once per epoch, after that epoch's ``optimizer.step()``
calls. Each scheduler computes the learning rate of epoch ``last_epoch`` in
closed form from the group's starting rate, which it records as
``group["initial_lr"]`` (as PyTorch does), so a resumed run picks up the same
sequence.

Examples
--------
>>> import numpy as np
>>> from autograd_lite import Variable
>>> from autograd_lite.optim import SGD
>>> opt = SGD([Variable(np.zeros(2))], lr=0.1)
>>> sched = StepLR(opt, step_size=2, gamma=0.5)
>>> lrs = []
>>> for epoch in range(5):
...     lrs.append(opt.param_groups[0]["lr"])
...     opt.step()
...     sched.step()
>>> lrs
[0.1, 0.1, 0.05, 0.05, 0.025]
"""

from __future__ import annotations

import bisect
import copy
import math
import numbers
from collections.abc import Iterable
from typing import Any

from .checks import check_number
from .optimizer import Optimizer


class LRScheduler:
    """Base class of learning-rate schedulers.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer whose groups' ``"lr"`` this scheduler sets.
    last_epoch : int, default -1
        Index of the last finished epoch; -1 starts a new schedule. To resume, pass
        the last epoch: every group must then already hold ``"initial_lr"``.

    Attributes
    ----------
    base_lrs : list of float
        Each group's ``"initial_lr"``.
    last_epoch : int
        The epoch whose learning rate is in the groups now.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        name = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{name}: expected an Optimizer, got {type(optimizer).__name__}")
        if not isinstance(last_epoch, numbers.Integral) or last_epoch < -1:
            raise ValueError(f"{name}: invalid last_epoch: {last_epoch!r} (expected an int >= -1)")
        self.optimizer = optimizer
        groups = optimizer.param_groups
        if last_epoch == -1:
            for group in groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{name}: resuming at last_epoch={last_epoch} needs 'initial_lr' in "
                        f"every parameter group; param_groups[{i}] has none"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in groups]
        self.last_epoch = int(last_epoch)
        self._last_lr: list[float] = []
        self.step()

    def get_lr(self) -> list[float]:
        """The learning rate of each group at epoch ``last_epoch`` (subclass hook)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_lr()")

    def step(self) -> None:
        """Move to the next epoch and set each group's learning rate."""
        self.last_epoch += 1
        lrs = self.get_lr()
        # A group added to the optimizer after the scheduler was made is not scheduled.
        for group, lr in zip(self.optimizer.param_groups, lrs, strict=False):
            group["lr"] = lr
        self._last_lr = list(lrs)

    def get_last_lr(self) -> list[float]:
        """The learning rates this scheduler set last, one per group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state: every attribute except the optimizer."""
        return {
            key: copy.deepcopy(value) for key, value in vars(self).items() if key != "optimizer"
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by `state_dict` (all or nothing).

        Raises ValueError naming the problem when keys are missing or unexpected,
        or when the number of groups differs; the scheduler is then unchanged.
        """
        where = f"{type(self).__name__}.load_state_dict"
        expected = set(vars(self)) - {"optimizer"}
        if not isinstance(state_dict, dict):
            raise ValueError(f"{where}: expected a dict, got {type(state_dict).__name__}")
        missing = sorted(expected - state_dict.keys())
        unexpected = sorted(state_dict.keys() - expected)
        if missing or unexpected:
            raise ValueError(f"{where}: missing keys {missing}, unexpected keys {unexpected}")
        n_groups = len(self.optimizer.param_groups)
        if len(state_dict["base_lrs"]) != n_groups:
            raise ValueError(
                f"{where}: the state dict has {len(state_dict['base_lrs'])} base_lrs, "
                f"the optimizer has {n_groups} parameter groups"
            )
        vars(self).update(copy.deepcopy(state_dict))


def _check_positive_int(owner: str, name: str, value: Any) -> None:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{owner}: invalid {name}: {value!r} (expected an int > 0)")


def _check_gamma(owner: str, gamma: Any) -> None:
    if not isinstance(gamma, numbers.Real) or isinstance(gamma, bool) or not gamma > 0:
        raise ValueError(f"{owner}: invalid gamma: {gamma!r} (expected a number > 0)")


class StepLR(LRScheduler):
    """Multiply the learning rate by `gamma` every `step_size` epochs.

    ``lr = initial_lr * gamma ** (epoch // step_size)``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    step_size : int
        Epochs between decays.
    gamma : float, default 0.1
        Decay factor.
    last_epoch : int, default -1
        See `LRScheduler`.
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        _check_positive_int("StepLR", "step_size", step_size)
        _check_gamma("StepLR", gamma)
        self.step_size = int(step_size)
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        factor = self.gamma ** (self.last_epoch // self.step_size)
        return [base_lr * factor for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by `gamma` at each milestone epoch.

    ``lr = initial_lr * gamma ** (number of milestones <= epoch)``; a milestone
    listed twice decays twice.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    milestones : iterable of int
        Epochs at which to decay.
    gamma : float, default 0.1
        Decay factor.
    last_epoch : int, default -1
        See `LRScheduler`.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        milestones = list(milestones)
        for milestone in milestones:
            if not isinstance(milestone, numbers.Integral) or milestone < 0:
                raise ValueError(
                    f"MultiStepLR: invalid milestone: {milestone!r} (expected ints >= 0)"
                )
        _check_gamma("MultiStepLR", gamma)
        self.milestones = sorted(int(m) for m in milestones)
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        factor = self.gamma ** bisect.bisect_right(self.milestones, self.last_epoch)
        return [base_lr * factor for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by `gamma` every epoch: ``lr = initial_lr * gamma ** epoch``.

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
        _check_gamma("ExponentialLR", gamma)
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        factor = self.gamma**self.last_epoch
        return [base_lr * factor for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Anneal the learning rate along a cosine from ``initial_lr`` to `eta_min`.

    ``lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``;
    the rate reaches `eta_min` at ``epoch == T_max`` and, past it, climbs back
    along the same cosine (no restarts are added).

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    T_max : int
        Epochs of the half-period.
    eta_min : float, default 0
        Smallest learning rate.
    last_epoch : int, default -1
        See `LRScheduler`.
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        _check_positive_int("CosineAnnealingLR", "T_max", T_max)
        check_number("CosineAnnealingLR", "eta_min", eta_min)
        self.T_max = int(T_max)
        self.eta_min = float(eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        cosine = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base_lr - self.eta_min) * cosine for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the learning rate by a factor that moves linearly (a warm-up).

    ``lr = initial_lr * (start_factor + (end_factor - start_factor) * min(epoch, total_iters)
    / total_iters)``: from ``start_factor`` at epoch 0 to ``end_factor`` from epoch
    ``total_iters`` on.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    start_factor : float, default 1/3
        Factor at epoch 0, in (0, 1].
    end_factor : float, default 1.0
        Factor from epoch `total_iters` on, in [0, 1].
    total_iters : int, default 5
        Epochs over which the factor moves.
    last_epoch : int, default -1
        See `LRScheduler`.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        check_number("LinearLR", "start_factor", start_factor, 0.0, 1.0)
        if start_factor == 0:
            raise ValueError("LinearLR: invalid start_factor: 0 (expected a number in (0, 1])")
        check_number("LinearLR", "end_factor", end_factor, 0.0, 1.0)
        _check_positive_int("LinearLR", "total_iters", total_iters)
        self.start_factor = float(start_factor)
        self.end_factor = float(end_factor)
        self.total_iters = int(total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        progress = min(self.last_epoch, self.total_iters) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * progress
        return [base_lr * factor for base_lr in self.base_lrs]
