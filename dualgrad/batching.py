"""Batching: one pass for many tangent or cotangent directions.

A ``Batched`` tracer holds several examples of a value at once, stacked on a
leading *batch axis*. Applying a primitive to batched values applies it to
every example; a batch rule does that in one call of the primitive on the
stacked arrays (elementwise: line the batch axis up and broadcast;
reductions and shape ops: shift ``axis``; products: a batched product), and
a primitive without one falls back to a loop over the examples (correct,
slower). Unbatched arguments pass straight through.

This is what makes Jacobians one pass: ``jacfwd`` pushes a ``Batched``
identity matrix of tangents through one evaluation, ``jacrev`` pulls a
``Batched`` identity of cotangents through one backward pass over one tape.
The calculus rules never see the batch axis: to them a ``Batched`` value is
one example. Its ``value`` (what ``getval`` returns) therefore only gives the
per-example shape and dtype; reading its numbers raises, since a rule that
reads values (a mask) cannot be batched that way.

Batch rules have the signature ``rule(size, vals, batched, **kwargs)``:
``vals`` are the positional arguments with this level unwrapped,
``batched[i]`` says whether ``vals[i]`` carries the batch axis (axis 0, of
length ``size``). They call primitives (so lower levels still trace) and
return the stacked answer, or ``NotImplemented`` to ask for the loop.
"""
from __future__ import annotations

import logging
import operator
import string
from typing import Callable

import numpy as onp
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from .core import Level, Primitive, Tracer, getval
from .rules import _helpers, complex as cx, elementwise as ew, linalg as la
from .rules import reductions as red, shape as shp
from .vspace import tree_flatten, tree_map, tree_unflatten

BATCH_RULES: dict[Primitive, Callable] = {}
log = logging.getLogger("dualgrad")


class BatchingError(TypeError):
    """A rule read the numbers of a batched value; the callers (vmap, jacobian)
    catch it and loop over the examples instead."""


_READS = ("A derivative rule read the numbers of a batched value (for example a mask "
          "in max, abs, clip or power), which one batched pass cannot do; dualgrad "
          "falls back to a loop over the examples.")
_SHAPE_FUNCTIONS = {onp.shape, onp.ndim, onp.size, onp.result_type, onp.iscomplexobj,
                    onp.isrealobj, onp.broadcast_to, onp.expand_dims, onp.reshape}


class _ShapeOnly(onp.ndarray):
    """What a rule sees of a batched value: one example's shape and dtype. Its
    numbers are a poison (NaN, or an out-of-range index) and computing with it
    raises ``BatchingError``."""

    def __array_ufunc__(self, *args, **kwargs):
        raise BatchingError(_READS)

    def __array_function__(self, func, types, args, kwargs):
        if func not in _SHAPE_FUNCTIONS:
            raise BatchingError(_READS)
        return super().__array_function__(func, types, args, kwargs)

    def _branch(self, *args):
        # Python control flow on a batched value (if x > 0, max(x, 0)) would take
        # one branch for all examples: refuse, so vmap loops over the examples.
        raise BatchingError("Python control flow (if, while, bool, float) on a batched "
                            "value cannot serve all examples in one pass; dualgrad loops "
                            "over the examples instead.")

    __bool__ = __float__ = __int__ = __index__ = __complex__ = _branch
    item = tolist = _branch


def _shape_only(shape, dtype) -> _ShapeOnly:
    kind = onp.dtype(dtype).kind
    fill = onp.nan if kind in "fc" else onp.iinfo(dtype).min if kind in "iu" else False
    return onp.broadcast_to(onp.array(fill, dtype), shape).view(_ShapeOnly)


class Batched(Tracer):
    """A stack of examples of one value, at one batching level."""

    __slots__ = ("val", "_proxy")

    def __init__(self, val, level: "BatchLevel"):
        self.val = val        # the stacked examples: batch axis first
        self._level = level
        self._proxy = None

    @property
    def value(self):
        if self._proxy is None:
            v = getval(self.val)
            self._proxy = _shape_only(onp.shape(v)[1:], onp.result_type(v))
        return self._proxy

    def __repr__(self):
        return f"Batched({self._level.size} x {self.shape}, level={self._level.depth})"


