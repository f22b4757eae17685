"""Pictures the generative examples draw: images tiled into one grid, written as a PNG.

Nothing here is needed to follow the models or their loops.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from autograd_lite.files import atomic_write


def tile(images: np.ndarray, rows: int, cols: int, gap: int = 2) -> np.ndarray:
    """(rows * cols, H, W) images in [0, 1] -> one (rows * (H + gap) - gap, ...) picture,
    row by row, with white gaps between the images."""
    images = np.asarray(images, dtype=np.float32)
    n, h, w = images.shape
    if n != rows * cols:
        raise ValueError(f"tile: {n} images do not fill {rows} rows of {cols}")
    out = np.ones((rows * (h + gap) - gap, cols * (w + gap) - gap), np.float32)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = image
    return out


def save_grid(images: np.ndarray, rows: int, cols: int, path: str | os.PathLike,
              scale: int = 2) -> None:
    """Write (rows * cols, H, W) images in [0, 1] as one grayscale PNG (black digits on
    white, each pixel drawn `scale` x `scale`), atomically, creating the folder."""
    import matplotlib.image

    picture = 1 - np.clip(tile(images, rows, cols), 0, 1)
    picture = np.kron(picture, np.ones((scale, scale), np.float32))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as f:
        matplotlib.image.imsave(f, picture, cmap="gray", vmin=0, vmax=1, format="png")
