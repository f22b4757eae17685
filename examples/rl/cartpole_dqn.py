"""DQN on CartPole-v1: a Q-network, a replay buffer, a target network, Huber loss and an
epsilon-greedy schedule.

    python3 examples/rl/cartpole_dqn.py                  # trains, writes runs/cartpole_dqn/
    python3 examples/rl/cartpole_dqn.py --evaluate runs/cartpole_dqn/policy.npz --render

The network maps the 4 numbers of the cart and pole to one value per action: Q(s, a), the
return the agent expects if it pushes left (or right) now and acts well afterwards. It learns
from its own past moves, drawn at random from a replay buffer, by moving Q(s, a) towards the
target ``r + gamma max_a' Q_target(s', a')`` (just ``r`` when the pole fell). The target
network is a copy of the Q-network refreshed every 200 steps, so the target does not
move with every update. The agent acts greedily except with probability epsilon, which falls
from 1 to a few percent over the first steps.

CartPole-v1 is solved when a frozen greedy policy averages at least 475 (of 500) over 100
consecutive episodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from _rl import (
    Clock,
    ReplayBuffer,
    SolveCheck,
    evaluate_saved,
    make_env,
    make_parser,
    make_rngs,
    mlp,
    parse_args,
    save_outputs,
    summary,
)

import autograd_lite.functions as F
from autograd_lite import Variable, no_grad, optim

ENV, TARGET, MAX_RETURN = "CartPole-v1", 475.0, 500.0


def q_targets(rewards: np.ndarray, next_q: np.ndarray, terminated: np.ndarray,
              gamma: float) -> np.ndarray:
    """``r + gamma max_a' Q_target(s', a')``, with no future after a terminal state (a pole
    that fell). A time-limit cut (truncation) is not terminal: it is never stored as such."""
    return rewards + gamma * (1.0 - terminated) * next_q.max(axis=1)


def dqn_loss(q_values: Variable, actions: np.ndarray, targets: np.ndarray) -> Variable:
    """Huber loss between Q(s, a) of the actions taken (q_values: (B, A)) and the targets."""
    return F.huber_loss(q_values[np.arange(len(actions)), actions], targets)


def epsilon_at(step: int, start: float, end: float, decay_steps: int) -> float:
    """Linear decay from `start` to `end` over `decay_steps` steps, then `end`."""
    return end + (start - end) * max(0.0, 1.0 - step / decay_steps) if decay_steps else end


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = make_parser("cartpole_dqn", __doc__)
    parser.add_argument("--episodes", type=int, default=1000,
                        help="training episodes at most (default 1000)")
    parser.add_argument("--hidden", type=int, default=128, help="units per hidden layer "
                        "(two layers; default 128)")
    parser.add_argument("--lr", type=float, default=5e-4, help="Adam's step (default 0.0005)")
    parser.add_argument("--gamma", type=float, default=0.99, help="discount (default 0.99)")
    parser.add_argument("--batch-size", type=int, default=64,
                        help="transitions per update (default 64)")
    parser.add_argument("--buffer", type=int, default=50_000,
                        help="replay buffer capacity (default 50000)")
    parser.add_argument("--learning-starts", type=int, default=1000,
                        help="random steps before the first update (default 1000)")
    parser.add_argument("--target-every", type=int, default=200,
                        help="steps between copies into the target network (default 200)")
    parser.add_argument("--eps-end", type=float, default=0.02,
                        help="final exploration rate (default 0.02)")
    parser.add_argument("--eps-decay", type=int, default=10_000,
                        help="steps over which epsilon falls from 1 (default 10000)")
    args = parse_args(parser, argv)
    rngs = make_rngs(args.seed)
    rng = rngs["agent"]
    q_net = mlp([4, args.hidden, args.hidden, 2], rngs["init"])

    def greedy(obs: np.ndarray) -> int:
        with no_grad():
            return int(q_net(obs[None]).data.argmax())

    if args.evaluate:
        return evaluate_saved(q_net, greedy, ENV, args)

    target_net = mlp([4, args.hidden, args.hidden, 2], rngs["init"])
    target_net.load_state_dict(q_net.state_dict())
    optimizer = optim.Adam(q_net.parameters(), lr=args.lr)
    buffer = ReplayBuffer(args.buffer, 4)
    env = make_env(ENV)
    check = SolveCheck(ENV, TARGET, max_return=MAX_RETURN)
    clock = Clock()
    returns: list[float] = []
    step, solved_at, solved_mean = 0, None, None
    obs, _ = env.reset(seed=int(rngs["env"].integers(2**31)))
    for episode in range(1, args.episodes + 1):
        if episode > 1:
            obs, _ = env.reset()
        episode_return, done = 0.0, False
        while not done:
            epsilon = epsilon_at(step, 1.0, args.eps_end, args.eps_decay)
            action = int(rng.integers(2)) if rng.random() < epsilon else greedy(obs)
            next_obs, reward, terminated, truncated, _ = env.step(action)
            buffer.add(obs, action, reward, next_obs, terminated)
            obs, episode_return, step = next_obs, episode_return + reward, step + 1
            done = terminated or truncated

            if step >= args.learning_starts:
                s, a, r, s_next, term = buffer.sample(args.batch_size, rng)
                with no_grad():
                    targets = q_targets(r, target_net(s_next).data, term, args.gamma)
                loss = dqn_loss(q_net(s), a, targets)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            if step % args.target_every == 0:
                target_net.load_state_dict(q_net.state_dict())
        returns.append(episode_return)

        if episode % 20 == 0:
            print(f"episode {episode:4d}  steps {step:6d}  return {episode_return:5.0f}  "
                  f"mean of last 100 {np.mean(returns[-100:]):5.1f}  epsilon {epsilon:.3f}  "
                  f"{clock():6.1f} s", flush=True)
        mean = check(returns, greedy)
        if mean is not None:
            print(f"episode {episode:4d}  greedy evaluation: mean return {mean:.1f}")
            if mean >= TARGET:
                solved_at, solved_mean = episode, mean
                break

    print(f"total training time {clock():.1f} s, {step} steps")
    save_outputs(q_net, greedy, ENV, args, returns, "DQN on CartPole-v1", TARGET)
    best = check.best_mean(returns)
    print(summary(solved_at, solved_mean, f"{args.episodes} episodes", best), flush=True)
    return {"solved_at": solved_at, "mean": solved_mean, "returns": returns, "steps": step}


if __name__ == "__main__":
    main()
