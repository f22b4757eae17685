"""One update for many small parameters: what PyTorch's "foreach" optimizers do, in NumPy.

Every update rule here is elementwise, so updating a group of parameters is updating their
concatenation. For small parameters (a reinforcement-learning policy, a tiny MLP) the cost of a
step is the per-parameter overhead (a dozen NumPy calls and some Python each), not the
arithmetic: this path gathers the gradients and the values into one flat array each, calls
`update_one` once, and writes each parameter's slice back. The state arrays live in flat
buffers; each parameter's state holds views of them, so ``optimizer.state``, `state_dict` and
`load_state_dict` see ordinary per-parameter arrays. When anything no longer matches (another
set of parameters has gradients, a parameter's array or a state was replaced or loaded), the
buffers are rebuilt; when the parameters differ in dtype or in their step counts, or are large
on average (the copies would then cost more than the calls saved), the optimizer updates them
one by one instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MEAN_SIZE = 8192  # parameters larger than this on average are updated one by one


class FlatGroup:
    """The flat buffers of one parameter group, and what they were built for."""

    def __init__(self, params: list, states: list[dict], counts: dict[str, Any]) -> None:
        self.params = params
        self.datas = [p.data for p in params]
        self.states = states
        self.shapes = [d.shape for d in self.datas]
        sizes = [d.size for d in self.datas]
        ends = np.cumsum(sizes).tolist()
        self.bounds = list(zip([0] + ends[:-1], ends))
        dtype = self.datas[0].dtype
        self.theta, self.grad, self.work = (np.empty(ends[-1], dtype) for _ in range(3))
        self.theta_views = self._views(self.theta)
        self.counts = counts
        self.arrays: dict[str, np.ndarray] = {}
        self.views: dict[str, list[np.ndarray]] = {}
        for key in states[0]:
            if key not in counts:
                flat = np.concatenate([s[key].ravel() for s in states]).astype(dtype, copy=False)
                self.adopt(key, flat)

    def _views(self, flat: np.ndarray) -> list[np.ndarray]:
        return [flat[a:b].reshape(shape) for (a, b), shape in zip(self.bounds, self.shapes)]

    def adopt(self, key: str, flat: np.ndarray) -> None:
        """Keep `flat` as the buffer of state `key`, and hand each parameter its view."""
        self.arrays[key] = flat
        self.views[key] = views = self._views(flat)
        for state, view in zip(self.states, views):
            state[key] = view

    def holds(self, params: list, state: dict) -> bool:
        """Whether these are the parameters it was built for, with the same arrays and the
        same states (as views of its buffers, their counts all alike)."""
        if len(params) != len(self.params):
            return False
        for i, p in enumerate(params):
            s = state.get(p)
            if (p is not self.params[i] or p.data is not self.datas[i] or s is not self.states[i]
                    or len(s) != len(self.counts) + len(self.arrays)):
                return False
            for key, value in self.counts.items():
                if s.get(key) != value:
                    return False
            for key, views in self.views.items():
                if s.get(key) is not views[i]:
                    return False
        return True


def _plan(optimizer: Any, group: dict, params: list) -> FlatGroup | None:
    """New flat buffers for `params` (their states created if new), or None when they are
    better (or only) updated one by one."""
    if (len(params) < 2 or sum(p.data.size for p in params) > MEAN_SIZE * len(params)
            or any(p.data.dtype != params[0].data.dtype for p in params)):
        return None
    states = [optimizer.state.setdefault(p, {}) for p in params]
    for p, state in zip(params, states):
        if not state:
            state.update(optimizer.init_state(p.data, group))
    counts = {k: v for k, v in states[0].items() if not isinstance(v, np.ndarray)}
    for state in states:
        if set(state) != set(states[0]) or any(state[k] != v for k, v in counts.items()):
            return None  # different options or step counts: one by one
    return FlatGroup(params, states, counts)


def step_flat(optimizer: Any, group: dict, params: list, maximize: bool, l2: float,
              decay: float) -> bool:
    """One update of `params` (all with a gradient) through flat buffers; False if this group
    is better (or only) updated one parameter at a time."""
    plan = optimizer.flat_groups.get(id(group))
    if plan is None or not plan.holds(params, optimizer.state):
        plan = _plan(optimizer, group, params)
        if plan is None:
            return False
        optimizer.flat_groups[id(group)] = plan
    grads = [p.grad.data for p in params]
    for p, g, shape in zip(params, grads, plan.shapes):
        if g.shape != shape:
            optimizer.check_gradient(p)  # raises, naming the parameter
    np.concatenate([g.ravel() for g in grads], out=plan.grad, casting="same_kind")
    np.concatenate([d.ravel() for d in plan.datas], out=plan.theta)
    if maximize:
        np.negative(plan.grad, out=plan.grad)
    if l2:
        plan.grad += np.multiply(plan.theta, l2, out=plan.work)
    if decay != 1:
        plan.theta *= decay
    flat_state = {**plan.arrays, **plan.counts}
    optimizer.update_one(plan.theta, plan.grad, flat_state, group, plan.work)
    for key, value in flat_state.items():
        if key in plan.counts:
            plan.counts[key] = value
            for state in plan.states:
                state[key] = value
        elif key not in plan.arrays:  # made by this update (SGD's first momentum buffer)
            plan.adopt(key, value)
    for p, data, view in zip(params, plan.datas, plan.theta_views):
        p.mark_modified()  # declared before the write, as on the one-by-one path
        np.copyto(data, view)
    return True
