"""Draw every picture of the README into docs/, from the examples that show how.

    python3 docs/make_pictures.py            # needs matplotlib and Graphviz's `dot` program

The examples themselves write into runs/<example>/ under the current directory; this is the
one command that rewrites the tracked pictures.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

DOCS = Path(__file__).resolve().parent
EXAMPLES = DOCS.parent / "examples"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCS,
                        help=f"folder for the pictures (default {DOCS})")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(EXAMPLES))
    graph, spiral, higher_order = (importlib.import_module(name)
                                   for name in ("graph", "spiral", "higher_order"))
    args.out.mkdir(parents=True, exist_ok=True)
    graph.main(["--out", str(args.out)])
    spiral.main(["--out", str(args.out / "spiral.png")])
    higher_order.main(["--out", str(args.out / "tanh_derivatives.png")])


if __name__ == "__main__":
    main()
