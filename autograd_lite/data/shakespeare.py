"""Tiny Shakespeare: the standard small text for character-level language models.

One plain-ASCII file, ``input.txt`` (1,115,394 characters of Shakespeare's plays, public
domain), found in a folder or downloaded once, verified by its sha256, then read as text.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .download import download as download_file
from .errors import DataFileError, DownloadError

FILE = "input.txt"
FOLDER = "tinyshakespeare"
URLS = ("https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/"
        "input.txt",)
SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
SIZE = 1_115_394  # bytes
MAX_BYTES = 4 << 20  # a download is stopped beyond this


def shakespeare_folder(root: str | os.PathLike | None = None) -> Path:
    """The folder that holds (or will hold) ``input.txt``.

    ``root`` if given, else ``$AUTOGRAD_LITE_DATA/tinyshakespeare``, else
    ``~/.cache/autograd_lite/tinyshakespeare``. ``root`` and ``$AUTOGRAD_LITE_DATA`` may
    each name the folder of the file or its parent: ``root`` is used as given unless only
    ``root/tinyshakespeare`` holds the file, ``$AUTOGRAD_LITE_DATA/tinyshakespeare`` unless
    only ``$AUTOGRAD_LITE_DATA`` itself holds it.
    """
    if root is not None:
        folder = Path(root).expanduser()
        return _prefer(folder, folder / FOLDER)
    data_dir = os.environ.get("AUTOGRAD_LITE_DATA")
    if data_dir:
        parent = Path(data_dir).expanduser()
        return _prefer(parent / FOLDER, parent)
    return Path.home() / ".cache" / "autograd_lite" / FOLDER


def _prefer(first: Path, second: Path) -> Path:
    """`first`, unless only `second` holds the file."""
    if not (first / FILE).exists() and (second / FILE).exists():
        return second
    return first


def load_tinyshakespeare(
    root: str | os.PathLike | None = None,
    download: bool = True,
    *,
    urls: Sequence[str] = URLS,
    sha256: str | None = SHA256,
    opener: Callable[..., Any] | None = None,
    timeout: float = 30.0,
    progress: bool = True,
) -> str:
    """The text of tiny Shakespeare.

    Parameters
    ----------
    root : path or None
        Folder holding ``input.txt``, or the parent of a ``tinyshakespeare/`` folder holding
        it. ``None``: ``$AUTOGRAD_LITE_DATA/tinyshakespeare``, else
        ``~/.cache/autograd_lite/tinyshakespeare`` (see :func:`shakespeare_folder`).
    download : bool
        Download the file into that folder when it is missing.
    urls : sequence of str
        Mirrors tried in turn.
    sha256 : str or None
        Expected sha256 of the file (hex); ``None`` skips the check (another text in the same
        place).
    opener, timeout, progress
        Passed to :func:`autograd_lite.data.download.download`.

    Returns
    -------
    str
        The whole text (ASCII; lines end in ``\\n``).

    Raises
    ------
    FileNotFoundError
        The file is missing and ``download`` is False.
    DownloadError
        The file is missing and no mirror delivered a good copy.
    DataFileError
        The file is not the expected one (checksum), not text, too large, or a directory.
    """
    folder = shakespeare_folder(root)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"the tiny Shakespeare folder {folder} is a file, not a "
                                 f"folder. {_where_to_put(folder)}")
    path = folder / FILE
    if path.is_dir():
        raise DataFileError(f"{path} is a directory where the text file should be: remove or "
                            "rename it, then call load_tinyshakespeare() again")
    if not path.exists():
        if not download:
            raise FileNotFoundError(f"{path} not found and download=False. "
                                    f"{_where_to_put(folder)}")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            download_file(urls, path, check=lambda f: _check(f.read(), path, sha256),
                          max_bytes=MAX_BYTES, opener=opener, timeout=timeout,
                          progress=progress)
        except OSError as err:
            if isinstance(err, DownloadError):
                raise DownloadError(f"{err}\n{_where_to_put(folder)}") from None
            raise
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise DataFileError(f"{path}: {size} bytes, more than the {MAX_BYTES} expected of "
                            f"tiny Shakespeare ({SIZE}). {_fix(path)}")
    return _check(path.read_bytes(), path, sha256)


def _check(blob: bytes, path: Path, sha256: str | None) -> str:
    """The bytes as text, after checking their checksum and that they are text."""
    if sha256 is not None:
        digest = hashlib.sha256(blob).hexdigest()
        if digest != sha256.lower():
            raise DataFileError(f"{path}: checksum mismatch, sha256 {digest} is not the "
                                f"expected {sha256} ({len(blob)} bytes; tiny Shakespeare has "
                                f"{SIZE}): the file is corrupt or another text. {_fix(path)}")
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DataFileError(f"{path}: not UTF-8 text ({err}). {_fix(path)}") from None
    if "\x00" in text:
        raise DataFileError(f"{path}: holds NUL bytes, not a text file. {_fix(path)}")
    if not text:
        raise DataFileError(f"{path}: the file is empty. {_fix(path)}")
    return text


def _fix(path: Path) -> str:
    return (f"Delete {path} and call load_tinyshakespeare() again to download a fresh copy, "
            "or replace it with a good copy.")


def _where_to_put(folder: Path) -> str:
    return (f"Put tiny Shakespeare's {FILE} in {folder}, or pass "
            f"load_tinyshakespeare(root=FOLDER) (the examples' --data-dir), or set "
            f"AUTOGRAD_LITE_DATA to a folder whose {FOLDER}/ subfolder holds it.")
