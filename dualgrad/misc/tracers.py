"""Recording the primitives a function applies, and replaying them (autograd.misc.tracers).

``const_graph(fun, *args, **kwargs)`` returns a function of the remaining
positional arguments that runs ``fun``'s Python code only on its first call:
that call records every primitive applied to values depending on those
arguments (including the primitives of any derivative ``fun`` computes), and
later calls replay the recording on the new values. It is only right for
functions whose sequence of primitives does not depend on the values (no
branching on them, no indices computed from them), as in autograd.

``full_graph(fun, *args, **kwargs)`` runs ``fun`` once and returns the node of
its output: ``node.value`` and ``node.recipe == (primitive, args, kwargs,
[(argnum, parent node), ...])``, the graph to walk for printing or drawing.

Recording is one more trace level (``GraphLevel``), nested like the others: a
``grad`` inside the recorded function traces on top of it.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

from ..core import Level, Tracer, is_differentiable
from ..core.spaces import tree_flatten, tree_unflatten
from ..core.errors import refuser
from ..core.tracer import body_answer


class GraphNode:
    """One recorded primitive application (or, with ``prim`` None, an input)."""

    __slots__ = ("prim", "args", "kwargs", "parents", "value")

    def __init__(self, prim, args, kwargs, parents, value):
        self.prim, self.args, self.kwargs = prim, args, kwargs
        self.parents = parents  # tuple of (argnum, parent GraphNode)
        self.value = value

    @property
    def recipe(self):
        """``(primitive, args, kwargs, [(argnum, parent node), ...])`` as autograd's
        FullGraphNode; an input's primitive is the identity."""
        fun = self.prim if self.prim is not None else (lambda x: x)
        return fun, self.args, self.kwargs, list(self.parents)


class GraphTracer(Tracer):
    """A value whose computation is being recorded."""

    __slots__ = ("node",)

    def __init__(self, value, node: GraphNode, level: "GraphLevel"):
        self.value, self.node, self._level = value, node, level


class GraphLevel(Level):
    """Records each primitive applied to this level's tracers, in order."""

    __slots__ = ("nodes",)

    def __init__(self, depth: int):
        super().__init__(depth)
        self.nodes: list[GraphNode] = []

    def input(self, value) -> GraphTracer:
        node = GraphNode(None, (), {}, (), value)
        return GraphTracer(value, node, self)

    def process(self, prim, args, kwargs):
        vals, parents, outer = list(args), [], False
        for i, a in enumerate(args):
            if type(a) is GraphTracer and a._level is self:
                vals[i] = a.value
                parents.append((i, a.node))
                outer = outer or isinstance(a.value, Tracer)
            elif isinstance(a, Tracer):
                outer = True
        ans = prim(*vals, **kwargs) if outer else body_answer(prim.fun(*vals, **kwargs),
                                                              self.depth)
        node = GraphNode(prim, tuple(vals), kwargs, tuple(parents), ans)
        self.nodes.append(node)
        if not is_differentiable(ans) and not isinstance(ans, (tuple, list)):
            return ans  # integers and booleans: replayed values would be stale anyway
        return GraphTracer(ans, node, self)


def _record(fun: Callable, args: tuple):
    """Run ``fun(*args)`` on recording tracers: (output, input nodes, level)."""
    leaves, treedef = tree_flatten(args)
    with GraphLevel.new() as level:
        traced = [level.input(v) for v in leaves]
        out = fun(*tree_unflatten(treedef, traced))
    return out, [t.node for t in traced], level


def _replay(nodes: list[GraphNode], inputs: list[GraphNode], values: list) -> dict:
    """Every recorded node's value for new input values (primitives applied again,
    so the replay is itself differentiable)."""
    known = {id(n): v for n, v in zip(inputs, values)}
    for node in nodes:
        args = list(node.args)
        for i, parent in node.parents:
            args[i] = known[id(parent)]
        known[id(node)] = node.prim(*args, **node.kwargs)
    return known


def const_graph(fun: Callable, *args: Any, **kwargs: Any) -> Callable:
    """``fun`` with ``args``/``kwargs`` fixed, recorded on the first call and
    replayed afterwards (see the module docstring; autograd's ``const_graph``).

    Parameters
    ----------
    fun : callable
        A function of arrays whose sequence of primitives does not depend on the
        values (no branch on them): the replay repeats the first call's primitives.
    *args, **kwargs
        Arguments fixed after the first one.

    Returns
    -------
    callable
        ``g(x)``: ``fun(x, *args, **kwargs)``, from the recorded primitives after
        the first call.

    Raises
    ------
    Exception
        Whatever ``fun`` raises on the first call.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> f = const_graph(lambda x, y: np.sin(x) * y, 2.0)
    >>> float(f(0.5)) == float(np.sin(2.0) * 0.5), float(f(3.0)) == float(np.sin(2.0) * 3.0)
    (True, True)
    """
    partial = functools.partial(fun, *args, **kwargs)
    graph: list = []

    @functools.wraps(fun)
    def cached(*xs):
        leaves, _ = tree_flatten(xs)
        if graph:
            nodes, inputs, out_tree, out_leaves = graph[0]
            known = _replay(nodes, inputs, leaves)
            return tree_unflatten(out_tree, [known[id(leaf.node)] if isinstance(leaf, GraphTracer)
                                             else leaf for leaf in out_leaves])
        out, inputs, level = _record(partial, xs)
        out_leaves, out_tree = tree_flatten(out)
        if not any(type(o) is GraphTracer and o._level is level for o in out_leaves):
            raise ValueError("const_graph: the output does not depend on the input.")
        graph.append((level.nodes, inputs, out_tree, out_leaves))
        return tree_unflatten(out_tree, [o.value if type(o) is GraphTracer else o
                                         for o in out_leaves])

    return cached


def full_graph(fun: Callable, *args: Any, **kwargs: Any) -> GraphNode | None:
    """The output node of ``fun(*args, **kwargs)``'s recorded graph (None when the
    output does not depend on ``args``)."""
    out, _, level = _record(lambda *xs: fun(*xs, **kwargs), args)
    return out.node if type(out) is GraphTracer and out._level is level else None


def const_graph_unary(fun: Callable) -> Callable:
    """autograd's unary form of :func:`const_graph`: ``x -> fun(x)``, recorded on the
    first call and replayed afterwards.

    >>> import numpy
    >>> f = const_graph_unary(lambda x: numpy.sin(x) * 2.0)
    >>> [round(float(f(x)), 6) for x in (0.5, 1.0)]  # the second call replays
    [0.958851, 1.682942]
    """
    return const_graph(fun)


__getattr__ = refuser(__name__, dict.fromkeys(
    ("ConstGraphNode", "FullGraphNode"),
    "a node class autograd's const_graph/full_graph record with; dualgrad's record on a "
    "graph level of their own (dualgrad.misc.tracers.GraphNode is what full_graph returns)."))

__all__ = ["const_graph", "const_graph_unary", "full_graph", "GraphNode", "GraphLevel"]
