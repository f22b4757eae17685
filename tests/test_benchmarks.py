"""The benchmark suite runs, writes the JSON it promises, and its references are correct.

No timing is asserted: speed is read from the benchmark's output, never tested.
"""

from __future__ import annotations

import json
import math
import platform

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import data
from benchmarks.impls import ours, scalar
from benchmarks.impls.numpy_cnn import NumpyCNN, col2im, im2col
from benchmarks.impls.numpy_mlp import NumpyMLP, softmax_cross_entropy
from benchmarks.run import WORKLOADS, format_table, main
from benchmarks.timing import OURS, Metric, WorkloadResult


def numerical_grad(f, arr: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar ``f()`` with respect to ``arr`` (changed in place and
    restored)."""
    grad = np.zeros_like(arr)
    for i in np.ndindex(arr.shape):
        old = arr[i]
        arr[i] = old + eps
        up = f()
        arr[i] = old - eps
        down = f()
        arr[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


def tiny_batch(n: int, features: int, classes: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, features)), rng.integers(0, classes, n)


# -- the whole suite, tiny ---------------------------------------------------------------

def check_metric(metric: dict) -> None:
    assert set(metric) >= {"name", "unit", "samples", "median", "min", "max", "ratio"}
    assert metric["samples"], metric["name"]
    for impl, values in metric["samples"].items():
        assert values and all(math.isfinite(v) for v in values), (metric["name"], impl)
        assert metric["min"][impl] <= metric["median"][impl] <= metric["max"][impl]
    for ref, ratio in metric["ratio"].items():
        assert ratio == pytest.approx(metric["median"][OURS] / metric["median"][ref])


def test_quick_run_writes_json(tmp_path, capsys):
    path = tmp_path / "out" / "bench.json"
    assert main(["--quick", "--no-torch", "--json", str(path)]) == 0
    result = json.loads(path.read_text())
    assert set(result) >= {"date", "machine", "options", "workloads"}
    machine = result["machine"]
    for key in ("platform", "cpu_count", "numpy", "blas", "threads"):
        assert key in machine
    assert machine["torch"] is None
    assert set(result["workloads"]) == set(WORKLOADS)
    for name, workload in result["workloads"].items():
        if workload["skipped"]:
            assert name == "cnn" and "conv2d" in workload["skipped"]
            continue
        assert workload["metrics"], name
        for metric in workload["metrics"]:
            check_metric(metric)
        assert "torch" not in workload["metrics"][0]["samples"]
    mlp = result["workloads"]["mlp"]
    # both start from the same weights and batch: the same first loss
    assert mlp["params"]["first_loss"][OURS] == pytest.approx(
        mlp["params"]["first_loss"]["numpy"], rel=1e-4)
    assert {"overhead", "mlp", "fanin"} <= set(capsys.readouterr().out.split())
    assert not list(path.parent.glob("*.tmp"))


def test_keep_freed_memory_option_is_applied_and_recorded(tmp_path, capsys):
    path = tmp_path / "bench.json"
    assert main(["overhead", "--quick", "--no-torch", "--keep-freed-memory",
                 "--json", str(path)]) == 0
    kept = json.loads(path.read_text())["options"]["keep_freed_memory"]
    glibc = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert kept is glibc
    assert ("freed memory kept" in capsys.readouterr().out) is glibc


def test_quick_run_with_torch(tmp_path):
    pytest.importorskip("torch")
    path = tmp_path / "bench.json"
    assert main(["overhead", "mlp", "--quick", "--json", str(path)]) == 0
    result = json.loads(path.read_text())
    assert result["machine"]["torch"]
    for workload in result["workloads"].values():
        for metric in workload["metrics"]:
            check_metric(metric)
            assert "torch" in metric["ratio"]
    first = result["workloads"]["mlp"]["params"]["first_loss"]
    assert first["torch"] == pytest.approx(first["numpy"], rel=1e-4)


def test_gan_step_times_the_same_dcgan_in_both(capsys):
    pytest.importorskip("torch")
    from threadpoolctl import threadpool_info

    from benchmarks.generative import gan_step

    threads = [pool["num_threads"] for pool in threadpool_info()]
    med = gan_step.main(["--width", "2", "--g-width", "3", "--batch", "2", "--rounds", "2",
                         "--steps", "1", "--threads", "1"])
    assert set(med) == {"ours", "pytorch"} and min(med.values()) > 0
    out = capsys.readouterr().out
    G, D = gan_step.example().generator(3, None), gan_step.example().discriminator(2, None)
    sizes = (sum(p.size for p in G.parameters()), sum(p.size for p in D.parameters()))
    assert f"widths G 3 D 2 ({sizes[0]:,} and {sizes[1]:,} parameters)" in out
    assert [pool["num_threads"] for pool in threadpool_info()] == threads  # limit undone


def test_cli_rejects_unknown_workload(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["mlpp", "--quick"])
    assert exc.value.code == 2
    assert "mlpp" in capsys.readouterr().err


def test_table_shows_medians_ratios_and_skips():
    results = [WorkloadResult("mlp", metrics=[
                   Metric("train step", "ms", {OURS: [2.0, 4.0, 3.0], "numpy": [1.0, 1.5, 2.0]})]),
               WorkloadResult("cnn", skipped="F.conv2d not available yet")]
    table = format_table(results)
    assert "3 [2-4]" in table and "1.5" in table and "2.00x" in table
    assert "skipped: F.conv2d not available yet" in table


# -- the references compute the right gradients -------------------------------------------

def test_softmax_cross_entropy_value_and_gradient():
    logits, t = tiny_batch(5, 4, 4)
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss, grad = softmax_cross_entropy(logits.copy(), t)
    assert loss == pytest.approx(-log_p[np.arange(5), t].mean())
    expected = np.exp(log_p)
    expected[np.arange(5), t] -= 1
    np.testing.assert_allclose(grad, expected / 5, atol=1e-12)


def test_numpy_mlp_gradients_match_finite_differences():
    model = NumpyMLP(data.mlp_params((6, 5, 4, 3), seed=2, dtype=np.float64))
    x, t = tiny_batch(4, 6, 3)
    model.loss_and_grads(x, t)
    analytic = [g.copy() for g in model.grad_weights + model.grad_biases]
    for p, g in zip(model.weights + model.biases, analytic, strict=True):
        numeric = numerical_grad(lambda: model.loss_and_grads(x, t), p)
        np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-8)


def test_numpy_mlp_step_is_sgd():
    layers = data.mlp_params((6, 5, 3), seed=3, dtype=np.float64)
    model = NumpyMLP(layers)
    x, t = tiny_batch(4, 6, 3)
    model.loss_and_grads(x, t)
    expected = [p - 0.1 * g for p, g in zip(model.weights, model.grad_weights, strict=True)]
    model.step(x, t, 0.1)
    for p, e in zip(model.weights, expected, strict=True):
        np.testing.assert_allclose(p, e)
    np.testing.assert_array_equal(layers[0][0], data.mlp_params((6, 5, 3), 3, np.float64)[0][0])


def tiny_cnn():
    params = data.cnn_params(in_ch=2, out_ch=3, kernel=3, image=8, hidden=5, classes=4,
                             seed=4, dtype=np.float64)
    rng = np.random.default_rng(5)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}
    x = rng.standard_normal((2, 2, 8, 8))
    t = np.array([1, 3])
    return NumpyCNN(params), x, t


def test_numpy_cnn_gradients_match_finite_differences():
    model, x, t = tiny_cnn()
    model.loss_and_grads(x, t, need_input_grad=True)
    analytic = {k: g.copy() for k, g in model.grads.items()}
    input_grad = model.input_grad.copy()
    for name, p in model.params.items():
        numeric = numerical_grad(lambda: model.loss_and_grads(x, t), p)
        np.testing.assert_allclose(analytic[name], numeric, rtol=1e-5, atol=1e-8, err_msg=name)
    numeric = numerical_grad(lambda: model.loss_and_grads(x, t), x)
    np.testing.assert_allclose(input_grad, numeric, rtol=1e-5, atol=1e-8)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 2), c=st.integers(1, 3), h=st.integers(3, 7), w=st.integers(3, 7),
       k=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_col2im_is_the_adjoint_of_im2col(n, c, h, w, k, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w))
    cols = rng.standard_normal((n * (h - k + 1) * (w - k + 1), c * k * k))
    assert np.sum(im2col(x, k) * cols) == pytest.approx(np.sum(x * col2im(cols, x.shape, k)))


def test_scalar_engine_gradient_matches_the_chain_rule():
    x = scalar.Scalar(0.3)
    y = (x * 1.5 + 0.2).tanh() * x
    y.backward()
    u = math.tanh(0.3 * 1.5 + 0.2)
    assert x.grad == pytest.approx((1 - u * u) * 1.5 * 0.3 + u)


def test_array_scalar_engine_matches_the_scalar_one():
    xs = {}
    for kind, value in ((scalar.Scalar, 0.3), (scalar.ArrayScalar, np.array([0.3]))):
        x = kind(value)
        y = (x * 1.5 + 0.2).tanh() * x
        y.backward()
        xs[kind] = x
    assert isinstance(xs[scalar.ArrayScalar].grad, np.ndarray)
    assert xs[scalar.ArrayScalar].grad == pytest.approx([xs[scalar.Scalar].grad])


def test_scalar_engine_backward_is_not_recursive():
    y = x = scalar.Scalar(0.5)
    for _ in range(5000):
        y = (y * 1.0001 + 0.0001).tanh()
    y.backward()
    assert 0 < x.grad < 1


# -- the references agree with autograd_lite ----------------------------------------------

def test_numpy_mlp_matches_autograd_lite():
    layers = data.mlp_params((6, 5, 4, 3), seed=6, dtype=np.float32)
    x, t = tiny_batch(4, 6, 3)
    x = x.astype(np.float32)
    reference = NumpyMLP(layers)
    loss = reference.loss_and_grads(x, t)
    model = ours.OursMLP(layers)
    out = model.loss(x, t)
    out.backward()
    assert out.item() == pytest.approx(loss, rel=1e-5)
    grads = reference.grad_weights + reference.grad_biases
    names = [f"W{i}" for i in range(3)] + [f"b{i}" for i in range(3)]
    for name, g in zip(names, grads, strict=True):
        assert model.params[name].grad.dtype == np.float32
        np.testing.assert_allclose(model.params[name].grad.data, g, rtol=1e-4, atol=1e-6)


def test_numpy_cnn_matches_autograd_lite():
    reference, x, t = tiny_cnn()
    loss = reference.loss_and_grads(x, t)
    model = ours.OursCNN(reference.params)
    out = model.loss(x, t)
    out.backward()
    assert out.item() == pytest.approx(loss)
    for name, g in reference.grads.items():
        np.testing.assert_allclose(model.params[name].grad.data, g, rtol=1e-6, atol=1e-9)


def test_numpy_cnn_matches_torch():
    torch = pytest.importorskip("torch")
    from benchmarks.impls import torch_ref

    reference, x, t = tiny_cnn()
    loss = reference.loss_and_grads(x, t)
    model = torch_ref.cnn(torch, reference.params)
    out = torch.nn.functional.cross_entropy(model._forward(model.params, torch.from_numpy(x)),
                                            torch.from_numpy(t))
    out.backward()
    assert out.item() == pytest.approx(loss)
    for name, g in reference.grads.items():
        np.testing.assert_allclose(model.params[name].grad.numpy(), g, rtol=1e-6, atol=1e-9)
