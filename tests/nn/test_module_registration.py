"""What Module refuses to register silently: plain containers of Modules or Parameters, and
register_parameter with something that is not a Parameter or a bad name."""

import numpy as np
import pytest

from autograd_lite import Variable, nn


class Holder(nn.Module):
    def __init__(self):
        super().__init__()


@pytest.mark.parametrize("value, holds, fix", [
    ([nn.Linear(2, 2), nn.ReLU()], "Modules", r"nn\.ModuleList"),
    ((nn.Linear(2, 2),), "Modules", r"nn\.ModuleList"),
    ({"enc": nn.Linear(2, 2)}, "Modules", r"nn\.ModuleDict"),
    ([nn.Parameter(np.zeros(2))], "Parameters", r"nn\.ParameterList"),
    ({"w": nn.Parameter(np.zeros(2))}, "Parameters", r"register_parameter\(key, p\)"),
    ([[nn.Linear(2, 2)], 3], "Modules", r"nn\.ModuleList"),  # nested
    ([nn.Linear(2, 2), nn.Parameter(np.zeros(2))], "Modules and Parameters", r"nn\.ModuleList"),
])
def test_a_plain_container_of_modules_or_parameters_is_refused(value, holds, fix):
    m = Holder()
    with pytest.raises(TypeError, match=rf"Holder: attribute 'layers' is a plain "
                                        rf"{type(value).__name__} holding {holds}.*{fix}"):
        m.layers = value
    assert not hasattr(m, "layers")  # nothing half-assigned
    assert list(m.parameters()) == []


def test_plain_containers_of_anything_else_are_fine():
    m = Holder()
    loop = [1]
    loop.append(loop)  # a container that holds itself is walked once
    m.sizes, m.names, m.cache, m.loop = [3, 4], ("a",), {"x": Variable(np.ones(2))}, loop
    assert m.sizes == [3, 4] and m.cache["x"].shape == (2,) and m.loop is loop
    m.sizes = []
    assert m.sizes == []


def test_register_parameter_accepts_parameters_and_none():
    m = Holder()
    p = nn.Parameter(np.ones(2, np.float32))
    m.register_parameter("w", p)
    m.register_parameter("b", None)
    assert m.w is p and m.b is None
    assert [n for n, _ in m.named_parameters()] == ["w"]
    m.register_parameter("w", nn.Parameter(np.zeros(3)))  # a parameter may be registered again
    assert m.w.shape == (3,)


@pytest.mark.parametrize("value, hint", [
    (5, r"got int \(wrap it: nn\.Parameter\(array\)\)"),
    (np.ones(2), r"got ndarray"),
    (Variable(np.ones(2)), r"got Variable \(wrap it: nn\.Parameter\(v\.data\)\)"),
])
def test_register_parameter_refuses_what_is_not_a_parameter(value, hint):
    m = Holder()
    with pytest.raises(TypeError, match=rf"Holder\.register_parameter: 'w' must be a "
                                        rf"Parameter or None, {hint}"):
        m.register_parameter("w", value)
    assert "w" not in dict(m.named_parameters())


@pytest.mark.parametrize("name, error, match", [
    ("", KeyError, "must be non-empty"),
    ("fc.weight", KeyError, r"contain no '\.'"),
    ("forward", KeyError, "already has an attribute 'forward'"),
    ("scale", KeyError, "already has an attribute 'scale'"),
    ("sub", KeyError, "already has an attribute 'sub'"),
    (3, TypeError, "the name must be a str, got int"),
])
def test_register_parameter_refuses_bad_names(name, error, match):
    m = Holder()
    m.scale = 2.0
    m.sub = nn.Linear(2, 2)
    with pytest.raises(error, match=match):
        m.register_parameter(name, nn.Parameter(np.ones(2)))
    assert m.scale == 2.0 and isinstance(m.sub, nn.Linear)
