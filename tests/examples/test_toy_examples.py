"""Smoke tests of examples/spiral.py and char_lstm.py; every example's --help; the README's
pictures."""

import importlib.util
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_spiral_is_three_classes_of_equal_size(example):
    x, t = example("spiral").make_spiral(n_per_class=50, rng=np.random.default_rng(1))
    assert x.shape == (150, 2) and x.dtype == np.float32
    assert np.bincount(t).tolist() == [50, 50, 50]
    assert np.abs(x).max() <= 1.5


def test_spiral_learns_and_draws_its_regions(example, capsys, tmp_path):
    out = tmp_path / "pictures" / "spiral.png"
    accuracy = example("spiral").main(["--steps", "150", "--hidden", "32", "--out", str(out)])
    assert accuracy > 0.8  # a straight-line classifier gets about 0.5
    assert out.read_bytes()[:8] == PNG_MAGIC
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"train accuracy: {accuracy:.4f}"


def test_char_lstm_text_ships_with_its_source(example):
    char_lstm = example("char_lstm")
    header = char_lstm.TEXT.read_text(encoding="utf-8").splitlines()[:5]
    assert any("public domain" in line for line in header)
    text = char_lstm.read_text(char_lstm.TEXT)
    assert not text.startswith("#") and len(text) > 2000


def test_batchify_cuts_contiguous_streams(example):
    streams = example("char_lstm").batchify(np.arange(10), 3)
    assert streams.tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]


def test_char_lstm_loss_falls_and_it_generates(example, capsys):
    char_lstm = example("char_lstm")
    sample = char_lstm.main(["--iters", "40", "--batch", "8", "--bptt", "16", "--hidden", "32",
                             "--embed", "16", "--generate", "50", "--prompt", "Jack "])
    out = capsys.readouterr().out
    assert sample.startswith("Jack ") and len(sample) == len("Jack ") + 50
    assert sample in out
    losses = [float(line.split()[3]) for line in out.splitlines() if line.startswith("iter")]
    final = float(out.strip().splitlines()[-1].split()[2])
    assert final < np.log(57) - 0.5  # below the loss of a uniform guess over the characters
    assert losses == [] or losses[-1] < np.log(57)


def test_char_lstm_is_deterministic(example, capsys):
    char_lstm = example("char_lstm")
    args = ["--iters", "5", "--batch", "4", "--bptt", "8", "--hidden", "16", "--embed", "8",
            "--generate", "30", "--seed", "7"]
    assert char_lstm.main(args) == char_lstm.main(args)


def test_spiral_writes_under_runs_in_the_current_directory(example, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    example("spiral").main(["--steps", "5", "--hidden", "8"])
    assert [str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()] == [
        "runs/spiral/spiral.png"]


@pytest.mark.parametrize("name", ["mnist_mlp", "mnist_cnn", "spiral", "char_lstm",
                                  "higher_order"])
def test_help_shows_every_default(example, capsys, name):
    with pytest.raises(SystemExit) as info:
        example(name).main(["--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    options = text[text.index("options:"):]
    # One block per option: its first line starts with "  -", continuations are indented more.
    blocks = re.split(r"\n(?=  -)", options.split("\n", 1)[1])
    assert len(blocks) > 1
    for block in blocks:
        if not block.lstrip().startswith("-h, --help"):
            assert "default" in block, f"{name} --help: no default in {block!r}"


@pytest.mark.slow
def test_one_command_draws_every_tracked_picture(example, tmp_path, monkeypatch):
    """docs/make_pictures.py is how the README's pictures are made; the examples themselves
    never write into docs/."""
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz's dot program")
    monkeypatch.setattr(sys, "path", list(sys.path))
    spec = importlib.util.spec_from_file_location("make_pictures", DOCS / "make_pictures.py")
    make_pictures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_pictures)
    make_pictures.main(["--out", str(tmp_path)])
    # digit_page.png is a screenshot of examples/web, taken by tests/onnx/test_web_page.py;
    # the pictures of trained models are drawn by their examples (minutes of training)
    trained = {"digit_page.png", "char_gpt_attention.png", "date_attention.png",
               "vae_manifold.png", "gan_samples.png"}
    tracked = sorted(p.name for p in DOCS.iterdir()
                     if p.suffix in (".png", ".svg") and p.name not in trained)
    assert sorted(p.name for p in tmp_path.iterdir()) == tracked
    for name in tracked:
        if name.endswith(".svg"):  # text, and drawn deterministically
            assert (tmp_path / name).read_text() == (DOCS / name).read_text()
