"""Lazy layers: `LazyLinear` and `LazyConv2d` take their input size from the first batch they
see, as DeZero's ``L.Linear(out_size)`` does, so a model can be written without computing the
size of a flattened feature map by hand.

The trap, and how it is closed: the weights cannot exist before their shape is known, yet an
optimizer is usually built before the first batch. So, as in PyTorch, each weight starts as an
`UninitializedParameter`: a registered placeholder that ``parameters()`` lists and an optimizer
accepts. The first forward call fills it in place (the same object becomes a `Parameter`), so
an optimizer built earlier updates the real weights. Until then anything that needs the values
(``.data``, ``.shape``, ``state_dict()``, ``save``, ``load``, ``nn.init``) raises a ValueError
that says to run one batch first. Unlike PyTorch, loading a state dict does not fill them in.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite import Variable, as_variable
from autograd_lite.functions.conv import pair

from .layers import Conv2d, Linear
from .module import Module
from .parameter import Parameter


class UninitializedParameter(Parameter):
    """A parameter of a lazy layer before its first call: registered, listed by
    ``parameters()`` and accepted by optimizers, but without values until `materialize`."""

    __slots__ = ()

    def __init__(self, owner: str) -> None:
        # `name` says whose weight this is until it exists; materialize clears it.
        super().__init__(np.empty(0, np.float32), name=owner)

    def _not_yet(self) -> ValueError:
        return ValueError(
            f"{self.name} is not initialised yet: a lazy layer infers its input size from the "
            "first batch. Run one forward pass (e.g. model(x[:1])) before reading, "
            "initialising, saving or loading its parameters (an optimizer may be built before)"
        )

    @property
    def data(self) -> np.ndarray:
        raise self._not_yet()

    @data.setter
    def data(self, value: Any) -> None:
        raise self._not_yet()

    shape = ndim = size = dtype = property(lambda self: self._raise_not_yet())

    def _raise_not_yet(self) -> Any:
        raise self._not_yet()

    def materialize(self, value: np.ndarray) -> None:
        """Become an ordinary `Parameter` holding `value`, keeping this object's identity (so
        optimizers and other holders of it see the real weights)."""
        self.__class__ = Parameter
        self.name = None
        self.data = value

    def __repr__(self) -> str:
        return f"<UninitializedParameter {self.name}>"


def _materialize(layer: Module, template: Module) -> None:
    """Fill `layer`'s uninitialised parameters with the values `template` was drawn with."""
    for name, p in layer._parameters.items():
        if isinstance(p, UninitializedParameter):
            p.materialize(getattr(template, name).data)


class LazyLinear(Linear):
    """`Linear` whose ``in_features`` is the size of the last axis of the first input.

    Examples
    --------
    >>> import numpy as np
    >>> from autograd_lite import nn
    >>> fc = nn.LazyLinear(10)
    >>> fc(np.zeros((4, 300), np.float32)).shape
    (4, 10)
    >>> fc.weight.shape
    (10, 300)
    """

    def __init__(self, out_features: int, bias: bool = True,
                 rng: np.random.Generator | None = None) -> None:
        Module.__init__(self)  # no weights to draw yet
        self.in_features, self.out_features, self._rng = None, out_features, rng
        self.weight = UninitializedParameter("LazyLinear.weight")
        if bias:
            self.bias = UninitializedParameter("LazyLinear.bias")
        else:
            self.register_parameter("bias", None)

    def forward(self, x: Any) -> Variable:
        if self.in_features is None:
            x = as_variable(x)
            if x.ndim == 0:
                raise ValueError("LazyLinear: expected input of shape (..., in_features), got "
                                 "a 0-d value")
            in_features = x.shape[-1]
            _materialize(self, Linear(in_features, self.out_features, self.bias is not None,
                                      self._rng))
            self.in_features = in_features
        return super().forward(x)


class LazyConv2d(Conv2d):
    """`Conv2d` whose ``in_channels`` is the channel count C of the first (N, C, H, W) input."""

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 bias: bool = True, rng: np.random.Generator | None = None) -> None:
        Module.__init__(self)  # no weights to draw yet
        self.in_channels, self.out_channels, self._rng = None, out_channels, rng
        self.kernel_size = pair(kernel_size, "kernel_size", "LazyConv2d")
        self.stride = pair(stride, "stride", "LazyConv2d")
        self.padding = pair(padding, "padding", "LazyConv2d")
        self.weight = UninitializedParameter("LazyConv2d.weight")
        if bias:
            self.bias = UninitializedParameter("LazyConv2d.bias")
        else:
            self.register_parameter("bias", None)

    def forward(self, x: Any) -> Variable:
        if self.in_channels is None:
            x = as_variable(x)
            if x.ndim != 4:
                raise ValueError(f"LazyConv2d: expected input of shape (N, C, H, W), got "
                                 f"{x.shape}")
            in_channels = x.shape[1]
            _materialize(self, Conv2d(in_channels, self.out_channels, self.kernel_size,
                                      self.stride, self.padding, self.bias is not None,
                                      self._rng))
            self.in_channels = in_channels
        return super().forward(x)
