"""A character-level GPT trained on tiny Shakespeare, then made to write.

    python3 examples/char_gpt.py                          # trains (about 2-3 min), saves
    python3 examples/char_gpt.py --sample 500 --prompt "ROMEO:"   # writes from the saved model

The model is a small decoder-only transformer, all of it in this file: token and position
embeddings, ``--n-layer`` blocks of (LayerNorm, causal self-attention, residual; LayerNorm,
GELU MLP, residual), a final LayerNorm, and a head that shares its weights with the token
embedding (weight tying). Each position predicts the next character from the ones before it:
the causal mask lets query i attend to keys 0..i only.

The defaults are nanoGPT's settings for a CPU (4 layers, 4 heads, 128 channels, a context of
64 characters, batches of 12, 2,000 steps of AdamW, 100 warm-up steps then a cosine to 1e-4,
beta2 0.99, weight decay 0.1 on the matrices only, gradients clipped to norm 1, no dropout, no
biases) with one change: a peak learning rate of 3e-3 instead of 1e-3. With 1e-3 this small
model is still far from converged after 2,000 steps (validation loss 1.91 here, nanoGPT reports
1.88); larger steps go further in the same 2,000: 1.81 with 2e-3, 1.79 with 3e-3, with the same
model, data and compute (``--lr 1e-3`` gives nanoGPT's recipe). The first 90% of the text
trains, the last 10% validates; the losses are means over random batches (200 at the end).
"""

from __future__ import annotations

import argparse
import json
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
from autograd_lite.data import DataFileError, load_tinyshakespeare
from autograd_lite.data.shakespeare import shakespeare_folder
from autograd_lite.npz import NpzReader, read_arrays, save_npz

CHECKPOINT = Path("runs") / "char_gpt" / "model.npz"


