"""examples/mnist_mlp.py and mnist_cnn.py on small synthetic data: the run, its one-file
checkpoint, exact resumption, refused settings, hostile checkpoints, the first hour (no data,
outputs under runs/, one line per epoch off a terminal); one MLP run on the real MNIST files
(marked ``mnist``, skipped when they are absent)."""

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import numpy as np
import numpy.lib.format as npy
import pytest

from autograd_lite import optim
from autograd_lite.npz import NpzReader

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = re.compile(r"^test accuracy: [01]\.\d{4}$")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
QUICK = {
    "mnist_mlp": ["--synthetic", "--limit", "192", "--batch-size", "64", "--no-progress"],
    "mnist_cnn": ["--synthetic", "--limit", "64", "--batch-size", "32", "--channels", "4", "8",
                  "--hidden", "16", "--no-progress"],
}
STEPS_PER_EPOCH = {"mnist_mlp": 3, "mnist_cnn": 2}
both = pytest.mark.parametrize("name", ["mnist_mlp", "mnist_cnn"])


def last_line(capsys):
    return capsys.readouterr().out.strip().splitlines()[-1]


def contents(path):
    """Every array of a checkpoint, and its meta.json without the wall times."""
    with NpzReader(path) as reader:
        arrays = {key: reader.read(key) for key in reader.arrays}
        meta = json.loads(reader.read_text("meta.json"))
    for epoch in meta["history"]:
        del epoch["seconds"]
    return arrays, meta


def crash_at_step(monkeypatch, n):
    """Make the n-th optimizer step (counting from 1) raise KeyboardInterrupt."""
    real, calls = optim.Adam.step, []

    def step(self):
        calls.append(1)
        if len(calls) == n:
            raise KeyboardInterrupt
        real(self)

    monkeypatch.setattr(optim.Adam, "step", step)
    return lambda: monkeypatch.setattr(optim.Adam, "step", real)


@pytest.fixture(scope="module")
def saved_mlp(tmp_path_factory):
    """A checkpoint of a finished 2-epoch quick MLP run, made once for the tests that only
    read it (each copies it first)."""
    path = tmp_path_factory.mktemp("saved") / "m.npz"
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(ROOT / "examples"))
        for module in ("mnist_mlp", "_common", "_checkpoint"):
            sys.modules.pop(module, None)
        importlib.import_module("mnist_mlp").main([*QUICK["mnist_mlp"], "--epochs", "2",
                                                   "--save", str(path)])
        for module in ("mnist_mlp", "_common", "_checkpoint"):
            sys.modules.pop(module, None)
    return path


@pytest.fixture
def ckpt(saved_mlp, tmp_path):
    return Path(shutil.copy(saved_mlp, tmp_path / "m.npz"))


@both
def test_quick_run_saves_one_checkpoint_and_plots(example, capsys, tmp_path, name):
    ckpt, png = tmp_path / "run" / "ckpt.npz", tmp_path / "curves.png"
    accuracy = example(name).main([*QUICK[name], "--epochs", "2", "--save", str(ckpt),
                                   "--plot", str(png)])
    out = capsys.readouterr().out
    assert SUMMARY.match(out.strip().splitlines()[-1]) and 0.0 <= accuracy <= 1.0
    assert re.search(r"^epoch 2/2 .* time \d+\.\d s$", out, re.M)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["ckpt.npz", "curves.png", "run"]
    assert png.read_bytes()[:8] == PNG_MAGIC
    arrays, meta = contents(ckpt)
    assert any(key.startswith("model.") for key in arrays)
    assert any(key.startswith("optimizer.") for key in arrays)
    assert [h["epoch"] for h in meta["history"]] == [1, 2]
    assert meta["settings"]["epochs"] == 2 and meta["settings"]["example"] == name
    assert set(meta["rngs"]) == {"init", "shuffle", "dropout"}


@both
def test_an_interrupted_run_resumes_to_exactly_the_uninterrupted_one(example, capsys, tmp_path,
                                                                     monkeypatch, name):
    """Dropout masks, shuffling, Adam's moments, batch-norm statistics and the schedule all
    continue exactly; the resumed run needs no settings repeated."""
    module = example(name)
    args = [*QUICK[name], "--epochs", "3"]
    module.main([*args, "--save", str(tmp_path / "straight.npz")])

    restore = crash_at_step(monkeypatch, STEPS_PER_EPOCH[name] + 2)  # inside epoch 2
    with pytest.raises(KeyboardInterrupt):
        module.main([*args, "--save", str(tmp_path / "resumed.npz")])
    restore()
    assert [h["epoch"] for h in contents(tmp_path / "resumed.npz")[1]["history"]] == [1]
    capsys.readouterr()
    module.main(["--resume", str(tmp_path / "resumed.npz"), "--save",
                 str(tmp_path / "resumed.npz")])
    out = capsys.readouterr().out
    assert "resumed after epoch 1" in out and "epoch 2/3" in out and "epoch 1/3" not in out

    (straight, straight_meta), (resumed, resumed_meta) = (
        contents(tmp_path / f"{stem}.npz") for stem in ("straight", "resumed"))
    assert straight.keys() == resumed.keys()
    for key in straight:
        np.testing.assert_array_equal(straight[key], resumed[key], err_msg=key)
    assert straight_meta == resumed_meta


