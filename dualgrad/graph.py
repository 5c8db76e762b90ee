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
    ``dst`` (reverse). In reverse mode ``messages[k]`` is the value of message k,
    the cotangent contribution ``g_src · ∂src/∂dst`` added into ``g_dst``.

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
    messages : list
        Reverse mode: the value of each message of ``flows`` (empty in forward mode).

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
    messages: list = dataclasses.field(default_factory=list)  # each flow's value (reverse)

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
                seed = next(s.deriv for s in self.steps if s.name == self.output)
                lines.append(f"  {f'g{self.output} = seed':<34} # {_short(seed)}")
            total: dict = {}
            for k, (src, dst, _) in enumerate(self.flows):
                msg = self.messages[k] if k < len(self.messages) else None
                total[dst] = msg if dst not in total or msg is None else total[dst] + msg
                note = f"+= {_short(msg)}, so g{dst} = {_short(total[dst])}" if msg is not None else ""
                lines.append(f"  {f'g{dst} += g{src}·∂{src}/∂{dst}':<34} # {note}")
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

        A layered drawing: inputs at the top, each variable one row below the
        deepest of its arguments, the order within each row chosen to reduce edge
        crossings (Graphviz's order when its ``dot`` program is installed, else
        barycentre sweeps), boxes spaced by their measured text so none overlap, and
        an edge that spans rows routed through a free slot in each row it crosses,
        so no edge runs through a box. Derivative messages are the coloured edges,
        numbered in flow order. On its own figure one data unit is one inch, which
        keeps the text inside its spacing; on a given ``ax`` the picture is scaled.

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
        lay = _Drawing(self)
        kind = "tangents, numbered in flow order" if self.mode == "fwd" else \
            "cotangents (dashed, against the arrows), numbered in flow order"
        title = title or f"{'Forward' if self.mode == 'fwd' else 'Reverse'} mode: {kind}"
        if ax is None:
            from matplotlib.figure import Figure
            # wide enough for the title too (the drawing then stays centred, to scale)
            wide = _box_sizes({"title": title})["title"][0] * _TITLE_FONT / _FONT + 2 * _MARGIN
            fig = Figure(figsize=(max(lay.width, wide), lay.height + _TITLE))
            ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        fig = ax.figure
        flows = _flows_by_edge(self)
        colour = "tab:blue" if self.mode == "fwd" else "tab:red"
        for (a, b), path in lay.edges.items():
            xs, ys = zip(*path)
            ax.plot(xs, ys, color="0.6", lw=1, gid=f"edge:{a}->{b}")
            ax.annotate("", xy=path[-1], xytext=path[-2], arrowprops=dict(
                arrowstyle="-|>", color="0.6", shrinkA=0, shrinkB=0, lw=1))
            numbers = flows.get((a, b))
            if not numbers:
                continue
            shifted = [(x + _SHIFT, y) for x, y in path]  # the messages run beside the edge
            if self.mode == "rev":
                shifted = shifted[::-1]
            xs, ys = zip(*shifted)
            ax.plot(xs, ys, color=colour, lw=1.2, ls="--" if self.mode == "rev" else "-",
                    gid=f"flow:{a}->{b}")
            ax.annotate("", xy=shifted[-1], xytext=shifted[-2], arrowprops=dict(
                arrowstyle="-|>", color=colour, shrinkA=0, shrinkB=0, lw=1.2))
            (x0, y0), (x1, y1) = lay.gap_segment(a, b)
            ax.text(0.5 * (x0 + x1) + 2 * _SHIFT, 0.5 * (y0 + y1), ",".join(map(str, numbers)),
                    color=colour, fontsize=7, ha="left", va="center")
        for st in self.steps:
            x, y = lay.pos[st.name]
            ax.text(x, y, lay.labels[st.name], ha="center", va="center", fontsize=_FONT,
                    gid=f"box:{st.name}", bbox=dict(
                        boxstyle=f"{'round' if st.prim is None else 'square'},pad={_PAD}",
                        fc="lightyellow" if st.prim is None else "white", ec="0.3"))
        ax.set_xlim(-lay.width / 2, lay.width / 2)
        ax.set_ylim(-lay.height, _TITLE)
        ax.set_aspect("equal")
        ax.axis("off")
        # the title sits in the band reserved above the top row, inside the axes
        ax.set_title(title, y=1 - 0.5 * _TITLE / (lay.height + _TITLE), va="center", pad=0,
                     fontsize=_TITLE_FONT)
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
def record(fun: Callable, *args, mode: str = "rev", argnum: int | tuple = 0, seed=None,
           **kwargs) -> Computation:
    """Run ``fun(*args, **kwargs)`` once, differentiating with respect to
    ``args[argnum]`` (a tuple ``argnum=(0, 1)``: with respect to those arguments, each
    named by its parameter), and return the :class:`Computation`.

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
    argnum : int or tuple of int, default 0
        The argument differentiated (an array, a scalar or a container of them), or
        several: ``argnum=(0, 1)`` differentiates with respect to both, each input
        named by its parameter.
    seed : array, optional
        The tangent (forward) or cotangent (reverse) to propagate; all ones by default
        (a tuple of them, one per argument, for a tuple ``argnum`` in forward mode).

    Returns
    -------
    Computation
        The Wengert list, with values and derivatives, and the derivative flow.

    Raises
    ------
    ValueError
        If ``mode`` is neither "fwd" nor "rev", or ``argnum`` names no positional
        argument.
    TypeError
        If the differentiated argument is not a float or complex array or a
        container of them (an integer, a string).

    Examples
    --------

    >>> import dualgrad.numpy as np
    >>> comp = record(lambda x: np.sin(x) * x, 2.0, mode="fwd")
    >>> print(comp.wengert().splitlines()[2])
      v1 = sin(v0)                       # shape ()       value 0.9093
    >>> two = record(lambda x, y: x * y, 2.0, 3.0, argnum=(0, 1))
    >>> [(s.name, float(s.deriv)) for s in two.steps[:2]]   # d(xy)/dx = y, d(xy)/dy = x
    [('v0', 3.0), ('v1', 2.0)]
    """
    if mode not in ("fwd", "rev"):
        raise ValueError(f"mode must be 'fwd' or 'rev', not {mode!r}.")
    many = isinstance(argnum, (tuple, list))
    nums = tuple(argnum) if many else (argnum,)
    for i in nums:
        if not isinstance(i, (int, onp.integer)) or not -len(args) <= i < len(args):
            raise ValueError(f"record: argnum={argnum!r} must name positional arguments of "
                             f"the {len(args)} given (an int, or a tuple of ints).")
    nums = tuple(int(i) % len(args) for i in nums)
    xs = tuple(args[i] for i in nums)
    for x in xs:
        _check_input(x, "record")

    def unary(xv):
        full = list(args)
        for i, v in zip(nums, xv if many else (xv,)):
            full[i] = v
        return fun(*full, **kwargs)
    try:
        params = list(inspect.signature(fun).parameters)
    except (TypeError, ValueError):
        params = []
    names = []
    for i, x in zip(nums, xs):  # x, p[0], d['a'], p[1][0], ... (one prefix per argument)
        pname = params[i] if i < len(params) else ("x" if not many else f"arg{i}")
        names += _leaf_names(tree_flatten(x)[1], pname)
    leaves, treedef = tree_flatten(xs if many else xs[0])
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
    cts, flows, messages = {}, [], []
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
                messages.append(pg)
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
    return Computation("rev", steps, flows, output, messages)


