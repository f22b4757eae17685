"""MNIST: find the four standard files (or download them), verify, and parse them."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import zlib
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .download import download as download_file
from .errors import DataFileError, DownloadError
from .idx import MAX_IDX_BYTES, read_idx

TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"
MNIST_FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

# Each mirror serves the canonical gzipped files as <mirror><name>.gz.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

# Accepted md5 values per file: of the canonical .gz download, then of the decompressed IDX
# content. Re-compressed copies have other .gz bytes but the same content, so both count.
MNIST_MD5: dict[str, tuple[str, ...]] = {
    TRAIN_IMAGES: ("f68b3c2dcbeaaa9fbdd348bbdeb94873", "6bbc9ace898e44ae57da46a324031adb"),
    TRAIN_LABELS: ("d53e105ee54ea40749a09fcbcd1e9432", "a25bea736e30d166cdddb491f175f624"),
    TEST_IMAGES: ("9fb629c4189551a2d022fa330f9573f3", "2646ac647ad5339dbf082846283269ea"),
    TEST_LABELS: ("ec29112dd5afa0611ce80d1b7f02629c", "27ae3e4e09519cfbb04c329615203637"),
}

# A download is stopped beyond this size (the largest canonical .gz is 9.9 MB).
MAX_DOWNLOAD_BYTES = 32 << 20

Split = tuple[np.ndarray, np.ndarray]


def mnist_folder(root: str | os.PathLike | None = None) -> Path:
    """The folder that holds (or will hold) the MNIST files.

    ``root`` if given, else ``$AUTOGRAD_LITE_DATA/mnist``, else ``~/.cache/autograd_lite/mnist``.
    Both ``root`` and ``$AUTOGRAD_LITE_DATA`` may name either the folder of the files or its
    parent: ``root`` is used as given unless only ``root/mnist`` holds MNIST files, and
    ``$AUTOGRAD_LITE_DATA/mnist`` unless only ``$AUTOGRAD_LITE_DATA`` itself holds them.
    """
    if root is not None:
        folder = Path(root).expanduser()
        return _prefer(folder, folder / "mnist")
    data_dir = os.environ.get("AUTOGRAD_LITE_DATA")
    if data_dir:
        parent = Path(data_dir).expanduser()
        return _prefer(parent / "mnist", parent)
    return Path.home() / ".cache" / "autograd_lite" / "mnist"


def _prefer(first: Path, second: Path) -> Path:
    """`first`, unless only `second` holds MNIST files."""
    if not _holds_mnist(first) and _holds_mnist(second):
        return second
    return first


def _holds_mnist(folder: Path) -> bool:
    return any((folder / f"{name}{ext}").exists() for name in MNIST_FILES for ext in ("", ".gz"))


def load_mnist(
    root: str | os.PathLike | None = None,
    download: bool = True,
    *,
    mirrors: Sequence[str] = MNIST_MIRRORS,
    checksums: Mapping[str, Collection[str] | None] | None = None,
    opener: Callable[..., Any] | None = None,
    timeout: float = 30.0,
    progress: bool = True,
) -> tuple[Split, Split]:
    """Load MNIST as ``(x_train, t_train), (x_test, t_test)``.

    Parameters
    ----------
    root : path or None
        Folder with the four files ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
        ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each gzipped (``.gz``) or
        raw, or the parent of a ``mnist/`` folder holding them. ``None``:
        ``$AUTOGRAD_LITE_DATA/mnist`` (or ``$AUTOGRAD_LITE_DATA`` itself if the files are
        there), else ``~/.cache/autograd_lite/mnist``. See :func:`mnist_folder`.
    download : bool
        Download missing files (as ``.gz``) from ``mirrors`` into that folder.
    mirrors : sequence of str
        Base URLs tried in turn; a file is fetched from ``mirror + name + ".gz"``.
    checksums : mapping or None
        File name (without ``.gz``) -> accepted md5 hex digests, matched against the file
        itself or its decompressed content. ``None``: MNIST's (:data:`MNIST_MD5`). A file
        the mapping leaves out, or maps to ``None``, is not checked (e.g. to read
        Fashion-MNIST, which uses the same file names: ``checksums={}``).
    opener, timeout, progress
        Passed to :func:`autograd_lite.data.download.download`.

    Returns
    -------
    (x_train, t_train), (x_test, t_test)
        Images: uint8 of shape ``(N, 28, 28)`` with values 0..255. Labels: int64 of shape
        ``(N,)`` with values 0..9. N is 60000 for train and 10000 for test.

    Raises
    ------
    FileNotFoundError
        A file is missing and ``download`` is False.
    DownloadError
        A file is missing and no mirror delivered a good copy.
    NotADirectoryError
        The folder is a file.
    DataFileError
        A file is corrupt: bad gzip, bad IDX header, wrong length, wrong checksum, images
        and labels that do not match, or a directory where a file should be.
    """
    folder = mnist_folder(root)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"the MNIST folder {folder} is a file, not a folder. "
                                 f"{_where_to_put(folder)}")
    checksums = MNIST_MD5 if checksums is None else checksums
    paths, arrays = {}, {}
    for name in MNIST_FILES:
        path = _find(folder, name)
        if path is None:
            if not download:
                raise FileNotFoundError(
                    f"MNIST file {name} not found and download=False. {_where_to_put(folder)} "
                    f"Or call load_mnist(download=True) to fetch them from the mirrors."
                )
            path = _download(folder, name, checksums.get(name), mirrors, opener, timeout, progress)
        paths[name], arrays[name] = path, read_mnist_file(path, checksums.get(name))
    train = _split(paths, arrays, TRAIN_IMAGES, TRAIN_LABELS)
    test = _split(paths, arrays, TEST_IMAGES, TEST_LABELS)
    return train, test


def read_mnist_file(
    path: str | os.PathLike,
    md5s: Collection[str] | None = None,
    gzipped: bool | None = None,
    max_bytes: int = MAX_IDX_BYTES,
) -> np.ndarray:
    """Read one IDX file, gzipped or raw, and verify its checksum.

    Parameters
    ----------
    path : path
        The file.
    md5s : collection of str or None
        Accepted md5 digests of the file or of its decompressed content; ``None`` skips the
        check.
    gzipped : bool or None
        Whether the file is gzip-compressed; ``None``: when its name ends in ``.gz``.
    max_bytes : int
        The largest file, and the largest decompressed content, accepted. Decompression
        stops at the size the IDX header announces, so a gzip bomb costs no more than that.

    Raises
    ------
    DataFileError
        Naming the file, what is wrong and how to fix it.
    """
    path = Path(path)
    if path.is_dir():
        raise DataFileError(f"{path} is a directory where the MNIST file should be: remove or "
                            "rename it, then call load_mnist() again")
    size = path.stat().st_size
    if size > max_bytes:
        raise DataFileError(f"{path}: {size} bytes, more than the {max_bytes} an MNIST file "
                            f"can have. {_fix(path)}")
    if gzipped is None:
        gzipped = path.name.endswith(".gz")
    return _read_blob(path.read_bytes(), path, md5s, gzipped, max_bytes)


def _read_blob(blob: bytes, path: Path, md5s: Collection[str] | None, gzipped: bool,
               max_bytes: int) -> np.ndarray:
    """Parse and verify the bytes of an MNIST file (named `path` in the messages)."""
    stream = _HashingReader(gzip.GzipFile(fileobj=io.BytesIO(blob)) if gzipped
                            else io.BytesIO(blob))
    try:
        array = read_idx(stream, str(path), max_bytes)
    except DataFileError as err:
        raise DataFileError(f"{err}. {_fix(path)}") from None
    except (OSError, EOFError, zlib.error) as err:
        raise DataFileError(f"{path}: not a valid gzip file ({err}). {_fix(path)}") from err
    if md5s is not None:
        _verify(path, blob, stream.md5 if gzipped else None, md5s)
    return array


class _HashingReader:
    """Wraps a binary stream; keeps the md5 of every byte read through it."""

    def __init__(self, stream: Any) -> None:
        self.stream, self.md5 = stream, hashlib.md5()

    def read(self, n: int) -> bytes:
        data = self.stream.read(n)
        self.md5.update(data)
        return data


def _verify(path: Path, blob: bytes, content_md5: Any, md5s: Collection[str]) -> None:
    """Accept the file if the md5 of its bytes, or of its decompressed content, is listed."""
    digests = [hashlib.md5(blob).hexdigest()]
    if digests[0] in md5s:
        return
    if content_md5 is not None:
        digests.append(content_md5.hexdigest())
        if digests[1] in md5s:
            return
    raise DataFileError(
        f"{path}: checksum mismatch, md5 {' / '.join(digests)} (file / content) is none of "
        f"the expected {', '.join(sorted(md5s))}: the file is corrupt or not the MNIST file. "
        f"{_fix(path)}"
    )


def _find(folder: Path, name: str) -> Path | None:
    # Prefer the raw file: it loads without decompressing.
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_dir():
            raise DataFileError(f"{candidate} is a directory where the MNIST file should be: "
                                "remove or rename it, then call load_mnist() again")
        if candidate.is_file():
            return candidate
    return None


def _download(
    folder: Path,
    name: str,
    md5s: Collection[str] | None,
    mirrors: Sequence[str],
    opener: Callable[..., Any] | None,
    timeout: float,
    progress: bool,
) -> Path:
    dest = folder / f"{name}.gz"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return download_file(
            [f"{mirror}{name}.gz" for mirror in mirrors],
            dest,
            check=lambda f: _read_blob(f.read(), dest, md5s, True, MAX_IDX_BYTES),
            max_bytes=MAX_DOWNLOAD_BYTES,
            opener=opener,
            timeout=timeout,
            progress=progress,
        )
    except OSError as err:
        raise DownloadError(f"{err}\n{_where_to_put(folder)}") from None


def _split(paths: dict, arrays: dict, images_name: str, labels_name: str) -> Split:
    """Check that an images file and a labels file make an MNIST split; labels to int64."""
    images, labels = arrays[images_name], arrays[labels_name]
    images_path, labels_path = paths[images_name], paths[labels_name]
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise DataFileError(
            f"{images_path}: expected uint8 images of shape (N, 28, 28), got "
            f"{images.dtype} of shape {images.shape}. {_fix(images_path)}"
        )
    if labels.ndim != 1 or labels.dtype != np.uint8 or (labels.size and labels.max() > 9):
        raise DataFileError(
            f"{labels_path}: expected uint8 labels 0..9 of shape (N,), got "
            f"{labels.dtype} of shape {labels.shape}. {_fix(labels_path)}"
        )
    if len(images) != len(labels):
        raise DataFileError(
            f"{images_path} has {len(images)} images but {labels_path} has {len(labels)} "
            f"labels; the two files are from different sets. Delete both and call "
            f"load_mnist() again to download fresh copies."
        )
    return images, labels.astype(np.int64)


def _fix(path: Path) -> str:
    return (
        f"Delete {path} and call load_mnist() again to download a fresh copy, or replace it "
        f"with a good copy of the MNIST file."
    )


def _where_to_put(folder: Path) -> str:
    names = ", ".join(f"{n}.gz" for n in MNIST_FILES)
    return (
        f"Put the four MNIST files ({names}; gzipped or not) in {folder}, or pass "
        f"load_mnist(root=FOLDER), or set AUTOGRAD_LITE_DATA to a folder whose mnist/ "
        f"subfolder holds them."
    )
