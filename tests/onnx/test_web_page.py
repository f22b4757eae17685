"""examples/web in a real browser: headless Chromium (Debian's) driven by Playwright loads the
page with a freshly trained and exported CNN, the mouse traces a handful of MNIST test digits
onto the canvas, and for each the page's prediction must be the model's prediction in Python
on the same drawing, preprocessed the same way (mirrored here step by step). A screenshot of
the page is kept under runs/web/ for the README.

Skips when chromium, Playwright, onnxruntime-web (``npm install --prefix examples/web``) or
onnx are missing.
"""

import base64
import functools
import http.server
import math
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

import autograd_lite.functions as F
from autograd_lite import nn, no_grad, optim

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "examples" / "web"
SCREENSHOT = ROOT / "runs" / "web" / "digit_page.png"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # examples/_common.py and digits.js
CELL = 10  # canvas pixels per MNIST pixel: the 280x280 pad

pytestmark = [pytest.mark.browser, pytest.mark.slow]
READ_INK = """() => {  // the pad's red channel (the ink), as base64: quicker than JSON numbers
  const pad = document.getElementById("pad");
  const rgba = pad.getContext("2d").getImageData(0, 0, pad.width, pad.height).data;
  let text = "";
  for (let i = 0; i < rgba.length; i += 4) text += String.fromCharCode(rgba[i]);
  return btoa(text);
}"""


@pytest.fixture(scope="module")
def browser_page():
    if not Path(CHROMIUM).exists():
        pytest.skip("no chromium (apt-get install chromium)")
    if not (WEB / "node_modules" / "onnxruntime-web" / "dist" / "ort.wasm.min.js").exists():
        pytest.skip("no onnxruntime-web (npm install --prefix examples/web)")
    sync_api = pytest.importorskip("playwright.sync_api")
    pytest.importorskip("onnx")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser.new_page(viewport={"width": 860, "height": 470})
        finally:
            browser.close()


def digits():
    """MNIST test digits (real ones when $AUTOGRAD_LITE_DATA has them, else the examples'
    synthetic stand-in) and training data for a small model."""
    from autograd_lite.data import load_mnist

    folder = os.environ.get("AUTOGRAD_LITE_DATA")
    try:
        (x, t), (x_test, t_test) = load_mnist(folder and Path(folder) / "mnist", download=False)
    except Exception:  # no data here: random templates, as the examples' --synthetic
        rng = np.random.default_rng(0)
        templates = rng.uniform(0, 255, (10, 28, 28))
        t = rng.integers(0, 10, 3000)
        x = np.clip(templates[t] + rng.normal(0, 60, (3000, 28, 28)), 0, 255).astype(np.uint8)
        x_test, t_test = x[-100:], t[-100:]
    return x[:3000], t[:3000], x_test, t_test


