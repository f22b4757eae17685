"""The installed layout: one top-level package, with nn and optim under the project's name."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_has_one_top_level_package_holding_every_subpackage(tmp_path):
    source = tmp_path / "source"  # a copy: setuptools writes its build/ folder into the tree
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("autograd_lite", "nn", "optim"):
        shutil.copytree(ROOT / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(source)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"autograd_lite"}
    # Every package folder of the repository is in the wheel, under its installed name.
    installed_as = {"autograd_lite": "autograd_lite", "nn": "autograd_lite/nn",
                    "optim": "autograd_lite/optim"}
    for folder, prefix in installed_as.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.relative_to(ROOT / folder).as_posix()
            assert f"{prefix}/{relative}" in names, f"{folder}/{relative} is not packaged"


@pytest.mark.parametrize("name", ["nn", "optim"])
def test_top_level_import_from_the_repository_names_the_right_import(name):
    result = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=ROOT,
                            capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode != 0
    assert f"from autograd_lite import {name}" in result.stderr


def test_nn_and_optim_are_subpackages_of_autograd_lite():
    from autograd_lite import nn, optim

    assert nn.__name__ == "autograd_lite.nn" and optim.__name__ == "autograd_lite.optim"
    assert nn.Module.__module__ == "autograd_lite.nn.module"
    assert "nn" not in sys.modules and "optim" not in sys.modules
