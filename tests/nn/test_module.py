"""Module: registration, the tree, modes, state_dict / save / load, hooks, repr."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograd_lite import Variable, nn

ROOT = Path(__file__).resolve().parents[2]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.bn = nn.BatchNorm1d(4)
        self.drop = nn.Dropout(0.5)
        self.fc2 = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc2(self.drop(self.bn(self.fc1(x))))


def test_registration_order_and_dotted_names():
    names = [n for n, _ in Net().named_parameters()]
    assert names == ["fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "fc2.weight", "fc2.bias"]
    assert list(Net().state_dict()) == ["fc1.weight", "fc1.bias", "bn.weight", "bn.bias",
                                        "bn.running_mean", "bn.running_var", "fc2.weight",
                                        "fc2.bias"]
    assert [n for n, _ in Net().named_modules()] == ["", "fc1", "bn", "drop", "fc2"]
    assert [type(m).__name__ for m in Net().children()] == ["Linear", "BatchNorm1d", "Dropout",
                                                            "Linear"]


def test_order_does_not_depend_on_the_hash_seed():
    code = ("from autograd_lite import nn; "
            "m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 1));"
            "print([n for n, _ in m.named_parameters()], list(m.state_dict()))")
    outputs = set()
    for seed in ("1", "2", "3"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        outputs.add(subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT,
                                   capture_output=True, text=True).stdout)
    assert len(outputs) == 1


def test_shared_parameter_listed_once():
    a, b = nn.Linear(3, 3), nn.Linear(3, 3)
    b.weight = a.weight
    model = nn.Sequential(a, b)
    names = [n for n, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "1.bias"]
    assert len(list(model.parameters())) == 3
    model.load_state_dict(model.state_dict())  # the same keys come back


def test_reassignment_and_deletion_update_the_registry():
    m = Net()
    m.fc2 = nn.Linear(4, 5)
    assert [n for n, _ in m.named_parameters()][-2:] == ["fc2.weight", "fc2.bias"]
    assert m.fc2.out_features == 5
    del m.fc1
    assert "fc1.weight" not in dict(m.named_parameters())
    m.bn = None
    assert "bn.running_mean" not in m.state_dict()
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = m.nope
    with pytest.raises(TypeError, match="type Variable to parameter 'weight'"):
        m.fc2.weight = m.fc2.weight * 2
    with pytest.raises(TypeError, match="type int to sub-module 'fc2'"):
        m.fc2 = 3
    assert "fc2.weight" in dict(m.named_parameters())


def test_forgetting_super_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Bad()


def test_train_eval_change_dropout_and_batchnorm():
    m = Net()
    x = np.random.default_rng(0).standard_normal((8, 3)).astype(np.float32)
    m.eval()
    assert all(not mod.training for mod in m.modules())
    np.testing.assert_array_equal(m(x).data, m(x).data)  # deterministic in eval
    running = m.bn.running_mean.copy()
    m(x)
    np.testing.assert_array_equal(m.bn.running_mean, running)  # eval does not update
    m.train()
    assert all(mod.training for mod in m.modules())
    assert not np.array_equal(m(x).data, m(x).data)  # dropout masks differ
    assert not np.array_equal(m.bn.running_mean, running)  # training updates


def test_zero_grad_sets_none():
    m = Net()
    m(np.ones((4, 3), np.float32)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_parameters_are_float32_and_parameter_keeps_dtype():
    assert all(p.dtype == np.float32 for p in Net().parameters())
    assert nn.Parameter(np.zeros(2, np.float64)).dtype == np.float64
    assert nn.Parameter(np.zeros(2, np.float16)).dtype == np.float16
    assert nn.Parameter(np.zeros(2)).requires_grad


def _trained_state(m):
    m(np.random.default_rng(1).standard_normal((8, 3)).astype(np.float32))  # moves running stats
    return m.state_dict()


def test_state_dict_copies_and_save_load_round_trip_is_bit_exact(tmp_path):
    m = Net()
    state = _trained_state(m)
    state["fc1.weight"][...] = 7  # a copy: the model is untouched
    assert not (m.fc1.weight.data == 7).any()
    path = tmp_path / "net.npz"
    m.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]  # no temporary left behind
    other = Net()
    other.load(path)
    for (k, a), (k2, b) in zip(m.state_dict().items(), other.state_dict().items()):
        assert k == k2 and a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    x = np.ones((2, 3), np.float32)
    m.eval(), other.eval()
    np.testing.assert_array_equal(m(x).data, other(x).data)


def test_load_errors_name_the_key_and_change_nothing(tmp_path):
    m = Net()
    before = m.state_dict()
    good = Net().state_dict()

    bad_shape = dict(good, **{"fc2.weight": np.zeros((3, 4), np.float32)})
    with pytest.raises(ValueError, match=r"'fc2.weight' has shape \(3, 4\)"):
        m.load_state_dict(bad_shape)
    missing = {k: v for k, v in good.items() if k != "bn.running_var"}
    with pytest.raises(KeyError, match="bn.running_var"):
        m.load_state_dict(missing)
    with pytest.raises(KeyError, match="extra.weight"):
        m.load_state_dict(dict(good, **{"extra.weight": np.zeros(1)}))
    for k, v in m.state_dict().items():  # fc1 etc. were not half-loaded
        np.testing.assert_array_equal(v, before[k])

    m.load_state_dict(missing, strict=False)
    np.testing.assert_array_equal(m.bn.running_var, before["bn.running_var"])
    np.testing.assert_array_equal(m.fc1.weight.data, good["fc1.weight"])

    path = tmp_path / "wrong.npz"
    np.savez(path, **bad_shape)
    with pytest.raises(ValueError, match="wrong.npz"):
        m.load(path)
    with pytest.raises(FileNotFoundError, match="absent.npz"):
        m.load(tmp_path / "absent.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="junk.npz"):
        m.load(tmp_path / "junk.npz")


def test_load_converts_dtype_and_never_unpickles(tmp_path):
    m = nn.Linear(2, 2)
    m.load_state_dict({"weight": np.ones((2, 2)), "bias": np.zeros(2)})  # float64 in
    assert m.weight.dtype == np.float32 and (m.weight.data == 1).all()
    path = tmp_path / "evil.npz"
    np.savez(path, weight=np.array([object()], dtype=object), bias=np.zeros(2))
    with pytest.raises(ValueError, match="evil.npz"):
        m.load(path)


def test_forward_hook_sees_inputs_and_output_and_can_be_removed():
    m = nn.Linear(2, 2)
    seen = []
    handle = m.register_forward_hook(lambda mod, inputs, out: seen.append((mod, inputs, out)))
    x = np.ones((1, 2), np.float32)
    y = m(x)
    assert seen[0][0] is m and seen[0][1][0] is x and seen[0][2] is y
    handle.remove()
    m(x)
    assert len(seen) == 1
    m.register_forward_hook(lambda mod, inputs, out: out * 0)
    assert (m(x).data == 0).all()


def test_repr_is_a_tree():
    text = repr(nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Dropout(0.1))))
    assert text == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): Sequential(\n"
        "    (0): ReLU()\n"
        "    (1): Dropout(p=0.1)\n"
        "  )\n"
        ")"
    )


def test_sequential_indexing():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(model) == 3 and isinstance(model[-1], nn.Linear)
    assert isinstance(model[:2], nn.Sequential) and len(model[:2]) == 2
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear"]
    assert model(Variable(np.ones((4, 2), np.float32))).shape == (4, 1)


def test_a_failed_save_leaves_the_old_checkpoint_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "net.npz"
    m = nn.Linear(2, 2)
    m.save(path)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(np.lib.format, "write_array", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        nn.Linear(2, 2).save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]
    with pytest.raises(FileNotFoundError, match="missing/net.npz"):
        m.save(tmp_path / "missing" / "net.npz")
