"""``checkpoint(fun)``: derivatives recomputed from the inputs instead of kept on the tape.

Only a reverse-mode tape keeps values for later, so only there does a checkpoint act;
under every other transform (``jvp``, ``vmap``, sparsity detection) ``fun`` runs as it
is. Under a reverse level ``L`` (the innermost one), ``fun`` runs once with ``L``
recording on a tape of its own. That tape is a program: each node's primitive, its
constant arguments and where its traced ones come from, either an earlier node or an
*external* one (a node made before the call: the arguments, and any traced value ``fun``
closes over, a layer's weights). The program's inner values are then dropped, and each
of ``fun``'s outputs becomes one node whose parents are the externals it depends on and
whose VJP replays the program from the externals' values (kept: the boundary) and pulls
the cotangent back through the replay:

    ȳ_k  ->  (ē_1, ..., ē_m) = vjp(e -> program(e)_k)(ȳ_k)

so a closure over traced values is differentiated like an argument (as ``jax.checkpoint``
and ``torch.utils.checkpoint`` do), outputs may be any pytree, and since the replay is
made of primitives, higher orders and enclosing transforms follow. The externals' values
are those at the call: an array written in place after it does not change the replay.
"""
from __future__ import annotations

import functools

from ..core import Tracer, is_container, tree_flatten
from ..core.levels import _stack
from ..interpreters import multi_output
from ..interpreters.reverse import INNER, Box, ReverseLevel, pull_back
from . import checks
from .transform import Fun

_CONST, _EXT, _STEP = 0, 1, 2


def checkpoint(fun: Fun) -> Fun:
    """``fun`` with the same derivatives in every mode, whose inner steps a reverse-mode
    tape does not keep: they are recomputed from ``fun``'s inputs (its arguments and the
    traced values it closes over) when the backward pass reaches them (memory for
    time). ``fun`` may return any pytree of arrays.

    Parameters
    ----------
    fun : callable
        The function whose intermediate values are not stored.

    Returns
    -------
    callable
        ``fun``'s values and derivatives; under reverse mode its tape keeps only the
        inputs and outputs, and ``fun`` runs a second time on the backward pass.

    Raises
    ------
    TypeError
        If ``fun`` is not callable.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> from dualgrad import checkpoint, grad
    >>> layer = checkpoint(lambda x: np.tanh(np.sin(x) * 2.0))
    >>> round(float(grad(lambda x: layer(layer(x)))(0.3)), 6)  # as without checkpoint
    0.976076
    """
    checks.check_fun(fun, "checkpoint")

    @functools.wraps(fun)
    def checkpointed(*args, **kwargs):
        level = _innermost_reverse()
        if level is None:  # no tape keeps anything: nothing to recompute
            return fun(*args, **kwargs)
        return _apart(level, fun, args, kwargs)
    return checkpointed


def _innermost_reverse():
    for level in reversed(_stack()):
        if isinstance(level, ReverseLevel) and not level.exited:
            return level
    return None


def _apart(level: ReverseLevel, fun, args, kwargs):
    """``fun(*args, **kwargs)`` with ``level`` recording on a tape of its own, replaced
    by the boundary nodes of ``fun``'s outputs."""
    saved = level.tape, level.keep_all, level.apart
    level.tape, level.keep_all, level.apart = [], True, True  # every value: the program
    try:
        out = fun(*args, **kwargs)
        inner = level.tape
    finally:
        level.tape, level.keep_all, level.apart = saved
    if inner:
        _Program(inner, _boxes_in(out, level)).install(level)
    return out


def _boxes_in(tree, level) -> list:
    """The boxes of ``level`` in ``tree``, also inside other levels' tracers."""
    found, todo, seen = [], list(tree_flatten(tree)[0]), set()
    while todo:
        t = todo.pop()
        if not isinstance(t, Tracer) or id(t) in seen:
            continue
        seen.add(id(t))
        if type(t) is Box and t._level is level:
            found.append(t)
            continue
        for cls in type(t).__mro__:  # the tracer's slots: value, tangent, ...
            for slot in getattr(cls, "__slots__", ()):
                if slot not in ("_level", "_view", "_views", "__weakref__"):
                    todo.append(getattr(t, slot, None))
    return found


