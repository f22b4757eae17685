"""NumPy's own functions called on Variables: differentiable where autograd_lite has the
function (the value is NumPy's, the gradient checked numerically), constants where the gradient
is zero, and otherwise a TypeError that names the NumPy function in full, the argument that is
not supported, and the alternative."""

import math

import numpy as np
import pytest

from autograd_lite import Variable
from autograd_lite.testing import gradcheck, gradgradcheck

RNG = np.random.default_rng(0)


def normal(*shape):
    return RNG.standard_normal(shape)


def positive(*shape):
    return RNG.uniform(0.5, 2.0, shape)


def inside(*shape):
    """Inside (-0.9, 0.9): arcsin, arccos, arctanh."""
    return RNG.uniform(-0.9, 0.9, shape)


M23, M34, M33, V3 = normal(2, 3), normal(3, 4), normal(3, 3), normal(3)
WITH_ZEROS = np.array([[0.0, 2.0, 0.0, 3.0], [0.0, 2.0, 5.0, 3.0], [1.5, -2.0, 3.0, 0.5]])

# name -> (a function of Variables calling NumPy, its float inputs)
CALLS = {
    "dot": (lambda a, b: np.dot(a, b), (M23, M34)),
    "dot:nd": (lambda a, b: np.dot(a, b), (M23, normal(2, 3, 4))),
    "dot:ndarray_left": (lambda b: np.dot(M23, b), (M34,)),
    "linalg.norm": (lambda x: np.linalg.norm(x), (M34,)),
    "linalg.norm:axis": (lambda x: np.linalg.norm(x, axis=1, keepdims=True), (M34,)),
    "linalg.norm:ord1": (lambda x: np.linalg.norm(x, 1, axis=0), (M34,)),
    "linalg.norm:inf": (lambda x: np.linalg.norm(x, np.inf), (V3,)),
    "linalg.norm:fro": (lambda x: np.linalg.norm(x, "fro"), (M34,)),
    "linalg.norm:matrix_inf": (lambda x: np.linalg.norm(x, np.inf), (M34,)),
    "std": (lambda x: np.std(x), (M34,)),
    "std:ddof": (lambda x: np.std(x, axis=1, ddof=1), (M34,)),
    "var:correction": (lambda x: np.var(x, axis=0, correction=1), (M34,)),
    "einsum": (lambda a, b: np.einsum("ij,jk->ik", a, b), (M23, M34)),
    "einsum:implicit": (lambda a, b: np.einsum("ij,jk", a, b), (M23, M34)),
    "einsum:three": (lambda a, b, c: np.einsum("ij,jk,kl->il", a, b, c, optimize=True),
                     (M23, M34, normal(4, 2))),
    "einsum:trace": (lambda a: np.einsum("ii", a), (M33,)),
    "einsum:sublist": (lambda a, b: np.einsum(a, [0, 1], b, [1, 2], [0, 2]), (M23, M34)),
    "einsum:ellipsis": (lambda a, b: np.einsum("...ij,...jk->...ik", a, b),
                        (normal(2, 2, 3), M34)),
    "prod": (lambda x: np.prod(x), (M23,)),
    "prod:zeros": (lambda x: np.prod(x, axis=1), (WITH_ZEROS,)),
    "cumsum": (lambda x: np.cumsum(x), (M23,)),
    "cumsum:axis": (lambda x: np.cumsum(x, axis=0), (M23,)),
    "add.accumulate": (lambda x: np.add.accumulate(x), (M23,)),
    "add.reduce": (lambda x: np.add.reduce(x), (M23,)),
    "multiply.reduce": (lambda x: np.multiply.reduce(x, axis=1), (M23,)),
    "maximum.reduce": (lambda x: np.maximum.reduce(x, axis=None), (M23,)),
    "multiply.outer": (lambda a, b: np.multiply.outer(a, b), (V3, M23)),
    "squeeze": (lambda x: np.squeeze(x), (normal(1, 3, 1),)),
    "expand_dims": (lambda x: np.expand_dims(x, (0, -1)), (M23,)),
    "moveaxis": (lambda x: np.moveaxis(x, 0, -1), (normal(2, 3, 4),)),
    "tensordot": (lambda a, b: np.tensordot(a, b, axes=1), (M23, M34)),
    "outer": (lambda a, b: np.outer(a, b), (V3, M23)),
    "inner": (lambda a, b: np.inner(a, b), (M23, M23)),
    "vdot": (lambda a, b: np.vdot(a, b), (M23, M23)),
    "trace": (lambda x: np.trace(x), (M34,)),
    "diagonal": (lambda x: np.diagonal(x, 1), (M34,)),
    "flip": (lambda x: np.flip(x, 1), (M23,)),
    "roll": (lambda x: np.roll(x, 2), (M23,)),
    "tile": (lambda x: np.tile(x, (2, 1)), (M23,)),
    "repeat": (lambda x: np.repeat(x, 2, axis=1), (M23,)),
    "ravel": (lambda x: np.ravel(x), (M23,)),
    "take": (lambda x: np.take(x, [2, 0, 2]), (M23,)),
    "take_along_axis": (lambda x: np.take_along_axis(x, np.argsort(np.asarray(x), axis=1), axis=1),
                        (M23,)),
    "sort": (lambda x: np.sort(x, axis=0), (M23,)),
    "diff": (lambda x: np.diff(x, axis=1), (M23,)),
    "average": (lambda x, w: np.average(x, axis=1, weights=w), (M23, positive(3))),
    "hstack": (lambda a, b: np.hstack([a, b]), (M23, M23)),
    "vstack": (lambda a, b: np.vstack((a, b)), (V3, M23)),
    "dstack": (lambda a, b: np.dstack([a, b]), (M23, M23)),
    "column_stack": (lambda a, b: np.column_stack([a, b]), (normal(2), M23)),
    "atleast_2d": (lambda x: np.atleast_2d(x), (V3,)),
    "atleast_3d": (lambda a, b: np.atleast_3d(a, b)[1], (V3, M23)),
    "concatenate:none": (lambda a, b: np.concatenate([a, b], axis=None), (M23, V3)),
    "pad": (lambda x: np.pad(x, 1, constant_values=2.0), (M23,)),
    "clip:learned_bounds": (lambda x, lo: np.clip(x, lo, 1.0), (M23, normal(3) * 0.1)),
    "where": (lambda a, b: np.where(np.asarray(a) > 0, a, b), (M23, M23)),
    "square": (lambda x: np.square(x), (M23,)),
    "reciprocal": (lambda x: np.reciprocal(x), (positive(2, 3),)),
    "log1p": (lambda x: np.log1p(x), (positive(2, 3),)),
    "expm1": (lambda x: np.expm1(x), (M23,)),
    "exp2": (lambda x: np.exp2(x), (M23,)),
    "log2": (lambda x: np.log2(x), (positive(2, 3),)),
    "log10": (lambda x: np.log10(x), (positive(2, 3),)),
    "logaddexp": (lambda a, b: np.logaddexp(a, b), (M23, V3)),
    "tan": (lambda x: np.tan(x), (inside(2, 3),)),
    "arctan": (lambda x: np.arctan(x), (M23,)),
    "arctan2": (lambda a, b: np.arctan2(a, b), (positive(2, 3), M23)),
    "sinh": (lambda x: np.sinh(x), (M23,)),
    "cosh": (lambda x: np.cosh(x), (M23,)),
    "arcsin": (lambda x: np.arcsin(x), (inside(2, 3),)),
    "arccos": (lambda x: np.arccos(x), (inside(2, 3),)),
    "arcsinh": (lambda x: np.arcsinh(x), (M23,)),
    "arccosh": (lambda x: np.arccosh(x), (positive(2, 3) + 1,)),
    "arctanh": (lambda x: np.arctanh(x), (inside(2, 3),)),
    "sum:explicit_defaults": (lambda x: np.sum(x, axis=0, dtype=None, out=None, where=True),
                              (M23,)),
}
if hasattr(np, "vecdot"):
    CALLS["vecdot"] = (lambda a, b: np.vecdot(a, b), (M23, V3))
    CALLS["linalg.vector_norm"] = (lambda x: np.linalg.vector_norm(x, keepdims=True), (M23,))
    CALLS["linalg.matrix_norm"] = (lambda x: np.linalg.matrix_norm(x, ord=1), (M34,))
    CALLS["linalg.matmul"] = (lambda a, b: np.linalg.matmul(a, b), (M23, M34))


