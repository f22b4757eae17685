"""ONNX export: ``from autograd_lite.onnx import export``.

Needs the optional ``onnx`` package (``pip install -e '.[onnx]'``, which also brings
onnxruntime to run the files); nothing else in autograd_lite imports this package.
"""

try:
    import onnx as _onnx  # noqa: F401 - fail here, with the fix, rather than deep inside
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("autograd_lite.onnx needs the onnx package: pip install -e '.[onnx]' "
                      "(or pip install onnx onnxruntime)") from e

from autograd_lite.onnx.convert import CONVERTERS
from autograd_lite.onnx.errors import ExportError
from autograd_lite.onnx.export import DEFAULT_OPSET, export


def supported_ops() -> list[str]:
    """The names of the Functions the exporter converts (others raise `ExportError`)."""
    return sorted({cls.__name__ for cls in CONVERTERS})


__all__ = ["DEFAULT_OPSET", "ExportError", "export", "supported_ops"]
