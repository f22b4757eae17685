"""examples/mnist_vae.py and mnist_gan.py: a few steps of each on synthetic digits, the VAE's
KL term and ELBO against values worked out by hand, gradchecks of its loss, and the GAN's two
steps each moving only its own player."""

import math
import re

import numpy as np
import pytest

from autograd_lite import Variable, nn, optim
from autograd_lite.testing import gradcheck

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def last_line(capsys):
    return capsys.readouterr().out.strip().splitlines()[-1]


# ----------------------------------------------------------------------------- VAE
def test_vae_quick_run_writes_model_and_pictures(example, capsys, tmp_path):
    loss = example("mnist_vae").main(["--synthetic", "--limit", "256", "--epochs", "2",
                                      "--latent", "2", "--out", str(tmp_path), "--no-progress"])
    assert re.fullmatch(r"test loss: \d+\.\d\d", last_line(capsys))
    # 784 pixels at p = 1/2 cost 784 log 2 = 543.4 per digit: training did better than that
    assert 0 < loss < 784 * math.log(2)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["manifold.png", "model.npz", "reconstructions.png", "samples.png"]
    for name in names:
        if name.endswith(".png"):
            assert (tmp_path / name).read_bytes()[:8] == PNG_MAGIC


def test_kl_term_against_hand_computed_values(example):
    vae = example("mnist_vae")
    # N(0, 1) against the prior: nothing
    assert vae.kl_divergence(Variable(np.zeros((1, 3))), Variable(np.zeros((1, 3)))).item() == 0
    # mu = 1, var = 1: 1/2 mu^2 = 0.5; mu = 0, var = 2: 1/2 (2 - 1 - log 2) = 0.1534264
    mu, logvar = np.array([[1.0, 0.0]]), np.array([[0.0, math.log(2)]])
    assert vae.kl_divergence(Variable(mu), Variable(logvar)).item() == pytest.approx(
        0.5 + 0.5 * (1 - math.log(2)), rel=1e-12)
    # summed over the batch: two rows, twice the value
    kl = vae.kl_divergence(Variable(np.repeat(mu, 2, 0)), Variable(np.repeat(logvar, 2, 0)))
    assert kl.item() == pytest.approx(2 * (0.5 + 0.5 * (1 - math.log(2))), rel=1e-12)


def test_negative_elbo_against_hand_computed_value(example):
    """Logits 0 draw every pixel with probability 1/2, whatever the digit: 784 log 2 per
    digit, plus the KL term, averaged over the batch."""
    vae = example("mnist_vae")
    rng = np.random.default_rng(0)
    x = rng.random((2, 784))
    mu, logvar = np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.0, math.log(2)], [0, 0]])
    loss = vae.negative_elbo(Variable(np.zeros((2, 784))), x, Variable(mu), Variable(logvar))
    expected = (2 * 784 * math.log(2) + 0.5 + 0.5 * (1 - math.log(2))) / 2
    assert loss.item() == pytest.approx(expected, rel=1e-12)
    # a decoder that is sure of each (binary) pixel costs nothing but the KL term
    binary = (x > 0.5).astype(np.float64)
    sure = Variable(np.where(binary > 0, 40.0, -40.0))
    zero = Variable(np.zeros((2, 2)))
    assert vae.negative_elbo(sure, binary, zero, zero).item() == pytest.approx(0, abs=1e-12)


def test_negative_elbo_gradcheck_float64(example):
    vae = example("mnist_vae")
    rng = np.random.default_rng(1)
    x = rng.random((3, 784))
    logits, mu, logvar = rng.normal(0, 2, (3, 784)), rng.normal(0, 1, (3, 4)), rng.normal(0, 1,
                                                                                         (3, 4))
    assert gradcheck(lambda a, m, v: vae.negative_elbo(a, x, m, v), logits, mu, logvar)
    assert gradcheck(vae.kl_divergence, mu, logvar)


def test_vae_gradient_reaches_the_encoder_through_the_sampled_code(example):
    """The reparameterisation trick: z = mu + sigma * eps is differentiable in mu and sigma,
    so the decoder's error trains the encoder."""
    vae = example("mnist_vae")
    model = vae.VAE(3, np.random.default_rng(0), hidden=8)
    x = np.random.default_rng(1).random((4, 784)).astype(np.float32)
    eps = np.random.default_rng(2).standard_normal((4, 3)).astype(np.float32)
    logits, mu, logvar = model(x, eps)
    vae.negative_elbo(logits, x, mu, logvar).backward()
    for p in (model.fc1.weight, model.fc_mu.weight, model.fc_logvar.weight):
        assert p.grad is not None and np.abs(p.grad.data).max() > 0


# ----------------------------------------------------------------------------- GAN
GAN_QUICK = ["--synthetic", "--limit", "128", "--batch-size", "32", "--width", "4",
             "--g-width", "4", "--samples", "200", "--no-progress"]


