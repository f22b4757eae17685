"""Containers: `Sequential` (modules applied one after the other), `ModuleList`,
`ModuleDict` and `ParameterList` (registered children a model loops over or looks up)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from autograd_lite import Variable

from .module import Module
from .parameter import Parameter


class Sequential(Module):
    """Apply `modules` in order; they are registered as "0", "1", ... (so parameter names
    read ``0.weight``), and can be indexed, sliced, iterated and appended to.

    Examples
    --------
    >>> from autograd_lite import nn
    >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    >>> model[0]
    Linear(in_features=2, out_features=8, bias=True)
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module: Module) -> Sequential:
        if not isinstance(module, Module):
            raise TypeError(f"Sequential: {type(module).__name__} is not a Module")
        setattr(self, str(len(self._modules)), module)
        return self

    def __getitem__(self, index: int | slice) -> Any:
        items = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*items[index])
        return items[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))

    def forward(self, x: Any) -> Any:
        for m in self._modules.values():
            x = m(x)
        return x


def _check_module(container: str, module: Any) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{container}: {type(module).__name__} is not a Module")
    return module


def _position(container: str, index: Any, length: int, inserting: bool = False) -> int:
    """A non-negative position from a Python index (negative counts from the end)."""
    if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
        raise TypeError(f"{container}: indices must be integers or slices, got "
                        f"{type(index).__name__}")
    i = int(index) + length if index < 0 else int(index)
    if inserting:
        return min(max(i, 0), length)  # as list.insert
    if not 0 <= i < length:
        raise IndexError(f"{container}: index {index} is out of range for length {length}")
    return i


class ModuleList(Module):
    """A list of sub-modules, registered as "0", "1", ... (parameter names read
    ``layers.0.weight``), with list indexing, slicing, iteration, ``len``, ``append``,
    ``extend``, ``insert``, ``pop``, ``del`` and ``+=``. It has no ``forward``: loop over it in
    yours.

    Examples
    --------
    >>> from autograd_lite import nn
    >>> blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
    >>> _ = blocks.append(nn.ReLU())
    >>> len(blocks), [name for name, _ in blocks.named_parameters()][:2]
    (4, ['0.weight', '0.bias'])
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _renumber(self, modules: list[Module]) -> None:
        self._modules.clear()
        for i, m in enumerate(modules):
            self._modules[str(i)] = m

    def append(self, module: Module) -> ModuleList:
        self._modules[str(len(self._modules))] = _check_module("ModuleList", module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        if isinstance(modules, Module) and not isinstance(modules, (ModuleList, Sequential)):
            raise TypeError("ModuleList.extend: expected an iterable of Modules, got a "
                            f"{type(modules).__name__} (use append for one module)")
        for m in list(modules):
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        items = list(self._modules.values())
        items.insert(_position("ModuleList", index, len(items), inserting=True),
                     _check_module("ModuleList", module))
        self._renumber(items)

    def pop(self, index: int = -1) -> Module:
        items = list(self._modules.values())
        module = items.pop(_position("ModuleList", index, len(items)))
        self._renumber(items)
        return module

    def __getitem__(self, index: int | slice) -> Any:
        items = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(items[index])
        return items[_position("ModuleList", index, len(items))]

    def __setitem__(self, index: int, module: Module) -> None:
        i = _position("ModuleList", index, len(self._modules))
        self._modules[str(i)] = _check_module("ModuleList", module)

    def __delitem__(self, index: int | slice) -> None:
        items = list(self._modules.values())
        if isinstance(index, slice):
            del items[index]
        else:
            del items[_position("ModuleList", index, len(items))]
        self._renumber(items)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList(list(self) + list(other))


class ModuleDict(Module):
    """An ordered mapping from names to sub-modules (parameter names read
    ``heads.cls.weight``), with ``[]``, ``in``, ``len``, iteration over the names, ``keys``,
    ``values``, ``items``, ``update``, ``pop`` and ``clear``. Names are strings without dots
    that are not already attributes of the container (such as ``training``)."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None
                 = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(key, str):
            raise TypeError(f"ModuleDict: keys must be strings, got {type(key).__name__}")
        if not key or "." in key:
            raise KeyError(f"ModuleDict: a key must be a non-empty name without dots, got "
                           f"{key!r}")
        if key not in self._modules and hasattr(self, key):
            raise KeyError(f"ModuleDict: {key!r} is already an attribute of the container; "
                           "choose another name")
        self._modules[key] = _check_module("ModuleDict", module)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._modules))

    def keys(self) -> list[str]:
        return list(self._modules)

    def values(self) -> list[Module]:
        return list(self._modules.values())

    def items(self) -> list[tuple[str, Module]]:
        return list(self._modules.items())

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        pairs = modules.items() if isinstance(modules, (Mapping, ModuleDict)) else modules
        for key, module in pairs:
            self[key] = module

    def pop(self, key: str) -> Module:
        return self._modules.pop(key)

    def clear(self) -> None:
        self._modules.clear()


class ParameterList(Module):
    """A list of parameters, registered as "0", "1", ... (names read ``scales.0``), with list
    indexing, iteration, ``len``, ``append`` and ``extend``. An ndarray or Variable given to
    it becomes a `Parameter` (keeping its dtype), as in PyTorch."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    @staticmethod
    def _as_parameter(value: Any) -> Parameter:
        if isinstance(value, Parameter):
            return value
        if isinstance(value, (Variable, np.ndarray)):
            return Parameter(value)
        raise TypeError(f"ParameterList: expected a Parameter, Variable or ndarray, got "
                        f"{type(value).__name__}")

    def append(self, value: Any) -> ParameterList:
        self._parameters[str(len(self._parameters))] = self._as_parameter(value)
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        if isinstance(values, (np.ndarray, Variable)):
            raise TypeError("ParameterList.extend: expected an iterable of parameters, got a "
                            "single array (use append)")
        for v in list(values):
            self.append(v)
        return self

    def __getitem__(self, index: int | slice) -> Any:
        items = list(self._parameters.values())
        if isinstance(index, slice):
            return ParameterList(items[index])
        return items[_position("ParameterList", index, len(items))]

    def __setitem__(self, index: int, value: Any) -> None:
        i = _position("ParameterList", index, len(self._parameters))
        self._parameters[str(i)] = self._as_parameter(value)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(list(self._parameters.values()))

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def __repr__(self) -> str:
        lines = [f"  ({i}): Parameter containing: [{p.dtype} of shape {p.shape}]"
                 for i, p in enumerate(self)]
        return "ParameterList(\n" + "\n".join(lines) + "\n)" if lines else "ParameterList()"
