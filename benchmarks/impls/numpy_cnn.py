"""A hand-written NumPy CNN: conv -> ReLU -> max-pool 2x2 -> Linear -> ReLU -> Linear.

The convolution is im2col (one strided view, one copy) and one matmul; its input gradient is
col2im, a loop over the kernel offsets adding slices; pooling with kernel == stride is a
reshape. Stride 1 and no padding only (what the benchmark needs).
"""

from __future__ import annotations

import numpy as np

from benchmarks.impls.numpy_mlp import softmax_cross_entropy


def im2col(x: np.ndarray, k: int) -> np.ndarray:
    """Patches of x (N, C, H, W) as rows: (N * OH * OW, C * k * k), OH = H - k + 1."""
    n, c, h, w = x.shape
    windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))
    # (N, C, OH, OW, k, k) -> (N, OH, OW, C, k, k): one row per output pixel
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * (h - k + 1) * (w - k + 1), c * k * k)


def col2im(cols: np.ndarray, x_shape: tuple[int, ...], k: int) -> np.ndarray:
    """The adjoint of :func:`im2col`: rows (N * OH * OW, C * k * k) summed back to x_shape."""
    n, c, h, w = x_shape
    oh, ow = h - k + 1, w - k + 1
    patches = cols.reshape(n, oh, ow, c, k, k).transpose(0, 3, 4, 5, 1, 2)  # N, C, k, k, OH, OW
    dx = np.zeros(x_shape, dtype=cols.dtype)
    for i in range(k):
        for j in range(k):
            dx[:, :, i:i + oh, j:j + ow] += patches[:, :, i, j]
    return dx


class NumpyCNN:
    """The benchmark's CNN with parameters from :func:`benchmarks.data.cnn_params` (copied)."""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.params = {k: v.copy() for k, v in params.items()}
        self.grads = {k: np.empty_like(v) for k, v in self.params.items()}
        self.input_grad: np.ndarray | None = None

    def loss_and_grads(self, x: np.ndarray, t: np.ndarray, need_input_grad: bool = False,
                       ) -> float:
        """Forward and backward on x (N, C, H, W), t (N,); fills ``grads`` (and
        ``input_grad`` when asked: a training step does not need it)."""
        p, g = self.params, self.grads
        out_ch, _, k, _ = p["conv_W"].shape
        n, _, h, w = x.shape
        oh, ow = h - k + 1, w - k + 1
        cols = im2col(x, k)
        conv_w = p["conv_W"].reshape(out_ch, -1)
        conv = cols @ conv_w.T  # (N*OH*OW, out_ch): channels last
        conv += p["conv_b"]
        np.maximum(conv, 0, out=conv)
        windows = conv.reshape(n, oh // 2, 2, ow // 2, 2, out_ch)
        pooled = windows.max(axis=(2, 4))  # (N, PH, PW, out_ch)
        flat = pooled.transpose(0, 3, 1, 2).reshape(n, -1)  # flatten as NCHW, like PyTorch
        hidden = flat @ p["fc1_W"].T
        hidden += p["fc1_b"]
        np.maximum(hidden, 0, out=hidden)
        logits = hidden @ p["fc2_W"].T
        logits += p["fc2_b"]

        loss, d = softmax_cross_entropy(logits, t)
        np.matmul(d.T, hidden, out=g["fc2_W"])
        np.sum(d, axis=0, out=g["fc2_b"])
        d = d @ p["fc2_W"]
        np.multiply(d, hidden > 0, out=d)
        np.matmul(d.T, flat, out=g["fc1_W"])
        np.sum(d, axis=0, out=g["fc1_b"])
        d_pooled = (d @ p["fc1_W"]).reshape(n, out_ch, oh // 2, ow // 2).transpose(0, 2, 3, 1)
        # the gradient goes to the window's maximum (to every maximum on a tie)
        is_max = windows == pooled[:, :, None, :, None, :]
        d_conv = np.multiply(is_max, d_pooled[:, :, None, :, None, :], dtype=conv.dtype)
        d_conv = d_conv.reshape(conv.shape)
        np.multiply(d_conv, conv > 0, out=d_conv)  # ReLU'
        g["conv_W"][...] = (d_conv.T @ cols).reshape(g["conv_W"].shape)
        np.sum(d_conv, axis=0, out=g["conv_b"])
        if need_input_grad:
            self.input_grad = col2im(d_conv @ conv_w, x.shape, k)
        return loss

    def step(self, x: np.ndarray, t: np.ndarray, lr: float) -> float:
        """One SGD step; returns the loss before the update."""
        loss = self.loss_and_grads(x, t)
        lr = self.params["conv_W"].dtype.type(lr)
        for name, p in self.params.items():
            grad = self.grads[name]
            grad *= lr
            p -= grad
        return loss
