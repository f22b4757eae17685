"""LazyLinear and LazyConv2d: the input size comes from the first batch; before it, the
placeholders are listed and optimizable but refuse to be read, saved or loaded."""

import doctest

import numpy as np
import pytest
from autograd_lite.nn import layers, lazy

from autograd_lite import nn, optim


def test_lazy_linear_draws_what_linear_would():
    fc = nn.LazyLinear(5, rng=np.random.default_rng(0))
    assert isinstance(fc, nn.Linear) and fc.in_features is None
    x = np.random.default_rng(1).standard_normal((2, 7)).astype(np.float32)
    y = fc(x)
    ref = nn.Linear(7, 5, rng=np.random.default_rng(0))
    assert fc.in_features == 7 and fc.weight.shape == (5, 7)
    np.testing.assert_array_equal(fc.weight.data, ref.weight.data)
    np.testing.assert_array_equal(fc.bias.data, ref.bias.data)
    np.testing.assert_array_equal(y.data, ref(x).data)
    assert type(fc.weight) is nn.Parameter and fc.weight.dtype == np.float32
    assert repr(fc) == "LazyLinear(in_features=7, out_features=5, bias=True)"
    assert nn.LazyLinear(3, bias=False)(x).shape == (2, 3)
    with pytest.raises(ValueError, match=r"linear: input of shape \(2, 4\)"):
        fc(np.zeros((2, 4), np.float32))  # the size is fixed by the first batch


def test_lazy_conv2d_draws_what_conv2d_would():
    conv = nn.LazyConv2d(4, 3, stride=2, padding=1, rng=np.random.default_rng(0))
    x = np.random.default_rng(1).standard_normal((2, 3, 8, 8)).astype(np.float32)
    y = conv(x)
    ref = nn.Conv2d(3, 4, 3, stride=2, padding=1, rng=np.random.default_rng(0))
    assert conv.in_channels == 3 and conv.weight.shape == (4, 3, 3, 3)
    np.testing.assert_array_equal(conv.weight.data, ref.weight.data)
    np.testing.assert_array_equal(y.data, ref(x).data)
    assert nn.LazyConv2d(2, 1, bias=False)(x).shape == (2, 2, 8, 8)
    with pytest.raises(ValueError, match=r"LazyConv2d: expected input of shape \(N, C, H, W\), "
                                         r"got \(3, 8, 8\)"):
        nn.LazyConv2d(2, 3)(x[0])


def model():
    return nn.Sequential(nn.LazyConv2d(4, 3, rng=np.random.default_rng(0)), nn.ReLU(),
                         nn.Flatten(), nn.LazyLinear(2, rng=np.random.default_rng(1)))


@pytest.mark.parametrize("make", [lambda ps: optim.SGD(ps, lr=0.1),
                                  lambda ps: optim.Adam(ps, lr=0.1)], ids=["SGD", "Adam"])
def test_an_optimizer_built_before_the_first_batch_trains_the_real_weights(make):
    net = model()
    params = list(net.parameters())
    assert len(params) == 4  # the placeholders are listed
    opt = make(net.parameters())
    x = np.random.default_rng(2).standard_normal((3, 2, 5, 5)).astype(np.float32)
    loss = (net(x) ** 2).sum()
    assert [p for p in net.parameters()] == params  # the same objects, now filled in
    before = [p.data.copy() for p in params]
    opt.zero_grad()
    loss.backward()
    opt.step()
    for p, old in zip(params, before):
        assert p.shape == old.shape and not np.allclose(p.data, old)
    assert list(net.state_dict()) == ["0.weight", "0.bias", "3.weight", "3.bias"]
    assert net.state_dict()["3.weight"].shape == (2, 36)


def test_before_the_first_batch_reading_saving_and_loading_explain_themselves(tmp_path):
    net = model()
    explain = r"LazyConv2d\.weight is not initialised yet.*Run one forward pass"
    for attempt in (net.state_dict, lambda: net.save(tmp_path / "m.npz"),
                    lambda: net[0].weight.data, lambda: net[0].weight.shape,
                    lambda: nn.init.zeros_(net[0].weight),
                    lambda: net.load_state_dict({"0.weight": np.zeros((4, 2, 3, 3))},
                                                strict=False)):
        with pytest.raises(ValueError, match=explain):
            attempt()
    with pytest.raises(ValueError, match=explain):
        net[0].weight.data = np.zeros((4, 2, 3, 3))
    assert repr(net[3].weight) == "<UninitializedParameter LazyLinear.weight>"
    trained = model()
    trained(np.ones((1, 2, 5, 5), np.float32))
    trained.save(tmp_path / "trained.npz")
    with pytest.raises(ValueError, match=explain):
        net.load(tmp_path / "trained.npz")  # unlike PyTorch, loading does not fill them in
    net(np.zeros((1, 2, 5, 5), np.float32))  # after one batch, loading works
    net.load(tmp_path / "trained.npz")
    np.testing.assert_array_equal(net[3].weight.data, trained[3].weight.data)


@pytest.mark.parametrize("module", [lazy, layers], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
