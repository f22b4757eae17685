"""Advantage actor-critic (A2C) on CartPole-v1: a policy (the actor) and a value network
(the critic), learning from short rollouts of several environments at once.

    python3 examples/rl/cartpole_actor_critic.py     # trains, writes runs/cartpole_actor_critic/
    python3 examples/rl/cartpole_actor_critic.py --evaluate runs/cartpole_actor_critic/policy.npz

REINFORCE waits for the end of an episode to know the return. The critic's estimate of it,
``V(s)``, lets the agent learn after a few steps instead: the n-step return
``r_t + gamma r_{t+1} + ... + gamma^n V(s_{t+n})`` stands in for the rest of the episode, and
the advantage ``A_t`` = that return minus ``V(s_t)`` says whether a move turned out better or
worse than the critic expected. Several copies of the environment play side by side, so each
update averages over different situations. The loss adds three terms: the policy gradient
``-log pi(a|s) A``, the critic's squared error, and a small bonus for the policy's entropy
that keeps it from becoming certain too early.

CartPole-v1 is solved when a frozen greedy policy (the likelier action) averages at least
475 (of 500) over 100 consecutive episodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from _rl import (
    Clock,
    Envs,
    SolveCheck,
    evaluate_saved,
    gae,
    make_parser,
    make_rngs,
    mlp,
    parse_args,
    sample_actions,
    save_outputs,
    summary,
)

import autograd_lite.functions as F
from autograd_lite import Variable, nn, no_grad, optim

ENV, TARGET, MAX_RETURN = "CartPole-v1", 475.0, 500.0


def a2c_loss(logits: Variable, values: Variable, actions: np.ndarray, advantages: np.ndarray,
             returns: np.ndarray, value_coef: float, entropy_coef: float
             ) -> tuple[Variable, Variable, Variable]:
    """``policy + value_coef value - entropy_coef entropy`` over a batch of B steps.

    logits (B, A) and values (B,) are the networks' outputs; actions, advantages and returns
    (B,) are constants. Returns ``(total, policy_loss, entropy)``.
    """
    logp_all = F.log_softmax(logits, axis=1)
    logp = logp_all[np.arange(len(actions)), actions]
    policy_loss = -F.mean(logp * advantages)
    value_loss = F.mse_loss(values, returns)
    entropy = -F.mean(F.sum(F.exp(logp_all) * logp_all, axis=1))
    return policy_loss + value_coef * value_loss - entropy_coef * entropy, policy_loss, entropy


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = make_parser("cartpole_actor_critic", __doc__)
    parser.add_argument("--steps", type=int, default=500_000,
                        help="environment steps at most, all copies together (default 500000)")
    parser.add_argument("--envs", type=int, default=8,
                        help="environments played side by side (default 8)")
    parser.add_argument("--n-steps", type=int, default=8,
                        help="steps of each environment per update (default 8)")
    parser.add_argument("--hidden", type=int, default=128,
                        help="units of each network's hidden layer (default 128)")
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam's step (default 0.001)")
    parser.add_argument("--gamma", type=float, default=0.99, help="discount (default 0.99)")
    parser.add_argument("--value-coef", type=float, default=0.5,
                        help="weight of the critic's loss (default 0.5)")
    parser.add_argument("--entropy-coef", type=float, default=0.01,
                        help="weight of the entropy bonus (default 0.01)")
    parser.add_argument("--max-grad-norm", type=float, default=0.5,
                        help="gradients are clipped to this norm (default 0.5)")
    args = parse_args(parser, argv)
    rngs = make_rngs(args.seed)
    rng = rngs["agent"]
    actor = mlp([4, args.hidden, 2], rngs["init"])

    def greedy(obs: np.ndarray) -> int:
        with no_grad():
            return int(actor(obs[None]).data.argmax())

    if args.evaluate:
        return evaluate_saved(actor, greedy, ENV, args)

    critic = mlp([4, args.hidden, 1], rngs["init"])
    params = list(actor.parameters()) + list(critic.parameters())
    optimizer = optim.Adam(params, lr=args.lr)
    envs = Envs(ENV, args.envs, rngs["env"])
    check = SolveCheck(ENV, TARGET, max_return=MAX_RETURN)
    clock = Clock()
    obs = envs.obs.copy()
    step, update, solved_at, solved_mean, checked = 0, 0, None, None, 0
    while step < args.steps:
        # a rollout: n steps of every environment with the current policy
        states, actions, rewards, dones = [], [], [], []
        for _ in range(args.n_steps):
            with no_grad():
                p = F.softmax(actor(obs), axis=1).data
            action = sample_actions(p, rng)
            next_obs, reward, done, _ = envs.step(action)
            states.append(obs)
            actions.append(action)
            rewards.append(reward)
            dones.append(done)
            obs = next_obs
        step += args.n_steps * args.envs
        update += 1

        # n-step returns and advantages: GAE with lambda = 1 is exactly that
        s = np.concatenate(states)  # (n * envs, 4), time major
        values = critic(s).reshape(-1)
        with no_grad():
            last = critic(obs).data.reshape(-1)
        v = values.data.reshape(args.n_steps, args.envs)
        next_v = np.concatenate([v[1:], last[None]])
        advantages, returns = gae(np.array(rewards), v, next_v, np.array(dones), args.gamma,
                                  1.0)
        loss, _, _ = a2c_loss(actor(s), values, np.concatenate(actions),
                              advantages.reshape(-1), returns.reshape(-1), args.value_coef,
                              args.entropy_coef)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, args.max_grad_norm)
        optimizer.step()

        episodes = envs.returns
        if update % 250 == 0 and episodes:
            print(f"step {step:7d}  episodes {len(episodes):5d}  mean of last 100 "
                  f"{np.mean(episodes[-100:]):5.1f}  {clock():6.1f} s", flush=True)
        if len(episodes) > checked:  # an episode ended: is the policy solved?
            checked = len(episodes)
            mean = check(episodes, greedy)
            if mean is not None:
                print(f"episode {len(episodes):5d}  greedy evaluation: mean return {mean:.1f}")
                if mean >= TARGET:
                    solved_at, solved_mean = len(episodes), mean
                    break

    print(f"total training time {clock():.1f} s, {step} steps, {len(envs.returns)} episodes")
    save_outputs(actor, greedy, ENV, args, envs.returns, "A2C on CartPole-v1", TARGET)
    best = check.best_mean(envs.returns)
    print(summary(solved_at, solved_mean, f"{args.steps} steps", best), flush=True)
    return {"solved_at": solved_at, "mean": solved_mean, "returns": envs.returns, "steps": step}


if __name__ == "__main__":
    main()
