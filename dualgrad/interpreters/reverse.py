"""Reverse mode: a tape of boxed values, run backwards.

Each primitive applied to a ``Box`` records a ``Node``: the primitive, the
unboxed arguments, the answer and the parent nodes; of the arguments and the
answer it keeps only what the VJP rules declared they read (``residuals``),
the others as shape-and-dtype stand-ins. The backward pass visits
nodes in reverse order of creation (a valid reverse topological order, since
a node is always created after its parents) and applies the chain rule

    x_bar_i += VJP_i(out_bar)        for each traced argument x_i,

iteratively, so that a chain of any length needs no Python recursion.
"""
from __future__ import annotations

import functools
import sys

import numpy as onp

from . import multi_output
from ..core import (LEAF, Level, MissingRuleError, Tracer, check_live, in_dtype_of,
                    is_differentiable, peek, plain_if_pending, saved_values, tree_flatten,
                    tree_unflatten, vspace, warn)
from ..core.tracer import _FLOATS, BOX_TYPES, TraceId, body_answer
from ..core.levels import _node_ids, box_as, gc_paused, pause_gc, resume_gc
from ..core.residuals import _STAND_INS, plan, stand_in


class Node:
    """One recorded primitive application (or an input, with no primitive)."""

    __slots__ = ("id", "prim", "args", "kwargs", "ans", "parents")

    def __init__(self, prim, args, kwargs, ans, parents):
        self.id = next(_node_ids)
        self.prim = prim
        self.args = args
        self.kwargs = kwargs
        self.ans = ans
        self.parents = parents  # tuple of (argnum, parent Node, vjp rule)


_F64 = onp.float64
_FC = frozenset("fc")
_new = object.__new__


def _plan(prim, key: int, nargs: int) -> tuple:
    """``(rules, drop_ans, drop, drop_when_scalar, scalar)`` for ``prim`` applied to
    ``nargs`` arguments traced at the set bits of ``key``: each traced argument's VJP
    rule (``(argnum, rule)``), the residual plan (``core.residuals.plan``) and
    ``prim.scalar``. ``_SLOW`` when the hot path cannot record it (a rule missing, which
    ``_record`` reports if the answer is differentiable; rules declaring ``saves=``).
    Cached in ``prim.plans`` under ``-key``, which the rule table clears when a rule
    changes (and with it ``prim.saving``)."""
    if prim.saving:
        pl = prim.plans[-key] = _SLOW
        return pl
    traced = [i for i in range(nargs) if key >> i & 1]
    try:
        rules = tuple((i, prim.vjp_rule(i)) for i in traced)
    except MissingRuleError:
        pl = prim.plans[-key] = _SLOW
        return pl
    p = prim.plans.get(key) or plan(prim, traced, nargs, key)
    pl = prim.plans[-key] = (rules,) + tuple(p) + (prim.scalar,)
    return pl


_SLOW = (None,)


class Box(Tracer):
    """A value and its tape node, at one reverse level."""

    __slots__ = ("node",)

    def __init__(self, value, node: Node, level: "ReverseLevel"):
        self.value = value
        self.node = node
        self._level = level

    @property
    def _node(self):  # autograd's slot name
        return self.node


