"""Adam and AdamW: steps from bias-corrected running averages of the gradient and its square."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite import Variable

from .optimizer import Optimizer, ParamsT, check_betas, check_number


class Adam(Optimizer):
    r"""Adam (PyTorch's formulation), with the optional AMSGrad variant.

    With ``m``, ``v`` and ``v_max`` starting at zero, at step :math:`t = 1, 2, ...`::

        g     <- g + weight_decay * theta        if weight_decay != 0
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
    params : iterable of Variable, or iterable of dict
        Parameters to optimize, or parameter groups.
    lr : float, default 1e-3
        Learning rate.
    betas : tuple of float, default (0.9, 0.999)
        Smoothing constants of the running averages of the gradient and its square.
    eps : float, default 1e-8
        Added to the denominator for numerical stability.
    weight_decay : float, default 0
        L2 penalty factor (added to the gradient; see `AdamW` for decoupled decay).
    amsgrad : bool, default False
        Normalize by the largest second moment seen so far.
    """

    # AdamW applies weight decay to the parameter instead of the gradient.
    _decoupled_weight_decay = False

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        name = type(self).__name__
        check_number(name, "lr", group["lr"])
        check_betas(name, group["betas"])
        check_number(name, "eps", group["eps"])
        check_number(name, "weight_decay", group["weight_decay"])

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient."""
        for group in self.param_groups:
            for p, grad, state in self._params_with_grad(group):
                self._update(p, grad, state, group)

    def _update(
        self, p: Variable, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        lr = float(group["lr"])
        beta1, beta2 = (float(beta) for beta in group["betas"])
        eps = float(group["eps"])
        weight_decay = float(group["weight_decay"])
        theta = p.data
        if "step" not in state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(theta)
            state["exp_avg_sq"] = np.zeros_like(theta)
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = np.zeros_like(theta)
        state["step"] += 1
        t = state["step"]

        if weight_decay != 0:
            if self._decoupled_weight_decay:
                theta *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * theta

        work = self._scratch(p)
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
        denom += eps * sqrt_bc2
        update = np.divide(m, denom, out=work)
        update *= lr * sqrt_bc2 / (1 - beta1**t)
        theta -= update


class AdamW(Adam):
    r"""Adam with decoupled weight decay (PyTorch's formulation).

    Each step first shrinks the parameter, ``theta <- theta - lr * weight_decay * theta``,
    then applies the `Adam` update with no weight decay in the gradient.

    Parameters
    ----------
    params : iterable of Variable, or iterable of dict
        Parameters to optimize, or parameter groups.
    lr : float, default 1e-3
        Learning rate.
    betas : tuple of float, default (0.9, 0.999)
        Smoothing constants of the running averages of the gradient and its square.
    eps : float, default 1e-8
        Added to the denominator for numerical stability.
    weight_decay : float, default 1e-2
        Decoupled weight-decay factor.
    amsgrad : bool, default False
        Normalize by the largest second moment seen so far.
    """

    _decoupled_weight_decay = True

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
