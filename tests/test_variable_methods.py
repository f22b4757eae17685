"""The methods a PyTorch or NumPy user types without thinking: each the documented function,
differentiable where it should be, with PyTorch's dim/keepdim spellings accepted."""

import numpy as np
import pytest

import autograd_lite.functions as F
from autograd_lite import Variable
from autograd_lite.testing import gradcheck

X = np.array([[0.5, -1.5, 2.0], [3.0, 0.25, -0.75]])

METHODS = {  # method call -> the function it fronts
    "exp": (lambda v: v.exp(), F.exp), "log": (lambda v: abs(v).log(), lambda v: F.log(abs(v))),
    "sqrt": (lambda v: abs(v).sqrt(), lambda v: F.sqrt(abs(v))), "abs": (lambda v: v.abs(), F.abs),
    "tanh": (lambda v: v.tanh(), F.tanh), "sigmoid": (lambda v: v.sigmoid(), F.sigmoid),
    "relu": (lambda v: v.relu(), F.relu),
    "clip": (lambda v: v.clip(-1.0, 1.0), lambda v: F.clip(v, -1.0, 1.0)),
    "clamp": (lambda v: v.clamp(min=0.0), lambda v: F.clip(v, 0.0, None)),
    "softmax": (lambda v: v.softmax(dim=0), lambda v: F.softmax(v, axis=0)),
    "log_softmax": (lambda v: v.log_softmax(), F.log_softmax),
    "sum": (lambda v: v.sum(dim=1, keepdim=True), lambda v: F.sum(v, 1, True)),
    "mean": (lambda v: v.mean(axis=0), lambda v: F.mean(v, 0)),
    "var": (lambda v: v.var(dim=1), lambda v: F.var(v, 1)),
    "std": (lambda v: v.std(ddof=1), lambda v: F.std(v, ddof=1)),
    "prod": (lambda v: v.prod(dim=0), lambda v: F.prod(v, 0)),
    "norm": (lambda v: v.norm(), F.norm),
    "cumsum": (lambda v: v.cumsum(dim=1), lambda v: F.cumsum(v, 1)),
    "logsumexp": (lambda v: v.logsumexp(axis=1), lambda v: F.logsumexp(v, 1)),
    "flatten": (lambda v: v.flatten(), lambda v: F.reshape(v, (-1,))),
    "squeeze": (lambda v: v[None].squeeze(0), lambda v: v),
    "unsqueeze": (lambda v: v.unsqueeze(1), lambda v: F.expand_dims(v, 1)),
    "to": (lambda v: v.to(np.float64), lambda v: v),
    "clone": (lambda v: v.clone(), lambda v: v),
}


@pytest.mark.parametrize("name", sorted(METHODS))
def test_method_equals_its_function_and_is_differentiable(name):
    method, function = METHODS[name]
    x = Variable(X)
    np.testing.assert_allclose(method(x).data, function(Variable(X)).data)
    assert method(x).creator is not None
    assert gradcheck(method, X)


def test_max_min_with_dim_give_values_and_indices_as_pytorch():
    x = Variable(X)
    values, indices = x.max(dim=1)
    np.testing.assert_array_equal(values.data, X.max(axis=1))
    np.testing.assert_array_equal(indices, X.argmax(axis=1))
    assert x.min(dim=0).indices.tolist() == X.argmin(axis=0).tolist()
    np.testing.assert_array_equal(x.max(axis=1).data, X.max(axis=1))  # NumPy's: values only
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.data, X == X.max(axis=1, keepdims=True))


def test_argmax_argmin_are_plain_arrays():
    x = Variable(X)
    assert isinstance(x.argmax(), np.integer | np.ndarray) and x.argmax() == X.argmax()
    np.testing.assert_array_equal(x.argmin(dim=1), X.argmin(axis=1))


def test_axis_and_dim_together_are_refused():
    with pytest.raises(TypeError, match="axis= .* dim="):
        Variable(X).sum(axis=0, dim=1)


def test_float_double_and_to_cast_differentiably():
    x = Variable(X)
    y = x.float()
    assert y.dtype == np.float32 and x.double().dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float64


def test_leaf_flags_and_requires_grad_():
    x = Variable(np.arange(3.0), requires_grad=False)
    assert x.is_leaf and x.grad_fn is None
    assert x.requires_grad_() is x and x.requires_grad
    y = x * 2
    assert not y.is_leaf and y.grad_fn is y.creator
    with pytest.raises(RuntimeError, match="only a leaf"):
        y.requires_grad_(False)
    with pytest.raises(TypeError, match="int64 data cannot require"):
        Variable(np.arange(3)).requires_grad_()
