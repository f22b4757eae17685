"""What the exporter refuses, and how it says so: an op without a mapping (named with the
Module that used it), values computed from the input outside the graph, bad arguments; and
that nothing else in the package imports onnx."""

import subprocess
import sys

import numpy as np
import pytest

import autograd_lite.functions as F
from autograd_lite import Function, grad, nn

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from autograd_lite.onnx import ExportError, export, supported_ops  # noqa: E402

x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)


class Cube(Function):
    def forward(self, a):
        return a ** 3

    def backward(self, gy):
        return gy * 3 * self.inputs[0] ** 2


class Cubed(nn.Module):
    def forward(self, a):
        return Cube()(a)


def test_an_op_without_mapping_names_itself_and_its_module(tmp_path):
    model = nn.Sequential(nn.Linear(4, 4), nn.Sequential(nn.ReLU(), Cubed()))
    path = tmp_path / "m.onnx"
    with pytest.raises(ExportError, match=r"no ONNX mapping for Cube \(in module '1\.1', a "
                                          r"Cubed\)"):
        export(model, x, path)
    assert not path.exists()  # nothing half-written


def test_a_condition_computed_with_numpy_is_refused(tmp_path):
    with pytest.raises(ExportError, match=r"Where.*'cond'.*changes with the input"):
        export(lambda a: F.where(a.data > 0, a, 0.0), x, tmp_path / "m.onnx")


def test_a_constant_computed_from_the_values_is_refused(tmp_path):
    with pytest.raises(ExportError, match=r"constant of shape \(3, 4\) that changes with the "
                                          r"input's values"):
        export(lambda a: a + np.sort(a.data, axis=1), x, tmp_path / "m.onnx")


def test_a_number_computed_from_the_batch_size_is_refused(tmp_path):
    def mean_by_hand(a):
        return a.sum(axis=0) * (1.0 / a.shape[0])

    export(mean_by_hand, x, tmp_path / "fixed.onnx")  # a fixed batch: fine
    with pytest.raises(ExportError, match=r"Mul takes the number 0\.33.*changes with the "
                                          "input's size"):
        export(mean_by_hand, x, tmp_path / "m.onnx", dynamic_axes={"input": {0: "batch"}})


def test_a_graph_that_depends_on_the_values_is_refused(tmp_path):
    data = np.array([[1.0, 2.0], [3.0, -4.0]], np.float32)  # shuffled: the first turns -4

    def branchy(a):
        return F.tanh(a) if a.data[0, 0] > 0 else F.relu(a)

    with pytest.raises(ExportError, match="different graph"):
        export(branchy, data, tmp_path / "m.onnx")


def test_a_gradient_graph_op_is_named(tmp_path):
    def slope(a):
        return grad((a[:, 0] ** 2).sum(), a, create_graph=True)[0]

    with pytest.raises(ExportError, match="GetItemGrad.*graph of a gradient"):
        export(slope, x, tmp_path / "m.onnx")


def test_bad_arguments(tmp_path):
    model = nn.Linear(4, 2)
    with pytest.raises(ValueError, match="opset must lie in"):
        export(model, x, tmp_path / "m.onnx", opset=11)
    with pytest.raises(ValueError, match="neither an input"):
        export(model, x, tmp_path / "m.onnx", dynamic_axes={"x": {0: "batch"}})
    with pytest.raises(ValueError, match="out of range"):
        export(model, x, tmp_path / "m.onnx", dynamic_axes={"input": {2: "batch"}})
    with pytest.raises(ValueError, match="2 distinct input_names"):
        export(lambda a, b: a + b, (x, x), tmp_path / "m.onnx", input_names=["a", "a"])


def test_names_opsets_and_output_axes(tmp_path):
    import onnx

    model = nn.Sequential(nn.Linear(4, 3), nn.LayerNorm(3))
    for opset in (17, 18, onnx.defs.onnx_opset_version()):
        proto = export(model, x, tmp_path / "m.onnx", input_names=["features"],
                       output_names=["scores"], opset=opset,
                       dynamic_axes={"features": {0: "n"}, "scores": {0: "rows"}})
        assert proto.opset_import[0].version == opset
        (out,) = proto.graph.output
        assert out.name == "scores"
        assert out.type.tensor_type.shape.dim[0].dim_param == "rows"
    assert {"Linear", "Conv2d", "GetItem", "LayerNormAffine"} - set(supported_ops()) == {
        "Conv2d"}  # a Module, not a Function: its ops are


def test_nothing_else_imports_onnx():
    code = ("import sys, autograd_lite, autograd_lite.functions, autograd_lite.func, "
            "autograd_lite.viz, autograd_lite.data\n"
            "from autograd_lite import nn, optim\n"
            "assert 'onnx' not in sys.modules and 'onnxruntime' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
