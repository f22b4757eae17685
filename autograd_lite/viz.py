"""Pictures of computational graphs, drawn with Graphviz.

`to_dot` walks the graph behind one or more output Variables and returns a `graphviz.Digraph`
(Jupyter shows it inline); `plot_graph` writes it to a .png, .svg, .pdf or .dot file.

* Variables are ovals labelled with their name (when they have one), shape and dtype; Functions
  are boxes labelled with the op (``type(fn).__name__``) and its arguments (``fn.params()``).
  Data flows down the page: inputs at the top, outputs at the bottom.
* Fill colours tell the kinds of Variable apart (see `COLORS`): parameters (leaves that require a
  gradient), inputs and constants (``requires_grad=False``), intermediate values and the outputs.
  With ``show_grads=True`` a Variable whose gradient is all zero is yellow, one whose gradient
  holds NaN or Inf is red.
* The walk is iterative (a 100,000-op chain is fine) and visits Variables and Functions in a
  fixed order, so node ids, and hence the DOT source, are the same in every run and process.
* ``max_nodes`` keeps big graphs readable: runs of the same op along a chain collapse into one
  box ("Tanh ×998"), and what still does not fit is summarised in a single "more nodes" box.

The `graphviz` package is imported inside the functions, so ``import autograd_lite`` needs
NumPy only.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections import deque
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .files import write_bytes

if TYPE_CHECKING:  # pragma: no cover
    import graphviz

__all__ = ["COLORS", "GraphvizNotFoundError", "plot_graph", "to_dot"]

#: Fill colours of the nodes, by kind.
COLORS = {
    "parameter": "#cfe8ff",     # leaf Variable that requires a gradient
    "input": "#eeeeee",         # leaf Variable that does not (inputs, constants)
    "intermediate": "#ffffff",  # made by a Function
    "output": "#c9f2c7",        # one of the Variables passed to to_dot
    "function": "#ece6f7",
    "collapsed": "#d9cdf2",     # a run of identical ops drawn as one box
    "more": "#ffffff",          # the box that stands for nodes left out by max_nodes
    "grad_zero": "#ffd43b",     # gradient is all zero
    "grad_nonfinite": "#ff6b6b",  # gradient holds NaN or Inf
}

_MIN_RUN = 3        # shorter runs of the same op are drawn op by op
_MAX_PARAM_CHARS = 24

_INSTALL_HELP = (
    "Graphviz's `dot` program is needed to write .{fmt} files but was not found on PATH. "
    "Install Graphviz (the program, not only the Python package): "
    "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install graphviz` (conda), or see https://graphviz.org/download/. "
    "Writing a .dot file works without it."
)


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's `dot` program is needed (to write .png/.svg/.pdf) and is not installed."""


# ----------------------------------------------------------------------------- walking the graph


class _Graph:
    """The Variables and Functions behind some outputs, numbered in a fixed walk order.

    Variables and Functions are referred to by their position in ``vars`` and ``fns``;
    ``order`` interleaves them as ("v", i) / ("f", j) in the order the walk met them.
    """

    def __init__(self, outputs: list) -> None:
        self.vars: list = []
        self.fns: list = []
        self.order: list[tuple[str, int]] = []
        self.creator: list[int] = []           # per Variable: index of its Function, or -1
        self.fn_inputs: list[list[int]] = []   # per Function: indices of its inputs
        self.fn_outputs: list[list[int]] = []  # per Function: indices of its outputs met
        self.consumers: list[int] = []         # per Variable: how many inputs slots it fills
        self.consumer: list[int] = []          # per Variable: one Function that uses it
        var_ids: dict[int, int] = {}
        fn_ids: dict[int, int] = {}

        def add_var(v: Any) -> int:
            i = var_ids.get(id(v))
            if i is None:
                i = var_ids[id(v)] = len(self.vars)
                self.vars.append(v)
                self.creator.append(-1)
                self.consumers.append(0)
                self.consumer.append(-1)
                self.order.append(("v", i))
                queue.append(("v", i))
            return i

        # Breadth-first from the outputs, inputs in argument order: a fixed order that depends
        # on the expression only, never on id() or hashing.
        queue: deque[tuple[str, int]] = deque()
        self.roots = [add_var(v) for v in outputs]
        while queue:
            kind, i = queue.popleft()
            if kind == "v":
                fn = self.vars[i].creator
                if fn is None:
                    continue
                j = fn_ids.get(id(fn))
                if j is None:
                    j = fn_ids[id(fn)] = len(self.fns)
                    self.fns.append(fn)
                    self.fn_inputs.append([])
                    self.fn_outputs.append([])
                    self.order.append(("f", j))
                    queue.append(("f", j))
                self.creator[i] = j
                self.fn_outputs[j].append(i)
            else:
                inputs = self.fn_inputs[i]
                for x in getattr(self.fns[i], "inputs", None) or ():
                    if not hasattr(x, "creator"):
                        continue  # a Python number: shown in the op's label (see _fn_label)
                    k = add_var(x)
                    inputs.append(k)
                    self.consumers[k] += 1
                    self.consumer[k] = i


