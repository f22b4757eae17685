"""autograd_lite.files.atomic_write: all or nothing, normal permissions, nothing left behind,
even when the writing process is killed."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograd_lite import files
from autograd_lite.files import atomic_write, write_bytes, write_text

ROOT = Path(__file__).resolve().parents[1]
UNNAMED = hasattr(os, "O_TMPFILE") and sys.platform.startswith("linux")


@pytest.fixture(params=["unnamed", "named"])
def temporary(request, monkeypatch):
    """Run a test with Linux's unnamed temporary files, and with the portable named ones."""
    if request.param == "unnamed" and not UNNAMED:
        pytest.skip("O_TMPFILE is Linux only")
    if request.param == "named":
        monkeypatch.setattr(files, "_open_unnamed", lambda folder: None)
    return request.param


def test_writes_bytes_and_text(tmp_path, temporary):
    write_bytes(tmp_path / "a.bin", b"\x00\x01")
    write_text(tmp_path / "b.txt", "größe\n")
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "b.txt").read_bytes() == "größe\n".encode()
    with atomic_write(tmp_path / "c.bin", "w+b") as f:  # read back before committing
        f.write(b"abc")
        f.seek(0)
        assert f.read() == b"abc"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin", "b.txt", "c.bin"]


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_new_files_get_the_permissions_of_a_plain_open(tmp_path, temporary, umask):
    old = os.umask(umask)
    try:
        with open(tmp_path / "plain", "wb"):
            pass
        write_bytes(tmp_path / "atomic", b"x")
    finally:
        os.umask(old)
    expected = (tmp_path / "plain").stat().st_mode
    assert (tmp_path / "atomic").stat().st_mode == expected == 0o100666 & ~umask


def test_a_replaced_file_keeps_its_permissions(tmp_path, temporary):
    path = tmp_path / "private.npz"
    path.write_bytes(b"old")
    path.chmod(0o600)
    write_bytes(path, b"new")
    assert path.read_bytes() == b"new" and path.stat().st_mode & 0o777 == 0o600


def test_a_failure_keeps_the_old_file_and_leaves_no_temporary(tmp_path, temporary):
    path = tmp_path / "model.npz"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_write(path) as f:
            f.write(b"half of the new")
            raise RuntimeError("disk full")
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(tmp_path / "new.npz") as f:
            f.write(b"x")
            raise KeyboardInterrupt
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


def test_missing_folder_and_directory_targets_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        write_bytes(tmp_path / "nowhere" / "x.bin", b"")
    (tmp_path / "taken").mkdir()
    with pytest.raises(IsADirectoryError, match="taken.*is a directory"):
        write_bytes(tmp_path / "taken", b"")
    with pytest.raises(ValueError, match="mode"):
        with atomic_write(tmp_path / "x", "a"):
            pass


CHILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    {setup}
    print("writing", flush=True)
    time.sleep(60)
""")

ATOMIC_WRITE = """
from autograd_lite.files import atomic_write
writer = atomic_write(sys.argv[1])  # kept alive: its file stays open
f = writer.__enter__()
f.write(b"new content, never finished" * 1000)
f.flush()
"""

MODULE_SAVE = """
import numpy.lib.format
from autograd_lite import nn
real = numpy.lib.format.write_array
def slow(member, array, **kwargs):
    real(member, array, **kwargs)
    print("writing", flush=True)
    time.sleep(60)   # killed here, in the middle of the archive
numpy.lib.format.write_array = slow
nn.Linear(3, 2).save(sys.argv[1])
"""


def kill_while_writing(setup, path):
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(root=str(ROOT), setup=setup),
                              str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "writing\n"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        child.kill()
        child.stdout.close()


@pytest.mark.skipif(not UNNAMED, reason="only Linux's O_TMPFILE survives SIGKILL cleanly")
@pytest.mark.parametrize("setup", [ATOMIC_WRITE, MODULE_SAVE], ids=["atomic_write", "save"])
def test_sigkill_mid_write_keeps_the_old_file_and_leaves_nothing(tmp_path, setup):
    path = tmp_path / "model.npz"
    path.write_bytes(b"the previous checkpoint")
    kill_while_writing(setup, path)
    assert path.read_bytes() == b"the previous checkpoint"
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]
    path.unlink()
    kill_while_writing(setup, path)  # no previous file: nothing at all
    assert list(tmp_path.iterdir()) == []


def _writers():
    """Every writer of the library, as ``name -> (file name, write(path))``."""
    import io as _io

    import numpy as np

    from autograd_lite import Variable, nn
    from autograd_lite.data.download import download
    from autograd_lite.npz import save_npz
    from autograd_lite.viz import plot_graph
    from benchmarks.run import write_json

    def fetch(path):
        download(["http://only/x"], path, progress=False,
                 opener=lambda url, timeout: _io.BytesIO(b"new data"))

    return {
        "Module.save": ("m.npz", lambda path: nn.Linear(2, 2).save(path)),
        "save_npz": ("a.npz", lambda path: save_npz(path, {"a": np.zeros(2)})),
        "plot_graph": ("g.dot", lambda path: plot_graph(Variable(np.ones(2)) * 2, path)),
        "benchmark json": ("b.json", lambda path: write_json(path, {"a": 1})),
        "download": ("d.gz", fetch),
    }


@pytest.mark.parametrize("writer", list(_writers()))
def test_every_writer_goes_through_atomic_write(tmp_path, monkeypatch, writer):
    """A failure at the very last moment (the rename) leaves each file as it was."""
    name, write = _writers()[writer]
    path = tmp_path / name
    path.write_bytes(b"old")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "_commit", fail)
    with pytest.raises(OSError):
        write(path)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == [name]
    monkeypatch.undo()
    write(path)
    assert path.read_bytes() != b"old"


def test_an_error_creating_the_temporary_names_the_file(tmp_path, monkeypatch):
    def refuse(folder):  # what a folder without write permission gives (root is exempt)
        raise PermissionError(13, "Permission denied", str(folder))

    monkeypatch.setattr(files, "_open_unnamed", refuse)
    with pytest.raises(PermissionError, match="cannot write .*x.bin.: Permission denied"):
        write_bytes(tmp_path / "x.bin", b"")
