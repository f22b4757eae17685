"""Tests for autograd_lite.viz: DOT text, labels and colours, rendering, big graphs.

Golden files live in tests/golden/. After an intended change of the pictures, regenerate them
with ``AUTOGRAD_LITE_UPDATE_GOLDEN=1 python3 -m pytest tests/test_viz.py``, then review the diff.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite.functions as F
from autograd_lite import Variable
from autograd_lite.viz import COLORS, GraphvizNotFoundError, plot_graph, to_dot

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parents[1]
# The graphviz package is a dependency (its absence fails); the dot program is not pip's to
# install: the README says to get it from the system's packages, and .ci/run does.
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot program is not installed")

_NODE = re.compile(r'^\t(\w+) \[label="((?:[^"\\]|\\.)*)" fillcolor="([^"]*)" shape=(\w+)',
                   re.MULTILINE)
_EDGE = re.compile(r"^\t(\w+) -> (\w+)", re.MULTILINE)


def nodes(source: str) -> dict[str, tuple[str, str, str]]:
    """node id -> (label, fill colour, shape), read back from DOT text."""
    return {m[1]: (m[2], m[3], m[4]) for m in _NODE.finditer(source)}


def edges(source: str) -> list[tuple[str, str]]:
    return [(m[1], m[2]) for m in _EDGE.finditer(source)]


def node_with(source: str, text: str) -> tuple[str, str, str]:
    found = [n for n in nodes(source).values() if text in n[0]]
    assert len(found) == 1, f"{len(found)} nodes have {text!r} in their label:\n{source}"
    return found[0]


def check_golden(name: str, source: str) -> None:
    path = GOLDEN / name
    if os.environ.get("AUTOGRAD_LITE_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(source, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; set AUTOGRAD_LITE_UPDATE_GOLDEN=1"
    assert source == path.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- expressions


def affine_tanh() -> tuple[Variable, Variable, Variable, Variable]:
    """y = tanh(x * w + b), float32, with named leaves."""
    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], np.float32), name="x", requires_grad=False)
    w = Variable(np.array([0.5, -1, 2], np.float32), name="w")
    b = Variable(np.float32(0.25), name="b")
    return F.tanh(x * w + b), x, w, b


class TinyMLP:
    """Stands in for an nn.Module: parameters and their dotted names."""

    def __init__(self) -> None:
        rng = np.random.default_rng(0)
        self.W1 = Variable(rng.standard_normal((4, 3)).astype(np.float32))
        self.b1 = Variable(np.zeros(4, np.float32))
        self.W2 = Variable(rng.standard_normal((2, 4)).astype(np.float32))
        self.b2 = Variable(np.zeros(2, np.float32))

    def named_parameters(self):
        yield from [("fc1.weight", self.W1), ("fc1.bias", self.b1),
                    ("fc2.weight", self.W2), ("fc2.bias", self.b2)]

    def __call__(self, x: np.ndarray) -> Variable:
        return F.linear(F.relu(F.linear(x, self.W1, self.b1)), self.W2, self.b2)


# ----------------------------------------------------------------------------- golden DOT


def test_golden_expression():
    y, *_ = affine_tanh()
    check_golden("viz_expression.dot", to_dot(y).source)


def test_golden_reduction_with_values():
    x = Variable(np.arange(6, dtype=np.float64).reshape(2, 3), name="x")
    y = F.sum(x ** 2, axis=1, keepdims=True).mean()
    check_golden("viz_reduction_values.dot", to_dot(y, show_values=True).source)


def test_golden_mlp_with_model_names():
    net = TinyMLP()
    loss = F.cross_entropy(net(np.ones((5, 3), np.float32)), np.array([0, 1, 0, 1, 1]))
    check_golden("viz_mlp.dot", to_dot(loss, model=net).source)


def test_golden_gradients():
    y, x, w, b = affine_tanh()
    z = (y * 0.0).sum() + (w * w).sum()  # b gets an all-zero gradient
    z.backward()
    check_golden("viz_gradients.dot", to_dot(z, show_grads=True, show_shapes=False).source)


def test_golden_collapsed_chain():
    x = Variable(np.ones(3), name="x")
    y = x
    for _ in range(10):
        y = F.tanh(y)
    y = (y * 2.0 * 2.0 * 2.0).sum()
    check_golden("viz_collapsed.dot", to_dot(y, max_nodes=8).source)


# ----------------------------------------------------------------------------- labels, colours


def test_variables_are_ovals_with_name_shape_dtype_and_kind_colours():
    y, *_ = affine_tanh()
    src = to_dot(y).source
    assert node_with(src, "x\\n(2, 3) float32") == ("x\\n(2, 3) float32", COLORS["input"], "oval")
    assert node_with(src, "w\\n") == ("w\\n(3,) float32", COLORS["parameter"], "oval")
    assert node_with(src, "b\\n")[1] == COLORS["parameter"]
    out = nodes(src)["v0"]
    assert out == ("(2, 3) float32", COLORS["output"], "oval")
    assert [n[0] for n in nodes(src).values() if n[2] == "box"] == ["Tanh", "Add", "Mul"]
    intermediates = [n for n in nodes(src).values() if n[1] == COLORS["intermediate"]]
    assert len(intermediates) == 2
    assert len(edges(src)) == 8


def test_function_labels_show_set_arguments_only():
    x = Variable(np.ones((2, 3, 4)), name="x")
    src = to_dot(F.sum(x, axis=1, keepdims=True), F.mean(x, axis=(0, 2)),
                 x[0, 1:], F.leaky_relu(x, 0.2), x.reshape(4, 6)).source
    labels = {n[0] for n in nodes(src).values() if n[2] == "box"}
    assert "Sum\\naxis=(1,), keepdims" in labels
    assert "Mean\\naxis=(0, 2)" in labels  # keepdims=False is left out
    assert any(label.endswith("[0, 1:]") for label in labels)
    assert "LeakyReLU\\nslope=0.2" in labels
    assert "Reshape\\nshape=(4, 6)" in labels


def test_show_values_gives_min_mean_max():
    x = Variable(np.array([-1.0, 0.0, 4.0]), name="x")
    src = to_dot(x * 2.0, show_values=True).source
    assert "x\\n(3,) float64\\nmin -1 mean 1 max 4" in src
    assert "min -2 mean 2 max 8" in src


def test_show_grads_colours_zero_and_nonfinite_gradients():
    zero = Variable(np.array([1.0, 2.0]), name="zero")
    bad = Variable(np.array([0.0, 1.0]), name="bad")  # sqrt'(0) is Inf
    fine = Variable(np.array([3.0, 4.0]), name="fine")
    unused = Variable(np.array([1.0]), name="unused")
    with np.errstate(divide="ignore"):
        z = (zero * 0.0).sum() + F.sqrt(bad).sum() + (fine * fine).sum() / 2.0
        z.backward()
    src = to_dot(z, unused, show_grads=True).source
    assert node_with(src, "zero\\n")[1] == COLORS["grad_zero"]
    assert "|grad| 0" in node_with(src, "zero\\n")[0]
    assert node_with(src, "bad\\n")[1] == COLORS["grad_nonfinite"]
    assert "grad NaN/Inf" in node_with(src, "bad\\n")[0]
    assert node_with(src, "fine\\n") == ("fine\\n(2,) float64\\n|grad| 5", COLORS["parameter"],
                                         "oval")
    assert node_with(src, "unused\\n")[0].endswith("grad None")
    nan = Variable(np.array([np.nan, 1.0]), name="nan")
    nan.grad = Variable(np.array([np.nan, 0.0]))
    assert node_with(to_dot(nan, show_grads=True).source, "nan")[1] == COLORS["grad_nonfinite"]


def test_names_and_model_label_parameters():
    net = TinyMLP()
    out = net(np.ones((1, 3), np.float32))
    by_model = to_dot(out, model=net).source
    by_name = to_dot(out, names=dict(net.named_parameters())).source
    by_var = to_dot(out, names={v: k for k, v in net.named_parameters()}).source
    by_pairs = to_dot(out, names=net.named_parameters()).source
    assert by_model == by_name == by_var == by_pairs
    for name in ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]:
        assert node_with(by_model, name + "\\n")[1] == COLORS["parameter"]
    assert "fc1.weight\\n(4, 3) float32" in by_model
    with pytest.raises(TypeError, match="names="):
        to_dot(out, names={"fc1.weight": 3})
    with pytest.raises(TypeError, match="named_parameters"):
        to_dot(out, model=object())


def test_odd_names_are_escaped():
    x = Variable(np.ones(2), name='say "hi" \\ <b>')
    src = to_dot(x * 2.0).source
    assert 'label="say \\"hi\\" \\\\ <b>\\n(2,) float64"' in src


def test_bad_arguments_name_the_problem():
    with pytest.raises(ValueError, match="at least one"):
        to_dot()
    with pytest.raises(TypeError, match="ndarray"):
        to_dot(np.ones(3))
    with pytest.raises(ValueError, match="max_nodes"):
        to_dot(Variable(1.0), max_nodes=0)


def test_several_outputs_and_shared_subgraphs_are_drawn_once():
    x = Variable(np.ones(3), name="x")
    h = F.exp(x)
    a, b = h.sum(), (h * h).sum()
    src = to_dot([a, b]).source
    assert len([n for n in nodes(src).values() if n[0].startswith("Exp")]) == 1
    assert nodes(src)["v0"][1] == nodes(src)["v1"][1] == COLORS["output"]
    # x * x uses one Variable twice: two edges into Mul
    mul = [i for i, n in nodes(src).items() if n[0] == "Mul"][0]
    assert len([e for e in edges(src) if e[1] == mul]) == 2


def test_a_function_with_several_outputs_is_one_box():
    x = Variable(np.arange(6.0).reshape(2, 3), name="x")
    parts = F.split(x, 3, axis=1)
    src = to_dot(*parts).source
    split = node_with(src, "Split")
    assert split == ("Split\\nsections=3, axis=1", COLORS["function"], "box")
    assert [b for a, b in edges(src) if a == "f0"] == ["v0", "v1", "v2"]


# ----------------------------------------------------------------------------- big graphs


@pytest.mark.slow
def test_100k_chain_without_recursion_and_collapsed():
    x = Variable(np.array([0.5]), name="x")
    y = x
    for _ in range(100_000):
        y = F.tanh(y)
    assert 100_000 > sys.getrecursionlimit()
    full = to_dot(y).source
    assert full.count(" shape=box") == 100_000
    assert full.count(" shape=oval") == 100_001
    small = to_dot(y, max_nodes=50).source
    assert nodes(small) == {
        "v0": ("(1,) float64", COLORS["output"], "oval"),
        "f0": ("Tanh ×100000", COLORS["collapsed"], "box"),
        "v1": ("x\\n(1,) float64", COLORS["parameter"], "oval"),
    }
    assert edges(small) == [("v1", "f0"), ("f0", "v0")]


def test_max_nodes_leaves_out_the_far_end_when_collapsing_is_not_enough():
    x = Variable(np.ones(2), name="x")
    y = x
    for _ in range(1000):
        y = F.tanh(y * np.full(2, 2.0))  # alternating ops: nothing to collapse
    src = to_dot(y, max_nodes=30).source
    found = nodes(src)
    assert len(found) == 31  # 30 nodes nearest the output and the "more" box
    # per step: Mul, its constant 2.0, its output, Tanh, its output; and x: 5001 nodes
    assert found["more"] == ("… 4971 more nodes", COLORS["more"], "box")
    assert ("v0", "f0") not in edges(src) and ("f0", "v0") in edges(src)
    from_more = [b for a, b in edges(src) if a == "more"]
    # the frontier: a Mul whose constant was cut, and a value whose Tanh was cut
    assert sorted(found[n][0] for n in from_more) == ["(2,) float64", "Mul"]
    ids = set(found)
    assert all(a in ids and b in ids for a, b in edges(src))


def test_a_run_that_shares_a_parameter_draws_one_edge_from_it():
    x = Variable(np.ones(2), name="x")
    w = Variable(np.full(2, 0.5), name="w")
    y = x
    for _ in range(5):
        y = y * w
    src = to_dot(y, max_nodes=4).source
    run = node_with(src, "Mul ×5")
    assert run[1] == COLORS["collapsed"]
    assert sorted(a for a, b in edges(src) if b == "f0") == ["v1", "v2"]  # x and w, once each
    assert len(nodes(src)) == 4


@st.composite
def expressions(draw):
    """A random expression DAG: the recipe (to build it again) and the number of ops."""
    n_ops = draw(st.integers(1, 12))
    recipe = []
    for i in range(n_ops):
        op = draw(st.sampled_from(["add", "mul", "tanh", "sum", "const"]))
        a = draw(st.integers(0, i + 1))  # two leaves, then one value per op so far
        b = draw(st.integers(0, i + 1))
        recipe.append((op, a, b))
    return recipe


def apply(op: str, x: Variable, y: Variable) -> Variable:
    if op == "add":
        return x + y
    if op == "mul":
        return x * y
    if op == "tanh":
        return F.tanh(x)
    if op == "sum":
        return F.sum(x, axis=0, keepdims=True) + y
    return x * 3.0


def build(recipe):
    values = [Variable(np.ones((2, 2)), name="a"), Variable(np.full((2, 2), 2.0))]
    for op, a, b in recipe:
        values.append(apply(op, values[a], values[b]))
    return values


def reachable(out):
    """Variables and Functions behind `out`, and the number of edges, by a plain walk (Python
    numbers among a Function's inputs are part of its label, not nodes)."""
    variables, functions, n_edges, stack = {id(out): out}, {}, 0, [out]
    while stack:
        fn = stack.pop().creator
        if fn is None or id(fn) in functions:
            continue
        functions[id(fn)] = fn
        inputs = [x for x in fn.inputs if isinstance(x, Variable)]
        n_edges += len(inputs) + sum(id(r()) in variables for r in fn.outputs)
        for x in inputs:
            if id(x) not in variables:
                variables[id(x)] = x
                stack.append(x)
    return len(variables), len(functions), n_edges


@settings(max_examples=60, deadline=None)
@given(expressions(), st.integers(1, 12))
def test_random_graphs_are_drawn_completely_and_deterministically(recipe, max_nodes):
    out = build(recipe)[-1]
    src = to_dot(out).source
    n_vars, n_fns, n_edges = reachable(out)
    shapes = [n[2] for n in nodes(src).values()]
    assert (shapes.count("oval"), shapes.count("box")) == (n_vars, n_fns)
    assert len(edges(src)) == n_edges
    assert to_dot(build(recipe)[-1]).source == src  # same expression, same text
    small = nodes(to_dot(out, max_nodes=max_nodes).source)
    assert len(small) <= max_nodes + 1
    assert "v0" in small


# ----------------------------------------------------------------------------- graph of a gradient


def test_create_graph_draws_the_graph_of_a_gradient():
    x = Variable(np.array(2.0), name="x")
    y = x ** 3
    y.backward(create_graph=True)
    gx = x.grad  # 3 x**2, itself computed by recorded Functions
    assert gx.creator is not None
    src = to_dot(gx, show_values=True).source
    assert "min 12 mean 12 max 12" in nodes(src)["v0"][0]
    assert node_with(src, "x\\n")[1] == COLORS["parameter"]
    assert sum(n[2] == "box" for n in nodes(src).values()) >= 2
    x.cleargrad()
    gx.backward()  # d2y/dx2 = 6 x
    assert "|grad| 12" in node_with(to_dot(gx, show_grads=True).source, "x\\n")[0]


# ----------------------------------------------------------------------------- determinism


_PROGRAM = """
import numpy as np
import autograd_lite.functions as F
from autograd_lite import Variable
from autograd_lite.viz import to_dot
x = Variable(np.ones((2, 3)), name="x")
w = Variable(np.ones((3, 4)), name="w")
h = F.relu(x @ w)
outs = [F.sum(h * h, axis=0), F.mean(h), F.exp(h).max()]
print(to_dot(*outs, show_values=True).source, end="")
"""


def test_same_source_in_two_processes():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.run([sys.executable, "-c", _PROGRAM], capture_output=True, text=True,
                           check=True, env={**env, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")]
    assert runs[0] == runs[1]
    assert runs[0].count("shape=box") == 7  # MatMul ReLU Mul Sum Mean Exp Max


def test_importing_autograd_lite_does_not_import_graphviz():
    code = "import sys, autograd_lite, autograd_lite.viz; print('graphviz' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env).stdout
    assert out.strip() == "False"


# ----------------------------------------------------------------------------- files


@needs_dot
def test_svg_render_has_the_nodes_and_edges(tmp_path):
    y, *_ = affine_tanh()
    path = plot_graph(y, tmp_path / "graph.svg", show_values=True)
    assert path == tmp_path / "graph.svg"
    root = ET.parse(path).getroot()
    groups = [g.get("class") for g in root.iter("{http://www.w3.org/2000/svg}g")]
    assert groups.count("node") == 9  # x, w, b, two intermediates, y and three ops
    assert groups.count("edge") == 8
    assert sorted(os.listdir(tmp_path)) == ["graph.svg"]  # no temporary file left


@needs_dot
@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_binary_formats(tmp_path, suffix, magic):
    y, *_ = affine_tanh()
    path = plot_graph(y, tmp_path / f"graph{suffix}")
    assert path.read_bytes().startswith(magic)


def test_dot_file_needs_no_graphviz_program_and_png_explains_how_to_install(tmp_path,
                                                                          monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    y, *_ = affine_tanh()
    with pytest.raises(GraphvizNotFoundError) as info:
        plot_graph(y, tmp_path / "graph.png")
    message = str(info.value)
    for hint in ["apt-get install graphviz", "brew install graphviz",
                 "conda install graphviz", "https://graphviz.org/download/", ".png"]:
        assert hint in message
    assert not (tmp_path / "graph.png").exists()
    path = plot_graph(y, tmp_path / "graph.dot")
    assert path.read_text(encoding="utf-8") == to_dot(y).source
    assert sorted(os.listdir(tmp_path)) == ["empty", "graph.dot"]


def test_plot_graph_rejects_unknown_suffix_and_missing_folder(tmp_path):
    y, *_ = affine_tanh()
    with pytest.raises(ValueError, match=r"graph\.jpeg.*\.png"):
        plot_graph(y, tmp_path / "graph.jpeg")
    with pytest.raises(FileNotFoundError, match="nowhere"):
        plot_graph(y, tmp_path / "nowhere" / "graph.dot")


@needs_dot
def test_jupyter_displays_the_digraph_inline():
    y, *_ = affine_tanh()
    bundle = to_dot(y)._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]
