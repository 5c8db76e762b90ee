"""Seeing the computation: Wengert lists, graphs and counters.

Three tools for looking inside a differentiation, meant for teaching:

- :func:`record` runs a function once in forward or reverse mode and keeps
  every primitive it applied. The result prints as a *Wengert list* (one
  line per primitive, ``v3 = sin(v1)``, with shapes), gives Graphviz DOT
  text (:meth:`Computation.to_dot`), draws itself with matplotlib
  (:meth:`Computation.draw`) or renders a picture file
  (:meth:`Computation.render`). It also lists the order in which tangents
  (forward) or cotangents (reverse) flow.
- :func:`count` is a context manager that counts, for everything
  differentiated inside it, primitive evaluations, JVP and VJP rule
  applications, passes, tangent/cotangent directions and the bytes kept on
  the tape for the backward pass.
- :func:`plot_derivative` draws a computed derivative against an analytic one.

>>> import dualgrad.numpy as np
>>> comp = record(lambda x: np.sin(x) * x, 1.0, mode="rev")
>>> [step.prim for step in comp.steps]
[None, 'sin', 'multiply']
"""
from __future__ import annotations

import dataclasses
import inspect
import shutil
from typing import Any, Callable

import numpy as onp

from .interpreters import forward, reverse
from .core import getval
from .tools.counters import Counts, count  # re-exported: dualgrad.graph.count
from .tools.counters import _batch_size, _bump
from .tools.programs import ThreePrograms, three_programs  # re-exported: graph.three_programs
from .interpreters.forward import Dual
from .interpreters.reverse import Box
from .core import tree_flatten, tree_unflatten, vspace
from .transforms import elementwise_grad
from .transforms.transform import _check_input

__all__ = ["record", "Computation", "Step", "count", "Counts", "plot_derivative",
           "three_programs", "ThreePrograms"]


# ----------------------------------------------------------------- records
@dataclasses.dataclass
class Step:
    """One variable of the Wengert list: an input (``prim`` is None) or the
    output of one primitive application.

    Parameters
    ----------
    name, prim, label, args, kwargs, shape, value, deriv
        As the attributes below (made by :func:`record`, not by hand).

    Attributes
    ----------
    name : str
        The variable, ``"v0"``, ``"v1"``, ... in evaluation order.
    prim : str or None
        The primitive's name; None for an input.
    label : str
        The input's name (from the function's signature), or the primitive's.
    args : list
        The arguments: variable names (str) or constants, in order.
    kwargs : dict
        The primitive's static keyword arguments.
    shape : tuple
        The shape of the value.
    value : array
        The value computed.
    deriv : array or None
        Its tangent (forward record) or cotangent (reverse record); None if no
        derivative reached it.

    Raises
    ------
    Nothing
        A plain record.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> step = record(lambda x: np.sin(x) * x, 2.0).steps[1]
    >>> step.name, step.prim, step.args, round(float(step.deriv), 4)
    ('v1', 'sin', ['v0'], 2.0)
    """
    name: str                 # "v3"
    prim: str | None          # primitive name, None for an input
    label: str                # the input's name, or the primitive's
    args: list                # variable names (str) or constants, in argument order
    kwargs: dict
    shape: tuple
    value: Any
    deriv: Any = None         # tangent (forward) or cotangent (reverse); None if none reached it


