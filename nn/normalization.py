"""`LayerNorm`: each sample normalised over its last axes, with a learned scale and shift."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd_lite.functions as F
from autograd_lite import Variable

from .dtypes import check_input_dtype
from .module import Module
from .parameter import Parameter


class LayerNorm(Module):
    """Normalise over the trailing `normalized_shape` (mean 0, variance 1 per sample), then
    ``* weight + bias``, as PyTorch's ``nn.LayerNorm``.

    Parameters
    ----------
    normalized_shape : int or tuple of int
        The trailing shape of the input normalised together, e.g. the embedding size.
    eps : float
        Added to the variance.
    elementwise_affine : bool
        Learn ``weight`` (ones) and ``bias`` (zeros), both of shape `normalized_shape`,
        float32.
    bias : bool
        With False, only ``weight`` is learned.

    Input (..., *normalized_shape), output of the same shape.
    """

    def __init__(self, normalized_shape: Any, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True) -> None:
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)):
            normalized_shape = (int(normalized_shape),)
        self.normalized_shape = tuple(int(n) for n in normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, np.float32))
        else:
            self.register_parameter("weight", None)
        if elementwise_affine and bias:
            self.bias = Parameter(np.zeros(self.normalized_shape, np.float32))
        else:
            self.register_parameter("bias", None)

    def forward(self, x: Any) -> Variable:
        if self.weight is not None:
            check_input_dtype("LayerNorm", x, self.weight.dtype)
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
