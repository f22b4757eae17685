"""Proximal policy optimisation (PPO) on CartPole-v1: the clipped objective and generalised
advantage estimation, the method practitioners reach for first today.

    python3 examples/rl/cartpole_ppo.py                 # trains, writes runs/cartpole_ppo/
    python3 examples/rl/cartpole_ppo.py --evaluate runs/cartpole_ppo/policy.npz --render

Like A2C, the agent plays several environments side by side and has an actor and a critic.
Unlike A2C, it reuses each rollout for several epochs of mini-batch updates. That is only
safe while the policy stays close to the one that played: the ratio
``r = pi_new(a|s) / pi_old(a|s)`` is clipped to ``[1 - eps, 1 + eps]`` inside
``min(r A, clip(r) A)``, so an update gains nothing by moving a probability further than that.
The advantages ``A`` are GAE: the critic's one-step errors
``delta_t = r_t + gamma V(s_{t+1}) - V(s_t)``, summed with weights ``(gamma lambda)^k``, a
dial between the low noise of one step (lambda = 0) and the low bias of the whole return
(lambda = 1).

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


def ppo_clip_loss(logp_new: Variable, logp_old: np.ndarray, advantages: np.ndarray,
                  clip: float) -> Variable:
    """``-mean(min(r A, clip(r, 1 - clip, 1 + clip) A))`` with ``r = exp(logp_new -
    logp_old)``: the new policy's log-probabilities (B,) of the actions taken against the
    old ones and the advantages (B,), constants."""
    ratio = F.exp(logp_new - logp_old)
    clipped = F.clip(ratio, 1.0 - clip, 1.0 + clip)
    return -F.mean(F.minimum(ratio * advantages, clipped * advantages))


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = make_parser("cartpole_ppo", __doc__)
    parser.add_argument("--steps", type=int, default=300_000,
                        help="environment steps at most, all copies together (default 300000)")
    parser.add_argument("--envs", type=int, default=4,
                        help="environments played side by side (default 4)")
    parser.add_argument("--n-steps", type=int, default=128,
                        help="steps of each environment per rollout (default 128)")
    parser.add_argument("--epochs", type=int, default=4,
                        help="passes over each rollout (default 4)")
    parser.add_argument("--minibatches", type=int, default=4,
                        help="mini-batches per pass (default 4)")
    parser.add_argument("--hidden", type=int, default=64,
                        help="units of each network's two hidden layers (default 64)")
    parser.add_argument("--lr", type=float, default=1e-3,
                        help="Adam's step, annealed linearly to 0 over the budget "
                             "(default 0.001)")
    parser.add_argument("--gamma", type=float, default=0.99, help="discount (default 0.99)")
    parser.add_argument("--lam", type=float, default=0.95, help="GAE's lambda (default 0.95)")
    parser.add_argument("--clip", type=float, default=0.2,
                        help="the ratio's clipping range eps (default 0.2)")
    parser.add_argument("--value-coef", type=float, default=0.5,
                        help="weight of the critic's loss (default 0.5)")
    parser.add_argument("--entropy-coef", type=float, default=0.01,
                        help="weight of the entropy bonus (default 0.01)")
    parser.add_argument("--max-grad-norm", type=float, default=0.5,
                        help="gradients are clipped to this norm (default 0.5)")
    args = parse_args(parser, argv)
    rngs = make_rngs(args.seed)
    rng = rngs["agent"]
    actor = mlp([4, args.hidden, args.hidden, 2], rngs["init"], nn.Tanh)

    def greedy(obs: np.ndarray) -> int:
        with no_grad():
            return int(actor(obs[None]).data.argmax())

    if args.evaluate:
        return evaluate_saved(actor, greedy, ENV, args)

    critic = mlp([4, args.hidden, args.hidden, 1], rngs["init"], nn.Tanh)
    params = list(actor.parameters()) + list(critic.parameters())
    optimizer = optim.Adam(params, lr=args.lr)
    envs = Envs(ENV, args.envs, rngs["env"])
    check = SolveCheck(ENV, TARGET, max_return=MAX_RETURN)
    clock = Clock()
    obs = envs.obs.copy()
    batch = args.envs * args.n_steps
    minibatch = max(1, batch // args.minibatches)
    step, rollout, solved_at, solved_mean, checked = 0, 0, None, None, 0
    while step < args.steps and solved_at is None:
        # a rollout with the current ("old") policy; keep its log-probabilities and values
        states, actions, logps, rewards, dones = [], [], [], [], []
        for _ in range(args.n_steps):
            with no_grad():
                logp_all = F.log_softmax(actor(obs), axis=1).data
            action = sample_actions(np.exp(logp_all), rng)
            next_obs, reward, done, _ = envs.step(action)
            states.append(obs)
            actions.append(action)
            logps.append(logp_all[np.arange(args.envs), action])
            rewards.append(reward)
            dones.append(done)
            obs = next_obs
            step += args.envs
        rollout += 1

        with no_grad():
            v = critic(np.concatenate(states + [obs])).data.reshape(args.n_steps + 1,
                                                                    args.envs)
        advantages, returns = gae(np.array(rewards), v[:-1], v[1:], np.array(dones),
                                  args.gamma, args.lam)
        s, a = np.concatenate(states), np.concatenate(actions)
        logp_old, adv, ret = (np.concatenate(logps), advantages.reshape(-1),
                              returns.reshape(-1))

        # several epochs of mini-batch updates on the one rollout
        optimizer.param_groups[0]["lr"] = args.lr * max(0.0, 1.0 - step / args.steps)
        for _ in range(args.epochs):
            order = rng.permutation(batch)
            for start in range(0, batch, minibatch):
                i = order[start:start + minibatch]
                mb_adv = (adv[i] - adv[i].mean()) / (adv[i].std() + 1e-8)
                logp_all = F.log_softmax(actor(s[i]), axis=1)
                logp = logp_all[np.arange(len(i)), a[i]]
                policy_loss = ppo_clip_loss(logp, logp_old[i], mb_adv, args.clip)
                value_loss = F.mse_loss(critic(s[i]).reshape(-1), ret[i])
                entropy = -F.mean(F.sum(F.exp(logp_all) * logp_all, axis=1))
                loss = (policy_loss + args.value_coef * value_loss
                        - args.entropy_coef * entropy)
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(params, args.max_grad_norm)
                optimizer.step()

        episodes = envs.returns
        if rollout % 10 == 0 and episodes:
            print(f"step {step:7d}  episodes {len(episodes):5d}  mean of last 100 "
                  f"{np.mean(episodes[-100:]):5.1f}  {clock():6.1f} s", flush=True)
        if len(episodes) > checked:  # an episode ended: is the policy solved?
            checked = len(episodes)
            mean = check(episodes, greedy)
            if mean is not None:
                print(f"episode {len(episodes):5d}  greedy evaluation: mean return {mean:.1f}")
                if mean >= TARGET:
                    solved_at, solved_mean = len(episodes), mean

    print(f"total training time {clock():.1f} s, {step} steps, {len(envs.returns)} episodes")
    save_outputs(actor, greedy, ENV, args, envs.returns, "PPO on CartPole-v1", TARGET)
    best = check.best_mean(envs.returns)
    print(summary(solved_at, solved_mean, f"{args.steps} steps", best), flush=True)
    return {"solved_at": solved_at, "mean": solved_mean, "returns": envs.returns, "steps": step}


if __name__ == "__main__":
    main()
