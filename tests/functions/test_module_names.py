"""No submodule of `autograd_lite.functions` is named like a function it exports: importing
such a module rebinds the package attribute (``F.layer_norm`` would become a module)."""

import importlib
import inspect
import pkgutil

import autograd_lite.functions as F


def exported_functions():
    return {name for name, value in vars(F).items()
            if not name.startswith("_") and (inspect.isfunction(value) or inspect.isclass(value))}


def test_no_submodule_has_the_name_of_an_exported_function():
    submodules = {info.name for info in pkgutil.iter_modules(F.__path__)}
    assert submodules  # the package was found and has modules
    assert "layer_norm" in exported_functions() and "normalization" in submodules
    clashes = sorted(submodules & exported_functions())
    assert clashes == [], f"autograd_lite.functions: modules named like functions: {clashes}"


def test_importing_every_submodule_leaves_the_functions_in_place():
    before = {name: getattr(F, name) for name in exported_functions()}
    for info in pkgutil.iter_modules(F.__path__):
        importlib.import_module(f"{F.__name__}.{info.name}")
    assert {name: getattr(F, name) for name in before} == before
    assert callable(F.layer_norm) and not inspect.ismodule(F.layer_norm)
