"""Tests of load_mnist on tiny MNIST-shaped files: lookup, formats, checksums, errors."""

import gzip
import io
import tracemalloc
import urllib.error

import numpy as np
import pytest

from autograd_lite.data import DataFileError, DownloadError, load_mnist
from autograd_lite.data.idx import parse_idx
from autograd_lite.data.mnist import MNIST_FILES, mnist_folder, read_mnist_file
from tests.data.idx_files import gz, idx_bytes, md5, md5_table, tiny_mnist, write_files

TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS = MNIST_FILES


def offline_opener(url, timeout):
    raise urllib.error.URLError("no network in this test")


@pytest.fixture
def payloads():
    return tiny_mnist()


@pytest.mark.parametrize("gzipped", [True, False])
def test_loads_good_files(tmp_path, payloads, gzipped):
    write_files(tmp_path, payloads, gzipped=gzipped)
    (x_train, t_train), (x_test, t_test) = load_mnist(tmp_path, checksums=md5_table(payloads))
    assert x_train.shape == (6, 28, 28) and x_test.shape == (4, 28, 28)
    assert x_train.dtype == np.uint8 and t_train.dtype == np.int64 and t_test.shape == (4,)
    np.testing.assert_array_equal(x_train, parse_idx(payloads[TRAIN_IMAGES]))
    np.testing.assert_array_equal(t_test, parse_idx(payloads[TEST_LABELS]))


def test_mixed_gz_and_raw_files(tmp_path, payloads):
    write_files(tmp_path, {n: p for n, p in payloads.items() if "images" in n}, gzipped=True)
    write_files(tmp_path, {n: p for n, p in payloads.items() if "labels" in n}, gzipped=False)
    (x_train, _), _ = load_mnist(tmp_path, download=False, checksums=md5_table(payloads))
    assert x_train.shape == (6, 28, 28)


def test_accepts_md5_of_the_gz_file_itself(tmp_path, payloads):
    write_files(tmp_path, payloads, gzipped=True)
    table = {name: (md5(gz(payload)),) for name, payload in payloads.items()}
    (x_train, _), _ = load_mnist(tmp_path, download=False, checksums=table)
    assert len(x_train) == 6


def test_lookup_order(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("AUTOGRAD_LITE_DATA", raising=False)
    assert mnist_folder() == tmp_path / "home" / ".cache" / "autograd_lite" / "mnist"
    monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(tmp_path / "data"))
    assert mnist_folder() == tmp_path / "data" / "mnist"
    assert mnist_folder(tmp_path / "mine") == tmp_path / "mine"


def test_finds_files_through_the_environment_variable(tmp_path, monkeypatch, payloads):
    write_files(tmp_path / "mnist", payloads)
    monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(tmp_path))
    _, (x_test, _) = load_mnist(download=False, checksums=md5_table(payloads))
    assert len(x_test) == 4


def test_bad_magic_names_the_file_and_the_fix(tmp_path, payloads):
    write_files(tmp_path, payloads)
    bad = tmp_path / f"{TRAIN_LABELS}.gz"
    bad.write_bytes(gz(b"\x00\x00\x99\x01" + payloads[TRAIN_LABELS][4:]))
    with pytest.raises(DataFileError, match="bad magic number") as info:
        load_mnist(tmp_path, download=False, checksums=md5_table(payloads))
    assert str(bad) in str(info.value) and "Delete" in str(info.value)


def test_truncated_raw_payload(tmp_path, payloads):
    write_files(tmp_path, payloads, gzipped=False)
    (tmp_path / TEST_IMAGES).write_bytes(payloads[TEST_IMAGES][:-100])
    with pytest.raises(DataFileError, match=f"{TEST_IMAGES}.*is truncated.*Delete"):
        load_mnist(tmp_path, download=False, checksums=md5_table(payloads))


def test_truncated_gzip_file(tmp_path, payloads):
    write_files(tmp_path, payloads)
    path = tmp_path / f"{TRAIN_IMAGES}.gz"
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(DataFileError, match=f"{TRAIN_IMAGES}.gz: not a valid gzip file"):
        load_mnist(tmp_path, download=False, checksums=md5_table(payloads))


def test_checksum_mismatch_is_rejected(tmp_path, payloads):
    write_files(tmp_path, payloads)
    table = md5_table(payloads)
    table[TEST_LABELS] = ("0" * 32,)
    with pytest.raises(DataFileError, match=f"{TEST_LABELS}.gz: checksum mismatch.*0{{32}}"):
        load_mnist(tmp_path, download=False, checksums=table)


def test_default_checksums_reject_files_that_are_not_mnist(tmp_path, payloads):
    write_files(tmp_path, payloads)
    with pytest.raises(DataFileError, match=f"{TRAIN_IMAGES}.gz: checksum mismatch"):
        load_mnist(tmp_path, download=False)


def test_empty_checksum_table_skips_verification(tmp_path, payloads):
    write_files(tmp_path, payloads)
    (x_train, _), _ = load_mnist(tmp_path, download=False, checksums={})
    assert len(x_train) == 6