@dataclasses.dataclass
class Computation:
    """A recorded computation (see :func:`record`).

    ``flows`` lists the derivative messages in the order they were computed:
    ``(src, dst, argnum)`` means a tangent went from variable ``src`` into
    ``dst`` (forward), or a cotangent went from ``src`` back to its argument
    ``dst`` (reverse).

    Parameters
    ----------
    mode, steps, flows, output
        As the attributes below (made by :func:`record`, not by hand).

    Attributes
    ----------
    mode : {"fwd", "rev"}
        The mode recorded.
    steps : list of Step
        The variables, inputs first, in evaluation order.
    flows : list of (str, str, int)
        The derivative messages ``(src, dst, argnum)`` in the order computed.
    output : str or None
        The output variable's name (None if the output does not depend on the input).

    Raises
    ------
    Nothing
        A plain record; see its methods.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> comp = record(lambda x: np.sin(x) * x, 2.0)
    >>> comp.mode, [s.name for s in comp.steps], comp.output
    ('rev', ['v0', 'v1', 'v2'], 'v2')
    >>> comp.flows[0]          # the first cotangent: from the product back to sin(x)
    ('v2', 'v1', 0)
    """
    mode: str
    steps: list
    flows: list
    output: str | None

    # -- text -------------------------------------------------------------
    def wengert(self) -> str:
        """The Wengert list, then the derivative messages in flow order.

        Parameters
        ----------
        None

        Returns
        -------
        str
            One line per variable (statement, shape, value), then one per
            derivative message, then the derivative of the input.

        Raises
        ------
        Nothing

        Examples
        --------
        >>> import dualgrad.numpy as np
        >>> print(record(lambda x: np.sin(x) * x, 2.0, mode="fwd").wengert())  # doctest: +ELLIPSIS
        Forward-mode record, 3 variables:
          v0 = x ...
          v1 = sin(v0) ...
          v2 = multiply(v1, v0) ...
        """
        lines = [f"{'Forward' if self.mode == 'fwd' else 'Reverse'}-mode record, "
                 f"{len(self.steps)} variables:"]
        for s in self.steps:
            lines.append(f"  {_stmt(s):<34} # shape {s.shape!s:<8} value {_short(s.value)}")
        if self.mode == "fwd":
            lines.append("Tangents flow forward, alongside the values (dv = derivative along the seed):")
            by_dst: dict = {}
            for src, dst, _ in self.flows:
                by_dst.setdefault(dst, []).append(src)
            for s in self.steps:
                if s.prim is None:
                    lines.append(f"  d{s.name} = seed{'':<26} # {_short(s.deriv)}")
                elif s.name in by_dst:
                    terms = " + ".join(f"∂{s.name}/∂{a}·d{a}" for a in by_dst[s.name])
                    lines.append(f"  d{s.name} = {terms:<30} # {_short(s.deriv)}")
        else:
            lines.append("Cotangents flow backward, from the output to the inputs (gv = d out / dv):")
            if self.output is not None:
                lines.append(f"  g{self.output} = seed")
            for src, dst, _ in self.flows:
                lines.append(f"  g{dst} += g{src}·∂{src}/∂{dst}")
            for s in self.steps:
                if s.prim is None:
                    lines.append(f"  result: g{s.name} = {_short(s.deriv)}")
        return "\n".join(lines)

    __str__ = wengert

    def _repr_pretty_(self, p, cycle):  # IPython shows the Wengert list
        p.text(self.wengert())

    # -- DOT --------------------------------------------------------------
    def to_dot(self) -> str:
        """Graphviz DOT text: one node per variable in order, solid edges for
        the computation, and numbered edges for the derivative flow (blue,
        along the computation, in forward mode; red dashed, against it, in
        reverse mode).

        Parameters
        ----------
        None

        Returns
        -------
        str
            The DOT source (``dot -Tsvg`` draws it; so does :meth:`render`).

        Raises
        ------
        Nothing

        Examples
        --------
        >>> import dualgrad.numpy as np
        >>> dot = record(lambda x: np.sin(x) * x, 2.0).to_dot()
        >>> dot.splitlines()[0], "v1 -> v2" in dot
        ('digraph reverse_mode {', True)
        """
        out = [f"digraph {'forward' if self.mode == 'fwd' else 'reverse'}_mode {{",
               "  rankdir=TB;",
               '  node [shape=box, fontname="Helvetica"];']
        for s in self.steps:
            shape = ", shape=ellipse" if s.prim is None else ""
            out.append(f'  {s.name} [label="{_dot_escape(_stmt(s))}\\n{s.shape}"{shape}];')
        for s in self.steps:
            for a in s.args:
                if isinstance(a, _Ref):
                    out.append(f"  {a} -> {s.name} [color=gray40];")
        colour, style = ("blue", "solid") if self.mode == "fwd" else ("red", "dashed")
        kind = "tangent" if self.mode == "fwd" else "cotangent"
        for k, (src, dst, argnum) in enumerate(self.flows, 1):
            out.append(f'  {src} -> {dst} [label="{k}", color={colour}, fontcolor={colour}, '
                       f'style={style}, constraint=false, tooltip="{kind} message {k}"];')
        out.append("}")
        return "\n".join(out)

    # -- pictures ---------------------------------------------------------
    def draw(self, ax=None, *, title: str | None = None):
        """Draw the graph with matplotlib (no Graphviz needed); returns the figure.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; by default a new figure of a size that fits the graph.
        title : str, optional
            The title (default: the mode and the number of variables).

        Returns
        -------
        matplotlib.figure.Figure
            The figure drawn on (uses no pyplot state).

        Raises
        ------
        ImportError
            If matplotlib is not installed (``pip install matplotlib``).

        Examples
        --------
        >>> import dualgrad.numpy as np
        >>> fig = record(lambda x: np.sin(x) * x, 2.0).draw(title="sin(x) x")
        >>> fig.axes[0].get_title()
        'sin(x) x'
        """
        fig, ax = _axes(ax, figsize=(6, 0.9 + 0.9 * _n_layers(self.steps)))
        pos = _layout(self.steps)
        bend = {}
        for s in self.steps:
            for a in s.args:
                if isinstance(a, _Ref):
                    skip = abs(pos[str(a)][1] - pos[s.name][1]) > 1.5 or pos[str(a)][0] != pos[s.name][0]
                    bend[(str(a), s.name)] = 0.45 if skip else 0.0
                    _arrow(ax, pos[str(a)], pos[s.name], "0.55", "-", bend[(str(a), s.name)])
        colour = "tab:blue" if self.mode == "fwd" else "tab:red"
        for k, (src, dst, _) in enumerate(self.flows, 1):
            # forward messages run along a computation edge, reverse ones against it
            rad = bend.get((src, dst), bend.get((dst, src), 0.0))
            rad = rad + 0.25 if self.mode == "fwd" else -(rad + 0.25)
            _arrow(ax, pos[src], pos[dst], colour, "--" if self.mode == "rev" else "-", rad)
            (x0, y0), (x1, y1) = pos[src], pos[dst]
            lx = 0.5 * (x0 + x1) + 0.5 * rad * (y1 - y0)
            ly = 0.5 * (y0 + y1) - 0.5 * rad * (x1 - x0)
            ax.text(lx, ly, str(k), color=colour, fontsize=9, ha="center", va="center",
                    bbox=dict(boxstyle="circle,pad=0.15", fc="white", ec=colour, lw=0.6))
        for s in self.steps:
            x, y = pos[s.name]
            ax.text(x, y, f"{_stmt(s)}\n{s.shape}", ha="center", va="center", fontsize=8,
                    bbox=dict(boxstyle="round" if s.prim is None else "square",
                              fc="lightyellow" if s.prim is None else "white", ec="0.3"))
        xs = [p[0] for p in pos.values()] or [0]
        ys = [p[1] for p in pos.values()] or [0]
        ax.set_xlim(min(xs) - 1.2, max(xs) + 1.2)
        ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
        ax.set_aspect("equal")
        ax.axis("off")
        kind = "tangents, numbered in flow order" if self.mode == "fwd" else \
            "cotangents (dashed), numbered in flow order"
        ax.set_title(title or f"{'Forward' if self.mode == 'fwd' else 'Reverse'} mode: {kind}",
                     fontsize=9)
        return fig

    def render(self, path: str) -> str:
        """Write a picture to ``path`` (``.svg``/``.png``/``.pdf``): with Graphviz
        when the ``graphviz`` package and the ``dot`` program exist, otherwise
        with :meth:`draw`. A ``.dot`` path gets the DOT text.

        Parameters
        ----------
        path : str or path-like
            The file to write; its suffix chooses the format.

        Returns
        -------
        str
            ``path``.

        Raises
        ------
        ImportError
            Without Graphviz, if matplotlib is not installed either.
        ValueError
            If the suffix names a format neither Graphviz nor matplotlib writes.

        Examples
        --------
        >>> import os, tempfile
        >>> import dualgrad.numpy as np
        >>> comp = record(lambda x: np.sin(x) * x, 2.0)
        >>> out = comp.render(os.path.join(tempfile.mkdtemp(), "graph.dot"))
        >>> open(out).read().startswith("digraph")
        True
        """
        root, _, fmt = str(path).rpartition(".")
        if fmt == "dot":
            with open(path, "w") as fh:
                fh.write(self.to_dot())
            return path
        if _have_graphviz():
            import graphviz
            graphviz.Source(self.to_dot()).render(root, format=fmt, cleanup=True)
            return path
        fig = self.draw()
        fig.savefig(path, bbox_inches="tight")
        return path


