"""The README's Python code blocks, for the test that runs them and for docs/make_pictures.py."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks(text: str | None = None) -> list[str]:
    """Every ```python block of the README, in order."""
    return _BLOCK.findall(README.read_text(encoding="utf-8") if text is None else text)


def run_blocks(blocks: list[str]) -> dict:
    """Run the blocks one after the other in one namespace (as a reader would, in a session)."""
    namespace: dict = {"__name__": "__readme__"}
    for i, block in enumerate(blocks):
        exec(compile(block, f"README.md block {i + 1}", "exec"), namespace)  # noqa: S102
    return namespace
