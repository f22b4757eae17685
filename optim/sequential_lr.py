"""`SequentialLR`: one schedule after another, e.g. a linear warm-up, then a cosine decay."""

from __future__ import annotations

import bisect
import numbers
from typing import Any

from .optimizer import Optimizer
from .scheduler import LRScheduler


class SequentialLR(LRScheduler):
    """Run `schedulers` one after the other, switching at the `milestones`.

    Scheduler ``i`` sets the learning rate from step ``milestones[i - 1]`` (0 for the first)
    until the next milestone, and it restarts its own count there: at global step ``s`` it
    is at its step ``s - milestones[i - 1]``. This is PyTorch's behaviour.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer all the schedulers belong to.
    schedulers : list of LRScheduler
        The schedules, in order. Make them on `optimizer` just before: each one records
        the groups' ``initial_lr`` and the sequence starts them over.
    milestones : list of int
        Increasing steps at which the next scheduler takes over; one fewer than the
        schedulers.
    last_epoch : int, default -1
        See `LRScheduler`.

    Examples
    --------
    A warm-up over 100 steps, then a cosine decay to 1e-4 over 900, stepped every batch:

    >>> import numpy as np
    >>> from autograd_lite import Variable
    >>> from autograd_lite.optim import AdamW
    >>> from autograd_lite.optim.lr_scheduler import CosineAnnealingLR, LinearLR
    >>> opt = AdamW([Variable(np.zeros(3))], lr=1e-3)
    >>> warmup = LinearLR(opt, start_factor=0.01, total_iters=100)
    >>> decay = CosineAnnealingLR(opt, T_max=900, eta_min=1e-4)
    >>> sched = SequentialLR(opt, [warmup, decay], milestones=[100])
    >>> lrs = []
    >>> for step in range(1000):
    ...     lrs.append(opt.param_groups[0]["lr"])
    ...     opt.step()                      # (after forward and backward)
    ...     sched.step()
    >>> [round(lrs[i], 6) for i in (0, 50, 100, 550, 999)]
    [1e-05, 0.000505, 0.001, 0.00055, 0.0001]
    """

    _not_saved = ("optimizer", "_schedulers")

    def __init__(self, optimizer: Optimizer, schedulers: list[LRScheduler],
                 milestones: list[int], last_epoch: int = -1) -> None:
        name = "SequentialLR"
        schedulers = list(schedulers)
        milestones = list(milestones)
        if not schedulers:
            raise ValueError(f"{name}: expected at least one scheduler, got none")
        for i, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler):
                raise TypeError(
                    f"{name}: scheduler {i} is a {type(scheduler).__name__}, not an LRScheduler"
                )
            if scheduler.optimizer is not optimizer:
                raise ValueError(
                    f"{name}: scheduler {i} ({type(scheduler).__name__}) belongs to another "
                    "optimizer"
                )
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"{name}: {len(schedulers)} schedulers need {len(schedulers) - 1} milestones, "
                f"got {len(milestones)}"
            )
        ok = all(isinstance(m, numbers.Integral) and not isinstance(m, bool) and m >= 0
                 for m in milestones)
        if not ok or any(a >= b for a, b in zip(milestones, milestones[1:])):
            raise ValueError(
                f"{name}: invalid milestones: {milestones!r} (expected increasing ints >= 0)"
            )
        self._schedulers = schedulers
        self._milestones = [int(m) for m in milestones]
        # Making each scheduler took its step 0; the sequence starts them over.
        for scheduler in schedulers:
            scheduler.last_epoch -= 1
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        i = bisect.bisect_right(self._milestones, self.last_epoch)
        active = self._schedulers[i]
        active.last_epoch = self.last_epoch - (self._milestones[i - 1] if i else 0)
        lrs = active.get_lr()
        active._last_lr = list(lrs)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """The state (see `LRScheduler`); ``_schedulers`` holds each scheduler's state dict."""
        state = super().state_dict()
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def _check_state_dict(self, state_dict: Any, where: str) -> None:
        super()._check_state_dict(state_dict, where)
        saved = state_dict["_schedulers"]
        if not isinstance(saved, list) or len(saved) != len(self._schedulers):
            raise ValueError(f"{where}: expected {len(self._schedulers)} scheduler states")
        for i, (scheduler, entry) in enumerate(zip(self._schedulers, saved, strict=True)):
            scheduler._check_state_dict(entry, f"{where}: scheduler {i} "
                                               f"({type(scheduler).__name__})")

    def _apply_state_dict(self, state_dict: dict[str, Any]) -> None:
        super()._apply_state_dict({k: v for k, v in state_dict.items() if k != "_schedulers"})
        for scheduler, entry in zip(self._schedulers, state_dict["_schedulers"], strict=True):
            scheduler._apply_state_dict(entry)
