"""examples/rl/cartpole_dqn.py written with PyTorch, to time the same agent solving CartPole-v1.

    python benchmarks/rl_torch/cartpole_dqn_torch.py [--seed N] [same options as the example]

Not an example: it exists to compare wall time to solve. It takes the example's command line,
its defaults, its replay buffer, its random draws and its solved check; the Q-network starts
from the very weights the example's does (copied), and only the network, the loss, backward
and Adam run in PyTorch. Floating-point sums differ in the last bits, so the two runs drift
apart after a while and may solve at different episodes: compare time per step as well as
time to solve.
"""

from __future__ import annotations

import sys
from pathlib import Path

RL = Path(__file__).resolve().parents[2] / "examples" / "rl"
sys.path.insert(0, str(RL))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _rl import Clock, ReplayBuffer, SolveCheck, make_env, make_rngs, mlp  # noqa: E402
from cartpole_dqn import ENV, MAX_RETURN, TARGET, epsilon_at  # noqa: E402


def to_torch(model) -> torch.nn.Sequential:
    layers = []
    for layer in model:
        if hasattr(layer, "weight"):
            linear = torch.nn.Linear(layer.weight.shape[1], layer.weight.shape[0])
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(layer.weight.data))
                linear.bias.copy_(torch.from_numpy(layer.bias.data))
            layers.append(linear)
        else:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def main(argv=None) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--episodes", type=int, default=600)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--buffer", type=int, default=50_000)
    parser.add_argument("--learning-starts", type=int, default=1000)
    parser.add_argument("--target-every", type=int, default=500)
    parser.add_argument("--eps-end", type=float, default=0.02)
    parser.add_argument("--eps-decay", type=int, default=10_000)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(args.threads)
    rngs = make_rngs(args.seed)
    rng = rngs["agent"]
    q_net = to_torch(mlp([4, args.hidden, args.hidden, 2], rngs["init"]))
    target_net = to_torch(mlp([4, args.hidden, args.hidden, 2], rngs["init"]))
    target_net.load_state_dict(q_net.state_dict())
    optimizer = torch.optim.Adam(q_net.parameters(), lr=args.lr)

    def greedy(obs: np.ndarray) -> int:
        with torch.no_grad():
            return int(q_net(torch.from_numpy(obs[None])).argmax())

    buffer = ReplayBuffer(args.buffer, 4)
    env = make_env(ENV)
    check = SolveCheck(ENV, TARGET, max_return=MAX_RETURN)
    clock = Clock()
    returns, step, solved_at = [], 0, None
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
                s, a, r, s_next, term = (torch.from_numpy(x) for x in
                                         buffer.sample(args.batch_size, rng))
                with torch.no_grad():
                    targets = r + args.gamma * (1.0 - term) * target_net(s_next).max(1).values
                q = q_net(s).gather(1, a[:, None]).squeeze(1)
                loss = torch.nn.functional.huber_loss(q, targets)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            if step % args.target_every == 0:
                target_net.load_state_dict(q_net.state_dict())
        returns.append(episode_return)
        mean = check(returns, greedy)
        if mean is not None and mean >= TARGET:
            solved_at = episode
            break
    print(f"total training time {clock():.1f} s, {step} steps "
          f"({clock() / step * 1e6:.0f} us per step)")
    print(f"solved at episode {solved_at}: mean return {mean:.1f}" if solved_at else
          f"not solved in {args.episodes} episodes")


if __name__ == "__main__":
    main()