def _plain(fn, arrays):
    """The same call on plain ndarrays: NumPy's own answer."""
    return fn(*arrays)


def _variables(arrays):
    return [Variable(a.copy()) for a in arrays]


@pytest.mark.parametrize("name", sorted(CALLS))
def test_numpy_call_is_differentiable(name):
    fn, arrays = CALLS[name]
    out = fn(*_variables(arrays))
    assert isinstance(out, Variable), f"np.{name} gave {type(out).__name__}"
    assert out.requires_grad
    expected = np.asarray(_plain(fn, arrays))
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(fn, *arrays)


@pytest.mark.parametrize("name", ["einsum", "einsum:trace", "prod:zeros", "linalg.norm",
                                  "std:ddof", "cumsum", "tan", "logaddexp"])
def test_numpy_call_second_derivative(name):
    fn, arrays = CALLS[name]
    assert gradgradcheck(fn, *arrays)


def test_prod_gradient_at_zeros_is_the_product_of_the_others():
    x = Variable(WITH_ZEROS)
    np.prod(x, axis=1).sum().backward()
    # two zeros: every partial product has a zero; one zero: only it gets 2 * 5 * 3
    np.testing.assert_array_equal(x.grad.data[0], [0, 0, 0, 0])
    np.testing.assert_array_equal(x.grad.data[1], [30, 0, 0, 0])
    np.testing.assert_allclose(x.grad.data[2], WITH_ZEROS[2].prod() / WITH_ZEROS[2])


