"""The `Optimizer` base class: parameter groups, per-parameter state, checkpoints.

An optimizer owns a list of *parameter groups*. Each group is a dict with the
key ``"params"`` (a list of Variables) and the group's hyper-parameters
(``"lr"``, ``"momentum"``, ...); a group may override the optimizer's defaults,
so different layers can learn at different rates. The state an optimizer keeps
between steps (momentum buffers, running averages, step counts) lives in
``optimizer.state``, a dict keyed by the parameter object itself.

Subclasses implement `step`. Updates are plain NumPy, applied in place on
``p.data``: an optimizer step never builds a graph.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from autograd_lite import Variable

ParamsT = Iterable[Variable] | Iterable[dict[str, Any]]


class Optimizer:
    """Base class of all optimizers.

    Parameters
    ----------
    params : iterable of Variable, or iterable of dict
        The Variables to optimize, or parameter groups: dicts with a ``"params"``
        entry (the Variables) and any per-group overrides of `defaults`.
    defaults : dict
        Hyper-parameters used by every group that does not override them.

    Attributes
    ----------
    param_groups : list of dict
        One dict per group, with ``"params"`` and every hyper-parameter.
    state : dict
        Per-parameter state, keyed by the parameter Variable.
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        if isinstance(params, Variable):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of Variables or of dicts, "
                "got a single Variable; pass [variable] instead"
            )
        self.defaults = dict(defaults)
        self._check_hyperparameters(self.defaults)
        self.state: dict[Variable, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        # Working memory reused across steps, so that `step` allocates nothing on its
        # common paths. Not part of the state: it holds no information between steps.
        self._scratch_buffers: dict[Variable, np.ndarray] = {}

        groups = _as_list(params, f"{type(self).__name__}: params")
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        lines.append(")")
        return "\n".join(lines)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, with its own hyper-parameters.

        Parameters
        ----------
        param_group : dict
            ``{"params": [Variable, ...], "lr": ..., ...}``; hyper-parameters that
            are left out take the optimizer's defaults.
        """
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{name}: a parameter group must be a dict with a 'params' entry, "
                f"got {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError(f"{name}: a parameter group needs a 'params' entry")
        params = param_group["params"]
        if isinstance(params, Variable):
            params = [params]
        else:
            params = _as_list(params, f"{name}: a group's 'params'")

        seen = {p for group in self.param_groups for p in group["params"]}
        for i, p in enumerate(params):
            if not isinstance(p, Variable):
                raise TypeError(
                    f"{name}: can only optimize Variables, got {type(p).__name__} "
                    f"at position {i} of group {len(self.param_groups)}"
                )
            if p.creator is not None:
                raise ValueError(
                    f"{name}: can't optimize {_describe(p)}: it is not a leaf "
                    f"(it was made by {type(p.creator).__name__})"
                )
            if p in seen:
                raise ValueError(
                    f"{name}: {_describe(p)} appears more than once in the parameter groups"
                )
            seen.add(p)

        group = {**self.defaults, **param_group, "params": params}
        self._check_hyperparameters(group)
        self.param_groups.append(group)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        """Raise ValueError naming the first bad hyper-parameter of `group` (subclass hook)."""

    # ------------------------------------------------------------------ stepping
    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        raise NotImplementedError(f"{type(self).__name__} does not implement step()")

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to None."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def _params_with_grad(
        self, group: dict[str, Any]
    ) -> Iterator[tuple[Variable, np.ndarray, dict[str, Any]]]:
        """Yield ``(param, grad, state)`` for each parameter of `group` that has a gradient.

        ``grad`` is the gradient's ndarray in the parameter's dtype (never to be
        written to); ``state`` is the parameter's state dict (created empty).
        """
        for p in group["params"]:
            if p.grad is None:
                continue
            grad = p.grad.data
            if grad.shape != p.data.shape:
                raise ValueError(
                    f"{type(self).__name__}: the gradient of {_describe(p)} has shape "
                    f"{grad.shape}, but the parameter has shape {p.data.shape}"
                )
            if grad.dtype != p.data.dtype:
                grad = grad.astype(p.data.dtype)
            state = self.state.get(p)
            if state is None:
                state = self.state[p] = {}
            yield p, grad, state

    def _scratch(self, p: Variable) -> np.ndarray:
        """An uninitialised work array shaped like ``p.data``, reused across steps."""
        buf = self._scratch_buffers.get(p)
        if buf is None or buf.shape != p.data.shape or buf.dtype != p.data.dtype:
            buf = self._scratch_buffers[p] = np.empty_like(p.data)
        return buf

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, Any]:
        """Return the optimizer's state as a dict, in PyTorch's layout.

        Parameters are referred to by integer index, numbered through the groups
        in order: ``{"state": {0: {...}, ...}, "param_groups": [{"params": [0, 1],
        "lr": ..., ...}, ...]}``. Arrays are copies, so later steps do not change
        a saved state dict.
        """
        index: dict[Variable, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {key: copy.deepcopy(value) for key, value in group.items() if key != "params"}
            packed["params"] = [index.setdefault(p, len(index)) for p in group["params"]]
            groups.append(packed)
        state = {i: copy.deepcopy(self.state[p]) for p, i in index.items() if p in self.state}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by `state_dict` (all or nothing).

        The optimizer must have the same number of groups, with the same number of
        parameters in each, as the one that was saved. The saved hyper-parameters
        replace the current ones. On any mismatch a ValueError names it, and the
        optimizer is left unchanged.
        """
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
            raise ValueError(f"{where}: expected a dict with keys 'state' and 'param_groups'")
        saved_groups = state_dict["param_groups"]
        if not isinstance(saved_groups, list) or not isinstance(state_dict["state"], dict):
            raise ValueError(f"{where}: 'param_groups' must be a list and 'state' a dict")
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{where}: the state dict has {len(saved_groups)} parameter groups, "
                f"the optimizer has {len(self.param_groups)}"
            )

        param_of_index: dict[Any, Variable] = {}
        new_groups = []
        for gi, (saved, group) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            indices = list(saved.get("params", ()))
            if len(indices) != len(group["params"]):
                raise ValueError(
                    f"{where}: parameter group {gi} has {len(indices)} parameters in the "
                    f"state dict, {len(group['params'])} in the optimizer"
                )
            param_of_index.update(zip(indices, group["params"], strict=True))
            new_group = {**group, **copy.deepcopy(saved), "params": group["params"]}
            try:
                self._check_hyperparameters(new_group)
            except ValueError as err:
                raise ValueError(f"{where}: parameter group {gi}: {err}") from None
            new_groups.append(new_group)

        new_state = {}
        for index, saved_state in state_dict["state"].items():
            if index not in param_of_index:
                raise ValueError(
                    f"{where}: the state dict has state for parameter index {index!r}, "
                    "which no parameter group lists"
                )
            p = param_of_index[index]
            new_state[p] = {
                key: _restore(value, p, f"{where}: state {key!r} of parameter {index}")
                for key, value in saved_state.items()
            }

        self.param_groups[:] = new_groups
        self.state.clear()
        self.state.update(new_state)


