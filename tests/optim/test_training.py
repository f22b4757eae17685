"""Optimizers driving real autograd_lite gradients: a small regression is fitted."""

from __future__ import annotations

import numpy as np
import pytest
from autograd_lite.optim import SGD, Adagrad, Adam, AdamW, RMSprop
from autograd_lite.optim.lr_scheduler import CosineAnnealingLR

import autograd_lite.functions as F
from autograd_lite import Variable


@pytest.mark.parametrize(
    "cls, hyper",
    [
        (SGD, dict(lr=0.1, momentum=0.9)),
        (Adagrad, dict(lr=0.5)),
        (RMSprop, dict(lr=0.05)),
        (Adam, dict(lr=0.05)),
        (AdamW, dict(lr=0.05, weight_decay=1e-4)),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fits_linear_regression(cls, hyper, dtype):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype(dtype)
    w_true = np.array([[1.5, -2.0, 0.5]], dtype=dtype)
    t = x @ w_true.T + dtype(0.3)
    W = Variable(np.zeros((1, 3), dtype=dtype), name="W")
    b = Variable(np.zeros(1, dtype=dtype), name="b")
    opt = cls([W, b], **hyper)
    scheduler = CosineAnnealingLR(opt, T_max=300)
    losses = []
    for _ in range(300):
        opt.zero_grad()
        loss = F.mse_loss(F.linear(x, W, b), t)
        loss.backward()
        opt.step()
        scheduler.step()
        losses.append(float(loss.item()))
    assert W.data.dtype == dtype and b.data.dtype == dtype
    assert W.creator is None and b.creator is None
    assert losses[-1] < 1e-3 * losses[0]
    np.testing.assert_allclose(W.data, w_true, atol=0.05)
    np.testing.assert_allclose(b.data, [0.3], atol=0.05)
