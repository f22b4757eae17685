"""Soft actor-critic (SAC) on Pendulum-v1: continuous actions, a Gaussian policy that steers
a torque.

    python3 examples/rl/pendulum_sac.py                 # trains, writes runs/pendulum_sac/
    python3 examples/rl/pendulum_sac.py --evaluate runs/pendulum_sac/policy.npz --render

The pendulum starts hanging at a random angle; the agent applies a torque in [-2, 2] at every
step and is rewarded for keeping it upright and still, with little effort. An action is now
a number, not a choice, so the policy outputs a Gaussian (a mean and a log standard
deviation); a draw ``u`` is squashed by ``tanh`` into the torque range. Two Q-networks learn
the expected return of a state and a torque (the smaller of the two curbs over-estimation),
from a replay buffer as in DQN, with slowly following ("soft") target copies. The actor moves
its torque towards what the critics like, and SAC adds an entropy bonus
``-alpha log pi(a|s)`` to every reward: the agent keeps exploring as long as it does not cost
much. ``alpha`` itself is tuned so the policy's entropy stays near a target.

Solved when the frozen greedy policy (the mean torque) averages at least -200 over 100
evaluation episodes, within 20,000 environment steps (100 episodes of 200 steps).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from _rl import (
    EVAL_SEED,
    Clock,
    ReplayBuffer,
    evaluate,
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
from autograd_lite import Variable, nn, no_grad, optim

ENV, TARGET = "Pendulum-v1", -200.0
MAX_TORQUE = 2.0
LOG_STD_MIN, LOG_STD_MAX = -5.0, 2.0
LOG_2PI = math.log(2 * math.pi)
RENDER_SEED = EVAL_SEED + 10  # a start 135 degrees from upright: the GIF shows the swing-up


def tanh_gaussian(mean: Variable, log_std: Variable, noise: np.ndarray, scale: float
                  ) -> tuple[Variable, Variable]:
    """A reparameterised draw ``a = scale tanh(mean + std noise)`` and its log-density.

    mean, log_std (B, D) are the policy's outputs, noise (B, D) standard normal. The density
    of ``u`` is the Gaussian's, ``-0.5 noise^2 - log_std - 0.5 log(2 pi)`` per dimension; the
    squashing divides it by ``|da/du| = scale (1 - tanh(u)^2)``, whose log is computed as
    ``log(scale) + 2 (log 2 - u - softplus(-2 u))``, finite for any ``u``. Returns
    ``(action (B, D), log_prob (B,))``; both carry gradients to mean and log_std.
    """
    u = mean + F.exp(log_std) * noise
    gaussian = -0.5 * noise**2 - log_std - 0.5 * LOG_2PI
    log_det = math.log(scale) + 2.0 * (math.log(2.0) - u - F.softplus(-2.0 * u))
    return scale * F.tanh(u), F.sum(gaussian - log_det, axis=1)


def policy_outputs(actor: nn.Module, obs: Any) -> tuple[Variable, Variable]:
    """The actor's mean and log standard deviation (B, 1) each, the latter kept in range."""
    out = actor(obs)
    return out[:, :1], F.clip(out[:, 1:], LOG_STD_MIN, LOG_STD_MAX)


def soft_q_targets(rewards: np.ndarray, next_q1: np.ndarray, next_q2: np.ndarray,
                   next_logp: np.ndarray, terminated: np.ndarray, gamma: float,
                   alpha: float) -> np.ndarray:
    """``r + gamma (1 - terminated) (min(Q1', Q2') - alpha log pi(a'|s'))``: the soft Bellman
    target, the next action drawn from the current policy."""
    soft_value = np.minimum(next_q1, next_q2) - alpha * next_logp
    return rewards + gamma * (1.0 - terminated) * soft_value


def actor_loss(q1: Variable, q2: Variable, logp: Variable, alpha: float) -> Variable:
    """``mean(alpha log pi(a|s) - min(Q1, Q2)(s, a))`` for freshly drawn actions (B,)."""
    return F.mean(alpha * logp - F.minimum(q1, q2))


