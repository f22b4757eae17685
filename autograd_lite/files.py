"""Write a file atomically: a reader sees the old file or the new one, never half of either.

Every file the project writes (checkpoints, pictures, downloads, benchmark results) goes
through :func:`atomic_write`. The content is written to a temporary file in the target's
folder, flushed to disk, then renamed over the target, so a crash at any moment leaves the
previous file intact. On Linux the temporary file is *unnamed* (``O_TMPFILE``) while it is
written: a process killed mid-write (even by SIGKILL) leaves nothing behind, because the
kernel frees a file that has no name once its last descriptor closes. Elsewhere, or on a file
system without ``O_TMPFILE``, a hidden named file ``.<name>.<random>.tmp`` is used instead and
removed on every failure Python sees (a SIGKILL or a power cut can then leave it behind).

The new file gets the permissions a plain ``open(path, "w")`` would give it: those of the file
it replaces, or ``0o666`` less the umask for a new one (``tempfile.mkstemp`` would make it
private to its owner).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

_MODES = ("wb", "w", "w+b", "wb+", "w+")


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb", *, encoding: str | None = None,
                 fsync: bool = True) -> Iterator[IO]:
    """Open a temporary file for writing; on success it replaces `path` in one step.

    Use it as ``with atomic_write(path) as f: f.write(data)``. If the block raises (or the
    process dies), `path` is left as it was and the temporary file is gone.

    Parameters
    ----------
    path : str or PathLike
        The file to write. Its folder must exist; an existing file is replaced.
    mode : {"wb", "w", "w+b", "w+"}
        Binary or text, write-only or read-write (``"w+b"`` lets the block read back and check
        what it wrote before it is committed).
    encoding : str or None
        For text modes; default UTF-8 (not the locale's encoding).
    fsync : bool
        Flush the content to disk before the rename and the folder after it, so that the
        file survives a power cut once this returns. Costs a few milliseconds.

    Yields
    ------
    file object
        Seekable; do not close it.

    Raises
    ------
    FileNotFoundError
        The folder does not exist.
    IsADirectoryError
        `path` is a directory.
    OSError
        Any other failure to create, write or rename, naming `path`.
    """
    if mode not in _MODES:
        raise ValueError(f"atomic_write: mode must be one of {', '.join(_MODES)}, got {mode!r}")
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, f"cannot write {str(path)!r}: it is a directory")
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"cannot write {str(path)!r}: the folder "
                                f"{str(folder)!r} does not exist")
    if "b" not in mode and encoding is None:
        encoding = "utf-8"

    try:
        fd, tmp = _open_temporary(path)
    except OSError as err:  # e.g. no permission: name the file, not only its folder
        raise type(err)(err.errno, f"cannot write {str(path)!r}: {err.strerror}") from None
    try:
        _copy_permissions(path, fd)
        with open(fd, mode, encoding=encoding, closefd=False) as f:
            yield f
        if fsync:
            os.fsync(fd)
        _commit(fd, tmp, path)
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    finally:
        os.close(fd)
    if fsync:
        _fsync_folder(folder)


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` atomically (see :func:`atomic_write`)."""
    with atomic_write(path) as f:
        f.write(data)


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write `text` to `path` atomically, UTF-8 encoded (see :func:`atomic_write`)."""
    with atomic_write(path, "w") as f:
        f.write(text)


def _open_temporary(path: Path) -> tuple[int, str | None]:
    """``(fd, name)`` of a new read-write file in `path`'s folder; name None if unnamed."""
    fd = _open_unnamed(path.parent)
    if fd is not None:
        return fd, None
    return _named_temporary(path)


def _open_unnamed(folder: Path) -> int | None:
    """An unnamed file in `folder` (Linux ``O_TMPFILE``), or None where there is none."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not sys.platform.startswith("linux"):
        return None
    try:
        return os.open(folder, flag | os.O_RDWR, 0o666)
    except OSError as err:
        # The file system cannot do it (EOPNOTSUPP, EISDIR or EINVAL from old kernels): fall
        # back to a named file. Any other error (no permission, no space) is the user's to see.
        if err.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            return None
        raise


def _copy_permissions(path: Path, fd: int) -> None:
    """Give the new file the mode bits of the one it replaces, as rewriting it in place would."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    with contextlib.suppress(OSError, NotImplementedError):
        os.chmod(fd, mode)


def _commit(fd: int, tmp: str | None, path: Path) -> None:
    """Put the finished file at `path`: rename the named temporary, or give the unnamed one a
    name first. A new `path` is linked directly (no window at all); an existing one is
    replaced through a short-lived hidden name, renamed at once."""
    if tmp is not None:
        os.replace(tmp, path)
        return
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        source = f"/proc/self/fd/{fd}"
        try:
            # dst_dir_fd makes CPython call linkat(..., AT_SYMLINK_FOLLOW), which links the
            # file the /proc entry points to (plain link() would try to link the entry itself).
            os.link(source, path.name, dst_dir_fd=dir_fd, follow_symlinks=True)
            return
        except FileExistsError:
            pass
        except OSError:
            _commit_copy(fd, path)  # no /proc: copy into a named temporary instead
            return
        name = f".{path.name}.{secrets.token_hex(4)}.tmp"
        os.link(source, name, dst_dir_fd=dir_fd, follow_symlinks=True)
        try:
            os.replace(name, path.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=dir_fd)
            raise
    finally:
        os.close(dir_fd)


def _commit_copy(fd: int, path: Path) -> None:
    fd_copy, tmp = _named_temporary(path)
    try:
        _copy_permissions(path, fd_copy)
        os.lseek(fd, 0, os.SEEK_SET)
        with open(fd, "rb", closefd=False) as src, open(fd_copy, "wb") as dst:
            shutil.copyfileobj(src, dst)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _named_temporary(path: Path) -> tuple[int, str]:
    """A new hidden file ``.<name>.<random>.tmp`` beside `path`: ``(fd, its path)``."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = str(path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp")
        with contextlib.suppress(FileExistsError):
            # 0o666: the umask decides, as for any new file (mkstemp would use 0o600).
            return os.open(tmp, flags, 0o666), tmp


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); not possible, nor needed, on Windows."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


