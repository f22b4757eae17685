"""A hand-written NumPy MLP: forward and backward by hand, the floor for a NumPy engine.

Float32 throughout, buffers reused between steps, ReLU and the SGD update in place, and the
softmax-cross-entropy gradient fused into ``(softmax(z) - onehot(t)) / N``.
"""

from __future__ import annotations

import numpy as np


def softmax_cross_entropy(logits: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of ``logits`` (N, C) against labels ``t`` (N,), and its gradient.

    Overwrites ``logits`` with the gradient (N, C) and returns it.
    """
    n = logits.shape[0]
    rows = np.arange(n)
    logits -= logits.max(axis=1, keepdims=True)
    picked = logits[rows, t]  # a copy: advanced indexing
    np.exp(logits, out=logits)
    total = logits.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(total[:, 0]) - picked))
    logits /= total
    logits[rows, t] -= 1
    logits *= logits.dtype.type(1.0 / n)
    return loss, logits


class NumpyMLP:
    """Fully connected ReLU network with a cross-entropy loss.

    Parameters
    ----------
    params : list of (W, b)
        W of shape (out, in), b of shape (out,), as in PyTorch; copied.
    """

    def __init__(self, params: list[tuple[np.ndarray, np.ndarray]]) -> None:
        self.weights = [W.copy() for W, _ in params]
        self.biases = [b.copy() for _, b in params]
        self.grad_weights = [np.empty_like(W) for W in self.weights]
        self.grad_biases = [np.empty_like(b) for b in self.biases]
        self._batch = -1

    def _buffers(self, n: int) -> None:
        """Activation and gradient buffers for a batch of ``n``, made once per batch size."""
        if n == self._batch:
            return
        dtype = self.weights[0].dtype
        self._acts = [np.empty((n, W.shape[0]), dtype) for W in self.weights]
        self._grads = [np.empty((n, W.shape[1]), dtype) for W in self.weights]
        self._batch = n

    def loss_and_grads(self, x: np.ndarray, t: np.ndarray) -> float:
        """Forward and backward on a batch x (N, in), t (N,); fills ``grad_weights/biases``."""
        self._buffers(x.shape[0])
        last = len(self.weights) - 1
        inputs = [x]
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            a = np.matmul(inputs[-1], W.T, out=self._acts[i])
            a += b
            if i < last:
                np.maximum(a, 0, out=a)
            inputs.append(a)
        loss, g = softmax_cross_entropy(inputs[-1], t)
        for i in range(last, -1, -1):
            np.matmul(g.T, inputs[i], out=self.grad_weights[i])
            np.sum(g, axis=0, out=self.grad_biases[i])
            if i > 0:
                g_in = np.matmul(g, self.weights[i], out=self._grads[i])
                np.multiply(g_in, inputs[i] > 0, out=g_in)  # ReLU'
                g = g_in
        return loss

    def step(self, x: np.ndarray, t: np.ndarray, lr: float) -> float:
        """One SGD step; returns the loss before the update."""
        loss = self.loss_and_grads(x, t)
        lr = self.weights[0].dtype.type(lr)
        for p, g in zip(self.weights + self.biases, self.grad_weights + self.grad_biases,
                        strict=True):
            g *= lr
            p -= g
        return loss