def train_small_cnn(x, t):
    """The examples' CNN, narrow, trained for a few seconds."""
    nn.init.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(16 * 7 * 7, 10))
    images = ((x.astype(np.float32) / 255 - MNIST_MEAN) / MNIST_STD)[:, None]
    opt = optim.Adam(model.parameters(), lr=3e-3)
    rng = np.random.default_rng(0)
    for _ in range(2):
        for batch in np.array_split(rng.permutation(len(x)), len(x) // 64):
            opt.zero_grad()
            F.cross_entropy(model(images[batch]), t[batch]).backward()
            opt.step()
    return model.eval()


def mnist_like(ink):
    """digits.js's `preprocess`, step by step: crop to the ink, area-average into a 20x20 box,
    centre of mass to the centre of a 28x28 frame. `ink`: (H, W) in [0, 1]."""
    def js_round(v):
        return math.floor(v + 0.5)

    rows, cols = np.flatnonzero((ink > 0).any(axis=1)), np.flatnonzero((ink > 0).any(axis=0))
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = crop.shape
    scale = 20 / max(h, w)
    oh, ow = max(1, js_round(h * scale)), max(1, js_round(w * scale))
    small = np.empty((oh, ow))
    for i in range(oh):
        r0 = math.floor(i * h / oh)
        r1 = max(r0 + 1, math.floor((i + 1) * h / oh))
        for j in range(ow):
            c0 = math.floor(j * w / ow)
            c1 = max(c0 + 1, math.floor((j + 1) * w / ow))
            small[i, j] = crop[r0:r1, c0:c1].mean()
    total = small.sum()
    cy = ((np.arange(oh) + 0.5)[:, None] * small).sum() / total
    cx = ((np.arange(ow) + 0.5)[None, :] * small).sum() / total
    oy = min(max(js_round(14 - cy), 0), 28 - oh)
    ox = min(max(js_round(14 - cx), 0), 28 - ow)
    frame = np.zeros((28, 28))
    frame[oy:oy + oh, ox:ox + ow] = small
    return frame


def trace(page, image):
    """Draw `image` (28x28 uint8) with the mouse: one stroke per run of dark pixels in a row."""
    box = page.locator("#pad").bounding_box()
    for row in range(28):
        on = np.flatnonzero(image[row] > 127)
        if not on.size:
            continue
        runs = np.split(on, np.flatnonzero(np.diff(on) > 1) + 1)
        for run in runs:
            y = box["y"] + row * CELL + CELL / 2
            page.mouse.move(box["x"] + run[0] * CELL + CELL / 2, y)
            page.mouse.down()
            page.mouse.move(box["x"] + run[-1] * CELL + CELL / 2, y)
            page.mouse.up()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The page, onnxruntime-web and a freshly trained model, served on localhost."""
    x, t, x_test, t_test = digits()
    model = train_small_cnn(x, t)
    from autograd_lite.onnx import export

    folder = tmp_path_factory.mktemp("web")
    for name in ("index.html", "digits.js", "node_modules"):
        (folder / name).symlink_to(WEB / name)
    export(model, x_test[:1, None].astype(np.float32), folder / "model.onnx",
           output_names=["logits"], dynamic_axes={"input": {0: "batch"}})
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/index.html?model=model.onnx", model, \
            x_test, t_test
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_page_predicts_what_the_model_predicts(browser_page, served):
    url, model, x_test, t_test = served
    page = browser_page
    errors, requests = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.wait_for_function("window.digitPage && window.digitPage.ready", timeout=60_000)
    status = page.locator("#status")
    assert "error" not in (status.get_attribute("class") or ""), status.inner_text()
    empty = page.evaluate("digitPage.predictNow()")
    assert empty["digit"] is None  # nothing drawn, nothing said

    agree = right = 0
    for k in range(4):
        page.evaluate("digitPage.clear()")
        trace(page, x_test[k])
        shown = page.evaluate("digitPage.predictNow()")
        red = np.frombuffer(base64.b64decode(page.evaluate(READ_INK)), np.uint8)
        ink = red.reshape(280, 280) / 255
        frame = mnist_like(ink)
        np.testing.assert_allclose(np.array(shown["frame"]).reshape(28, 28), frame, atol=1e-9)
        inputs = ((frame - MNIST_MEAN) / MNIST_STD).astype(np.float32)[None, None]
        with no_grad():
            logits = model(inputs).data[0]
        probabilities = np.exp(logits - logits.max())
        probabilities /= probabilities.sum()
        np.testing.assert_allclose(shown["probabilities"], probabilities, atol=1e-4)
        assert shown["digit"] == int(np.argmax(logits))
        assert page.locator("#answer").inner_text() == str(shown["digit"])
        agree += 1
        right += shown["digit"] == t_test[k]
    assert agree == 4 and not errors, errors
    origin = url.split("/index.html")[0]
    assert all(r.startswith(origin) for r in requests), requests  # offline: no CDN
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    print(f"{right}/4 traced digits recognised; screenshot {SCREENSHOT}")