# ----------------------------------------------------------------- layout / matplotlib
_FONT, _PAD = 8, 0.3           # box text size (points) and padding (in font sizes)
_GAP, _ROW_GAP = 0.3, 0.55     # inches between boxes in a row, and between rows
_SLOT, _SHIFT = 0.2, 0.05      # an edge's slot in a row it crosses; a message's offset
_MARGIN, _TITLE = 0.3, 0.45    # around the drawing; the title's band
_TITLE_FONT = 9


def _layers(steps) -> dict:
    depth = {}
    for s in steps:
        depth[s.name] = 1 + max((depth[str(a)] for a in s.args if isinstance(a, _Ref)),
                                default=-1)
    return depth


def _edges(steps) -> list:
    """The computation edges (argument -> result), each once, in order."""
    out: dict = {}
    for s in steps:
        for a in s.args:
            if isinstance(a, _Ref):
                out[(str(a), s.name)] = None
    return list(out)


def _flows_by_edge(comp) -> dict:
    """{computation edge: the numbers of the derivative messages along it}."""
    out: dict = {}
    for k, (src, dst, _) in enumerate(comp.flows, 1):
        edge = (src, dst) if comp.mode == "fwd" else (dst, src)
        out.setdefault(edge, []).append(k)
    return out


def _crossings(order, edges_between) -> int:
    """Edge crossings between consecutive rows (pairs of edges whose ends swap)."""
    pos = {v: i for row in order for i, v in enumerate(row)}
    total = 0
    for es in edges_between:
        ends = [(pos[u], pos[v]) for u, v in es]
        total += sum(1 for i, (a, b) in enumerate(ends) for c, d in ends[i + 1:]
                     if (a - c) * (b - d) < 0)
    return total


def _order_rows(rows, links, initial_key=None, sweeps: int = 6):
    """Reorder each row to reduce crossings: start from ``initial_key`` (Graphviz's x)
    or the recording order, then barycentre sweeps down and up; keep the best."""
    order = [sorted(r, key=initial_key) if initial_key else list(r) for r in rows]
    between = [[(u, v) for u, v in links if u in set(order[i]) and v in set(order[i + 1])]
               for i in range(len(order) - 1)]
    best, best_n = [list(r) for r in order], _crossings(order, between)
    for sweep in range(sweeps):
        down = sweep % 2 == 0
        for i in (range(1, len(order)) if down else range(len(order) - 2, -1, -1)):
            ref = {v: k for k, v in enumerate(order[i - 1 if down else i + 1])}
            es = between[i - 1] if down else between[i]
            near: dict = {}
            for u, v in es:
                mine, other = (v, u) if down else (u, v)
                near.setdefault(mine, []).append(ref[other])
            here = {v: k for k, v in enumerate(order[i])}
            order[i].sort(key=lambda v: (sum(near[v]) / len(near[v])) if v in near else here[v])
        n = _crossings(order, between)
        if n < best_n:
            best, best_n = [list(r) for r in order], n
    return best


