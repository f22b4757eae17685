"""Adagrad: per-coordinate step sizes from the sum of squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsT, check_number


class Adagrad(Optimizer):
    r"""Adagrad (PyTorch's formulation).

    With ``sum`` starting at `initial_accumulator_value`, at step :math:`t = 1, 2, ...`::

        lr_t  <- lr / (1 + (t - 1) * lr_decay)
        g     <- g + weight_decay * theta    if weight_decay != 0
        sum   <- sum + g**2
        theta <- theta - lr_t * g / (sqrt(sum) + eps)

    Parameters
    ----------
    params : iterable of Variable, or iterable of dict
        Parameters to optimize, or parameter groups.
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

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        for name in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            check_number("Adagrad", name, group[name])

    def step(self) -> None:
        """Apply one Adagrad update to every parameter that has a gradient."""
        for group in self.param_groups:
            lr = float(group["lr"])
            lr_decay = float(group["lr_decay"])
            weight_decay = float(group["weight_decay"])
            eps = float(group["eps"])
            for p, grad, state in self._params_with_grad(group):
                theta = p.data
                if "step" not in state:
                    state["step"] = 0
                    state["sum"] = np.full_like(theta, group["initial_accumulator_value"])
                state["step"] += 1
                clr = lr / (1 + (state["step"] - 1) * lr_decay)
                if weight_decay != 0:
                    grad = grad + weight_decay * theta

                work = self._scratch(p)
                total = state["sum"]
                total += np.multiply(grad, grad, out=work)
                denom = np.sqrt(total, out=work)
                denom += eps
                update = np.divide(grad, denom, out=work)
                update *= clr
                theta -= update
