"""Tests of downloads: mirrors tried in turn, verification, nothing half-written left behind."""

import io
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from autograd_lite.data import DownloadError, load_mnist
from autograd_lite.data.download import download
from autograd_lite.data.mnist import MNIST_FILES
from tests.data.idx_files import gz, md5_table, tiny_mnist

GOOD = tiny_mnist(seed=0)
OTHER = tiny_mnist(seed=1)  # well-formed files with the wrong checksums


class MirrorHandler(BaseHTTPRequestHandler):
    """Serves /<mirror>/<name>.gz where mirror is good, corrupt, broken or missing."""

    def do_GET(self):
        self.server.requests.append(self.path)
        mirror, _, filename = self.path.strip("/").partition("/")
        name = filename.removesuffix(".gz")
        if mirror not in ("good", "corrupt", "broken") or name not in GOOD:
            self.send_error(404)
            return
        body = gz(OTHER[name] if mirror == "corrupt" else GOOD[name])
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mirror == "broken":  # the connection drops halfway through the body
            body = body[: len(body) // 2]
            self.close_connection = True
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), MirrorHandler)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def mirror(server):
    server.requests.clear()
    host, port = server.server_address
    return lambda kind: f"http://{host}:{port}/{kind}/"


def test_download_tries_mirrors_in_turn_and_keeps_only_good_files(tmp_path, server, mirror):
    folder = tmp_path / "mnist"
    mirrors = [mirror("broken"), mirror("missing"), mirror("corrupt"), mirror("good")]
    (x_train, t_train), _ = load_mnist(folder, mirrors=mirrors, checksums=md5_table(GOOD))
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.gz" for n in MNIST_FILES)
    assert [r for r in server.requests if MNIST_FILES[0] in r] == [
        f"/{kind}/{MNIST_FILES[0]}.gz" for kind in ("broken", "missing", "corrupt", "good")
    ]
    # The files are now in place: loading again needs no network and gives the same data.
    (x_again, t_again), _ = load_mnist(folder, download=False, checksums=md5_table(GOOD))
    np.testing.assert_array_equal(x_again, x_train)
    np.testing.assert_array_equal(t_again, t_train)


def test_every_mirror_failing_leaves_nothing_and_explains(tmp_path, mirror):
    folder = tmp_path / "mnist"
    mirrors = [mirror("broken"), mirror("corrupt"), mirror("missing")]
    with pytest.raises(DownloadError) as info:
        load_mnist(folder, mirrors=mirrors, checksums=md5_table(GOOD), progress=False)
    message = str(info.value)
    assert "connection closed after" in message
    assert "checksum mismatch" in message
    assert "404" in message
    assert "Put the four MNIST files" in message
    assert list(folder.iterdir()) == []


class FlakyResponse(io.BytesIO):
    """A response that delivers its first chunk, then fails with `error`."""

    def __init__(self, body, error, folder):
        super().__init__(body)
        self.headers = {"Content-Length": str(len(body))}
        self.error, self.folder, self.reads = error, folder, 0

    def read(self, n=-1):
        self.reads += 1
        if self.reads == 2:
            # Mid-download, at most a hidden temporary file exists in the target folder (none
            # on Linux, where it is unnamed until complete).
            assert all(p.name.startswith(".") for p in self.folder.iterdir())
            raise self.error
        return super().read(min(n, 100))


def test_injected_opener_failure_midway_then_next_mirror(tmp_path):
    urls = []
    body = gz(GOOD[MNIST_FILES[1]])

    def opener(url, timeout):
        urls.append((url, timeout))
        error = ConnectionResetError("reset by peer") if "first" in url else None
        return FlakyResponse(body, error, tmp_path) if error else io.BytesIO(body)

    dest = tmp_path / "labels.gz"
    download(["http://first/x", "http://second/x"], dest, opener=opener, timeout=3, progress=False)
    assert urls == [("http://first/x", 3), ("http://second/x", 3)]
    assert dest.read_bytes() == body
    assert [p.name for p in tmp_path.iterdir()] == ["labels.gz"]


def test_interrupted_download_leaves_nothing_behind(tmp_path):
    body = gz(GOOD[MNIST_FILES[1]])

    def opener(url, timeout):
        return FlakyResponse(body, KeyboardInterrupt(), tmp_path)

    with pytest.raises(KeyboardInterrupt):
        download(["http://only/x"], tmp_path / "labels.gz", opener=opener, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_plain_progress_bar_without_tqdm(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `from tqdm import tqdm` fail
    body = bytes(300_000)

    def opener(url, timeout):
        response = io.BytesIO(body)
        response.headers = {"Content-Length": str(len(body))}
        return response

    download(["http://only/x"], tmp_path / "x.bin", opener=opener)
    err = capsys.readouterr().err
    assert "downloading x.bin:" in err and "100% of 0.3 MB" in err


class EndlessResponse:
    """A response that never ends (and announces no length), counting what it delivered."""

    headers: dict = {}

    def __init__(self):
        self.delivered = 0

    def read(self, n=-1):
        self.delivered += n
        return bytes(n)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def test_an_endless_response_is_cut_off_and_leaves_nothing(tmp_path):
    responses = []

    def opener(url, timeout):
        responses.append(EndlessResponse())
        return responses[-1]

    with pytest.raises(DownloadError, match=r"stopped after \d+ bytes: more than the expected "
                                            "1000000"):
        download(["http://endless/x"], tmp_path / "x.gz", opener=opener, progress=False,
                 max_bytes=1_000_000)
    assert responses[0].delivered < 1_000_000 + (1 << 16) + 1
    assert list(tmp_path.iterdir()) == []


def test_mnist_downloads_are_capped(tmp_path, monkeypatch):
    monkeypatch.setattr("autograd_lite.data.mnist.MAX_DOWNLOAD_BYTES", 100_000)
    responses = []

    def opener(url, timeout):
        responses.append(EndlessResponse())
        return responses[-1]

    with pytest.raises(DownloadError, match="more than the expected 100000"):
        load_mnist(tmp_path / "mnist", opener=opener, progress=False)
    assert all(r.delivered <= 100_000 + (1 << 16) for r in responses)
    assert list((tmp_path / "mnist").iterdir()) == []


def test_a_response_announcing_too_much_is_refused_before_reading(tmp_path):
    response = EndlessResponse()
    response.headers = {"Content-Length": str(10**12)}
    with pytest.raises(DownloadError, match="announces 1000000000000 bytes, more than"):
        download(["http://big/x"], tmp_path / "x", opener=lambda url, timeout: response,
                 progress=False, max_bytes=10**6)
    assert response.delivered == 0
    assert list(tmp_path.iterdir()) == []


def test_progress_is_one_line_when_stderr_is_not_a_terminal(tmp_path, capsys):
    body = bytes(300_000)

    def opener(url, timeout):
        response = io.BytesIO(body)
        response.headers = {"Content-Length": str(len(body))}
        return response

    download(["http://only/x"], tmp_path / "x.bin", opener=opener)  # capsys: not a terminal
    assert capsys.readouterr().err == "downloading x.bin: 100% of 0.3 MB\n"
