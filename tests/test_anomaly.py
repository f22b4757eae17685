"""detect_anomaly: NaN/Inf in forward or backward, and backward errors, name the op, the
shapes and the user's line; nothing is recorded or checked outside the context."""

import numpy as np
import pytest

import autograd_lite.functions as F
from autograd_lite import AnomalyError, Function, Variable, detect_anomaly

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


class Boom(Function):
    def forward(self, x):
        return x * 2

    def backward(self, gy):
        raise ValueError("boom")


def test_forward_nan_names_op_shapes_and_user_line():
    x = Variable(np.array([1.0, 0.0]))
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        F.log(x - x)  # the line that must be named
    message = str(info.value)
    assert "Log produced" in message and "(2,) float64" in message
    assert "test_anomaly.py" in message and "F.log(x - x)" in message


def test_backward_inf_names_the_op_and_where_it_was_created():
    x = Variable(np.array([1.0, 0.0]))
    with detect_anomaly():
        y = F.sqrt(x)
        with pytest.raises(AnomalyError, match=r"backward of Sqrt produced Inf.*y = F.sqrt\(x\)"):
            y.sum().backward()


def test_backward_error_is_traced_to_its_op():
    x = Variable(np.ones(3))
    with detect_anomaly():
        y = Boom()(x)
        with pytest.raises(AnomalyError, match=r"backward of Boom .* raised ValueError: boom"):
            y.sum().backward()


def test_off_by_default_records_nothing():
    x = Variable(np.array([0.0]))
    y = F.log(x)  # -inf, but no anomaly mode: no error, no record
    assert not hasattr(y.creator, "created_at")
    with pytest.raises(ValueError, match="boom"):
        Boom()(x).sum().backward()


def test_works_as_a_decorator_and_restores_the_mode():
    @detect_anomaly()
    def step(v):
        return F.log(v)

    with pytest.raises(AnomalyError):
        step(Variable(np.array([0.0])))
    F.log(Variable(np.array([0.0])))  # outside again: no error


def test_clean_computation_passes_under_anomaly_mode():
    x = Variable(np.array([1.0, 2.0]))
    with detect_anomaly():
        (F.tanh(x) * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, np.tanh(x.data) + x.data / np.cosh(x.data) ** 2)
