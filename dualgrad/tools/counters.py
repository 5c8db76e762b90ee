"""Counters for a differentiation: ``with count() as c: ...`` measures passes,
tangent and cotangent directions, primitive evaluations, JVP/VJP rule
applications, and the bytes the tape keeps (also as ``dualgrad.graph.count``).

So a student can see that ``jacfwd`` of R^n -> R^m pushes n tangent directions
and ``jacrev`` pulls m cotangent directions (however many passes batching packs
them into), that ``grad`` is one forward and one backward pass, and that
reverse mode pays in memory.
"""
from __future__ import annotations

import dataclasses
import functools
import threading

import numpy as onp

from .. import core
from ..interpreters import forward, reverse
from ..core import ALL, Tracer, getval
from ..interpreters.forward import Dual
from ..core.residuals import NotKept
from ..interpreters.reverse import Box
from ..core.spaces import tree_flatten

__all__ = ["count", "Counts"]


# ----------------------------------------------------------------- counters
@dataclasses.dataclass(eq=False)
class Counts:
    """What a differentiation cost; filled by :func:`count`.

    - ``primitive_evals``: primitive functions actually evaluated on plain
      values (the primal computation, plus the work inside JVP/VJP rules and
      any plain evaluation, e.g. ``jacobian`` looking at the output size);
    - ``jvp_rules`` / ``vjp_rules``: JVP / VJP rule applications;
    - ``jvp_passes``: forward-mode passes (each pushes one or a batch of tangents);
    - ``tape_passes``: reverse-mode forward passes (each records one tape);
    - ``backward_passes``: backward sweeps over a tape;
    - ``tangent_directions`` / ``cotangent_directions``: directions pushed /
      pulled in total (a batched pass carries several);
    - ``tape_nodes`` / ``tape_bytes``: nodes recorded, and bytes of the
      arrays the tape keeps for the backward pass (each array counted once).

    Parameters
    ----------
    **fields : int
        The counters above, all 0 by default (``count()`` makes and fills one).

    Attributes
    ----------
    primitive_evals, jvp_rules, vjp_rules, jvp_passes, tape_passes, backward_passes, \
tangent_directions, cotangent_directions, tape_nodes, tape_bytes : int
        As listed above.
    forward_passes : int
        Forward-mode passes plus tape recordings.
    passes : int
        All passes, forward and backward.

    Raises
    ------
    Nothing
        A plain record.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> from dualgrad import jacobian
    >>> with count() as c:
    ...     J = jacobian(np.sin, mode="fwd")(np.ones(4))
    >>> c.jvp_passes, c.tangent_directions    # one batched pass of 4 directions
    (1, 4)
    """
    primitive_evals: int = 0
    jvp_rules: int = 0
    vjp_rules: int = 0
    jvp_passes: int = 0
    tape_passes: int = 0
    backward_passes: int = 0
    tangent_directions: int = 0
    cotangent_directions: int = 0
    tape_nodes: int = 0
    tape_bytes: int = 0

    @property
    def forward_passes(self) -> int:
        """Passes that evaluate the function: forward-mode passes plus tape recordings.

        Returns
        -------
        int
            ``jvp_passes + tape_passes``.

        Examples
        --------
        >>> Counts(jvp_passes=2, tape_passes=1).forward_passes
        3
        """
        return self.jvp_passes + self.tape_passes

    @property
    def passes(self) -> int:
        """Every pass over the function: forward passes plus backward sweeps.

        Returns
        -------
        int
            ``forward_passes + backward_passes``.

        Examples
        --------
        >>> Counts(tape_passes=1, backward_passes=1).passes
        2
        """
        return self.forward_passes + self.backward_passes

    def __str__(self) -> str:
        return (f"{self.forward_passes} forward pass(es) ({self.jvp_passes} forward-mode, "
                f"{self.tape_passes} recording a tape), {self.backward_passes} backward "
                f"pass(es); {self.tangent_directions} tangent and {self.cotangent_directions} "
                f"cotangent direction(s); {self.primitive_evals} primitive evaluations, "
                f"{self.jvp_rules} JVP and {self.vjp_rules} VJP rule applications; tape: "
                f"{self.tape_nodes} nodes, {self.tape_bytes} bytes")


_local = threading.local()  # .active: this thread's Counts being filled (nested blocks all count)
_wrap_lock = threading.Lock()
_blocks = [0]  # count() blocks open on any thread: primitives stay wrapped while > 0


def _active() -> list:
    a = getattr(_local, "active", None)
    if a is None:
        a = _local.active = []
    return a


def _bump(field: str, k: int = 1) -> None:
    for c in _active():
        setattr(c, field, getattr(c, field) + k)


def _nbytes(v) -> tuple:
    """(key, bytes) of the memory a kept value holds: a view holds its base's buffer
    (counted once however many views share it); a stand-in for a value the tape did
    not keep (``residuals.NotKept``, shared) holds nothing."""
    v = getval(v)
    if isinstance(v, NotKept):
        return None, 0
    if isinstance(v, onp.ndarray):
        while isinstance(v.base, onp.ndarray):
            v = v.base
        return id(v), v.nbytes
    if isinstance(v, (float, complex, int, onp.generic)):
        return id(v), onp.asarray(v).nbytes
    return None, 0