# ----------------------------------------------------------------------------- the model
class CausalSelfAttention(nn.Module):
    """Every position mixes the values of the positions up to itself, in `n_head` heads."""

    def __init__(self, n_embd: int, n_head: int, n_layer: int, rng: np.random.Generator) -> None:
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(n_embd, 3 * n_embd, bias=False)  # queries, keys, values at once
        self.proj = nn.Linear(n_embd, n_embd, bias=False)
        self.qkv.weight.data[...] = rng.normal(0, 0.02, self.qkv.weight.shape)
        # GPT-2: the projections into the residual stream start smaller, by 1/sqrt(2 n_layer)
        self.proj.weight.data[...] = rng.normal(0, 0.02 / math.sqrt(2 * n_layer),
                                                self.proj.weight.shape)

    def forward(self, x: Any) -> Any:
        B, T, C = x.shape
        H = self.n_head
        # (B, T, 3C) -> (3, B, H, T, C/H): one query, key and value of size C/H per head
        qkv = self.qkv(x).reshape(B, T, 3, H, C // H).transpose(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        # softmax(q k^T / sqrt(C/H)) with -inf above the diagonal: query i sees keys 0..i.
        # F.scaled_dot_product_attention(q, k, v, is_causal=True) in one call; in two, the
        # weights stay at hand for pictures (--attention)
        weights = F.attention_weights(q, k, is_causal=True)  # (B, H, T, T), rows sum to 1
        self.last_weights = weights.data
        y = F.matmul(weights, v)  # (B, H, T, C/H): each query's mixture of the values
        return self.proj(y.transpose(0, 2, 1, 3).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, n_embd: int, n_layer: int, rng: np.random.Generator) -> None:
        super().__init__()
        self.fc = nn.Linear(n_embd, 4 * n_embd, bias=False)
        self.proj = nn.Linear(4 * n_embd, n_embd, bias=False)
        self.fc.weight.data[...] = rng.normal(0, 0.02, self.fc.weight.shape)
        self.proj.weight.data[...] = rng.normal(0, 0.02 / math.sqrt(2 * n_layer),
                                                self.proj.weight.shape)

    def forward(self, x: Any) -> Any:
        return self.proj(F.gelu(self.fc(x)))


class Block(nn.Module):
    """Pre-LayerNorm: each branch sees a normalised copy and adds its result to the stream."""

    def __init__(self, n_embd: int, n_head: int, n_layer: int, rng: np.random.Generator) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(n_embd, bias=False)
        self.attn = CausalSelfAttention(n_embd, n_head, n_layer, rng)
        self.ln2 = nn.LayerNorm(n_embd, bias=False)
        self.mlp = MLP(n_embd, n_layer, rng)

    def forward(self, x: Any) -> Any:
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    """ids (B, T) -> logits (B, T, vocab): the next-character scores at every position."""

    def __init__(self, vocab: int, block_size: int, n_layer: int, n_head: int, n_embd: int,
                 rng: np.random.Generator) -> None:
        super().__init__()
        if n_embd % n_head:
            raise ValueError(f"char_gpt: n_embd {n_embd} is not a multiple of n_head {n_head}")
        self.block_size = block_size
        self.tok = nn.Embedding(vocab, n_embd)
        self.pos = nn.Embedding(block_size, n_embd)
        self.tok.weight.data[...] = rng.normal(0, 0.02, self.tok.weight.shape)
        self.pos.weight.data[...] = rng.normal(0, 0.02, self.pos.weight.shape)
        self.blocks = nn.ModuleList([Block(n_embd, n_head, n_layer, rng)
                                     for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd, bias=False)

    def forward(self, ids: np.ndarray) -> Any:
        T = ids.shape[1]
        if T > self.block_size:
            raise ValueError(f"char_gpt: {T} positions, more than the context of "
                             f"{self.block_size}")
        x = self.tok(ids) + self.pos(np.arange(T))
        for block in self.blocks:
            x = block(x)
        # The head is the token embedding itself (tied): one (vocab, n_embd) matrix, trained
        # by both uses, saved once
        return F.linear(self.ln_f(x), self.tok.weight)


# ----------------------------------------------------------------------------- data
def get_batch(data: np.ndarray, batch: int, block: int, rng: np.random.Generator
              ) -> tuple[np.ndarray, np.ndarray]:
    """`batch` random windows of `block` characters, and the same shifted by one (targets)."""
    starts = rng.integers(0, len(data) - block, batch)
    windows = np.lib.stride_tricks.sliding_window_view(data, block + 1)[starts]
    return windows[:, :-1], windows[:, 1:]


def estimate_loss(model: GPT, data: np.ndarray, batches: int, batch: int, block: int,
                  rng: np.random.Generator) -> float:
    """Mean loss over `batches` random batches, without recording a graph."""
    model.eval()
    losses = []
    with no_grad():
        for _ in range(batches):
            x, t = get_batch(data, batch, block, rng)
            logits = model(x)
            losses.append(F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                          t.reshape(-1)).item())
    model.train()
    return float(np.mean(losses))


def lr_factor(it: int, warmup: int, iters: int, min_ratio: float) -> float:
    """Linear warm-up over `warmup` steps, then a cosine from 1 down to `min_ratio`."""
    if it < warmup:
        return (it + 1) / (warmup + 1)
    progress = min(1.0, (it - warmup) / max(1, iters - warmup))
    return min_ratio + 0.5 * (1 - min_ratio) * (1 + math.cos(math.pi * progress))


# ----------------------------------------------------------------------------- sampling
def generate(model: GPT, ids: list[int], length: int, temperature: float, top_k: int | None,
             rng: np.random.Generator) -> list[int]:
    """Continue `ids` by `length` ids, each drawn from the softmax of the last position's
    logits / `temperature`, among the `top_k` likeliest (all when None)."""
    model.eval()
    ids = list(ids)
    with no_grad():
        for _ in range(length):
            context = np.array([ids[-model.block_size:]])
            logits = model(context).data[0, -1].astype(np.float64) / temperature
            if top_k is not None and top_k < len(logits):
                logits[logits < np.sort(logits)[-top_k]] = -np.inf
            p = np.exp(logits - logits.max())
            ids.append(int(rng.choice(len(p), p=p / p.sum())))
    return ids


# ----------------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None) -> float | str:
    """Train (returns the final validation loss), or with ``--sample`` write text from a
    saved model (returns the text)."""
    args = parse_args(argv)
    if args.sample is not None:
        return sample(args)

    text = read_text(args)
    chars = sorted(set(text))
    lookup = np.zeros(max(map(ord, chars)) + 1, np.int64)
    lookup[[ord(c) for c in chars]] = np.arange(len(chars))
    data = lookup[np.frombuffer(text.encode("utf-32-le"), np.uint32)]
    n = int(0.9 * len(data))
    train_data, val_data = data[:n], data[n:]
    if len(val_data) <= args.block_size + 1:
        raise SystemExit(f"char_gpt: the text has {len(data)} characters; its last 10% must be "
                         f"longer than the context of {args.block_size}")
    init_rng, batch_rng = (np.random.default_rng(s) for s in
                           np.random.SeedSequence(args.seed).spawn(2))

    model = GPT(len(chars), args.block_size, args.n_layer, args.n_head, args.n_embd, init_rng)
    # Weight decay on the matrices (linear layers, embeddings), not on the LayerNorm scales
    params = list(model.parameters())
    optimizer = optim.AdamW([
        {"params": [p for p in params if p.ndim >= 2], "weight_decay": args.weight_decay},
        {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
    ], lr=args.lr, betas=(0.9, 0.99))
    scheduler = optim.lr_scheduler.LambdaLR(
        optimizer, lambda it: lr_factor(it, args.warmup, args.iters, args.min_lr / args.lr))
    start_iter = 0
    settings = run_settings(args, chars)
    if args.resume:
        start_iter = load_checkpoint(args.resume, model, optimizer, scheduler, batch_rng,
                                     settings)
        print(f"resumed {args.resume} at step {start_iter}")
    print(f"{len(text):,} characters, {len(chars)} distinct; "
          f"{sum(p.size for p in params):,} parameters")

    tic = time.perf_counter()
    bar = progress_bar(args.iters, start_iter, not args.no_progress)
    for it in range(start_iter, args.iters):
        x, t = get_batch(train_data, args.batch_size, args.block_size, batch_rng)
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), t.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, args.grad_clip)
        optimizer.step()
        scheduler.step()
        bar.update(loss.item())
        done = it + 1
        if done % args.eval_interval == 0 or done == args.iters:
            final = done == args.iters
            batches = args.eval_iters if final else args.eval_iters_progress
            eval_rng = np.random.default_rng([args.seed, done])  # the same after --resume
            train_loss = estimate_loss(model, train_data, batches, args.batch_size,
                                       args.block_size, eval_rng)
            val_loss = estimate_loss(model, val_data, batches, args.batch_size,
                                     args.block_size, eval_rng)
            bar.write(f"step {done:5d}  train loss {train_loss:.4f}  val loss {val_loss:.4f}"
                      f"  ({batches} batches; {time.perf_counter() - tic:.1f} s)")
            save_checkpoint(args.save, model, optimizer, scheduler, batch_rng, settings, done)
    bar.close()
    if start_iter >= args.iters:
        val_loss = estimate_loss(model, val_data, args.eval_iters, args.batch_size,
                                 args.block_size, np.random.default_rng([args.seed, start_iter]))
    print(f"trained in {time.perf_counter() - tic:.1f} s; saved {args.save}")
    if args.sample_after:
        ids = generate(model, [lookup[ord("\n")]] if "\n" in chars else [0], args.sample_after,
                       args.temperature, args.top_k, np.random.default_rng(args.seed))
        print("-" * 60)
        print("".join(chars[i] for i in ids[1:]))
        print("-" * 60)
    print(f"val loss: {val_loss:.4f}", flush=True)
    return val_loss


