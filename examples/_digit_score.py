"""How good are generated digits? Ask a trained MNIST classifier (the CNN of mnist_cnn.py).

* confidence: the mean top-class probability over the generated digits (a digit the CNN is
  sure about looks like a digit);
* class shares: how often each class is predicted (a generator that draws only ones and
  sevens has collapsed onto a few modes);
* Frechet distance between the Gaussians fitted to the CNN's penultimate features of the
  generated and of real test digits (FID's formula, with this small CNN in place of
  Inception, so its values are not comparable with published FIDs).

Nothing here is needed to follow the GAN's model or loop.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
from _common import MNIST_MEAN, MNIST_STD

import autograd_lite.functions as F
from autograd_lite import nn, no_grad, optim
from autograd_lite.data import DataLoader, TensorDataset
from autograd_lite.npz import NpzReader


def load_classifier(path: str | Path) -> nn.Module:
    """The CNN of mnist_cnn.py from its training checkpoint (``--save``) or from a file
    written by ``Module.save``; channels and hidden units are read from the checkpoint's
    settings (16 32 and 128 otherwise)."""
    from mnist_cnn import build_cnn

    with NpzReader(path) as reader:
        arrays = {key: reader.read(key) for key in reader.arrays}
        meta = json.loads(reader.read_text("meta.json")) if "meta.json" in reader.texts else {}
    settings = meta.get("settings", {})
    if any(key.startswith("model.") for key in arrays):
        arrays = {k.removeprefix("model."): v for k, v in arrays.items() if k.startswith("model.")}
    rng = np.random.default_rng(0)
    model = build_cnn(rng, rng, tuple(settings.get("channels", (16, 32))),
                      settings.get("hidden", 128))
    try:
        model.load_state_dict(arrays)
    except (KeyError, ValueError) as err:
        raise SystemExit(f"--classifier {path}: not a model of mnist_cnn.py ({err})") from None
    model.eval()
    return model


def train_classifier(x: np.ndarray, t: np.ndarray, seed: int, epochs: int = 1) -> nn.Module:
    """A quick stand-in when no trained CNN is saved: mnist_cnn.py's model, `epochs` epochs
    of Adam at 3e-3 (one epoch gives about 98.5% test accuracy). `x` is (N, 1, 28, 28) in
    [0, 1]."""
    from mnist_cnn import build_cnn

    rng = np.random.default_rng(seed)
    model = build_cnn(rng, rng)
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    loader = DataLoader(TensorDataset(normalise(x), t), batch_size=128, shuffle=True, seed=rng)
    tic = time.perf_counter()
    model.train()
    for _ in range(epochs):
        for xb, tb in loader:
            loss = F.cross_entropy(model(xb), tb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    print(f"trained a classifier for the score: {epochs} epoch(s), "
          f"{time.perf_counter() - tic:.0f} s")
    return model


def normalise(x: np.ndarray) -> np.ndarray:
    """Images in [0, 1] as the classifier was trained on them."""
    return ((x - MNIST_MEAN) / MNIST_STD).astype(np.float32)


def features_and_probabilities(model: nn.Module, x: np.ndarray, batch: int = 1000
                               ) -> tuple[np.ndarray, np.ndarray]:
    """The penultimate features (N, hidden) and class probabilities (N, 10) of images
    (N, 1, 28, 28) in [0, 1]."""
    body, head = model[:-1], model[-1]  # the last layer maps the hidden features to logits
    feats, probs = [], []
    with no_grad():
        for start in range(0, len(x), batch):
            h = body(normalise(x[start:start + batch]))
            feats.append(h.data.astype(np.float64))
            probs.append(F.softmax(head(h), axis=1).data.astype(np.float64))
    return np.concatenate(feats), np.concatenate(probs)


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """``|mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2))`` of features (N, D) and (M, D).

    The trace of the matrix square root is taken as the sum of the square roots of the
    eigenvalues of ``S_a^(1/2) S_b S_a^(1/2)`` (symmetric, so NumPy's ``eigh`` suffices).
    """
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    w, v = np.linalg.eigh(s_a)
    root_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    middle = np.linalg.eigvalsh(root_a @ s_b @ root_a)
    cross = np.sqrt(np.clip(middle, 0, None)).sum()
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(s_a) + np.trace(s_b) - 2 * cross)


def score(model: nn.Module, generated: np.ndarray, real: np.ndarray) -> dict[str, float]:
    """Confidence, the smallest and largest class share, and the Frechet distance of
    generated vs real images (N, 1, 28, 28) in [0, 1]."""
    feats_gen, probs = features_and_probabilities(model, generated)
    feats_real, _ = features_and_probabilities(model, real)
    shares = np.bincount(probs.argmax(axis=1), minlength=10) / len(probs)
    return {"confidence": float(probs.max(axis=1).mean()), "min_share": float(shares.min()),
            "max_share": float(shares.max()), "fid": frechet_distance(feats_gen, feats_real),
            "shares": shares.tolist()}
