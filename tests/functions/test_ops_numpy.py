"""The functions that NumPy calls on Variables reach (``np.prod``, ``np.linalg.norm``,
``np.einsum``, ``np.moveaxis``, ...) as rows of the op-spec suite: each gets every generated
property of ``test_ops`` (value against NumPy itself, gradcheck, gradgradcheck, both backward
modes, purity, float32 kept, non-contiguous inputs)."""

import math

import numpy as np
import pytest
from hypothesis import strategies as st

import autograd_lite.functions as F
import tests.functions.test_ops as ops

Spec = ops.Spec
ast = ops.ast
unary, binary, with_axis = ops.unary, ops.binary, ops.with_axis


def _seeded(shape, low=-3.0, high=3.0):
    """Values from a seeded generator: no ties, unlike Hypothesis' favourite floats (for the
    functions whose derivative jumps at a tie: max-norms, sort)."""
    return st.integers(0, 2**16).map(
        lambda seed: np.random.default_rng(seed).uniform(low, high, shape))


@st.composite
def seeded_arrays(draw, min_dims=0, low=-3.0, high=3.0, signs=False):
    x = draw(_seeded(draw(ast.shapes(min_dims=min_dims)), low, high))
    if signs:
        x = x * np.where(draw(_seeded(x.shape)) > 0, 1.0, -1.0)
    return x


# ----------------------------------------------------------------------------- reductions


@st.composite
def with_zeros(draw):
    """Products with no, one or several exact zeros in a slice (the gradient must be exact)."""
    (x,), kw = draw(with_axis())
    mask = draw(ast.arrays(x.shape, low=0.0, high=1.0)) < draw(st.sampled_from([0.0, 0.3, 0.7]))
    return (np.where(mask, 0.0, x),), kw


@st.composite
def stds(draw):
    x = draw(ast.arrays(ast.shapes(min_dims=1), distinct=True))
    axis = draw(ast.axes(x.ndim))
    n = x.size if axis is None else math.prod(np.array(x.shape)[np.atleast_1d(axis)])
    return (x,), {"axis": axis, "keepdims": draw(st.booleans()),
                  "ddof": draw(st.integers(0, 1 if n > 1 else 0))}


@st.composite
def cumsums(draw):
    x = draw(ast.arrays())
    axis = draw(st.none() | st.integers(-x.ndim, x.ndim - 1)) if x.ndim else None
    return (x,), {"axis": axis}


@st.composite
def averages(draw):
    x = draw(ast.arrays(ast.shapes(min_dims=1)))
    kind = draw(st.sampled_from(["none", "full", "along"]))
    if kind == "none":
        return (x,), {"axis": draw(ast.axes(x.ndim))}
    if kind == "full":
        return (x, draw(ast.arrays(x.shape, low=0.5, high=2.0))), {"axis": draw(ast.axes(x.ndim))}
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    return (x, draw(ast.arrays((x.shape[axis],), low=0.5, high=2.0))), {"axis": axis}


@st.composite
def vector_norms(draw):
    x = draw(seeded_arrays(min_dims=1, low=0.2, high=3.0, signs=True))
    ord_ = draw(st.sampled_from([None, 2, 1, math.inf, -math.inf, 3, 1.5]))
    axis = draw(st.integers(-x.ndim, x.ndim - 1) | st.none()) if x.ndim == 1 else draw(
        st.integers(-x.ndim, x.ndim - 1))
    return (x,), {"ord": ord_, "axis": axis, "keepdims": draw(st.booleans())}


@st.composite
def matrix_norms(draw):
    x = draw(seeded_arrays(min_dims=2, low=0.2, high=3.0, signs=True))
    ord_ = draw(st.sampled_from([None, "fro", 1, -1, math.inf, -math.inf]))
    axis = tuple(draw(st.permutations(range(x.ndim)))[:2])
    axis = tuple(a - x.ndim if draw(st.booleans()) else a for a in axis)
    return (x,), {"ord": ord_, "axis": axis, "keepdims": draw(st.booleans())}


@st.composite
def whole_norms(draw):
    """No axis: the 2-norm of every element of any shape (away from the zero vector)."""
    x = draw(ast.arrays(low=0.2, high=3.0))
    return (x,), {"keepdims": draw(st.booleans())}


def _norm_ref(x, ord=None, axis=None, keepdims=False):
    return np.asarray(np.linalg.norm(x, ord, axis, keepdims))


# ----------------------------------------------------------------------------- products


