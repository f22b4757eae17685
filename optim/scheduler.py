"""`LRScheduler`: the base class of the learning-rate schedules in `lr_scheduler`."""

from __future__ import annotations

import copy
import numbers
import warnings
from typing import Any

from .optimizer import Optimizer


class LRScheduler:
    """Base class of learning-rate schedulers.

    A scheduler sets ``group["lr"]`` of every parameter group to the schedule's value at
    step ``last_epoch``: how many times `step` was called. What a step stands for is the
    caller's choice (an epoch, or a batch); see `lr_scheduler`. Each schedule is computed
    in closed form from the step count and each group's starting rate, which is recorded
    as ``group["initial_lr"]`` (as PyTorch does), so a resumed run picks up the same
    sequence.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer whose groups' ``"lr"`` this scheduler sets.
    last_epoch : int, default -1
        Index of the last step taken; -1 starts a new schedule. To resume, pass the
        last step: every group must then already hold ``"initial_lr"`` (or restore a
        scheduler with `load_state_dict`).

    Attributes
    ----------
    base_lrs : list of float
        Each group's ``"initial_lr"``.
    last_epoch : int
        The step whose learning rate is in the groups now (PyTorch's name: it counts
        whatever the caller steps the scheduler at).
    """

    # Attributes that `state_dict` leaves out (a subclass may save them its own way).
    _not_saved: tuple[str, ...] = ("optimizer",)

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
        """The learning rate of each group at step ``last_epoch`` (subclass hook)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_lr()")

    def step(self) -> None:
        """Move to the next step of the schedule and set each group's learning rate."""
        self._warn_if_changed()
        self.last_epoch += 1
        lrs = self.get_lr()
        # A group added to the optimizer after the scheduler was made is not scheduled.
        for group, lr in zip(self.optimizer.param_groups, lrs, strict=False):
            group["lr"] = lr
        self._last_lr = list(lrs)

    def _warn_if_changed(self) -> None:
        # PyTorch's StepLR, ExponentialLR, CosineAnnealingLR, ... scale the group's current
        # rate, so a second scheduler (or a change by hand) composes with them. Here each
        # rate comes from initial_lr and overwrites such a change: say so rather than drop
        # it silently. (A rate set to this schedule's own current value, e.g. after editing
        # T_max on resume, is no such change.)
        groups = self.optimizer.param_groups
        if all(group["lr"] == lr for group, lr in zip(groups, self._last_lr, strict=False)):
            return
        for i, (group, lr) in enumerate(zip(groups, self.get_lr(), strict=False)):
            if group["lr"] != lr:
                name = type(self).__name__
                warnings.warn(
                    f"{name}.step(): the learning rate of parameter group {i} was changed "
                    f"since {name} set it (by another scheduler, or by hand); {name} computes "
                    "each rate from the group's initial_lr and overwrites the change. To "
                    "combine schedules use SequentialLR (one after another) or LambdaLR.",
                    stacklevel=3,
                )
                return

    def get_last_lr(self) -> list[float]:
        """The learning rates this scheduler set last, one per group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state: every attribute except the optimizer (copies)."""
        return {key: copy.deepcopy(value) for key, value in vars(self).items()
                if key not in self._not_saved}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by `state_dict` (all or nothing).

        Raises ValueError naming the problem when keys are missing or unexpected,
        or when the number of groups differs; the scheduler is then unchanged.
        """
        self._check_state_dict(state_dict, f"{type(self).__name__}.load_state_dict")
        self._apply_state_dict(state_dict)

    def _check_state_dict(self, state_dict: Any, where: str) -> None:
        """Raise ValueError, starting with `where`, unless `state_dict` fits this scheduler."""
        if not isinstance(state_dict, dict):
            raise ValueError(f"{where}: expected a dict, got {type(state_dict).__name__}")
        expected = set(self.state_dict())
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
        last_epoch = state_dict["last_epoch"]
        if not isinstance(last_epoch, numbers.Integral) or last_epoch < -1:
            raise ValueError(f"{where}: invalid last_epoch: {last_epoch!r} (expected an int >= -1)")

    def _apply_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Take the values of a state dict that `_check_state_dict` accepted."""
        vars(self).update(copy.deepcopy(state_dict))


def check_positive_int(owner: str, name: str, value: Any) -> None:
    """Raise ValueError unless `value` is an int > 0."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{owner}: invalid {name}: {value!r} (expected an int > 0)")


def check_positive(owner: str, name: str, value: Any) -> None:
    """Raise ValueError unless `value` is a number > 0."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value > 0:
        raise ValueError(f"{owner}: invalid {name}: {value!r} (expected a number > 0)")


def per_group(owner: str, name: str, value: Any, optimizer: Optimizer) -> list:
    """`value` once per parameter group: a list or tuple must have one item per group."""
    n_groups = len(optimizer.param_groups)
    if not isinstance(value, (list, tuple)):
        return [value] * n_groups
    if len(value) != n_groups:
        raise ValueError(
            f"{owner}: expected {n_groups} values of {name} (one per parameter group), "
            f"got {len(value)}"
        )
    return list(value)
