"""Shared helpers of the ONNX tests: export a model, run the file in onnxruntime, compare."""

import sys
from pathlib import Path

import numpy as np
import pytest

from autograd_lite import Variable

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TOLERANCE = 1e-5  # float32: onnxruntime against this engine, relative and absolute


def flat_outputs(out):
    """The Variables of a model's output, nested tuples flattened in order."""
    if isinstance(out, (tuple, list)):
        return [v for item in out for v in flat_outputs(item)]
    return [] if out is None else [out]


@pytest.fixture
def roundtrip(tmp_path):
    """``roundtrip(model, make_inputs, batches=(1, 7), **export_kwargs)``: export at batch 3,
    check the file, run it at each batch size in onnxruntime and compare with the model."""
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from autograd_lite.onnx import export

    def run(model, make_inputs, batches=(1, 7), dynamic=0, names=None, **kwargs):
        names = names or ["input"]
        dynamic_axes = kwargs.pop("dynamic_axes", {n: {dynamic: "batch"} for n in names})
        path = tmp_path / "model.onnx"
        mode = getattr(model, "training", None)
        proto = export(model, make_inputs(3), path, input_names=names,
                       dynamic_axes=dynamic_axes, **kwargs)
        assert getattr(model, "training", None) == mode  # evaluation for the export only
        onnx.checker.check_model(onnx.load(str(path)), full_check=True)
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        for n in batches:
            inputs = make_inputs(n)
            got = session.run(None, dict(zip(names, inputs)))
            if hasattr(model, "eval"):
                model.eval()
            want = [np.asarray(v.data if isinstance(v, Variable) else v)
                    for v in flat_outputs(model(*inputs))]
            assert len(got) == len(want)
            for g, w in zip(got, want):
                assert g.shape == w.shape and g.dtype == w.dtype
                np.testing.assert_allclose(g, w, rtol=TOLERANCE, atol=TOLERANCE)
        return proto

    return run


@pytest.fixture
def examples(monkeypatch):
    """The example scripts' folder on sys.path (for their model builders)."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    yield
    for name in ("mnist_mlp", "mnist_cnn", "_common", "_checkpoint"):
        sys.modules.pop(name, None)
