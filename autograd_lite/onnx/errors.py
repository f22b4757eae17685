"""The export's error, and how it names the place in the model where something went wrong."""

from __future__ import annotations

from typing import Any


class ExportError(ValueError):
    """The model cannot be written as ONNX as it is: the message names the op, the Module that
    used it and what to change."""


def where(node: Any) -> str:
    """``"Im2col (in module 'features.0', a Conv2d)"``: the op and the Module that recorded it."""
    if node.owner is None:
        return node.kind
    if not node.module:
        return f"{node.kind} (in the model, a {type(node.owner).__name__})"
    return f"{node.kind} (in module {node.module!r}, a {type(node.owner).__name__})"
