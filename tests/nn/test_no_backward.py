"""nn/ and optim/ compose autograd_lite functions: no hand-written backward pass in them."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(p for package in ("nn", "optim") for p in (ROOT / package).rglob("*.py"))


def backward_definitions(source: str) -> list[int]:
    """Line numbers of every function or method named `backward` (or `vjp`) in `source`."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name in ("backward", "vjp")]


def test_the_scan_finds_a_backward():
    assert backward_definitions("class A:\n    def backward(self, gy):\n        return gy\n")
    assert not backward_definitions("def forward(x):\n    return x.backward()\n")


def test_nn_is_scanned():
    assert any(p.parent.name == "nn" and p.name == "module.py" for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_backward_defined(path):
    lines = backward_definitions(path.read_text())
    assert not lines, f"{path.relative_to(ROOT)} defines backward at line(s) {lines}"
