"""A pure-Python scalar engine (micrograd-like): the per-op cost of autograd with no NumPy.

`ArrayScalar` is the same engine holding one-element ndarrays: micrograd's design on NumPy,
the per-op cost of the simplest NumPy engine (its values and local gradients are NumPy calls).
"""

from __future__ import annotations

import math

import numpy as np


class Scalar:
    """A float that remembers how it was made, so gradients can flow back to its parents."""

    __slots__ = ("value", "grad", "parents", "local_grads")
    tanh_of = staticmethod(math.tanh)

    def __init__(self, value: float, parents: tuple = (), local_grads: tuple = ()) -> None:
        self.value = value
        self.grad = 0.0
        self.parents = parents
        self.local_grads = local_grads  # d(self)/d(parent), one per parent

    def __add__(self, other: Scalar | float) -> Scalar:
        other = other if isinstance(other, Scalar) else Scalar(other)
        return type(self)(self.value + other.value, (self, other), (1.0, 1.0))

    def __mul__(self, other: Scalar | float) -> Scalar:
        other = other if isinstance(other, Scalar) else Scalar(other)
        return type(self)(self.value * other.value, (self, other), (other.value, self.value))

    def tanh(self) -> Scalar:
        y = self.tanh_of(self.value)
        return type(self)(y, (self,), (1.0 - y * y,))

    def backward(self) -> None:
        """Accumulate d(self)/d(node) into every node's ``grad`` (no recursion)."""
        order: list[Scalar] = []
        seen: set[int] = set()
        stack: list[tuple[Scalar, bool]] = [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)  # after all its parents: a topological order
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if id(p) not in seen)
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node.parents, node.local_grads, strict=True):
                parent.grad += local * node.grad


class ArrayScalar(Scalar):
    """The same engine on a one-element ndarray: every value and local gradient a NumPy call
    (gradients start as the float 0.0 and become arrays at the first addition)."""

    __slots__ = ()
    tanh_of = staticmethod(np.tanh)


def overhead(iterations: int, kind: type[Scalar] = Scalar) -> None:
    """``iterations`` x (y * 1.0001 + 0.0001, tanh) on one Scalar (or `kind`), then backward."""
    y = kind(np.array([0.5])) if kind is ArrayScalar else kind(0.5)
    for _ in range(iterations):
        y = y * 1.0001 + 0.0001
        y = y.tanh()
    y.backward()
