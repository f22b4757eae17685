"""Datasets: indexable collections of samples."""

from __future__ import annotations

from typing import Any

import numpy as np


class Dataset:
    """Base class of a dataset: a length and a way to get sample ``i``.

    Subclasses implement ``__len__`` and ``__getitem__(i)``; a sample is usually a tuple
    such as ``(image, label)``.
    """

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")


class TensorDataset(Dataset):
    """A dataset over arrays that share their first dimension: sample ``i`` is
    ``(arrays[0][i], arrays[1][i], ...)``.

    Parameters
    ----------
    *arrays : array_like
        One or more arrays of shape ``(N, ...)`` with the same ``N``.

    Examples
    --------
    >>> ds = TensorDataset(np.zeros((5, 2)), np.arange(5))
    >>> len(ds), int(ds[3][1])
    (5, 3)
    >>> [a.shape for a in ds[np.array([0, 4])]]
    [(2, 2), (2,)]
    """

    def __init__(self, *arrays: Any) -> None:
        if not arrays:
            raise ValueError("TensorDataset needs at least one array")
        self.arrays = tuple(np.asarray(a) for a in arrays)
        shapes = [a.shape for a in self.arrays]
        if any(len(s) == 0 for s in shapes) or len({s[0] for s in shapes}) != 1:
            raise ValueError(
                f"TensorDataset: all arrays must have the same first dimension, got shapes "
                f"{', '.join(str(s) for s in shapes)}"
            )

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index: Any) -> tuple[np.ndarray, ...]:
        """Sample ``index``; an integer index array gives a whole batch in one step."""
        return tuple(a[index] for a in self.arrays)
