"""Converters of the arithmetic, elementwise, reduction, softmax and matrix-product Functions.

Binary ops cast both inputs to the output's dtype (NumPy promotes, ONNX wants equal types);
Python numbers become constants of that dtype. Ops ONNX lacks are written with the ones it has
(``log1p(x)`` as ``log(1 + x)``, GELU with Erf, ...).
"""

from __future__ import annotations

import math

import numpy as np

import autograd_lite.functions as F
from autograd_lite.onnx.convert import Context, converts

_BINARY = {F.Add: "Add", F.Sub: "Sub", F.Mul: "Mul", F.Div: "Div", F.Maximum: "Max",
           F.Minimum: "Min"}
_UNARY = {F.Neg: "Neg", F.Exp: "Exp", F.Log: "Log", F.Sqrt: "Sqrt", F.Abs: "Abs",
          F.Sin: "Sin", F.Cos: "Cos", F.Tanh: "Tanh", F.Sigmoid: "Sigmoid", F.ReLU: "Relu",
          F.Softplus: "Softplus", F.Erf: "Erf", F.Tan: "Tan", F.Arcsin: "Asin",
          F.Arccos: "Acos", F.Arctan: "Atan", F.Sinh: "Sinh", F.Cosh: "Cosh",
          F.Arcsinh: "Asinh", F.Arccosh: "Acosh", F.Arctanh: "Atanh"}


def _binary(ctx: Context) -> str:
    dtype = ctx.out_dtype()
    return ctx.op(_BINARY[type(ctx.fn)], [ctx.input(0, dtype), ctx.input(1, dtype)])


def _unary(ctx: Context) -> str:
    return ctx.op(_UNARY[type(ctx.fn)], [ctx.input(0, ctx.out_dtype())])


for _cls in _BINARY:
    converts(_cls)(_binary)
for _cls in _UNARY:
    converts(_cls)(_unary)


@converts(F.Pow)
def _pow(ctx: Context) -> str:
    dtype = ctx.out_dtype()
    p = ctx.value(1)
    if isinstance(p, (int, float)):  # x**2 and x**0.5 as exact products and roots
        base = ctx.input(0, dtype)
        if p == 1:
            return ctx.op("Identity", [base])
        if p == 2:
            return ctx.op("Mul", [base, base])
        if p == 0.5:
            return ctx.op("Sqrt", [base])
        if p == -0.5:
            return ctx.op("Reciprocal", [ctx.op("Sqrt", [base])])
    return ctx.op("Pow", [ctx.input(0, dtype), ctx.input(1, dtype)])


@converts(F.AsType)
def _astype(ctx: Context) -> str:
    return ctx.b.cast(ctx.input(0), ctx.out_dtype())


@converts(F.LeakyReLU)
def _leaky_relu(ctx: Context) -> str:
    return ctx.op("LeakyRelu", [ctx.input(0)], alpha=float(ctx.fn.slope))


@converts(F.Clip)
def _clip(ctx: Context) -> str:
    x, dtype = ctx.input(0, ctx.out_dtype()), ctx.out_dtype()
    lo, hi = ctx.fn.lo, ctx.fn.hi
    if np.ndim(lo) == 0 and np.ndim(hi) == 0:
        bounds = ["" if b is None else ctx.scalar(b) for b in (lo, hi)]
        return ctx.op("Clip", [x] + bounds)
    if lo is not None:  # array bounds: Clip takes scalars only
        x = ctx.op("Max", [x, ctx.const(lo, dtype)])
    if hi is not None:
        x = ctx.op("Min", [x, ctx.const(hi, dtype)])
    return x


@converts(F.Where)
def _where(ctx: Context) -> str:
    dtype = ctx.out_dtype()
    cond = ctx.const(np.asarray(ctx.fn.cond, dtype=bool))
    return ctx.op("Where", [cond, ctx.input(0, dtype), ctx.input(1, dtype)])


# -- functions ONNX lacks, composed
@converts(F.Log1p)
def _log1p(ctx: Context) -> str:
    return ctx.op("Log", [ctx.op("Add", [ctx.input(0), ctx.scalar(1)])])


@converts(F.Expm1)
def _expm1(ctx: Context) -> str:
    return ctx.op("Sub", [ctx.op("Exp", [ctx.input(0)]), ctx.scalar(1)])


@converts(F.Exp2)
def _exp2(ctx: Context) -> str:
    return ctx.op("Pow", [ctx.scalar(2), ctx.input(0, ctx.out_dtype())])


@converts(F.Log2, F.Log10)
def _log_base(ctx: Context) -> str:
    base = 2 if isinstance(ctx.fn, F.Log2) else 10
    return ctx.op("Div", [ctx.op("Log", [ctx.input(0)]), ctx.scalar(math.log(base))])


