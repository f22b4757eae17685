"""Reference optimizers written straight from PyTorch's documented algorithms.

Plain, allocation-happy NumPy on one parameter at a time, so the tests check the
fast in-place code in `optim` against an independent, readable statement of each
formula. Each ``*_step(theta, g, state, t, **hyper)`` returns the new parameter
and updates the dict ``state``; ``t`` counts steps from 1.
"""

from __future__ import annotations

import numpy as np


def sgd_step(
    theta, g, state, t, lr, momentum=0.0, dampening=0.0, nesterov=False,
    weight_decay=0.0, maximize=False,
):
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * theta
    if momentum != 0:
        if t > 1:
            b = momentum * state["b"] + (1 - dampening) * g
        else:
            b = g
        state["b"] = b
        g = g + momentum * b if nesterov else b
    return theta - lr * g


def adagrad_step(
    theta, g, state, t, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
    initial_accumulator_value=0.0, eps=1e-10, maximize=False,
):
    if maximize:
        g = -g
    lr_t = lr / (1 + (t - 1) * lr_decay)
    if weight_decay != 0:
        g = g + weight_decay * theta
    state["sum"] = state.get("sum", initial_accumulator_value) + g**2
    return theta - lr_t * g / (np.sqrt(state["sum"]) + eps)


def rmsprop_step(
    theta, g, state, t, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0,
    momentum=0.0, centered=False, maximize=False,
):
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * theta
    state["v"] = alpha * state.get("v", 0.0) + (1 - alpha) * g**2
    v_tilde = state["v"]
    if centered:
        state["g_ave"] = alpha * state.get("g_ave", 0.0) + (1 - alpha) * g
        v_tilde = v_tilde - state["g_ave"] ** 2
    if momentum > 0:
        state["b"] = momentum * state.get("b", 0.0) + g / (np.sqrt(v_tilde) + eps)
        return theta - lr * state["b"]
    return theta - lr * g / (np.sqrt(v_tilde) + eps)


def _adam_moments(g, state, t, beta1, beta2, amsgrad):
    state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
    state["v"] = beta2 * state.get("v", 0.0) + (1 - beta2) * g**2
    m_hat = state["m"] / (1 - beta1**t)
    if amsgrad:
        state["v_max"] = np.maximum(state.get("v_max", 0.0), state["v"])
        v_hat = state["v_max"] / (1 - beta2**t)
    else:
        v_hat = state["v"] / (1 - beta2**t)
    return m_hat, v_hat


def adam_step(
    theta, g, state, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
    maximize=False, decoupled_weight_decay=False,
):
    if decoupled_weight_decay:
        return adamw_step(theta, g, state, t, lr, betas, eps, weight_decay, amsgrad, maximize)
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * theta
    m_hat, v_hat = _adam_moments(g, state, t, betas[0], betas[1], amsgrad)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps)


def adamw_step(
    theta, g, state, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
    maximize=False,
):
    if maximize:
        g = -g
    theta = theta - lr * weight_decay * theta
    m_hat, v_hat = _adam_moments(g, state, t, betas[0], betas[1], amsgrad)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps)


class Quadratic:
    """A fixed problem: parameter ``i`` has gradient ``A_i @ theta_i.ravel() - b_i``.

    The shapes include a matrix, a vector and a 0-d scalar parameter.
    """

    shapes = [(3, 4), (5,), ()]

    def __init__(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.x0, self.A, self.b = [], [], []
        for shape in self.shapes:
            n = int(np.prod(shape))
            q = rng.normal(size=(n, n))
            self.A.append(q @ q.T / n + 0.5 * np.eye(n))
            self.b.append(rng.normal(size=n))
            self.x0.append(rng.normal(size=shape))

    def grad(self, i: int, theta: np.ndarray) -> np.ndarray:
        flat = self.A[i].astype(theta.dtype) @ theta.ravel() - self.b[i].astype(theta.dtype)
        return flat.reshape(theta.shape)

    def reference(self, step_fn, hyper, n_steps: int) -> list[list[np.ndarray]]:
        """Parameters after each of `n_steps` reference steps (float64).

        `hyper` is one dict of hyper-parameters, or a list with one per parameter.
        """
        thetas = [x.copy() for x in self.x0]
        states = [{} for _ in thetas]
        hypers = hyper if isinstance(hyper, list) else [hyper] * len(thetas)
        trajectory = []
        for t in range(1, n_steps + 1):
            for i, theta in enumerate(thetas):
                thetas[i] = step_fn(theta, self.grad(i, theta), states[i], t, **hypers[i])
            trajectory.append([theta.copy() for theta in thetas])
        return trajectory
