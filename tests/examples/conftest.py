"""Make the example scripts importable (they live in examples/, which is not a package)."""

import importlib
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def example(monkeypatch):
    """``example("mnist_mlp")`` imports examples/mnist_mlp.py (and its helpers) afresh."""
    monkeypatch.syspath_prepend(str(EXAMPLES))

    def load(name):
        for module in (name, "_common", "_checkpoint", "_images", "_digit_score", "mnist_cnn"):
            sys.modules.pop(module, None)
        return importlib.import_module(name)

    yield load
    for module in ("_common", "_checkpoint", "mnist_mlp", "mnist_cnn", "spiral", "char_lstm",
                   "higher_order", "char_gpt", "date_attention", "mnist_vae", "mnist_gan",
                   "_images", "_digit_score"):
        sys.modules.pop(module, None)
