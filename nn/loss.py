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


class BCEWithLogitsLoss(Module):
    """Sigmoid + binary cross-entropy of logits against targets in [0, 1], mean over all."""

    def forward(self, logits: Any, target: Any) -> Variable:
        return F.binary_cross_entropy_with_logits(logits, target)


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
