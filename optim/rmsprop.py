"""RMSprop: step sizes from a running average of squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from .checks import check_number
from .optimizer import Optimizer, ParamsT


class RMSprop(Optimizer):
    r"""RMSprop (PyTorch's formulation).

    With ``v``, ``g_avg`` and ``b`` starting at zero, at each step::

        g     <- -g                          if maximize
        g     <- g + weight_decay * theta    if weight_decay != 0
        v     <- alpha * v + (1 - alpha) * g**2
        v~    <- v
        if centered:
            g_avg <- alpha * g_avg + (1 - alpha) * g
            v~    <- v~ - g_avg**2
        if momentum > 0:
            b     <- momentum * b + g / (sqrt(v~) + eps)
            theta <- theta - lr * b
        else:
            theta <- theta - lr * g / (sqrt(v~) + eps)

    Parameters
    ----------
    params, maximize
        As for every `Optimizer` (`maximize` is keyword only).
    lr : float, default 1e-2
        Learning rate.
    alpha : float, default 0.99
        Smoothing constant of the running averages, in [0, 1].
    eps : float, default 1e-8
        Added to the denominator for numerical stability.
    weight_decay : float, default 0
        L2 penalty factor.
    momentum : float, default 0
        Momentum factor.
    centered : bool, default False
        Normalize by an estimate of the gradient's variance instead of its second moment.
    """

    state_entries = {"step": "count", "square_avg": "array", "momentum_buffer": "array",
                     "grad_avg": "array"}

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, *,
                 maximize: bool = False) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        check_number("RMSprop", "alpha", group["alpha"], 0.0, 1.0)

    def init_state(self, theta: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        state = {"step": 0, "square_avg": np.zeros_like(theta)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(theta)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(theta)
        return state

    def update_one(self, theta: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   group: dict[str, Any], work: np.ndarray) -> None:
        alpha = group["alpha"]
        state["step"] += 1
        square_avg = state["square_avg"]
        square_avg *= alpha
        np.multiply(grad, grad, out=work)
        work *= 1 - alpha
        square_avg += work
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg *= alpha
            grad_avg += np.multiply(grad, 1 - alpha, out=work)
            np.multiply(grad_avg, grad_avg, out=work)
            np.subtract(square_avg, work, out=work)
            denom = np.sqrt(work, out=work)
        else:
            denom = np.sqrt(square_avg, out=work)
        denom += group["eps"]
        scaled = np.divide(grad, denom, out=work)
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            buf += scaled
            scaled = buf
        theta -= np.multiply(scaled, group["lr"], out=work)