def _batch_size(t) -> int:
    """Number of directions a tangent/cotangent carries: the batch size when it is a
    batched tracer (several directions stacked, see ``dualgrad.interpreters.batching``), else 1."""
    leaves = tree_flatten(t)[0] if not isinstance(t, Tracer) else [t]
    for leaf in leaves:
        size = getattr(getattr(leaf, "_level", None), "size", None)
        if isinstance(size, int):
            return size
    return 1


class _CountingForward(forward.ForwardLevel):
    __slots__ = ("_seen_dirs",)

    def __init__(self, depth, *a):
        super().__init__(depth, *a)
        self._seen_dirs = False
        _bump("jvp_passes")

    def process(self, prim, args, kwargs):
        traced = [a for a in args if type(a) is Dual and a._level is self]
        if not self._seen_dirs and traced:
            self._seen_dirs = True
            _bump("tangent_directions", _batch_size(traced[0].tangent))
        out = super().process(prim, args, kwargs)
        if type(out) is Dual and out._level is self:
            _bump("jvp_rules", 1 if ALL in prim.jvps else len(traced))
        return out


class _CountingReverse(reverse.ReverseLevel):
    __slots__ = ("_kept",)

    def __init__(self, depth, *a):
        super().__init__(depth, *a)
        self._kept = {}
        _bump("tape_passes")

    def _keep(self, node):
        saved = [v for _, _, r in node.parents if type(r) is functools.partial
                 for v in r.keywords.values()]  # values rules computed on the forward pass
        for v in (node.ans, *node.args, *saved):
            key, nb = _nbytes(v)
            if key is not None and key not in self._kept:
                self._kept[key] = v  # the tape holds it anyway; keeps the id unique
                _bump("tape_bytes", nb)

    def input(self, value):
        box = super().input(value)
        self._keep(box.node)
        return box

    def process(self, prim, args, kwargs):
        out = super().process(prim, args, kwargs)
        if type(out) is Box and out._level is self and not self.apart:
            node = out.node
            _bump("tape_nodes")
            self._keep(node)  # before the rules are wrapped: it reads their saved values
            node.parents = tuple((i, p, _counted_vjp(r)) for i, p, r in node.parents)
        return out

    def add_boundary(self, node):
        super().add_boundary(node)
        _bump("tape_nodes")
        self._keep(node)

    def backward(self, out_node, g, leaves, release=False):
        _bump("backward_passes")
        _bump("cotangent_directions", _batch_size(g))
        return super().backward(out_node, g, leaves, release)


_COUNTING = {forward.ForwardLevel: _CountingForward, reverse.ReverseLevel: _CountingReverse}


def _counting_class(cls):
    counting = _COUNTING.get(cls)
    if counting is None:
        # A subclass of a level (graph.record's recording forward level) counts too:
        # a class deriving from both, made once.
        for base, counter in list(_COUNTING.items()):
            if issubclass(cls, base) and not issubclass(cls, counter):
                counting = _COUNTING[cls] = type(f"_Counting{cls.__name__}", (cls, counter), {})
                break
    return cls if counting is None else counting


def _counted_fun(fun):
    def counted(*a, **k):
        _bump("primitive_evals")
        return fun(*a, **k)
    return counted


def _counted_vjp(rule):
    def counted(*a, **k):
        _bump("vjp_rules")
        return rule(*a, **k)
    return counted


class count:
    """Count the work of every differentiation inside a ``with`` block.

    Counting is per thread: while a block is active, forward and reverse levels
    created on this thread are counting subclasses (``dualgrad.core.instrument``),
    and each primitive's function is wrapped so that its evaluations on this
    thread are counted (unwrapped when the last block on any thread closes).
    Counting slows differentiation down: it is a tool for measuring, not for
    production. Blocks nest: each counts everything inside it.

    Parameters
    ----------
    None
        ``count()`` takes no arguments.

    Attributes
    ----------
    counts : Counts
        The counts being filled (also what ``with count() as c`` binds).

    Raises
    ------
    Nothing
        Errors inside the block propagate; counting stops cleanly.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> from dualgrad import grad
    >>> with count() as c:
    ...     g = grad(lambda x: np.sum(np.sin(x)))(np.ones(3))
    >>> c.tape_passes, c.backward_passes, c.cotangent_directions
    (1, 1, 1)
    """

    def __enter__(self) -> Counts:
        self.counts = Counts()
        with _wrap_lock:
            if _blocks[0] == 0:
                count._wrap_primitives()
            _blocks[0] += 1
        _active().append(self.counts)
        self._instrument = core.instrument(_counting_class)
        self._instrument.__enter__()
        return self.counts

    def __exit__(self, *exc):
        self._instrument.__exit__(*exc)
        _active().remove(self.counts)
        with _wrap_lock:
            _blocks[0] -= 1
            if _blocks[0] == 0:
                count._unwrap_primitives()

    _funs: dict = {}

    @staticmethod
    def _wrap_primitives():
        # Every primitive is a key of the rule tables: count calls of their functions.
        for prim in list(core.JVP_RULES) + list(core.VJP_RULES):
            if prim not in count._funs:
                count._funs[prim] = prim.fun
                prim.fun = _counted_fun(prim.fun)

    @staticmethod
    def _unwrap_primitives():
        for prim, fun in count._funs.items():
            prim.fun = fun
        count._funs = {}