class ReverseLevel(Level):
    """A reverse-mode trace: records a node per primitive application, in
    order of creation on ``tape`` (a valid order for the backward pass)."""

    __slots__ = ("tape", "keep_all", "apart")

    def __init__(self, depth: int, *args):
        super().__init__(depth, *args)
        self.tape = []
        self.keep_all = False  # True: nodes keep every argument and answer (graph.record)
        # True while a checkpoint's forward pass records on a tape of its own, which
        # it replaces by its boundary (dualgrad.transforms.checkpoint): not this tape's
        self.apart = False

    # the cyclic GC is paused while the tape is recorded (core.levels.pause_gc)
    def __enter__(self):
        pause_gc()
        try:
            return super().__enter__()
        except BaseException:
            resume_gc()
            raise

    def __exit__(self, *exc):
        try:
            super().__exit__(*exc)
        finally:
            resume_gc()

    def process(self, prim, args, kwargs):
        """The hot path: arguments that are this level's plain boxes or constants, an
        answer that is a float or a float/complex array. Everything else (nested
        levels, faces, pending arrays, graph.record, saved values, other answers)
        goes to ``_process``. What each pattern of traced arguments needs (the rules
        and the residual plan) is planned once per primitive (``_plan``)."""
        if self.keep_all:
            return self._process(prim, args, kwargs)
        nargs = len(args)
        if nargs == 1:  # f(x): the commonest application, without the loop
            a = args[0]
            if a.__class__ is not Box or a._level is not self:
                return self._process(prim, args, kwargs)
            v = a.value
            if v.__class__ is not _F64 and isinstance(v, Tracer):  # (float64's long MRO)
                return self._process(prim, args, kwargs)
            pl = prim.plans.get(-3) or _plan(prim, 3, 1)
            if pl is _SLOW:
                return self._process(prim, args, kwargs)
            ans = prim.fun(v, **kwargs) if kwargs else prim.fun(v)
            cls = ans.__class__
            kept = ans
            if cls in _FLOATS:
                if pl[3] and v.__class__ is _NDARRAY:  # (a reduction's argument)
                    v = stand_in(v)
            elif cls is _NDARRAY and ans.dtype.kind in _FC:
                if pl[2] and v.__class__ is _NDARRAY:
                    v = stand_in(v)
                if pl[1]:  # (stand_in's first lines, without its frame)
                    kept = _STAND_INS.get((ans.shape, ans.dtype))
                    if kept is None:
                        kept = stand_in(ans)
            else:  # not a plain number; no tracer of this level inside
                return self._record(prim, [v], kwargs, body_answer(ans, self.depth),
                                    [(0, a.node, prim.vjps.get(0))], False)
            # Node(...) and Box(...) written out: no __init__ frame per primitive
            node = _new(Node)
            node.id = next(_node_ids)
            node.prim = prim
            node.args = (v,)
            node.kwargs = kwargs
            node.ans = kept
            node.parents = ((0, a.node, pl[0][0][1]),)
            self.tape.append(node)
            box = _new(Box)
            box.value = ans
            box.node = node
            box._level = self
            return box
        if nargs == 2:  # x op y: the binary operators, without the loop
            a, b = args
            if a.__class__ is Box and a._level is self:
                va = a.value
                if va.__class__ is not _F64 and isinstance(va, Tracer):
                    return self._process(prim, args, kwargs)
                if b.__class__ is Box and b._level is self:
                    vb = b.value
                    if vb.__class__ is not _F64 and isinstance(vb, Tracer):
                        return self._process(prim, args, kwargs)
                    key = 7
                elif isinstance(b, Tracer):
                    return self._process(prim, args, kwargs)
                else:
                    vb = b
                    key = 5
            elif b.__class__ is Box and b._level is self and not isinstance(a, Tracer):
                va = a
                vb = b.value
                if vb.__class__ is not _F64 and isinstance(vb, Tracer):
                    return self._process(prim, args, kwargs)
                key = 6
            else:
                return self._process(prim, args, kwargs)
            pl = prim.plans.get(-key) or _plan(prim, key, 2)
            if pl is _SLOW:
                return self._process(prim, args, kwargs)
            scalar = pl[4]
            if scalar is not None and not kwargs and (
                    va.__class__ is _F64 and vb.__class__ in _FLOATS
                    or vb.__class__ is _F64 and va.__class__ in _FLOATS):
                ans = scalar(va, vb)  # numpy's scalar arithmetic: the ufunc's answer
            else:
                ans = prim.fun(va, vb, **kwargs) if kwargs else prim.fun(va, vb)
            cls = ans.__class__
            kept = ans
            if cls in _FLOATS:
                drop = pl[3]
            elif cls is _NDARRAY and ans.dtype.kind in _FC:
                drop = pl[2]
                if pl[1]:  # (stand_in's first lines, without its frame)
                    kept = _STAND_INS.get((ans.shape, ans.dtype))
                    if kept is None:
                        kept = stand_in(ans)
            else:  # not a plain number: the general tail (containers, registered types, ...)
                parents = [(i, x.node, prim.vjps.get(i))
                           for i, x in ((0, a), (1, b)) if key >> i & 1]
                return self._record(prim, [va, vb], kwargs, body_answer(ans, self.depth),
                                    parents, False)
            rules = pl[0]
            if drop:
                for j in drop:
                    if j == 0:
                        if va.__class__ not in _FLOATS:
                            va = stand_in(va)
                    elif vb.__class__ not in _FLOATS:
                        vb = stand_in(vb)
            if key == 5:
                parents = ((0, a.node, rules[0][1]),)
            elif key == 6:
                parents = ((1, b.node, rules[0][1]),)
            else:
                parents = ((0, a.node, rules[0][1]), (1, b.node, rules[1][1]))
            node = _new(Node)
            node.id = next(_node_ids)
            node.prim = prim
            node.args = (va, vb)
            node.kwargs = kwargs
            node.ans = kept
            node.parents = parents
            self.tape.append(node)
            box = _new(Box)
            box.value = ans
            box.node = node
            box._level = self
            return box
        vals = []
        nodes = []
        key = 0
        bit = 1
        for a in args:
            if a.__class__ is Box and a._level is self:
                v = a.value
                if isinstance(v, Tracer):  # nested: an outer level's tracer inside
                    return self._process(prim, args, kwargs)
                vals.append(v)
                nodes.append(a.node)
                key |= bit
            elif isinstance(a, Tracer):
                return self._process(prim, args, kwargs)
            else:
                vals.append(a)
            bit <<= 1
        key |= bit  # the number of arguments is part of the pattern
        ans = prim.fun(*vals, **kwargs)
        cls = ans.__class__
        if cls in _FLOATS:
            floats = True
        elif cls is _NDARRAY and ans.dtype.kind in _FC:
            floats = False
        else:  # not a plain number: the general tail (containers, registered types, ...)
            traced = [i for i in range(len(vals)) if key >> i & 1]
            return self._record(prim, vals, kwargs, body_answer(ans, self.depth), [
                (i, n, prim.vjps.get(i)) for i, n in zip(traced, nodes)], False)
        pl = prim.plans.get(-key) or _plan(prim, key, len(vals))
        if pl is _SLOW:  # (saved values, or a missing rule: _record says which)
            traced = [i for i in range(len(vals)) if key >> i & 1]
            return self._record(prim, vals, kwargs, ans, [
                (i, n, prim.vjps.get(i)) for i, n in zip(traced, nodes)], False)
        rules, drop_ans, drop, drop_scalar = pl[:4]
        kept = ans
        if floats:
            drop = drop_scalar
        elif drop_ans:
            kept = stand_in(ans)
        if drop:
            for j in drop:
                if vals[j].__class__ not in _FLOATS:
                    vals[j] = stand_in(vals[j])
        node = Node(prim, tuple(vals), kwargs, kept,
                    tuple([(i, n, r) for (i, r), n in zip(rules, nodes)]))
        self.tape.append(node)
        return Box(ans, node, self)

    def _process(self, prim, args, kwargs):
        """``process`` for every case (see its docstring for the common one)."""
        vals = list(args)
        parents = []
        outer = False  # a tracer of an outer level remains among the values
        unruled = False  # some traced argument has no rule of its own (ANY, or none)
        vjps = prim.vjps
        for i, a in enumerate(args):
            if type(a) is Box and a._level is self:
                vals[i] = a.value
                rule = vjps.get(i)
                unruled = unruled or rule is None
                parents.append((i, a.node, rule))
                if isinstance(a.value, Tracer):  # nested: an outer level's tracer inside
                    outer = True
            elif isinstance(a, Tracer):
                if isinstance(a, Box) and a._level is self:  # a Box with a face (Box.register)
                    vals[i] = a.value
                    rule = vjps.get(i)
                    unruled = unruled or rule is None
                    parents.append((i, a.node, rule))
                    outer = outer or isinstance(a.value, Tracer)
                elif a._level.always_live:  # a pending array: a copy of its plain value (it
                    vals[i] = a.value.copy()  # may be written or become a tracer later)
                else:
                    outer = True
        if outer:
            ans = prim(*vals, **kwargs)
        else:
            ans = prim.fun(*vals, **kwargs)
            if type(ans) is not _NDARRAY and type(ans) not in _FLOATS:
                ans = body_answer(ans, self.depth)  # no tracer of this level inside
        return self._record(prim, vals, kwargs, ans, parents, unruled)

    def _record(self, prim, vals, kwargs, ans, parents, unruled):
        """Record ``prim``'s application (``parents``: ``(argnum, node, rule or None)``
        of each traced argument) and box its answer."""
        if type(ans) not in _FLOATS and not is_differentiable(ans):
            if not multi_output.is_container_answer(ans):
                return ans
            unruled = True  # a tuple/list/dict of values: one node, split below
        if unruled or any(rule is None for _, _, rule in parents):
            unruled = True
            for k, (i, node, rule) in enumerate(parents):
                if rule is None:  # the ANY rule; a missing VJP fails here, where it is used
                    parents[k] = (i, node, prim.vjp_rule(i))
        kept = ans
        # keep only the residuals the rules declared; nothing to drop when an
        # elementwise primitive gives a scalar (its arguments are scalars too)
        if not self.keep_all and (type(ans) not in _FLOATS or not (
                prim.elementwise or prim.broadcasts)):
            key = 1 << len(vals)  # the pattern of traced arguments
            for p in parents:
                key |= 1 << p[0]
            p = prim.plans.get(key) or plan(prim, [p[0] for p in parents], len(vals), key)
            if prim.saving:  # before the values the saved ones come from are dropped
                _bind_saved(parents, ans, vals, kwargs)
            if type(ans) in _FLOATS:
                drop = p[2]
            else:
                drop = p[1]
                if p[0]:
                    kept = stand_in(ans)
            if drop:
                for j in drop:
                    if type(vals[j]) not in _FLOATS:
                        vals[j] = stand_in(vals[j])
        node = Node(prim, tuple(vals), kwargs, kept, tuple(parents))
        self.tape.append(node)
        if unruled and multi_output.is_container_answer(ans):
            return multi_output.split(Box(ans, node, self))
        if BOX_TYPES and type(ans) is not _NDARRAY and type(ans) not in _FLOATS:
            return box_as(ans, Box, node, self)  # a registered type: its face
        return Box(ans, node, self)

    def lift(self, value) -> Box:
        """``value`` (a constant here, perhaps traced by an enclosing transform) as a
        tracer of this level: a node without parents."""
        node = Node(None, (), {}, value, ())  # the value: a checkpoint replays it
        self.tape.append(node)
        return Box(value, node, self)

    def add_boundary(self, node: Node) -> None:
        """Append ``node``, made outside ``process`` (a checkpoint's boundary)."""
        self.tape.append(node)

    def input(self, value) -> Box:
        """The traced input ``value``, on a new input node. A value of a type registered
        in ``BOX_TYPES`` (autograd's ``Box.type_mappings``) is boxed by its maker, called
        as autograd calls it, ``maker(value, trace, node)``: it may refuse the value
        (PennyLane's tensors with ``requires_grad=False``) or give the box a face."""
        node = self.input_node(value)
        maker = BOX_TYPES.get(type(value)) if BOX_TYPES and type(value) is not _NDARRAY else None
        if maker is None:
            return Box(value, node, self)
        box = maker(value, TraceId(self), node)
        if not (isinstance(box, Box) and box._level is self and box.node is node):
            raise TypeError(f"the box maker registered for {type(value).__name__} (autograd's "
                            f"Box.type_mappings) returned {type(box).__name__}, not a box of "
                            "the trace and node it was given")
        return box

    def input_node(self, value) -> Node:
        """A new input node (for ``value``) on this level's tape."""
        # no rule reads an input node's value: the tape keeps it only for graph.record
        node = Node(None, (), {}, value if self.keep_all else None, ())
        self.tape.append(node)
        return node

    def backward(self, out_node: Node, g, leaves: list, release: bool = False) -> list:
        """One backward pass over this level's tape (see ``backward``), the cyclic GC
        paused as while recording."""
        with gc_paused():
            return backward(out_node, g, leaves, release, tape=self.tape)


