"""Einstein summation, as ``np.einsum``, for any number of operands.

The gradient of operand k is itself an einsum: the output gradient and the other operands
contracted back to operand k's subscripts. Two cases need a helper operand: a letter of operand
k that appears nowhere else was summed away, so ones bring it back; a letter repeated within
operand k (a diagonal, ``"ii->i"``) takes a fresh letter tied to the first by an identity
matrix. Being an einsum, the gradient is differentiable again, to any order.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from autograd_lite.core import Function, Variable, as_variable
from autograd_lite.functions.shape import BroadcastTo

LETTERS = string.ascii_uppercase + string.ascii_lowercase  # NumPy's labels, in its order


def _contract(subscripts: str, operands: list) -> Any:
    """``np.einsum``, planned (an order for 3+ operands, BLAS for large ones: 4x faster on a
    batched matrix product) unless the operands are so small that planning costs more."""
    large = len(operands) > 2 or sum(np.size(x) for x in operands) > 4096
    return np.einsum(subscripts, *operands, optimize=large)


class Einsum(Function):
    """``np.einsum`` on explicit subscripts: one term per operand, each letter an axis."""

    __slots__ = ("inputs_subscripts", "output_subscripts")

    def __init__(self, inputs: tuple[str, ...], output: str) -> None:
        self.inputs_subscripts, self.output_subscripts = inputs, output

    def forward(self, *xs):
        return _contract(",".join(self.inputs_subscripts) + "->" + self.output_subscripts,
                         list(xs))

    def vjp(self, gy, y, *xs):
        return tuple(self._operand_grad(k, gy, xs) if need else None
                     for k, need in enumerate(self.needs_input_grad))

    def _operand_grad(self, k: int, gy: Any, xs: tuple) -> Any:
        terms = [self.output_subscripts]
        operands = [gy]  # first, so that apply() sees a Variable in create_graph mode
        for j, x in enumerate(xs):
            if j != k:
                terms.append(self.inputs_subscripts[j])
                operands.append(x)
        target = self.inputs_subscripts[k]
        spare = iter(c for c in LETTERS if c not in "".join(self.inputs_subscripts))
        out, sizes = [], dict(zip(target, xs[k].shape))
        for letter in target:
            if letter in out:  # a repeat: a fresh letter, equal to the first by an identity
                fresh = next(spare)
                terms.append(letter + fresh)
                operands.append(np.eye(sizes[letter], dtype=gy.dtype))
                letter = fresh
            out.append(letter)
        present = "".join(terms)
        for letter in dict.fromkeys(target):
            if letter not in present:  # summed away in forward: ones bring the axis back
                terms.append(letter)
                operands.append(np.ones(sizes[letter], dtype=gy.dtype))
        g = Einsum(tuple(terms), "".join(out)).apply(*operands)
        # an axis of length 1 in every other operand but not in operand k was broadcast
        # against it: broadcast its gradient too (the engine sums the opposite case)
        wanted = np.broadcast_shapes(g.shape, xs[k].shape)
        return g if g.shape == wanted else BroadcastTo(wanted).apply(g)


def parse_subscripts(subscripts: str, ndims: list[int]) -> tuple[tuple[str, ...], str]:
    """Explicit subscripts for operands of `ndims` axes: one term per operand with ``...``
    spelt out as letters, and the output term (implicit: NumPy's rule, the broadcast axes and
    then the letters used once, in alphabetical order)."""
    subscripts = subscripts.replace(" ", "")
    lhs, arrow, output = subscripts.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ndims):
        raise ValueError(f"einsum: {len(terms)} subscript terms in {subscripts!r} for "
                         f"{len(ndims)} operands")
    for term in terms + [output]:
        if any(c not in LETTERS for c in term.replace("...", "")):
            raise ValueError(f"einsum: subscripts may use only letters and '...', got "
                             f"{subscripts!r}")
    used = set(subscripts)
    spare = [c for c in LETTERS if c not in used]
    n_broadcast = 0
    for term, ndim in zip(terms, ndims):
        letters = len(term.replace("...", ""))
        if "..." in term:
            n = ndim - letters
            if n < 0:
                raise ValueError(f"einsum: term {term!r} has more letters than its operand "
                                 f"has axes ({ndim})")
            n_broadcast = max(n_broadcast, n)
        elif letters != ndim:
            raise ValueError(f"einsum: term {term!r} has {letters} letters for an operand of "
                             f"{ndim} axes")
    explicit = terms
    if n_broadcast > len(spare):
        raise ValueError("einsum: too many broadcast axes to name with spare letters")
    ellipsis = "".join(spare[:n_broadcast])
    # each operand's broadcast axes are the last of the ellipsis letters (aligned right)
    explicit = [t.replace("...", ellipsis[n_broadcast - (nd - len(t.replace("...", ""))):])
                for t, nd in zip(explicit, ndims)]
    if arrow:
        if "..." not in output and n_broadcast:
            raise ValueError(f"einsum: {subscripts!r} has broadcast axes ('...') in its inputs "
                             "but not in its output; write '...' in the output too")
        output = output.replace("...", ellipsis)
    else:
        once = [c for c in sorted(set("".join(terms).replace(".", "")))
                if "".join(terms).count(c) == 1]
        output = ellipsis + "".join(once)
    for c in output:
        if c not in "".join(explicit):
            raise ValueError(f"einsum: output letter {c!r} of {subscripts!r} is not in any "
                             "input term")
    if len(set(output)) != len(output):
        raise ValueError(f"einsum: output subscripts of {subscripts!r} repeat a letter")
    return tuple(explicit), output


def einsum(subscripts: str, *operands: Any) -> Variable:
    """Einstein summation over the operands, as ``np.einsum`` (explicit ``"ij,jk->ik"`` or
    implicit ``"ij,jk"`` subscripts, ``...`` for broadcast axes, any number of operands).

    Examples: ``einsum("ij,jk->ik", a, b)`` is ``a @ b``; ``einsum("ii", a)`` the trace;
    ``einsum("bij,bjk->bik", a, b)`` a batched product; ``einsum("i,i", u, v)`` a dot product.
    """
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: subscripts must be a string, got {type(subscripts).__name__}"
                        " (np.einsum's sublist form is accepted through np.einsum)")
    xs = [as_variable(x) for x in operands]
    terms, output = parse_subscripts(subscripts, [x.ndim for x in xs])
    return Einsum(terms, output)(*xs)
