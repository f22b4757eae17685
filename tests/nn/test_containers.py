"""ModuleList, ModuleDict, ParameterList (PyTorch's behaviour) and weight tying."""

import numpy as np
import pytest

from autograd_lite import Variable, nn, optim


def _linears(n):
    return [nn.Linear(2, 2) for _ in range(n)]


def test_modulelist_is_a_list_of_registered_modules():
    a, b, c, d = _linears(4)
    layers = nn.ModuleList([a, b])
    assert len(layers) == 2 and layers[0] is a and layers[-1] is b
    assert layers.append(c) is layers
    layers.extend([d])
    assert list(layers) == [a, b, c, d]
    assert [n for n, _ in layers.named_parameters()][::2] == [
        "0.weight", "1.weight", "2.weight", "3.weight"]
    assert isinstance(layers[1:3], nn.ModuleList) and list(layers[1:3]) == [b, c]
    layers.insert(0, nn.ReLU())
    assert isinstance(layers[0], nn.ReLU) and layers[1] is a and len(layers) == 5
    assert layers.pop(0).__class__ is nn.ReLU
    del layers[1]  # b: the rest move up, names stay 0..n-1
    assert list(layers) == [a, c, d]
    assert list(layers._modules) == ["0", "1", "2"]
    layers[2] = b
    assert list(layers) == [a, c, b]
    layers += [d]
    assert len(layers) == 4 and len(layers + nn.ModuleList([a])) == 5
    del layers[::2]
    assert list(layers) == [c, d]


def test_modulelist_errors_are_clear():
    layers = nn.ModuleList(_linears(2))
    with pytest.raises(IndexError, match="index 2 is out of range for length 2"):
        layers[2]
    with pytest.raises(TypeError, match="int is not a Module"):
        layers.append(3)
    with pytest.raises(TypeError, match="use append"):
        layers.extend(nn.Linear(2, 2))
    with pytest.raises(NotImplementedError):
        layers(np.ones(2))


def test_modules_in_a_list_are_trained_saved_and_switched_to_eval(tmp_path):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([nn.Linear(3, 3), nn.Dropout(0.5)])
            self.heads = nn.ModuleDict({"cls": nn.Linear(3, 2), "reg": nn.Linear(3, 1)})

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return self.heads["cls"](x).sum() + self.heads["reg"](x).sum()

    net = Net()
    assert list(net.state_dict()) == [
        "blocks.0.weight", "blocks.0.bias", "heads.cls.weight", "heads.cls.bias",
        "heads.reg.weight", "heads.reg.bias"]
    net.eval()
    assert not net.blocks[1].training
    net(np.ones((4, 3), np.float32)).backward()
    assert all(p.grad is not None for p in net.parameters())
    net.save(tmp_path / "net.npz")
    other = Net()
    other.load(tmp_path / "net.npz")
    np.testing.assert_array_equal(other.heads["reg"].weight.data, net.heads["reg"].weight.data)


def test_moduledict_behaves_like_an_ordered_dict():
    a, b = _linears(2)
    heads = nn.ModuleDict([("a", a)])
    heads["b"] = b
    assert "a" in heads and "z" not in heads and len(heads) == 2
    assert list(heads) == heads.keys() == ["a", "b"]
    assert heads.values() == [a, b] and heads.items() == [("a", a), ("b", b)]
    assert heads.a is a  # attribute access, as in PyTorch
    heads.update({"c": nn.ReLU()})
    assert heads.pop("a") is a and list(heads) == ["b", "c"]
    del heads["b"]
    assert list(heads) == ["c"]
    heads.clear()
    assert len(heads) == 0
    for key, error in (("training", KeyError), ("a.b", KeyError), ("", KeyError),
                       (3, TypeError)):
        with pytest.raises(error):
            heads[key] = nn.ReLU()
    with pytest.raises(TypeError, match="not a Module"):
        heads["x"] = np.ones(2)


def test_parameterlist():
    params = nn.ParameterList([nn.Parameter(np.ones(2, np.float32))])
    params.append(np.zeros(3, np.float32))  # an array becomes a Parameter, dtype kept
    params.extend([Variable(np.ones((2, 2)))])
    assert len(params) == 3 and all(isinstance(p, nn.Parameter) for p in params)
    assert [p.dtype for p in params] == [np.float32, np.float32, np.float64]
    assert [n for n, _ in params.named_parameters()] == ["0", "1", "2"]
    assert params[-1].shape == (2, 2) and len(params[:2]) == 2
    params[0] = np.full(2, 5.0, np.float32)
    assert params[0].data[0] == 5
    assert "(1): Parameter containing: [float32 of shape (3,)]" in repr(params)
    with pytest.raises(TypeError, match="ParameterList: expected a Parameter"):
        params.append("w")

    class Scales(nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = nn.ParameterList([np.ones(2, np.float32) for _ in range(2)])

    model = Scales()
    assert list(model.state_dict()) == ["scales.0", "scales.1"]
    opt = optim.SGD(model.parameters(), lr=0.5)
    (model.scales[0] * model.scales[1]).sum().backward()
    opt.step()
    np.testing.assert_allclose(model.scales[0].data, 0.5)


class TiedLM(nn.Module):
    """An embedding and an output head sharing one weight (as GPT-2 and nanoGPT do)."""

    def __init__(self, vocab=5, dim=3):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)
        self.head.weight = self.wte.weight

    def forward(self, ids):
        return self.head(self.ln(self.wte(ids)))


def test_a_tied_weight_is_trained_once_saved_once_and_loaded_into_both(tmp_path):
    model = TiedLM()
    assert model.head.weight is model.wte.weight
    names = [n for n, _ in model.named_parameters()]
    assert names == ["wte.weight", "ln.weight", "ln.bias"]  # listed once
    assert list(model.state_dict()) == names  # saved once
    ids = np.array([[0, 1, 2], [3, 4, 0]])
    targets = np.array([1, 2, 3, 4, 0, 1])
    loss_fn = nn.CrossEntropyLoss()
    loss = loss_fn(model(ids).reshape(6, 5), targets)
    loss.backward()
    w = model.wte.weight
    # the gradient holds both uses: the lookup rows and the output head
    untied = TiedLM()
    untied.load_state_dict(model.state_dict())
    untied.head.weight = nn.Parameter(untied.wte.weight.data.copy())
    loss_fn(untied(ids).reshape(6, 5), targets).backward()
    np.testing.assert_allclose(w.grad.data, untied.wte.weight.grad.data
                               + untied.head.weight.grad.data, rtol=1e-5, atol=1e-7)
    before = w.data.copy()
    opt = optim.SGD(model.parameters(), lr=0.1)
    assert sum(len(g["params"]) for g in opt.param_groups) == 3
    opt.step()  # one update, by the summed gradient
    np.testing.assert_allclose(w.data, before - 0.1 * w.grad.data, rtol=1e-6)
    model.save(tmp_path / "tied.npz")
    with np.load(tmp_path / "tied.npz") as f:
        assert sorted(f.files) == ["ln.bias", "ln.weight", "wte.weight"]
    fresh = TiedLM()
    fresh.load(tmp_path / "tied.npz")
    assert fresh.head.weight is fresh.wte.weight  # still one Parameter after loading
    np.testing.assert_array_equal(fresh.head.weight.data, w.data)
