"""Higher-order gradients with autograd_lite.func.

1. The first six derivatives of tanh on [-4, 4], each one ``grad`` of the one before.
   ``grad`` needs a scalar, so each step differentiates the *sum* over a grid of points: the
   elements do not interact, so the gradient of the sum is the derivative at every point.
2. Newton's method on the Rosenbrock function, with the exact ``hessian``: the error roughly
   squares at every step once it is close (quadratic convergence).

Run:  python3 examples/higher_order.py [--out runs/higher_order/tanh_derivatives.png]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np

import autograd_lite.functions as F
from autograd_lite import func
from autograd_lite.files import atomic_write

OUT = Path("runs") / "higher_order" / "tanh_derivatives.png"  # under the current directory
MINIMUM = np.array([1.0, 1.0])  # where the Rosenbrock function is 0


def derivatives(f: Callable, x: np.ndarray, n: int) -> list[np.ndarray]:
    """``[f(x), f'(x), ..., f^(n)(x)]`` elementwise, by repeated ``grad`` of a sum."""
    fs = [f]
    for _ in range(n):
        fs.append(func.grad(lambda a, d=fs[-1]: d(a).sum()))
    return [np.asarray(d(x)) for d in fs]


def rosenbrock(p):
    """``(1 - x)^2 + 100 (y - x^2)^2``: a curved valley with its minimum at (1, 1)."""
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def newton(f: Callable, x0: np.ndarray, steps: int = 8) -> list[np.ndarray]:
    """Newton's method ``x <- x - H(x)^{-1} g(x)``; returns every iterate."""
    grad_f, hess_f = func.grad(f), func.hessian(f)
    xs = [np.asarray(x0, dtype=np.float64)]
    for _ in range(steps):
        x = xs[-1]
        g, H = np.asarray(grad_f(x)), np.asarray(hess_f(x))
        if not np.any(g):
            break  # exactly at a stationary point
        xs.append(x - np.linalg.solve(H, g))
    return xs


def plot(x: np.ndarray, ds: list[np.ndarray], errors: list[float], out: str) -> None:
    """Seven panels of derivatives and one of Newton's errors, written to `out` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 4, figsize=(13, 5.5))
    for n, (ax, d) in enumerate(zip(axes.flat, ds)):
        ax.plot(x, d, color=f"C{n}")
        ax.axhline(0, color="0.8", lw=0.8)
        ax.set_title(r"$\tanh(x)$" if n == 0 else rf"$\tanh^{{({n})}}(x)$")
    ax = axes.flat[-1]
    ax.semilogy(range(len(errors)), np.maximum(errors, 1e-17), "o-", color="k")
    ax.set_title("Newton on Rosenbrock: |x - x*|")
    ax.set_xlabel("iteration")
    fig.suptitle("autograd_lite.func: repeated grad and hessian")
    fig.tight_layout()
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    try:
        with atomic_write(out) as f:
            fig.savefig(f, format="png", dpi=90)
    finally:
        plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(OUT),
                        help=f"where to write the picture (PNG; default {OUT})")
    args = parser.parse_args(argv)

    x = np.linspace(-4, 4, 401)
    ds = derivatives(F.tanh, x, 6)
    for n, d in enumerate(ds[1:], start=1):
        print(f"d^{n} tanh: max |value| on [-4, 4] = {np.abs(d).max():8.3f}")

    print("\nNewton's method on Rosenbrock from (-1.2, 1.0), minimum at (1, 1):")
    iterates = newton(rosenbrock, np.array([-1.2, 1.0]))
    errors = [float(np.linalg.norm(p - MINIMUM)) for p in iterates]
    for k, (p, e) in enumerate(zip(iterates, errors)):
        ratio = f"  e_k / e_(k-1)^2 = {e / errors[k - 1] ** 2:.3g}" if k and e else ""
        print(f"  iter {k}: x = ({p[0]: .12f}, {p[1]: .12f})  error = {e:.3e}{ratio}")

    plot(x, ds, errors, args.out)
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