def _restore(value: Any, p: Variable, where: str) -> Any:
    """A copy of one saved state value; arrays must match the parameter's shape."""
    if not isinstance(value, np.ndarray):
        return copy.deepcopy(value)
    if value.shape != p.data.shape:
        raise ValueError(
            f"{where}: shape {value.shape} does not match the parameter's shape {p.data.shape}"
        )
    if np.issubdtype(value.dtype, np.floating):
        return value.astype(p.data.dtype)  # state is kept in the parameter's dtype
    return value.copy()


def _as_list(items: Any, what: str) -> list:
    if isinstance(items, (set, frozenset)):
        raise TypeError(f"{what} must be an ordered iterable, not a set (its order varies)")
    try:
        return list(items)
    except TypeError:
        raise TypeError(f"{what} must be an iterable, got {type(items).__name__}") from None


def _describe(p: Variable) -> str:
    name = getattr(p, "name", None)
    return f"parameter {name!r}" if name else f"a parameter of shape {p.data.shape}"


# ---------------------------------------------------------------------- hyper-parameter checks
def check_number(
    owner: str,
    name: str,
    value: Any,
    low: float = 0.0,
    high: float | None = None,
    high_inclusive: bool = True,
) -> None:
    """Raise ValueError unless ``low <= value <= high`` (or ``< high``).

    The message names the optimizer, the hyper-parameter and the value.
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and value >= low
    if ok and high is not None:
        ok = value <= high if high_inclusive else value < high
    if not ok:
        if high is None:
            expected = f">= {low}"
        else:
            expected = f"in [{low}, {high}{']' if high_inclusive else ')'}"
        raise ValueError(f"{owner}: invalid {name}: {value!r} (expected a number {expected})")


def check_betas(owner: str, betas: Any) -> None:
    """Raise ValueError unless `betas` is a pair of numbers in [0, 1)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{owner}: invalid betas: {betas!r} (expected a pair (beta1, beta2))")
    for i, beta in enumerate(betas):
        check_number(owner, f"betas[{i}]", beta, 0.0, 1.0, high_inclusive=False)