def _have_graphviz() -> bool:
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


class _Ref(str):
    """A variable name used as an argument (as opposed to a constant)."""


def _stmt(s: Step) -> str:
    if s.prim is None:
        return f"{s.name} = {s.label}"
    parts = [str(a) if isinstance(a, _Ref) else _short(a) for a in s.args]
    parts += [f"{k}={v!r}" for k, v in s.kwargs.items() if v is not None and v is not False]
    return f"{s.name} = {s.prim}({', '.join(parts)})"


def _short(v) -> str:
    if v is None:
        return "-"
    v = getval(v)
    a = onp.asarray(v)
    if a.size == 1:
        x = a.reshape(())[()]
        return f"{x:.4g}" if isinstance(x, (float, complex, onp.inexact)) else str(x)
    if a.size <= 4:
        return onp.array2string(a, precision=3, separator=", ").replace("\n", "")
    return f"<array {a.shape}>"


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


# ----------------------------------------------------------------- record
def record(fun: Callable, *args, mode: str = "rev", argnum: int = 0, seed=None,
           **kwargs) -> Computation:
    """Run ``fun(*args, **kwargs)`` once, differentiating with respect to
    ``args[argnum]``, and return the :class:`Computation`.

    ``mode="fwd"`` pushes the tangent ``seed`` (default: all ones, shaped like
    the input) forward; ``mode="rev"`` records a tape and pulls the cotangent
    ``seed`` (default: all ones, shaped like the output) back through it.
    Each step's ``deriv`` is its tangent or cotangent.

    Parameters
    ----------
    fun : callable
        The function, written with ``dualgrad.numpy``.
    *args, **kwargs
        Its arguments.
    mode : {"rev", "fwd"}, default "rev"
        Reverse mode (a tape, cotangents) or forward mode (tangents).
    argnum : int, default 0
        The argument differentiated (an array, a scalar or a container of them).
    seed : array, optional
        The tangent (forward) or cotangent (reverse) to propagate; all ones by default.

    Returns
    -------
    Computation
        The Wengert list, with values and derivatives, and the derivative flow.

    Raises
    ------
    ValueError
        If ``mode`` is neither "fwd" nor "rev".
    TypeError
        If the differentiated argument is not a float or complex array or a
        container of them (an integer, a string).

    Examples
    --------

    >>> import dualgrad.numpy as np
    >>> comp = record(lambda x: np.sin(x) * x, 2.0, mode="fwd")
    >>> print(comp.wengert().splitlines()[2])
      v1 = sin(v0)                       # shape ()       value 0.9093
    """
    if mode not in ("fwd", "rev"):
        raise ValueError(f"mode must be 'fwd' or 'rev', not {mode!r}.")
    x = args[argnum]
    _check_input(x, "record")

    def unary(xv):
        return fun(*args[:argnum], xv, *args[argnum + 1:], **kwargs)
    try:
        pname = list(inspect.signature(fun).parameters)[argnum]
    except (TypeError, ValueError, IndexError):
        pname = "x"
    leaves, treedef = tree_flatten(x)
    names = _leaf_names(treedef, pname)  # x, p[0], d['a'], p[1][0], ...
    run = _record_fwd if mode == "fwd" else _record_rev
    return run(unary, leaves, treedef, names, seed)


