"""load_tinyshakespeare: where it looks, the checksum, the one-time download (through a fake
opener: no network), and clear errors. The real file is checked only when it is present."""

import hashlib
import io
import os
from pathlib import Path

import pytest

from autograd_lite.data import DataFileError, DownloadError, load_tinyshakespeare
from autograd_lite.data.shakespeare import SHA256, shakespeare_folder

TEXT = "First Citizen:\nBefore we proceed any further, hear me speak.\n"
DIGEST = hashlib.sha256(TEXT.encode()).hexdigest()


def put(folder: Path, text: str = TEXT) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "input.txt").write_text(text)
    return folder


class Response(io.BytesIO):
    headers: dict = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def test_reads_the_folder_given_and_checks_the_sha256(tmp_path):
    put(tmp_path / "tinyshakespeare")
    assert load_tinyshakespeare(tmp_path / "tinyshakespeare", sha256=DIGEST) == TEXT
    assert load_tinyshakespeare(tmp_path, sha256=DIGEST, download=False) == TEXT  # the parent
    with pytest.raises(DataFileError, match=r"input.txt: checksum mismatch.*Delete"):
        load_tinyshakespeare(tmp_path, download=False)  # by default tiny Shakespeare's sha256


def test_lookup_order(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("AUTOGRAD_LITE_DATA", raising=False)
    assert shakespeare_folder() == tmp_path / "home/.cache/autograd_lite/tinyshakespeare"
    monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(tmp_path / "data"))
    assert shakespeare_folder() == tmp_path / "data/tinyshakespeare"
    put(tmp_path / "data")  # the variable may name the file's own folder
    assert shakespeare_folder() == tmp_path / "data"
    assert load_tinyshakespeare(sha256=None) == TEXT
    assert shakespeare_folder(tmp_path / "given") == tmp_path / "given"


def test_downloads_once_verified_then_reads_the_copy(tmp_path):
    calls = []

    def opener(url, timeout):
        calls.append(url)
        return Response(TEXT.encode())

    folder = tmp_path / "cache"
    for _ in range(2):
        text = load_tinyshakespeare(folder, sha256=DIGEST, opener=opener, urls=["m1"],
                                    progress=False)
        assert text == TEXT
    assert calls == ["m1"]
    assert sorted(os.listdir(folder)) == ["input.txt"]


def test_a_bad_download_leaves_nothing_and_says_where_to_put_the_file(tmp_path):
    def opener(url, timeout):
        return Response(b"<html>not the text</html>")

    folder = tmp_path / "cache"
    with pytest.raises(DownloadError, match=r"checksum mismatch[\s\S]*Put tiny Shakespeare"):
        load_tinyshakespeare(folder, opener=opener, urls=["m1", "m2"], progress=False)
    assert os.listdir(folder) == []


def test_missing_without_download(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=False"):
        load_tinyshakespeare(tmp_path, download=False)


@pytest.mark.parametrize("content, what", [(b"\xff\xfe bad", "not UTF-8"),
                                           (b"a\x00b", "NUL"), (b"", "empty")])
def test_files_that_are_not_text_are_refused(tmp_path, content, what):
    (tmp_path / "input.txt").write_bytes(content)
    with pytest.raises(DataFileError, match=what):
        load_tinyshakespeare(tmp_path, sha256=None)


def test_a_directory_where_the_file_should_be(tmp_path):
    (tmp_path / "input.txt").mkdir()
    with pytest.raises(DataFileError, match="is a directory"):
        load_tinyshakespeare(tmp_path, sha256=None)


def test_the_real_file_when_present():
    folder = Path(os.environ.get("AUTOGRAD_LITE_DATA", "/nonexistent")) / "tinyshakespeare"
    if not (folder / "input.txt").is_file():
        pytest.skip("tiny Shakespeare is not here (set AUTOGRAD_LITE_DATA)")
    text = load_tinyshakespeare(folder, download=False)
    assert len(text) == 1_115_394 and len(set(text)) == 65
    assert hashlib.sha256(text.encode()).hexdigest() == SHA256
