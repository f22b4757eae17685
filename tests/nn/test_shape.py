"""Unflatten and Upsample: shapes, values, gradients and errors (PyTorch cross-checks in
test_torch_layers.py)."""

import numpy as np
import pytest

import autograd_lite.functions as F
from autograd_lite import Variable, nn
from autograd_lite.testing import gradcheck


def test_unflatten_undoes_flatten():
    x = np.arange(2 * 784, dtype=np.float32).reshape(2, 784)
    y = nn.Unflatten(1, (1, 28, 28))(x)
    assert y.shape == (2, 1, 28, 28) and y.dtype == np.float32
    np.testing.assert_array_equal(nn.Flatten()(y).data, x)
    assert nn.Unflatten(-1, (4, -1))(np.zeros((3, 2, 8))).shape == (3, 2, 4, 2)
    assert nn.Unflatten(0, [2, 3])(np.zeros(6)).shape == (2, 3)
    assert repr(nn.Unflatten(1, (1, 28, 28))) == "Unflatten(dim=1, unflattened_size=(1, 28, 28))"
    assert gradcheck(lambda v: nn.Unflatten(1, (2, 3))(v) ** 2, np.ones((2, 6)))


@pytest.mark.parametrize("dim, size, match", [
    (1, (5, -1), r"axis 1 of size 12 \(input shape \(2, 12\)\) cannot be split into \(5, -1\)"),
    (1, (3, 5), r"cannot be split into \(3, 5\)"),
    (1, (-1, -1), r"cannot be split"),
    (2, (3, 4), r"dim 2 is out of range for input of shape \(2, 12\)"),
])
def test_unflatten_errors(dim, size, match):
    with pytest.raises(ValueError, match=match):
        nn.Unflatten(dim, size)(np.zeros((2, 12)))


def test_unflatten_wants_a_tuple():
    with pytest.raises(TypeError, match="tuple of ints, got 784"):
        nn.Unflatten(1, 784)


def test_upsample_nearest_doubles_by_repeating():
    x = np.arange(4, dtype=np.float32).reshape(1, 1, 2, 2)
    y = nn.Upsample(scale_factor=2)(x)
    np.testing.assert_array_equal(y.data[0, 0], [[0, 0, 1, 1], [0, 0, 1, 1],
                                                 [2, 2, 3, 3], [2, 2, 3, 3]])
    assert y.dtype == np.float32
    v = Variable(x)
    nn.Upsample(size=(4, 6))(v).sum().backward()
    np.testing.assert_array_equal(v.grad.data[0, 0], [[6, 6], [6, 6]])  # each copied 2 x 3
    assert repr(nn.Upsample(scale_factor=2)) == "Upsample(scale_factor=2, mode='nearest')"
    assert nn.Upsample(size=5)(np.zeros((2, 3, 4))).shape == (2, 3, 5)  # (N, C, L)
    assert nn.Upsample(scale_factor=(1, 2, 0.5))(np.zeros((1, 1, 2, 2, 2))).shape == (
        1, 1, 2, 4, 1)


def test_interpolate_downsampling_picks_pixels_and_routes_gradients():
    x = Variable(np.arange(16.0).reshape(1, 1, 4, 4))
    y = F.interpolate(x, scale_factor=0.5)
    np.testing.assert_array_equal(y.data[0, 0], [[0, 2], [8, 10]])
    y.sum().backward()
    assert x.grad.data.sum() == 4 and x.grad.data[0, 0, 0, 0] == 1 and x.grad.data[0, 0, 1, 1] == 0


@pytest.mark.parametrize("mode, error", [("bilinear", NotImplementedError),
                                         ("area", NotImplementedError), ("nearst", ValueError)])
def test_other_modes_are_refused_by_name(mode, error):
    with pytest.raises(error, match=rf"mode '{mode}'.*'nearest'"):
        nn.Upsample(scale_factor=2, mode=mode)
    with pytest.raises(error, match=rf"mode '{mode}'"):
        F.interpolate(np.zeros((1, 1, 2, 2)), scale_factor=2, mode=mode)


@pytest.mark.parametrize("shape, kwargs, match", [
    ((1, 1, 2, 2), {}, "exactly one of size and scale_factor"),
    ((1, 1, 2, 2), {"size": 3, "scale_factor": 2}, "exactly one"),
    ((4, 4), {"size": 3}, r"\(N, C, L\), \(N, C, H, W\) or \(N, C, D, H, W\), got \(4, 4\)"),
    ((1, 1, 2, 2), {"size": (3, 3, 3)}, r"size \(3, 3, 3\) must give one value per spatial axis"),
    ((1, 1, 2, 2), {"scale_factor": 0.2}, r"would become empty \(1, 1, 0, 0\)"),
    ((1, 1, 2, 2), {"scale_factor": -2}, r"must be positive"),
])
def test_interpolate_errors(shape, kwargs, match):
    with pytest.raises(ValueError, match=match):
        F.interpolate(np.zeros(shape), **kwargs)
