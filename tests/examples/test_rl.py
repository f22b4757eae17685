"""The reinforcement-learning examples (examples/rl): their losses against values worked out
by hand on tiny fixed batches, gradchecks of those losses in float64, and each agent trained
for a few episodes (seconds), saved, evaluated and rendered."""

from __future__ import annotations

import importlib
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograd_lite import Variable
from autograd_lite.testing import gradcheck

gym = pytest.importorskip("gymnasium")  # the rl extra; CI installs it

RL = Path(__file__).resolve().parents[2] / "examples" / "rl"
AGENTS = ("cartpole_reinforce", "cartpole_actor_critic", "cartpole_dqn", "cartpole_ppo",
          "pendulum_sac")
GIF_MAGIC = b"GIF89a"


@pytest.fixture
def rl(monkeypatch):
    """``rl("cartpole_dqn")`` imports examples/rl/cartpole_dqn.py (and _rl.py) afresh."""
    monkeypatch.syspath_prepend(str(RL.parent))
    monkeypatch.syspath_prepend(str(RL))

    def load(name):
        for module in (name, "_rl"):
            sys.modules.pop(module, None)
        return importlib.import_module(name)

    yield load
    for module in ("_rl", "_process", *AGENTS):
        sys.modules.pop(module, None)


# ----------------------------------------------------------------------------- returns, GAE
def test_discounted_returns_by_hand(rl):
    returns = rl("_rl").discounted_returns([1.0, 1.0, 1.0], 0.5)
    np.testing.assert_allclose(returns, [1.75, 1.5, 1.0])


def test_gae_on_a_three_step_trajectory_by_hand(rl):
    # deltas: 1 + 0.9*0.4 - 0.5 = 0.86, 1 + 0.9*0.3 - 0.4 = 0.87, 1 - 0.3 = 0.7 (done: no
    # bootstrap); A2 = 0.7, A1 = 0.87 + 0.72*0.7 = 1.374, A0 = 0.86 + 0.72*1.374 = 1.84928
    advantages, returns = rl("_rl").gae(
        np.array([1.0, 1.0, 1.0]), np.array([0.5, 0.4, 0.3]), np.array([0.4, 0.3, 0.2]),
        np.array([0.0, 0.0, 1.0]), gamma=0.9, lam=0.8)
    np.testing.assert_allclose(advantages, [1.84928, 1.374, 0.7])
    np.testing.assert_allclose(returns, [2.34928, 1.774, 1.0])


def test_gae_stops_at_an_episode_end_inside_the_rollout_and_keeps_envs_apart(rl):
    rewards = np.array([[1.0, 0.0], [2.0, 0.0]])  # two steps of two environments
    zeros = np.zeros((2, 2))
    dones = np.array([[1.0, 0.0], [0.0, 0.0]])
    advantages, _ = rl("_rl").gae(rewards, zeros, zeros, dones, gamma=1.0, lam=1.0)
    np.testing.assert_allclose(advantages, [[1.0, 0.0], [2.0, 0.0]])  # 1, not 1 + 2


def test_gae_with_lambda_one_is_the_n_step_return(rl):
    gae = rl("_rl").gae
    rng = np.random.default_rng(0)
    r, v = rng.normal(size=4), rng.normal(size=5)
    advantages, returns = gae(r, v[:-1], v[1:], np.zeros(4), gamma=0.9, lam=1.0)
    expected = sum(0.9**k * r[k] for k in range(4)) + 0.9**4 * v[4]
    assert returns[0] == pytest.approx(expected)


def test_gae_refuses_mismatched_shapes(rl):
    with pytest.raises(ValueError, match=r"gae: rewards \(3,\)"):
        rl("_rl").gae(np.zeros(3), np.zeros(2), np.zeros(3), np.zeros(3), 0.9, 0.9)


def test_replay_buffer_keeps_the_last_transitions(rl):
    buffer = rl("_rl").ReplayBuffer(3, 2)
    for i in range(5):
        buffer.add([i, i], i % 2, float(i), [i + 1, i + 1], i == 4)
    assert len(buffer) == 3
    s, a, r, s2, term = buffer.sample(50, np.random.default_rng(0))
    assert set(r.tolist()) == {2.0, 3.0, 4.0}
    np.testing.assert_array_equal(s2[:, 0], s[:, 0] + 1)
    np.testing.assert_array_equal(term, r == 4.0)
    with pytest.raises(ValueError, match="empty"):
        rl("_rl").ReplayBuffer(3, 2).sample(1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="capacity must be at least 1, got 0"):
        rl("_rl").ReplayBuffer(0, 2)