def test_image_and_label_counts_must_agree(tmp_path, payloads):
    payloads[TRAIN_LABELS] = idx_bytes(np.zeros(5, np.uint8))
    write_files(tmp_path, payloads)
    message = f"{TRAIN_IMAGES}.gz has 6 images but .*{TRAIN_LABELS}.gz has 5 labels"
    with pytest.raises(DataFileError, match=message):
        load_mnist(tmp_path, download=False, checksums=md5_table(payloads))


@pytest.mark.parametrize(
    ("name", "array", "what"),
    [
        (TEST_IMAGES, np.zeros((4, 5, 5), np.uint8), r"images of shape \(N, 28, 28\)"),
        (TEST_IMAGES, np.zeros((4, 28, 28), np.int32), r"images of shape \(N, 28, 28\)"),
        (TEST_LABELS, np.full(4, 10, np.uint8), "labels 0..9"),
    ],
)
def test_wrong_shapes_dtypes_or_labels(tmp_path, payloads, name, array, what):
    payloads[name] = idx_bytes(array)
    write_files(tmp_path, payloads)
    with pytest.raises(DataFileError, match=f"{name}.gz: expected.*{what}"):
        load_mnist(tmp_path, download=False, checksums=md5_table(payloads))


def test_missing_files_without_download_say_where_to_put_them(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(tmp_path / "empty", download=False)
    message = str(info.value)
    assert str(tmp_path / "empty") in message
    assert f"{TRAIN_IMAGES}.gz" in message and "AUTOGRAD_LITE_DATA" in message
    assert not (tmp_path / "empty").exists()


def test_offline_download_says_where_to_put_files_and_leaves_nothing(tmp_path):
    folder = tmp_path / "mnist"
    mirrors = ["https://a.invalid/", "https://b.invalid/"]
    with pytest.raises(DownloadError) as info:
        load_mnist(folder, mirrors=mirrors, opener=offline_opener, progress=False)
    message = str(info.value)
    assert f"https://a.invalid/{TRAIN_IMAGES}.gz" in message
    assert f"https://b.invalid/{TRAIN_IMAGES}.gz" in message
    assert "no network in this test" in message
    assert "Put the four MNIST files" in message and str(folder) in message
    assert list(folder.iterdir()) == []


# ----------------------------------------------------------------------------- hostile files
def gzip_bomb(header, megabytes):
    """A gzip file: an IDX `header`, then `megabytes` MB of zeros (compressed ~1000x)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as f:
        f.write(header)
        for _ in range(megabytes):
            f.write(bytes(1 << 20))
    return buffer.getvalue()


def test_a_gzip_bomb_is_decompressed_no_further_than_its_header_promises(tmp_path, payloads):
    write_files(tmp_path, payloads)
    bomb = tmp_path / f"{TRAIN_IMAGES}.gz"
    bomb.write_bytes(gzip_bomb(payloads[TRAIN_IMAGES][:16], 64))  # says 6 images, holds 64 MB
    assert bomb.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(DataFileError, match=f"{TRAIN_IMAGES}.gz.*trailing bytes.*Delete"):
            load_mnist(tmp_path, download=False, checksums={})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20


def test_a_header_announcing_too_much_is_refused_before_reading(tmp_path, payloads):
    write_files(tmp_path, payloads)
    header = bytes([0, 0, 8, 3]) + np.array([2**31, 28, 28], ">u4").tobytes()
    (tmp_path / f"{TRAIN_IMAGES}.gz").write_bytes(gzip_bomb(header, 1))
    with pytest.raises(DataFileError, match=r"shape \(2147483648, 28, 28\).*more than the "):
        load_mnist(tmp_path, download=False, checksums={})


def test_a_directory_where_a_file_should_be_is_reported(tmp_path, payloads):
    write_files(tmp_path, payloads)
    (tmp_path / f"{TEST_LABELS}.gz").unlink()
    (tmp_path / f"{TEST_LABELS}.gz").mkdir()
    with pytest.raises(DataFileError, match=f"{TEST_LABELS}.gz is a directory where the MNIST "
                                            "file should be"):
        load_mnist(tmp_path, checksums=md5_table(payloads), opener=offline_opener)
    with pytest.raises(DataFileError, match="is a directory"):
        read_mnist_file(tmp_path / f"{TEST_LABELS}.gz")
    (tmp_path / "a-file").write_bytes(b"")
    with pytest.raises(NotADirectoryError, match="a-file is a file, not a folder"):
        load_mnist(tmp_path / "a-file", download=False)


@pytest.mark.parametrize("given", ["folder", "parent"])
def test_root_and_environment_accept_the_folder_or_its_parent(tmp_path, monkeypatch, payloads,
                                                              given):
    write_files(tmp_path / "mnist", payloads)
    named = tmp_path / "mnist" if given == "folder" else tmp_path
    assert mnist_folder(named) == tmp_path / "mnist"
    (x_train, _), _ = load_mnist(named, download=False, checksums=md5_table(payloads))
    assert len(x_train) == 6
    monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(named))
    assert mnist_folder() == tmp_path / "mnist"
    (x_train, _), _ = load_mnist(download=False, checksums=md5_table(payloads))
    assert len(x_train) == 6