@st.composite
def einsums(draw):
    """Random subscripts: 1 to 3 operands, repeated letters (diagonals), letters summed
    away, size-1 axes broadcast against longer ones, '...', explicit or implicit output."""
    pool = "ijkl"
    sizes = {c: draw(st.integers(1, 3)) for c in pool}
    n_ops = draw(st.integers(1, 3))
    terms = [draw(st.lists(st.sampled_from(pool), max_size=3)) for _ in range(n_ops)]
    batch = draw(ast.shapes(max_dims=2, max_side=3)) if draw(st.booleans()) else None
    arrays, subs = [], []
    for term in terms:
        shape = [sizes[c] for c in term]
        if draw(st.booleans()) and len(term) and term.count(term[0]) == 1:
            shape[0] = 1  # broadcast against the others' length
        text = "".join(term)
        if batch is not None:
            own = batch[draw(st.integers(0, len(batch))):]
            own = tuple(1 if draw(st.booleans()) else n for n in own)
            shape = list(own) + shape
            text = "..." + text
        subs.append(text)
        arrays.append(draw(ast.arrays(tuple(shape))))
    used = sorted({c for term in terms for c in term})
    if draw(st.booleans()):  # implicit output
        subscripts = ",".join(subs)
    else:
        out = draw(st.permutations(used))[:draw(st.integers(0, len(used)))]
        subscripts = ",".join(subs) + "->" + ("..." if batch is not None else "") + "".join(out)
    return tuple(arrays), {"subscripts": subscripts}


@st.composite
def tensordots(draw):
    free_a = draw(ast.shapes(max_dims=2, max_side=3))
    free_b = draw(ast.shapes(max_dims=2, max_side=3))
    summed = draw(ast.shapes(max_dims=2, max_side=3))
    a = draw(ast.arrays(free_a + summed))
    if draw(st.booleans()):
        return (a, draw(ast.arrays(summed + free_b))), {"axes": len(summed)}
    order = draw(st.permutations(range(len(summed))))
    b = draw(ast.arrays(tuple(summed[i] for i in order) + free_b))
    axes_a = [len(free_a) + i for i in range(len(summed))]
    axes_b = [order.index(i) for i in range(len(summed))]
    return (a, b), {"axes": (axes_a, axes_b)}


@st.composite
def dots(draw):
    """np.dot's cases: 0-d, vectors, matrices, and N-D with M-D (M >= 2)."""
    k = draw(st.integers(1, 3))
    lead_a = draw(ast.shapes(max_dims=2, max_side=3))
    kind = draw(st.sampled_from(["scalar", "vector", "nd"]))
    if kind == "scalar":
        return (draw(ast.arrays(())), draw(ast.arrays(ast.shapes()))), {}
    a = draw(ast.arrays(lead_a + (k,)))
    if kind == "vector":
        return (a, draw(ast.arrays((k,)))), {}
    lead_b = draw(ast.shapes(max_dims=2, max_side=3))
    return (a, draw(ast.arrays(lead_b + (k, draw(st.integers(1, 3)))))), {}


@st.composite
def inners(draw):
    k = draw(st.integers(1, 3))
    if draw(st.integers(0, 4)) == 0:
        return (draw(ast.arrays(())), draw(ast.arrays(ast.shapes()))), {}
    a = draw(ast.arrays(draw(ast.shapes(max_dims=2, max_side=3)) + (k,)))
    return (a, draw(ast.arrays(draw(ast.shapes(max_dims=2, max_side=3)) + (k,)))), {}


@st.composite
def same_size_pair(draw):
    x = draw(ast.arrays())
    shape = draw(st.sampled_from([x.shape, (x.size,), x.shape[::-1]]))
    return (x, draw(ast.arrays(shape))), {}


@st.composite
def any_pair(draw):
    return (draw(ast.arrays()), draw(ast.arrays())), {}


@st.composite
def diagonals(draw):
    x = draw(ast.arrays(ast.shapes(min_dims=2)))
    a1, a2 = draw(st.permutations(range(x.ndim)))[:2]
    offset = draw(st.integers(-x.shape[a1], x.shape[a2]))
    return (x,), {"offset": offset, "axis1": a1 - x.ndim * draw(st.integers(0, 1)),
                  "axis2": a2}


# ----------------------------------------------------------------------------- manipulation


@st.composite
def squeezes(draw):
    shape = draw(ast.shapes(min_side=1, max_side=2))
    x = draw(ast.arrays(shape))
    ones = [i for i, n in enumerate(shape) if n == 1]
    axis = None if not ones or draw(st.booleans()) else tuple(
        draw(st.lists(st.sampled_from(ones), min_size=1, unique=True)))
    return (x,), {"axis": axis}


@st.composite
def expand_dims_cases(draw):
    x = draw(ast.arrays())
    n = draw(st.integers(1, 2))
    out = x.ndim + n
    axes = draw(st.lists(st.integers(0, out - 1), min_size=n, max_size=n, unique=True))
    axes = [a - out if draw(st.booleans()) else a for a in axes]
    return (x,), {"axis": axes[0] if n == 1 else tuple(axes)}


