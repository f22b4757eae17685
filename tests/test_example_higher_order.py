"""Smoke test of examples/higher_order.py: it runs, converges, and writes its PNG in place."""

import importlib.util
from pathlib import Path

import numpy as np

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "higher_order.py"


def load_example():
    spec = importlib.util.spec_from_file_location("higher_order_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_higher_order_example_runs_and_writes_png(tmp_path, capsys):
    example = load_example()
    out = tmp_path / "pictures" / "tanh.png"
    example.main(["--out", str(out)])
    printed = capsys.readouterr().out
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["tanh.png"]  # no temporary left
    assert "d^6 tanh" in printed and f"wrote {out}" in printed


def test_newton_with_hessian_converges_quadratically():
    example = load_example()
    iterates = example.newton(example.rosenbrock, np.array([-1.2, 1.0]))
    errors = [np.linalg.norm(p - example.MINIMUM) for p in iterates]
    assert errors[-1] < 1e-12
    close = [e for e in errors if 0 < e < 1e-1]
    assert len(close) >= 2
    for e_prev, e_next in zip(close, close[1:]):
        assert e_next <= 10 * e_prev**2  # the error squares once near the minimum
