"""One step loop in the base class; each optimizer writes only its per-parameter update."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from autograd_lite.optim import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop

from autograd_lite import Variable, is_grad_enabled, no_grad

from .cases import CASES, case_id, make_params, run
from .reference import Quadratic

OPTIMIZERS = [SGD, Adagrad, RMSprop, Adam, AdamW]


@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda c: c.__name__)
def test_the_base_class_owns_the_step_loop(cls):
    assert cls.step is Optimizer.step
    assert cls.update_one is not Optimizer.update_one


def test_adamw_is_adam_with_decoupled_weight_decay():
    assert AdamW.update_one is Adam.update_one
    # AdamW's docstring points to Adam's instead of copying its parameter list.
    assert "betas :" in Adam.__doc__ and "betas :" not in AdamW.__doc__
    w = Variable(np.ones(2))
    group = AdamW([w]).param_groups[0]
    assert group["weight_decay"] == 1e-2 and group["decoupled_weight_decay"] is True
    assert Adam([w]).param_groups[0]["decoupled_weight_decay"] is False
    assert "decoupled_weight_decay" not in inspect.signature(AdamW).parameters


def test_adam_with_decoupled_weight_decay_equals_adamw():
    problem = Quadratic()
    hyper = dict(lr=0.1, betas=(0.8, 0.9), weight_decay=0.3, amsgrad=True)
    params_a, params_b = make_params(problem), make_params(problem)
    got_a = run(problem, Adam(params_a, decoupled_weight_decay=True, **hyper), params_a, 4)
    got_b = run(problem, AdamW(params_b, **hyper), params_b, 4)
    for a, b in zip(got_a[-1], got_b[-1], strict=True):
        np.testing.assert_array_equal(a, b)


def test_adamw_refuses_coupled_weight_decay_from_a_state_dict():
    w = Variable(np.ones(2))
    sd = Adam([w], weight_decay=0.1).state_dict()
    opt = AdamW([Variable(np.ones(2))])
    with pytest.raises(ValueError, match="AdamW: decoupled_weight_decay must be True"):
        opt.load_state_dict(sd)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True


IMPLEMENTATION_SWITCHES = {"foreach", "capturable", "differentiable", "fused"}


@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda c: c.__name__)
def test_signatures_match_pytorch(cls):
    torch = pytest.importorskip("torch")
    ours = inspect.signature(cls).parameters
    theirs = inspect.signature(getattr(torch.optim, cls.__name__)).parameters
    # The positional parameters are PyTorch's, up to its first implementation switch; every
    # other parameter is keyword-only here, with PyTorch's name and default.
    prefix = []
    for name, p in theirs.items():
        if p.kind is not p.POSITIONAL_OR_KEYWORD or name in IMPLEMENTATION_SWITCHES:
            break
        prefix.append(name)
    assert [n for n, p in ours.items() if p.kind is p.POSITIONAL_OR_KEYWORD] == prefix
    for name, p in ours.items():
        assert name in theirs and name not in IMPLEMENTATION_SWITCHES, name
        assert p.default == theirs[name].default, name


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_matches_pytorch_step_by_step(case):
    torch = pytest.importorskip("torch")
    cls, hyper, _ = case
    problem = Quadratic()
    params = make_params(problem)
    got = run(problem, cls(params, **hyper), params, 5)
    tensors = [torch.tensor(x, requires_grad=True) for x in problem.x0]
    theirs = getattr(torch.optim, cls.__name__)(tensors, **hyper)
    for t in range(5):
        for i, tensor in enumerate(tensors):
            tensor.grad = torch.from_numpy(problem.grad(i, tensor.detach().numpy()))
        theirs.step()
        for i, tensor in enumerate(tensors):
            np.testing.assert_allclose(got[t][i], tensor.detach().numpy(), rtol=1e-10,
                                       atol=1e-12, err_msg=f"step {t + 1}, p{i}")


def test_step_with_a_closure_returns_its_loss_and_records_a_graph():
    w = Variable(np.array([3.0, -1.0]))
    opt = SGD([w], lr=0.25)
    calls = []

    def closure():
        calls.append(is_grad_enabled())
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with no_grad():  # the closure still records: step turns grad mode on for it
        loss = opt.step(closure)
    assert calls == [True]
    assert loss.item() == 10.0
    np.testing.assert_allclose(w.data, [3.0 - 0.25 * 6.0, -1.0 + 0.25 * 2.0])
    assert opt.step() is None


def test_a_gradient_of_another_float_dtype_is_cast_without_changing_the_parameter():
    w = Variable(np.ones(3, np.float32))
    opt = SGD([w], lr=0.5, weight_decay=0.1)
    grad = np.array([1.0, 2.0, 3.0])
    w.grad = Variable(grad, requires_grad=False)
    opt.step()
    assert w.data.dtype == np.float32
    np.testing.assert_allclose(w.data, 1 - 0.5 * (grad + 0.1), rtol=1e-6)
    np.testing.assert_array_equal(w.grad.data, grad)  # the gradient is not written


@pytest.mark.parametrize(
    "cls, hyper, switch",
    [
        (Adam, dict(), "amsgrad"),
        (RMSprop, dict(), "centered"),
        (RMSprop, dict(), "momentum"),
    ],
)
def test_an_option_switched_on_after_the_first_step_is_a_clear_error(cls, hyper, switch):
    w = Variable(np.ones(3), name="w")
    opt = cls([w], **hyper)
    w.grad = Variable(np.ones(3), requires_grad=False)
    opt.step()
    opt.param_groups[0][switch] = 0.9 if switch == "momentum" else True
    with pytest.raises(RuntimeError, match=rf"{cls.__name__}: the state of parameter 'w' has no"):
        opt.step()


def test_sgd_positional_arguments_follow_pytorch():
    # SGD(params, lr, momentum, dampening, weight_decay, nesterov), as in PyTorch.
    opt = SGD([Variable(np.ones(2))], 0.1, 0.9, 0.0, 1e-4, True)
    group = opt.param_groups[0]
    assert (group["weight_decay"], group["nesterov"]) == (1e-4, True)