class _RecordingForwardLevel(forward.ForwardLevel):
    """A forward level that also writes down every primitive it processes."""

    def __init__(self, depth, log):
        super().__init__(depth)
        self.log = log

    def process(self, prim, args, kwargs):
        keys = [(_key(a), id(a)) if type(a) is Dual and a._level is self else None
                for a in args]
        out = super().process(prim, args, kwargs)
        if type(out) is Dual and out._level is self:
            # values captured now: x[i] = y rebinds a tracer object in place later.
            # ``out`` is kept so that its id stays unique (see _Vars).
            self.log.append((prim, args, keys, kwargs, (_key(out), id(out)), out.value,
                             out.tangent, out))
        return out


def _key(d) -> tuple:
    """Identifies one variable by the objects it holds (not by the tracer object,
    which ``x[i] = y`` rebinds to a new value and tangent). The log keeps them
    alive, so the ids stay unique."""
    return id(d.value), id(d.tangent)


class _Vars:
    """Variable names by ``(_key, id(tracer))``. A primitive may return its input's
    value and tangent objects (``real`` of a real array): both variables then have
    the same ``_key``, and the tracer object tells them apart. A tracer rebound by
    ``x[i] = y`` has the ``_key`` of the update's result but not its tracer: the
    latest variable with that ``_key`` is meant."""

    def __init__(self):
        self.by_key: dict = {}

    def bind(self, key_id, name) -> None:
        key, tid = key_id
        self.by_key.setdefault(key, []).append((tid, name))

    def get(self, key_id):
        key, tid = key_id
        entries = self.by_key.get(key)
        if not entries:
            return None
        for t, name in reversed(entries):
            if t == tid:
                return name
        return entries[-1][1]


