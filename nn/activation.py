"""Modules without parameters: activations, Flatten and Identity."""

from __future__ import annotations

from typing import Any

import autograd_lite.functions as F
from autograd_lite import Variable
from autograd_lite.functions.gaussian import gelu

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


class GELU(Module):
    """Gaussian error linear unit ``x * Phi(x)``; ``approximate="tanh"`` for the tanh form."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Any) -> Variable:
        return gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """``exp(x) / sum(exp(x))`` along `dim` (default the last axis; PyTorch's ``dim=None``
    guesses an axis from the input's rank, with a deprecation warning)."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Any) -> Variable:
        return F.softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """``x - logsumexp(x)`` along `dim` (default the last axis, see `Softmax`)."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Any) -> Variable:
        return F.log_softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. for a layer switched off); any
    constructor arguments are ignored, as in PyTorch."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Any) -> Any:
        return x
