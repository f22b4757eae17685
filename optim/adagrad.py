"""Adagrad: per-coordinate step sizes from the sum of squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsT


class Adagrad(Optimizer):
    r"""Adagrad (PyTorch's formulation).

    With ``sum`` starting at `initial_accumulator_value`, at step :math:`t = 1, 2, ...`::

        lr_t  <- lr / (1 + (t - 1) * lr_decay)
        g     <- -g                          if maximize
        g     <- g + weight_decay * theta    if weight_decay != 0
        sum   <- sum + g**2
        theta <- theta - lr_t * g / (sqrt(sum) + eps)

    Parameters
    ----------
    params, maximize
        As for every `Optimizer` (`maximize` is keyword only).
    lr : float, default 1e-2
        Learning rate.
    lr_decay : float, default 0
        Learning-rate decay per step.
    weight_decay : float, default 0
        L2 penalty factor.
    initial_accumulator_value : float, default 0
        Starting value of the sum of squared gradients.
    eps : float, default 1e-10
        Added to the denominator for numerical stability.
    """

    state_entries = {"step": "count", "sum": "array"}

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps,
                        maximize=maximize)
        super().__init__(params, defaults)

    def init_state(self, theta: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "sum": np.full_like(theta, group["initial_accumulator_value"])}

    def update_one(self, theta: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   group: dict[str, Any], work: np.ndarray) -> None:
        state["step"] += 1
        lr_t = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        total = state["sum"]
        total += np.multiply(grad, grad, out=work)
        denom = np.sqrt(total, out=work)
        denom += group["eps"]
        update = np.divide(grad, denom, out=work)
        update *= lr_t
        theta -= update
