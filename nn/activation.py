"""Modules without parameters: activations and Flatten."""

from __future__ import annotations

from typing import Any

import autograd_lite.functions as F
from autograd_lite import Variable

from .module import Module


class ReLU(Module):
    """``max(x, 0)``."""

    def forward(self, x: Any) -> Variable:
        return F.relu(x)


class LeakyReLU(Module):
    """``x`` where positive, ``negative_slope * x`` elsewhere."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Any) -> Variable:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    """``1 / (1 + exp(-x))``, stable for any x."""

    def forward(self, x: Any) -> Variable:
        return F.sigmoid(x)


class Tanh(Module):
    """Hyperbolic tangent."""

    def forward(self, x: Any) -> Variable:
        return F.tanh(x)


class Flatten(Module):
    """Merge the axes from `start_dim` on: (N, C, H, W) -> (N, C*H*W) by default."""

    def __init__(self, start_dim: int = 1) -> None:
        super().__init__()
        self.start_dim = start_dim

    def forward(self, x: Any) -> Variable:
        return F.flatten(x, self.start_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}"