def sample(args: argparse.Namespace) -> str:
    """Load the saved model and continue ``--prompt`` by ``--sample`` characters."""
    path = args.resume or args.save
    model, chars = load_model(path)
    index = {c: i for i, c in enumerate(chars)}
    unknown = sorted(set(args.prompt) - set(chars))
    if unknown:
        raise SystemExit(f"char_gpt: the prompt has characters the model never saw: "
                         f"{''.join(unknown)!r}")
    prompt = [index[c] for c in args.prompt] or [index.get("\n", 0)]
    ids = generate(model, prompt, args.sample, args.temperature, args.top_k,
                   np.random.default_rng(args.seed))
    out = args.prompt + "".join(chars[i] for i in ids[len(prompt):])
    print(out)
    if args.attention:
        draw_attention(model, chars, out, args.attention, *args.attention_head)
    return out


def draw_attention(model: GPT, chars: list[str], text: str, path: str, layer: int,
                   head: int) -> None:
    """Heat map of one head's attention weights on the first full line of `text`: row i
    shows how much character i takes from each character up to it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from _common import save_figure

    lines = [line for line in text.split("\n") if len(line) >= 8] or [text]
    line = lines[0][:min(model.block_size, 48)]
    index = {c: i for i, c in enumerate(chars)}
    if not 0 <= layer < len(model.blocks) or not 0 <= head < model.blocks[0].attn.n_head:
        raise SystemExit(f"char_gpt: --attention-head {layer} {head}: the model has "
                         f"{len(model.blocks)} layers of {model.blocks[0].attn.n_head} heads")
    with no_grad():
        model.eval()
        model(np.array([[index[c] for c in line]]))
    weights = model.blocks[layer].attn.last_weights[0, head]
    labels = [repr(c)[1:-1] if c != " " else "␣" for c in line]
    fig, ax = plt.subplots(figsize=(0.16 * len(line) + 1.5, 0.16 * len(line) + 1.2))
    ax.imshow(weights, cmap="Greys", vmin=0, vmax=float(weights.max()))
    ax.set_xticks(range(len(line)), labels, fontsize=7, family="monospace")
    ax.set_yticks(range(len(line)), labels, fontsize=7, family="monospace")
    ax.tick_params(length=0)
    ax.set_xlabel("key: the character looked at")
    ax.set_ylabel("query: the character looking")
    ax.set_title(f"layer {layer}, head {head}: causal attention weights", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path, dpi=90)
    print(f"wrote {path}")


# ----------------------------------------------------------------------------- plumbing
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="char_gpt.py", description=__doc__.splitlines()[0])
    arg = parser.add_argument
    arg("--n-layer", type=int, default=4, help="transformer blocks (default 4)")
    arg("--n-head", type=int, default=4, help="attention heads per block (default 4)")
    arg("--n-embd", type=int, default=128, help="channels of the residual stream (default 128)")
    arg("--block-size", type=int, default=64, help="context length in characters (default 64)")
    arg("--batch-size", type=int, default=12, help="sequences per step (default 12)")
    arg("--iters", type=int, default=2000, help="training steps (default 2000)")
    arg("--lr", type=float, default=3e-3,
        help="peak learning rate of AdamW (default 0.003; nanoGPT's is 0.001)")
    arg("--min-lr", type=float, default=1e-4, help="final learning rate (default 0.0001)")
    arg("--warmup", type=int, default=100, help="linear warm-up steps (default 100)")
    arg("--weight-decay", type=float, default=0.1,
        help="AdamW's decoupled decay of the weight matrices (default 0.1)")
    arg("--grad-clip", type=float, default=1.0, help="largest gradient norm (default 1.0)")
    arg("--eval-interval", type=int, default=250,
        help="steps between two estimates of the losses (default 250)")
    arg("--eval-iters", type=int, default=200,
        help="batches in the final estimate of each loss (default 200)")
    arg("--eval-iters-progress", type=int, default=20,
        help="batches in the estimates along the way (default 20)")
    arg("--seed", type=int, default=0, help="seed of every random draw (default 0)")
    add_threads_option(parser)
    arg("--data-dir", default=None, metavar="FOLDER",
        help="folder of tiny Shakespeare's input.txt, or its parent (default: "
             "$AUTOGRAD_LITE_DATA, else ~/.cache/autograd_lite/tinyshakespeare; downloaded "
             "if missing)")
    arg("--text", default=None, metavar="FILE",
        help="train on this UTF-8 text instead of tiny Shakespeare (default: off)")
    arg("--save", default=None, metavar="PATH",
        help=f"checkpoint written at every estimate (default: the --resume file, else "
             f"{CHECKPOINT})")
    arg("--resume", nargs="?", const=str(CHECKPOINT), default=None, metavar="PATH",
        help=f"continue the run saved in PATH with its settings (default: off; alone: "
             f"{CHECKPOINT})")
    arg("--sample", type=int, default=None, metavar="N",
        help="do not train: write N characters from the saved model (--resume PATH or "
             "--save PATH, default: off)")
    arg("--sample-after", type=int, default=300, metavar="N",
        help="characters written after training (default 300)")
    arg("--prompt", default="\n", help="start of the written text (default a new line)")
    arg("--temperature", type=float, default=0.8,
        help="sampling temperature: lower is more conservative (default 0.8)")
    arg("--top-k", type=int, default=None, metavar="K",
        help="sample among the K likeliest characters only (default: all)")
    arg("--attention", nargs="?", const=str(CHECKPOINT.parent / "attention.png"), default=None,
        metavar="PATH", help="with --sample: draw one head's attention weights on the first "
        f"written line (default: off; alone: {CHECKPOINT.parent / 'attention.png'})")
    arg("--attention-head", type=int, nargs=2, default=[2, 1], metavar=("LAYER", "HEAD"),
        help="the head drawn by --attention (default 2 1)")
    arg("--no-progress", action="store_true", help="no progress bar (default: on a terminal)")
    args = parser.parse_args(argv)
    setup_process(args.threads)
    if args.save is None:
        args.save = args.resume or str(CHECKPOINT)
    for name in ("n_layer", "n_head", "n_embd", "block_size", "batch_size", "iters",
                 "eval_interval", "eval_iters", "eval_iters_progress"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.temperature <= 0 or (args.top_k is not None and args.top_k < 1):
        parser.error("--temperature must be positive and --top-k at least 1")
    return args


def read_text(args: argparse.Namespace) -> str:
    if args.text is not None:
        return Path(args.text).read_text(encoding="utf-8")
    try:
        return load_tinyshakespeare(args.data_dir)
    except (OSError, DataFileError) as err:
        reason = str(err).splitlines()[0].removesuffix("; tried:")
        raise SystemExit(f"char_gpt: cannot load tiny Shakespeare from "
                         f"{shakespeare_folder(args.data_dir)}: {reason}\nGive its folder with "
                         "--data-dir FOLDER or AUTOGRAD_LITE_DATA, or any text with --text "
                         "FILE") from None


class progress_bar:
    """tqdm on a terminal (showing the loss), nothing elsewhere (the estimates are the log)."""

    def __init__(self, total: int, done: int, enabled: bool) -> None:
        self.bar = None
        if enabled and sys.stderr.isatty():
            try:
                from tqdm import tqdm
                self.bar = tqdm(total=total, initial=done, unit="step", leave=False)
            except ImportError:
                pass

    def update(self, loss: float) -> None:
        if self.bar is not None:
            self.bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
            self.bar.update()

    def write(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line)
        else:
            print(line, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# Settings that say where things are or what to print, not what the run is
NOT_SETTINGS = {"threads", "data_dir", "save", "resume", "sample", "sample_after", "prompt",
                "temperature", "top_k", "no_progress", "eval_iters_progress", "attention",
                "attention_head"}


def run_settings(args: argparse.Namespace, chars: list[str]) -> dict[str, Any]:
    settings = {k: v for k, v in vars(args).items() if k not in NOT_SETTINGS}
    settings["chars"] = "".join(chars)
    return settings


def save_checkpoint(path: str, model: GPT, optimizer: optim.Optimizer, scheduler: Any,
                    batch_rng: np.random.Generator, settings: dict[str, Any], step: int) -> None:
    """One .npz file: the model, the optimizer's arrays, and in meta.json the settings, the
    step, the optimizer's counters, the schedule and the batch generator (no pickles)."""
    arrays = {f"model.{k}": v for k, v in model.state_dict().items()}
    packed = optimizer.state_dict()
    scalars: dict[str, dict[str, Any]] = {}
    for index, entries in packed["state"].items():
        for name, value in entries.items():
            if isinstance(value, np.ndarray):
                arrays[f"optimizer.{index}.{name}"] = value
            else:
                scalars.setdefault(str(index), {})[name] = float(value)
    meta = {"example": "char_gpt", "step": step, "settings": settings,
            "param_groups": packed["param_groups"], "scalars": scalars,
            "scheduler": scheduler.state_dict(), "rng": batch_rng.bit_generator.state}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    save_npz(path, arrays, {"meta.json": json.dumps(meta)})