def backward(out_node: Node, g, leaves: list[Node], release: bool = False,
             tape: list | None = None) -> list:
    """Cotangents of ``leaves`` given cotangent ``g`` of ``out_node``.

    Leaves the output does not depend on get ``None``. Nodes are visited in
    reverse order of creation: ``tape`` (the level's list of nodes) gives that
    order directly; without it the nodes reachable from ``out_node`` are
    found and sorted. With ``release=True`` (a tape used once, as by ``grad``)
    each node drops its saved values as soon as its VJP has run, so memory
    falls during the pass.
    """
    if tape is not None:
        end = len(tape) - 1
        while tape[end] is not out_node:
            end -= 1
        order = tape[end::-1]
    else:
        order = _reachable(out_node)
        order.sort(key=_node_id, reverse=True)
    cts = {out_node: g}
    leaf_set = set(leaves)
    found = {}
    for node in order:
        ct = cts.pop(node, None)  # popped: drop cotangents as soon as used
        if ct is None:
            continue
        parents = node.parents
        if not parents:  # an input, or a constant-valued node
            if node in leaf_set:
                found[node] = ct
            continue
        args, kwargs, ans = node.args, node.kwargs, node.ans
        if release:
            node.args = node.ans = None
        for argnum, parent, rule in parents:
            # (no empty **kwargs to copy, no args tuple to unpack for a unary primitive)
            if kwargs:
                pg = rule(ct, ans, *args, **kwargs)
            elif len(args) == 1:
                pg = rule(ct, ans, args[0])
            elif len(args) == 2:
                pg = rule(ct, ans, args[0], args[1])
            else:
                pg = rule(ct, ans, *args)
            prev = cts.get(parent)
            if prev is None:
                cts[parent] = pg
            elif prev.__class__ is _NDARRAY and _refcount(prev) == 3 and (
                    prev.base is None and _addable_in_place(prev, pg)):
                # an array only cts holds (a sum made below, or a fresh array a rule made;
                # the other two references are prev and getrefcount's argument): later
                # terms are added in place, one array less per fan-in
                prev += pg
            else:
                cts[parent] = prev + pg
        if ct.__class__ not in _FLOATS:  # drop arrays and tracers now (memory, refcounts)
            del ct, pg, prev
    if cts:  # cotangents for nodes off the tape: only a checkpoint's inner ones
        _refuse_inner(cts)
    return [found.get(leaf) for leaf in leaves]