# ----------------------------------------------------------------------------- labels


def _format_value(value: Any) -> str:
    """A short text for an op argument: 0.01, (3, 2), float32, [0, 1:] for an index."""
    text = _format_part(value)
    if isinstance(value, tuple) and any(isinstance(p, slice) or p is Ellipsis for p in value):
        text = "[" + text[1:-1].rstrip(",") + "]"  # an index, written as one
    if len(text) > _MAX_PARAM_CHARS:
        text = text[: _MAX_PARAM_CHARS - 1] + "…"
    return text


def _format_part(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{float(value):g}"
    if isinstance(value, np.dtype | type):
        return getattr(value, "__name__", None) or str(value)
    if isinstance(value, slice):
        parts = ["" if p is None else str(p) for p in (value.start, value.stop, value.step)]
        return ":".join(parts if value.step is not None else parts[:2])
    if value is Ellipsis:
        return "..."
    if isinstance(value, tuple):
        inner = ", ".join(_format_part(p) for p in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return value if isinstance(value, str) else repr(value)


def _is_empty(value: Any) -> bool:
    if value is None or value is False:
        return True
    try:
        return len(value) == 0
    except TypeError:
        return False


def _fn_label(fn: Any, count: int = 1) -> str:
    """The op name and its set arguments: "Sum\\naxis=1, keepdims", or "Tanh ×998" for a run."""
    params = fn.params() if hasattr(fn, "params") else {}
    args = [f"{k}={_format_value(v)}" if v is not True else k
            for k, v in params.items() if not _is_empty(v)]
    label = _escape(type(fn).__name__)
    inputs = getattr(fn, "inputs", None) or ()
    if any(not hasattr(x, "creator") for x in inputs):  # numbers in place: Mul(·, 2)
        label += "(" + ", ".join("·" if hasattr(x, "creator") else _format_value(x)
                                 for x in inputs) + ")"
    if count > 1:
        label += f" ×{count}"
    if args:
        label += "\\n" + _escape(", ".join(args))
    return label


def _num(x: float) -> str:
    return f"{x:.3g}"


def _stats(a: np.ndarray) -> str:
    if a.size == 0:
        return "empty"
    if a.dtype == bool:
        a = a.astype(np.int8)
    a = np.asarray(a, dtype=np.float64)
    return f"min {_num(a.min())} mean {_num(a.mean())} max {_num(a.max())}"


def _grad_info(v: Any) -> tuple[str | None, str | None]:
    """A label line for v's gradient and the colour it calls for (zero, NaN/Inf), if any."""
    g = v.grad
    if g is None:
        # Intermediate gradients are normally not kept, so only leaves are flagged.
        return ("grad None" if v.creator is None and v.requires_grad else None), None
    g = np.asarray(getattr(g, "data", g))
    if g.size and not np.isfinite(g).all():
        return "grad NaN/Inf", COLORS["grad_nonfinite"]
    norm = float(np.linalg.norm(g.astype(np.float64, copy=False).ravel()))
    return f"|grad| {_num(norm)}", (COLORS["grad_zero"] if norm == 0 else None)


@functools.lru_cache(maxsize=64)
def _dtype_name(dtype: np.dtype) -> str:
    return str(dtype)


def _var_style(v: Any, name: str | None, is_root: bool, show_shapes: bool,
               show_values: bool, show_grads: bool) -> tuple[str, str]:
    lines = []
    if name is not None:
        lines.append(_escape(name))
    if show_shapes:
        lines.append(f"{tuple(v.data.shape)} {_dtype_name(v.data.dtype)}")
    if show_values:
        lines.append(_stats(v.data))
    if is_root:
        color = COLORS["output"]
    elif v.creator is not None:
        color = COLORS["intermediate"]
    else:
        color = COLORS["parameter"] if v.requires_grad else COLORS["input"]
    if show_grads:
        line, grad_color = _grad_info(v)
        if line is not None:
            lines.append(line)
        color = grad_color or color
    return "\\n".join(lines) or " ", color


def _escape(text: str) -> str:
    """Text from names and arguments, safe in a DOT label (where backslash starts an escape)."""
    return text.replace("\\", "\\\\")


def _node_line(node: str, label: str, color: str, shape: str, extra: str = "") -> str:
    label = label.replace('"', '\\"')
    return f'\t{node} [label="{label}" fillcolor="{color}" shape={shape}{extra}]\n'


def _name_table(names: Any, model: Any) -> dict[int, str]:
    """id(Variable) -> display name, from ``model.named_parameters()`` and `names`."""
    table: dict[int, str] = {}
    pairs: list[tuple[Any, Any]] = []
    if model is not None:
        if not hasattr(model, "named_parameters"):
            raise TypeError(f"to_dot: model= needs a named_parameters() method, "
                            f"got a {type(model).__name__}")
        pairs.extend(model.named_parameters())
    if names is not None:
        pairs.extend(names.items() if isinstance(names, Mapping) else names)
    for key, value in pairs:
        name, var = (key, value) if isinstance(key, str) else (value, key)
        if not isinstance(name, str) or not hasattr(var, "creator"):
            raise TypeError("to_dot: names= must map names to Variables (or Variables to names), "
                            f"got {type(key).__name__} -> {type(value).__name__}")
        table[id(var)] = name
    return table


# ----------------------------------------------------------------------------- collapsing


def _collapse_runs(g: _Graph, named: set[int]) -> tuple[list[int], list[bool]]:
    """Group chains of identical ops: returns each Function's group head and hidden Variables.

    Function j joins the group of the Function f that consumes its only output v when both
    have the same label and v is used by f alone, is no output and has no name. Constant
    leaves used only inside a collapsed run are hidden with it.
    """
    labels = [_fn_label(fn) for fn in g.fns]
    roots = set(g.roots)
    group = list(range(len(g.fns)))
    # A Function's consumer is met before the Function itself (breadth-first from the
    # outputs), so the group of the consumer is already known.
    for j in range(len(g.fns)):
        outs = g.fn_outputs[j]
        if len(outs) != 1:
            continue
        v = outs[0]
        f = g.consumer[v]
        if (g.consumers[v] == 1 and f != -1 and labels[f] == labels[j] and v not in roots
                and v not in named and g.vars[v].name is None):
            group[j] = group[f]
    size = [0] * len(g.fns)
    for j in range(len(g.fns)):
        size[group[j]] += 1
    for j in range(len(g.fns)):
        if size[group[j]] < _MIN_RUN:
            group[j] = j
    hidden = [False] * len(g.vars)
    for j in range(len(g.fns)):
        if size[group[j]] < _MIN_RUN:
            continue
        if group[j] != j:
            hidden[g.fn_outputs[j][0]] = True  # the link into the next op of the run
        for k in g.fn_inputs[j]:  # constants such as the 2.0 of `y = y * 2.0`
            v = g.vars[k]
            if (g.consumers[k] == 1 and v.creator is None and not v.requires_grad
                    and k not in roots and k not in named and v.name is None):
                hidden[k] = True
    return group, hidden


# ----------------------------------------------------------------------------- to_dot


def to_dot(*outputs: Any, show_shapes: bool = True, show_values: bool = False,
           show_grads: bool = False, max_nodes: int | None = None,
           names: Mapping | Iterable | None = None, model: Any = None) -> graphviz.Digraph:
    """Draw the graph that computed `outputs`.

    Parameters
    ----------
    *outputs : Variable
        The Variables to draw the graph of (a list or tuple of them also works).
    show_shapes : bool
        Label Variables with their shape and dtype, e.g. ``(32, 10) float32``.
    show_values : bool
        Add each Variable's min, mean and max.
    show_grads : bool
        Add each gradient's norm (after ``backward``); colour Variables whose gradient is all
        zero (yellow) or holds NaN/Inf (red). Leaves that require a gradient but have none
        say ``grad None``.
    max_nodes : int, optional
        Keep the picture readable: when the graph has more nodes, runs of the same op (same
        name and arguments) along a chain collapse into one box such as "Tanh ×998"; if that
        is not enough, only the `max_nodes` nodes nearest the outputs are drawn and one box
        says how many were left out.
    names : mapping or iterable of pairs, optional
        Display names for Variables, as ``{"fc1.weight": w, ...}`` (or ``{w: "fc1.weight"}``,
        or the pairs of ``model.named_parameters()``). They take precedence over ``.name``.
    model : object with ``named_parameters()``, optional
        Label the model's parameters with their dotted names (``fc1.weight``).

    Returns
    -------
    graphviz.Digraph
        ``.source`` is the DOT text; in Jupyter the object displays itself as a picture.

    Examples
    --------
    >>> from autograd_lite import Variable
    >>> import autograd_lite.functions as F
    >>> x = Variable(np.ones((2, 3)), name="x", requires_grad=False)
    >>> w = Variable(np.ones((3,)), name="w")
    >>> dot = to_dot(F.tanh(x * w))
    >>> "Tanh" in dot.source and "(2, 3) float64" in dot.source
    True
    """
    import graphviz

    roots = []
    for out in outputs:
        roots.extend(out if isinstance(out, list | tuple) else [out])
    if not roots:
        raise ValueError("to_dot: give at least one output Variable")
    for v in roots:
        if not (hasattr(v, "creator") and hasattr(v, "data")):
            raise TypeError(f"to_dot: expected Variables, got a {type(v).__name__}")
    if max_nodes is not None and max_nodes < 1:
        raise ValueError(f"to_dot: max_nodes must be at least 1, got {max_nodes}")

    display = _name_table(names, model)
    g = _Graph(roots)
    named = {i for i, v in enumerate(g.vars) if id(v) in display}
    group = list(range(len(g.fns)))
    hidden = [False] * len(g.vars)
    if max_nodes is not None and len(g.vars) + len(g.fns) > max_nodes:
        group, hidden = _collapse_runs(g, named)
    run_length = [0] * len(g.fns)
    for j in range(len(g.fns)):
        run_length[group[j]] += 1

    # Visible nodes in walk order; beyond max_nodes the rest is left out.
    visible = [(kind, i) for kind, i in g.order
               if (not hidden[i] if kind == "v" else group[i] == i)]
    left_out = 0
    if max_nodes is not None and len(visible) > max_nodes:
        left_out = len(visible) - max_nodes
        visible = visible[:max_nodes]

    # Lines are written straight into the Digraph's body: our ids are plain and labels are
    # escaped here, and this is many times faster than Digraph.node() on a 100,000-op graph.
    lines = []
    var_node: list[str | None] = [None] * len(g.vars)
    fn_node: list[str | None] = [None] * len(g.fns)
    roots_set = set(g.roots)
    n_vars = n_fns = 0
    for kind, i in visible:
        if kind == "v":
            v = g.vars[i]
            var_node[i] = f"v{n_vars}"
            n_vars += 1
            label, color = _var_style(v, display.get(id(v), v.name), i in roots_set,
                                      show_shapes, show_values, show_grads)
            lines.append(_node_line(var_node[i], label, color, "oval"))
        else:
            fn_node[i] = f"f{n_fns}"
            n_fns += 1
            color = COLORS["collapsed"] if run_length[i] > 1 else COLORS["function"]
            lines.append(_node_line(fn_node[i], _fn_label(g.fns[i], run_length[i]), color, "box"))
    if left_out:
        lines.append(_node_line("more", f"… {left_out} more nodes", COLORS["more"], "box",
                                ' style="filled,dashed"'))

    # Edges follow the data: input -> Function -> output. A run's inputs come from all its ops.
    members: dict[int, list[int]] = {}
    for j in range(len(g.fns)):
        if group[j] != j:
            members.setdefault(group[j], []).append(j)
    for kind, j in visible:
        if kind != "f":
            continue
        fid = fn_node[j]
        sources = []
        for m in [j, *members.get(j, ())]:
            sources.extend(k for k in g.fn_inputs[m] if not hidden[k])
        if j in members:  # one edge per distinct input of a run
            sources = list(dict.fromkeys(sources))
        cut = False
        for k in sources:
            if var_node[k] is not None:
                lines.append(f"\t{var_node[k]} -> {fid}\n")
            elif not cut:
                cut = True
                lines.append(f"\tmore -> {fid} [style=dashed]\n")
        for k in g.fn_outputs[j]:
            if var_node[k] is not None:
                lines.append(f"\t{fid} -> {var_node[k]}\n")
    for kind, i in visible:  # Variables whose creator was left out
        if kind == "v" and g.creator[i] != -1 and fn_node[group[g.creator[i]]] is None:
            lines.append(f"\tmore -> {var_node[i]} [style=dashed]\n")

    dot = graphviz.Digraph(
        "autograd_lite",
        graph_attr={"rankdir": "TB", "nodesep": "0.25", "ranksep": "0.35"},
        node_attr={"fontname": "Helvetica", "fontsize": "10", "style": "filled",
                   "penwidth": "0.8"},
        edge_attr={"arrowsize": "0.6", "penwidth": "0.8"},
    )
    dot.body.extend(lines)
    return dot


# ----------------------------------------------------------------------------- plot_graph

_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}


def plot_graph(output: Any, path: str | os.PathLike, **options: Any) -> Path:
    """Write the graph of `output` to `path`, in the format its suffix names.

    Parameters
    ----------
    output : Variable or sequence of Variables
    path : str or PathLike
        Ends in ``.png``, ``.svg``, ``.pdf`` or ``.dot`` (``.gv``). A .dot file is the DOT text
        and needs no Graphviz program; the others are drawn by Graphviz's ``dot``.
    **options
        Passed to `to_dot` (``show_values=True``, ``model=net``, ...).

    Returns
    -------
    pathlib.Path
        The path written, atomically (`autograd_lite.files.atomic_write`): never left
        half-written, with the permissions a plain ``open`` would give.

    Raises
    ------
    GraphvizNotFoundError
        If the format needs Graphviz's ``dot`` program and it is not installed.
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"plot_graph: cannot tell the format of {str(path)!r} from its suffix; "
                         f"use one of {', '.join(_FORMATS)}")
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"plot_graph: the folder {str(folder)!r} does not exist "
                                f"(writing {str(path)!r})")
    dot = to_dot(*(output if isinstance(output, list | tuple) else [output]), **options)
    if fmt == "dot":
        data = dot.source.encode("utf-8")
    else:
        data = _render(dot, fmt)
    write_bytes(path, data)
    return path


def _render(dot: graphviz.Digraph, fmt: str) -> bytes:
    """Run Graphviz's `dot` program (through the graphviz package: no shell) to draw `fmt`."""
    import graphviz

    if shutil.which("dot") is None:
        raise GraphvizNotFoundError(_INSTALL_HELP.format(fmt=fmt))
    try:
        return dot.pipe(format=fmt)
    except graphviz.ExecutableNotFound as e:
        raise GraphvizNotFoundError(_INSTALL_HELP.format(fmt=fmt)) from e
