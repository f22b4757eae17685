"""What the reinforcement-learning agents share, so that each agent's file shows only its
networks, its losses and its loop: the command line, environments and their seeds, a replay
buffer, discounted returns and GAE, the greedy evaluation that decides "solved", the reward
curve, a GIF of the trained agent, and the policy file.

Nothing here is needed to follow an algorithm. Gymnasium (``pip install -e '.[rl]'``) is
imported here and in the agents only: the engine, ``nn`` and ``optim`` never import it.

A run is deterministic for a given ``--seed``: the initial weights, the agent's random draws
(actions, mini-batches) and the environments' starting states each come from their own seed
spawned from it (see :func:`make_rngs`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.append(str(Path(__file__).resolve().parent.parent))  # examples/: the threads option
from _process import add_threads_option, setup_process  # noqa: E402

from autograd_lite import nn  # noqa: E402
from autograd_lite.files import atomic_write  # noqa: E402

RUNS = Path("runs")  # outputs go to runs/<agent>/ under the current directory
EVAL_SEED = 10_000  # evaluation episodes start from other states than training episodes


# ----------------------------------------------------------------------------- arguments
def make_parser(agent: str, doc: str) -> argparse.ArgumentParser:
    """The options every agent takes; each adds its own budget and hyper-parameters. The
    description is the first paragraph of the agent's docstring `doc`."""
    description = doc.split("\n\n")[0].replace("\n", " ")
    parser = argparse.ArgumentParser(prog=f"{agent}.py", description=description)
    parser.set_defaults(agent=agent)
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the weights, the agent's draws and the environments "
                             "(default 0)")
    add_threads_option(parser)
    parser.add_argument("--out", default=str(RUNS / agent), metavar="FOLDER",
                        help=f"where the policy and the reward curve go (default "
                             f"{RUNS / agent})")
    parser.add_argument("--evaluate", metavar="PATH", default=None,
                        help="do not train: run the saved policy PATH greedily and report its "
                             "mean return (default: off)")
    parser.add_argument("--eval-episodes", type=int, default=100, metavar="N",
                        help="episodes of the --evaluate run (default 100; the check for "
                             "'solved' during training always plays 100)")
    parser.add_argument("--render", metavar="PATH", nargs="?", const="", default=None,
                        help="after training (or with --evaluate), save a GIF of one greedy "
                             "episode, or a film strip if PATH ends in .png (default: off; "
                             "--render alone: FOLDER/<agent>.gif)")
    return parser


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None
               ) -> argparse.Namespace:
    args = parser.parse_args(argv)
    setup_process(args.threads)
    for name, value in vars(args).items():
        if isinstance(value, (int, float)) and not isinstance(value, bool) and name not in (
                "seed",) and value < 0:
            parser.error(f"--{name.replace('_', '-')} must not be negative, got {value}")
    if args.eval_episodes < 1:
        parser.error(f"--eval-episodes must be at least 1, got {args.eval_episodes}")
    return args


def make_rngs(seed: int) -> dict[str, np.random.Generator]:
    """Independent generators: initial weights, the agent's draws, environment seeds."""
    names = ("init", "agent", "env")
    seeds = np.random.SeedSequence(seed).spawn(len(names))
    return {name: np.random.default_rng(s) for name, s in zip(names, seeds)}


def make_env(name: str, render: bool = False) -> Any:
    """A Gymnasium environment, with a clear message when the ``rl`` extra is missing."""
    try:
        import gymnasium as gym
    except ImportError:
        raise SystemExit("these agents need Gymnasium: pip install -e '.[rl]'") from None
    return gym.make(name, render_mode="rgb_array" if render else None)


def mlp(sizes: Sequence[int], rng: np.random.Generator, activation: type = nn.ReLU
        ) -> nn.Sequential:
    """Linear layers of the given sizes with `activation` between them (none at the end)."""
    layers: list[nn.Module] = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(n_in, n_out, rng=rng), activation()]
    return nn.Sequential(*layers[:-1])


