"""Translate dates as people write them into ISO dates, with an encoder, a decoder and attention.

    python3 examples/date_attention.py          # 3 epochs, a few minutes on a laptop CPU

"september 27, 1994", "27/9/94", "Tue, Sep 27 1994", "27th of September 1994", ... all become
"1994-09-27". The example makes its own data: dates from 1950 to 2049 (so a two-digit year
is never ambiguous) written in 16 formats and three casings, 45,000 pairs for training and
5,000 held out, drawn from ``--seed``.

The model, as in sequence-to-sequence translation with attention:

- an encoder reads the characters with two LSTMs, one forwards and one backwards, so the state
  at every input character knows its surroundings on both sides;
- a decoder LSTM writes the 10 output characters one at a time, each time fed the previous
  one ("teacher forcing" in training: the true previous character);
- attention: at every output step the decoder's state is compared with every encoder state
  (a dot product after a learned projection), a softmax over the input positions turns the
  scores into weights, and the weighted mean of the encoder states (the context) joins the
  decoder's state to predict the next character. Padding positions are masked out.

The weights say where the decoder looks: writing the month it looks at "sep" or "9", writing
the year at "94". ``runs/date_attention/attention.png`` draws them for a few held-out dates.
"""

from __future__ import annotations

import argparse
import datetime
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from _process import add_threads_option, setup_process

import autograd_lite.functions as F
from autograd_lite import nn, no_grad, optim

OUT = Path("runs") / "date_attention"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FIRST, LAST = datetime.date(1950, 1, 1), datetime.date(2049, 12, 31)

# The output alphabet: a start symbol, the digits and the dash. ISO dates have 10 characters.
START = "^"
OUT_CHARS = [START] + list("0123456789-")
OUT_LEN = 10
PAD = "\0"  # pads the inputs to the same length (masked out by the attention)


# ----------------------------------------------------------------------------- the data
def ordinal(d: int) -> str:
    suffix = "th" if 11 <= d <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
    return f"{d}{suffix}"


FORMATS = [  # each takes the day, month and year fields below
    "{Month} {d}, {Y}",            # September 27, 1994
    "{Mon} {d}, {Y}",              # Sep 27, 1994
    "{d} {Month} {Y}",             # 27 September 1994
    "{d} {Mon} {Y}",               # 27 Sep 1994
    "{dd} {Mon} {Y}",              # 07 Sep 1994
    "{Wkd}, {Mon} {d} {Y}",        # Tue, Sep 27 1994
    "{Weekday}, {Month} {d}, {Y}",  # Tuesday, September 27, 1994
    "{d}/{m}/{yy}",                # 27/9/94 (day first, always)
    "{dd}/{mm}/{Y}",               # 27/09/1994
    "{dd}.{mm}.{yy}",              # 27.09.94
    "{Y}/{mm}/{dd}",               # 1994/09/27
    "{d}-{Mon}-{Y}",               # 27-Sep-1994
    "{Mon} {d} '{yy}",             # Sep 27 '94
    "{th} of {Month} {Y}",         # 27th of September 1994
    "{Month} {th}, {Y}",           # September 27th, 1994
    "{Weekday} {d} {Month} {Y}",   # Tuesday 27 September 1994
]


def write_date(date: datetime.date, fmt: str, case: int) -> str:
    """`date` in format `fmt`; case 0 as written, 1 lower case, 2 upper case."""
    text = fmt.format(
        Month=MONTHS[date.month - 1], Mon=MONTHS[date.month - 1][:3],
        Weekday=DAYS[date.weekday()], Wkd=DAYS[date.weekday()][:3],
        d=date.day, dd=f"{date.day:02d}", m=date.month, mm=f"{date.month:02d}",
        Y=date.year, yy=f"{date.year % 100:02d}", th=ordinal(date.day))
    return (text, text.lower(), text.upper())[case]


def make_dates(n: int, rng: np.random.Generator) -> list[tuple[str, str]]:
    """`n` pairs (human-written date, ISO date), dates uniform over 1950-2049."""
    span = (LAST - FIRST).days + 1
    days = rng.integers(0, span, n)
    formats = rng.integers(0, len(FORMATS), n)
    cases = rng.integers(0, 3, n)
    pairs = []
    for day, f, c in zip(days, formats, cases):
        date = FIRST + datetime.timedelta(days=int(day))
        pairs.append((write_date(date, FORMATS[f], int(c)), date.isoformat()))
    return pairs


class Vocab:
    """Characters <-> ids, and padded id arrays."""

    def __init__(self, chars: Sequence[str]) -> None:
        self.chars = list(chars)
        self.index = {c: i for i, c in enumerate(self.chars)}

    def encode(self, texts: Sequence[str], length: int) -> np.ndarray:
        ids = np.zeros((len(texts), length), np.int64)  # id 0 is the padding
        for row, text in enumerate(texts):
            ids[row, :len(text)] = [self.index[c] for c in text]
        return ids

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(self.chars[i] for i in ids)


