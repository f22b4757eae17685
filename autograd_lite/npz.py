"""``.npz`` archives of numeric arrays, written atomically and read without trusting them.

An ``.npz`` file is a zip archive with one ``<key>.npy`` member per array (NumPy's format:
a short header with the shape and dtype, then the raw elements). :func:`save_npz` writes the
members itself (so any key works, ``file`` and ``allow_pickle`` included, which
``np.savez(**arrays)`` mishandles) and may add UTF-8 text members such as ``meta.json``.

:class:`NpzReader` opens an archive from anywhere: it reads the zip directory and each
member's header before any data, so a caller can check every key, shape and dtype first and
memory stays bounded by what it expects, whatever the file claims. Only numeric arrays (bool,
integer, float, complex) are read; object, text, bytes, structured and datetime arrays are
refused, and nothing is ever unpickled. Every error names the file.
"""

from __future__ import annotations

import math
import os
import zipfile
from collections.abc import Collection, Mapping
from typing import IO, NamedTuple

import numpy as np
import numpy.lib.format as npy

from .files import atomic_write

NUMERIC_KINDS = "biufc"  # bool, signed and unsigned integers, floats, complex
_KIND_NAMES = {"O": "Python objects (would need unpickling)", "U": "text", "S": "bytes",
               "V": "structured or raw records", "M": "datetimes", "m": "timedeltas"}
_MAX_HEADER_BYTES = 10_000  # NumPy's own bound; a real header is ~100 bytes


class NpzError(ValueError):
    """An ``.npz`` file is not what it should be; the message names the file and the member."""


class ArrayHeader(NamedTuple):
    """What a ``.npy`` member's header says about its array."""

    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    offset: int  # bytes of the member taken by the header

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


def save_npz(path: str | os.PathLike, arrays: Mapping[str, np.ndarray],
             texts: Mapping[str, str] | None = None) -> None:
    """Write `arrays` (and UTF-8 `texts`) to `path` as an uncompressed ``.npz``, atomically.

    Parameters
    ----------
    path : str or PathLike
        The file; its folder must exist. An existing file is replaced only once the new one
        is complete (:func:`autograd_lite.files.atomic_write`).
    arrays : mapping of str to ndarray
        Numeric arrays, stored as ``<key>.npy`` members; ``np.load(path)[key]`` reads them.
    texts : mapping of str to str, optional
        Extra members stored under their own name (e.g. ``"meta.json"``).

    Raises
    ------
    TypeError
        An array is not numeric (it could not be loaded back without unpickling).
    """
    texts = texts or {}
    for name in texts:
        if name.endswith(".npy") or f"{name}.npy" in arrays:
            raise ValueError(f"save_npz: text member {name!r} would clash with an array's name")
    checked = {}
    for key, value in arrays.items():
        array = np.asarray(value)
        if array.dtype.kind not in NUMERIC_KINDS:
            raise TypeError(f"save_npz: {key!r} holds {_describe(array.dtype)}; only numeric "
                            f"arrays can be saved (writing {os.fspath(path)!r})")
        checked[key] = array
    with atomic_write(path) as f, zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as archive:
        for key, array in checked.items():
            with archive.open(f"{key}.npy", "w", force_zip64=True) as member:
                npy.write_array(member, array, allow_pickle=False)
        for name, text in texts.items():
            archive.writestr(name, text.encode("utf-8"))


