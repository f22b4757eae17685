"""The model and loop of examples/char_gpt.py written in PyTorch: the reference its wall time
and its validation loss are compared with (not an example; PyTorch is no dependency).

    python benchmarks/char_gpt_torch.py --threads 1     # same defaults as char_gpt.py

Same model (pre-LN blocks, no biases, tied head, GPT-2 initialisation), same batches (drawn
by NumPy with the same seed), same AdamW groups, schedule, clipping and loss estimates. Ends
with ``val loss: X`` and the wall time.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as TF
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
from char_gpt import get_batch, lr_factor  # noqa: E402  (the same batches and schedule)

from autograd_lite.data import load_tinyshakespeare  # noqa: E402


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd: int, n_head: int) -> None:
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(n_embd, 3 * n_embd, bias=False)
        self.proj = nn.Linear(n_embd, n_embd, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        qkv = self.qkv(x).view(B, T, 3, self.n_head, C // self.n_head).permute(2, 0, 3, 1, 4)
        y = TF.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, n_embd: int) -> None:
        super().__init__()
        self.fc = nn.Linear(n_embd, 4 * n_embd, bias=False)
        self.proj = nn.Linear(4 * n_embd, n_embd, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(TF.gelu(self.fc(x)))


class Block(nn.Module):
    """Parameter names as char_gpt.py's, so its state dict loads 1:1."""

    def __init__(self, n_embd: int, n_head: int) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(n_embd, bias=False)
        self.attn = CausalSelfAttention(n_embd, n_head)
        self.ln2 = nn.LayerNorm(n_embd, bias=False)
        self.mlp = MLP(n_embd)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocab: int, block_size: int, n_layer: int, n_head: int,
                 n_embd: int) -> None:
        super().__init__()
        self.tok = nn.Embedding(vocab, n_embd)
        self.pos = nn.Embedding(block_size, n_embd)
        self.blocks = nn.ModuleList([Block(n_embd, n_head) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd, bias=False)
        for name, p in self.named_parameters():
            if p.ndim == 2:
                std = 0.02 / math.sqrt(2 * n_layer) if name.endswith("proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.tok(ids) + self.pos(torch.arange(ids.shape[1]))
        for block in self.blocks:
            x = block(x)
        return TF.linear(self.ln_f(x), self.tok.weight)


def make_optimizer(model: GPT, lr: float, weight_decay: float) -> torch.optim.AdamW:
    params = list(model.parameters())
    return torch.optim.AdamW([
        {"params": [p for p in params if p.ndim >= 2], "weight_decay": weight_decay},
        {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
    ], lr=lr, betas=(0.9, 0.99))


def train_step(model: GPT, optimizer: torch.optim.Optimizer, x: np.ndarray, t: np.ndarray,
               clip: float) -> float:
    logits = model(torch.from_numpy(x))
    loss = TF.cross_entropy(logits.reshape(-1, logits.shape[-1]), torch.from_numpy(t).reshape(-1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), clip)
    optimizer.step()
    return loss.item()


@torch.no_grad()
def estimate_loss(model: GPT, data: np.ndarray, batches: int, batch: int, block: int,
                  rng: np.random.Generator) -> float:
    model.eval()
    losses = []
    for _ in range(batches):
        x, t = get_batch(data, batch, block, rng)
        logits = model(torch.from_numpy(x))
        losses.append(TF.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                       torch.from_numpy(t).reshape(-1)).item())
    model.train()
    return float(np.mean(losses))


def main() -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--iters", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eval-interval", type=int, default=250)
    parser.add_argument("--eval-iters", type=int, default=200)
    parser.add_argument("--eval-iters-progress", type=int, default=20)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--lr", type=float, default=3e-3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from threadpoolctl import threadpool_limits
    threadpool_limits(args.threads)
    batch, block, lr, min_lr, warmup = 12, 64, args.lr, 1e-4, 100

    text = load_tinyshakespeare(args.data_dir)
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    data = np.array([index[c] for c in text], np.int64)
    n = int(0.9 * len(data))
    train_data, val_data = data[:n], data[n:]
    init_seed, batch_seed = np.random.SeedSequence(args.seed).spawn(2)
    torch.manual_seed(int(init_seed.generate_state(1)[0]))
    batch_rng = np.random.default_rng(batch_seed)

    model = GPT(len(chars), block, 4, 4, 128)
    optimizer = make_optimizer(model, lr, 0.1)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda it: lr_factor(it, warmup, args.iters, min_lr / lr))
    tic = time.perf_counter()
    for it in range(args.iters):
        x, t = get_batch(train_data, batch, block, batch_rng)
        train_step(model, optimizer, x, t, 1.0)
        scheduler.step()
        done = it + 1
        if done % args.eval_interval == 0 or done == args.iters:
            batches = args.eval_iters if done == args.iters else args.eval_iters_progress
            eval_rng = np.random.default_rng([args.seed, done])
            tr = estimate_loss(model, train_data, batches, batch, block, eval_rng)
            va = estimate_loss(model, val_data, batches, batch, block, eval_rng)
            print(f"step {done:5d}  train loss {tr:.4f}  val loss {va:.4f}  "
                  f"({time.perf_counter() - tic:.1f} s)", flush=True)
    print(f"trained in {time.perf_counter() - tic:.1f} s ({args.threads} threads)")
    print(f"val loss: {va:.4f}")
    return va


if __name__ == "__main__":
    main()