def test_sample_actions_follows_the_probabilities(rl):
    p = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]] + [[0.25, 0.5, 0.25]] * 4000)
    a = rl("_rl").sample_actions(p, np.random.default_rng(0))
    assert a[:2].tolist() == [0, 2]
    np.testing.assert_allclose(np.bincount(a[2:]) / 4000, [0.25, 0.5, 0.25], atol=0.03)


# ----------------------------------------------------------------------------- DQN
def test_dqn_targets_with_terminal_states_by_hand(rl):
    dqn = rl("cartpole_dqn")
    targets = dqn.q_targets(np.array([1.0, 1.0, 0.5]), np.array([[1.0, 2.0], [3.0, 0.0],
                                                                 [5.0, 5.0]]),
                            np.array([0.0, 1.0, 0.0]), gamma=0.9)
    np.testing.assert_allclose(targets, [2.8, 1.0, 5.0])  # the terminal state: r alone


def test_dqn_loss_by_hand_and_its_gradient(rl):
    dqn = rl("cartpole_dqn")
    q = Variable(np.array([[1.0, 2.0], [0.0, 3.0]]))
    loss = dqn.dqn_loss(q, np.array([1, 0]), np.array([2.5, 2.0]))
    # Q(s, a) = 2 and 0: errors -0.5 (quadratic: 0.125) and -2 (linear: 2 - 0.5 = 1.5)
    assert loss.item() == pytest.approx((0.125 + 1.5) / 2)
    loss.backward()
    np.testing.assert_allclose(q.grad.data, [[0.0, -0.25], [-0.5, 0.0]])  # clipped at delta
    rng = np.random.default_rng(1)
    assert gradcheck(lambda x: dqn.dqn_loss(x, np.array([1, 0, 1]), np.array([0.3, 2.0, -1.0])),
                     rng.normal(size=(3, 2)))


def test_epsilon_schedule(rl):
    eps = rl("cartpole_dqn").epsilon_at
    assert [eps(s, 1.0, 0.1, 100) for s in (0, 50, 100, 1000)] == pytest.approx(
        [1.0, 0.55, 0.1, 0.1])


# ----------------------------------------------------------------------------- policy gradients
def test_reinforce_loss_by_hand_and_gradcheck(rl):
    reinforce = rl("cartpole_reinforce")
    loss = reinforce.reinforce_loss(Variable(np.zeros((2, 2))), np.array([0, 1]),
                                    np.array([1.0, -2.0]))
    assert loss.item() == pytest.approx(-np.mean(np.log(0.5) * np.array([1.0, -2.0])))
    rng = np.random.default_rng(2)
    advantages = rng.normal(size=3)
    assert gradcheck(lambda x: reinforce.reinforce_loss(x, np.array([0, 1, 1]), advantages),
                     rng.normal(size=(3, 2)))


def test_a2c_loss_by_hand_and_gradcheck(rl):
    a2c = rl("cartpole_actor_critic")
    total, policy, entropy = a2c.a2c_loss(
        Variable(np.zeros((2, 2))), Variable(np.array([1.0, 0.0])), np.array([0, 1]),
        np.array([1.0, 3.0]), np.array([2.0, 2.0]), value_coef=0.5, entropy_coef=0.1)
    assert policy.item() == pytest.approx(-np.log(0.5) * 2.0)
    assert entropy.item() == pytest.approx(np.log(2))  # uniform over two actions
    assert total.item() == pytest.approx(-np.log(0.5) * 2.0 + 0.5 * (1 + 4) / 2
                                         - 0.1 * np.log(2))
    rng = np.random.default_rng(3)
    a, adv, ret = np.array([1, 0, 1]), rng.normal(size=3), rng.normal(size=3)
    assert gradcheck(lambda x, v: a2c.a2c_loss(x, v, a, adv, ret, 0.5, 0.01)[0],
                     rng.normal(size=(3, 2)), rng.normal(size=3))


def test_ppo_clipped_objective_at_and_beyond_the_clip_boundary(rl):
    ppo = rl("cartpole_ppo")
    logp_old = np.zeros(4)
    # ratios 1.2 (the boundary, both signs of the advantage), 1.5 and 0.5
    logp = Variable(np.log([1.2, 1.2, 1.5, 0.5]))
    advantages = np.array([1.0, -1.0, 1.0, 1.0])
    loss = ppo.ppo_clip_loss(logp, logp_old, advantages, clip=0.2)
    # min(r A, clip(r) A): 1.2, -1.2, 1.2 (clipped: the gain stops at 1 + eps), 0.5
    assert loss.item() == pytest.approx(-(1.2 - 1.2 + 1.2 + 0.5) / 4)
    loss.backward()
    # d/dlogp of -r A / 4 = -r A / 4 where r A is the smaller term; 0 where the clip binds
    np.testing.assert_allclose(logp.grad.data[2:], [0.0, -0.5 / 4])
    # ratio below 1 - eps with a negative advantage: clipped, no gradient
    low = Variable(np.log([0.5]))
    ppo.ppo_clip_loss(low, np.zeros(1), np.array([-1.0]), clip=0.2).backward()
    assert low.grad.item() == 0.0


