"""Every Python block of README.md runs, in order, in one namespace, in a fresh folder; the
pictures the README shows are the files those blocks draw."""

import os
import re
import shutil

import pytest

from tests.readme_blocks import README, python_blocks, run_blocks


def test_the_readme_has_its_tour():
    assert len(python_blocks()) >= 10


def test_every_python_block_runs_in_order(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    if shutil.which("dot") is None:
        pytest.skip("the blocks draw pictures: needs Graphviz's dot program")
    _, left_out = run_blocks(python_blocks())
    # Each picture the README shows from docs/ is drawn by a block (or by make_pictures).
    text = README.read_text(encoding="utf-8")
    shown = set(re.findall(r"\]\(docs/([\w.]+)\)", text))
    drawn = {name for name in os.listdir(tmp_path) if name in shown}
    # drawn by the examples whose commands the README gives (the last four by trained
    # models), and the browser test's screenshot
    from_examples = {"spiral.png", "tanh_derivatives.png", "digit_page.png",
                     "char_gpt_attention.png", "date_attention.png", "vae_manifold.png",
                     "gan_samples.png"}
    assert shown - from_examples <= drawn, f"pictures no block draws: {shown - drawn}"


def test_python_blocks_are_found_exactly():
    text = "a\n```python\nx = 1\n```\n```bash\nls\n```\n```python\ny = x + 1\n```\n"
    assert python_blocks(text) == ["x = 1\n", "y = x + 1\n"]
    assert run_blocks(python_blocks(text))[0]["y"] == 2
    extra = "```python\n# needs: no_such_module_here\nz = 1\n```\n"
    namespace, left_out = run_blocks(python_blocks(text + extra))
    assert left_out == [3] and "z" not in namespace
