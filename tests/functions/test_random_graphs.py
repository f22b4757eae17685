"""Random expression graphs, gradient-checked whole: random ops from the library, broadcasting
between inputs of different shapes, and intermediate values reused several times (fan-out and
fan-in through every op's formula and the engine's accumulation)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite.functions as F
from autograd_lite.testing import gradcheck, gradgradcheck
from autograd_lite.testing import strategies as ast

# Smooth everywhere and tame in value, so any composition stays a fair gradient check.
UNARY = {
    "tanh": F.tanh, "sin": F.sin, "cos": F.cos, "sigmoid": F.sigmoid, "softplus": F.softplus,
    "gelu": F.gelu, "erf": F.erf, "square": lambda v: v * v, "neg": F.neg,
    "exp_tanh": lambda v: F.exp(F.tanh(v)), "log_1p_sq": lambda v: F.log(1 + v * v),
    "sqrt_1p_sq": lambda v: F.sqrt(1 + v * v),
    "softmax": lambda v: F.softmax(v, axis=-1) if v.ndim else v,
    "sum_keep": lambda v: F.sum(v, axis=-1, keepdims=True) if v.ndim else v,
    "mean_keep": lambda v: F.mean(v, axis=0, keepdims=True) if v.ndim else v,
    "lse_keep": lambda v: F.logsumexp(v, axis=-1, keepdims=True) if v.ndim else v,
}
BINARY = {
    "add": F.add, "sub": F.sub, "mul": F.mul,
    "div_safe": lambda a, b: a / (1 + b * b),
    "pow_safe": lambda a, b: (1 + a * a) ** F.tanh(b),
}


@st.composite
def programs(draw):
    shapes = draw(ast.broadcastable_shapes(draw(st.integers(1, 3)), max_dims=2, max_side=3))
    inputs = [draw(ast.arrays(s, low=-1.5, high=1.5)) for s in shapes]
    steps = []
    for _ in range(draw(st.integers(1, 8))):
        n_values = len(inputs) + len(steps)
        if draw(st.booleans()):
            name = draw(st.sampled_from(sorted(UNARY)))
            steps.append((name, (draw(st.integers(0, n_values - 1)),)))
        else:
            name = draw(st.sampled_from(sorted(BINARY)))
            steps.append((name, (draw(st.integers(0, n_values - 1)),
                                 draw(st.integers(0, n_values - 1)))))
    return inputs, steps


def run(steps, *xs):
    values = list(xs)
    for name, args in steps:
        fn = UNARY.get(name) or BINARY[name]
        values.append(fn(*[values[i] for i in args]))
    # every value feeds the result, so unused branches are checked too (and reused once more)
    return sum(v.sum() if hasattr(v, "sum") else v for v in values[len(xs):])


@given(programs())
def test_random_expression_gradcheck(program):
    inputs, steps = program
    assert gradcheck(lambda *xs: run(steps, *xs), *inputs)


@given(programs())
def test_random_expression_gradgradcheck(program):
    inputs, steps = program
    assert gradgradcheck(lambda *xs: run(steps, *xs), *inputs, atol=1e-4)


def test_random_graphs_can_fail():
    """The check is live: a program with a wrong formula in it is caught."""
    from autograd_lite.core import Function

    class WrongSin(Function):
        def forward(self, x):
            return np.sin(x)

        def backward(self, gy):
            return gy * F.sin(self.inputs[0])  # should be cos

    UNARY["wrong"] = lambda v: WrongSin()(v)
    try:
        x = np.array([0.3, -0.7])
        try:
            gradcheck(lambda v: run([("wrong", (0,)), ("mul", (0, 1))], v), x)
        except AssertionError:
            return
        raise AssertionError("a wrong gradient went unnoticed")
    finally:
        del UNARY["wrong"]