# ----------------------------------------------------------------------------- experience
class ReplayBuffer:
    """The last `capacity` transitions ``(s, a, r, s', terminated)`` in preallocated arrays;
    `sample` draws a uniform mini-batch (with replacement) as a tuple of arrays."""

    def __init__(self, capacity: int, obs_dim: int, action_shape: tuple[int, ...] = (),
                 action_dtype: Any = np.int64) -> None:
        if capacity < 1:
            raise ValueError(f"ReplayBuffer: capacity must be at least 1, got {capacity}")
        self.obs = np.zeros((capacity, obs_dim), np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), np.float32)
        self.actions = np.zeros((capacity, *action_shape), action_dtype)
        self.rewards = np.zeros(capacity, np.float32)
        self.terminated = np.zeros(capacity, np.float32)
        self.capacity, self.size, self.next = capacity, 0, 0

    def __len__(self) -> int:
        return self.size

    def add(self, obs: Any, action: Any, reward: float, next_obs: Any, terminated: bool
            ) -> None:
        i = self.next
        self.obs[i], self.actions[i], self.rewards[i] = obs, action, reward
        self.next_obs[i], self.terminated[i] = next_obs, terminated
        self.next = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        if self.size == 0:
            raise ValueError("ReplayBuffer.sample: the buffer is empty")
        i = rng.integers(0, self.size, batch_size)
        return (self.obs[i], self.actions[i], self.rewards[i], self.next_obs[i],
                self.terminated[i])


def discounted_returns(rewards: Sequence[float], gamma: float) -> np.ndarray:
    """``G_t = r_t + gamma r_{t+1} + gamma^2 r_{t+2} + ...`` of one whole episode."""
    returns = np.zeros(len(rewards), np.float32)
    g = 0.0
    for t in reversed(range(len(rewards))):
        g = rewards[t] + gamma * g
        returns[t] = g
    return returns


def gae(rewards: np.ndarray, values: np.ndarray, next_values: np.ndarray, dones: np.ndarray,
        gamma: float, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """Generalised advantage estimates over a rollout of T steps (time first, any trailing
    axes such as parallel environments).

    ``delta_t = r_t + gamma V(s_{t+1}) (1 - done_t) - V(s_t)`` and
    ``A_t = delta_t + gamma lam (1 - done_t) A_{t+1}``: an episode's end stops both the
    bootstrap and the sum. Returns ``(advantages, returns = advantages + values)``.
    """
    if not (rewards.shape == values.shape == next_values.shape == dones.shape):
        raise ValueError(f"gae: rewards {rewards.shape}, values {values.shape}, next values "
                         f"{next_values.shape} and dones {dones.shape} must have one shape")
    not_done = 1.0 - dones.astype(np.float32)
    deltas = rewards + gamma * next_values * not_done - values
    advantages = np.zeros_like(deltas)
    running = np.zeros_like(deltas[0]) if len(deltas) else 0.0
    for t in reversed(range(len(deltas))):
        running = deltas[t] + gamma * lam * not_done[t] * running
        advantages[t] = running
    return advantages, advantages + values


class Envs:
    """`n` copies of one environment stepped together, each restarted as its episode ends;
    `returns` lists the finished episodes' returns in the order they finished.

    ``step(actions)`` returns ``(next_obs, rewards, dones, terminated)`` for every copy;
    `next_obs` is already the first observation of the next episode where one ended.
    """

    def __init__(self, name: str, n: int, rng: np.random.Generator) -> None:
        self.envs = [make_env(name) for _ in range(n)]
        self.obs = np.stack([env.reset(seed=int(rng.integers(2**31)))[0]
                             for env in self.envs]).astype(np.float32)
        self.running = np.zeros(n)
        self.returns: list[float] = []

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, ...]:
        n = len(self.envs)
        rewards, dones, terminated = np.zeros(n, np.float32), np.zeros(n), np.zeros(n)
        for i, (env, action) in enumerate(zip(self.envs, actions)):
            obs, rewards[i], terminated[i], truncated, _ = env.step(action)
            self.running[i] += rewards[i]
            dones[i] = terminated[i] or truncated
            if dones[i]:
                self.returns.append(float(self.running[i]))
                self.running[i] = 0.0
                obs, _ = env.reset()
            self.obs[i] = obs
        return self.obs.copy(), rewards, dones, terminated


# ----------------------------------------------------------------------------- evaluation
def run_episode(env: Any, act: Callable[[np.ndarray], Any], seed: int | None = None,
                frames: list | None = None) -> float:
    """Play one episode with `act` (observation -> action); return its return. With
    `frames`, append the rendered RGB frames to it."""
    obs, _ = env.reset(seed=seed)
    total, done = 0.0, False
    while not done:
        if frames is not None:
            frames.append(env.render())
        obs, reward, terminated, truncated, _ = env.step(act(np.asarray(obs, np.float32)))
        total += float(reward)
        done = terminated or truncated
    return total


