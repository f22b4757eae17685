"""Smoke tests of examples/mnist_mlp.py and mnist_cnn.py on small synthetic data, and one
run of the MLP on the real MNIST files (marked ``mnist``, skipped when they are absent)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SUMMARY = re.compile(r"^test accuracy: [01]\.\d{4}$")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MLP_QUICK = ["--synthetic", "--limit", "192", "--batch-size", "64", "--no-progress"]
CNN_QUICK = ["--synthetic", "--limit", "64", "--batch-size", "32", "--channels", "4", "8",
             "--hidden", "16", "--no-progress"]


def last_line(capsys):
    return capsys.readouterr().out.strip().splitlines()[-1]


def weights(path):
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


@pytest.mark.parametrize("name, quick", [("mnist_mlp", MLP_QUICK), ("mnist_cnn", CNN_QUICK)])
def test_quick_run_saves_resumes_and_plots(example, capsys, tmp_path, name, quick):
    pytest.importorskip("matplotlib", reason="--plot needs the examples extra")
    module = example(name)
    ckpt, png = tmp_path / "run" / "model.npz", tmp_path / "curves.png"

    accuracy = module.main([*quick, "--epochs", "1", "--save", str(ckpt), "--plot", str(png)])
    assert SUMMARY.match(last_line(capsys))
    assert 0.0 <= accuracy <= 1.0
    assert ckpt.is_file() and (tmp_path / "run" / "model.train.npz").is_file()
    assert png.read_bytes()[:8] == PNG_MAGIC

    module.main([*quick, "--epochs", "2", "--resume", str(ckpt)])
    out = capsys.readouterr().out
    assert "resumed from" in out and "epoch 2/2" in out and "epoch 1/2" not in out
    assert SUMMARY.match(out.strip().splitlines()[-1])


def test_mlp_learns_the_synthetic_classes(example, capsys):
    accuracy = example("mnist_mlp").main([*MLP_QUICK, "--epochs", "2"])
    assert accuracy > 0.5  # ten classes: chance is 0.1
    assert last_line(capsys) == f"test accuracy: {accuracy:.4f}"


def test_same_seed_same_model_other_seed_other_model(example, tmp_path):
    mlp = example("mnist_mlp")
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        mlp.main([*MLP_QUICK, "--epochs", "1", "--seed", str(seed),
                  "--save", str(tmp_path / f"{name}.npz")])
    a, b, c = (weights(tmp_path / f"{name}.npz") for name in "abc")
    assert all(np.array_equal(a[key], b[key]) for key in a)
    assert not np.array_equal(a["0.weight"], c["0.weight"])


def test_interrupted_run_resumes_to_the_same_model(example, tmp_path, monkeypatch):
    """Dropout masks, shuffling, Adam's moments and the schedule all continue exactly."""
    mlp = example("mnist_mlp")
    args = [*MLP_QUICK, "--epochs", "2"]
    mlp.main([*args, "--save", str(tmp_path / "straight.npz")])

    common = sys.modules["_common"]
    real_epoch, calls = common.train_one_epoch, []

    def crash_in_second_epoch(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_epoch(*a, **k)

    monkeypatch.setattr(common, "train_one_epoch", crash_in_second_epoch)
    with pytest.raises(KeyboardInterrupt):
        mlp.main([*args, "--save", str(tmp_path / "resumed.npz")])
    monkeypatch.setattr(common, "train_one_epoch", real_epoch)
    mlp.main([*args, "--resume", str(tmp_path / "resumed.npz"),
              "--save", str(tmp_path / "resumed.npz")])

    for suffix in (".npz", ".train.npz"):
        straight, resumed = (weights(tmp_path / f"{stem}{suffix}")
                             for stem in ("straight", "resumed"))
        assert straight.keys() == resumed.keys()
        for key in straight:
            if key == "meta":  # JSON text: all but the wall times must match
                straight[key], resumed[key] = (without_times(d[key]) for d in (straight, resumed))
            assert np.array_equal(straight[key], resumed[key]), f"{key} of *{suffix} differs"


def without_times(meta):
    meta = json.loads(str(meta))
    for epoch in meta["history"]:
        del epoch["seconds"]
    return np.array(json.dumps(meta))


def test_resume_from_a_missing_training_state_names_the_file(example, tmp_path):
    mlp = example("mnist_mlp")
    ckpt = tmp_path / "m.npz"
    mlp.main([*MLP_QUICK, "--epochs", "1", "--save", str(ckpt)])
    (tmp_path / "m.train.npz").unlink()
    with pytest.raises(FileNotFoundError, match="m.train.npz"):
        mlp.main([*MLP_QUICK, "--epochs", "2", "--resume", str(ckpt)])


def test_command_line_prints_the_summary_last(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root),
                                                         os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, str(root / "examples" / "mnist_mlp.py"), "--synthetic", "--limit", "64",
         "--epochs", "1"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert SUMMARY.match(result.stdout.strip().splitlines()[-1])
    assert "epoch 1/1" in result.stdout


@pytest.mark.mnist
def test_mlp_one_epoch_on_real_mnist(example, capsys, real_mnist):
    folder = real_mnist
    # One epoch only: a higher peak rate than the 10-epoch default's 1e-3 (97.1% vs 96.4%).
    accuracy = example("mnist_mlp").main(["--epochs", "1", "--lr", "2e-3", "--data-dir",
                                          str(folder), "--no-progress"])
    assert last_line(capsys) == f"test accuracy: {accuracy:.4f}"
    assert accuracy >= 0.96