class NpzReader:
    """An ``.npz`` archive opened for checked reading; use it as a context manager.

    Parameters
    ----------
    path : str or PathLike

    Attributes
    ----------
    path : str
    arrays : list of str
        The array keys (members ``<key>.npy``), in archive order.
    texts : list of str
        The other members' names.

    Raises
    ------
    FileNotFoundError
        No such file.
    NpzError
        The file is empty, a directory, a single ``.npy`` array, not a zip archive, truncated,
        or holds the same member twice.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = os.fspath(path)
        if os.path.isdir(self.path):
            raise NpzError(f"{self.path!r} is a directory, not an .npz file")
        try:
            self._file: IO[bytes] = open(self.path, "rb")
        except FileNotFoundError:
            raise FileNotFoundError(f"no such file {self.path!r}") from None
        try:
            self._zip = self._open_zip()
            self._infos = self._index()
        except BaseException:
            self._file.close()
            raise
        self.arrays = [name[:-4] for name in self._infos if name.endswith(".npy")]
        self.texts = [name for name in self._infos if not name.endswith(".npy")]

    def _open_zip(self) -> zipfile.ZipFile:
        head = self._file.read(8)
        if not head:
            raise NpzError(f"{self.path!r} is empty (0 bytes), not an .npz archive")
        if head.startswith(npy.MAGIC_PREFIX):
            raise NpzError(f"{self.path!r} is a single .npy array, not an .npz archive of "
                           "named arrays (write one with Module.save or np.savez)")
        self._file.seek(0)
        try:
            return zipfile.ZipFile(self._file)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
            what = ("a truncated or damaged zip archive" if head.startswith(b"PK")
                    else "not a zip archive")
            raise NpzError(f"{self.path!r} is not a readable .npz file: {what} ({err})") from None

    def _index(self) -> dict[str, zipfile.ZipInfo]:
        infos: dict[str, zipfile.ZipInfo] = {}
        for info in self._zip.infolist():
            if info.filename in infos:
                raise NpzError(f"{self.path!r} holds the member {info.filename!r} twice")
            infos[info.filename] = info
        return infos

    def __enter__(self) -> NpzReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()
        self._file.close()

    # -- arrays
    def header(self, key: str) -> ArrayHeader:
        """The shape and dtype of array `key`, read from its header only (no data).

        Raises `NpzError` if the header is malformed or the dtype is not numeric.
        """
        info = self._info(f"{key}.npy", key)
        try:
            with self._zip.open(info) as member:
                version = npy.read_magic(member)
                if version == (1, 0):
                    shape, fortran, dtype = npy.read_array_header_1_0(member, _MAX_HEADER_BYTES)
                elif version == (2, 0):
                    shape, fortran, dtype = npy.read_array_header_2_0(member, _MAX_HEADER_BYTES)
                else:
                    raise ValueError(f"unsupported .npy format version {version}")
                offset = member.tell()
        except (ValueError, EOFError, OSError, zipfile.BadZipFile) as err:
            raise NpzError(f"{self.path!r}: array {key!r} has no readable .npy header "
                           f"({err})") from None
        if dtype.kind not in NUMERIC_KINDS or dtype.hasobject:
            raise NpzError(f"{self.path!r}: array {key!r} holds {_describe(dtype)}; only "
                           "numeric arrays (bool, integer, float, complex) are loaded")
        return ArrayHeader(tuple(shape), dtype, fortran, offset)

    def read(self, key: str, header: ArrayHeader | None = None) -> np.ndarray:
        """Array `key` (a new, writable, native-endian array).

        Pass the `header` you already checked to save reading it twice. A member whose size
        in the zip directory differs from what its header promises is refused before any data
        is read (so a header claiming 800 GB in a small file allocates nothing), and at most
        ``header.nbytes + 1`` bytes are decompressed, whatever the directory claims.
        """
        header = header or self.header(key)
        info = self._info(f"{key}.npy", key)
        if info.file_size != header.offset + header.nbytes:
            raise NpzError(f"{self.path!r}: array {key!r} has a header for shape {header.shape}"
                           f" of {header.dtype} ({header.nbytes:,} bytes) but its member holds "
                           f"{info.file_size - header.offset:,} bytes: the file is damaged")
        try:
            with self._zip.open(info) as member:
                member.read(header.offset)
                data = member.read(header.nbytes)
                # Reading past the end makes zipfile check the CRC of the whole member.
                extra = member.read(1)
        except (EOFError, OSError, zipfile.BadZipFile) as err:
            raise NpzError(f"{self.path!r}: array {key!r} cannot be read ({err})") from None
        if len(data) != header.nbytes or extra:
            raise NpzError(f"{self.path!r}: array {key!r} should hold {header.nbytes:,} bytes "
                           "of data but does not: the file is damaged")
        order = "F" if header.fortran_order else "C"
        array = np.frombuffer(data, dtype=header.dtype).reshape(header.shape, order=order)
        return array.astype(header.dtype.newbyteorder("="), order="C")

    # -- text
    def read_text(self, name: str, max_bytes: int = 1 << 20) -> str:
        """The UTF-8 text member `name`, refused beyond `max_bytes` (bytes decompressed)."""
        info = self._info(name, name)
        try:
            with self._zip.open(info) as member:
                data = member.read(max_bytes + 1)
        except (EOFError, OSError, zipfile.BadZipFile) as err:
            raise NpzError(f"{self.path!r}: member {name!r} cannot be read ({err})") from None
        if len(data) > max_bytes:
            raise NpzError(f"{self.path!r}: member {name!r} is longer than {max_bytes:,} bytes")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise NpzError(f"{self.path!r}: member {name!r} is not UTF-8 text ({err})") from None

    def _info(self, member: str, what: str) -> zipfile.ZipInfo:
        try:
            return self._infos[member]
        except KeyError:
            raise KeyError(f"{self.path!r} has no member {what!r}") from None


def read_arrays(reader: NpzReader, like: Mapping[str, np.ndarray], owner: str,
                strict: bool = True, texts: Collection[str] = ()) -> dict[str, np.ndarray]:
    """Read the arrays of `reader` that `like` asks for, each checked before any data is read.

    Every key, shape and dtype is checked first (the keys against the zip directory, shapes
    and dtypes against the members' headers); only then are the arrays read, each cast to the
    dtype of its template in `like`. So memory stays bounded by the size of `like`.

    Parameters
    ----------
    reader : NpzReader
    like : mapping of str to ndarray
        The expected keys, with arrays of the expected shape and dtype (e.g. a model's
        parameters; only their shape and dtype are used).
    owner : str
        Who is loading, for the messages (e.g. ``"load of Sequential"``).
    strict : bool
        Require exactly the keys of `like` (``KeyError`` naming the missing and unexpected
        ones); with False, read only the keys present in both.
    texts : collection of str
        Text members the caller reads itself; any other is unexpected.

    Raises
    ------
    KeyError, NpzError
        Naming the file, the key and what differs.
    """
    missing = [key for key in like if key not in reader.arrays]
    unexpected = ([key for key in reader.arrays if key not in like]
                  + [name for name in reader.texts if name not in texts])
    if strict and (missing or unexpected):
        raise KeyError(f"{owner}: missing keys {missing}, unexpected keys {unexpected} "
                       f"(file {reader.path!r})")
    headers = {}
    for key, template in like.items():
        if key not in reader.arrays:
            continue
        header = reader.header(key)
        if header.shape != template.shape:
            raise NpzError(f"{owner}: {key!r} has shape {header.shape} in the file but "
                           f"{template.shape} in the model (file {reader.path!r})")
        if not np.can_cast(header.dtype, template.dtype, "same_kind"):
            raise NpzError(f"{owner}: {key!r} is {header.dtype} in the file, which does not "
                           f"convert to the model's {template.dtype} (file {reader.path!r})")
        headers[key] = header
    return {key: reader.read(key, header).astype(like[key].dtype, copy=False)
            for key, header in headers.items()}


def _describe(dtype: np.dtype) -> str:
    kind = "O" if dtype.hasobject else dtype.kind
    return f"{_KIND_NAMES.get(kind, 'non-numeric data')} (dtype {dtype})"