class BatchLevel(Level):
    """A batching trace of ``size`` examples."""

    __slots__ = ("size",)
    maps_nondiff = True

    def __init__(self, depth: int, size: int):
        super().__init__(depth)
        self.size = size

    def process(self, prim, args, kwargs):
        vals, batched = _unwrap(self, args)
        rule = BATCH_RULES.get(prim)
        if rule is not None:
            out = rule(self.size, vals, batched, **kwargs)
        elif prim.__dict__.get("elementwise"):  # declared with rules._helpers.elementwise
            out = prim(*_align(self.size, vals, batched), **kwargs)
        else:
            out = NotImplemented
        if out is NotImplemented:
            out = _loop(prim, self.size, vals, batched, kwargs)
        if isinstance(out, (tuple, list)):
            return _like(out, [Batched(o, self) for o in out])
        return Batched(out, self)

    def process_nondiff(self, fun, args, kwargs):
        """A function without derivative (comparisons, argmax): plain values out,
        stacked, still batched."""
        vals, batched = [], []
        for a in args:
            b = _plain_batched(a, self)
            vals.append(getval(a) if b is None else b)
            batched.append(b is not None)
        kwargs = {k: getval(v) for k, v in kwargs.items()}
        if fun in _ELEMENTWISE_NONDIFF or isinstance(fun, onp.ufunc):
            return Batched(fun(*_align(self.size, vals, batched), **kwargs), self)
        results = [fun(*[v[k] if b else v for v, b in zip(vals, batched)], **kwargs)
                   for k in range(self.size)]
        if results and not isinstance(results[0], (onp.ndarray, onp.generic, int, float, complex)):
            return results[0]  # e.g. a shape: the same for every example
        return Batched(onp.stack(results), self)


def _plain_batched(a, level):
    """The plain stacked array of ``a`` if it is batched at ``level`` (under any
    tracers of deeper levels), else None."""
    while isinstance(a, Tracer):
        if a._level is level:
            return getval(a.val)
        a = a.value
    return None


def _unwrap(level, args):
    vals, batched = list(args), [False] * len(args)
    for i, a in enumerate(args):
        if type(a) is Batched and a._level is level:
            vals[i], batched[i] = a.val, True
    return vals, batched


def _loop(prim, size, vals, batched, kwargs):
    """The fallback: apply ``prim`` to each example and stack the answers."""
    results = [prim(*[v[k] if b else v for v, b in zip(vals, batched)], **kwargs)
               for k in range(size)]
    if isinstance(results[0], (tuple, list)):
        return _like(results[0], [_stack(list(r)) for r in zip(*results)])
    return _stack(results)


def _like(seq, items):
    """``items`` in a sequence of ``seq``'s type (namedtuples too)."""
    return type(seq)(*items) if hasattr(seq, "_fields") else type(seq)(items)


def _stack(xs):
    if any(isinstance(x, Tracer) for x in xs):
        return shp.stack(xs)
    return onp.stack(xs)


# ---------------------------------------------------------------- helpers
def _shape(v) -> tuple:
    return onp.shape(getval(v))


def _expand_to(v, size, nd):
    """A batched value with its example axes padded on the left to ``nd``."""
    s = _shape(v)
    return v if len(s) - 1 >= nd else shp.reshape(v, (size,) + (1,) * (nd - len(s) + 1) + s[1:])


def _align(size, vals, batched):
    """Arguments of an elementwise function, batch axes lined up at axis 0 of
    the broadcast result (unbatched ones broadcast against the example axes)."""
    nd = 0
    for v, b in zip(vals, batched):
        if v is not None:
            nd = max(nd, len(_shape(v)) - b)
    return [_expand_to(v, size, nd) if b else v for v, b in zip(vals, batched)]


def def_batch(prim: Primitive, rule: Callable = None):
    """Register ``rule(size, vals, batched, **kwargs)`` as ``prim``'s batch rule."""
    def register(r):
        BATCH_RULES[prim] = r
        return r
    return register if rule is None else register(rule)


def def_batch_elementwise(prim: Primitive) -> Primitive:
    """Declare ``prim`` elementwise (numpy broadcasting over all its array arguments)."""
    def rule(size, vals, batched, **kwargs):
        return prim(*_align(size, vals, batched), **kwargs)
    BATCH_RULES[prim] = rule
    return prim


def batched_rule_names() -> list[str]:
    """Names of the primitives with a fast batch rule (the others loop over the batch)."""
    from .core import JVP_RULES
    flagged = {p.name for p in JVP_RULES if isinstance(p, Primitive) and p.__dict__.get("elementwise")}
    return sorted({p.name for p in BATCH_RULES} | flagged)


_ELEMENTWISE_NONDIFF = {operator.lt, operator.le, operator.gt, operator.ge, operator.eq,
                        operator.ne}


# ---------------------------------------------------------------- elementwise
for _p in [*vars(ew).values(), cx.real, cx.imag, cx.conj, cx.absolute, cx.angle,
           _helpers.astype]:
    if isinstance(_p, Primitive):
        def_batch_elementwise(_p)


