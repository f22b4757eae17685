"""Losses as modules, reduced by the mean as PyTorch's default ``reduction='mean'``."""

from __future__ import annotations

from typing import Any

import autograd_lite.functions as F
from autograd_lite import Variable

from .module import Module


class CrossEntropyLoss(Module):
    """Softmax cross-entropy of logits (N, C) with integer labels (N,), mean over the batch."""

    def forward(self, logits: Any, target: Any) -> Variable:
        return F.cross_entropy(logits, target)


class MSELoss(Module):
    """Mean squared error over all elements (input and target of the same shape)."""

    def forward(self, input: Any, target: Any) -> Variable:  # noqa: A002 - PyTorch's name
        return F.mse_loss(input, target)


class BCELoss(Module):
    """Binary cross-entropy of probabilities in [0, 1] against targets of the same shape;
    `weight` (broadcastable) scales each element; reduction ``"mean"``, ``"sum"`` or
    ``"none"``, as PyTorch."""

    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__()
        self.weight, self.reduction = weight, reduction

    def forward(self, input: Any, target: Any) -> Variable:  # noqa: A002 - PyTorch's name
        return F.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(Module):
    """Sigmoid + binary cross-entropy of logits against targets in [0, 1], stable for any
    logit; `weight` scales each element, `pos_weight` the positive term (both broadcastable,
    `pos_weight` usually one per class); reduction as `BCELoss`."""

    def __init__(self, weight: Any = None, reduction: str = "mean",
                 pos_weight: Any = None) -> None:
        super().__init__()
        self.weight, self.reduction, self.pos_weight = weight, reduction, pos_weight

    def forward(self, logits: Any, target: Any) -> Variable:
        return F.binary_cross_entropy_with_logits(logits, target, self.weight, self.reduction,
                                                  self.pos_weight)


class HuberLoss(Module):
    """Huber loss (quadratic within `delta`, linear beyond), as ``torch.nn.HuberLoss``."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__()
        self.reduction, self.delta = reduction, delta

    def forward(self, input: Any, target: Any) -> Variable:  # noqa: A002 - PyTorch's name
        return F.huber_loss(input, target, self.reduction, self.delta)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, delta={self.delta}"


class SmoothL1Loss(Module):
    """Smooth L1 loss (Huber divided by `beta`), as ``torch.nn.SmoothL1Loss``."""

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__()
        self.reduction, self.beta = reduction, beta

    def forward(self, input: Any, target: Any) -> Variable:  # noqa: A002 - PyTorch's name
        return F.smooth_l1_loss(input, target, self.reduction, self.beta)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, beta={self.beta}"
