"""Every docstring example in the library runs and gives what it shows (doctest over every
module of autograd_lite, including autograd_lite.nn and autograd_lite.optim)."""

import doctest
import importlib
import pkgutil

import pytest

import autograd_lite

MODULES = sorted(name for _, name, _ in pkgutil.walk_packages(autograd_lite.__path__,
                                                                 "autograd_lite."))
# nn and optim live in their own folders and are installed under autograd_lite's name
for sub in ("nn", "optim"):
    package = importlib.import_module(f"autograd_lite.{sub}")
    MODULES += sorted(name for _, name, _ in pkgutil.walk_packages(package.__path__,
                                                                    f"autograd_lite.{sub}."))
    MODULES.append(f"autograd_lite.{sub}")
try:
    import onnx  # noqa: F401
except ImportError:  # autograd_lite.onnx needs the optional extra: pip install -e '.[onnx]'
    MODULES = [name for name in MODULES if not name.startswith("autograd_lite.onnx")]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"


def test_the_library_shows_examples():
    """Not a formality: a good number of modules carry runnable examples."""
    attempted = sum(doctest.testmod(importlib.import_module(name)).attempted for name in MODULES)
    assert attempted >= 20