class _Inner:
    """The ``prim`` of a node made inside ``checkpoint(f)`` that ``f``'s outputs do not
    carry out (its tape is replaced by their boundary): a value that escaped otherwise."""
    name = "a checkpoint's inner value"


INNER = _Inner()


def _refuse_inner(cts: dict) -> None:
    if any(node.prim is INNER for node in cts):
        raise RuntimeError(
            "A value computed inside checkpoint(f) left it other than as f's result (an "
            "array written in place inside f, x[i] = y or x += y, where x was made outside "
            "f; or a value stored in a list, dict or attribute), so its derivative is lost. "
            "Return it from f instead, or build a new array inside f.")


_refcount = sys.getrefcount
_NDARRAY = onp.ndarray


def _addable_in_place(prev, pg) -> bool:
    """``prev += pg`` gives ``prev + pg``: plain writeable arrays of one shape and dtype."""
    return (type(pg) is onp.ndarray and type(prev) is onp.ndarray and pg.shape == prev.shape
            and pg.dtype == prev.dtype and prev.flags.writeable)


def _node_id(node: Node) -> int:
    return node.id


def _reachable(out_node: Node) -> list:
    seen = {out_node}
    stack = [out_node]
    while stack:
        node = stack.pop()
        for _, parent, _ in node.parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return list(seen)