@st.composite
def unsqueezes(draw):
    x = draw(ast.arrays())
    return (x,), {"dim": draw(st.integers(-x.ndim - 1, x.ndim))}


@st.composite
def moveaxes(draw):
    x = draw(ast.arrays(ast.shapes(min_dims=1)))
    n = draw(st.integers(1, x.ndim))
    src = draw(st.permutations(range(x.ndim)))[:n]
    dst = draw(st.permutations(range(x.ndim)))[:n]
    if n == 1 and draw(st.booleans()):
        return (x,), {"source": src[0] - x.ndim, "destination": dst[0]}
    return (x,), {"source": tuple(src), "destination": tuple(dst)}


@st.composite
def flips(draw):
    x = draw(ast.arrays())
    return (x,), {"axis": draw(ast.axes(x.ndim))}


@st.composite
def rolls(draw):
    x = draw(ast.arrays())
    if not x.ndim or draw(st.booleans()):
        return (x,), {"shift": draw(st.integers(-5, 5)), "axis": None}
    axes = draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=1, max_size=3))
    shifts = draw(st.lists(st.integers(-5, 5), min_size=len(axes), max_size=len(axes)))
    return (x,), {"shift": tuple(shifts), "axis": tuple(axes)}


@st.composite
def tiles(draw):
    x = draw(ast.arrays())
    reps = draw(st.lists(st.integers(0, 2), min_size=1, max_size=3))
    return (x,), {"reps": reps[0] if len(reps) == 1 and draw(st.booleans()) else tuple(reps)}


@st.composite
def repeats(draw):
    x = draw(ast.arrays())
    axis = draw(st.none() | st.integers(-x.ndim, x.ndim - 1)) if x.ndim else None
    n = x.size if axis is None else x.shape[axis]
    counts = draw(st.integers(0, 3) | st.lists(st.integers(0, 2), min_size=n, max_size=n)
                  .map(np.array))
    return (x,), {"repeats": counts, "axis": axis}


@st.composite
def takes(draw):
    x = draw(ast.arrays())
    axis = draw(st.none() | st.integers(-x.ndim, x.ndim - 1)) if x.ndim else None
    n = x.size if axis is None else x.shape[axis]
    shape = draw(ast.shapes(max_dims=2))
    indices = np.random.default_rng(draw(st.integers(0, 2**16))).integers(-n, n, shape)
    return (x,), {"indices": indices, "axis": axis}


@st.composite
def take_along(draw):
    x = draw(ast.arrays(ast.shapes(min_dims=1)))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    shape = list(x.shape)
    shape[axis] = draw(st.integers(1, 4))
    shape = [1 if draw(st.integers(0, 3)) == 0 else n for n in shape]  # broadcast
    seed = draw(st.integers(0, 2**16))
    indices = np.random.default_rng(seed).integers(0, x.shape[axis], shape)
    return (x,), {"indices": indices, "axis": axis}


@st.composite
def sorts(draw):
    x = draw(seeded_arrays())
    axis = draw(st.none() | st.integers(-x.ndim, x.ndim - 1)) if x.ndim else None
    return (x,), {"axis": axis}


@st.composite
def diffs(draw):
    x = draw(ast.arrays(ast.shapes(min_dims=1)))
    kw = {"n": draw(st.integers(0, 2)), "axis": draw(st.integers(-x.ndim, x.ndim - 1))}
    for end in ("prepend", "append"):  # numbers: arrays ends have a unit test of their own
        if draw(st.booleans()):
            kw[end] = draw(st.floats(-2, 2))
    return (x,), kw


@st.composite
def several(draw, min_size=1):
    n = draw(st.integers(min_size, 3))
    return tuple(draw(ast.arrays()) for _ in range(n)), {}


# For each function and input rank, the axis along which the inputs may differ in length
# (None: they all have one shape).
VARYING = {"hstack": {1: 0, 2: 1, 3: 1}, "vstack": {1: None, 2: 0, 3: 0},
           "dstack": {1: None, 2: None, 3: 2}, "column_stack": {1: None, 2: 1}}


@st.composite
def stackable(draw, kind):
    """Inputs that np.hstack / vstack / dstack / column_stack accept."""
    rank = draw(st.sampled_from(sorted(VARYING[kind])))
    base = draw(ast.shapes(min_dims=rank, max_dims=rank, max_side=3))
    axis = VARYING[kind][rank]
    arrays = []
    for _ in range(draw(st.integers(1, 3))):
        shape = list(base)
        if axis is not None:
            shape[axis] = draw(st.integers(1, 3))
        arrays.append(draw(ast.arrays(tuple(shape))))
    return tuple(arrays), {}


# ----------------------------------------------------------------------------- the table

