"""End to end on small synthetic data: models built from nn, trained with optim.Adam, learn
(a few seconds each)."""

import numpy as np
import pytest

import autograd_lite.functions as F
from autograd_lite import nn, optim


def fit(model, x, t, loss_fn, steps, lr):
    opt = optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), t)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def spiral(n_per_class, classes, rng):
    xs, ts = [], []
    for c in range(classes):
        r = np.linspace(0.05, 1, n_per_class)
        theta = np.linspace(c * 4, (c + 1) * 4, n_per_class) + rng.normal(0, 0.1, n_per_class)
        xs.append(np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1))
        ts.append(np.full(n_per_class, c))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ts)


def test_mlp_fits_xor():
    nn.init.manual_seed(0)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    t = np.array([0, 1, 1, 0])
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    fit(model, x, t, nn.CrossEntropyLoss(), steps=300, lr=0.05)
    assert F.accuracy(model(x), t) == 1.0


def test_mlp_fits_a_spiral():
    nn.init.manual_seed(0)
    x, t = spiral(50, 3, np.random.default_rng(0))
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                          nn.Linear(32, 3))
    fit(model, x, t, nn.CrossEntropyLoss(), steps=300, lr=0.02)
    assert F.accuracy(model(x), t) == 1.0


def test_cnn_overfits_random_images():
    nn.init.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 1, 8, 8)).astype(np.float32)
    t = rng.integers(0, 10, 64)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(8 * 4 * 4, 10),
    )
    losses = fit(model, x, t, nn.CrossEntropyLoss(), steps=150, lr=0.01)
    model.eval()
    assert losses[-1] < 0.1 * losses[0]
    assert F.accuracy(model(x), t) == 1.0


class SineModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 16)
        self.head = nn.Linear(16, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out)


@pytest.mark.slow
def test_lstm_learns_to_predict_a_sine_wave():
    nn.init.manual_seed(0)
    rng = np.random.default_rng(0)
    start = rng.uniform(0, 2 * np.pi, (16, 1))
    wave = np.sin(start + 0.3 * np.arange(21)).astype(np.float32)  # (16, 21)
    x, t = wave[:, :-1, None], wave[:, 1:, None]  # predict the next value
    losses = fit(SineModel(), x, t, nn.MSELoss(), steps=150, lr=0.02)
    assert losses[0] > 0.1
    assert losses[-1] < 0.01
