"""Parse the IDX format, the simple binary format the MNIST files are stored in.

An IDX file is a 4-byte magic number ``00 00 TT NN`` (TT: element type, NN: number of
dimensions), then NN big-endian uint32 sizes, then the elements in C order, big-endian.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import DataFileError

# Element type code (third magic byte) -> big-endian numpy dtype.
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def parse_idx(data: bytes, source: str = "<bytes>") -> np.ndarray:
    """Decode the bytes of an (uncompressed) IDX file into a native-endian array.

    Parameters
    ----------
    data : bytes
        The whole file content.
    source : str
        Where the bytes came from, used in error messages (usually the file path).

    Returns
    -------
    numpy.ndarray
        A writable array of the shape stored in the header, e.g. ``(60000, 28, 28)`` uint8.

    Raises
    ------
    DataFileError
        If the magic number is wrong or the payload length does not match the header.

    Examples
    --------
    >>> parse_idx(bytes([0, 0, 0x08, 1, 0, 0, 0, 3, 7, 8, 9]))
    array([7, 8, 9], dtype=uint8)
    """
    if len(data) < 4:
        raise DataFileError(f"{source}: only {len(data)} bytes, too short to be an IDX file")
    zero0, zero1, type_code, ndim = data[:4]
    if zero0 != 0 or zero1 != 0 or type_code not in IDX_DTYPES:
        magic = int.from_bytes(data[:4], "big")
        raise DataFileError(
            f"{source}: bad magic number 0x{magic:08X}; an IDX file starts with 0x0000, "
            f"a type code among {sorted(f'0x{c:02X}' for c in IDX_DTYPES)} and the rank"
        )
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise DataFileError(
            f"{source}: the header announces {ndim} dimensions but the file ends after "
            f"{len(data)} bytes (truncated)"
        )
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[type_code]
    count = math.prod(shape)
    expected_len = header_len + count * dtype.itemsize
    if len(data) != expected_len:
        problem = "is truncated" if len(data) < expected_len else "has trailing bytes"
        raise DataFileError(
            f"{source}: the header says shape {shape} of {dtype.name} ({expected_len} bytes "
            f"in all) but the file has {len(data)} bytes: it {problem}"
        )
    array = np.frombuffer(data, dtype=dtype, count=count, offset=header_len).reshape(shape)
    # astype copies: the result is writable, native-endian and does not pin `data`.
    return array.astype(dtype.newbyteorder("="))