def test_norm_of_zero_vector_has_gradient_zero():
    for ord_ in (None, 2, 1, 3):
        x = Variable(np.zeros(3))
        np.linalg.norm(x, ord_).backward()
        np.testing.assert_array_equal(x.grad.data, 0.0)


@pytest.mark.parametrize("call", [
    lambda x: np.round(x), lambda x: np.around(x, 1), lambda x: np.floor(x),
    lambda x: np.floor_divide(x, 2.0), lambda x: np.searchsorted(np.sort(np.asarray(x).ravel()), x),
    lambda x: np.argwhere(x), lambda x: np.isin(x, [0.0]),
])
def test_piecewise_constant_calls_give_plain_arrays(call):
    x = Variable(M23)
    out = call(x)
    assert not isinstance(out, Variable)
    np.testing.assert_array_equal(out, call(M23))


@pytest.mark.parametrize("call, message", [
    (lambda x: np.linalg.svd(x), r"^np\.linalg\.svd is not differentiable"),
    (lambda x: np.linalg.inv(x[:2, :2]), r"^np\.linalg\.inv is not differentiable"),
    (lambda x: np.fft.fft(x), r"^np\.fft\.fft is not differentiable"),
    (lambda x: np.cumprod(x), r"np\.cumprod .* F\.exp\(F\.cumsum\(F\.log\(x\), axis\)\)"),
    (lambda x: np.median(x), r"np\.median .* F\.sort"),
    (lambda x: np.nansum(x), r"np\.nansum .*F\.where"),
    (lambda x: np.fmax(x, 0.0), r"np\.fmax .* F\.maximum"),
    (lambda x: np.add.at(x, 0, 1.0), r"^np\.add\.at is not differentiable"),
    (lambda x: np.subtract.reduce(x), r"^np\.subtract\.reduce is not differentiable"),
])
def test_unsupported_functions_are_named_in_full(call, message):
    with pytest.raises(TypeError, match=message):
        call(Variable(M23))


@pytest.mark.parametrize("call, message", [
    (lambda x: np.mean(x, dtype=np.float32), r"np\.mean\(\.\.\., dtype=float32\).*astype"),
    (lambda x: np.sum(x, where=x.data > 0), r"np\.sum\(\.\.\., where=<ndarray of shape "
                                             r"\(2, 3\)>\).*F\.where"),
    (lambda x: np.max(x, initial=0.0), r"np\.max\(\.\.\., initial=0\.0\)"),
    (lambda x: np.exp(x, out=np.empty((2, 3))), r"np\.exp\(\.\.\., out=.*returned Variable"),
    (lambda x: np.add.reduce(x, dtype=np.float32), r"np\.add\.reduce\(\.\.\., dtype"),
    (lambda x: np.ravel(x, order="F"), r"np\.ravel\(\.\.\., order='F'\)"),
    (lambda x: np.pad(x, 1, mode="reflect"), r"np\.pad\(\.\.\., mode='reflect'\)"),
    (lambda x: np.average(x, returned=True), r"np\.average\(\.\.\., returned=True\)"),
])
def test_unsupported_arguments_are_named(call, message):
    with pytest.raises(TypeError, match=message):
        call(Variable(M23))


def test_matrix_norms_that_need_singular_values_name_the_alternatives():
    with pytest.raises(NotImplementedError, match=r"norm: the matrix norm ord=2 .* ord='fro'"):
        np.linalg.norm(Variable(M23), 2)


def test_einsum_errors_name_the_subscripts():
    with pytest.raises(ValueError, match=r"einsum: 1 subscript terms in 'ij' for 2 operands"):
        np.einsum("ij", Variable(M23), M23)
    with pytest.raises(ValueError, match=r"einsum: .*'\.\.\.' in the output"):
        np.einsum("...i->i", Variable(normal(2, 3)))


def test_numpy_gradient_matches_pytorch():
    torch = pytest.importorskip("torch")
    x = Variable(M34)
    loss = np.linalg.norm(np.einsum("ij,jk->ik", np.std(x, axis=0, keepdims=True) * x, M34.T))
    loss = loss + np.prod(np.cumsum(x, axis=1)[:, :2], axis=None) + np.linalg.norm(x, 1)
    loss.backward()
    t = torch.tensor(M34, requires_grad=True)
    ref = torch.linalg.norm((t.std(0, keepdim=True, unbiased=False) * t) @ torch.tensor(M34).T)
    ref = ref + torch.cumsum(t, 1)[:, :2].prod() + torch.linalg.norm(t, 1)
    ref.backward()
    assert math.isclose(loss.item(), ref.item(), rel_tol=1e-12)
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-10)


def test_copyto_into_a_variable_is_seen_by_backward():
    x = Variable(np.array([1.0, 2.0]))
    y = (x * x).sum()
    np.copyto(x, np.array([5.0, 6.0]))
    np.testing.assert_array_equal(x.data, [5.0, 6.0])
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()
