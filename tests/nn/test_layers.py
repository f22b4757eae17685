"""Layers against plain NumPy, initialisation, losses and gradient clipping."""

import math

import numpy as np
import pytest

import autograd_lite.functions as F
from autograd_lite import Variable, nn
from autograd_lite.testing import gradcheck, numerical_grad


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_linear_shapes_init_and_value():
    layer = nn.Linear(50, 20, rng=np.random.default_rng(0))
    assert layer.weight.shape == (20, 50) and layer.bias.shape == (20,)
    bound = 1 / math.sqrt(50)  # kaiming_uniform(a=sqrt(5)) gives the same bound as the bias
    largest = np.abs(layer.weight.data).max()
    assert 0.9 * bound < largest <= bound
    assert np.abs(layer.bias.data).max() <= bound
    x = np.random.default_rng(1).standard_normal((3, 50)).astype(np.float32)
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data.T + layer.bias.data,
                               rtol=1e-5)
    assert nn.Linear(2, 3, bias=False).bias is None


def test_rng_makes_layers_reproducible():
    a = nn.Conv2d(2, 3, 3, rng=np.random.default_rng(5))
    b = nn.Conv2d(2, 3, 3, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    nn.init.manual_seed(3)
    c = nn.Linear(4, 4)
    nn.init.manual_seed(3)
    np.testing.assert_array_equal(c.weight.data, nn.Linear(4, 4).weight.data)


def test_conv2d_layer_matches_the_function():
    conv = nn.Conv2d(2, 3, (3, 2), stride=2, padding=1)
    assert conv.weight.shape == (3, 2, 3, 2)
    assert np.abs(conv.weight.data).max() <= 1 / math.sqrt(2 * 3 * 2)
    x = np.random.default_rng(0).standard_normal((2, 2, 7, 6)).astype(np.float32)
    y = conv(x)
    expected = F.conv2d(x, conv.weight.data, conv.bias.data, stride=2, padding=1)
    np.testing.assert_array_equal(y.data, expected.data)
    assert y.dtype == np.float32


def test_pool_layers_and_flatten():
    x = np.arange(32, dtype=np.float32).reshape(1, 2, 4, 4)
    assert nn.MaxPool2d(2)(x).shape == (1, 2, 2, 2)
    np.testing.assert_array_equal(nn.MaxPool2d(2)(x).data[0, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(nn.AvgPool2d(2)(x).data[0, 0], [[2.5, 4.5], [10.5, 12.5]])
    assert nn.AvgPool2d(3, stride=1, padding=1)(x).shape == (1, 2, 4, 4)
    assert nn.Flatten()(x).shape == (1, 32)
    assert nn.Flatten(start_dim=2)(x).shape == (1, 2, 16)


def test_batchnorm2d_normalises_per_channel_and_checks_ndim():
    bn = nn.BatchNorm2d(3)
    x = np.random.default_rng(0).normal(5, 3, (8, 3, 4, 4)).astype(np.float32)
    y = bn(x).data
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=(0, 2, 3)), 1, atol=1e-3)
    np.testing.assert_allclose(bn.running_mean, 0.1 * x.mean(axis=(0, 2, 3)), rtol=1e-5)
    assert bn.running_mean.dtype == np.float32
    with pytest.raises(ValueError, match=r"BatchNorm2d: expected a 4-D input, got shape \(8, 3\)"):
        bn(np.ones((8, 3)))
    assert nn.BatchNorm1d(3)(np.ones((4, 3, 5), np.float32)).shape == (4, 3, 5)


def test_embedding_layer():
    emb = nn.Embedding(10, 4)
    ids = np.array([[1, 2], [2, 9]])
    out = emb(ids)
    assert out.shape == (2, 2, 4) and out.dtype == np.float32
    np.testing.assert_array_equal(out.data, emb.weight.data[ids])


def test_activations():
    x = np.array([-2.0, 0.5])
    np.testing.assert_allclose(nn.ReLU()(x).data, [0, 0.5])
    np.testing.assert_allclose(nn.LeakyReLU(0.1)(x).data, [-0.2, 0.5])
    np.testing.assert_allclose(nn.Sigmoid()(x).data, sigmoid(x))
    np.testing.assert_allclose(nn.Tanh()(x).data, np.tanh(x))


def rnn_reference(rnn, x, h):
    W_ih, W_hh = rnn.weight_ih_l0.data.astype(float), rnn.weight_hh_l0.data.astype(float)
    b = rnn.bias_ih_l0.data.astype(float) + rnn.bias_hh_l0.data.astype(float)
    outs = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_ih.T + h @ W_hh.T + b)
        outs.append(h)
    return np.stack(outs, axis=1), h