def evaluate(env_name: str, act: Callable[[np.ndarray], Any], episodes: int = 100,
             seed: int = EVAL_SEED, give_up_below: float | None = None,
             max_return: float | None = None) -> float:
    """Mean return of `act` over `episodes` episodes (the policy is frozen meanwhile).

    With `give_up_below` and `max_return`, stop as soon as even perfect remaining episodes
    could not lift the mean to `give_up_below` (the mean so far is then returned): a check
    for "solved" need not finish a hopeless evaluation.
    """
    env = make_env(env_name)
    total = 0.0
    for i in range(episodes):
        total += run_episode(env, act, seed=seed + i)
        if give_up_below is not None and max_return is not None and (
                total + (episodes - i - 1) * max_return < give_up_below * episodes):
            return total / (i + 1)
    return total / episodes


class SolveCheck:
    """CartPole-v1 is solved when the policy's mean return over 100 consecutive episodes
    reaches 475. Training episodes draw random actions (exploration), so the check runs the
    frozen greedy policy for 100 evaluation episodes, whenever the last `window` training
    episodes averaged at least the target (a cheap gate)."""

    def __init__(self, env_name: str, target: float, episodes: int = 100, window: int = 10,
                 max_return: float | None = None) -> None:
        self.env_name, self.target, self.episodes = env_name, target, episodes
        self.window, self.max_return = window, max_return
        self.best = -np.inf  # best completed evaluation mean
        self.checks = 0

    def __call__(self, returns: Sequence[float], act: Callable[[np.ndarray], Any]
                 ) -> float | None:
        """The evaluation's mean return when the gate let one run (the mean so far if it gave
        up early), else None."""
        if len(returns) < self.window or np.mean(returns[-self.window:]) < self.target:
            return None
        self.checks += 1
        mean = evaluate(self.env_name, act, self.episodes, give_up_below=self.target,
                        max_return=self.max_return)
        self.best = max(self.best, mean)
        return mean

    def best_mean(self, returns: Sequence[float]) -> float:
        """The best mean return seen: of an evaluation, or of 100 training episodes."""
        r = np.asarray(returns, dtype=float)
        if len(r) >= 100:
            csum = np.cumsum(np.insert(r, 0, 0.0))
            return max(self.best, float(((csum[100:] - csum[:-100]) / 100).max()))
        return max(self.best, float(r.mean())) if len(r) else self.best


def summary(solved_at: int | None, mean: float | None, budget: str, best: float,
            unit: str = "episode") -> str:
    """The one line a run ends with; `budget` says what was spent, e.g. ``"600 episodes"``."""
    if solved_at is not None:
        return (f"solved at {unit} {solved_at}: mean return {mean:.1f} over 100 greedy "
                "evaluation episodes")
    return f"not solved in {budget}: best mean return {best:.1f}"


