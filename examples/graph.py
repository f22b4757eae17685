"""Draw the graph pictures shown in the README, as .svg and .png (into runs/graph/).

    python3 examples/graph.py            # needs Graphviz's `dot` program for .svg/.png
    python3 examples/graph.py --dot      # DOT text only, no Graphviz program needed

``python3 docs/make_pictures.py`` draws them into docs/, with the other README pictures.

Three pictures:

* ``graph_expression``: ``y = tanh(x * w + b)``, with values and gradients after backward.
* ``graph_mlp``: a two-layer perceptron from ``F.linear`` and ``F.relu`` and its loss, with the
  parameters labelled by their dotted names (``fc1.weight``), as an ``nn`` model would give.
* ``graph_second_derivative``: the graph that ``backward(create_graph=True)`` records for the
  gradient of ``y = x ** 3 * sin(x)``, which can itself be differentiated.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

import autograd_lite.functions as F
from autograd_lite import Variable
from autograd_lite.viz import plot_graph

OUT = Path("runs") / "graph"  # under the current directory


def expression() -> Variable:
    x = Variable(np.array([[1.0, -2.0, 0.5]], np.float32), name="x", requires_grad=False)
    w = Variable(np.array([0.5, -1.0, 2.0], np.float32), name="w")
    b = Variable(np.float32(0.1), name="b")
    y = F.tanh(x * w + b)
    y.sum().backward()
    return y


class MLP:
    """Two layers, holding its parameters the way an nn.Module would (named_parameters)."""

    def __init__(self, n_in: int, n_hidden: int, n_out: int, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.params = {
            "fc1.weight": Variable(rng.standard_normal((n_hidden, n_in)).astype(np.float32)),
            "fc1.bias": Variable(np.zeros(n_hidden, np.float32)),
            "fc2.weight": Variable(rng.standard_normal((n_out, n_hidden)).astype(np.float32)),
            "fc2.bias": Variable(np.zeros(n_out, np.float32)),
        }

    def named_parameters(self):
        yield from self.params.items()

    def __call__(self, x: np.ndarray) -> Variable:
        p = self.params
        h = F.relu(F.linear(x, p["fc1.weight"], p["fc1.bias"]))
        return F.linear(h, p["fc2.weight"], p["fc2.bias"])


def second_derivative() -> Variable:
    x = Variable(np.array(1.5), name="x")
    y = x ** 3 * F.sin(x)
    y.backward(create_graph=True)
    dydx = x.grad  # a Variable with a graph of its own
    dydx.name = "dy/dx"
    return dydx


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dot", action="store_true",
                        help="write .dot files only (default: .svg and .png)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder (default {OUT})")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    suffixes = [".dot"] if args.dot else [".svg", ".png"]

    net = MLP(n_in=4, n_hidden=8, n_out=3)
    x = np.random.default_rng(1).standard_normal((16, 4)).astype(np.float32)
    loss = F.cross_entropy(net(x), np.arange(16) % 3)
    pictures = [
        ("graph_expression", expression(), {"show_values": True, "show_grads": True}),
        ("graph_mlp", loss, {"model": net}),
        ("graph_second_derivative", second_derivative(), {}),
    ]
    for name, output, options in pictures:
        for suffix in suffixes:
            print(plot_graph(output, args.out / f"{name}{suffix}", **options))


if __name__ == "__main__":
    main()
