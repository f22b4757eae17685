"""REINFORCE with a baseline on CartPole-v1: the policy gradient in its plainest form.

    python3 examples/rl/cartpole_reinforce.py            # trains, writes runs/cartpole_reinforce/
    python3 examples/rl/cartpole_reinforce.py --evaluate runs/cartpole_reinforce/policy.npz

The policy network maps the cart and pole to a probability for each action; the agent
samples its moves from it for a whole episode. Then every move is made more likely in
proportion to how much better than expected things went afterwards: the return from that
step on, ``G_t``, minus a baseline ``V(s_t)`` (a second small network that learns to predict
``G_t``). Subtracting the baseline changes nothing on average but removes much of the noise.
The loss whose gradient is the policy gradient is ``-mean_t log pi(a_t | s_t) (G_t - V(s_t))``.

CartPole-v1 is solved when a frozen greedy policy (the likelier action) averages at least
475 (of 500) over 100 consecutive episodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from _rl import (
    Clock,
    SolveCheck,
    discounted_returns,
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


def reinforce_loss(logits: Variable, actions: np.ndarray, advantages: np.ndarray) -> Variable:
    """``-mean_t log pi(a_t | s_t) A_t``: logits (T, A) of the states visited, the actions
    taken (T,), and their advantages (T,), constants."""
    logp = F.log_softmax(logits, axis=1)[np.arange(len(actions)), actions]
    return -F.mean(logp * advantages)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = make_parser("cartpole_reinforce", __doc__)
    parser.add_argument("--episodes", type=int, default=1500,
                        help="training episodes at most (default 1500)")
    parser.add_argument("--hidden", type=int, default=128,
                        help="units of the hidden layer (default 128)")
    parser.add_argument("--lr", type=float, default=2e-3,
                        help="Adam's step for the policy (default 0.002)")
    parser.add_argument("--value-lr", type=float, default=5e-3,
                        help="Adam's step for the baseline (default 0.005)")
    parser.add_argument("--gamma", type=float, default=0.99, help="discount (default 0.99)")
    args = parse_args(parser, argv)
    rngs = make_rngs(args.seed)
    rng = rngs["agent"]
    policy = mlp([4, args.hidden, 2], rngs["init"])

    def greedy(obs: np.ndarray) -> int:
        with no_grad():
            return int(policy(obs[None]).data.argmax())

    if args.evaluate:
        return evaluate_saved(policy, greedy, ENV, args)

    baseline = mlp([4, args.hidden, 1], rngs["init"])
    policy_opt = optim.Adam(policy.parameters(), lr=args.lr)
    baseline_opt = optim.Adam(baseline.parameters(), lr=args.value_lr)
    env = make_env(ENV)
    check = SolveCheck(ENV, TARGET, max_return=MAX_RETURN)
    clock = Clock()
    returns: list[float] = []
    solved_at, solved_mean = None, None
    obs, _ = env.reset(seed=int(rngs["env"].integers(2**31)))
    for episode in range(1, args.episodes + 1):
        if episode > 1:
            obs, _ = env.reset()
        # play one episode with the current policy, sampling its actions
        states, actions, rewards, done = [], [], [], False
        while not done:
            with no_grad():
                p = F.softmax(policy(obs[None]), axis=1).data[0].astype(np.float64)
            action = int(rng.choice(2, p=p / p.sum()))
            states.append(obs)
            actions.append(action)
            obs, reward, terminated, truncated, _ = env.step(action)
            rewards.append(reward)
            done = terminated or truncated
        returns.append(float(sum(rewards)))

        # one update of each network from the whole episode (the policy is the one that
        # played it, so computing the log-probabilities again now gives the same numbers)
        s = np.array(states, np.float32)
        a = np.array(actions)
        g = discounted_returns(rewards, args.gamma)
        values = baseline(s).reshape(-1)
        advantages = g - values.data
        advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
        policy_loss = reinforce_loss(policy(s), a, advantages)
        value_loss = F.mse_loss(values, g)
        policy_opt.zero_grad()
        policy_loss.backward()
        policy_opt.step()
        baseline_opt.zero_grad()
        value_loss.backward()
        baseline_opt.step()

        if episode % 50 == 0:
            print(f"episode {episode:4d}  return {returns[-1]:5.0f}  mean of last 100 "
                  f"{np.mean(returns[-100:]):5.1f}  {clock():6.1f} s", flush=True)
        mean = check(returns, greedy)
        if mean is not None:
            print(f"episode {episode:4d}  greedy evaluation: mean return {mean:.1f}")
            if mean >= TARGET:
                solved_at, solved_mean = episode, mean
                break

    print(f"total training time {clock():.1f} s")
    save_outputs(policy, greedy, ENV, args, returns, "REINFORCE with a baseline on CartPole-v1",
                 TARGET)
    best = check.best_mean(returns)
    print(summary(solved_at, solved_mean, f"{args.episodes} episodes", best), flush=True)
    return {"solved_at": solved_at, "mean": solved_mean, "returns": returns}


if __name__ == "__main__":
    main()
