"""The README's Python code blocks, for the test that runs them and for docs/make_pictures.py."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks(text: str | None = None) -> list[str]:
    """Every ```python block of the README, in order."""
    return _BLOCK.findall(README.read_text(encoding="utf-8") if text is None else text)


def needs(block: str) -> list[str]:
    """The modules a block says it needs on its first line (``# needs: onnx, onnxruntime``):
    the optional extras, without which it is left out."""
    first = block.split("\n", 1)[0]
    if not first.startswith("# needs:"):
        return []
    return [name.strip() for name in first.removeprefix("# needs:").split(",")]


def run_blocks(blocks: list[str]) -> tuple[dict, list[int]]:
    """Run the blocks one after the other in one namespace (as a reader would, in a session);
    returns the namespace and the numbers of the blocks left out for a missing extra."""
    namespace: dict = {"__name__": "__readme__"}
    left_out = []
    for i, block in enumerate(blocks):
        if not all(importlib.util.find_spec(name) for name in needs(block)):
            left_out.append(i + 1)
            continue
        exec(compile(block, f"README.md block {i + 1}", "exec"), namespace)  # noqa: S102
    return namespace, left_out
