"""examples/mnist_cnn.py --export writes a model that the README's three lines run in
onnxruntime, in a Python that never imports autograd_lite."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

ROOT = Path(__file__).resolve().parents[2]
QUICK = ["--synthetic", "--limit", "64", "--batch-size", "32", "--channels", "4", "8",
         "--hidden", "16", "--epochs", "1", "--no-progress"]
README_LINES = """\
import numpy as np, onnxruntime as ort
session = ort.InferenceSession("runs/mnist_cnn/model.onnx")
logits = session.run(None, {"input": images})[0]   # images: (N, 1, 28, 28) float32, as trained
"""


def test_export_flag_and_the_readme_lines(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "examples" / "mnist_cnn.py"), *QUICK,
                          "--export"], cwd=tmp_path, capture_output=True, text=True, check=True)
    lines = run.stdout.strip().splitlines()
    assert "wrote runs/mnist_cnn/model.onnx" in lines
    assert lines[-1].startswith("test accuracy: ")
    pixels = np.random.default_rng(0).integers(0, 256, (5, 28, 28))
    np.save(tmp_path / "pixels.npy", pixels)
    code = ("import sys\n"
            "import numpy as np\n"
            "pixels = np.load('pixels.npy')\n"
            "images = ((pixels / 255 - 0.1307) / 0.3081).astype(np.float32)[:, None]\n"
            + README_LINES +
            "assert 'autograd_lite' not in sys.modules\n"
            "print(logits.shape, logits.dtype, np.isfinite(logits).all())\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "(5, 10) float32 True"
