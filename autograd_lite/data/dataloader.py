"""DataLoader: iterate over a dataset in (shuffled) mini-batches of numpy arrays."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .dataset import Dataset, TensorDataset


class DataLoader:
    """Mini-batches of a dataset, as tuples of numpy arrays.

    Parameters
    ----------
    dataset : Dataset
        Anything with ``__len__`` and ``__getitem__(int)``. Samples that are tuples give
        tuples of batches; a sample that is not a tuple is treated as a 1-tuple.
    batch_size : int
        Samples per batch; the last batch may be smaller unless ``drop_last``.
    shuffle : bool
        Visit the samples in a new random order every epoch (every ``iter(loader)``).
    drop_last : bool
        Drop the last batch when it is smaller than ``batch_size``.
    seed : int, numpy.random.Generator or None
        Seed of the generator that draws the epoch orders. Two loaders with the same integer
        seed yield the same sequence of epochs; each epoch has a different order. ``None``
        draws fresh entropy.
    transform : callable or None
        Applied to each batch: called as ``transform(*batch)`` (e.g. ``transform(x, t)``
        for a dataset of ``(x, t)`` samples), and its return value is yielded as is, so
        return a tuple to keep ``for x, t in loader`` working.

    Yields
    ------
    tuple of numpy.ndarray
        One array per sample field, of shape ``(B, ...)`` with ``B <= batch_size``
        (or the transform's result).

    Notes
    -----
    For a :class:`TensorDataset` each batch is cut with one fancy-indexing step per array,
    no Python loop over samples; other datasets are indexed sample by sample and stacked.

    Examples
    --------
    >>> loader = DataLoader(TensorDataset(np.arange(10), np.arange(10) % 2), batch_size=4)
    >>> len(loader), [x.tolist() for x, t in loader]
    (3, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | np.random.Generator | None = None,
        transform: Callable[..., Any] | None = None,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"DataLoader: batch_size must be an int, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be >= 1, got {batch_size}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.transform = transform
        self._rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        """Number of batches in one epoch."""
        n = len(self.dataset)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        # The order is drawn when iteration starts, so each epoch's order depends only on
        # the seed and on how many epochs came before.
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        return self._batches(order)

    def _batches(self, order: np.ndarray) -> Iterator[Any]:
        for k in range(len(self)):
            index = order[k * self.batch_size : (k + 1) * self.batch_size]
            batch = self._fetch(index)
            yield batch if self.transform is None else self.transform(*batch)

    def _fetch(self, index: np.ndarray) -> tuple[np.ndarray, ...]:
        if isinstance(self.dataset, TensorDataset):
            return self.dataset[index]
        samples = [self.dataset[int(i)] for i in index]
        samples = [s if isinstance(s, tuple) else (s,) for s in samples]
        return tuple(np.stack(field) for field in zip(*samples, strict=True))