def read_meta(reader: NpzReader) -> dict[str, Any]:
    if "meta.json" not in reader.texts:
        raise SystemExit(f"char_gpt: {reader.path} is not a char_gpt checkpoint (no meta.json)")
    meta = json.loads(reader.read_text("meta.json"))
    if not isinstance(meta, dict) or meta.get("example") != "char_gpt":
        raise SystemExit(f"char_gpt: {reader.path} is not a char_gpt checkpoint")
    return meta


def load_checkpoint(path: str, model: GPT, optimizer: optim.Optimizer, scheduler: Any,
                    batch_rng: np.random.Generator, settings: dict[str, Any]) -> int:
    """Restore a run saved by `save_checkpoint`; returns its step. A checkpoint of other
    settings or other text is refused, naming the differences."""
    with NpzReader(path) as reader:
        meta = read_meta(reader)
        saved = meta["settings"]
        differ = sorted(k for k in saved.keys() | settings.keys()
                        if k != "iters" and saved.get(k) != settings.get(k))
        if differ:
            raise SystemExit(f"char_gpt: --resume {path}: settings differ from the checkpoint's "
                             f"({', '.join(differ)}); leave them out or start a new run")
        if saved.get("iters") != settings["iters"]:
            raise SystemExit(f"char_gpt: --resume {path}: the checkpoint ran for --iters "
                             f"{saved.get('iters')}, this run {settings['iters']} (the "
                             f"schedule spans the run)")
        like = {f"model.{k}": v for k, v in model.state_dict().items()}
        params = [p for g in optimizer.param_groups for p in g["params"]]
        for key in reader.arrays:
            if key.startswith("optimizer."):
                _, index, _ = key.split(".", 2)
                like[key] = params[int(index)].data
        arrays = read_arrays(reader, like, f"--resume {path}", texts=["meta.json"])
    state: dict[int, dict[str, Any]] = {int(i): dict(v) for i, v in meta["scalars"].items()}
    for key, value in arrays.items():
        if key.startswith("optimizer."):
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = value
    optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
    scheduler.load_state_dict(meta["scheduler"])
    model.load_state_dict({k.removeprefix("model."): v for k, v in arrays.items()
                           if k.startswith("model.")})
    batch_rng.bit_generator.state = meta["rng"]
    return int(meta["step"])


def load_model(path: str) -> tuple[GPT, list[str]]:
    """The model saved in a checkpoint, and its characters."""
    if not Path(path).is_file():
        raise SystemExit(f"char_gpt: no saved model at {path}: train first (python "
                         "examples/char_gpt.py) or give --resume PATH")
    with NpzReader(path) as reader:
        s = read_meta(reader)["settings"]
        chars = list(s["chars"])
        model = GPT(len(chars), s["block_size"], s["n_layer"], s["n_head"], s["n_embd"],
                    np.random.default_rng(0))
        like = {f"model.{k}": v for k, v in model.state_dict().items()}
        arrays = read_arrays(reader, like, f"load of {path}", strict=False, texts=["meta.json"])
    model.load_state_dict({k.removeprefix("model."): v for k, v in arrays.items()})
    return model, chars


if __name__ == "__main__":
    main()