@converts(F.LogAddExp)
def _logaddexp(ctx: Context) -> str:
    dtype = ctx.out_dtype()
    a, b = ctx.input(0, dtype), ctx.input(1, dtype)
    top = ctx.op("Max", [a, b])
    # max + log(1 + exp(-|a - b|)): never overflows
    gap = ctx.op("Neg", [ctx.op("Abs", [ctx.op("Sub", [a, b])])])
    return ctx.op("Add", [top, ctx.op("Log", [ctx.op("Add", [ctx.scalar(1),
                                                               ctx.op("Exp", [gap])])])])


@converts(F.Arctan2)
def _arctan2(ctx: Context) -> str:
    dtype = ctx.out_dtype()
    y, x = ctx.input(0, dtype), ctx.input(1, dtype)
    zero = ctx.scalar(0)
    base = ctx.op("Atan", [ctx.op("Div", [y, x])])
    # x < 0: add pi with the sign of y (y = 0 counts as positive, as NumPy for +0.0)
    turn = ctx.op("Where", [ctx.op("Less", [y, zero]), ctx.scalar(-math.pi),
                            ctx.scalar(math.pi)])
    left = ctx.op("Add", [base, turn])
    out = ctx.op("Where", [ctx.op("Less", [x, zero]), left, base])
    # x == 0: +-pi/2 by the sign of y
    side = ctx.op("Mul", [ctx.op("Sign", [y]), ctx.scalar(math.pi / 2)])
    return ctx.op("Where", [ctx.op("Equal", [x, zero]), side, out])


def _normal_cdf(ctx: Context, x: str) -> str:
    """``(1 + erf(x / sqrt 2)) / 2``."""
    erf = ctx.op("Erf", [ctx.op("Mul", [x, ctx.scalar(1 / math.sqrt(2))])])
    return ctx.op("Mul", [ctx.op("Add", [erf, ctx.scalar(1)]), ctx.scalar(0.5)])


@converts(F.Ndtr)
def _ndtr(ctx: Context) -> str:
    return _normal_cdf(ctx, ctx.input(0, ctx.out_dtype()))


@converts(F.Gelu)
def _gelu(ctx: Context) -> str:
    x = ctx.input(0)
    return ctx.op("Mul", [x, _normal_cdf(ctx, x)])


@converts(F.GeluTanh)
def _gelu_tanh(ctx: Context) -> str:
    x = ctx.input(0)
    cube = ctx.op("Mul", [ctx.op("Mul", [x, x]), x])
    inner = ctx.op("Add", [x, ctx.op("Mul", [cube, ctx.scalar(0.044715)])])
    t = ctx.op("Tanh", [ctx.op("Mul", [inner, ctx.scalar(math.sqrt(2 / math.pi))])])
    half = ctx.op("Mul", [x, ctx.scalar(0.5)])
    return ctx.op("Mul", [half, ctx.op("Add", [t, ctx.scalar(1)])])


# -- reductions
def _axes(ctx: Context) -> list[int] | None:
    axis = ctx.fn.axis
    return None if axis is None else [a % max(len(ctx.shape(0)), 1) for a in axis]


_REDUCE = {F.Sum: "ReduceSum", F.Mean: "ReduceMean", F.Max: "ReduceMax", F.Min: "ReduceMin",
           F.Prod: "ReduceProd"}


@converts(*_REDUCE)
def _reduce(ctx: Context) -> str:
    x = ctx.input(0)
    if ctx.dtype(0) != ctx.out_dtype():
        x = ctx.b.cast(x, ctx.out_dtype())
    if not ctx.shape(0):  # a 0-d input: NumPy's reductions give it back
        return ctx.op("Identity", [x])
    return ctx.b.reduce(_REDUCE[type(ctx.fn)], x, _axes(ctx), ctx.fn.keepdims)


def _count(ctx: Context, axes: list[int] | None, what: str) -> int:
    shape = ctx.static(ctx.shape(0) if axes is None else
                       tuple(ctx.shape(0)[a] for a in axes), f"the {what}'s reduced size")
    return math.prod(shape)


@converts(F.Var, F.Std)
def _var(ctx: Context) -> str:
    x, axes = ctx.input(0, ctx.out_dtype()), _axes(ctx)
    n = _count(ctx, axes, "variance")
    centered = ctx.op("Sub", [x, ctx.b.reduce("ReduceMean", x, axes, True)])
    total = ctx.b.reduce("ReduceSum", ctx.op("Mul", [centered, centered]), axes,
                         ctx.fn.keepdims)
    var = ctx.op("Div", [total, ctx.scalar(max(n - ctx.fn.ddof, 0))])
    return ctx.op("Sqrt", [var]) if isinstance(ctx.fn, F.Std) else var


