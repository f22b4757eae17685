"""Initialisation of parameters in place, with the fans and gains PyTorch uses.

Each function writes into the array it is given (a Variable's ``.data``, or an ndarray) and
returns it. On a Variable the write is declared with ``mark_modified()``, so a backward
through a graph recorded before the write raises instead of using the new values.

Every function takes an optional ``rng`` (a ``numpy.random.Generator``); without one it uses
this module's generator, which `manual_seed` reseeds, so a whole model is reproducible with
one call.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite import Variable

_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Reseed the generator used when no ``rng`` is given (initialisation and dropout)."""
    global _generator
    _generator = np.random.default_rng(seed)


def default_rng() -> np.random.Generator:
    """The generator used when no ``rng`` is given."""
    return _generator


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The gain that keeps activations' variance steady through `nonlinearity`."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def fan_in_and_fan_out(shape: tuple[int, ...]) -> tuple[int, int]:
    """Fans of a weight of `shape` (out, in, *kernel): ``in * prod(kernel)``, ``out * ...``."""
    if len(shape) < 2:
        raise ValueError(f"init: fan in and fan out need at least 2 dimensions, got shape "
                         f"{shape}")
    receptive = int(np.prod(shape[2:]))
    return shape[1] * receptive, shape[0] * receptive


def _fill(tensor: Any, values: np.ndarray) -> Any:
    """Write `values` into `tensor` (a Variable or ndarray) in place, keeping its dtype."""
    if isinstance(tensor, Variable):
        tensor.data[...] = values
        # A graph recorded before this write saved the old array: its backward must refuse.
        tensor.mark_modified()
    else:
        tensor[...] = values
    return tensor


def _shape(tensor: Any) -> tuple[int, ...]:
    return tuple(np.shape(tensor.data if isinstance(tensor, Variable) else tensor))


def uniform_(tensor: Any, a: float = 0.0, b: float = 1.0,
             rng: np.random.Generator | None = None) -> Any:
    """Fill with draws from U(a, b)."""
    return _fill(tensor, (rng or _generator).uniform(a, b, _shape(tensor)))


def normal_(tensor: Any, mean: float = 0.0, std: float = 1.0,
            rng: np.random.Generator | None = None) -> Any:
    """Fill with draws from N(mean, std**2)."""
    return _fill(tensor, (rng or _generator).normal(mean, std, _shape(tensor)))


def zeros_(tensor: Any) -> Any:
    """Fill with 0."""
    return _fill(tensor, 0)


def ones_(tensor: Any) -> Any:
    """Fill with 1."""
    return _fill(tensor, 1)


def _fan(shape: tuple[int, ...], mode: str) -> int:
    fan_in, fan_out = fan_in_and_fan_out(shape)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    return fan_in if mode == "fan_in" else fan_out


def kaiming_uniform_(tensor: Any, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu",
                     rng: np.random.Generator | None = None) -> Any:
    """He initialisation: U(-bound, bound), ``bound = gain * sqrt(3 / fan)``."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(_shape(tensor), mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, rng)


def kaiming_normal_(tensor: Any, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    rng: np.random.Generator | None = None) -> Any:
    """He initialisation: N(0, std**2), ``std = gain / sqrt(fan)``."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(_shape(tensor), mode))
    return normal_(tensor, 0.0, std, rng)


def xavier_uniform_(tensor: Any, gain: float = 1.0,
                    rng: np.random.Generator | None = None) -> Any:
    """Glorot initialisation: U(-a, a), ``a = gain * sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = fan_in_and_fan_out(_shape(tensor))
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -a, a, rng)


def xavier_normal_(tensor: Any, gain: float = 1.0,
                   rng: np.random.Generator | None = None) -> Any:
    """Glorot initialisation: N(0, std**2), ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = fan_in_and_fan_out(_shape(tensor))
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng)
