"""The ops that carry weights refuse an input of another dtype than the weights' (as PyTorch
does), naming both dtypes and the fix; float32 and float64 models both keep working."""

import numpy as np
import pytest

import autograd_lite.functions as F
from autograd_lite import Variable, nn


def f32(*shape):
    return np.ones(shape, np.float32)


CALLS = {
    "linear": lambda x, dt: F.linear(x, f32(3, 4).astype(dt), f32(3).astype(dt)),
    "conv2d": lambda x, dt: F.conv2d(x.reshape(1, 1, 2, 2), f32(2, 1, 1, 1).astype(dt)),
    "conv_transpose2d": lambda x, dt: F.conv_transpose2d(x.reshape(1, 1, 2, 2),
                                                         f32(1, 2, 1, 1).astype(dt)),
    "batch_norm": lambda x, dt: F.batch_norm(x.reshape(2, 2), f32(2).astype(dt),
                                             f32(2).astype(dt), f32(2).astype(dt),
                                             f32(2).astype(dt)),
}


@pytest.mark.parametrize("op", CALLS)
def test_a_float64_input_to_float32_weights_is_refused(op):
    x = np.ones(4)  # float64, NumPy's default
    with pytest.raises(TypeError, match=rf"{op}: the input has dtype float64 but \w+ has dtype "
                                        r"float32.*x\.astype\(np\.float32\).*for a float64 "
                                        r"model.*p\.data\.astype\(np\.float64\)"):
        CALLS[op](x, np.float32)
    with pytest.raises(TypeError, match=rf"{op}: the input has dtype float32 but \w+ has dtype "
                                        r"float64"):
        CALLS[op](Variable(f32(4)), np.float64)


@pytest.mark.parametrize("op", CALLS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matching_dtypes_work_and_are_kept(op, dtype):
    x = Variable(np.linspace(-1, 1, 4).astype(dtype))
    y = CALLS[op](x, dtype)
    assert y.dtype == dtype
    y.sum().backward()
    assert x.grad.dtype == dtype


def test_integer_images_and_python_lists_are_named_too():
    conv = nn.Conv2d(1, 2, 3)
    images = np.zeros((2, 1, 5, 5), np.uint8)
    with pytest.raises(TypeError, match=r"conv2d: the input has dtype uint8 but weight has dtype "
                                        r"float32.*x\.astype\(np\.float32\)$"):
        conv(images)
    with pytest.raises(TypeError, match="linear: the input has dtype float64"):
        nn.Linear(2, 1)([[1.0, 2.0]])


def test_layers_and_a_float64_model():
    x64 = np.random.default_rng(0).standard_normal((4, 3))
    model = nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 1))
    with pytest.raises(TypeError, match="linear: the input has dtype float64 but weight"):
        model(x64)
    assert model(x64.astype(np.float32)).dtype == np.float32
    for p in model.parameters():
        p.data = p.data.astype(np.float64)
    with pytest.raises(TypeError, match="batch_norm: .* running_mean has dtype float32"):
        model(x64)  # the buffers were left float32
    bn = model[1]
    bn.running_mean, bn.running_var = (b.astype(np.float64) for b in (bn.running_mean,
                                                                      bn.running_var))
    y = model(x64)
    y.sum().backward()
    assert y.dtype == np.float64 and all(p.grad.dtype == np.float64 for p in model.parameters())


def test_recurrent_layers_check_the_input_and_the_state():
    lstm = nn.LSTM(3, 4)
    x = np.zeros((2, 5, 3), np.float32)
    with pytest.raises(TypeError, match="linear: the input has dtype float64"):
        lstm(x.astype(np.float64))
    with pytest.raises(TypeError, match="linear: the input has dtype float64"):
        lstm(x, (np.zeros((2, 4)), np.zeros((2, 4), np.float32)))
    assert lstm(x)[0].dtype == np.float32