def _graphviz_x(comp) -> dict | None:
    """Graphviz's x coordinate of each node (``dot -Tplain``), or None without dot."""
    dot = shutil.which("dot")
    if dot is None:
        return None
    import subprocess
    try:
        plain = subprocess.run([dot, "-Tplain"], input=comp.to_dot(), capture_output=True,
                               text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return _parse_plain(plain)


def _parse_plain(plain: str) -> dict:
    """{node: x} from Graphviz's ``-Tplain`` output (lines ``node name x y ...``)."""
    return {f[1]: float(f[2]) for f in (line.split() for line in plain.splitlines())
            if len(f) > 3 and f[0] == "node"}


class _Drawing:
    """Where everything goes, in inches: rows by depth, each edge that spans rows
    split by a slot (a dummy node) in each row between, rows ordered to reduce
    crossings, boxes spaced by their measured text."""

    def __init__(self, comp):
        steps = comp.steps
        depth = _layers(steps)
        self.labels = {s.name: f"{_stmt(s)}\n{s.shape}" for s in steps}
        sizes = _box_sizes(self.labels)
        n_rows = 1 + max(depth.values(), default=0)
        rows: list = [[] for _ in range(n_rows)]
        for s in steps:
            rows[depth[s.name]].append(s.name)
        links, self.route = [], {}
        for a, b in _edges(steps):  # a long edge: a -> slot -> ... -> slot -> b
            chain = [a] + [("slot", a, b, d) for d in range(depth[a] + 1, depth[b])] + [b]
            for d, slot in zip(range(depth[a] + 1, depth[b]), chain[1:-1]):
                rows[d].append(slot)
                sizes[slot] = (_SLOT, 0.0)
            links += list(zip(chain, chain[1:]))
            self.route[(a, b)] = chain
        gx = _graphviz_x(comp)
        key = None
        if gx is not None:  # slots sit between their ends' Graphviz positions
            key = lambda v: gx.get(v, 0.0) if isinstance(v, str) else \
                0.5 * (gx.get(v[1], 0.0) + gx.get(v[2], 0.0))
        rows = _order_rows(rows, links, key)
        self.pos, self.size, self.row_of = {}, sizes, {}
        self.row_y, self.row_h = [], []
        y, width = -_MARGIN, 0.0
        for d, row in enumerate(rows):
            h = max((sizes[v][1] for v in row), default=0.0)
            total = sum(sizes[v][0] for v in row) + _GAP * (len(row) - 1)
            width = max(width, total)
            x = -total / 2
            self.row_y.append(y - h / 2)
            self.row_h.append(h)
            for v in row:
                self.pos[v] = (x + sizes[v][0] / 2, y - h / 2)
                self.row_of[v] = d
                x += sizes[v][0] + _GAP
            y -= h + _ROW_GAP
        self.width = width + 2 * _MARGIN
        self.height = -(y + _ROW_GAP) + _MARGIN
        self.edges = {e: self._path(chain) for e, chain in self.route.items()}

    def _path(self, chain) -> list:
        """Down out of the first box, through each slot, into the last box: the
        vertical pieces stay inside a box's or a slot's column, the slanted ones in
        the gaps between rows."""
        pts = []
        for k, v in enumerate(chain):
            x, y = self.pos[v]
            half_row = self.row_h[self.row_of[v]] / 2
            if k > 0:
                pts.append((x, y + half_row))            # in at the top of the row
            if 0 < k < len(chain) - 1:
                pts.append((x, y - half_row))            # straight through the slot
            elif k == 0:
                pts += [(x, y - self.size[v][1] / 2), (x, y - half_row)]
            else:
                pts.append((x, y + self.size[v][1] / 2))  # down to the box's top
        return pts

    def gap_segment(self, a, b):
        """The slanted piece of edge a -> b in the first gap below a."""
        path = self.edges[(a, b)]
        return path[1], path[2]


def _box_sizes(labels: dict) -> dict:
    """Each label's box (width, height) in inches, from matplotlib's text metrics."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(dpi=72)
    renderer = FigureCanvasAgg(fig).get_renderer()
    pad = 2 * _PAD * _FONT / 72  # the bbox pad on each side, in inches
    out = {}
    for name, label in labels.items():
        bb = fig.text(0, 0, label, fontsize=_FONT).get_window_extent(renderer)
        out[name] = (bb.width / 72 + pad, bb.height / 72 + pad)
    return out


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
    ax.set_ylabel("f(x) and f'(x)")
    ax.legend(loc="best", fontsize=8)
    ax.set_title(title or f"derivative vs analytic (max |difference| = {err:.1e})", fontsize=9)
    if path is not None:
        fig.savefig(path, dpi=110, bbox_inches="tight")
    return fig, err
