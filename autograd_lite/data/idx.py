"""Parse the IDX format, the simple binary format the MNIST files are stored in.

An IDX file is a 4-byte magic number ``00 00 TT NN`` (TT: element type, NN: number of
dimensions), then NN big-endian uint32 sizes, then the elements in C order, big-endian.
"""

from __future__ import annotations

import io
import math
import sys
from typing import BinaryIO

import numpy as np

from .errors import DataFileError

MAX_IDX_BYTES = 1 << 28  # 256 MiB: MNIST's largest file is 47 MB decompressed
_CHUNK_BYTES = 1 << 20

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
    # No size limit: the bytes are in memory already, and reading follows what is there.
    return read_idx(io.BytesIO(data), source, max_bytes=sys.maxsize)


def read_idx(stream: BinaryIO, source: str = "<stream>", max_bytes: int = MAX_IDX_BYTES
             ) -> np.ndarray:
    """Read one IDX file from a binary stream, never more than its header promises.

    The header is read first; the payload is then read in chunks up to exactly the size the
    header announces, so a stream that goes on (a decompression bomb, trailing data) costs no
    more memory than the announced array. The stream must end right after the payload.

    Parameters
    ----------
    stream : binary file object
        E.g. an open file or a ``gzip.GzipFile``.
    source : str
        Where the bytes come from, for the error messages.
    max_bytes : int
        The largest file the header may announce (header included); larger is an error.

    Returns
    -------
    numpy.ndarray
        As :func:`parse_idx`.

    Raises
    ------
    DataFileError
        Bad magic number, a file shorter or longer than its header says, or a header that
        announces more than `max_bytes`.
    """
    head = _read_up_to(stream, 4)
    if len(head) < 4:
        raise DataFileError(f"{source}: only {len(head)} bytes, too short to be an IDX file")
    zero0, zero1, type_code, ndim = head
    if zero0 != 0 or zero1 != 0 or type_code not in IDX_DTYPES:
        magic = int.from_bytes(head, "big")
        raise DataFileError(
            f"{source}: bad magic number 0x{magic:08X}; an IDX file starts with 0x0000, "
            f"a type code among {sorted(f'0x{c:02X}' for c in IDX_DTYPES)} and the rank"
        )
    header_len = 4 + 4 * ndim
    dims = _read_up_to(stream, 4 * ndim)
    if len(dims) < 4 * ndim:
        raise DataFileError(
            f"{source}: the header announces {ndim} dimensions but the file ends after "
            f"{4 + len(dims)} bytes (truncated)"
        )
    shape = tuple(int(d) for d in np.frombuffer(dims, dtype=">u4"))
    dtype = IDX_DTYPES[type_code]
    expected_len = header_len + math.prod(shape) * dtype.itemsize
    announced = f"the header says shape {shape} of {dtype.name} ({expected_len} bytes in all)"
    if expected_len > max_bytes:
        raise DataFileError(f"{source}: {announced}, more than the {max_bytes} bytes allowed")
    payload = _read_up_to(stream, expected_len - header_len)
    if header_len + len(payload) < expected_len:
        raise DataFileError(f"{source}: {announced} but the file has "
                            f"{header_len + len(payload)} bytes: it is truncated")
    if stream.read(1):
        raise DataFileError(f"{source}: {announced} but the file is longer: it has trailing "
                            "bytes")
    array = np.frombuffer(payload, dtype=dtype).reshape(shape)
    # astype copies: the result is writable and native-endian.
    return array.astype(dtype.newbyteorder("="))


def _read_up_to(stream: BinaryIO, n: int) -> bytearray:
    """Up to `n` bytes (fewer at the end of the stream), read in chunks of at most 1 MiB so
    that memory follows the bytes that really arrive, not `n`."""
    data = bytearray()
    while len(data) < n:
        chunk = stream.read(min(_CHUNK_BYTES, n - len(data)))
        if not chunk:
            break
        data += chunk
    return data