def test_gan_quick_run_writes_samples_losses_and_a_score(example, capsys, tmp_path,
                                                         monkeypatch):
    monkeypatch.chdir(tmp_path)  # no runs/mnist_cnn here: a quick classifier is trained
    result = example("mnist_gan").main([*GAN_QUICK, "--epochs", "2", "--out", "out"])
    out = capsys.readouterr().out
    line = out.strip().splitlines()[-1]
    assert re.fullmatch(r"classifier confidence [01]\.\d{3}, classes \d+\.\d%-\d+\.\d%, "
                        r"FID \d+\.\d, training \d+ s", line), line
    assert "training a quick one" in out and re.search(r"^epoch 2/2 .* ms/step\)$", out, re.M)
    assert 0.1 <= result["confidence"] <= 1 and result["fid"] >= 0
    assert sum(result["shares"]) == pytest.approx(1)
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["discriminator.npz", "generator.npz", "losses.png", "samples_epoch1.png",
                     "samples_epoch2.png"]
    assert (tmp_path / "out" / "losses.png").read_bytes()[:8] == PNG_MAGIC


def test_gan_refuses_a_missing_classifier_by_name(example, tmp_path):
    with pytest.raises(SystemExit, match=r"--classifier .*absent.npz: cannot read it"):
        example("mnist_gan").main([*GAN_QUICK, "--epochs", "1", "--out", str(tmp_path),
                                   "--classifier", str(tmp_path / "absent.npz")])


def test_gan_widths_and_dropout_options(example, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    gan = example("mnist_gan")
    gan.main([*GAN_QUICK, "--epochs", "1", "--out", "out", "--g-width", "6",
              "--dropout", "0.5"])
    header = capsys.readouterr().out.splitlines()[0]
    G6, D4 = gan.generator(6, np.random.default_rng(0)), gan.discriminator(4, None, 0.5)
    assert f"generator {sum(p.size for p in G6.parameters()):,} " in header
    assert f"discriminator {sum(p.size for p in D4.parameters()):,} " in header
    assert "D's dropout 0.5" in header
    assert [m.p for m in D4.modules() if isinstance(m, nn.Dropout)] == [0.5, 0.5]
    for bad, message in ((["--dropout", "1"], "--dropout must be in"),
                         (["--g-width", "0"], "--g-width must be positive")):
        with pytest.raises(SystemExit):
            gan.main([*GAN_QUICK, *bad])
        assert message in capsys.readouterr().err


def _players(gan):
    rng = np.random.default_rng(0)
    G, D = gan.generator(4, rng), gan.discriminator(4, rng)
    opt_g = optim.Adam(G.parameters(), lr=1e-2, betas=(0.5, 0.999))
    opt_d = optim.Adam(D.parameters(), lr=1e-2, betas=(0.5, 0.999))
    real = rng.uniform(-1, 1, (8, 1, 28, 28)).astype(np.float32)
    return G, D, opt_g, opt_d, real, gan.noise(rng, 8)


def _snapshot(model):
    return {k: np.array(v) for k, v in model.state_dict().items() if not k.endswith("running_mean")
            and not k.endswith("running_var") and not k.endswith("num_batches_tracked")}


def _changed(before, model):
    return {k for k, v in _snapshot(model).items() if not np.array_equal(before[k], v)}


def test_discriminator_step_leaves_the_generator_untouched(example):
    gan = example("mnist_gan")
    G, D, opt_g, opt_d, real, z = _players(gan)
    g_before, d_before = _snapshot(G), _snapshot(D)
    gan.discriminator_step(D, opt_d, real, G(z))
    assert _changed(g_before, G) == set()
    assert all(p.grad is None for p in G.parameters())  # detach(): nothing reached G
    assert _changed(d_before, D) == set(d_before)  # every parameter of D moved


def test_generator_step_leaves_the_discriminator_untouched(example):
    gan = example("mnist_gan")
    G, D, opt_g, opt_d, real, z = _players(gan)
    g_before, d_before = _snapshot(G), _snapshot(D)
    gan.generator_step(D, opt_g, G(z))
    assert _changed(d_before, D) == set()
    assert _changed(g_before, G) == set(g_before)


def test_without_detach_the_discriminator_loss_would_reach_the_generator(example):
    """The control for the test above: the same loss on the undetached digits fills G's
    gradients, so the detach() in discriminator_step is what keeps them empty."""
    gan = example("mnist_gan")
    G, D, _, _, real, z = _players(gan)
    (gan.bce(D(real), gan.REAL_TARGET) + gan.bce(D(G(z)), 0.0)).backward()
    assert all(p.grad is not None for p in G.parameters())


def test_frechet_distance_of_known_gaussians(example):
    example("mnist_gan")
    import _digit_score

    rng = np.random.default_rng(0)
    a = rng.standard_normal((20000, 3))
    assert _digit_score.frechet_distance(a, a) == pytest.approx(0, abs=1e-9)
    # N(0, I) vs N(m, 4 I) in 3-d: |m|^2 + 3 (1 + 4 - 2 * 2) = |m|^2 + 3
    b = 2 * rng.standard_normal((20000, 3)) + np.array([1.0, 2.0, 0.0])
    assert _digit_score.frechet_distance(a, b) == pytest.approx(5 + 3, rel=0.03)
