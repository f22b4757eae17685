"""The `Optimizer` base class: parameter groups, the step loop, per-parameter state, checkpoints.

An optimizer owns a list of *parameter groups*. Each group is a dict with the
key ``"params"`` (a list of Variables) and the group's hyper-parameters
(``"lr"``, ``"momentum"``, ...); a group may override the optimizer's defaults,
so different layers can learn at different rates. The state an optimizer keeps
between steps (momentum buffers, running averages, step counts) lives in
``optimizer.state``, a dict keyed by the parameter object itself.

The base class owns `step`: the loop over groups and over the parameters that have a
gradient, the gradient's checks, ``maximize``, weight decay and the lazy creation of each
parameter's state. A subclass writes only what is its own, as DeZero's ``update_one``:

- `init_state`: the state a parameter starts with;
- `update_one`: one parameter's update, in place on its array, allocating nothing on the
  common paths (a reusable work array is handed in);
- ``state_entries``: the names (and kinds) of the state it keeps, so that
  `load_state_dict` can check a saved state before using it.

Updates are plain NumPy on ``p.data``: an optimizer step never builds a graph. Each
written parameter is marked modified, so a backward through a graph recorded before
the step refuses instead of using the new values.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import numpy as np

from autograd_lite import Variable, enable_grad

from .checks import check_number, restore_array, restore_count
from .flat import FlatGroup, step_flat

ParamsT = Iterable[Variable] | Iterable[dict[str, Any]]

# Hyper-parameters that every optimizer having them requires to be numbers >= 0.
_NON_NEGATIVE = ("lr", "eps", "weight_decay", "momentum", "lr_decay", "initial_accumulator_value")


class Optimizer:
    """Base class of all optimizers.

    Every optimizer takes `params` first and, keyword only, ``maximize=False`` (step up
    the gradient: maximize the objective instead of minimizing it); its other
    hyper-parameters become the `defaults`.

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
    state_entries : dict
        Class attribute: every entry a parameter's state may hold, mapped to its kind:
        ``"array"`` (shaped like the parameter, in its dtype) or ``"count"`` (an int >= 0).
    """

    state_entries: ClassVar[dict[str, str]] = {}

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
        self._work: dict[Variable, np.ndarray] = {}
        self._grad_work: dict[Variable, np.ndarray] = {}
        self.flat_groups: dict[int, FlatGroup] = {}  # buffers of groups updated at once

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
        """Raise ValueError naming the first bad hyper-parameter of `group`.

        Checks the numbers every optimizer shares (``lr``, ``eps``, ``weight_decay``, ...
        must be >= 0); a subclass extends it with its own.
        """
        for name in _NON_NEGATIVE:
            if name in group:
                check_number(type(self).__name__, name, group[name])

    # ------------------------------------------------------------------ stepping
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, in place.

        For each such parameter ``p``, the gradient ``g`` (cast to the parameter's dtype)
        becomes ``-g`` with ``maximize``, then gets the L2 penalty ``weight_decay * p``
        (or, with ``decoupled_weight_decay``, ``p`` is multiplied by
        ``1 - lr * weight_decay`` instead); `update_one` does the rest.

        Parameters
        ----------
        closure : callable, optional
            Re-evaluates the model and returns the loss (it usually calls `zero_grad` and
            ``backward``); it runs first, with gradient recording on.

        Returns
        -------
        loss : object or None
            What the closure returned; None without a closure.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            maximize = group.get("maximize", False)
            weight_decay = group.get("weight_decay", 0)
            decoupled = weight_decay != 0 and group.get("decoupled_weight_decay", False)
            l2 = 0 if decoupled else weight_decay
            decay = 1 - group["lr"] * weight_decay if decoupled else 1
            params = [p for p in group["params"] if p.grad is not None]
            if step_flat(self, group, params, maximize, l2, decay):
                continue  # many small parameters: updated at once (see flat.py)
            for p in params:
                theta = p.data
                grad = self._gradient(p, theta, maximize, l2)
                state = self.state.get(p)
                if not state:
                    state = self.state[p] = self.init_state(theta, group)
                # Declared before writing, so a write that fails half-way is declared too: a
                # graph recorded before this step saved the old values, and its backward
                # must now refuse.
                p.mark_modified()
                if decoupled:
                    theta *= decay
                try:
                    self.update_one(theta, grad, state, group, _scratch(self._work, p, theta))
                except KeyError as err:
                    raise self._missing_state(p, state, err) from err
        return loss

    def init_state(self, theta: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        """The state a parameter starts with, before its first update (subclass hook).

        Its keys are the entries `load_state_dict` requires of a non-empty saved state.
        """
        return {}

    def update_one(
        self,
        theta: np.ndarray,
        grad: np.ndarray,
        state: dict[str, Any],
        group: dict[str, Any],
        work: np.ndarray,
    ) -> None:
        """Update one parameter's array `theta` in place (subclass hook).

        Parameters
        ----------
        theta : ndarray
            The parameter's ``.data``, to be changed in place.
        grad : ndarray, shaped and typed like `theta`
            The gradient after ``maximize`` and the L2 penalty; read-only.
        state : dict
            The parameter's state, to be updated in place.
        group : dict
            The parameter's group: its hyper-parameters.
        work : ndarray, shaped and typed like `theta`
            Scratch memory, reused across steps (uninitialised).
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement update_one()")

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to None."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def check_gradient(self, p: Variable) -> None:
        """Raise ValueError unless the gradient of `p` has its shape."""
        if p.grad.data.shape != p.data.shape:
            raise ValueError(
                f"{type(self).__name__}: the gradient of {_describe(p)} has shape "
                f"{p.grad.data.shape}, but the parameter has shape {p.data.shape}"
            )

    def _gradient(self, p: Variable, theta: np.ndarray, maximize: bool, l2: float) -> np.ndarray:
        """``-g`` if maximize else ``g``, plus ``l2 * theta``, in theta's dtype (never written)."""
        self.check_gradient(p)
        grad = p.grad.data
        if not maximize and l2 == 0 and grad.dtype == theta.dtype:
            return grad
        out = _scratch(self._grad_work, p, theta)
        if l2 == 0 and maximize:
            np.negative(grad, out=out)
        elif l2 == 0:
            np.copyto(out, grad, casting="same_kind")
        else:
            np.multiply(theta, l2, out=out)
            if maximize:
                out -= grad
            else:
                out += grad
        return out

    def _missing_state(self, p: Variable, state: dict[str, Any], err: KeyError) -> Exception:
        key = err.args[0] if err.args else None
        if key not in self.state_entries or key in state:
            return err  # not a state entry: a bug elsewhere, raised as it is
        return RuntimeError(
            f"{type(self).__name__}: the state of {_describe(p)} has no {key!r}: an option "
            "that needs it (amsgrad, centered, momentum, ...) was switched on after this "
            "parameter's first step. Set it before the first step, or make a new optimizer."
        )

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
        replace the current ones. Each parameter's saved state must hold exactly what
        this optimizer keeps (`state_entries`; no unknown entry, none of `init_state`'s
        missing): arrays floating-point, of the parameter's shape and cast to its dtype
        (values that overflow it are refused), step counts whole numbers >= 0. On any
        mismatch a ValueError names the optimizer, the parameter index and the entry,
        and the optimizer is left unchanged.
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

        param_of_index: dict[Any, tuple[Variable, dict[str, Any]]] = {}
        new_groups = []
        for gi, (saved, group) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            indices = list(saved.get("params", ()))
            if len(indices) != len(group["params"]):
                raise ValueError(
                    f"{where}: parameter group {gi} has {len(indices)} parameters in the "
                    f"state dict, {len(group['params'])} in the optimizer"
                )
            new_group = {**group, **copy.deepcopy(saved), "params": group["params"]}
            try:
                self._check_hyperparameters(new_group)
            except ValueError as err:
                raise ValueError(f"{where}: parameter group {gi}: {err}") from None
            new_groups.append(new_group)
            param_of_index.update((i, (p, new_group)) for i, p in zip(indices, group["params"]))

        new_state = {}
        for index, saved_state in state_dict["state"].items():
            if index not in param_of_index:
                raise ValueError(
                    f"{where}: the state dict has state for parameter index {index!r}, "
                    "which no parameter group lists"
                )
            p, group = param_of_index[index]
            new_state[p] = self._restore_state(saved_state, p, group, f"{where}: ", index)

        self.param_groups[:] = new_groups
        self.state.clear()
        self.state.update(new_state)

    def _restore_state(
        self, saved: Any, p: Variable, group: dict[str, Any], where: str, index: Any
    ) -> dict[str, Any]:
        """A checked copy of one parameter's saved state, cast to the parameter's dtype."""
        if not isinstance(saved, dict):
            raise ValueError(
                f"{where}the state of parameter {index} must be a dict, got {type(saved).__name__}"
            )
        for key in saved:
            if key not in self.state_entries:
                raise ValueError(
                    f"{where}parameter {index} has unknown state {key!r} "
                    f"({type(self).__name__} keeps {sorted(self.state_entries)})"
                )
        if saved:  # empty: the parameter has not been stepped yet
            for key in self.init_state(p.data, group):
                if key not in saved:
                    raise ValueError(f"{where}parameter {index} lacks state {key!r}")
        restored = {}
        for key, value in saved.items():
            what = f"{where}state {key!r} of parameter {index}"
            if self.state_entries[key] == "count":
                restored[key] = restore_count(value, what)
            else:
                restored[key] = restore_array(value, p.data, what)
        return restored


def _scratch(store: dict[Variable, np.ndarray], p: Variable, theta: np.ndarray) -> np.ndarray:
    """An uninitialised work array like `theta`, kept in `store` and reused across steps."""
    buf = store.get(p)
    if buf is None or buf.shape != theta.shape or buf.dtype != theta.dtype:
        buf = store[p] = np.empty_like(theta)
    return buf


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