def test_ppo_loss_gradcheck_away_from_the_boundary(rl):
    ppo = rl("cartpole_ppo")
    rng = np.random.default_rng(4)
    logp_old = np.log(rng.uniform(0.2, 0.8, 6))
    steps = np.array([0.1, -0.1, 0.4, -0.5, 0.05, 0.3])  # ratios well inside or outside
    advantages = rng.normal(size=6)
    assert gradcheck(lambda x: ppo.ppo_clip_loss(x, logp_old, advantages, 0.2),
                     logp_old + steps)


# ----------------------------------------------------------------------------- SAC
def test_tanh_gaussian_log_prob_by_hand(rl):
    sac = rl("pendulum_sac")
    action, logp = sac.tanh_gaussian(Variable(np.zeros((1, 1))), Variable(np.zeros((1, 1))),
                                     np.zeros((1, 1)), scale=2.0)
    # u = 0: the standard normal's log-density at 0, minus log |da/du| = log(2 * 1)
    assert action.item() == 0.0
    assert logp.item() == pytest.approx(-0.5 * math.log(2 * math.pi) - math.log(2.0))


def test_tanh_gaussian_log_prob_against_the_change_of_variables(rl):
    sac = rl("pendulum_sac")
    rng = np.random.default_rng(5)
    mean, log_std, noise = rng.normal(size=(6, 2)), rng.normal(0, 0.5, (6, 2)), rng.normal(
        size=(6, 2))
    action, logp = sac.tanh_gaussian(Variable(mean), Variable(log_std), noise, scale=2.0)
    u = mean + np.exp(log_std) * noise
    expected = (-0.5 * ((u - mean) / np.exp(log_std))**2 - log_std - 0.5 * np.log(2 * np.pi)
                - np.log(2.0 * (1 - np.tanh(u)**2))).sum(axis=1)
    np.testing.assert_allclose(action.data, 2.0 * np.tanh(u))
    np.testing.assert_allclose(logp.data, expected, rtol=1e-10)
    # far in the tail, where 1 - tanh(u)^2 underflows, it stays finite: log|da/du| ~ -2u
    _, far = sac.tanh_gaussian(Variable(np.array([[30.0]], np.float32)),
                               Variable(np.zeros((1, 1), np.float32)),
                               np.zeros((1, 1), np.float32), scale=1.0)
    assert np.isfinite(far.data).all() and far.item() == pytest.approx(
        -0.5 * math.log(2 * math.pi) - 2 * (math.log(2) - 30.0), rel=1e-5)


def test_tanh_gaussian_gradcheck(rl):
    sac = rl("pendulum_sac")
    rng = np.random.default_rng(6)
    noise = rng.normal(size=(4, 2))
    assert gradcheck(lambda m, s: sac.tanh_gaussian(m, s, noise, 2.0)[1],
                     rng.normal(size=(4, 2)), rng.normal(0, 0.5, (4, 2)))
    assert gradcheck(lambda m, s: sac.tanh_gaussian(m, s, noise, 2.0)[0],
                     rng.normal(size=(4, 2)), rng.normal(0, 0.5, (4, 2)))


