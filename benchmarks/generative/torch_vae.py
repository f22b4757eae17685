"""The recipe of examples/mnist_vae.py in PyTorch, for its wall time and test loss on this
machine (PyTorch is not a dependency: run it where torch is installed).

    OPENBLAS_NUM_THREADS=1 python benchmarks/generative/torch_vae.py --threads 1

Same model (784-400-20-400-784, ReLU, sigmoid output via logits), same loss (BCE summed over
pixels + KL, mean over the batch), Adam (--lr, default 2e-3 as the example), batch 128,
10 epochs, same data in [0, 1], same evaluation (one draw of z per test digit). Prints one
line per epoch and ``test loss: L  total training time: T s``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as TF
from torch import nn

from autograd_lite.data import load_mnist


class VAE(nn.Module):
    def __init__(self, latent: int = 20, hidden: int = 400) -> None:
        super().__init__()
        self.fc1 = nn.Linear(784, hidden)
        self.fc_mu = nn.Linear(hidden, latent)
        self.fc_logvar = nn.Linear(hidden, latent)
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, 784)

    def forward(self, x):
        h = TF.relu(self.fc1(x))
        mu, logvar = self.fc_mu(h), self.fc_logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.fc4(TF.relu(self.fc3(z))), mu, logvar


def negative_elbo(logits, x, mu, logvar):
    bce = TF.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kl = -0.5 * torch.sum(1 + logvar - mu * mu - torch.exp(logvar))
    return (bce + kl) / len(x)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lr", type=float, default=2e-3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    (x_train, _), (x_test, _) = load_mnist()
    x_train = torch.from_numpy(x_train.reshape(-1, 784).astype(np.float32) / 255)
    x_test = torch.from_numpy(x_test.reshape(-1, 784).astype(np.float32) / 255)
    model = VAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        tic, total = time.perf_counter(), 0.0
        order = torch.randperm(len(x_train))
        model.train()
        for i in range(0, len(x_train), 128):
            x = x_train[order[i:i + 128]]
            logits, mu, logvar = model(x)
            loss = negative_elbo(logits, x, mu, logvar)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(x)
        seconds = time.perf_counter() - tic
        model.eval()
        with torch.no_grad():
            test = 0.0
            for i in range(0, len(x_test), 1000):
                xb = x_test[i:i + 1000]
                logits, mu, logvar = model(xb)
                test += negative_elbo(logits, xb, mu, logvar).item() * len(xb)
        print(f"epoch {epoch}/{args.epochs}  train loss {total / len(x_train):.2f}  "
              f"test loss {test / len(x_test):.2f}  time {seconds:.1f} s", flush=True)
    print(f"test loss: {test / len(x_test):.2f}  total training time: "
          f"{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