@pytest.mark.parametrize("flag, value, shown", [
    ("--epochs", "3", "--epochs: 2 in the checkpoint, 3 here"),
    ("--batch-size", "32", "--batch-size: 64 in the checkpoint, 32 here"),
    ("--limit", "128", "--limit: 192 in the checkpoint, 128 here"),
    ("--optimizer", "sgd", '--optimizer: "adam" in the checkpoint, "sgd" here'),
    ("--lr", "0.01", "--lr: 0.001 in the checkpoint, 0.01 here"),
    ("--seed", "1", "--seed: 0 in the checkpoint, 1 here"),
])
def test_a_resume_with_other_settings_is_refused_and_says_what_differs(
        example, capsys, ckpt, flag, value, shown):
    mlp = example("mnist_mlp")
    before = ckpt.read_bytes()
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        mlp.main([*QUICK["mnist_mlp"], "--epochs", "2", flag, value, "--resume", str(ckpt)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"--resume {ckpt}: this run's settings differ" in err and shown in err
    assert err.count(" in the checkpoint, ") == 1  # the others were the same
    assert ckpt.read_bytes() == before


def test_resuming_with_other_data_is_refused(example, ckpt, monkeypatch):
    mlp = example("mnist_mlp")
    common = sys.modules["_common"]
    real = common.synthetic_mnist

    def other_data(n_train, n_test, seed=0):
        return real(n_train, n_test, seed + 1)

    monkeypatch.setattr(common, "synthetic_mnist", other_data)
    with pytest.raises(SystemExit, match=r"m.npz: the checkpoint's settings differ.*the data"):
        mlp.main(["--resume", str(ckpt)])


def rewrite(path, change):
    """Rewrite a checkpoint with `change(arrays, meta)` applied (written by hand: save_npz
    would refuse the non-numeric arrays some cases put in)."""
    with NpzReader(path) as reader:
        arrays = {key: reader.read(key) for key in reader.arrays}
        meta = json.loads(reader.read_text("meta.json"))
    change(arrays, meta)
    with zipfile.ZipFile(path, "w") as archive:
        for key, value in arrays.items():
            with archive.open(f"{key}.npy", "w") as member:
                npy.write_array(member, np.asarray(value))
        archive.writestr("meta.json", json.dumps(meta))


def drop(mapping, key):
    del mapping[key]


HOSTILE = {
    "no meta": (lambda a, m: m.clear(), "keys"),
    "format": (lambda a, m: m.update(version=7), "version 7"),
    "other optimizer": (lambda a, m: m["optimizer"].update(type="SGD"),
                        "optimizer is 'SGD' in the checkpoint, Adam here"),
    "betas changed": (lambda a, m: m["optimizer"]["param_groups"][0].update(betas=[0.5, 0.5]),
                      "betas"),
    "counter not a number": (lambda a, m: m["optimizer"]["scalars"]["0"].update(step="many"),
                             "not numbers"),
    "schedule moved": (lambda a, m: m["scheduler"].update(last_epoch=1),
                       "schedule's last_epoch is 1"),
    "bad generator": (lambda a, m: m["rngs"]["shuffle"].update(bit_generator="MT19937"),
                      "shuffle generator is not valid"),
    "history": (lambda a, m: m["history"][0].update(epoch=5), "history entry 1"),
    "missing moment": (lambda a, m: drop(a, "optimizer.0.exp_avg"), "every parameter alike"),
    "moment of another shape": (lambda a, m: a.update({"optimizer.0.exp_avg": np.zeros(3)}),
                                r"'optimizer.0.exp_avg' has shape \(3,\)"),
    "unknown parameter": (lambda a, m: a.update({"optimizer.99.exp_avg": np.zeros(3)}),
                          "parameter '99'"),
    "model weight as text": (lambda a, m: a.update({"model.0.bias": np.array(["1"] * 512)}),
                             "'model.0.bias' holds text"),
    "extra array": (lambda a, m: a.update(extra=np.zeros(2)), r"unexpected keys \['extra'\]"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_damaged_checkpoint_is_refused_with_the_file_and_the_reason(example, ckpt, capsys,
                                                                       case):
    change, reason = HOSTILE[case]
    mlp = example("mnist_mlp")
    rewrite(ckpt, change)
    with pytest.raises(SystemExit) as info:
        mlp.main(["--resume", str(ckpt)])
    message = str(info.value) + capsys.readouterr().err
    assert str(ckpt) in message and re.search(reason, message), message


def test_a_model_file_is_not_a_checkpoint(example, tmp_path, capsys):
    from autograd_lite import nn

    path = tmp_path / "model.npz"
    nn.Linear(2, 2).save(path)
    with pytest.raises(SystemExit):
        example("mnist_mlp").main(["--resume", str(path)])
    assert "no meta.json; a file written by Module.save loads with model.load" in (
        capsys.readouterr().err)
    with pytest.raises(SystemExit):
        example("mnist_mlp").main(["--resume", str(tmp_path / "absent.npz")])
    assert "absent.npz" in capsys.readouterr().err


def test_same_seed_same_model_other_seed_other_model(example, tmp_path):
    mlp = example("mnist_mlp")
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        mlp.main([*QUICK["mnist_mlp"], "--epochs", "1", "--seed", str(seed),
                  "--save", str(tmp_path / f"{name}.npz")])
    a, b, c = (contents(tmp_path / f"{name}.npz")[0] for name in "abc")
    assert all(np.array_equal(a[key], b[key]) for key in a)
    assert not np.array_equal(a["model.0.weight"], c["model.0.weight"])


def test_mlp_learns_the_synthetic_classes(example, capsys):
    accuracy = example("mnist_mlp").main([*QUICK["mnist_mlp"], "--epochs", "2"])
    assert accuracy > 0.5  # ten classes: chance is 0.1
    assert last_line(capsys) == f"test accuracy: {accuracy:.4f}"


# ----------------------------------------------------------------------------- the first hour
def test_without_data_or_network_a_short_message_names_the_options(example, tmp_path,
                                                                   monkeypatch, capsys):
    def offline(url, timeout):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("AUTOGRAD_LITE_DATA", raising=False)
    with pytest.raises(SystemExit) as info:
        example("mnist_mlp").main(["--epochs", "1"])
    message = str(info.value)
    folder = tmp_path / ".cache" / "autograd_lite" / "mnist"
    assert f"cannot load MNIST from {folder}: could not download train-images-idx3-ubyte.gz" in (
        message)
    assert "--data-dir" in message and "--synthetic" in message
    assert len(message.splitlines()) <= 4


@both
def test_bare_output_options_write_under_runs_in_the_current_directory(example, tmp_path,
                                                                       monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    example(name).main([*QUICK[name], "--epochs", "1", "--save", "--plot"])
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert files == [f"runs/{name}/checkpoint.npz", f"runs/{name}/curves.png"]
    with open(tmp_path / "plain", "wb"):
        pass
    for path in files:  # what a plain open() gives under the umask, for every output
        assert (tmp_path / path).stat().st_mode == (tmp_path / "plain").stat().st_mode
    example(name).main(["--resume"])  # --resume alone finds the same file


@pytest.mark.parametrize("flag", ["--epochs", "--batch-size", "--limit", "--lr"])
def test_nonsense_values_are_refused_by_the_parser(example, capsys, flag):
    with pytest.raises(SystemExit):
        example("mnist_mlp").main(["--synthetic", flag, "0"])
    assert f"{flag} must be positive" in capsys.readouterr().err


def test_command_line_off_a_terminal_prints_one_line_per_epoch(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT),
                                                         os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "mnist_mlp.py"), "--synthetic", "--limit", "64",
         "--batch-size", "8", "--epochs", "2"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert SUMMARY.match(lines[-1])
    assert [line.split()[1] for line in lines if line.startswith("epoch ")] == ["1/2", "2/2"]
    assert "\r" not in result.stdout + result.stderr and result.stderr == ""
    assert list(tmp_path.iterdir()) == []  # nothing written without --save or --plot


@pytest.mark.slow
@pytest.mark.mnist
def test_mlp_one_epoch_on_real_mnist(example, capsys, real_mnist):
    # One epoch only: a higher peak rate than the 10-epoch default's 1e-3 (97.1% vs 96.4%).
    # --data-dir takes the mnist/ folder or its parent.
    accuracy = example("mnist_mlp").main(["--epochs", "1", "--lr", "2e-3", "--data-dir",
                                          str(real_mnist.parent), "--no-progress"])
    assert last_line(capsys) == f"test accuracy: {accuracy:.4f}"
    assert accuracy >= 0.96