class _Program:
    """The steps of a checkpoint's inner tape, replayable from its externals."""

    def __init__(self, inner: list, outs: list):
        index = {node: k for k, node in enumerate(inner)}
        self.steps, ext_nodes, ext_vals, ext_of = [], [], [], {}
        deps = []  # per step: the externals it depends on
        for node in inner:
            if not node.parents:  # a constant made traced (a pending array's lift)
                self.steps.append((None, node.ans, None))
                deps.append(frozenset())
                continue
            traced = {i: p for i, p, _ in node.parents}
            spec, dep = [], set()
            for i, v in enumerate(node.args):
                parent = traced.get(i)
                if parent is None:
                    spec.append((_CONST, v))
                elif parent in index:
                    spec.append((_STEP, index[parent]))
                    dep |= deps[index[parent]]
                else:
                    if parent not in ext_of:
                        ext_of[parent] = len(ext_nodes)
                        ext_nodes.append(parent)
                        ext_vals.append(v)
                    spec.append((_EXT, ext_of[parent]))
                    dep.add(ext_of[parent])
            self.steps.append((node.prim, spec, node.kwargs))
            deps.append(frozenset(dep))
        self.ext_nodes, self.ext_vals = ext_nodes, tuple(ext_vals)
        # fun's outputs made inside it: one boundary node each (others are externals)
        self.outs = sorted({index[b.node] for b in outs if b.node in index})
        self.deps = {k: sorted(deps[k]) for k in self.outs}
        self.inner = inner
        self._cache = None

    def install(self, level: ReverseLevel) -> None:
        """Turn the output nodes into boundary nodes on ``level``'s tape; every other
        inner node is emptied (its values freed) and marked ``INNER``."""
        outs = set(self.outs)
        for k, node in enumerate(self.inner):
            if k in outs:
                continue
            node.prim, node.args, node.kwargs, node.ans, node.parents = INNER, (), {}, None, ()
        for k in self.outs:
            node = self.inner[k]
            deps = self.deps[k]
            node.prim = _Replayed(self, k)
            node.args, node.kwargs, node.ans = self.ext_vals, {}, None
            node.parents = tuple((e, self.ext_nodes[e], functools.partial(self._vjp, k, e, deps[-1]))
                                 for e in deps)  # (none: a constant output)
            level.add_boundary(node)
        del self.inner

    def run(self, ext: tuple, upto: int):
        """The value of step ``upto`` with the externals ``ext``."""
        vals = []
        for prim, spec, kwargs in self.steps[:upto + 1]:
            if prim is None:
                vals.append(spec)
                continue
            args = [v if kind == _CONST else ext[v] if kind == _EXT else vals[v]
                    for kind, v in spec]
            if prim is multi_output.output_item and is_container(args[0]):
                # a container answer comes back from the replay split into its parts
                vals.append(tree_flatten(args[0])[0][kwargs["index"]])
                continue
            vals.append(prim(*args, **kwargs))
        return vals[upto]

    def _vjp(self, k: int, e: int, last: int, ct, ans, *ext):
        """The cotangent of external ``e`` from output ``k``'s ``ct``: one replay per
        output and cotangent, shared by its externals (the backward pass asks for them
        one after another)."""
        cache = self._cache
        if cache is None or cache[0] != k or cache[1] is not ct:
            _, back = pull_back(lambda *xs: self.run(xs, k), ext)
            cache = self._cache = (k, ct, back(ct))
        if e == last:
            self._cache = None  # the last of this output's externals: free it
        g = cache[2][e]
        return multi_output._summable(g) if isinstance(g, (tuple, list, dict)) else g


class _Replayed:
    """The ``prim`` of a checkpoint's boundary node: output ``k`` of the program (an
    enclosing checkpoint's replay calls it, as a checkpoint again)."""

    __slots__ = ("program", "k")

    def __init__(self, program: _Program, k: int):
        self.program, self.k = program, k

    @property
    def name(self) -> str:
        return "checkpoint"

    def __call__(self, *ext):
        return checkpoint(lambda *xs: self.program.run(xs, self.k))(*ext)


__all__ = ["checkpoint"]