def _leaf_names(td, prefix: str) -> list:
    """How to write each leaf of an input with tree structure ``td``: ``d['a']`` for a
    dict entry (not its position), ``p[1][0]`` for nested sequences."""
    if td.kind is None:
        return [prefix]
    labels = [repr(k) for k in td.meta] if td.kind is dict else range(len(td.children))
    return [name for lab, child in zip(labels, td.children)
            for name in _leaf_names(child, f"{prefix}[{lab}]")]


def _record_fwd(unary, leaves, treedef, names, seed):
    seeds = tree_flatten(seed)[0] if seed is not None else [vspace(v).ones() for v in leaves]
    log: list = []
    with _RecordingForwardLevel.new(log) as level:
        duals = [Dual(v, t, level) for v, t in zip(leaves, seeds)]
        # before any x[i] = y
        inputs = [((_key(d), id(d)), d.value, d.tangent) for d in duals]
        out = unary(tree_unflatten(treedef, duals))
    var = _Vars()
    steps = []
    for (key, value, tangent), nm in zip(inputs, names):
        var.bind(key, _Ref(f"v{len(steps)}"))
        steps.append(Step(var.get(key), None, nm, [], {}, onp.shape(value), value, tangent))
    flows = []
    for prim, args, keys, kw, out_key, value, tangent, _ in log:
        name = _Ref(f"v{len(steps)}")
        refs = []
        for i, (a, k) in enumerate(zip(args, keys)):
            ref = var.get(k) if k is not None else None
            if ref is not None:
                refs.append(ref)
                flows.append((str(ref), str(name), i))
            else:
                refs.append(getval(a))
        var.bind(out_key, name)
        steps.append(Step(name, prim.name, prim.name, refs, dict(kw), onp.shape(value),
                          value, tangent))
    found = var.get((_key(out), id(out))) if type(out) is Dual and out._level is level else None
    return Computation("fwd", steps, flows, str(found) if found is not None else None)


def _record_rev(unary, leaves, treedef, names, seed):
    level = reverse.ReverseLevel.new()
    level.keep_all = True  # the record shows every value, not only the residuals
    with level:
        boxes = [level.input(v) for v in leaves]
        nodes = [b.node for b in boxes]  # before any x[i] = y rebinds a box
        out = unary(tree_unflatten(treedef, boxes))
    if isinstance(out, (tuple, list, dict)):
        raise TypeError("record(mode='rev') needs a single array or scalar output.")
    input_names = dict(zip(nodes, names))
    # Every primitive applied, in order, as in forward mode: the tape, not only the
    # nodes the output depends on (the others get no cotangent: deriv None).
    nodes += level.tape
    order = sorted(set(nodes), key=lambda n: n.id)
    var = {n: _Ref(f"v{k}") for k, n in enumerate(order)}
    # The backward pass, written out so that each message can be recorded.
    cts, flows = {}, []
    if type(out) is Box and out._level is level:
        cts[out.node] = vspace(out.value).ones() if seed is None else seed
        _bump("backward_passes")  # for count(): this loop is the level's backward pass
        _bump("cotangent_directions", _batch_size(cts[out.node]))
        for node in sorted(order, key=lambda n: n.id, reverse=True):
            ct = cts.get(node)
            if ct is None:
                continue
            for argnum, parent, rule in node.parents:
                pg = rule(ct, node.ans, *node.args, **node.kwargs)
                cts[parent] = pg if parent not in cts else cts[parent] + pg
                flows.append((str(var[node]), str(var[parent]), argnum))
    steps = []
    for n in order:
        if n.prim is None:
            steps.append(Step(var[n], None, input_names.get(n, "input"), [], {},
                              onp.shape(n.ans), n.ans, cts.get(n)))
            continue
        traced = {argnum: var[p] for argnum, p, _ in n.parents}
        refs = [traced.get(i, a) for i, a in enumerate(n.args)]
        steps.append(Step(var[n], n.prim.name, n.prim.name, refs, dict(n.kwargs),
                          onp.shape(n.ans), n.ans, cts.get(n)))
    output = str(var[out.node]) if type(out) is Box and out._level is level else None
    return Computation("rev", steps, flows, output)


