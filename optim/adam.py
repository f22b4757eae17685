"""Adam and AdamW: steps from bias-corrected running averages of the gradient and its square."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .checks import check_betas
from .optimizer import Optimizer, ParamsT


class Adam(Optimizer):
    r"""Adam (PyTorch's formulation), with AMSGrad and decoupled weight decay as options.

    With ``m``, ``v`` and ``v_max`` starting at zero, at step :math:`t = 1, 2, ...`::

        g     <- -g                                   if maximize
        if decoupled_weight_decay:
            theta <- theta - lr * weight_decay * theta
        else:
            g     <- g + weight_decay * theta
        m     <- beta1 * m + (1 - beta1) * g
        v     <- beta2 * v + (1 - beta2) * g**2
        m^    <- m / (1 - beta1**t)
        if amsgrad:
            v_max <- max(v_max, v)
            v^    <- v_max / (1 - beta2**t)
        else:
            v^    <- v / (1 - beta2**t)
        theta <- theta - lr * m^ / (sqrt(v^) + eps)

    Parameters
    ----------
    params, maximize
        As for every `Optimizer` (`maximize` is keyword only).
    lr : float, default 1e-3
        Learning rate.
    betas : tuple of float, default (0.9, 0.999)
        Smoothing constants of the running averages of the gradient and its square.
    eps : float, default 1e-8
        Added to the denominator for numerical stability.
    weight_decay : float, default 0
        Weight-decay factor: an L2 penalty added to the gradient, or with
        `decoupled_weight_decay` a shrinking of the parameter.
    amsgrad : bool, default False
        Normalize by the largest second moment seen so far.
    decoupled_weight_decay : bool, default False
        Shrink the parameter by ``lr * weight_decay`` before the step, and leave the
        gradient without penalty (keyword only): this is `AdamW`.
    """

    state_entries = {"step": "count", "exp_avg": "array", "exp_avg_sq": "array",
                     "max_exp_avg_sq": "array"}

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        check_betas(type(self).__name__, group["betas"])

    def init_state(self, theta: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        state = {"step": 0, "exp_avg": np.zeros_like(theta), "exp_avg_sq": np.zeros_like(theta)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(theta)
        return state

    def update_one(self, theta: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   group: dict[str, Any], work: np.ndarray) -> None:
        beta1, beta2 = group["betas"]
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += np.multiply(grad, 1 - beta1, out=work)
        v *= beta2
        np.multiply(grad, grad, out=work)
        work *= 1 - beta2
        v += work
        if group["amsgrad"]:
            v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])

        # lr * m^ / (sqrt(v^) + eps) == step_size * m / (sqrt(v) + eps * sqrt(bc2)), with
        # step_size = lr * sqrt(bc2) / bc1: the bias corrections become scalars.
        sqrt_bc2 = math.sqrt(1 - beta2**t)
        denom = np.sqrt(v, out=work)
        denom += group["eps"] * sqrt_bc2
        update = np.divide(m, denom, out=work)
        update *= group["lr"] * sqrt_bc2 / (1 - beta1**t)
        theta -= update


class AdamW(Adam):
    """Adam with decoupled weight decay: ``Adam(..., decoupled_weight_decay=True)``.

    Each step first shrinks the parameter, ``theta <- theta - lr * weight_decay * theta``,
    then takes the `Adam` step with no penalty in the gradient (Loshchilov and Hutter).
    The parameters and the update are `Adam`'s, except that `weight_decay` defaults to
    1e-2 and decoupled weight decay cannot be switched off.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        if not group["decoupled_weight_decay"]:
            raise ValueError(
                "AdamW: decoupled_weight_decay must be True, got "
                f"{group['decoupled_weight_decay']!r} (use Adam for an L2 penalty)"
            )