def sample_actions(probabilities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One action per row of `probabilities` (N, A), drawn from that row."""
    u = rng.random(len(probabilities))[:, None]
    below = np.cumsum(probabilities, axis=1) < u * probabilities.sum(axis=1, keepdims=True)
    return np.minimum(below.sum(axis=1), probabilities.shape[1] - 1)


# ----------------------------------------------------------------------------- files
def save_policy(model: nn.Module, path: str | os.PathLike) -> None:
    """The policy's weights as one ``.npz`` file (written atomically)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    print(f"saved {path}")


def load_policy(model: nn.Module, path: str | os.PathLike) -> None:
    """Load weights written by `save_policy`; a file of another network ends the program
    with the reason (the layer sizes are the command line's, e.g. ``--hidden``)."""
    try:
        model.load(path)
    except (OSError, KeyError, ValueError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        raise SystemExit(f"--evaluate: {message}; evaluate with the --hidden it was trained "
                         "with") from None


def plot_returns(returns: Sequence[float], path: str | os.PathLike, title: str,
                 target: float | None = None,
                 evaluations: Sequence[tuple[float, float]] = ()) -> None:
    """A PNG of the return of every episode, its running mean over 100 episodes and the
    greedy evaluations ``(episode, mean return)`` given."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    returns = np.asarray(returns, dtype=float)
    x = np.arange(1, len(returns) + 1)
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot(x, returns, lw=0.8, alpha=0.45, label="return")
    if len(returns):
        csum = np.cumsum(np.insert(returns, 0, 0.0))
        n = np.minimum(np.arange(1, len(returns) + 1), 100)
        running = (csum[1:] - csum[np.arange(1, len(returns) + 1) - n]) / n
        ax.plot(x, running, lw=2, label="mean of the last 100")
    if len(evaluations):
        ax.plot(*zip(*evaluations), "o", ms=4, color="C2", label="greedy evaluation")
    if target is not None:
        ax.axhline(target, color="k", ls="--", lw=1, label=f"target {target:g}")
    ax.set_xlabel("episode")
    ax.set_ylabel("return")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        with atomic_write(path) as f:
            fig.savefig(f, format="png", dpi=100)
    finally:
        plt.close(fig)
    print(f"wrote {path}")


def render_if_asked(env_name: str, act: Callable[[np.ndarray], Any], args: argparse.Namespace,
                    seed: int = EVAL_SEED) -> None:
    """With ``--render [PATH]``: `render_gif` to PATH, or to FOLDER/<agent>.gif."""
    if args.render is not None:
        render_gif(env_name, act, args.render or Path(args.out) / f"{args.agent}.gif", seed)


def evaluate_saved(model: nn.Module, act: Callable[[np.ndarray], Any], env_name: str,
                   args: argparse.Namespace, seed: int = EVAL_SEED) -> dict[str, float]:
    """``--evaluate PATH``: load the policy into `model`, print the mean return of `act` over
    ``--eval-episodes`` greedy episodes, and render one when asked."""
    load_policy(model, args.evaluate)
    mean = evaluate(env_name, act, args.eval_episodes)
    render_if_asked(env_name, act, args, seed)
    episodes = "episodes" if args.eval_episodes != 1 else "episode"
    print(f"mean return {mean:.1f} over {args.eval_episodes} greedy {episodes}")
    return {"mean": mean}


def save_outputs(model: nn.Module, act: Callable[[np.ndarray], Any], env_name: str,
                 args: argparse.Namespace, returns: Sequence[float], title: str, target: float,
                 evaluations: Sequence[tuple[float, float]] = (), seed: int = EVAL_SEED
                 ) -> None:
    """After training: the policy file, the reward curve and, when asked, the rendering."""
    out = Path(args.out)
    save_policy(model, out / "policy.npz")
    plot_returns(returns, out / "returns.png", title, target, evaluations)
    render_if_asked(env_name, act, args, seed)


def render_gif(env_name: str, act: Callable[[np.ndarray], Any], path: str | os.PathLike,
               seed: int = EVAL_SEED, max_frames: int = 200, every: int = 2,
               width: int = 300, strip_frames: int = 6) -> float:
    """Play one greedy episode and save every `every`-th of its first `max_frames` frames
    as a looping GIF `width` pixels wide or, when `path` ends in ``.png``, `strip_frames` of
    them side by side (a film strip, for a page that shows no animation). Returns the
    episode's return."""
    from PIL import Image

    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # draw off-screen: no display needed
    env = make_env(env_name, render=True)
    frames: list[np.ndarray] = []
    total = run_episode(env, act, seed=seed, frames=frames)
    env.close()
    images = []
    for frame in frames[:max_frames:every]:
        image = Image.fromarray(frame)
        images.append(image.resize((width, round(image.height * width / image.width))))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as f:
        if str(path).lower().endswith(".png"):
            picks = np.linspace(0, len(images) - 1, min(strip_frames, len(images))).round()
            strip = Image.new("RGB", (width * len(picks), images[0].height), "white")
            for k, i in enumerate(picks.astype(int)):
                strip.paste(images[i].convert("RGB"), (k * width, 0))
            strip.save(f, format="PNG", optimize=True)
            what = f"{len(picks)} frames of {len(images)}"
        else:
            images[0].save(f, format="GIF", save_all=True, append_images=images[1:],
                           duration=40 * every, loop=0)
            what = f"{len(images)} frames"
    print(f"wrote {path} ({what}; the episode's return {total:.1f})")
    return total


class Clock:
    """Wall time since the start, for the progress lines."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self) -> float:
        return time.perf_counter() - self.start