def lstm_reference(lstm, x, h, c):
    W_ih, W_hh = lstm.weight_ih_l0.data.astype(float), lstm.weight_hh_l0.data.astype(float)
    b = lstm.bias_ih_l0.data.astype(float) + lstm.bias_hh_l0.data.astype(float)
    outs = []
    for t in range(x.shape[1]):
        i, f, g, o = np.split(x[:, t] @ W_ih.T + h @ W_hh.T + b, 4, axis=1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        outs.append(h)
    return np.stack(outs, axis=1), h, c


def gru_reference(gru, x, h):
    W_ih, W_hh = gru.weight_ih_l0.data.astype(float), gru.weight_hh_l0.data.astype(float)
    b_ih, b_hh = gru.bias_ih_l0.data.astype(float), gru.bias_hh_l0.data.astype(float)
    outs = []
    for t in range(x.shape[1]):
        xr, xz, xn = np.split(x[:, t] @ W_ih.T + b_ih, 3, axis=1)
        hr, hz, hn = np.split(h @ W_hh.T + b_hh, 3, axis=1)
        r, z = sigmoid(xr + hr), sigmoid(xz + hz)
        n = np.tanh(xn + r * hn)
        h = (1 - z) * n + z * h
        outs.append(h)
    return np.stack(outs, axis=1), h


def test_rnn_matches_numpy_and_time_major_layout():
    rng = np.random.default_rng(0)
    rnn = nn.RNN(3, 5, rng=rng)
    x = rng.standard_normal((2, 6, 3)).astype(np.float32)
    h0 = rng.standard_normal((2, 5)).astype(np.float32)
    out, h = rnn(x, h0)
    ref_out, ref_h = rnn_reference(rnn, x, h0)
    np.testing.assert_allclose(out.data, ref_out, atol=1e-5)
    np.testing.assert_allclose(h.data, ref_h, atol=1e-5)
    rnn.batch_first = False
    out_tm, _ = rnn(x.transpose(1, 0, 2), h0)
    np.testing.assert_allclose(out_tm.data.transpose(1, 0, 2), out.data, atol=1e-6)
    with pytest.raises(ValueError, match=r"initial state h0 of shape \(3, 5\)"):
        rnn(x.transpose(1, 0, 2), np.zeros((3, 5)))


def test_lstm_matches_numpy_with_initial_state():
    rng = np.random.default_rng(0)
    lstm = nn.LSTM(3, 4, rng=rng)
    assert lstm.weight_ih_l0.shape == (16, 3) and lstm.weight_hh_l0.shape == (16, 4)
    x = rng.standard_normal((2, 5, 3)).astype(np.float32)
    h0, c0 = rng.standard_normal((2, 2, 4)).astype(np.float32)
    out, (h, c) = lstm(x, (h0, c0))
    ref_out, ref_h, ref_c = lstm_reference(lstm, x, h0, c0)
    np.testing.assert_allclose(out.data, ref_out, atol=1e-5)
    np.testing.assert_allclose(c.data, ref_c, atol=1e-5)
    assert out.dtype == np.float32
    with pytest.raises(ValueError, match=r"input_size=3, got \(2, 5, 2\)"):
        lstm(x[:, :, :2])


def test_gru_matches_numpy_with_and_without_initial_state():
    rng = np.random.default_rng(0)
    gru = nn.GRU(3, 4, rng=rng)
    assert [name for name, _ in gru.named_parameters()] == [
        "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    assert gru.weight_ih_l0.shape == (12, 3) and gru.weight_hh_l0.shape == (12, 4)
    assert np.abs(gru.weight_hh_l0.data).max() <= 1 / math.sqrt(4)
    x = rng.standard_normal((2, 5, 3)).astype(np.float32)
    h0 = rng.standard_normal((2, 4)).astype(np.float32)
    for start in (None, h0):
        out, h = gru(x, start)
        ref_out, ref_h = gru_reference(gru, x, np.zeros((2, 4)) if start is None else h0)
        np.testing.assert_allclose(out.data, ref_out, atol=1e-5)
        np.testing.assert_allclose(h.data, ref_h, atol=1e-5)
        assert out.dtype == h.dtype == np.float32 and out.shape == (2, 5, 4)
    gru.batch_first = False
    out_tm, _ = gru(x.transpose(1, 0, 2), h0)
    np.testing.assert_allclose(out_tm.data.transpose(1, 0, 2), out.data, atol=1e-6)
    with pytest.raises(ValueError, match=r"initial state h0 of shape \(1, 2, 4\), expected "
                                         r"\(2, 4\).*no leading num_layers axis"):
        gru(x.transpose(1, 0, 2), h0[None])


def test_truncated_bptt_by_detaching_the_state():
    lstm = nn.LSTM(2, 3)
    x = Variable(np.ones((1, 4, 2), np.float32))
    _, (h, c) = lstm(x[:, :2])
    out, _ = lstm(x[:, 2:], (h.detach(), c.detach()))
    out.sum().backward()
    assert (x.grad.data[:, :2] == 0).all()  # no gradient crosses the chunk boundary
    assert (x.grad.data[:, 2:] != 0).any()


def test_losses():
    logits = np.array([[2.0, 0.5], [0.1, 1.0]])
    t = np.array([0, 1])
    np.testing.assert_allclose(nn.CrossEntropyLoss()(logits, t).data,
                               F.cross_entropy(logits, t).data)
    np.testing.assert_allclose(nn.MSELoss()(logits, np.zeros((2, 2))).data,
                               np.mean(logits**2))
    bce = nn.BCEWithLogitsLoss()(logits, np.ones((2, 2))).data
    np.testing.assert_allclose(bce, np.mean(np.log1p(np.exp(-logits))))


@pytest.mark.parametrize("shape, fans", [((20, 30), (30, 20)), ((8, 4, 3, 5), (60, 120))])
def test_init_fans_and_spreads(shape, fans):
    assert nn.init.fan_in_and_fan_out(shape) == fans
    rng = np.random.default_rng(0)
    big = (2000,) + shape[1:]  # many rows for a tight estimate of the spread
    fan_in, fan_out = nn.init.fan_in_and_fan_out(big)
    w = nn.init.kaiming_normal_(np.empty(big), nonlinearity="relu", rng=rng)
    assert abs(w.std() / math.sqrt(2 / fan_in) - 1) < 0.03
    w = nn.init.kaiming_uniform_(np.empty(big), mode="fan_out", nonlinearity="relu", rng=rng)
    assert np.abs(w).max() <= math.sqrt(6 / fan_out)
    w = nn.init.xavier_uniform_(np.empty(big), rng=rng)
    assert abs(np.abs(w).max() / math.sqrt(6 / (fan_in + fan_out)) - 1) < 0.01
    w = nn.init.xavier_normal_(np.empty(big), gain=2.0, rng=rng)
    assert abs(w.std() / (2 * math.sqrt(2 / (fan_in + fan_out))) - 1) < 0.03
    p = nn.Parameter(np.empty(shape, np.float32))
    assert nn.init.ones_(p) is p and (p.data == 1).all() and p.dtype == np.float32
    assert (nn.init.zeros_(p).data == 0).all()
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        nn.init.xavier_uniform_(np.empty(3))


def test_clip_grad_norm_scales_copies():
    a, b = nn.Parameter(np.zeros(2, np.float32)), nn.Parameter(np.zeros(1, np.float32))
    shared = np.array([3.0, 0.0], np.float32)
    a.grad, b.grad = Variable(shared, requires_grad=False), Variable(np.array([4.0], np.float32),
                                                                      requires_grad=False)
    total = nn.utils.clip_grad_norm_([a, b], 1.0)
    assert total == pytest.approx(5.0)
    np.testing.assert_allclose(a.grad.data, [0.6, 0.0], rtol=1e-5)
    np.testing.assert_allclose(b.grad.data, [0.8], rtol=1e-5)
    assert a.grad.dtype == np.float32
    np.testing.assert_array_equal(shared, [3.0, 0.0])  # the original array is untouched
    assert nn.utils.clip_grad_norm_([a, b], 10.0) == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(a.grad.data, [0.6, 0.0], rtol=1e-5)  # under the limit: kept
    nn.utils.clip_grad_value_(b, 0.5)
    np.testing.assert_array_equal(b.grad.data, [0.5])
    assert nn.utils.clip_grad_norm_([nn.Parameter(np.zeros(1))], 1.0) == 0.0


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU])
def test_recurrent_gradients_match_central_differences(cls):
    layer = cls(2, 3, rng=np.random.default_rng(0))
    for p in layer.parameters():
        p.data = p.data.astype(np.float64)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 2))
    h0, c0 = rng.standard_normal((2, 2, 3))
    weights = rng.standard_normal((2, 3, 3))

    def run(x, h0, c0):
        out, _ = layer(x, (h0, c0) if cls is nn.LSTM else h0)
        return out

    assert gradcheck(run, x, h0, c0)  # through every step, the state and the gate split
    layer.zero_grad()
    (run(x, h0, c0) * weights).sum().backward()
    for name, p in layer.named_parameters():
        def loss(value, p=p):
            saved, p.data = p.data, value
            try:
                return (run(x, h0, c0).data * weights).sum()
            finally:
                p.data = saved
        np.testing.assert_allclose(p.grad.data, numerical_grad(loss, p.data)[0], rtol=1e-5,
                                   atol=1e-7, err_msg=name)
    out, _ = layer(x[:, :1], (h0, c0) if cls is nn.LSTM else h0)  # a single time step
    assert out.shape == (2, 1, 3)
    out, state = layer(x)  # a float64 model: the zero initial state is float64 too
    assert out.dtype == np.float64
