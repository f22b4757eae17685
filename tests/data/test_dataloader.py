"""Tests of Dataset, TensorDataset and DataLoader."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite.data import DataLoader, Dataset, TensorDataset


def paired(n):
    """A dataset whose label is 10 x the sample, so pairing mistakes show."""
    x = np.arange(n)
    return TensorDataset(x, 10 * x)


class ListDataset(Dataset):
    """A plain Python dataset, to take the per-sample path of DataLoader."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.array([i, i]), 10 * i


@given(
    n=st.integers(0, 40),
    batch_size=st.integers(1, 12),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_batches_cover_every_sample_once(n, batch_size, shuffle, drop_last, seed):
    loader = DataLoader(paired(n), batch_size, shuffle=shuffle, drop_last=drop_last, seed=seed)
    batches = list(loader)
    assert len(batches) == len(loader)
    full, rest = divmod(n, batch_size)
    expected_sizes = [batch_size] * full + ([rest] if rest and not drop_last else [])
    assert [len(x) for x, _ in batches] == expected_sizes
    seen = np.concatenate([x for x, _ in batches]) if batches else np.zeros(0, int)
    assert len(np.unique(seen)) == len(seen)  # no sample twice
    if not drop_last:
        assert sorted(seen.tolist()) == list(range(n))
    for x, t in batches:
        np.testing.assert_array_equal(t, 10 * x)


@pytest.mark.parametrize(
    ("n", "batch_size", "drop_last", "expected"),
    [(10, 3, False, 4), (10, 3, True, 3), (9, 3, False, 3), (9, 3, True, 3), (2, 5, True, 0)],
)
def test_len_is_number_of_batches(n, batch_size, drop_last, expected):
    assert len(DataLoader(paired(n), batch_size, drop_last=drop_last)) == expected


def test_no_shuffle_keeps_order():
    x, t = next(iter(DataLoader(paired(10), batch_size=10)))
    np.testing.assert_array_equal(x, np.arange(10))


def epochs(loader, count):
    return [np.concatenate([x for x, _ in loader]).tolist() for _ in range(count)]


def test_shuffle_is_reproducible_with_seed_and_new_each_epoch():
    first = epochs(DataLoader(paired(50), 8, shuffle=True, seed=3), 3)
    again = epochs(DataLoader(paired(50), 8, shuffle=True, seed=3), 3)
    other = epochs(DataLoader(paired(50), 8, shuffle=True, seed=4), 3)
    assert first == again
    assert first != other
    assert first[0] != first[1] != first[2]
    assert all(sorted(epoch) == list(range(50)) for epoch in first)


def test_seed_accepts_a_generator():
    a = epochs(DataLoader(paired(30), 4, shuffle=True, seed=np.random.default_rng(7)), 2)
    b = epochs(DataLoader(paired(30), 4, shuffle=True, seed=np.random.default_rng(7)), 2)
    assert a == b


def test_generic_dataset_matches_tensor_dataset():
    n = 11
    tensors = TensorDataset(np.stack([np.arange(n)] * 2, axis=1), 10 * np.arange(n))
    fast = list(DataLoader(tensors, 4, shuffle=True, seed=0))
    slow = list(DataLoader(ListDataset(n), 4, shuffle=True, seed=0))
    assert len(fast) == len(slow) == 3
    for (xf, tf), (xs, ts) in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(xf, xs)
        np.testing.assert_array_equal(tf, ts)
        assert xs.shape[1:] == (2,) and isinstance(xs, np.ndarray)


def test_non_tuple_samples_give_one_tuples():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.float32(i * i)

    batches = list(DataLoader(Squares(), 2))
    assert [b[0].tolist() for b in batches] == [[0, 1], [4, 9], [16]]
    assert all(isinstance(b, tuple) and len(b) == 1 for b in batches)


def test_transform_gets_the_unpacked_batch_and_its_result_is_yielded():
    calls = []

    def scale(x, t):
        calls.append((x.copy(), t.copy()))
        return x.astype(np.float32) / 2, t

    loader = DataLoader(paired(5), 2, transform=scale)
    out = list(loader)
    assert len(calls) == 3
    np.testing.assert_array_equal(calls[0][0], [0, 1])
    assert out[2][0].dtype == np.float32
    np.testing.assert_array_equal(out[2][0], [2.0])
    np.testing.assert_array_equal(out[2][1], [40])


def test_tensor_dataset_indexing():
    ds = TensorDataset(np.zeros((4, 3)), np.arange(4))
    x, t = ds[2]
    assert x.shape == (3,) and t == 2
    xb, tb = ds[np.array([3, 0])]
    assert xb.shape == (2, 3)
    np.testing.assert_array_equal(tb, [3, 0])


def test_tensor_dataset_rejects_different_first_dimensions():
    with pytest.raises(ValueError, match=r"same first dimension.*\(5, 2\).*\(4,\)"):
        TensorDataset(np.zeros((5, 2)), np.zeros(4))


@pytest.mark.parametrize("arrays", [(), (np.float64(1.0),)])
def test_tensor_dataset_rejects_no_arrays_or_scalars(arrays):
    with pytest.raises(ValueError, match="TensorDataset"):
        TensorDataset(*arrays)


@pytest.mark.parametrize(("batch_size", "error"), [(0, ValueError), (2.0, TypeError)])
def test_bad_batch_size(batch_size, error):
    with pytest.raises(error, match="batch_size"):
        DataLoader(paired(3), batch_size)


def test_dataset_base_class_needs_subclass_methods():
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Dataset())
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]
