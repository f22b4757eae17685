"""`Module`: the base of every layer and model.

Assigning a `Parameter`, a `Module` or (through `register_buffer`) an ndarray to an attribute
registers it, in assignment order; everything else (parameters(), state_dict(), train(), ...)
walks that tree. No gradient code lives here: a module's ``forward`` composes
``autograd_lite.functions``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd_lite.npz import NpzReader, read_arrays, save_npz

from .parameter import Parameter


class RemovableHandle:
    """Returned by `Module.register_forward_hook`: ``handle.remove()`` unregisters the hook."""

    def __init__(self, hooks: dict[int, Callable], key: int) -> None:
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)


def _refuse_plain_container(owner: str, name: str, value: list | tuple | dict) -> None:
    """Raise TypeError if `value` holds Modules or Parameters, at any depth: a plain list,
    tuple or dict registers nothing, so parameters() and every optimizer would miss them."""
    stack, kinds, seen = [value], set(), set()
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple, dict)):
            if id(item) not in seen:  # a list that holds itself is walked once
                seen.add(id(item))
                stack.extend(item.values() if isinstance(item, dict) else item)
        elif isinstance(item, Module):
            kinds.add("Module")
        elif isinstance(item, Parameter):
            kinds.add("Parameter")
    if not kinds:
        return
    keyed = isinstance(value, dict)
    if kinds == {"Parameter"}:
        fix = "nn.ParameterList([...])" + (
            ", or register each with self.register_parameter(key, p)" if keyed else "")
    else:
        fix = "nn.ModuleDict({...})" if keyed else "nn.ModuleList([...])"
    raise TypeError(
        f"{owner}: attribute {name!r} is a plain {type(value).__name__} holding "
        f"{' and '.join(sorted(k + 's' for k in kinds))}, which registers nothing: "
        f"parameters(), state_dict() and the optimizer would never see them. Use {fix}"
    )


class Module:
    """Base class of layers and models: subclass it, call ``super().__init__()`` first, assign
    parameters and sub-modules as attributes, and write ``forward``.

    Examples
    --------
    >>> from autograd_lite import nn
    >>> import autograd_lite.functions as F
    >>> class MLP(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc1 = nn.Linear(2, 8)
    ...         self.fc2 = nn.Linear(8, 1)
    ...     def forward(self, x):
    ...         return self.fc2(F.relu(self.fc1(x)))
    >>> [name for name, _ in MLP().named_parameters()]
    ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
    """

    _hook_counter = 0

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_forward_hooks", {})
        object.__setattr__(self, "training", True)

    # -- registration
    def _registry(self) -> tuple[dict, dict, dict]:
        try:
            return self._parameters, self._buffers, self._modules
        except AttributeError:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() in __init__ before assigning "
                "parameters or sub-modules"
            ) from None

    def __setattr__(self, name: str, value: Any) -> None:
        params, buffers, modules = self._registry()
        if isinstance(value, Parameter):
            self._forget(name)
            params[name] = value
        elif isinstance(value, Module):
            self._forget(name)
            modules[name] = value
        elif name in buffers:
            if value is not None and not isinstance(value, np.ndarray):
                raise TypeError(f"{type(self).__name__}: buffer {name!r} must be an ndarray or "
                                f"None, got {type(value).__name__}")
            buffers[name] = value
        elif name in params:
            # e.g. ``self.weight = self.weight * 2`` would silently unregister the parameter
            if value is not None:
                raise TypeError(f"{type(self).__name__}: cannot assign a value of type "
                                f"{type(value).__name__} to parameter {name!r} (a Parameter "
                                f"or None expected; to change its values assign {name}.data)")
            params[name] = None
        elif name in modules:
            if value is not None:
                raise TypeError(f"{type(self).__name__}: cannot assign a value of type "
                                f"{type(value).__name__} to sub-module {name!r} (a Module or "
                                "None expected)")
            modules[name] = None
        else:
            if isinstance(value, (list, tuple, dict)):
                _refuse_plain_container(type(self).__name__, name, value)
            self._forget(name)
            object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        for registry in self._registry():
            registry.pop(name, None)
        self.__dict__.pop(name, None)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: the registered attributes live in the dicts.
        for registry in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(registry)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        if any(name in registry for registry in self._registry()):
            self._forget(name)
        else:
            object.__delattr__(self, name)

    def register_buffer(self, name: str, array: np.ndarray | None) -> None:
        """Register a state array that is saved and loaded but not learned (e.g. running
        statistics); read and assign it as ``self.name``."""
        if array is not None and not isinstance(array, np.ndarray):
            raise TypeError(f"register_buffer: {name!r} must be an ndarray or None, got "
                            f"{type(array).__name__}")
        _, buffers, _ = self._registry()
        self._forget(name)
        buffers[name] = array

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register `param` (or None: a parameter slot left empty, e.g. no bias).

        Raises TypeError unless `param` is a `Parameter` or None, and KeyError (as PyTorch)
        for a name that is empty, contains ".", or is already an attribute other than a
        parameter (``self.weight`` may be registered again, ``self.forward`` may not).
        """
        where = f"{type(self).__name__}.register_parameter"
        if not isinstance(name, str):
            raise TypeError(f"{where}: the name must be a str, got {type(name).__name__}")
        if not name or "." in name:
            raise KeyError(f"{where}: parameter name {name!r} must be non-empty and contain "
                           "no '.' (dots separate the names of sub-modules)")
        if not (param is None or isinstance(param, Parameter)):
            hint = "nn.Parameter(v.data)" if hasattr(param, "data") else "nn.Parameter(array)"
            raise TypeError(f"{where}: {name!r} must be a Parameter or None, got "
                            f"{type(param).__name__} (wrap it: {hint})")
        params, _, _ = self._registry()
        if name not in params and hasattr(self, name):
            raise KeyError(f"{where}: {type(self).__name__} already has an attribute {name!r}")
        self._forget(name)
        params[name] = param

    # -- the tree
    def children(self) -> Iterator[Module]:
        """The direct sub-modules, in registration order."""
        return (m for m in self._modules.values() if m is not None)

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """``(dotted name, module)`` for this module and every sub-module, depth first, each
        module once (the root's name is ``prefix``, "" by default)."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            subs = [(f"{name}.{k}" if name else k, m) for k, m in module._modules.items()
                    if m is not None]
            stack.extend(reversed(subs))

    def modules(self) -> Iterator[Module]:
        """This module and every sub-module, depth first."""
        return (m for _, m in self.named_modules())

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)`` pairs, e.g. ``("fc1.weight", ...)``; a parameter shared
        by several modules is listed once, under its first name."""
        seen: set[int] = set()
        for mod_name, module in self.named_modules(prefix):
            for name, p in module._parameters.items():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{mod_name}.{name}" if mod_name else name), p

    def parameters(self) -> Iterator[Parameter]:
        """Every parameter once, in registration order (what an optimizer takes)."""
        return (p for _, p in self.named_parameters())

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """``(dotted name, array)`` for every buffer, e.g. ``("bn.running_mean", ...)``."""
        for mod_name, module in self.named_modules(prefix):
            for name, b in module._buffers.items():
                if b is not None:
                    yield (f"{mod_name}.{name}" if mod_name else name), b

    def buffers(self) -> Iterator[np.ndarray]:
        return (b for _, b in self.named_buffers())

    # -- modes and gradients
    def train(self, mode: bool = True) -> Module:
        """Set training mode (True) or evaluation mode (False) on the whole tree; returns self."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode: Dropout is the identity, BatchNorm uses its running statistics."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (sets ``.grad`` to None)."""
        for p in self.parameters():
            p.grad = None

    # -- calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = self.forward(*args, **kwargs)
        if self._forward_hooks:
            for hook in list(self._forward_hooks.values()):
                replaced = hook(self, args, out)
                if replaced is not None:
                    out = replaced
        return out

    def register_forward_hook(self, hook: Callable[[Module, tuple, Any], Any]
                              ) -> RemovableHandle:
        """Call ``hook(module, inputs, output)`` after every forward; a hook that returns a
        value replaces the output. Returns a handle whose ``remove()`` unregisters it."""
        Module._hook_counter += 1
        key = Module._hook_counter
        self._forward_hooks[key] = hook
        return RemovableHandle(self._forward_hooks, key)

    # -- state
    def _state_entries(self) -> Iterator[tuple[str, Module, str]]:
        """``(dotted key, owner module, attribute)`` of every parameter and buffer: per module
        its parameters then its buffers, each array once (a shared one under its first name)."""
        seen: set[int] = set()
        for mod_name, module in self.named_modules():
            for registry in (module._parameters, module._buffers):
                for name, value in registry.items():
                    if value is not None and id(value) not in seen:
                        seen.add(id(value))
                        yield (f"{mod_name}.{name}" if mod_name else name), module, name

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and buffer array, by dotted name (``fc1.weight``,
        ``bn.running_mean``), in registration order."""
        state = {}
        for key, module, name in self._state_entries():
            value = getattr(module, name)
            state[key] = (value.data if isinstance(value, Parameter) else value).copy()
        return state

    def load_state_dict(self, state: dict[str, Any], strict: bool = True) -> None:
        """Copy arrays from `state` into the parameters and buffers of the same names.

        Every key, shape and dtype is checked before anything is written, so a failed load
        leaves the model unchanged. Values must be numeric arrays (bool, integer, float) and are
        converted to each parameter's dtype.

        Parameters
        ----------
        state : dict mapping dotted names to arrays (as `state_dict` returns)
        strict : bool
            Require exactly the model's keys (missing or unexpected keys raise ``KeyError``);
            with False, only the keys present in both are loaded.
        """
        targets = {key: (module, name) for key, module, name in self._state_entries()}
        missing = [k for k in targets if k not in state]
        unexpected = [k for k in state if k not in targets]
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict of {type(self).__name__}: missing keys {missing}, "
                           f"unexpected keys {unexpected}")
        updates = []
        for key, (module, name) in targets.items():
            if key not in state:
                continue
            current = getattr(module, name)
            old = current.data if isinstance(current, Parameter) else current
            new = np.asarray(state[key])
            if new.dtype.kind not in "biufc":  # "1" must not load as 1.0, nor records as 0
                raise TypeError(f"load_state_dict of {type(self).__name__}: {key!r} is not a "
                                f"numeric array (dtype {new.dtype})")
            if new.shape != old.shape:
                raise ValueError(f"load_state_dict of {type(self).__name__}: {key!r} has shape "
                                 f"{new.shape} in the state but {old.shape} in the model")
            updates.append((current, module, name, np.array(new, dtype=old.dtype)))
        for current, module, name, value in updates:
            if isinstance(current, Parameter):
                current.data = value
            else:
                module._buffers[name] = value

    def save(self, path: str | os.PathLike) -> None:
        """Write `state_dict` to `path` as an ``.npz`` archive, one ``<key>.npy`` member per
        array (``np.load`` reads it). The file is written atomically: a crash or a kill
        leaves the previous file intact and no temporary file behind (see
        `autograd_lite.files.atomic_write`). The folder must exist."""
        save_npz(path, self.state_dict())

    def load(self, path: str | os.PathLike, strict: bool = True) -> None:
        """Load a checkpoint written by `save` (or ``np.savez``), safely from anywhere.

        Every key, then every member's shape and dtype (from its header) is checked against
        the model before any array data is read, so memory stays bounded by the model's size
        whatever the file claims. Only numeric arrays load (text, bytes, structured, datetime
        and object arrays are refused); nothing is ever unpickled. All or nothing: a failed
        load leaves the model unchanged. Every error names the file.

        Parameters
        ----------
        path : str or PathLike
        strict : bool
            As for `load_state_dict`: require exactly the model's keys.

        Raises
        ------
        FileNotFoundError
            No such file.
        KeyError
            Missing or unexpected keys (with ``strict``).
        ValueError
            The file is not a readable ``.npz`` (empty, a single ``.npy``, not a zip,
            truncated, damaged), or an array has another shape or a non-numeric dtype.
        """
        name = f"load of {type(self).__name__}"
        try:
            with NpzReader(path) as reader:
                state = read_arrays(reader, self._state_arrays(), name, strict)
        except FileNotFoundError:
            raise FileNotFoundError(f"{name}: no checkpoint file {os.fspath(path)!r}") from None
        self.load_state_dict(state, strict=strict)

    def _state_arrays(self) -> dict[str, np.ndarray]:
        """The arrays `state_dict` would copy, by dotted key, without copying them."""
        arrays = {}
        for key, module, attr in self._state_entries():
            value = getattr(module, attr)
            arrays[key] = value.data if isinstance(value, Parameter) else value
        return arrays

    # -- printing
    def extra_repr(self) -> str:
        """The arguments shown between the parentheses of this module's repr."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, m in self._modules.items():
            body = repr(m).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n" + "\n".join(lines) + "\n)"