# ----------------------------------------------------------------------------- the model
class Seq2Seq(nn.Module):
    """Encoder (bidirectional LSTM), decoder (LSTM) and attention between them."""

    def __init__(self, in_vocab: int, out_vocab: int, embed: int, hidden: int,
                 rng: np.random.Generator) -> None:
        super().__init__()
        self.in_embed = nn.Embedding(in_vocab, embed, rng=rng)
        self.forwards = nn.LSTM(embed, hidden, rng=rng)
        self.backwards = nn.LSTM(embed, hidden, rng=rng)
        self.out_embed = nn.Embedding(out_vocab, embed, rng=rng)
        self.decoder = nn.LSTM(embed, 2 * hidden, rng=rng)
        self.keys = nn.Linear(2 * hidden, 2 * hidden, bias=False, rng=rng)
        self.combine = nn.Linear(4 * hidden, 2 * hidden, rng=rng)
        self.head = nn.Linear(2 * hidden, out_vocab, rng=rng)

    def encode(self, src: np.ndarray) -> tuple[Any, Any, np.ndarray]:
        """Encoder states (N, S, 2 hidden), their projections as keys, and the mask of the
        real (not padding) input positions, (N, 1, S)."""
        x = self.in_embed(src)
        ahead, _ = self.forwards(x)
        behind, _ = self.backwards(F.flip(x, axis=1))  # read right to left ...
        states = F.concatenate([ahead, F.flip(behind, axis=1)], axis=2)  # ... realigned
        return states, self.keys(states), (src != 0)[:, None, :]

    def decode(self, prev: np.ndarray, encoded: tuple[Any, Any, np.ndarray], state: Any = None
               ) -> tuple[Any, Any, Any]:
        """Logits (N, L, out_vocab) of the characters after `prev` (N, L), the attention
        weights (N, L, S) and the decoder's state."""
        states, keys, mask = encoded
        h, state = self.decoder(self.out_embed(prev), state)
        # How well each decoder state matches each input position, as weights summing to 1
        weights = F.attention_weights(h, keys, attn_mask=mask, scale=1.0)
        context = F.matmul(weights, states)  # (N, L, 2 hidden): what the decoder reads
        mixed = F.tanh(self.combine(F.concatenate([h, context], axis=2)))
        return self.head(mixed), weights, state

    def forward(self, src: np.ndarray, prev: np.ndarray) -> Any:
        """Logits for the whole output at once, fed the true previous characters."""
        return self.decode(prev, self.encode(src))[0]

    def translate(self, src: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Greedy decoding: output ids (N, 10) and attention weights (N, 10, S)."""
        with no_grad():
            encoded = self.encode(src)
            prev = np.zeros((len(src), 1), np.int64)  # the start symbol
            state, out, maps = None, [], []
            for _ in range(OUT_LEN):
                logits, weights, state = self.decode(prev, encoded, state)
                prev = logits.data.argmax(axis=-1)
                out.append(prev[:, 0])
                maps.append(weights.data[:, 0])
        return np.stack(out, axis=1), np.stack(maps, axis=1)


# ----------------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None) -> float:
    """Train, report the held-out exact match (returned) and draw attention maps."""
    args = parse_args(argv)
    data_rng, init_rng, shuffle_rng = (np.random.default_rng(s) for s in
                                       np.random.SeedSequence(args.seed).spawn(3))
    pairs = make_dates(args.train_size + args.test_size, data_rng)
    train, test = pairs[:args.train_size], pairs[args.train_size:]
    in_vocab = Vocab([PAD] + sorted({c for text, _ in pairs for c in text}))
    out_vocab = Vocab(OUT_CHARS)
    in_len = max(len(text) for text, _ in pairs)
    src_train = in_vocab.encode([s for s, _ in train], in_len)
    src_test = in_vocab.encode([s for s, _ in test], in_len)
    # Decoder inputs: the start symbol then the first 9 characters; targets: all 10
    tgt_train = out_vocab.encode([START + t for _, t in train], OUT_LEN + 1)
    tgt_test = out_vocab.encode([t for _, t in test], OUT_LEN)
    print(f"{len(train)} training and {len(test)} held-out dates, e.g. {train[0][0]!r} -> "
          f"{train[0][1]}; {len(in_vocab.chars)} input characters")

    model = Seq2Seq(len(in_vocab.chars), len(OUT_CHARS), args.embed, args.hidden, init_rng)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = math.ceil(len(train) / args.batch_size)
    total = args.epochs * steps_per_epoch
    scheduler = optim.lr_scheduler.LambdaLR(  # cosine from lr to 0 over the run
        optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * step / total)))

    tic = time.perf_counter()
    accuracy = 0.0
    for epoch in range(1, args.epochs + 1):
        order = shuffle_rng.permutation(len(train))
        losses = []
        for start in progress(range(0, len(train), args.batch_size), f"epoch {epoch}",
                              not args.no_progress):
            rows = order[start:start + args.batch_size]
            src, tgt = src_train[rows], tgt_train[rows]
            logits = model(src, tgt[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, len(OUT_CHARS)), tgt[:, 1:].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
        accuracy = exact_match(model, src_test, tgt_test)
        print(f"epoch {epoch}  train loss {np.mean(losses):.4f}  held-out exact match "
              f"{accuracy:.4f}  ({time.perf_counter() - tic:.1f} s)", flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    model.save(args.out / "model.npz")
    ids, maps = model.translate(src_test[:args.examples])
    for (text, iso), row in zip(test[:args.examples], ids):
        print(f"  {text!r:34} -> {out_vocab.decode(row)}  (true {iso})")
    if args.examples:
        draw_attention(test[:args.examples], ids, maps, out_vocab, args.out / "attention.png")
        print(f"wrote {args.out / 'attention.png'} and {args.out / 'model.npz'}")
    print(f"held-out exact match: {accuracy:.4f}", flush=True)
    return accuracy


def exact_match(model: Seq2Seq, src: np.ndarray, tgt: np.ndarray, batch: int = 1000) -> float:
    """The fraction of inputs whose greedy translation is right in all 10 characters."""
    right = 0
    for start in range(0, len(src), batch):
        ids, _ = model.translate(src[start:start + batch])
        right += int((ids == tgt[start:start + batch]).all(axis=1).sum())
    return right / len(src)


def draw_attention(pairs: Sequence[tuple[str, str]], ids: np.ndarray, maps: np.ndarray,
                   out_vocab: Vocab, path: Path) -> None:
    """One heat map per example: output characters (rows) x input characters (columns)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from _common import save_figure

    cols = min(len(pairs), 2)
    rows = math.ceil(len(pairs) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 2.6 * rows), squeeze=False)
    for ax, (text, _), out, weights in zip(axes.flat, pairs, ids, maps):
        ax.imshow(weights[:, :len(text)], cmap="Greys", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(len(text)), list(text), fontsize=8)
        ax.set_yticks(range(OUT_LEN), list(out_vocab.decode(out)), fontsize=8)
        ax.tick_params(length=0)
    for ax in axes.flat[len(pairs):]:
        ax.axis("off")
    fig.suptitle("attention: where each output character (rows) looks in the input")
    fig.tight_layout()
    save_figure(fig, path, dpi=80)


