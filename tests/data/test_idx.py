"""Tests of the IDX parser."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_lite.data import DataFileError
from autograd_lite.data.idx import parse_idx
from tests.data.idx_files import TYPE_CODES, idx_bytes

idx_arrays = hnp.arrays(
    dtype=st.sampled_from(sorted(TYPE_CODES, key=str)),
    shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5),
)


@given(idx_arrays)
def test_round_trip(array):
    parsed = parse_idx(idx_bytes(array))
    assert parsed.dtype == array.dtype and parsed.dtype.isnative
    np.testing.assert_array_equal(parsed, array)
    assert parsed.flags.writeable


@given(array=idx_arrays, data=st.data())
def test_any_truncation_or_extra_bytes_is_a_data_file_error(array, data):
    raw = idx_bytes(array)
    cut = data.draw(st.integers(0, len(raw) - 1), label="cut")
    with pytest.raises(DataFileError, match="my.idx"):
        parse_idx(raw[:cut], "my.idx")
    with pytest.raises(DataFileError, match="trailing bytes"):
        parse_idx(raw + b"\0", "my.idx")


def test_truncated_payload_message_says_sizes():
    raw = idx_bytes(np.zeros((3, 4), np.uint8))
    message = r"shape \(3, 4\).*24 bytes.*has 23 bytes: it is truncated"
    with pytest.raises(DataFileError, match=message):
        parse_idx(raw[:-1], "f")


@pytest.mark.parametrize("magic", [b"\x01\x00\x08\x01", b"\x00\x00\x07\x01", b"PK\x03\x04"])
def test_bad_magic(magic):
    raw = magic + idx_bytes(np.zeros(3, np.uint8))[4:]
    with pytest.raises(DataFileError, match=f"bad magic number 0x{magic.hex().upper()}"):
        parse_idx(raw, "f")
