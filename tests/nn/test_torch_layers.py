"""The layers of issue 15 against PyTorch: the same weights (copied through state dicts, whose
keys and layouts match one to one), the same inputs, the same outputs and gradients.

Runs only where torch is importable (``pip install torch``); never a dependency.
"""

import numpy as np
import pytest

from autograd_lite import Variable, nn

torch = pytest.importorskip("torch")


def to_torch(module, ours):
    """Copy our parameters and buffers into the torch `module` by state-dict key."""
    state = {k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()}
    module.load_state_dict(state, strict=True)
    return module


def close(ours, theirs, atol=1e-5):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
    scale = max(1.0, float(np.abs(theirs).max(initial=0)))
    np.testing.assert_allclose(np.asarray(ours), theirs, rtol=1e-4, atol=atol * scale)


@pytest.mark.parametrize("kwargs, size", [
    ({"kernel_size": 4, "stride": 2, "padding": 1}, (7, 7)),  # DCGAN: 7x7 -> 14x14
    ({"kernel_size": 7}, (1, 1)),  # a noise vector to a 7x7 map
    ({"kernel_size": (3, 2), "stride": (2, 3), "padding": (1, 0), "output_padding": (1, 2)},
     (4, 3)),
    ({"kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1, "bias": False}, (5, 6)),
])
def test_conv_transpose2d(kwargs, size):
    ours = nn.ConvTranspose2d(3, 4, rng=np.random.default_rng(0), **kwargs)
    theirs = to_torch(torch.nn.ConvTranspose2d(3, 4, **kwargs), ours)
    assert tuple(theirs.weight.shape) == ours.weight.shape  # (in, out, kh, kw) both
    x_np = np.random.default_rng(1).standard_normal((2, 3) + size).astype(np.float32)
    x, xt = Variable(x_np), torch.tensor(x_np, requires_grad=True)
    y, yt = ours(x), theirs(xt)
    assert y.shape == tuple(yt.shape) and y.dtype == np.float32
    close(y.data, yt)
    g = np.random.default_rng(2).standard_normal(y.shape).astype(np.float32)
    y.backward(g)
    yt.backward(torch.from_numpy(g))
    close(x.grad.data, xt.grad)
    close(ours.weight.grad.data, theirs.weight.grad)
    if ours.bias is not None:
        close(ours.bias.grad.data, theirs.bias.grad)


def test_conv_transpose2d_init_matches_pytorch_bounds():
    """PyTorch draws U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = out_channels * kh * kw
    for this layout; a draw of ours must fill the same interval."""
    ours = nn.ConvTranspose2d(64, 32, 4, rng=np.random.default_rng(0))
    bound = 1 / np.sqrt(32 * 16)
    for p in (ours.weight.data, ours.bias.data):
        assert 0.95 * bound < np.abs(p).max() <= bound
    theirs = torch.nn.ConvTranspose2d(64, 32, 4)
    assert 0.95 * bound < float(theirs.weight.detach().abs().max()) <= bound


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("with_h0", [True, False])
def test_gru(batch_first, with_h0):
    ours = nn.GRU(3, 5, batch_first=batch_first, rng=np.random.default_rng(0))
    theirs = to_torch(torch.nn.GRU(3, 5, batch_first=batch_first), ours)
    rng = np.random.default_rng(1)
    shape = (2, 6, 3) if batch_first else (6, 2, 3)
    x_np = rng.standard_normal(shape).astype(np.float32)
    h0_np = rng.standard_normal((2, 5)).astype(np.float32)
    x, xt = Variable(x_np), torch.tensor(x_np, requires_grad=True)
    h0, h0t = Variable(h0_np), torch.tensor(h0_np[None], requires_grad=True)  # theirs: (1, N, H)
    out, h = ours(x, h0 if with_h0 else None)
    out_t, h_t = theirs(xt, h0t if with_h0 else None)
    close(out.data, out_t)
    close(h.data, h_t[0])
    g_out = rng.standard_normal(out.shape).astype(np.float32)
    g_h = rng.standard_normal(h.shape).astype(np.float32)
    ((out * g_out).sum() + (h * g_h).sum()).backward()
    ((out_t * torch.from_numpy(g_out)).sum() + (h_t[0] * torch.from_numpy(g_h)).sum()).backward()
    close(x.grad.data, xt.grad)
    if with_h0:
        close(h0.grad.data, h0t.grad[0])
    for name, p in ours.named_parameters():
        close(p.grad.data, dict(theirs.named_parameters())[name].grad)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_recurrent_state_dicts_map_one_to_one(cls):
    theirs = getattr(torch.nn, cls)(3, 4, batch_first=True)
    ours = getattr(nn, cls)(3, 4)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)
    close(ours(x)[0].data, theirs(torch.from_numpy(x))[0])


@pytest.mark.parametrize("shape, kwargs", [
    ((2, 3, 7, 7), {"scale_factor": 2}),
    ((2, 3, 14, 20), {"size": (20, 28)}),  # awkward ratios: PyTorch's float32 rounding
    ((2, 3, 14, 20), {"size": (28, 40), "mode": "nearest-exact"}),
    ((1, 2, 5, 6), {"scale_factor": (1.5, 0.7)}),
    ((1, 2, 9), {"size": 4}),
    ((1, 1, 2, 3, 4), {"scale_factor": (2, 1, 0.5), "mode": "nearest-exact"}),
])
def test_upsample(shape, kwargs):
    x_np = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    x, xt = Variable(x_np), torch.tensor(x_np, requires_grad=True)
    y, yt = nn.Upsample(**kwargs)(x), torch.nn.Upsample(**kwargs)(xt)
    np.testing.assert_array_equal(y.data, yt.detach().numpy())
    g = np.random.default_rng(1).standard_normal(y.shape).astype(np.float32)
    y.backward(g)
    yt.backward(torch.from_numpy(g))
    close(x.grad.data, xt.grad)


def test_unflatten():
    x = np.arange(2 * 24, dtype=np.float32).reshape(2, 24)
    for dim, size in [(1, (2, 3, 4)), (-1, (4, -1)), (0, (1, 2))]:
        np.testing.assert_array_equal(nn.Unflatten(dim, size)(x).data,
                                      torch.nn.Unflatten(dim, size)(torch.from_numpy(x)).numpy())


def test_lazy_layers():
    x_np = np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32)
    ours = nn.Sequential(nn.LazyConv2d(4, 3, stride=2, padding=1), nn.ReLU(), nn.Flatten(),
                         nn.LazyLinear(5))
    theirs = torch.nn.Sequential(torch.nn.LazyConv2d(4, 3, stride=2, padding=1),
                                 torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.LazyLinear(5))
    x, xt = Variable(x_np), torch.tensor(x_np, requires_grad=True)
    ours(x), theirs(xt)  # both infer their sizes from the first batch
    to_torch(theirs, ours)  # same keys and shapes on both sides
    y, yt = ours(x), theirs(xt)
    close(y.data, yt)
    y.sum().backward()
    yt.sum().backward()
    close(x.grad.data, xt.grad)
    for name, p in ours.named_parameters():
        close(p.grad.data, dict(theirs.named_parameters())[name].grad)
