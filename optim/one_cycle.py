"""`OneCycleLR`: the 1cycle policy (Smith and Topin): warm up to a peak, then anneal far below."""

from __future__ import annotations

import math
import numbers
from typing import Any, Literal

from .checks import check_number
from .optimizer import Optimizer
from .scheduler import LRScheduler, check_positive, check_positive_int, per_group


class OneCycleLR(LRScheduler):
    """Raise the learning rate from ``max_lr / div_factor`` to `max_lr`, then anneal it.

    Meant to be stepped once per batch, `total_steps` times in all. Two phases by default:

    - steps 0 .. ``pct_start * total_steps - 1``: from ``initial_lr = max_lr / div_factor``
      up to `max_lr`;
    - then to step ``total_steps - 1``: from `max_lr` down to
      ``min_lr = initial_lr / final_div_factor``.

    With `three_phase`, the rate comes back down to ``initial_lr`` over as many steps as
    it went up, and then anneals to ``min_lr``. Within a phase the rate moves from its start
    to its end value along half a cosine (``anneal_strategy="cos"``) or a straight line
    (``"linear"``). With `cycle_momentum`, the momentum (SGD, RMSprop) or ``beta1`` (Adam)
    moves the opposite way, between `max_momentum` and `base_momentum`.

    As in PyTorch, the scheduler writes ``initial_lr``, ``max_lr``, ``min_lr`` (and
    ``max_momentum``, ``base_momentum``) into every parameter group, so they are saved
    with the optimizer's `state_dict`.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer to schedule.
    max_lr : float, or list of float
        The peak learning rate: one for every group, or one per group.
    total_steps : int, optional
        Steps in the cycle; else ``epochs * steps_per_epoch``.
    epochs, steps_per_epoch : int, optional
        Give both instead of `total_steps`.
    pct_start : float, default 0.3
        Fraction of the steps spent raising the rate, in [0, 1].
    anneal_strategy : {"cos", "linear"}, default "cos"
        How the rate moves within a phase.
    cycle_momentum : bool, default True
        Cycle the momentum (or ``beta1``) too.
    base_momentum, max_momentum : float, or list of float, default 0.85 and 0.95
        The momentum at the rate's peak, and at its ends.
    div_factor : float, default 25
        ``initial_lr = max_lr / div_factor``.
    final_div_factor : float, default 1e4
        ``min_lr = initial_lr / final_div_factor``.
    three_phase : bool, default False
        Come back down to ``initial_lr`` before annealing to ``min_lr``.
    last_epoch : int, default -1
        See `LRScheduler`.
    """

    def __init__(self, optimizer: Optimizer, max_lr: float | list[float],
                 total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: Literal["cos", "linear"] = "cos",
                 cycle_momentum: bool = True, base_momentum: float | list[float] = 0.85,
                 max_momentum: float | list[float] = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        name = "OneCycleLR"
        # Everything is checked before anything is written into the optimizer's groups.
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{name}: expected an Optimizer, got {type(optimizer).__name__}")
        if total_steps is not None:
            check_positive_int(name, "total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            check_positive_int(name, "epochs", epochs)
            check_positive_int(name, "steps_per_epoch", steps_per_epoch)
            total_steps = epochs * steps_per_epoch
        else:
            raise ValueError(f"{name}: give total_steps, or epochs and steps_per_epoch")
        check_number(name, "pct_start", pct_start, 0.0, 1.0)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"{name}: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}"
            )
        check_positive(name, "div_factor", div_factor)
        check_positive(name, "final_div_factor", final_div_factor)
        max_lrs = per_group(name, "max_lr", max_lr, optimizer)
        for value in max_lrs:
            check_number(name, "max_lr", value)
        use_beta1 = "betas" in optimizer.defaults
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and not use_beta1:
                raise ValueError(
                    f"{name}: cycle_momentum=True needs an optimizer with 'momentum' or "
                    f"'betas', and {type(optimizer).__name__} has neither; pass "
                    "cycle_momentum=False"
                )
            max_momenta = per_group(name, "max_momentum", max_momentum, optimizer)
            base_momenta = per_group(name, "base_momentum", base_momentum, optimizer)
            for value in max_momenta + base_momenta:
                check_number(name, "momentum", value, 0.0, 1.0)

        self.total_steps = int(total_steps)
        self._schedule_phases = _phases(float(pct_start), self.total_steps, three_phase)
        self._anneal_func_type = anneal_strategy
        self.cycle_momentum = bool(cycle_momentum)
        if last_epoch == -1:
            for group, peak in zip(optimizer.param_groups, max_lrs, strict=True):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor
        if self.cycle_momentum:
            self.use_beta1 = use_beta1
            if last_epoch == -1:
                for group, high, low in zip(optimizer.param_groups, max_momenta, base_momenta,
                                            strict=True):
                    _set_momentum(group, high, use_beta1)
                    group["max_momentum"] = high
                    group["base_momentum"] = low
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"OneCycleLR: stepped {step} times, but total_steps is {self.total_steps}"
            )
        anneal = _anneal_cos if self._anneal_func_type == "cos" else _anneal_linear
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end = phase["end_step"]
                if step <= end or i == len(self._schedule_phases) - 1:
                    # A phase of no length (pct_start * total_steps == 1) is already over.
                    pct = (step - start) / (end - start) if end != start else 1.0
                    break
                start = end
            lrs.append(anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
            if self.cycle_momentum:
                momentum = anneal(group[phase["start_momentum"]], group[phase["end_momentum"]],
                                  pct)
                _set_momentum(group, momentum, self.use_beta1)
        return lrs


def _phases(pct_start: float, total_steps: int, three_phase: bool) -> list[dict[str, Any]]:
    """Each phase's last step and the group keys of its start and end values (PyTorch's)."""
    up = {"end_step": pct_start * total_steps - 1, "start_lr": "initial_lr",
          "end_lr": "max_lr", "start_momentum": "max_momentum", "end_momentum": "base_momentum"}
    last = total_steps - 1
    if not three_phase:
        return [up, {"end_step": last, "start_lr": "max_lr", "end_lr": "min_lr",
                     "start_momentum": "base_momentum", "end_momentum": "max_momentum"}]
    down = {"end_step": 2 * pct_start * total_steps - 2, "start_lr": "max_lr",
            "end_lr": "initial_lr", "start_momentum": "base_momentum",
            "end_momentum": "max_momentum"}
    return [up, down, {"end_step": last, "start_lr": "initial_lr", "end_lr": "min_lr",
                       "start_momentum": "max_momentum", "end_momentum": "max_momentum"}]


def _anneal_cos(start: float, end: float, pct: float) -> float:
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


def _anneal_linear(start: float, end: float, pct: float) -> float:
    return (end - start) * pct + start


def _set_momentum(group: dict[str, Any], momentum: numbers.Real, use_beta1: bool) -> None:
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum
