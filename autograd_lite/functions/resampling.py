"""Resizing images by nearest-neighbour sampling: `interpolate`, composed from differentiable
indexing (or, for whole-number factors, a broadcast), so its gradients of every order come
from theirs: each input pixel receives the sum of the gradients of its copies."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite.core import Variable, as_variable
from autograd_lite.functions.shape import broadcast_to, getitem

MODES = ("nearest", "nearest-exact")
NOT_IMPLEMENTED = ("linear", "bilinear", "bicubic", "trilinear", "area")


def source_indices(size_in: int, size_out: int, scale: float | None, mode: str) -> np.ndarray:
    """For every output position along one axis, the input position it copies.

    PyTorch's rule, in its float32 arithmetic so that awkward sizes pick the same pixels:
    ``min(floor(i * s), size_in - 1)`` (nearest) or ``min(floor((i + 0.5) * s), size_in - 1)``
    (nearest-exact), with ``s = 1 / scale_factor`` when a scale factor was given, else
    ``size_in / size_out``.
    """
    s = np.float32(1.0 / scale) if scale is not None else np.float32(size_in) / np.float32(
        size_out)
    i = np.arange(size_out, dtype=np.float32)
    if mode == "nearest-exact":
        i = i + np.float32(0.5)
    return np.minimum(np.floor(i * s).astype(np.int64), size_in - 1)


def check_mode(mode: str) -> None:
    """Refuse a mode other than the nearest-neighbour ones, naming what is available."""
    if mode not in MODES:
        if mode in NOT_IMPLEMENTED:
            raise NotImplementedError(f"interpolate: mode {mode!r} is not implemented; only "
                                      f"{' and '.join(map(repr, MODES))} are")
        raise ValueError(f"interpolate: unknown mode {mode!r}; expected one of {MODES}")


def _per_axis(value: Any, n: int, name: str, kind: type) -> tuple:
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    if len(values) != n:
        raise ValueError(f"interpolate: {name} {value!r} must give one value per spatial axis "
                         f"({n})")
    return tuple(kind(v) for v in values)


def _repeat(x: Variable, axis: int, times: int) -> Variable:
    """Every element `times` times along `axis` (np.repeat), as a broadcast: its gradient is
    one sum, not a scatter."""
    shape = x.shape
    wide = x.reshape(shape[:axis + 1] + (1,) + shape[axis + 1:])
    wide = broadcast_to(wide, shape[:axis + 1] + (times,) + shape[axis + 1:])
    return wide.reshape(shape[:axis] + (shape[axis] * times,) + shape[axis + 1:])


def interpolate(x: Any, size: Any = None, scale_factor: Any = None,
                mode: str = "nearest") -> Variable:
    """Resize the spatial axes of `x` by copying the nearest input pixel, as
    ``torch.nn.functional.interpolate`` does.

    Parameters
    ----------
    x : (N, C, L), (N, C, H, W) or (N, C, D, H, W)
    size : int or tuple of ints, optional
        The output's spatial size.
    scale_factor : float or tuple of floats, optional
        Multiplier of each spatial size (the output size is ``floor(size * scale_factor)``).
        Give exactly one of `size` and `scale_factor`.
    mode : "nearest" or "nearest-exact"
        Which pixel is nearest: PyTorch's legacy rule (``floor(i * in / out)``, the default)
        or the centred one (``floor((i + 0.5) * in / out)``). The smoothing modes ("bilinear",
        ...) are not implemented and raise NotImplementedError.

    Returns
    -------
    Variable of shape (N, C, *output_size).
    """
    check_mode(mode)
    x = as_variable(x)
    if not 3 <= x.ndim <= 5:
        raise ValueError(f"interpolate: expected input of shape (N, C, L), (N, C, H, W) or "
                         f"(N, C, D, H, W), got {x.shape}")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    spatial = x.shape[2:]
    if size is not None:
        out = _per_axis(size, len(spatial), "size", int)
        scales: tuple = (None,) * len(spatial)
    else:
        scales = _per_axis(scale_factor, len(spatial), "scale_factor", float)
        if min(scales) <= 0:
            raise ValueError(f"interpolate: scale_factor {scale_factor!r} must be positive")
        out = tuple(math.floor(n * s) for n, s in zip(spatial, scales))
    if min(out) < 1:
        raise ValueError(f"interpolate: input of shape {x.shape} would become empty "
                         f"{tuple(x.shape[:2]) + out} (size={size!r}, "
                         f"scale_factor={scale_factor!r})")
    for axis, (n_in, n_out, scale) in enumerate(zip(spatial, out, scales), start=2):
        idx = source_indices(n_in, n_out, scale, mode)
        if np.array_equal(idx, np.arange(n_in)):
            continue
        if n_out % n_in == 0 and np.array_equal(idx, np.repeat(np.arange(n_in), n_out // n_in)):
            x = _repeat(x, axis, n_out // n_in)
        else:
            x = getitem(x, (slice(None),) * axis + (idx,))
    return x