NUMPY_SPECS = [
    Spec("prod", F.prod, np.prod, with_zeros()),
    Spec("std", F.std, np.std, stds()),
    Spec("cumsum", F.cumsum, np.cumsum, cumsums()),
    Spec("average", lambda x, w=None, axis=None: F.average(x, axis, w),
         lambda x, w=None, axis=None: np.average(x, axis, w), averages()),
    Spec("norm:vector", F.norm, _norm_ref, vector_norms()),
    Spec("norm:matrix", F.norm, _norm_ref, matrix_norms()),
    Spec("norm:whole", F.norm, lambda x, keepdims: _norm_ref(x.ravel()).reshape(
        (1,) * x.ndim if keepdims else ()), whole_norms()),
    Spec("einsum", lambda *xs, subscripts: F.einsum(subscripts, *xs),
         lambda *xs, subscripts: np.einsum(subscripts, *xs), einsums()),
    Spec("tensordot", F.tensordot, np.tensordot, tensordots()),
    Spec("dot", F.dot, np.dot, dots()),
    Spec("inner", F.inner, np.inner, inners()),
    Spec("outer", F.outer, np.outer, any_pair()),
    Spec("vdot", F.vdot, np.vdot, same_size_pair()),
    Spec("trace", F.trace, np.trace, diagonals()),
    Spec("diagonal", F.diagonal, np.diagonal, diagonals()),
    Spec("squeeze", F.squeeze, np.squeeze, squeezes()),
    Spec("expand_dims", F.expand_dims, np.expand_dims, expand_dims_cases()),
    Spec("unsqueeze", F.unsqueeze, lambda x, dim: np.expand_dims(x, dim), unsqueezes()),
    Spec("moveaxis", F.moveaxis, np.moveaxis, moveaxes()),
    Spec("ravel", F.ravel, np.ravel, unary()),
    Spec("flip", F.flip, np.flip, flips()),
    Spec("roll", F.roll, np.roll, rolls()),
    Spec("tile", F.tile, np.tile, tiles()),
    Spec("repeat", F.repeat, np.repeat, repeats()),
    Spec("take", F.take, np.take, takes()),
    Spec("take_along_axis", F.take_along_axis, np.take_along_axis, take_along()),
    Spec("sort", F.sort, np.sort, sorts()),
    Spec("diff", F.diff, np.diff, diffs()),
    Spec("atleast_1d", F.atleast_1d, np.atleast_1d, several()),
    Spec("atleast_2d", F.atleast_2d, np.atleast_2d, several()),
    Spec("atleast_3d", F.atleast_3d, np.atleast_3d, several()),
    Spec("hstack", lambda *xs: F.hstack(xs), lambda *xs: np.hstack(xs), stackable("hstack")),
    Spec("vstack", lambda *xs: F.vstack(xs), lambda *xs: np.vstack(xs), stackable("vstack")),
    Spec("dstack", lambda *xs: F.dstack(xs), lambda *xs: np.dstack(xs), stackable("dstack")),
    Spec("column_stack", lambda *xs: F.column_stack(xs), lambda *xs: np.column_stack(xs),
         stackable("column_stack")),
    Spec("tan", F.tan, np.tan, unary(-1.2, 1.2)),
    Spec("arcsin", F.arcsin, np.arcsin, unary(-0.9, 0.9)),
    Spec("arccos", F.arccos, np.arccos, unary(-0.9, 0.9)),
    Spec("arctan", F.arctan, np.arctan, unary()),
    Spec("arctan2", F.arctan2, np.arctan2, binary(avoid=((0.0,), ()))),
    Spec("sinh", F.sinh, np.sinh, unary()),
    Spec("cosh", F.cosh, np.cosh, unary()),
    Spec("arcsinh", F.arcsinh, np.arcsinh, unary()),
    Spec("arccosh", F.arccosh, np.arccosh, unary(1.2, 3.0)),
    Spec("arctanh", F.arctanh, np.arctanh, unary(-0.9, 0.9)),
    Spec("log1p", F.log1p, np.log1p, unary(-0.8, 3.0)),
    Spec("expm1", F.expm1, np.expm1, unary(-2.0, 2.0)),
    Spec("exp2", F.exp2, np.exp2, unary(-2.0, 2.0)),
    Spec("log2", F.log2, np.log2, unary(0.2, 3.0)),
    Spec("log10", F.log10, np.log10, unary(0.2, 3.0)),
    Spec("logaddexp", F.logaddexp, np.logaddexp, binary()),
]
IDS = [s.name for s in NUMPY_SPECS]
PROPERTIES = ops.PROPERTIES


@pytest.mark.parametrize("prop", PROPERTIES, ids=lambda p: p.__name__.removeprefix("test_"))
@pytest.mark.parametrize("spec", NUMPY_SPECS, ids=IDS)
def test_numpy_op(spec, prop):
    prop(spec)
