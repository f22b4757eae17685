"""RMSprop: step sizes from a running average of squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsT, check_number


class RMSprop(Optimizer):
    r"""RMSprop (PyTorch's formulation).

    With ``v``, ``g_avg`` and ``b`` starting at zero, at each step::

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
    params : iterable of Variable, or iterable of dict
        Parameters to optimize, or parameter groups.
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

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
        )
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_number("RMSprop", "lr", group["lr"])
        check_number("RMSprop", "alpha", group["alpha"], 0.0, 1.0)
        for name in ("eps", "weight_decay", "momentum"):
            check_number("RMSprop", name, group[name])

    def step(self) -> None:
        """Apply one RMSprop update to every parameter that has a gradient."""
        for group in self.param_groups:
            lr = float(group["lr"])
            alpha = float(group["alpha"])
            eps = float(group["eps"])
            weight_decay = float(group["weight_decay"])
            momentum = float(group["momentum"])
            for p, grad, state in self._params_with_grad(group):
                theta = p.data
                if "step" not in state:
                    state["step"] = 0
                    state["square_avg"] = np.zeros_like(theta)
                if momentum > 0 and "momentum_buffer" not in state:
                    state["momentum_buffer"] = np.zeros_like(theta)
                if group["centered"] and "grad_avg" not in state:
                    state["grad_avg"] = np.zeros_like(theta)
                state["step"] += 1
                if weight_decay != 0:
                    grad = grad + weight_decay * theta

                work = self._scratch(p)
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
                denom += eps
                scaled = np.divide(grad, denom, out=work)
                if momentum > 0:
                    buf = state["momentum_buffer"]
                    buf *= momentum
                    buf += scaled
                    update = np.multiply(buf, lr, out=work)
                else:
                    update = np.multiply(scaled, lr, out=work)
                theta -= update
