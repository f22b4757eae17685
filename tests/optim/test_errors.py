"""Bad hyper-parameters and bad parameter lists give clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from autograd_lite.optim import SGD, Adagrad, Adam, AdamW, RMSprop

from autograd_lite import Variable


def param(shape=(2,), name=None):
    return Variable(np.zeros(shape), name=name)


@pytest.mark.parametrize(
    "cls, kwargs, message",
    [
        (SGD, dict(lr=-0.1), "SGD: invalid lr: -0.1"),
        (SGD, dict(lr="0.1"), "SGD: invalid lr: '0.1'"),
        (SGD, dict(lr=float("nan")), "SGD: invalid lr: nan"),
        (SGD, dict(lr=0.1, momentum=-0.9), "SGD: invalid momentum: -0.9"),
        (SGD, dict(lr=0.1, dampening=1.5), r"SGD: invalid dampening: 1.5 .*in \[0.0, 1.0\]"),
        (SGD, dict(lr=0.1, weight_decay=-1), "SGD: invalid weight_decay: -1"),
        (SGD, dict(lr=0.1, nesterov=True), "nesterov=True needs momentum > 0"),
        (SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "dampening=0.1"),
        (Adagrad, dict(lr_decay=-0.1), "Adagrad: invalid lr_decay: -0.1"),
        (Adagrad, dict(eps=-1e-10), "Adagrad: invalid eps: -1e-10"),
        (Adagrad, dict(initial_accumulator_value=-1.0), "invalid initial_accumulator_value: -1"),
        (RMSprop, dict(alpha=1.5), "RMSprop: invalid alpha: 1.5"),
        (RMSprop, dict(momentum=-0.5), "RMSprop: invalid momentum: -0.5"),
        (RMSprop, dict(eps=-1.0), "RMSprop: invalid eps: -1.0"),
        (Adam, dict(betas=(1.0, 0.999)), r"Adam: invalid betas\[0\]: 1.0 .*in \[0.0, 1.0\)"),
        (Adam, dict(betas=(0.9, -0.1)), r"Adam: invalid betas\[1\]: -0.1"),
        (Adam, dict(betas=(0.9,)), r"Adam: invalid betas: \(0.9,\)"),
        (Adam, dict(eps=-1e-8), "Adam: invalid eps: -1e-08"),
        (Adam, dict(lr=-1e-3), "Adam: invalid lr: -0.001"),
        (AdamW, dict(weight_decay=-0.01), "AdamW: invalid weight_decay: -0.01"),
        (AdamW, dict(betas=(0.9, 1.0)), r"AdamW: invalid betas\[1\]: 1.0"),
    ],
)
def test_bad_hyperparameters_are_named(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls([param()], **kwargs)


def test_bad_group_override_is_named():
    with pytest.raises(ValueError, match="Adam: invalid lr: -1"):
        Adam([{"params": [param()]}, {"params": [param()], "lr": -1}])
    opt = SGD([param()], lr=0.1)
    with pytest.raises(ValueError, match="SGD: invalid momentum: -2"):
        opt.add_param_group({"params": [param()], "momentum": -2})
    assert len(opt.param_groups) == 1


def test_empty_parameter_list():
    with pytest.raises(ValueError, match="empty parameter list"):
        Adam([])


def test_single_variable_instead_of_a_list():
    with pytest.raises(TypeError, match=r"single Variable; pass \[variable\]"):
        SGD(param(), lr=0.1)


def test_set_of_parameters_is_refused():
    with pytest.raises(TypeError, match="not a set"):
        SGD({param(), param()}, lr=0.1)


def test_non_variable_parameter():
    with pytest.raises(TypeError, match="can only optimize Variables, got ndarray at position 1"):
        SGD([param(), np.zeros(2)], lr=0.1)


def test_duplicate_parameter_in_one_list():
    w = param(name="w")
    with pytest.raises(ValueError, match="parameter 'w' appears more than once"):
        SGD([w, param(), w], lr=0.1)


def test_duplicate_parameter_across_groups():
    w = param(name="w")
    with pytest.raises(ValueError, match="'w' appears more than once"):
        Adam([{"params": [w]}, {"params": [param(), w]}])
    opt = Adam([w])
    with pytest.raises(ValueError, match="appears more than once"):
        opt.add_param_group({"params": [w]})
    assert len(opt.param_groups) == 1


def test_group_without_params():
    opt = SGD([param()], lr=0.1)
    with pytest.raises(ValueError, match="'params' entry"):
        opt.add_param_group({"lr": 0.1})
    with pytest.raises(TypeError, match="must be a dict"):
        opt.add_param_group([param()])


def test_non_leaf_parameter():
    x = param()
    y = x * 2.0
    with pytest.raises(ValueError, match="not a leaf"):
        SGD([y], lr=0.1)


def test_gradient_of_the_wrong_shape():
    w = param((2, 3), name="w")
    opt = Adam([w])
    w.grad = Variable(np.ones((3, 2)), requires_grad=False)
    with pytest.raises(ValueError, match=r"gradient of parameter 'w' has shape \(3, 2\).*\(2, 3\)"):
        opt.step()