# autograd warns when a reverse pass's output does not depend on its input; code
# written for it may expect the warning, so dualgrad.autograd_alias turns it on.
WARN_INDEPENDENT = False


def pull_back(fun, primals: tuple, *, once: bool = False):
    """Evaluate ``fun(*primals)`` on a tape.

    Returns ``(out, vjp)``: the plain output (a pytree) and a function taking
    an output cotangent (same structure) to the tuple of input cotangents.
    ``once=True`` promises a single call of ``vjp``: the tape then frees its
    saved values during the backward pass.
    """
    level = ReverseLevel.new()
    with level:
        flat_in, in_defs = zip(*(tree_flatten(p) for p in primals)) if primals else ((), ())
        boxed_flat = [[level.input(v) for v in leaves] for leaves in flat_in]
        boxed = tuple(tree_unflatten(d, b) for d, b in zip(in_defs, boxed_flat))
        # Read the input nodes now: x[i] = y inside fun rebinds an input box.
        leaves = [b.node for bs in boxed_flat for b in bs]
        out = fun(*boxed)
        out_leaves, out_def = tree_flatten(out)  # (a traced tuple is split on the tape)
    return _pulled(level, out_leaves, out_def, leaves, in_defs, boxed_flat, flat_in, once)


def grad_of_leaf(fun, x):
    """``pull_back(fun, (x,), once=True)`` for one plain input ``x`` (a float or an
    ndarray), with the backward pass already run when the output is this tape's real
    float scalar (the seed then is 1.0): ``(out, gradient, None)``. For any other
    output, ``(out, None, vjp)`` as ``pull_back`` gives them. The common ``grad`` call,
    without the trees and the closure."""
    level = ReverseLevel.new()
    pause_gc()  # one pause for the recording and the backward pass (not one each)
    try:
        Level.__enter__(level)
        try:
            box = level.input(x)
            leaf = box.node
            out = fun(box)
            if out.__class__ is Box and out._level is level and out.value.__class__ in _FLOATS:
                ans = out.value
                out_node = out.node
                del out
            else:
                out_leaves, out_def = tree_flatten(out)  # (a traced tuple is split on the tape)
                ans = None
        finally:
            Level.__exit__(level)
        if ans is None:
            out, vjp = _pulled(level, out_leaves, out_def, [leaf], (LEAF,), [[box]], ([x],),
                               True)
            return out, None, lambda g: vjp(g)[0]
        if type(level).backward is ReverseLevel.backward:
            ct = backward(out_node, _F64(1.0), [leaf], True, tape=level.tape)[0]
        else:  # a subclass's (the counters of dualgrad.graph)
            ct = level.backward(out_node, _F64(1.0), [leaf], True)[0]
        # The tape freed while the collector is still paused: resumed with the nodes alive
        # (counted as young), its first collection walked them all (35 ms at 10^5 ops).
        level.tape.clear()
        del out_node, leaf, box
    finally:
        resume_gc()
    return ans, vspace(x).zeros() if ct is None else like_input(ct, x), None