# ----------------------------------------------------------------- layout / matplotlib
def _layers(steps) -> dict:
    depth = {}
    for s in steps:
        depth[s.name] = 1 + max((depth[str(a)] for a in s.args if isinstance(a, _Ref)),
                                default=-1)
    return depth


def _n_layers(steps) -> int:
    return 1 + max(_layers(steps).values(), default=0)


def _layout(steps) -> dict:
    depth, count, pos = _layers(steps), {}, {}
    for s in steps:
        count[depth[s.name]] = count.get(depth[s.name], 0) + 1
    seen: dict = {}
    for s in steps:
        d = depth[s.name]
        k = seen[d] = seen.get(d, -1) + 1
        pos[s.name] = (2.6 * (k - (count[d] - 1) / 2), -float(d))
    return pos


def _arrow(ax, p0, p1, colour, style, bend):
    ax.annotate("", xy=p1, xytext=p0, arrowprops=dict(
        arrowstyle="-|>", color=colour, linestyle=style, shrinkA=14, shrinkB=14,
        connectionstyle=f"arc3,rad={bend}"))


def _axes(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure
    fig = Figure(figsize=figsize)
    return fig, fig.subplots()


def plot_derivative(f: Callable, df_analytic: Callable | None, x, path: str | None = None,
                    *, title: str | None = None):
    """Plot ``f``, its derivative computed by dualgrad (``elementwise_grad``) and,
    if given, the analytic derivative ``df_analytic`` on the grid ``x``.

    Needs matplotlib; uses no pyplot state, so it works under any backend.

    Parameters
    ----------
    f : callable
        An elementwise function of an array, written with ``dualgrad.numpy``.
    df_analytic : callable or None
        The derivative known by hand, to compare with (plain numpy is fine).
    x : array_like
        The grid.
    path : str, optional
        Save the figure there (any format matplotlib writes).
    title : str, keyword-only, optional
        The title (default: the largest difference from ``df_analytic``).

    Returns
    -------
    (matplotlib.figure.Figure, float)
        The figure and ``max |dualgrad's derivative - df_analytic|`` on the grid
        (``nan`` without ``df_analytic``).

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install matplotlib``).

    Examples
    --------
    >>> import numpy
    >>> import dualgrad.numpy as np
    >>> fig, err = plot_derivative(np.sin, numpy.cos, numpy.linspace(0, 3, 50))
    >>> err < 1e-14, fig.axes[0].get_xlabel()
    (True, 'x')
    """
    x = onp.asarray(x, dtype=float)
    y, dy = onp.asarray(f(x)), onp.asarray(elementwise_grad(f)(x))
    fig, ax = _axes(None, figsize=(7, 4))
    ax.plot(x, y, color="0.6", lw=1, label="f(x)")
    ax.plot(x, dy, lw=2.5, label="dualgrad: elementwise_grad(f)(x)")
    err = float("nan")
    if df_analytic is not None:
        exact = onp.asarray(df_analytic(x))
        err = float(onp.max(onp.abs(dy - exact)))
        ax.plot(x, exact, "k--", lw=1.2, label="analytic f'(x)")
    ax.set_xlabel("x")
    ax.legend(loc="best", fontsize=8)
    ax.set_title(title or f"derivative vs analytic (max |difference| = {err:.1e})", fontsize=9)
    if path is not None:
        fig.savefig(path, dpi=110, bbox_inches="tight")
    return fig, err
