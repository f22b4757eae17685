"""Huber and smooth L1 losses against PyTorch's: values and gradients, every reduction, on
differences that cross the quadratic/linear boundary; and their errors.

Runs only where torch is importable (``pip install torch``); never a dependency.
"""

import numpy as np
import pytest

import autograd_lite.functions as F
from autograd_lite import Variable, nn

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("ours, theirs, key, value", [
    (nn.HuberLoss, torch.nn.HuberLoss, "delta", 1.0),
    (nn.HuberLoss, torch.nn.HuberLoss, "delta", 0.3),
    (nn.SmoothL1Loss, torch.nn.SmoothL1Loss, "beta", 1.0),
    (nn.SmoothL1Loss, torch.nn.SmoothL1Loss, "beta", 2.5),
    (nn.SmoothL1Loss, torch.nn.SmoothL1Loss, "beta", 0.0),
])
def test_matches_pytorch(ours, theirs, key, value, reduction):
    rng = np.random.default_rng(3)
    y, t = rng.normal(0, 2, (6, 5)).astype(np.float32), rng.normal(0, 2, (6, 5)).astype(
        np.float32)
    gy = rng.normal(size=(6, 5)).astype(np.float32) if reduction == "none" else None
    x = Variable(y)
    out = ours(reduction=reduction, **{key: value})(x, t)
    out.backward(gy)
    tx = torch.tensor(y, requires_grad=True)
    ref = theirs(reduction=reduction, **{key: value})(tx, torch.tensor(t))
    ref.backward(None if gy is None else torch.tensor(gy))
    assert out.dtype == np.float32 and x.grad.dtype == np.float32
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_huber_is_half_square_inside_and_linear_outside():
    d = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0])
    loss = F.huber_loss(d, np.zeros_like(d), reduction="none", delta=1.0)
    np.testing.assert_allclose(loss.data, [2.5, 0.5, 0.125, 0.0, 0.125, 0.5, 2.5])


@pytest.mark.parametrize("call, match", [
    (lambda: F.huber_loss(np.zeros((3, 1)), np.zeros(3)), r"huber_loss: .*\(3, 1\).*\(3,\)"),
    (lambda: F.huber_loss(np.zeros(3), np.zeros(3), delta=0), "huber_loss: delta"),
    (lambda: F.huber_loss(np.zeros(3), np.zeros(3), reduction="avg"), "huber_loss: reduction"),
    (lambda: F.smooth_l1_loss(np.zeros(2), np.zeros(3)), r"smooth_l1_loss: .*\(2,\)"),
    (lambda: F.smooth_l1_loss(np.zeros(3), np.zeros(3), beta=-1), "smooth_l1_loss: beta"),
    (lambda: F.smooth_l1_loss(np.zeros(3), np.zeros(3), reduction="x"), "smooth_l1_loss: red"),
])
def test_bad_input_is_refused_naming_the_op(call, match):
    with pytest.raises(ValueError, match=match):
        call()