def alpha_loss(log_alpha: Variable, logp: np.ndarray, target_entropy: float) -> Variable:
    """``-mean(log_alpha (log pi + target_entropy))``: alpha rises while the policy's entropy
    ``-log pi`` is below the target, and falls while it is above."""
    return -F.mean(log_alpha * (logp + target_entropy))


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = make_parser("pendulum_sac", __doc__)
    parser.add_argument("--steps", type=int, default=20_000,
                        help="environment steps at most (default 20000)")
    parser.add_argument("--hidden", type=int, default=128,
                        help="units of each network's two hidden layers (default 128)")
    parser.add_argument("--lr", type=float, default=1e-3,
                        help="Adam's step for actor, critics and alpha (default 0.001)")
    parser.add_argument("--gamma", type=float, default=0.99, help="discount (default 0.99)")
    parser.add_argument("--tau", type=float, default=0.005,
                        help="how fast the target critics follow (default 0.005)")
    parser.add_argument("--batch-size", type=int, default=128,
                        help="transitions per update (default 128)")
    parser.add_argument("--learning-starts", type=int, default=1000,
                        help="steps of random torques before the first update (default 1000)")
    parser.add_argument("--eval-every", type=int, default=1000,
                        help="steps between checks of the greedy policy (default 1000)")
    args = parse_args(parser, argv)
    rngs = make_rngs(args.seed)
    rng = rngs["agent"]
    actor = mlp([3, args.hidden, args.hidden, 2], rngs["init"])

    def greedy(obs: np.ndarray) -> np.ndarray:
        with no_grad():
            mean, _ = policy_outputs(actor, obs[None])
            return MAX_TORQUE * np.tanh(mean.data[0])

    if args.evaluate:
        return evaluate_saved(actor, greedy, ENV, args, RENDER_SEED)

    critics = [mlp([4, args.hidden, args.hidden, 1], rngs["init"]) for _ in range(2)]
    targets = [mlp([4, args.hidden, args.hidden, 1], rngs["init"]) for _ in range(2)]
    for target, critic in zip(targets, critics):
        target.load_state_dict(critic.state_dict())
    log_alpha = nn.Parameter(np.zeros((), np.float32))
    target_entropy = -1.0  # minus the number of action dimensions, the usual choice
    actor_opt = optim.Adam(actor.parameters(), lr=args.lr)
    critic_opt = optim.Adam([p for c in critics for p in c.parameters()], lr=args.lr)
    alpha_opt = optim.Adam([log_alpha], lr=args.lr)
    buffer = ReplayBuffer(args.steps, 3, (1,), np.float32)
    env = make_env(ENV)
    clock = Clock()

    def q_values(nets: list[nn.Module], s: Any, a: Any) -> list[Variable]:
        sa = F.concatenate([s, a], axis=1)
        return [net(sa).reshape(-1) for net in nets]

    returns: list[float] = []
    evaluations: list[tuple[int, float]] = []
    solved_at, solved_mean, best = None, None, -np.inf
    obs, _ = env.reset(seed=int(rngs["env"].integers(2**31)))
    episode_return = 0.0
    for step in range(1, args.steps + 1):
        if step <= args.learning_starts:
            action = rng.uniform(-MAX_TORQUE, MAX_TORQUE, 1).astype(np.float32)
        else:
            with no_grad():
                mean, log_std = policy_outputs(actor, obs[None])
                noise = rng.standard_normal((1, 1), np.float32)
                a, _ = tanh_gaussian(mean, log_std, noise, MAX_TORQUE)
            action = a.data[0]
        next_obs, reward, terminated, truncated, _ = env.step(action)
        buffer.add(obs, action, reward, next_obs, terminated)  # a time limit is no terminal
        obs, episode_return = next_obs, episode_return + reward
        if terminated or truncated:
            returns.append(episode_return)
            obs, _ = env.reset()
            episode_return = 0.0

        if step > args.learning_starts:
            s, a, r, s_next, term = buffer.sample(args.batch_size, rng)
            alpha = float(np.exp(log_alpha.data))
            # the critics: towards the soft Bellman target
            with no_grad():
                mean, log_std = policy_outputs(actor, s_next)
                a_next, logp_next = tanh_gaussian(
                    mean, log_std, rng.standard_normal(mean.shape, np.float32), MAX_TORQUE)
                q1_next, q2_next = q_values(targets, s_next, a_next)
                y = soft_q_targets(r, q1_next.data, q2_next.data, logp_next.data, term,
                                   args.gamma, alpha)
            q1, q2 = q_values(critics, s, a)
            critic_opt.zero_grad()
            (F.mse_loss(q1, y) + F.mse_loss(q2, y)).backward()
            critic_opt.step()
            # the actor: torques the critics value more, with an entropy bonus
            mean, log_std = policy_outputs(actor, s)
            a_new, logp = tanh_gaussian(mean, log_std, rng.standard_normal(mean.shape, np.float32),
                                        MAX_TORQUE)
            q1, q2 = q_values(critics, s, a_new)
            actor_opt.zero_grad()
            actor_loss(q1, q2, logp, alpha).backward()
            actor_opt.step()
            # the temperature
            alpha_opt.zero_grad()
            alpha_loss(log_alpha, logp.data, target_entropy).backward()
            alpha_opt.step()
            # the target critics follow slowly
            for target, critic in zip(targets, critics):
                for tp, p in zip(target.parameters(), critic.parameters()):
                    tp.data = (1.0 - args.tau) * tp.data + args.tau * p.data

        if step % args.eval_every == 0 and step > args.learning_starts:
            # a short check first (10 episodes); the full 100 only when it looks solved
            mean = evaluate(ENV, greedy, 10)
            if mean >= TARGET:
                mean = evaluate(ENV, greedy, 100)
            evaluations.append((step, mean))
            best = max(best, mean)
            print(f"step {step:6d}  episodes {len(returns):4d}  last return "
                  f"{returns[-1] if returns else float('nan'):7.1f}  greedy evaluation "
                  f"{mean:7.1f}  alpha {float(np.exp(log_alpha.data)):.3f}  {clock():6.1f} s",
                  flush=True)
            if mean >= TARGET:
                solved_at, solved_mean = step, mean
                break

    print(f"total training time {clock():.1f} s, {step} steps")
    save_outputs(actor, greedy, ENV, args, returns, "SAC on Pendulum-v1", TARGET,
                 [(s / 200, mean) for s, mean in evaluations],  # 200 steps an episode
                 seed=RENDER_SEED)
    print(summary(solved_at, solved_mean, f"{args.steps} steps", best, "step"), flush=True)
    return {"solved_at": solved_at, "mean": solved_mean, "returns": returns,
            "evaluations": evaluations, "steps": step}


if __name__ == "__main__":
    main()