# ---------------------------------------------------------------- reductions
def _reduction(prim):
    def rule(size, vals, batched, axis=None, **kwargs):
        if len(vals) > 2 or any(batched[1:]):
            return NotImplemented
        x, axis = vals[0], vals[1] if len(vals) > 1 else axis
        nd = len(_shape(x)) - 1
        axes = tuple(range(nd)) if axis is None else normalize_axis_tuple(axis, nd)
        return prim(x, axis=tuple(a + 1 for a in axes), **kwargs)
    return rule


for _p in (red.sum, red.mean, red.prod, red.max, red.min):
    BATCH_RULES[_p] = _reduction(_p)


@def_batch(red.cumsum)
def _cumsum_batch(size, vals, batched, axis=None, **kwargs):
    if len(vals) > 2 or any(batched[1:]):
        return NotImplemented
    x, axis = vals[0], vals[1] if len(vals) > 1 else axis
    if axis is None:
        return red.cumsum(shp.reshape(x, (size, -1)), axis=1, **kwargs)
    return red.cumsum(x, axis=normalize_axis_index(axis, len(_shape(x)) - 1) + 1, **kwargs)


# ---------------------------------------------------------------- shape
@def_batch(shp.reshape)
def _reshape_batch(size, vals, batched, order="C"):
    x, shape = vals[0], vals[1]
    if order != "C" or batched[1]:
        return NotImplemented
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    return shp.reshape(x, (size,) + shape, order=order)


@def_batch(shp.transpose)
def _transpose_batch(size, vals, batched, axes=None):
    x = vals[0]
    nd = len(_shape(x)) - 1
    axes = vals[1] if len(vals) > 1 else axes
    perm = range(nd - 1, -1, -1) if axes is None else normalize_axis_tuple(axes, nd)
    return shp.transpose(x, (0,) + tuple(a + 1 for a in perm))


def _is_advanced(i) -> bool:
    return isinstance(i, (onp.ndarray, list))


def _batched_index(idx):
    """``idx`` for arrays with a batch axis in front, or None when numpy would
    move the advanced-index axes in front of the batch axis."""
    idx = idx if isinstance(idx, tuple) else (idx,)
    if any(isinstance(i, _ShapeOnly) for i in idx):
        raise BatchingError(_READS)  # an index computed from batched values
    if any(_is_advanced(i) for i in idx):
        adv = [k for k, i in enumerate(idx)
               if _is_advanced(i) or isinstance(i, (int, onp.integer))]
        if adv[-1] - adv[0] + 1 != len(adv):
            return None
    return (slice(None),) + idx


@def_batch(shp.getitem)
def _getitem_batch(size, vals, batched, **kwargs):
    idx = _batched_index(vals[1])
    if batched[1] or idx is None:
        return NotImplemented
    return shp.getitem(vals[0], idx)


@def_batch(shp.untake)
def _untake_batch(size, vals, batched, **kwargs):
    g, idx, shape = vals
    bidx = _batched_index(idx)
    if batched[1] or batched[2] or bidx is None:
        return NotImplemented
    return shp.untake(g, bidx, (size,) + tuple(shape))


@def_batch(shp.concatenate_args)
def _concatenate_batch(size, vals, batched, axis=0):
    if axis is None:
        parts = [shp.reshape(v, (size, -1)) if b else shp.reshape(v, (1, -1))
                 for v, b in zip(vals, batched)]
        ax = 1
    else:
        nd = next(len(_shape(v)) - b for v, b in zip(vals, batched))
        ax = normalize_axis_index(axis, nd) + 1
        parts = [v if b else shp.reshape(v, (1,) + _shape(v)) for v, b in zip(vals, batched)]
    parts = [p if b else _helpers.broadcast_to(p, (size,) + _shape(p)[1:])
             for p, b in zip(parts, batched)]
    return shp.concatenate_args(*parts, axis=ax)


@def_batch(_helpers.broadcast_to)
def _broadcast_to_batch(size, vals, batched, **kwargs):
    x, shape = vals[0], tuple(vals[1]) if len(vals) > 1 else tuple(kwargs.pop("shape"))
    return _helpers.broadcast_to(_expand_to(x, size, len(shape)), (size,) + shape)


@def_batch(_helpers.sum_to_shape)
def _sum_to_shape_batch(size, vals, batched, shape=None):
    x, shape = vals[0], vals[1] if len(vals) > 1 else shape
    lead = len(_shape(x)) - 1 - len(shape)
    if lead > 0:
        x = red.sum(x, axis=tuple(range(1, lead + 1)))
    return _helpers.sum_to_shape(x, shape=(size,) + tuple(shape))


