"""Draw every picture of the README into docs/, from exactly the code the README shows.

    python3 docs/make_pictures.py            # needs matplotlib and Graphviz's `dot` program

The graph pictures are the files the README's own code blocks write (they run in order, in a
scratch folder); the spiral and the derivatives of tanh come from the examples whose commands
the README gives. The examples themselves write into runs/<example>/ under the current
directory; this is the one command that rewrites the tracked pictures.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
EXAMPLES = ROOT / "examples"
README_PICTURES = ("graph_expression.svg", "graph_mlp.svg", "graph_second_derivative.svg")


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCS,
                        help=f"folder for the pictures (default {DOCS})")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    sys.path[:0] = [str(ROOT), str(EXAMPLES)]
    from tests.readme_blocks import python_blocks, run_blocks

    with tempfile.TemporaryDirectory() as scratch, _inside(Path(scratch)):
        run_blocks(python_blocks())  # (namespace, blocks left out) ignored
        for name in README_PICTURES:
            shutil.copy(Path(scratch) / name, out / name)
            print(f"wrote {out / name}")
    spiral, higher_order = (importlib.import_module(name) for name in ("spiral", "higher_order"))
    spiral.main(["--out", str(out / "spiral.png")])
    higher_order.main(["--out", str(out / "tanh_derivatives.png")])


if __name__ == "__main__":
    main()
