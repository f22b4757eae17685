"""Download a file from a list of mirrors, safely: a temporary file in the target folder is
filled (up to a size limit), checked, then renamed into place
(:func:`autograd_lite.files.atomic_write`), so an interrupted or bad download leaves nothing."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from ..files import atomic_write
from .errors import DataFileError, DownloadError

_CHUNK_BYTES = 1 << 16


def download(
    urls: Sequence[str],
    dest: str | os.PathLike,
    *,
    check: Callable[[BinaryIO], object] | None = None,
    opener: Callable[..., Any] | None = None,
    timeout: float = 30.0,
    progress: bool = True,
    max_bytes: int = 1 << 30,
) -> Path:
    """Save the first good copy among ``urls`` at ``dest``, trying the mirrors in turn.

    Parameters
    ----------
    urls : sequence of str
        Mirrors of the same file, tried in order.
    dest : path
        Where the file goes; its folder must exist. Written only once a copy passed ``check``.
    check : callable or None
        Called with the complete temporary file, open for reading at its start; raises
        ``DataFileError`` if the content is bad, and the next mirror is tried.
    opener : callable or None
        ``opener(url, timeout=...)`` returns a response with ``read(n)`` usable as a context
        manager; ``None`` means ``urllib.request.urlopen``. Tests inject a fake here.
    timeout : float
        Seconds to wait for the connection or for the next bytes before giving up a mirror.
    progress : bool
        Show progress on stderr: a live bar on a terminal (tqdm when installed, else a
        percentage), one line per file otherwise (a log, a pipe).
    max_bytes : int
        Stop (and try the next mirror) once a response announces or delivers more than this:
        an endless response cannot fill the disk.

    Raises
    ------
    DownloadError
        If every mirror failed; the message lists each URL and why.
    """
    # Imported here: the network stack is only needed when a file is actually missing.
    import http.client
    import urllib.request

    dest = Path(dest)
    opener = opener or urllib.request.urlopen
    failures = []
    for url in urls:
        try:
            _download_one(url, dest, check, opener, timeout, progress, max_bytes)
            return dest
        except (OSError, http.client.HTTPException, DataFileError) as err:
            failures.append(f"  {url}: {type(err).__name__}: {err}")
    raise DownloadError(f"could not download {dest.name}; tried:\n" + "\n".join(failures))


def _download_one(
    url: str,
    dest: Path,
    check: Callable[[BinaryIO], object] | None,
    opener: Callable[..., Any],
    timeout: float,
    progress: bool,
    max_bytes: int,
) -> None:
    # Any failure, Ctrl-C included, discards the temporary file: nothing is left behind.
    with atomic_write(dest, "w+b") as out, opener(url, timeout=timeout) as response:
        total = _content_length(response)
        if total is not None and total > max_bytes:
            raise DownloadError(f"the server announces {total} bytes, more than the "
                                f"{max_bytes} expected")
        limit = max_bytes if total is None else total
        received = 0
        with _progress_bar(total, dest.name, progress) as bar:
            while chunk := response.read(_CHUNK_BYTES):
                received += len(chunk)
                if received > limit:
                    raise DownloadError(f"stopped after {received} bytes: more than the "
                                        f"{'announced' if total is not None else 'expected'} "
                                        f"{limit}")
                out.write(chunk)
                bar.update(len(chunk))
        if total is not None and received != total:
            raise DownloadError(f"connection closed after {received} of {total} bytes")
        if check is not None:
            out.seek(0)
            check(out)


def _content_length(response: Any) -> int | None:
    headers = getattr(response, "headers", None)
    value = headers.get("Content-Length") if headers is not None else None
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _progress_bar(total: int | None, desc: str, enabled: bool) -> Any:
    if not enabled:
        return _PlainBar(total, desc, stream=None)
    if not sys.stderr.isatty():  # a log or a pipe: one line when done, no \r refreshes
        return _PlainBar(total, desc, stream=sys.stderr, live=False)
    try:
        from tqdm import tqdm
    except ImportError:
        return _PlainBar(total, desc, stream=sys.stderr)
    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, leave=False)


class _PlainBar:
    """Progress without tqdm: a percentage rewritten in place on a terminal (``live``), or one
    line at the end elsewhere."""

    def __init__(self, total: int | None, desc: str, stream: Any, live: bool = True) -> None:
        self.total, self.desc, self.stream, self.live = total, desc, stream, live
        self.done = 0
        self.shown = -1

    def text(self) -> str:
        if self.total:
            return f"{100 * self.done // self.total:3d}% of {self.total / 1e6:.1f} MB"
        return f"{self.done / 1e6:.1f} MB"

    def update(self, n: int) -> None:
        self.done += n
        if self.stream is None or not self.live:
            return
        step = 100 * self.done // self.total if self.total else self.done >> 20
        if step != self.shown:
            self.shown = step
            self.stream.write(f"\rdownloading {self.desc}: {self.text()}")
            self.stream.flush()

    def __enter__(self) -> _PlainBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.stream is None:
            return
        if self.live and self.shown >= 0:
            self.stream.write("\n")
        elif not self.live and self.done:
            self.stream.write(f"downloading {self.desc}: {self.text()}\n")
            self.stream.flush()
