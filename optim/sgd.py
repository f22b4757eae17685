"""Stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsT, check_number


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
    params : iterable of Variable, or iterable of dict
        Parameters to optimize, or parameter groups.
    lr : float
        Learning rate.
    momentum : float, default 0
        Momentum factor.
    dampening : float, default 0
        Dampening of the momentum, in [0, 1].
    nesterov : bool, default False
        Use Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
    weight_decay : float, default 0
        L2 penalty factor.
    maximize : bool, default False
        Maximize the objective instead of minimizing it.

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

    def __init__(
        self,
        params: ParamsT,
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            nesterov=nesterov,
            weight_decay=weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_number("SGD", "lr", group["lr"])
        check_number("SGD", "momentum", group["momentum"])
        check_number("SGD", "dampening", group["dampening"], 0.0, 1.0)
        check_number("SGD", "weight_decay", group["weight_decay"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "SGD: nesterov=True needs momentum > 0 and dampening == 0, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )

    def step(self) -> None:
        """Apply one SGD update to every parameter that has a gradient."""
        for group in self.param_groups:
            lr = float(group["lr"])
            momentum = float(group["momentum"])
            dampening = float(group["dampening"])
            weight_decay = float(group["weight_decay"])
            for p, grad, state in self._params_with_grad(group):
                theta = p.data
                # The rarely used options allocate; the common paths below do not.
                d = np.negative(grad) if group["maximize"] else grad
                if weight_decay != 0:
                    d = d + weight_decay * theta
                if momentum != 0:
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        # np.array, not d.copy(): on a 0-d parameter d may be a NumPy scalar
                        buf = state["momentum_buffer"] = np.array(d, dtype=theta.dtype)
                    else:
                        buf *= momentum
                        buf += d if dampening == 0 else (1 - dampening) * d
                    d = d + momentum * buf if group["nesterov"] else buf
                update = np.multiply(d, lr, out=self._scratch(p))
                theta -= update