# ---------------------------------------------------------------- products
@def_batch(la.matmul)
def _matmul_batch(size, vals, batched, **kwargs):
    if kwargs:
        return NotImplemented
    a, b = vals
    ba, bb = batched[:2]
    na, nb = len(_shape(a)) - ba, len(_shape(b)) - bb
    fast = _matmul_one_product(size, a, b, ba, bb, na, nb)
    if fast is not None:
        return fast
    if na == 1:  # a row (1, k), dropped again below
        a = shp.reshape(a, _shape(a)[:-1] + (1,) + _shape(a)[-1:])
    if nb == 1:  # a column (k, 1)
        b = shp.reshape(b, _shape(b) + (1,))
    pa, pb = max(na, 2), max(nb, 2)
    if ba:  # keep the batch axis in front of every stack axis
        a = _expand_to(a, size, max(pa, pb))
    if bb:
        b = _expand_to(b, size, max(pa, pb))
    out = la.matmul(a, b)
    if na == 1 or nb == 1:  # drop the axes the promotion added
        s = _shape(out)
        keep = s[:-2] + (() if na == 1 else s[-2:-1]) + (() if nb == 1 else s[-1:])
        out = shp.reshape(out, keep)
    return out


def _matmul_one_product(size, a, b, ba, bb, na, nb):
    """The common cases with one batched operand as ONE matrix product (numpy
    would otherwise loop over a stack of small products); None for the rest."""
    if ba and not bb and nb <= 2:
        if na == 1:   # rows (B, k) @ b
            return la.matmul(a, b)
        if na == 2:   # (B*m, k) @ b
            m, k = _shape(a)[1:]
            out = la.matmul(shp.reshape(a, (size * m, k)), b)
            return shp.reshape(out, (size, m) + _shape(out)[1:])
    if bb and not ba and na <= 2:
        if nb == 1:   # a @ b_i = b_i @ a^T for each row b_i of (B, k)
            return la.matmul(b, a if na == 1 else shp.transpose(a, (1, 0)))
        if nb == 2 and na == 2:  # a @ [b_1 ... b_B] side by side, then split
            k, n = _shape(b)[1:]
            wide = shp.reshape(shp.transpose(b, (1, 0, 2)), (k, size * n))
            out = la.matmul(a, wide)
            return shp.transpose(shp.reshape(out, (_shape(a)[0], size, n)), (1, 0, 2))
    return None


@def_batch(la.tensordot)
def _tensordot_batch(size, vals, batched, axes=2):
    a, b = vals[:2]
    axes = vals[2] if len(vals) > 2 else axes
    ba, bb = batched[:2]
    na, nb = len(_shape(a)) - ba, len(_shape(b)) - bb
    a_ax, b_ax = la._norm_axes(na, nb, axes)
    if ba and not bb:
        return la.tensordot(a, b, axes=([i + 1 for i in a_ax], b_ax))
    if bb and not ba:
        out = la.tensordot(a, b, axes=(a_ax, [i + 1 for i in b_ax]))
        k = na - len(a_ax)  # where the batch axis landed
        nd = len(_shape(out))
        return shp.transpose(out, (k,) + tuple(i for i in range(nd) if i != k))
    letters = iter(string.ascii_letters)
    batch = next(letters)
    sa = [next(letters) for _ in range(na)]
    sb = [next(letters) for _ in range(nb)]
    for i, j in zip(a_ax, b_ax):
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in a_ax] + \
          [c for j, c in enumerate(sb) if j not in b_ax]
    spec = f"{batch}{''.join(sa)},{batch}{''.join(sb)}->{batch}{''.join(out)}"
    return la.einsum_prim(spec, a, b)


@def_batch(la.einsum_prim)
def _einsum_batch(size, vals, batched, **kwargs):
    subscripts, ops = vals[0], vals[1:]
    if batched[0] or "..." in subscripts or "->" not in subscripts:
        return NotImplemented
    ins, out = subscripts.replace(" ", "").split("->")
    letter = next(c for c in string.ascii_letters if c not in subscripts)
    ins = [letter + s if b else s for s, b in zip(ins.split(","), batched[1:])]
    return la.einsum_prim(",".join(ins) + "->" + letter + out, *ops, **kwargs)


# ---------------------------------------------------------------- entry points
def batch_wrap(level: BatchLevel, tree):
    """Every leaf of ``tree`` (stacked examples) as a ``Batched`` of ``level``."""
    leaves, td = tree_flatten(tree)
    return tree_unflatten(td, [Batched(v, level) for v in leaves])


