"""The optimizer configurations every optimizer test runs over, and a driver for them."""

from __future__ import annotations

import numpy as np
from autograd_lite.optim import SGD, Adagrad, Adam, AdamW, RMSprop

from autograd_lite import Variable

from . import reference as ref
from .reference import Quadratic

# (optimizer class, hyper-parameters, reference step function)
CASES = [
    (SGD, dict(lr=0.1), ref.sgd_step),
    (SGD, dict(lr=0.1, momentum=0.9), ref.sgd_step),
    (SGD, dict(lr=0.05, momentum=0.9, dampening=0.3), ref.sgd_step),
    (SGD, dict(lr=0.05, momentum=0.9, nesterov=True), ref.sgd_step),
    (SGD, dict(lr=0.1, weight_decay=0.1), ref.sgd_step),
    (
        SGD,
        dict(lr=0.05, momentum=0.9, weight_decay=0.1, nesterov=True, maximize=True),
        ref.sgd_step,
    ),
    (SGD, dict(lr=0.02, momentum=0.5, weight_decay=0.1, maximize=True), ref.sgd_step),
    (Adagrad, dict(lr=0.1), ref.adagrad_step),
    (
        Adagrad,
        dict(lr=0.1, lr_decay=0.1, weight_decay=0.05, initial_accumulator_value=0.5, eps=1e-6),
        ref.adagrad_step,
    ),
    (Adagrad, dict(lr=0.1, weight_decay=0.1, maximize=True), ref.adagrad_step),
    (RMSprop, dict(lr=0.01), ref.rmsprop_step),
    (RMSprop, dict(lr=0.01, alpha=0.9, centered=True), ref.rmsprop_step),
    (RMSprop, dict(lr=0.01, momentum=0.9), ref.rmsprop_step),
    (
        RMSprop,
        dict(lr=0.01, alpha=0.8, eps=1e-4, weight_decay=0.1, momentum=0.5, centered=True),
        ref.rmsprop_step,
    ),
    (RMSprop, dict(lr=0.01, weight_decay=0.1, maximize=True), ref.rmsprop_step),
    (Adam, dict(lr=0.1), ref.adam_step),
    (Adam, dict(lr=0.1, weight_decay=0.1), ref.adam_step),
    (Adam, dict(lr=0.1, amsgrad=True), ref.adam_step),
    (
        Adam,
        dict(lr=0.2, betas=(0.5, 0.8), eps=1e-3, weight_decay=0.05, amsgrad=True),
        ref.adam_step,
    ),
    (Adam, dict(lr=0.1, weight_decay=0.1, maximize=True), ref.adam_step),
    (Adam, dict(lr=0.1, weight_decay=0.1, decoupled_weight_decay=True), ref.adam_step),
    (AdamW, dict(lr=0.1), ref.adamw_step),
    (AdamW, dict(lr=0.1, maximize=True), ref.adamw_step),
    (AdamW, dict(lr=0.2, betas=(0.5, 0.8), weight_decay=0.5, amsgrad=True), ref.adamw_step),
]


def case_id(case) -> str:
    cls, hyper, _ = case
    return cls.__name__ + "(" + ",".join(f"{k}={v}" for k, v in hyper.items()) + ")"


def make_params(problem: Quadratic, dtype=np.float64) -> list[Variable]:
    return [Variable(x.astype(dtype), name=f"p{i}") for i, x in enumerate(problem.x0)]


def set_grads(problem: Quadratic, params: list[Variable]) -> None:
    for i, p in enumerate(params):
        p.grad = Variable(problem.grad(i, p.data), requires_grad=False)


def run(problem: Quadratic, optimizer, params: list[Variable], n_steps: int) -> list:
    """Step `n_steps` times on `problem`; return a copy of the parameters after each step."""
    trajectory = []
    for _ in range(n_steps):
        set_grads(problem, params)
        optimizer.step()
        trajectory.append([p.data.copy() for p in params])
    return trajectory