@converts(F.LogSumExp)
def _logsumexp(ctx: Context) -> str:
    x, axes, keep = ctx.input(0, ctx.out_dtype()), _axes(ctx), ctx.fn.keepdims
    top = ctx.b.reduce("ReduceMax", x, axes, True)
    total = ctx.b.reduce("ReduceSum", ctx.op("Exp", [ctx.op("Sub", [x, top])]), axes, keep)
    if not keep:
        top = ctx.b.squeeze(top, list(range(len(ctx.shape(0)))) if axes is None else axes)
    return ctx.op("Add", [ctx.op("Log", [total]), top])


@converts(F.PNorm)
def _pnorm(ctx: Context) -> str:
    x, axes, keep, p = ctx.input(0, ctx.out_dtype()), _axes(ctx), ctx.fn.keepdims, ctx.fn.p
    if p == 2:
        return ctx.b.reduce("ReduceL2", x, axes, keep)
    if p == 1:
        return ctx.b.reduce("ReduceL1", x, axes, keep)
    powered = ctx.op("Pow", [ctx.op("Abs", [x]), ctx.scalar(p)])
    return ctx.op("Pow", [ctx.b.reduce("ReduceSum", powered, axes, keep), ctx.scalar(1 / p)])


@converts(F.CumSum)
def _cumsum(ctx: Context) -> str:
    return ctx.op("CumSum", [ctx.input(0), ctx.const(np.int64(ctx.fn.axis))])


@converts(F.Softmax, F.LogSoftmax)
def _softmax(ctx: Context) -> str:
    op = "Softmax" if isinstance(ctx.fn, F.Softmax) else "LogSoftmax"
    x = ctx.input(0, ctx.out_dtype())
    if not ctx.shape(0):  # 0-d: a softmax over its one element
        return ctx.b.squeeze(ctx.op(op, [ctx.b.unsqueeze(x, [0])], axis=0), [0])
    return ctx.op(op, [x], axis=int(ctx.fn.axis))


# -- matrix products
@converts(F.MatMul)
def _matmul(ctx: Context) -> str:
    dtype = ctx.out_dtype()
    return ctx.op("MatMul", [ctx.input(0, dtype), ctx.input(1, dtype)])


@converts(F.Linear)
def _linear(ctx: Context) -> str:
    dtype = ctx.out_dtype()
    x, W = ctx.input(0, dtype), ctx.input(1, dtype)
    b = ctx.input(2, dtype) if ctx.n_inputs() > 2 else None
    if len(ctx.shape(0)) == 2:  # one Gemm: x @ W.T + b
        return ctx.op("Gemm", [x, W] + ([b] if b else []), transB=1)
    y = ctx.op("MatMul", [x, ctx.op("Transpose", [W], perm=[1, 0])])
    return ctx.op("Add", [y, b]) if b else y


@converts(F.Einsum)
def _einsum(ctx: Context) -> str:
    dtype = ctx.out_dtype()
    equation = ",".join(ctx.fn.inputs_subscripts) + "->" + ctx.fn.output_subscripts
    return ctx.op("Einsum", [ctx.input(i, dtype) for i in range(ctx.n_inputs())],
                  equation=equation)


@converts(F.CrossEntropy)
def _cross_entropy(ctx: Context) -> str:
    labels = ctx.array(ctx.fn.t, np.int64)
    return ctx.op("SoftmaxCrossEntropyLoss", [ctx.input(0), labels], reduction="mean")


@converts(F.Huber)
def _huber(ctx: Context) -> str:
    dtype = ctx.out_dtype()
    delta = ctx.scalar(ctx.fn.delta)
    a = ctx.op("Abs", [ctx.op("Sub", [ctx.input(0, dtype), ctx.input(1, dtype)])])
    q = ctx.op("Min", [a, delta])
    quadratic = ctx.op("Mul", [ctx.op("Mul", [q, q]), ctx.scalar(0.5)])
    loss = ctx.op("Add", [quadratic, ctx.op("Mul", [delta, ctx.op("Sub", [a, q])])])
    if ctx.fn.reduction == "none":
        return loss
    if not ctx.shape(0):  # 0-d: nothing to reduce
        return ctx.op("Identity", [loss])
    op = "ReduceMean" if ctx.fn.reduction == "mean" else "ReduceSum"
    return ctx.b.reduce(op, loss, None, False)


@converts(F.BinaryCrossEntropy)
def _binary_cross_entropy(ctx: Context) -> str:
    """``-(t max(log p, -100) + (1 - t) max(log(1 - p), -100))``, elementwise."""
    dtype = ctx.out_dtype()
    p, t = ctx.input(0, dtype), ctx.input(1, dtype)
    floor, one = ctx.scalar(-100.0), ctx.scalar(1.0)
    log_p = ctx.op("Max", [ctx.op("Log", [p]), floor])
    log_q = ctx.op("Max", [ctx.op("Log", [ctx.op("Sub", [one, p])]), floor])
    total = ctx.op("Add", [ctx.op("Mul", [t, log_p]),
                           ctx.op("Mul", [ctx.op("Sub", [one, t]), log_q])])
    return ctx.op("Neg", [total])
