"""Modules that only reshape or resize: `Unflatten` (the inverse of `Flatten`) and `Upsample`
(nearest-neighbour resizing, e.g. in a generator or a decoder)."""

from __future__ import annotations

import math
from typing import Any

import autograd_lite.functions as F
from autograd_lite import Variable, as_variable
from autograd_lite.functions.resampling import check_mode

from .module import Module


class Unflatten(Module):
    """Split axis `dim` into `unflattened_size`: (N, 784) -> (N, 1, 28, 28) with
    ``Unflatten(1, (1, 28, 28))``. One entry of the size may be -1 (inferred)."""

    def __init__(self, dim: int, unflattened_size: tuple[int, ...] | list[int]) -> None:
        super().__init__()
        if isinstance(unflattened_size, int) or not all(
                isinstance(n, int) for n in unflattened_size):
            raise TypeError(f"Unflatten: unflattened_size must be a tuple of ints, got "
                            f"{unflattened_size!r}")
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, x: Any) -> Variable:
        x = as_variable(x)
        if not -x.ndim <= self.dim < x.ndim:
            raise ValueError(f"Unflatten: dim {self.dim} is out of range for input of shape "
                             f"{x.shape}")
        dim = self.dim % x.ndim
        known = math.prod(n for n in self.unflattened_size if n != -1)
        sizes = self.unflattened_size
        fits = (x.shape[dim] % known == 0 if -1 in sizes and known else
                x.shape[dim] == known) and sizes.count(-1) <= 1
        if not fits:
            raise ValueError(f"Unflatten: axis {dim} of size {x.shape[dim]} (input shape "
                             f"{x.shape}) cannot be split into {sizes}")
        return x.reshape(x.shape[:dim] + sizes + x.shape[dim + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Upsample(Module):
    """Resize (N, C, L), (N, C, H, W) or (N, C, D, H, W) inputs by copying the nearest pixel:
    ``Upsample(scale_factor=2)`` doubles H and W. See `autograd_lite.functions.resampling`
    (modes "nearest" and "nearest-exact"; the smoothing modes raise NotImplementedError)."""

    def __init__(self, size: Any = None, scale_factor: Any = None,
                 mode: str = "nearest") -> None:
        super().__init__()
        check_mode(mode)
        if (size is None) == (scale_factor is None):
            raise ValueError("Upsample: give exactly one of size and scale_factor")
        self.size, self.scale_factor, self.mode = size, scale_factor, mode

    def forward(self, x: Any) -> Variable:
        return F.interpolate(x, self.size, self.scale_factor, self.mode)

    def extra_repr(self) -> str:
        what = (f"size={self.size!r}" if self.size is not None
                else f"scale_factor={self.scale_factor!r}")
        return f"{what}, mode={self.mode!r}"
