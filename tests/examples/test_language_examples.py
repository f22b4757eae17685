"""Smoke tests of examples/char_gpt.py and date_attention.py: a few steps on tiny data."""

import datetime
import re

import numpy as np
import pytest

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TINY_GPT = ["--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "16",
            "--batch-size", "8", "--eval-iters", "4", "--eval-iters-progress", "2",
            "--warmup", "5", "--lr", "1e-2", "--no-progress"]


@pytest.fixture
def text_file(tmp_path):
    """A tiny, learnable text: a few lines repeated."""
    lines = ["the cat sat on the mat.", "a dog ran to the sun.", "we sing, they sing."]
    rng = np.random.default_rng(0)
    path = tmp_path / "tiny.txt"
    path.write_text("\n".join(lines[i] for i in rng.integers(0, 3, 400)) + "\n")
    return path


def last_line(capsys):
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_char_gpt_learns_saves_and_samples(example, capsys, tmp_path, text_file):
    char_gpt = example("char_gpt")
    model_file = tmp_path / "m.npz"
    loss = char_gpt.main(TINY_GPT + ["--text", str(text_file), "--iters", "60",
                                     "--eval-interval", "30", "--save", str(model_file),
                                     "--sample-after", "20"])
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == f"val loss: {loss:.4f}"
    assert len(re.findall(r"^step +\d+ +train loss [\d.]+ +val loss [\d.]+", out, re.M)) == 2
    assert loss < np.log(22) - 1.0  # well below a uniform guess over the 22 characters
    picture = tmp_path / "pictures" / "attention.png"
    sample = char_gpt.main(["--sample", "40", "--prompt", "the ", "--save", str(model_file),
                            "--top-k", "3", "--temperature", "0.5", "--attention", str(picture),
                            "--attention-head", "0", "1"])
    assert sample.startswith("the ") and len(sample) == 44
    assert set(sample) <= set(text_file.read_text())
    assert picture.read_bytes()[:8] == PNG_MAGIC
    with pytest.raises(SystemExit, match="1 layers of 2 heads"):
        char_gpt.main(["--sample", "5", "--save", str(model_file), "--attention",
                       str(picture), "--attention-head", "1", "0"])


def test_char_gpt_resume_continues_the_run_exactly(example, capsys, tmp_path, text_file,
                                                   monkeypatch):
    char_gpt = example("char_gpt")
    args = TINY_GPT + ["--text", str(text_file), "--iters", "20", "--eval-interval", "10",
                       "--sample-after", "0"]
    whole = char_gpt.main(args + ["--save", str(tmp_path / "whole.npz")])
    save = char_gpt.save_checkpoint

    def save_then_stop(*a, **k):  # the run is killed right after its first checkpoint
        save(*a, **k)
        raise KeyboardInterrupt

    monkeypatch.setattr(char_gpt, "save_checkpoint", save_then_stop)
    with pytest.raises(KeyboardInterrupt):
        char_gpt.main(args + ["--save", str(tmp_path / "part.npz")])
    monkeypatch.setattr(char_gpt, "save_checkpoint", save)
    resumed = char_gpt.main(args + ["--save", str(tmp_path / "part.npz"),
                                    "--resume", str(tmp_path / "part.npz")])
    assert "resumed" in capsys.readouterr().out
    assert resumed == whole
    a, _ = char_gpt.load_model(str(tmp_path / "whole.npz"))
    b, _ = char_gpt.load_model(str(tmp_path / "part.npz"))
    for (name, p), (_, q) in zip(a.state_dict().items(), b.state_dict().items()):
        np.testing.assert_array_equal(p, q, err_msg=name)
    with pytest.raises(SystemExit, match="n_embd"):  # other settings are refused
        char_gpt.main(args[:5] + ["32"] + args[6:] + ["--resume", str(tmp_path / "part.npz")])


def test_char_gpt_head_is_tied_to_the_embedding(example):
    char_gpt = example("char_gpt")
    model = char_gpt.GPT(10, 8, 2, 2, 16, np.random.default_rng(0))
    names = [name for name, _ in model.named_parameters()]
    assert "tok.weight" in names and not any("head" in n for n in names)
    assert not any(n.endswith("bias") for n in names)  # no biases, as nanoGPT's settings
    logits = model(np.zeros((3, 8), np.int64))
    assert logits.shape == (3, 8, 10)
    logits.sum().backward()
    assert model.tok.weight.grad is not None