def _pulled(level, out_leaves, out_def, leaves, in_defs, boxed_flat, flat_in, once):
    """``pull_back``'s answer, once ``fun`` has run on ``level``'s tape."""
    for o in out_leaves:  # any other tracer (or one inside ours): of a live, enclosing transform
        if isinstance(o, Tracer):
            check_live(o.value if _here(o, level) else o, level)
    out_plain = tree_unflatten(out_def, [o.value if _here(o, level) else plain_if_pending(o)
                                         for o in out_leaves])
    if WARN_INDEPENDENT and not any(_here(o, level) for o in out_leaves):
        # autograd's warning (given under dualgrad.autograd_alias), at the user's line
        warn("Output seems independent of input.")

    used = []

    def vjp(g):
        g_leaves, g_def = tree_flatten(g)
        if g_def is not out_def and g_def != out_def:
            raise ValueError(f"The cotangent's structure {g_def} does not match the "
                             f"output's {out_def}.")
        for o, gl in zip(out_leaves, g_leaves):
            if _shape(gl) != _shape(o):
                raise ValueError(f"The cotangent has shape {onp.shape(peek(gl))} but the "
                                 f"output it pairs with has shape {onp.shape(peek(o))}: "
                                 "give a cotangent shaped like the output.")
        total = None
        traced = [(o, gl) for o, gl in zip(out_leaves, g_leaves) if _here(o, level)]
        release = once and len(traced) == 1
        if release and used:
            raise RuntimeError("This VJP was made for one use (its tape was released); "
                               "this is a dualgrad bug, please report it.")
        used.append(True)
        for o, gl in traced:
            cts = level.backward(o.node, gl, leaves, release)
            total = cts if total is None else [
                c if t is None else (t if c is None else t + c) for t, c in zip(total, cts)]
        total = total or [None] * len(leaves)
        result, k = [], 0
        for d, bs, vs in zip(in_defs, boxed_flat, flat_in):
            nested = d is not LEAF
            vals = [vspace(v).zeros() if c is None else like_input(c, v, nested)
                    for v, c in zip(vs, total[k:k + len(bs)])]
            k += len(bs)
            result.append(tree_unflatten(d, vals))
        return tuple(result)

    return out_plain, vjp