def batch_unwrap(level: BatchLevel, tree):
    """The stacked arrays of the leaves of ``tree``; a leaf that does not depend
    on the batched inputs is repeated ``level.size`` times."""
    leaves, td = tree_flatten(tree)
    out = []
    for o in leaves:
        if type(o) is Batched and o._level is level:
            out.append(o.val)
        elif isinstance(o, Tracer):
            out.append(_helpers.broadcast_to(shp.reshape(o, (1,) + _shape(o)),
                                             (level.size,) + _shape(o)))
        else:
            o = onp.asarray(o)
            out.append(onp.broadcast_to(o, (level.size,) + o.shape).copy())
    return tree_unflatten(td, out)


def _tree_index(tree, k):
    leaves, td = tree_flatten(tree)
    return tree_unflatten(td, [leaf[k] for leaf in leaves])


def _check_axes(args, in_axes):
    """The in_axes entry of each argument, and the common size of the mapped axes."""
    axes = list(in_axes) if isinstance(in_axes, (tuple, list)) else [in_axes] * len(args)
    if len(axes) != len(args):
        raise TypeError(f"vmap: in_axes has {len(axes)} entries for {len(args)} arguments.")
    sizes = set()
    for a, ax in zip(args, axes):
        if ax is None:
            continue
        if not isinstance(ax, (int, onp.integer)):
            raise TypeError(f"vmap: each in_axes entry is an int or None, not {ax!r}.")
        for leaf in tree_flatten(a)[0]:
            shape = _shape(leaf)
            if not -len(shape) <= ax < len(shape):
                raise ValueError(f"vmap: in_axes={ax} but an argument has shape {shape}.")
            sizes.add(shape[ax])
    if not sizes:
        raise ValueError(f"vmap: in_axes={in_axes!r} maps no argument, so there is nothing "
                         "to map over; give the mapped argument an axis (e.g. 0).")
    if len(sizes) != 1:
        raise ValueError("vmap: the mapped axes of all arguments must have one length; got "
                         f"{sorted(sizes)} (in_axes={in_axes!r}).")
    return axes, sizes.pop()


def _tree_moveaxis(a, ax):
    from .rules.shape import moveaxis
    return tree_map(lambda leaf: moveaxis(leaf, ax, 0), a)


def vmap(fun: Callable, in_axes=0) -> Callable:
    """``fun`` mapped over a leading axis of its arguments, in one batched pass.

    ``in_axes`` is an axis (map every argument over it), or a tuple with an
    axis or None per positional argument (None: the same value for every
    example). The mapped axes must all have the same length.
    Outputs are stacked on axis 0. Per-example gradients are
    ``vmap(grad(loss), in_axes=(None, 0))(params, examples)``.

    When a derivative rule inside ``fun`` reads the values of a batched
    primal (a mask, as in the rules of ``maximum`` or ``**``), or ``fun``
    branches in Python on a batched value, one pass cannot serve all examples
    and ``vmap`` loops over them instead (same result).

    >>> import dualgrad.numpy as np
    >>> vmap(lambda x: np.sum(x ** 2))(np.arange(6.0).reshape(3, 2))
    array([ 1., 13., 41.])
    """
    def mapped(*args):
        axes, n = _check_axes(args, in_axes)
        args = [a if ax in (None, 0) else _tree_moveaxis(a, ax) for a, ax in zip(args, axes)]
        axes = [None if ax is None else 0 for ax in axes]
        try:
            return batched(args, axes, n)
        except BatchingError as e:
            log.debug("vmap: one batched pass failed (%s); looping over the examples", e)
            return looped(args, axes, n)

    def looped(args, axes, n):
        outs = [fun(*[a if ax is None else _tree_index(a, k) for a, ax in zip(args, axes)])
                for k in range(n)]
        leaves = [tree_flatten(o)[0] for o in outs]
        return tree_unflatten(tree_flatten(outs[0])[1], [_stack(list(ls)) for ls in zip(*leaves)])

    def batched(args, axes, n):
        with BatchLevel.new(n) as level:
            wrapped = [a if ax is None else batch_wrap(level, a) for a, ax in zip(args, axes)]
            return batch_unwrap(level, fun(*wrapped))
    return mapped


__all__ = ["Batched", "BatchLevel", "BatchingError", "BATCH_RULES", "def_batch", "def_batch_elementwise",
           "batched_rule_names", "batch_wrap", "batch_unwrap", "vmap"]
