"""A character-level LSTM language model, trained on nursery rhymes, then made to write.

    python3 examples/char_lstm.py                     # trains, then prints generated text
    python3 examples/char_lstm.py --iters 50 --generate 100

Embedding -> LSTM -> Linear predicts the next character. The text is cut into ``--batch``
parallel streams read ``--bptt`` characters at a time; the LSTM state carries over from one
chunk to the next but is detached, so gradients flow back at most ``--bptt`` steps
(truncated backpropagation through time). Gradient norms are clipped to 1.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from _process import add_threads_option, setup_process

import autograd_lite.functions as F
from autograd_lite import Variable, nn, no_grad, optim

TEXT = Path(__file__).resolve().parent / "data" / "nursery_rhymes.txt"


def read_text(path: str | Path) -> str:
    """The text without its ``#`` header lines."""
    lines = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("#")).lstrip("\n")


class CharLSTM(nn.Module):
    """ids (N, T) -> logits (N, T, vocab), and the LSTM state ``(h, c)`` after the last step."""

    def __init__(self, vocab: int, embed: int, hidden: int, rng: np.random.Generator) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, embed, rng=rng)
        self.lstm = nn.LSTM(embed, hidden, rng=rng)
        self.head = nn.Linear(hidden, vocab, rng=rng)

    def forward(self, ids: np.ndarray, state: tuple[Variable, Variable] | None = None
                ) -> tuple[Variable, tuple[Variable, Variable]]:
        out, state = self.lstm(self.embed(ids), state)
        return self.head(out), state


def batchify(ids: np.ndarray, batch: int) -> np.ndarray:
    """Cut the id sequence into `batch` contiguous streams: (batch, len(ids) // batch)."""
    length = len(ids) // batch
    return ids[: batch * length].reshape(batch, length)


def train(model: CharLSTM, streams: np.ndarray, iters: int, bptt: int, lr: float
          ) -> list[float]:
    """`iters` steps of truncated BPTT over `streams`; returns the loss of every step."""
    optimizer = optim.Adam(model.parameters(), lr=lr)
    losses: list[float] = []
    state, pos = None, 0
    while len(losses) < iters:
        if pos + bptt + 1 > streams.shape[1]:  # end of the text: start again, fresh state
            state, pos = None, 0
        x, t = streams[:, pos:pos + bptt], streams[:, pos + 1:pos + bptt + 1]
        pos += bptt
        logits, (h, c) = model(x, state)
        state = (h.detach(), c.detach())  # keep the values, cut the graph
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), t.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
        if len(losses) % 50 == 0:
            recent = float(np.mean(losses[-50:]))
            print(f"iter {len(losses):4d}  loss {recent:.3f}  perplexity {math.exp(recent):.1f}")
    return losses


def generate(model: CharLSTM, chars: list[str], prompt: str, length: int,
             temperature: float, rng: np.random.Generator) -> str:
    """Continue `prompt` by `length` characters, sampling from the model's softmax."""
    index = {ch: i for i, ch in enumerate(chars)}
    ids = [index[ch] for ch in prompt if ch in index] or [0]
    out = []
    with no_grad():
        logits, state = model(np.array([ids]))
        for _ in range(length):
            p = F.softmax(logits[:, -1] / temperature).data[0].astype(np.float64)
            nxt = int(rng.choice(len(chars), p=p / p.sum()))
            out.append(chars[nxt])
            logits, state = model(np.array([[nxt]]), state)
    return prompt + "".join(out)


def main(argv: Sequence[str] | None = None) -> str:
    """Train and generate; returns the generated text."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", default=str(TEXT),
                        help="training text, UTF-8 (default examples/data/nursery_rhymes.txt)")
    parser.add_argument("--iters", type=int, default=300, help="training steps (default 300)")
    parser.add_argument("--batch", type=int, default=16, help="parallel streams (default 16)")
    parser.add_argument("--bptt", type=int, default=32,
                        help="steps of backpropagation through time (default 32)")
    parser.add_argument("--embed", type=int, default=32, help="embedding size (default 32)")
    parser.add_argument("--hidden", type=int, default=128, help="LSTM units (default 128)")
    parser.add_argument("--lr", type=float, default=1e-2, help="Adam's rate (default 0.01)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the initial weights and the sampling (default 0)")
    parser.add_argument("--prompt", default="Little ",
                        help="start of the generated text (default 'Little ')")
    parser.add_argument("--generate", type=int, default=300,
                        help="characters to generate (default 300)")
    parser.add_argument("--temperature", type=float, default=0.8,
                        help="sampling temperature: lower is more conservative (default 0.8)")
    add_threads_option(parser)
    args = parser.parse_args(argv)
    setup_process(args.threads)

    text = read_text(args.text)
    chars = sorted(set(text))
    ids = np.array([chars.index(ch) for ch in text], dtype=np.int64)
    streams = batchify(ids, args.batch)
    if streams.shape[1] < args.bptt + 1:
        raise ValueError(f"char_lstm: {args.text} has {len(text)} characters, too few for "
                         f"{args.batch} streams of {args.bptt + 1}")
    init_rng, sample_rng = (np.random.default_rng(s)
                            for s in np.random.SeedSequence(args.seed).spawn(2))
    print(f"{len(text)} characters, {len(chars)} distinct; {args.batch} streams of "
          f"{streams.shape[1]}")

    model = CharLSTM(len(chars), args.embed, args.hidden, init_rng)
    tic = time.perf_counter()
    losses = train(model, streams, args.iters, args.bptt, args.lr)
    print(f"trained {args.iters} steps in {time.perf_counter() - tic:.1f} s")
    sample = generate(model, chars, args.prompt, args.generate, args.temperature, sample_rng)
    print("-" * 60)
    print(sample)
    print("-" * 60)
    final = float(np.mean(losses[-10:]))
    print(f"final loss: {final:.3f} (perplexity {math.exp(final):.2f})")
    return sample


if __name__ == "__main__":
    main()