def test_sac_targets_and_losses_by_hand(rl):
    sac = rl("pendulum_sac")
    y = sac.soft_q_targets(np.array([-1.0, -2.0]), np.array([3.0, 1.0]), np.array([2.0, 4.0]),
                           np.array([-0.5, 0.5]), np.array([0.0, 1.0]), gamma=0.9, alpha=0.2)
    # min(3, 2) - 0.2 * -0.5 = 2.1 -> -1 + 0.9 * 2.1; the terminal state keeps r alone
    np.testing.assert_allclose(y, [-1.0 + 0.9 * 2.1, -2.0])
    q1, q2 = Variable(np.array([1.0, 5.0])), Variable(np.array([2.0, 4.0]))
    logp = Variable(np.array([-1.0, 0.5]))
    loss = sac.actor_loss(q1, q2, logp, alpha=0.2)  # the entropy term: alpha log pi
    assert loss.item() == pytest.approx(np.mean([0.2 * -1.0 - 1.0, 0.2 * 0.5 - 4.0]))
    loss.backward()
    np.testing.assert_allclose(logp.grad.data, [0.1, 0.1])
    np.testing.assert_allclose(q1.grad.data, [-0.5, 0.0])
    log_alpha = Variable(np.array(0.0))
    sac.alpha_loss(log_alpha, np.array([-0.5, -2.0]), target_entropy=-1.0).backward()
    # entropy 1.25 on average is above the target 1: alpha should fall (positive gradient)
    assert log_alpha.grad.item() == pytest.approx(-np.mean([-1.5, -3.0]))
    rng = np.random.default_rng(7)
    assert gradcheck(lambda a, b, c: sac.actor_loss(a, b, c, 0.3), rng.normal(size=3),
                     rng.normal(size=3) + 5.0, rng.normal(size=3))


# ----------------------------------------------------------------------------- the agents
SHORT = {
    "cartpole_reinforce": ["--episodes", "5", "--hidden", "16"],
    "cartpole_actor_critic": ["--steps", "400", "--hidden", "16"],
    "cartpole_dqn": ["--episodes", "5", "--learning-starts", "50", "--batch-size", "16",
                     "--hidden", "16"],
    "cartpole_ppo": ["--steps", "256", "--envs", "2", "--n-steps", "64", "--hidden", "16"],
    "pendulum_sac": ["--steps", "250", "--learning-starts", "200", "--eval-every", "250",
                     "--batch-size", "16", "--hidden", "16"],
}


@pytest.mark.parametrize("name", AGENTS)
def test_agent_trains_saves_and_is_reproducible(rl, name, tmp_path, capsys):
    args = SHORT[name] + ["--seed", "3", "--eval-episodes", "2"]
    first = rl(name).main(args + ["--out", str(tmp_path / "a")])
    out = capsys.readouterr().out
    second = rl(name).main(args + ["--out", str(tmp_path / "b")])
    assert first["returns"] and first["returns"] == second["returns"]
    last = out.strip().splitlines()[-1]
    assert last.startswith(("solved at", "not solved in")) and "mean return" in last
    files = sorted(str(p.relative_to(tmp_path / "a")) for p in (tmp_path / "a").rglob("*"))
    assert files == ["policy.npz", "returns.png"]
    # the saved policy loads and plays greedily; the same seed gives the same mean
    evaluate = ["--evaluate", str(tmp_path / "a" / "policy.npz"), "--eval-episodes", "2",
                "--hidden", "16"]
    evaluated = rl(name).main(evaluate)["mean"]
    assert evaluated == rl(name).main(evaluate)["mean"]
    assert capsys.readouterr().out.strip().splitlines()[-1] == (
        f"mean return {evaluated:.1f} over 2 greedy episodes")


def test_render_writes_a_gif_or_a_film_strip(rl, tmp_path):
    pytest.importorskip("pygame")  # gymnasium[classic-control] draws with it
    dqn = rl("cartpole_dqn")
    dqn.main(["--episodes", "1", "--out", str(tmp_path)])
    gif = tmp_path / "run.gif"
    dqn.main(["--evaluate", str(tmp_path / "policy.npz"), "--eval-episodes", "1",
              "--render", str(gif)])
    assert gif.read_bytes()[:6] == GIF_MAGIC
    strip = tmp_path / "strip.png"
    dqn.main(["--evaluate", str(tmp_path / "policy.npz"), "--eval-episodes", "1",
              "--render", str(strip)])
    assert strip.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_evaluate_refuses_a_policy_of_another_size(rl, tmp_path):
    dqn = rl("cartpole_dqn")
    dqn.main(["--episodes", "1", "--hidden", "8", "--out", str(tmp_path)])
    with pytest.raises(SystemExit, match="--evaluate: .*policy.npz.*--hidden"):
        dqn.main(["--evaluate", str(tmp_path / "policy.npz")])


@pytest.mark.parametrize("name", AGENTS)
def test_help_shows_every_default(rl, capsys, name):
    with pytest.raises(SystemExit) as info:
        rl(name).main(["--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    options = text[text.index("options:"):]
    blocks = [b for b in options.split("\n  -")[1:] if not b.startswith("h, --help")]
    assert blocks and all("default" in block for block in blocks), name


def test_the_engine_never_imports_gymnasium():
    code = ("import sys, autograd_lite, autograd_lite.functions, autograd_lite.nn, "
            "autograd_lite.optim; print('gymnasium' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"
