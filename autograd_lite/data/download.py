"""Download a file from a list of mirrors, safely: a temporary file in the target folder is
filled, checked, then renamed into place, so an interrupted or bad download leaves nothing."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .errors import DataFileError, DownloadError

_CHUNK_BYTES = 1 << 16


def download(
    urls: Sequence[str],
    dest: str | os.PathLike,
    *,
    check: Callable[[Path], object] | None = None,
    opener: Callable[..., Any] | None = None,
    timeout: float = 30.0,
    progress: bool = True,
) -> Path:
    """Save the first good copy among ``urls`` at ``dest``, trying the mirrors in turn.

    Parameters
    ----------
    urls : sequence of str
        Mirrors of the same file, tried in order.
    dest : path
        Where the file goes; its folder must exist. Written only once a copy passed ``check``.
    check : callable or None
        Called with the path of the complete temporary file; raises ``DataFileError`` if the
        content is bad, and the next mirror is tried.
    opener : callable or None
        ``opener(url, timeout=...)`` returns a response with ``read(n)`` usable as a context
        manager; ``None`` means ``urllib.request.urlopen``. Tests inject a fake here.
    timeout : float
        Seconds to wait for the connection or for the next bytes before giving up a mirror.
    progress : bool
        Show a progress bar on stderr (tqdm when installed, else a plain percentage).

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
            _download_one(url, dest, check, opener, timeout, progress)
            return dest
        except (OSError, http.client.HTTPException, DataFileError) as err:
            failures.append(f"  {url}: {type(err).__name__}: {err}")
    raise DownloadError(f"could not download {dest.name}; tried:\n" + "\n".join(failures))


def _download_one(
    url: str,
    dest: Path,
    check: Callable[[Path], object] | None,
    opener: Callable[..., Any],
    timeout: float,
    progress: bool,
) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, opener(url, timeout=timeout) as response:
            total = _content_length(response)
            received = 0
            with _progress_bar(total, dest.name, progress) as bar:
                while chunk := response.read(_CHUNK_BYTES):
                    out.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
            if total is not None and received != total:
                raise DownloadError(f"connection closed after {received} of {total} bytes")
        if check is not None:
            check(tmp)
        os.replace(tmp, dest)
    except BaseException:
        # Any failure, Ctrl-C included: remove the partial file, never leave it behind.
        tmp.unlink(missing_ok=True)
        raise


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
    try:
        from tqdm import tqdm
    except ImportError:
        return _PlainBar(total, desc, stream=sys.stderr)
    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, leave=False)


class _PlainBar:
    """The progress bar used when tqdm is not installed: a percentage rewritten in place."""

    def __init__(self, total: int | None, desc: str, stream: Any) -> None:
        self.total, self.desc, self.stream = total, desc, stream
        self.done = 0
        self.shown = -1

    def update(self, n: int) -> None:
        self.done += n
        if self.stream is None:
            return
        if self.total:
            step = 100 * self.done // self.total
            text = f"{step:3d}% of {self.total / 1e6:.1f} MB"
        else:
            step = self.done >> 20
            text = f"{self.done / 1e6:.1f} MB"
        if step != self.shown:
            self.shown = step
            self.stream.write(f"\rdownloading {self.desc}: {text}")
            self.stream.flush()

    def __enter__(self) -> _PlainBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.stream is not None and self.shown >= 0:
            self.stream.write("\n")
