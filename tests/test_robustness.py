"""Issue 8 in one place: the common mistakes give errors that say what was wrong, failed loads
change nothing, and training leaks neither objects nor memory."""

import gc
import tracemalloc

import numpy as np
import pytest

import autograd_lite.functions as F
from autograd_lite import Function, Variable, nn, optim

# ----------------------------------------------------------------------------- readable errors


def test_backward_on_non_scalar_without_grad_names_the_shape():
    y = Variable(np.ones((2, 3))) * 2.0
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\), not a single element; pass grad="):
        y.backward()


@pytest.mark.parametrize("op", [F.add, F.sub, F.mul, F.div, F.maximum, F.minimum, F.pow])
def test_binary_shape_mismatch_names_op_and_shapes(op):
    with pytest.raises(ValueError) as info:
        op(Variable(np.ones((2, 3))), np.ones((4,)))
    message = str(info.value)
    assert "(2, 3)" in message and "(4,)" in message
    assert message.split(":")[0] in {"Add", "Sub", "Mul", "Div", "Maximum", "Minimum", "Pow"}


def test_matmul_mismatch():
    with pytest.raises(ValueError, match=r"^matmul: shapes \(2, 3\) and \(4, 5\) are not aligned"
                                         r" \(3 != 4\)"):
        Variable(np.ones((2, 3))) @ np.ones((4, 5))


def test_conv2d_channel_mismatch_names_shapes():
    x = Variable(np.ones((1, 3, 8, 8), np.float32))
    W = Variable(np.ones((4, 2, 3, 3), np.float32))
    with pytest.raises(ValueError, match=r"conv2d.*\(1, 3, 8, 8\).*\(4, 2, 3, 3\)"):
        F.conv2d(x, W)


@pytest.mark.parametrize("labels, message", [
    (np.array([0.0, 1.0]), "labels must be integer class indices, got dtype float64"),
    (np.array([0, 1, 1]), r"labels of shape \(3,\) do not match inputs of shape \(2, 3\)"),
])
def test_cross_entropy_label_mistakes(labels, message):
    with pytest.raises((TypeError, ValueError), match=message):
        F.cross_entropy(Variable(np.zeros((2, 3))), labels)


def test_second_backward_through_freed_graph():
    x = Variable(np.array(2.0))
    y = F.exp(x) * x
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_loading_a_checkpoint_into_a_different_model(tmp_path):
    path = tmp_path / "mlp.npz"
    nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)).save(path)
    other = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    before = {k: v.copy() for k, v in other.state_dict().items()}
    with pytest.raises((ValueError, KeyError)) as info:
        other.load(path)
    assert "2.weight" in str(info.value) or "2.bias" in str(info.value)
    for k, v in other.state_dict().items():  # all or nothing: nothing changed
        np.testing.assert_array_equal(v, before[k])


def test_failed_optimizer_load_changes_nothing():
    model = nn.Linear(3, 2)
    opt = optim.Adam(model.parameters(), lr=0.1)
    model(np.ones((1, 3), np.float32)).sum().backward()
    opt.step()
    good = opt.state_dict()
    bad = opt.state_dict()
    first = next(iter(bad["state"].values()))
    key = next(k for k, v in first.items() if isinstance(v, np.ndarray))
    first[key] = np.zeros((7, 7))
    with pytest.raises((ValueError, KeyError)):
        opt.load_state_dict(bad)
    after = opt.state_dict()
    for i, state in good["state"].items():
        for k, v in state.items():
            np.testing.assert_array_equal(after["state"][i][k], v)


def test_in_place_change_before_backward_is_refused():
    W = Variable(np.ones((2, 2)))
    loss = (F.tanh(W) * W).sum()
    W.data -= 0.1  # an optimizer step before backward
    with pytest.raises(RuntimeError, match="modified in place after the forward pass"):
        loss.backward()


def test_optimizer_updates_after_backward_stay_legal():
    model = nn.Linear(3, 2)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(3):
        opt.zero_grad()
        loss = model(np.ones((4, 3), np.float32)).sum()
        loss.backward()
        opt.step()
    assert model.weight.grad is not None


# ----------------------------------------------------------------------------- no leaks


def _live_engine_objects() -> int:
    gc.collect()
    # type(), not isinstance(): proxies of other libraries answer __class__ with warnings
    return sum(issubclass(type(o), (Variable, Function)) for o in gc.get_objects())


@pytest.mark.slow
def test_training_leaks_no_objects_and_no_memory():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 20)).astype(np.float32)
    t = rng.integers(0, 4, 32)
    nn.init.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4))
    opt = optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), t)
        loss.backward()
        opt.step()

    for _ in range(10):
        step()
    live_at_10 = _live_engine_objects()
    tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    for _ in range(490):
        step()
    gc.collect()
    end, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert _live_engine_objects() <= live_at_10
    assert end - start < 1_000_000, f"memory grew by {end - start} bytes over 490 steps"
