"""Reinforcement learning's two shapes of work, where the networks are tiny and per-op overhead
decides the speed.

(a) One DQN update: a 4-128-128-2 Q-network on a batch of 32 transitions; the target
    network's forward (no gradient), the TD targets, the Huber loss of Q(s, a), backward and
    an Adam step.
(b) One REINFORCE episode of 500 steps: a 4-128-2 policy's forward on one state per step,
    recorded (the log-probability of the action taken is kept), then one backward over the
    whole episode's graph and an Adam step.

Both implementations start from the same weights and see the same states, actions and
rewards, so their losses agree (``loss_after_one_pass`` in the JSON).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd_lite.functions as F
from autograd_lite import nn, no_grad, optim
from benchmarks.options import Options
from benchmarks.timing import OURS, Metric, WorkloadResult, alternate, scaled, seconds

Q_SIZES, POLICY_SIZES = (4, 128, 128, 2), (4, 128, 2)
BATCH, EPISODE, GAMMA, LR = 32, 500, 0.99, 1e-3


def _weights(sizes: tuple[int, ...], seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [((rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)).astype(np.float32),
             (0.1 * rng.standard_normal(n_out)).astype(np.float32))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def _transitions(updates: int, seed: int = 1) -> list[tuple[np.ndarray, ...]]:
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((BATCH, 4)).astype(np.float32), rng.integers(0, 2, BATCH),
             rng.standard_normal(BATCH).astype(np.float32),
             rng.standard_normal((BATCH, 4)).astype(np.float32),
             (rng.random(BATCH) < 0.1).astype(np.float32)) for _ in range(updates)]


def _episode(steps: int, seed: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """States (steps, 1, 4), actions and the normalised discounted returns of a reward of 1
    per step (a CartPole episode that never falls)."""
    rng = np.random.default_rng(seed)
    returns = (1.0 - GAMMA ** np.arange(steps, 0, -1)) / (1.0 - GAMMA)
    returns = ((returns - returns.mean()) / (returns.std() + 1e-8)).astype(np.float32)
    return (rng.standard_normal((steps, 1, 4)).astype(np.float32), rng.integers(0, 2, steps),
            returns)


# ----------------------------------------------------------------------------- ours
def _ours_mlp(weights: list) -> nn.Sequential:
    layers: list[nn.Module] = []
    for W, b in weights:
        linear = nn.Linear(W.shape[1], W.shape[0])
        linear.weight.data, linear.bias.data = W.copy(), b.copy()
        layers += [linear, nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def ours_dqn(weights: list, transitions: list) -> Any:
    q_net, target_net = _ours_mlp(weights), _ours_mlp(weights)
    opt = optim.Adam(q_net.parameters(), lr=LR)
    rows = np.arange(BATCH)

    def run() -> float:
        for s, a, r, s_next, term in transitions:
            with no_grad():
                y = r + GAMMA * (1.0 - term) * target_net(s_next).data.max(axis=1)
            loss = F.huber_loss(q_net(s)[rows, a], y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return loss.item()

    return run


def ours_reinforce(weights: list, episode: tuple) -> Any:
    policy = _ours_mlp(weights)
    opt = optim.Adam(policy.parameters(), lr=LR)
    states, actions, returns = episode

    def run() -> float:
        logps = [F.log_softmax(policy(s), axis=1)[0, a] for s, a in zip(states, actions)]
        loss = -F.mean(F.stack(logps) * returns)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return run


# ----------------------------------------------------------------------------- PyTorch
def _torch_mlp(torch: Any, weights: list) -> Any:
    layers: list[Any] = []
    for W, b in weights:
        linear = torch.nn.Linear(W.shape[1], W.shape[0])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        layers += [linear, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


def torch_dqn(torch: Any, weights: list, transitions: list) -> Any:
    q_net, target_net = _torch_mlp(torch, weights), _torch_mlp(torch, weights)
    opt = torch.optim.Adam(q_net.parameters(), lr=LR)
    tensors = [tuple(torch.from_numpy(x) for x in batch) for batch in transitions]
    rows = torch.arange(BATCH)

    def run() -> float:
        for s, a, r, s_next, term in tensors:
            with torch.no_grad():
                y = r + GAMMA * (1.0 - term) * target_net(s_next).max(dim=1).values
            loss = torch.nn.functional.huber_loss(q_net(s)[rows, a], y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return loss.item()

    return run


def torch_reinforce(torch: Any, weights: list, episode: tuple) -> Any:
    policy = _torch_mlp(torch, weights)
    opt = torch.optim.Adam(policy.parameters(), lr=LR)
    states, actions, returns = (torch.from_numpy(x) for x in episode)
    states, actions = list(states), actions.tolist()

    def run() -> float:
        logps = [torch.log_softmax(policy(s), dim=1)[0, a] for s, a in zip(states, actions)]
        loss = -(torch.stack(logps) * returns).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return run


# ----------------------------------------------------------------------------- the workload
def run(options: Options) -> WorkloadResult:
    updates = 5 if options.quick else 200
    steps = 20 if options.quick else EPISODE
    episodes = 1 if options.quick else 4
    cases = {
        f"(a) DQN update, batch {BATCH}": (
            updates, lambda: ours_dqn(_weights(Q_SIZES, 0), _transitions(updates)),
            lambda torch: torch_dqn(torch, _weights(Q_SIZES, 0), _transitions(updates))),
        f"(b) REINFORCE episode, {steps} steps": (
            episodes, lambda: _repeat(ours_reinforce(_weights(POLICY_SIZES, 3),
                                                     _episode(steps)), episodes),
            lambda torch: _repeat(torch_reinforce(torch, _weights(POLICY_SIZES, 3),
                                                  _episode(steps)), episodes)),
    }
    metrics, first_losses = [], {}
    for name, (count, make_ours, make_torch) in cases.items():
        trainers = {OURS: make_ours()}
        if options.torch is not None:
            trainers["torch"] = make_torch(options.torch)
        first_losses[name] = {impl: fn() for impl, fn in trainers.items()}
        samples = alternate({impl: (lambda fn=fn: seconds(fn)) for impl, fn in trainers.items()},
                            options.repeat, settle=options.settle)
        unit = "us" if name.startswith("(a)") else "ms"
        metrics.append(Metric(name, unit, scaled(samples, (1e6 if unit == "us" else 1e3)
                                                 / count)))
    return WorkloadResult(
        "rl", params={"q_network": Q_SIZES, "policy": POLICY_SIZES, "batch": BATCH,
                      "episode_steps": steps, "loss": "Huber (a), policy gradient (b)",
                      "optimizer": "Adam", "lr": LR, "dtype": "float32",
                      "updates_per_sample": updates, "episodes_per_sample": episodes,
                      "loss_after_one_pass": first_losses},
        metrics=metrics)


def _repeat(fn: Any, times: int) -> Any:
    def run() -> float:
        for _ in range(times):
            loss = fn()
        return loss

    return run
