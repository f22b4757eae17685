"""Stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from .checks import check_number
from .optimizer import Optimizer, ParamsT


class SGD(Optimizer):
    r"""Stochastic gradient descent (PyTorch's formulation).

    For each parameter :math:`\theta` with gradient :math:`g` at step :math:`t`::

        g <- -g                          if maximize
        g <- g + weight_decay * theta    if weight_decay != 0
        if momentum != 0:
            b <- g                                     at t = 1
            b <- momentum * b + (1 - dampening) * g    at t > 1
            g <- g + momentum * b   if nesterov   else   g <- b
        theta <- theta - lr * g

    With ``maximize`` the gradient is negated first, before weight decay, as
    PyTorch's implementation does (its written algorithm adds ``lr * g`` at the
    end instead; the two differ only when ``weight_decay != 0``).

    Parameters
    ----------
    params, maximize
        As for every `Optimizer` (`maximize` is keyword only).
    lr : float, default 1e-3
        Learning rate.
    momentum : float, default 0
        Momentum factor.
    dampening : float, default 0
        Dampening of the momentum, in [0, 1].
    weight_decay : float, default 0
        L2 penalty factor.
    nesterov : bool, default False
        Use Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).

    Examples
    --------
    >>> import numpy as np
    >>> from autograd_lite import Variable
    >>> w = Variable(np.array([1.0, 2.0]))
    >>> opt = SGD([w], lr=0.1)
    >>> w.grad = Variable(np.array([1.0, -1.0]), requires_grad=False)
    >>> opt.step()
    >>> w.data
    array([0.9, 2.1])
    """

    # The buffer starts at the first gradient, so it is made by the first update.
    state_entries = {"momentum_buffer": "array"}

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False, *,
                 maximize: bool = False) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        check_number("SGD", "dampening", group["dampening"], 0.0, 1.0)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "SGD: nesterov=True needs momentum > 0 and dampening == 0, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )

    def update_one(self, theta: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   group: dict[str, Any], work: np.ndarray) -> None:
        momentum = group["momentum"]
        step = grad
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = grad.copy()
            else:
                buf *= momentum
                dampening = group["dampening"]
                buf += grad if dampening == 0 else np.multiply(grad, 1 - dampening, out=work)
            if group["nesterov"]:
                step = np.multiply(buf, momentum, out=work)
                step += grad
            else:
                step = buf
        theta -= np.multiply(step, group["lr"], out=work)