def _bind_saved(parents: list, ans, vals: list, kwargs: dict) -> None:
    """Rules declared with ``saves=`` get their values now, computed from the full
    answer and arguments and bound to the rule on the tape, which keeps them
    instead of what they were computed from."""
    for k, (i, node, rule) in enumerate(parents):
        saves = getattr(rule, "saves", None)
        if saves:
            parents[k] = (i, node, functools.partial(
                rule.raw, **saved_values(saves, ans, vals, kwargs)))


def _here(x, level) -> bool:
    return (type(x) is Box or isinstance(x, Box)) and x._level is level


def _shape(v) -> tuple:
    """The shape of ``v``'s plain value (a float or an array: no numpy dispatch)."""
    cls = v.__class__
    if cls is _NDARRAY:
        return v.shape
    if cls in _FLOATS:
        return ()
    return onp.shape(peek(v))


def like_input(ct, x, nested: bool = False):
    """The cotangent as autograd hands it out: of a scalar input, a numpy scalar, or a
    0-d array when the scalar sits inside a tuple, list or dict (``nested``; also
    each argument of a tuple ``argnum``); a read-only view (a broadcast seed passed
    straight through) as a fresh array."""
    if isinstance(ct, Tracer):  # of a live, enclosing transform (not a leaked one)
        check_live(ct)
        return in_dtype_of(ct, x)
    scalar_input = not isinstance(x, (onp.ndarray, Tracer))
    if nested and scalar_input and isinstance(ct, (onp.generic, float, complex)):
        ct = onp.array(ct)
    if type(ct) is onp.ndarray:
        if ct.ndim == 0 and scalar_input and not nested:
            return ct[()]
        if not ct.flags.writeable:
            return ct.copy()
    return in_dtype_of(ct, x)
