"""``nn.init`` writes a parameter in place, and backward through an older graph refuses."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite.functions as F
from autograd_lite import nn

INITS = [
    lambda t: nn.init.uniform_(t, -0.5, 0.5),
    lambda t: nn.init.normal_(t, 0.0, 0.1),
    nn.init.zeros_,
    nn.init.ones_,
    nn.init.kaiming_uniform_,
    nn.init.kaiming_normal_,
    nn.init.xavier_uniform_,
    nn.init.xavier_normal_,
]
NAMES = ["uniform_", "normal_", "zeros_", "ones_", "kaiming_uniform_", "kaiming_normal_",
         "xavier_uniform_", "xavier_normal_"]


@pytest.mark.parametrize("init", INITS, ids=NAMES)
def test_init_of_a_parameter_in_a_live_graph_makes_backward_refuse(init):
    layer = nn.Linear(4, 3)
    loss = F.tanh(layer(np.ones((2, 4), np.float32))).sum()
    array = layer.weight.data
    assert init(layer.weight) is layer.weight
    assert layer.weight.data is array  # written in place, dtype kept
    assert layer.weight.dtype == np.float32
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


@pytest.mark.parametrize("init", INITS, ids=NAMES)
def test_init_before_the_forward_pass_is_fine(init):
    layer = nn.Linear(4, 3)
    init(layer.weight)
    loss = layer(np.ones((2, 4), np.float32)).sum()
    loss.backward()
    np.testing.assert_allclose(layer.weight.grad.data, np.full((3, 4), 2.0))


@pytest.mark.parametrize("init", INITS, ids=NAMES)
def test_init_of_a_plain_array_returns_it(init):
    array = np.full((3, 4), 7.0, np.float32)
    assert init(array) is array
    assert array.dtype == np.float32
