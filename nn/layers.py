"""Layers with parameters or state: Linear, Conv2d, ConvTranspose2d, BatchNorm, Embedding,
Dropout, pooling.

Each ``forward`` is one call into ``autograd_lite.functions``. Parameters are float32 and
initialised as PyTorch does; pass ``rng=`` (a ``numpy.random.Generator``) to a constructor for
a reproducible draw, or seed every draw at once with ``nn.init.manual_seed``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd_lite.functions as F
from autograd_lite import Variable
from autograd_lite.functions.conv import pair

from . import init
from .module import Module
from .parameter import Parameter


def _uniform_bias(shape: tuple[int, ...], fan_in: int, rng: np.random.Generator | None
                  ) -> Parameter:
    bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    return Parameter(init.uniform_(np.empty(shape, np.float32), -bound, bound, rng))


class Linear(Module):
    """``y = x @ weight.T + bias``: weight (out_features, in_features), bias (out_features,).

    Input (..., in_features), output (..., out_features). Weights are drawn as PyTorch does:
    Kaiming-uniform with ``a = sqrt(5)``, bias U(-1/sqrt(in), 1/sqrt(in)).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(init.kaiming_uniform_(
            np.empty((out_features, in_features), np.float32), a=math.sqrt(5), rng=rng))
        if bias:
            self.bias = _uniform_bias((out_features,), in_features, rng)
        else:
            self.register_parameter("bias", None)

    def forward(self, x: Any) -> Variable:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Conv2d(Module):
    """2-D convolution over (N, in_channels, H, W) images.

    weight (out_channels, in_channels, kh, kw), bias (out_channels,); initialised as `Linear`
    with ``fan_in = in_channels * kh * kw``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, bias: bool = True,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = pair(kernel_size, "kernel_size", "Conv2d")
        self.stride = pair(stride, "stride", "Conv2d")
        self.padding = pair(padding, "padding", "Conv2d")
        _conv_parameters(self, (out_channels, in_channels) + self.kernel_size, bias, rng)

    def forward(self, x: Any) -> Variable:
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None}")


def _conv_parameters(layer: Module, shape: tuple[int, ...], bias: bool,
                     rng: np.random.Generator | None) -> None:
    """A convolution's `weight` of `shape` and its `bias`, drawn as PyTorch does (the fan-in
    is that of the weight's layout)."""
    layer.weight = Parameter(init.kaiming_uniform_(np.empty(shape, np.float32), a=math.sqrt(5),
                                                   rng=rng))
    if bias:
        fan_in, _ = init.fan_in_and_fan_out(shape)
        layer.bias = _uniform_bias((layer.out_channels,), fan_in, rng)
    else:
        layer.register_parameter("bias", None)


class ConvTranspose2d(Module):
    """2-D transposed convolution (the gradient of a convolution), which upsamples
    (N, in_channels, H, W) images to (N, out_channels, OH, OW), with
    ``OH = (H - 1) * stride - 2 * padding + kh + output_padding``.

    weight (in_channels, out_channels, kh, kw), as in PyTorch, bias (out_channels,); both drawn
    as PyTorch does, with ``fan_in = out_channels * kh * kw`` (the fan of that layout).

    Examples
    --------
    >>> import numpy as np
    >>> from autograd_lite import nn
    >>> up = nn.ConvTranspose2d(16, 8, kernel_size=4, stride=2, padding=1)
    >>> up(np.zeros((2, 16, 7, 7), np.float32)).shape
    (2, 8, 14, 14)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, bias: bool = True,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        name = "ConvTranspose2d"
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = pair(kernel_size, "kernel_size", name)
        self.stride = pair(stride, "stride", name)
        self.padding = pair(padding, "padding", name)
        self.output_padding = pair(output_padding, "output_padding", name)
        _conv_parameters(self, (in_channels, out_channels) + self.kernel_size, bias, rng)

    def forward(self, x: Any) -> Variable:
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  self.output_padding)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, "
                f"output_padding={self.output_padding}, bias={self.bias is not None}")


class _Pool2d(Module):
    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def extra_repr(self) -> str:
        stride = self.kernel_size if self.stride is None else self.stride
        return f"kernel_size={self.kernel_size}, stride={stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """Largest value of each window (stride defaults to the kernel size)."""

    def forward(self, x: Any) -> Variable:
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """Mean of each window, padding zeros included (stride defaults to the kernel size)."""

    def forward(self, x: Any) -> Variable:
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)


class _BatchNorm(Module):
    _ndims: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = True) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        if affine:
            self.weight = Parameter(np.ones(num_features, np.float32))
            self.bias = Parameter(np.zeros(num_features, np.float32))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.register_buffer("running_mean", np.zeros(num_features, np.float32))
        self.register_buffer("running_var", np.ones(num_features, np.float32))

    def forward(self, x: Any) -> Variable:
        if np.ndim(x) not in self._ndims:
            dims = " or ".join(map(str, self._ndims))
            raise ValueError(f"{type(self).__name__}: expected a {dims}-D input, got shape "
                             f"{np.shape(x)}")
        return F.batch_norm(x, self.weight, self.bias, self.running_mean, self.running_var,
                            self.training, self.momentum, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs per feature C.

    Buffers ``running_mean``, ``running_var`` are updated in training and used in evaluation.
    """

    _ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) images per channel C (see `BatchNorm1d`)."""

    _ndims = (4,)


class Dropout(Module):
    """Zero each element with probability `p` in training (scaling the rest by 1/(1-p));
    the identity in evaluation."""

    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"Dropout: p must lie in [0, 1], got {p}")
        self.p, self.rng = p, rng

    def forward(self, x: Any) -> Variable:
        return F.dropout(x, self.p, self.training, self.rng or init.default_rng())

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Embedding(Module):
    """A table of `num_embeddings` vectors of size `embedding_dim`, looked up by integer ids.

    weight (num_embeddings, embedding_dim) drawn from N(0, 1); input ids of any shape S give
    an output of shape S + (embedding_dim,).
    """

    def __init__(self, num_embeddings: int, embedding_dim: int,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = Parameter(init.normal_(np.empty((num_embeddings, embedding_dim),
                                                      np.float32), rng=rng))

    def forward(self, ids: Any) -> Variable:
        return F.embedding(ids, self.weight)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"