def test_char_gpt_attention_is_causal(example):
    """Changing a later character never changes the logits at earlier positions."""
    char_gpt = example("char_gpt")
    model = char_gpt.GPT(10, 8, 2, 2, 16, np.random.default_rng(0))
    ids = np.random.default_rng(1).integers(0, 10, (1, 8))
    changed = ids.copy()
    changed[0, 5] = (ids[0, 5] + 1) % 10
    a, b = model(ids).data, model(changed).data
    np.testing.assert_allclose(a[:, :5], b[:, :5], rtol=1e-6, atol=1e-6)
    assert not np.allclose(a[:, 5:], b[:, 5:])


def test_lr_schedule_warms_up_then_decays_to_the_floor(example):
    lr_factor = example("char_gpt").lr_factor
    factors = [lr_factor(i, 10, 100, 0.1) for i in range(101)]
    assert factors[0] == pytest.approx(1 / 11) and factors[9] == pytest.approx(10 / 11)
    assert factors[10] == pytest.approx(1.0) and factors[100] == pytest.approx(0.1)
    assert all(a >= b for a, b in zip(factors[10:], factors[11:]))


def test_dates_are_written_in_every_format(example):
    date_attention = example("date_attention")
    date = datetime.date(1994, 9, 27)  # a Tuesday
    written = [date_attention.write_date(date, f, 0) for f in date_attention.FORMATS]
    for expected in ("September 27, 1994", "27/9/94", "Tue, Sep 27 1994", "27.09.94",
                     "27th of September 1994", "1994/09/27", "Sep 27 '94"):
        assert expected in written
    assert date_attention.write_date(date, "{Mon} {d}", 2) == "SEP 27"
    assert [date_attention.ordinal(d) for d in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st"]


def test_date_pairs_are_seeded_and_agree_with_their_iso_date(example):
    date_attention = example("date_attention")
    pairs = date_attention.make_dates(300, np.random.default_rng(3))
    assert pairs == date_attention.make_dates(300, np.random.default_rng(3))
    for text, iso in pairs:
        date = datetime.date.fromisoformat(iso)
        assert 1950 <= date.year <= 2049
        assert str(date.day) in text and f"{date.year % 100:02d}" in text
    assert len({text for text, _ in pairs}) > 290


def test_date_attention_trains_and_draws_its_attention(example, capsys, tmp_path):
    date_attention = example("date_attention")
    accuracy = date_attention.main(["--train-size", "1200", "--test-size", "200", "--epochs",
                                    "2", "--batch-size", "40", "--hidden", "24", "--embed", "16",
                                    "--lr", "1e-2", "--examples", "3", "--out", str(tmp_path),
                                    "--no-progress"])
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == f"held-out exact match: {accuracy:.4f}"
    losses = [float(x) for x in re.findall(r"train loss ([\d.]+)", out)]
    assert len(losses) == 2 and losses[-1] < 0.6 * np.log(12)  # below a uniform guess
    assert (tmp_path / "attention.png").read_bytes()[:8] == PNG_MAGIC
    assert (tmp_path / "model.npz").is_file()


def test_translate_gives_weights_over_the_real_input_only(example):
    date_attention = example("date_attention")
    model = date_attention.Seq2Seq(20, 12, 8, 8, np.random.default_rng(0))
    src = np.array([[3, 4, 5, 0, 0], [1, 2, 3, 4, 5]])
    ids, maps = model.translate(src)
    assert ids.shape == (2, 10) and maps.shape == (2, 10, 5)
    np.testing.assert_allclose(maps.sum(axis=-1), 1, rtol=1e-5)
    assert np.all(maps[0, :, 3:] == 0)  # padding gets no attention


@pytest.mark.parametrize("name", ["char_gpt", "date_attention"])
def test_help_shows_every_default(example, capsys, name):
    with pytest.raises(SystemExit) as info:
        example(name).main(["--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    blocks = re.split(r"\n(?=  -)", text[text.index("options:"):].split("\n", 1)[1])
    assert len(blocks) > 5
    for block in blocks:
        if not block.lstrip().startswith("-h, --help"):
            assert "default" in block, f"{name} --help: no default in {block!r}"
