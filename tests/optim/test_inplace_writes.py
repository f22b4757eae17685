"""Every in-place write the library makes on a parameter is seen by backward.

An optimizer step or an ``nn.init`` call changes ``p.data`` in place. A graph recorded before
the write saved the old array, so a backward through it would compute a gradient from the
new values; it must refuse instead (PyTorch: "modified by an inplace operation").
"""

from __future__ import annotations

import numpy as np
import pytest
from autograd_lite.optim import SGD, Adam
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite.functions as F
from autograd_lite import Variable, nn

from .cases import CASES, case_id

MODIFIED = "modified in place"


def _weight(seed: int = 0, shape=(3, 4)) -> nn.Parameter:
    return nn.Parameter(np.random.default_rng(seed).normal(size=shape), name="w")


def _give_grad(p: Variable) -> None:
    p.grad = Variable(np.ones_like(p.data), requires_grad=False)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_step_between_forward_and_backward_raises(case):
    cls, hyper, _ = case
    w = _weight()
    opt = cls([w], **hyper)
    _give_grad(w)
    loss = (w * w).sum()
    opt.step()
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_ordinary_loop_keeps_working(case):
    cls, hyper, _ = case
    w = _weight()
    opt = cls([w], **hyper)
    losses = []
    for _ in range(4):
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert w.creator is None and w.grad is not None
    assert losses[-1] != losses[0]  # the steps changed the parameter


def test_a_skipped_parameter_is_not_marked():
    # Only the parameters a step writes are marked: a graph through a frozen one stays usable.
    w, frozen = _weight(0), _weight(1)
    opt = SGD([w, frozen], lr=0.1)
    _give_grad(w)
    loss = (frozen * 2.0).sum()
    opt.step()
    loss.backward()
    np.testing.assert_array_equal(frozen.grad.data, np.full(frozen.shape, 2.0))


def test_step_after_backward_then_backward_of_a_new_graph_works():
    w = _weight()
    opt = Adam([w], lr=0.1)
    loss = (w * w).sum()
    loss.backward()
    opt.step()
    new_loss = (w * w).sum()  # recorded after the write: fine
    w.grad = None
    new_loss.backward()
    np.testing.assert_allclose(w.grad.data, 2 * w.data)


def test_gan_pattern_raises():
    """One forward, two losses, the discriminator's step between the two backward passes."""
    rng = np.random.default_rng(0)
    g_weight = nn.Parameter(rng.normal(size=(4, 2)), name="G")
    d_weight = nn.Parameter(rng.normal(size=(1, 4)), name="D")
    opt_d = Adam([d_weight], lr=0.01)
    opt_g = Adam([g_weight], lr=0.01)
    z = rng.normal(size=(8, 2))
    fake = F.tanh(F.linear(z, g_weight))
    logits = F.linear(fake, d_weight)
    loss_d = F.binary_cross_entropy_with_logits(logits, np.zeros((8, 1)))
    loss_g = F.binary_cross_entropy_with_logits(logits, np.ones((8, 1)))
    opt_d.zero_grad()
    loss_d.backward(retain_graph=True)
    opt_d.step()  # changes D in place; loss_g's graph saved the old D
    opt_g.zero_grad()
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss_g.backward()


def test_closure_loop_keeps_working():
    w = _weight()
    opt = SGD([w], lr=0.1, momentum=0.9)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    first = opt.step(closure).item()
    for _ in range(5):
        last = opt.step(closure).item()
    assert last < first


# ---------------------------------------------------------------------------- a property
INIT_WRITES = {
    "uniform_": lambda p: nn.init.uniform_(p, -1.0, 1.0),
    "normal_": lambda p: nn.init.normal_(p),
    "zeros_": nn.init.zeros_,
    "ones_": nn.init.ones_,
    "kaiming_uniform_": nn.init.kaiming_uniform_,
    "kaiming_normal_": nn.init.kaiming_normal_,
    "xavier_uniform_": nn.init.xavier_uniform_,
    "xavier_normal_": nn.init.xavier_normal_,
}


def _optimizer_write(case):
    cls, hyper, _ = case

    def write(p):
        opt = cls([p], **hyper)
        _give_grad(p)
        opt.step()

    return write


LIBRARY_WRITES = st.one_of(
    st.sampled_from(sorted(INIT_WRITES)).map(lambda name: (name, INIT_WRITES[name])),
    st.sampled_from(CASES).map(lambda case: (case_id(case), _optimizer_write(case))),
)

FORWARDS = {
    "square": lambda w, x: (w * w).sum(),
    "linear": lambda w, x: F.linear(x, w).sum(),
    "tanh": lambda w, x: F.tanh(w).mean(),
    "matmul": lambda w, x: (x @ w.T).sum(),
    "softmax": lambda w, x: F.log_softmax(F.linear(x, w)).sum(),
}


@given(
    write=LIBRARY_WRITES,
    forward=st.sampled_from(sorted(FORWARDS)),
    shape=st.sampled_from([(3, 4), (1, 2), (5, 1)]),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**16),
)
def test_any_library_write_between_forward_and_backward_is_refused(
    write, forward, shape, dtype, seed
):
    name, apply_write = write
    w = nn.Parameter(np.random.default_rng(seed).normal(size=shape).astype(dtype), name="w")
    x = np.ones((2, shape[1]), dtype)
    loss = FORWARDS[forward](w, x)
    apply_write(w)
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()