def progress(items: Any, desc: str, enabled: bool) -> Any:
    """`items` with a tqdm bar on a terminal; plain elsewhere (the epoch lines are the log)."""
    if not enabled or not sys.stderr.isatty():
        return items
    try:
        from tqdm import tqdm
    except ImportError:
        return items
    return tqdm(items, desc=desc, leave=False, unit="batch")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="date_attention.py",
                                     description=__doc__.splitlines()[0])
    arg = parser.add_argument
    arg("--epochs", type=int, default=3, help="passes over the training dates (default 3)")
    arg("--batch-size", type=int, default=64, help="dates per step (default 64)")
    arg("--lr", type=float, default=3e-3,
        help="Adam's peak learning rate, annealed along a cosine to 0 (default 0.003)")
    arg("--embed", type=int, default=32, help="character embedding size (default 32)")
    arg("--hidden", type=int, default=64,
        help="units of each encoder LSTM; the decoder has twice as many (default 64)")
    arg("--train-size", type=int, default=45_000, help="training pairs (default 45000)")
    arg("--test-size", type=int, default=5_000, help="held-out pairs (default 5000)")
    arg("--examples", type=int, default=4,
        help="held-out dates printed and drawn with their attention (default 4)")
    arg("--seed", type=int, default=0, help="seed of the data, weights and order (default 0)")
    add_threads_option(parser)
    arg("--out", type=Path, default=OUT, help=f"folder of the model and picture (default {OUT})")
    arg("--no-progress", action="store_true", help="no progress bar (default: on a terminal)")
    args = parser.parse_args(argv)
    setup_process(args.threads)
    for name in ("epochs", "batch_size", "lr", "embed", "hidden", "train_size", "test_size"):
        if not getattr(args, name) > 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    if args.examples < 0 or args.examples > args.test_size:
        parser.error("--examples must lie between 0 and --test-size")
    return args


if __name__ == "__main__":
    main()
