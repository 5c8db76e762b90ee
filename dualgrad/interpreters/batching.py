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

A primitive takes its arguments by position or by keyword, as Python allows
(``reshape(x, (2, 2))`` or ``reshape(x, shape=(2, 2))``); its batch rule sees
one form only (``_canonical``): the parameters without a default by position,
those with one by keyword. So ``rule(size, vals, batched, order="C")`` is the
whole of what ``reshape``'s rule has to take.
"""
from __future__ import annotations

import inspect
import operator
import os
from typing import Callable

import numpy as onp

from ..core import (JVP_RULES, BatchingError, Level, PerformanceWarning, Primitive, Tracer,
                    check_live, getval, is_container, log, notrace_primitive, peek,
                    plain_if_pending,
                    shape_of, tree_flatten, tree_unflatten, warn)
from ..core.errors import LOOP_WARNING_SIZE

BATCH_RULES: dict[Primitive, Callable] = {}


_READS = ("A rule read the numbers of a batched value (a mask computed with plain numpy "
          "from a primal value, say), which one batched pass cannot do; dualgrad "
          "falls back to a loop over the examples.")


def _example(p):
    """An array of the placeholder's shape and dtype, without data (zero strides), to
    let numpy work out shapes."""
    return onp.broadcast_to(onp.empty((), p.dtype), p.shape)


def _dtypes(args):
    return [a.dtype if isinstance(a, _ShapeOnly) else a for a in args]


# numpy functions answered from the shape and dtype alone.
_SHAPE_FUNCTIONS = {
    onp.shape: lambda a: a.shape, onp.ndim: lambda a: a.ndim,
    onp.size: lambda a, axis=None: a.size if axis is None else a.shape[axis],
    onp.result_type: lambda *args: onp.result_type(*_dtypes(args)),
    onp.iscomplexobj: lambda a: a.dtype.kind == "c", onp.isrealobj: lambda a: a.dtype.kind != "c",
    onp.broadcast_to: lambda a, shape, subok=False: _ShapeOnly(
        onp.broadcast_shapes(a.shape, tuple(onp.atleast_1d(shape))), a.dtype),
    onp.expand_dims: lambda a, axis: _ShapeOnly(onp.expand_dims(_example(a), axis).shape, a.dtype),
    onp.reshape: lambda a, *s, **k: _ShapeOnly(onp.reshape(_example(a), *s, **k).shape, a.dtype),
    onp.can_cast: lambda f, t, casting="safe": onp.can_cast(*_dtypes((f, t)), casting=casting),
}


class _ShapeOnly:
    """What a rule sees of a batched value: one example's shape and dtype, and no
    numbers at all. Anything that reads numbers (numpy.asarray and every numpy
    function but shape queries, arithmetic, comparisons, float(), item(), tolist())
    raises ``BatchingError``, so vmap and jacobian loop over the examples instead
    of computing with made-up values. It is deliberately not an ndarray subclass:
    numpy.asarray would read an ndarray subclass's numbers without asking."""

    __slots__ = ("shape", "dtype")
    _dualgrad_shape_only = True

    def __init__(self, shape, dtype):
        self.shape, self.dtype = tuple(shape), onp.dtype(dtype)

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(onp.prod(self.shape, dtype=int)))
    T = property(lambda self: _ShapeOnly(self.shape[::-1], self.dtype))
    mT = property(lambda self: _ShapeOnly(self.shape[:-2] + self.shape[:-3:-1], self.dtype))
    __hash__ = object.__hash__

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __getitem__(self, idx):  # the shape of an indexed example (its numbers: none)
        if any(isinstance(i, _ShapeOnly) for i in (idx if isinstance(idx, tuple) else (idx,))):
            raise BatchingError(_READS)
        return _ShapeOnly(_example(self)[idx].shape, self.dtype)

    def reshape(self, *shape, **kwargs):
        return _ShapeOnly(_example(self).reshape(*shape, **kwargs).shape, self.dtype)

    def astype(self, dtype, *args, **kwargs):
        return _ShapeOnly(self.shape, dtype)

    def __array_function__(self, func, types, args, kwargs):
        handler = _SHAPE_FUNCTIONS.get(func)
        if handler is None:
            raise BatchingError(_READS)
        return handler(*args, **kwargs)

    def _reads(self, *args, **kwargs):
        raise BatchingError(_READS)

    def _branch(self, *args):
        # Python control flow on a batched value (if x > 0, max(x, 0)) would take
        # one branch for all examples: refuse, so vmap loops over the examples.
        raise BatchingError("Python control flow (if, while, bool, float) on a batched "
                            "value cannot serve all examples in one pass; dualgrad loops "
                            "over the examples instead.")

    __bool__ = __float__ = __int__ = __index__ = __complex__ = _branch
    __array__ = item = tolist = tobytes = copy = sum = _reads

    def ravel(self, *args):
        return _ShapeOnly((self.size,), self.dtype)

    flatten = ravel

    def __repr__(self):
        return f"<the numbers of a batched value: shape {self.shape}, dtype {self.dtype}>"


for _name in ("add sub mul truediv floordiv mod pow matmul and or xor lshift rshift divmod "
              "radd rsub rmul rtruediv rfloordiv rmod rpow rmatmul rand ror rxor rlshift "
              "rrshift rdivmod lt le gt ge eq ne neg pos abs invert").split():
    setattr(_ShapeOnly, f"__{_name}__", _ShapeOnly._reads)


def _shape_only(shape, dtype) -> _ShapeOnly:
    return _ShapeOnly(shape, dtype)


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
            v = peek(self.val)
            self._proxy = _shape_only(onp.shape(v)[1:], onp.result_type(v))
        return self._proxy

    def __repr__(self):
        return f"Batched({self._level.size} x {self.shape}, level={self._level.depth})"

    def _per_example(self, *args, **kwargs):
        # Plain numpy given a batched value (E[i] for a plain array E, int(i), range(i))
        # needs one example's numbers: vmap and jacobian loop over the examples instead.
        raise BatchingError("Plain numpy (or int(), float(), an index into a plain array) "
                            "was given a batched value; dualgrad loops over the examples.")

    __array__ = __index__ = __int__ = __float__ = __complex__ = _per_example
    # autograd's box value (read by code that unwraps boxes by hand): one example's numbers
    _value = property(_per_example)


class BatchLevel(Level):
    """A batching trace of ``size`` examples."""

    __slots__ = ("size", "loops")
    maps_nondiff = True

    def __init__(self, depth: int, size: int):
        super().__init__(depth)
        self.size = size
        self.loops = {}  # primitive name -> why it looped over the examples (warned after)

    def process(self, prim, args, kwargs):
        vals, batched = _unwrap(self, args)
        vals, batched, kwargs = _canonical(prim, vals, batched, kwargs)
        rule = BATCH_RULES.get(prim)
        if rule is not None:
            out = rule(self.size, vals, batched, **kwargs)
        elif prim.__dict__.get("elementwise"):  # declared with rules._helpers.elementwise
            out = prim(*_align(self.size, vals, batched), **kwargs)
        else:
            out = NotImplemented
        if out is NotImplemented:
            self.loops.setdefault(prim.name, "it has no batched rule for these arguments"
                                  if rule is not None else "it has no batched rule")
            out = _loop(prim, self.size, vals, batched, kwargs)
        if isinstance(out, (tuple, list, dict)) or is_container(out):  # several answers
            leaves, td = tree_flatten(out)
            return tree_unflatten(td, [Batched(o, self) for o in leaves])
        return Batched(out, self)

    def lift(self, value) -> "Batched":
        """``value`` (the same in every example, perhaps traced by an enclosing
        transform) as a tracer of this level (numpy's broadcast_to: ours on tracers)."""
        return Batched(onp.broadcast_to(value, (self.size,) + shape_of(value)), self)

    def process_nondiff(self, fun, args, kwargs):
        """A function without derivative (comparisons, argmax): plain values out,
        stacked, still batched."""
        if ((fun in _ELEMENTWISE_NONDIFF or isinstance(fun, onp.ufunc)
                or getattr(fun, "_dualgrad_elementwise", False))
                and not any(a.__class__ in (list, tuple) for a in args)):
            return Batched(_elementwise_nondiff(self, fun, args, kwargs), self)
        vals, batched = [], []
        for a in args:
            if a.__class__ in (list, tuple):  # np.shape([x, y]): each entry batched or not
                entries = self._nondiff_entries(a)
                vals.append(entries)
                batched.append(_IN_LIST if _holds_batched(entries) else False)
                continue
            b = _plain_batched(a, self)
            vals.append(getval(a) if b is None else b)
            batched.append(b is not None)
        kwargs = {k: getval(v) for k, v in kwargs.items()}
        results = [fun(*[_example_of(v, b, k) for v, b in zip(vals, batched)], **kwargs)
                   for k in range(self.size)]
        if results and (fun in _STATIC_QUERIES or not _numbers(results[0])):
            return results[0]  # e.g. a shape, size or ndim: the same for every example
        self.loops.setdefault(getattr(fun, "__name__", repr(fun)),
                              "a function without derivative, called once per example")
        if isinstance(results[0], (tuple, list)):  # several arrays (histogram, unravel_index)
            return _like(results[0], [Batched(onp.stack(p), self) for p in zip(*results)])
        return Batched(onp.stack(results), self)


    def _nondiff_entries(self, seq):
        """A list or tuple with each entry's plain value: batched entries as
        ``_InList`` (their stacked examples), the others as they are."""
        out = []
        for e in seq:
            if e.__class__ in (list, tuple):
                out.append(self._nondiff_entries(e))
                continue
            b = _plain_batched(e, self)
            out.append(getval(e) if b is None else _InList(b))
        return type(seq)(out)


class _InList:
    """A batched entry of a list given to a function without derivative."""

    __slots__ = ("stacked",)

    def __init__(self, stacked):
        self.stacked = stacked


_IN_LIST = "in a list"  # a ``batched`` flag: the argument is a list with batched entries


def _holds_batched(seq) -> bool:
    return any(isinstance(e, _InList) or (e.__class__ in (list, tuple) and _holds_batched(e))
               for e in seq)


def _example_of(v, b, k):
    """Example ``k`` of an argument of ``process_nondiff``."""
    if b is _IN_LIST:
        return type(v)(e.stacked[k] if isinstance(e, _InList) else
                       _example_of(e, _IN_LIST, k) if e.__class__ in (list, tuple) else e
                       for e in v)
    return v[k] if b else v


_NUMBERS = (onp.ndarray, onp.generic, int, float, complex)


def _numbers(r) -> bool:
    """An array or number, or a tuple/list of them (one per example, to be stacked)."""
    if isinstance(r, (tuple, list)):
        return bool(r) and all(isinstance(p, _NUMBERS) for p in r)
    return isinstance(r, _NUMBERS)


def _like(seq, items):
    """``items`` in a sequence of ``seq``'s type (namedtuples too)."""
    return type(seq)(*items) if hasattr(seq, "_fields") else type(seq)(items)


def _elementwise_nondiff(level, fun, args, kwargs):
    """``fun`` (elementwise, no derivative: a comparison, a mask) on all examples in one
    call: the batch axes lined up, deeper tracers peeled off. A value batched by an
    outer level too stays a tracer of that level, which applies ``fun`` in its turn."""
    vals, batched = [], []
    for a in args:
        while isinstance(a, Tracer) and a._level.depth > level.depth:
            a = a.value
        here = isinstance(a, Batched) and a._level is level
        vals.append(a.val if here else a)
        batched.append(here)
    vals = _align(level.size, vals, batched)
    kwargs = {k: getval(v) for k, v in kwargs.items()}
    if any(isinstance(v, Tracer) for v in vals):  # an outer level's tracer
        return notrace_primitive(fun)(*vals, **kwargs)
    return fun(*vals, **kwargs)


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


# per primitive: (number of parameters without a default taken by position,
# {name: position} of those that may be given by keyword, names of the optional
# positional parameters in order, whether it takes *args); None: no signature
_PLANS: dict = {}


def _plan(prim):
    try:
        return _PLANS[prim]
    except KeyError:
        pass
    try:
        params = list(inspect.signature(prim.fun).parameters.values())
    except (TypeError, ValueError):
        plan = None
    else:
        pos = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        varargs = any(p.kind == p.VAR_POSITIONAL for p in params)
        required = pos if varargs else [p for p in pos if p.default is p.empty]
        optional = [] if varargs else pos[len(required):]
        plan = (len(required),
                {p.name: i for i, p in enumerate(required) if p.kind == p.POSITIONAL_OR_KEYWORD},
                [p.name if p.kind == p.POSITIONAL_OR_KEYWORD else None for p in optional],
                varargs)
    _PLANS[prim] = plan
    return plan


def _canonical(prim, vals, batched, kwargs):
    """The call ``prim(*vals, **kwargs)`` in the one form batch rules take: the
    parameters without a default by position (``reshape(x, shape=s)`` ->
    ``vals = [x, s]``), the others by keyword (``sum(x, 0)`` -> ``axis=0``).
    A call it cannot restate (a batched optional argument, a parameter given
    twice) is left as it is, for the rule to decline and the loop to serve."""
    plan = _plan(prim)
    if plan is None:
        return vals, batched, kwargs
    n_req, by_name, optional, varargs = plan
    n = len(vals)
    if n == n_req and not kwargs:  # the common case, already canonical
        return vals, batched, kwargs
    if n < n_req and kwargs:  # required parameters given by keyword
        kwargs = dict(kwargs)
        vals, batched = list(vals), list(batched)
        for name, i in sorted(by_name.items(), key=lambda item: item[1]):
            if i == len(vals) and name in kwargs:
                vals.append(kwargs.pop(name))
                batched.append(False)
    elif n > n_req and not varargs and not any(batched[n_req:]):
        extra = vals[n_req:]
        names = optional[:len(extra)]
        if len(extra) <= len(optional) and None not in names and kwargs.keys().isdisjoint(names):
            kwargs = {**dict(zip(names, extra)), **kwargs}
            vals, batched = vals[:n_req], batched[:n_req]
    return vals, batched, kwargs


def _loop(prim, size, vals, batched, kwargs):
    """The fallback: apply ``prim`` to each example and stack the answers."""
    results = [prim(*[v[k] if b else v for v, b in zip(vals, batched)], **kwargs)
               for k in range(size)]
    if isinstance(results[0], (tuple, list, dict)) or is_container(results[0]):
        td = tree_flatten(results[0])[1]
        parts = zip(*[tree_flatten(r)[0] for r in results])
        return tree_unflatten(td, [_stack_sequences(prim, list(p)) for p in parts])
    return _stack(results)


def _stack_sequences(prim, xs):
    """``_stack`` of one answer per example, saying what to do when they are traced
    lists or tuples (``dualgrad.builtins.list``) whose items differ in shape."""
    try:
        return _stack(xs)
    except ValueError as e:
        if not isinstance(xs[0], (list, tuple)):
            raise
        raise ValueError(
            f"vmap: '{prim.name}' gives a list or tuple per example whose items have "
            "different shapes, which vmap cannot stack into one batched value. Build a "
            "plain Python list of the arrays instead (dualgrad.builtins.list is needed only "
            "to pass the list to a primitive as one traced argument), or vmap a function "
            "that returns the items separately.") from e


def _stack(xs):
    return onp.stack(xs)  # traced parts: NEP 18 sends them to dualgrad's stack


# ---------------------------------------------------------------- helpers
def _expand_to(v, size, nd):
    """A batched value with its example axes padded on the left to ``nd``."""
    s = shape_of(v)
    return v if len(s) - 1 >= nd else onp.reshape(v, (size,) + (1,) * (nd - len(s) + 1) + s[1:])


_STATIC = (type, onp.dtype, str)


def _align(size, vals, batched):
    """Arguments of an elementwise function, batch axes lined up at axis 0 of
    the broadcast result (unbatched ones broadcast against the example axes)."""
    nd = 0
    for v, b in zip(vals, batched):
        if v is not None and not isinstance(v, _STATIC):  # astype(x, float32): no array
            nd = max(nd, len(shape_of(v)) - b)
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
    flagged = {p.name for p in JVP_RULES if isinstance(p, Primitive) and p.__dict__.get("elementwise")}
    return sorted({p.name for p in BATCH_RULES} | flagged)


# Queries answered by one example's shape and dtype alone (x.size, x.ndim of a
# tracer over a batched value): plain, not batched.
_STATIC_QUERIES = {onp.shape, onp.ndim, onp.size, onp.result_type, onp.iscomplexobj,
                   onp.isrealobj}
_ELEMENTWISE_NONDIFF = {operator.lt, operator.le, operator.gt, operator.ge, operator.eq,
                        operator.ne}


# ---------------------------------------------------------------- performance warnings
def warn_loops(who: str, level: BatchLevel, what: str = "examples") -> None:
    """After a batched pass: a ``PerformanceWarning`` naming the primitives that looped
    over the ``what`` inside it (one call per example), if the loop was long."""
    if level.loops and level.size > LOOP_WARNING_SIZE:
        parts = "; ".join(f"'{name}' ({why})" for name, why in sorted(level.loops.items()))
        log.debug("%s: per-example loops inside the batched pass: %s", who, parts)
        warn(f"{who}: some primitives looped over the {what}, one call each, inside the "
             f"batched pass: {parts}. {_ADVICE}", PerformanceWarning)


def warn_fallback(who: str, size: int, error: BatchingError, what: str = "examples") -> None:
    """When one batched pass failed and the caller loops over the ``what``: a
    ``PerformanceWarning`` naming the primitive whose rule read a batched value."""
    name = culprit(error)
    reason = str(error).split(";")[0].rstrip(".")
    cause = f"'{name}'" if name else "Python code (not a dualgrad primitive)"
    log.debug("%s: one batched pass failed (%s); looping over the %d %s", who, error, size, what)
    if size > LOOP_WARNING_SIZE:
        warn(f"{who} looped over the {what}, one full pass each, instead of one batched "
             f"pass, because of {cause}: {reason}. {_ADVICE}", PerformanceWarning)


_ADVICE = ("The result is right but slower; `python -m dualgrad coverage --primitives` lists "
           "the primitives that batch. Silence this with warnings.filterwarnings('ignore', "
           "category=dualgrad.PerformanceWarning).")


def culprit(error: BatchingError) -> str | None:
    """The name of the primitive whose rule read a batched value, found from the
    traceback (only on this slow path: the hot paths carry no bookkeeping for it): the
    innermost frame applying a primitive (a level's ``process`` or the backward pass's
    ``node``), or a non-differentiable function; else the outermost function of the
    rules that ran (a composite such as ``sort`` or ``median``); None for user code."""
    tb, found, composite = error.__traceback__, None, None
    while tb is not None:
        local, code = tb.tb_frame.f_locals, tb.tb_frame.f_code
        prim, node = local.get("prim"), local.get("node")
        if isinstance(prim, Primitive):
            found = prim.name
        elif isinstance(getattr(node, "prim", None), Primitive):
            found = node.prim.name
        elif code.co_name == "process_nondiff":
            found = getattr(local.get("fun"), "__name__", None) or found
        elif (composite is None and _RULES in os.path.abspath(code.co_filename)
              and not code.co_filename.endswith("_helpers.py")
              and code.co_name not in ("<lambda>", "fun", "wrapped", "rule")):
            composite = code.co_name.lstrip("_")  # not the decorators' generic wrappers
        tb = tb.tb_next
    return found or composite


_RULES = os.sep + os.path.join("dualgrad", "rules") + os.sep


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
    for o in map(plain_if_pending, leaves):
        if type(o) is Batched and o._level is level:
            out.append(o.val)
        elif isinstance(o, Tracer):
            check_live(o)  # of a live, enclosing transform (not a leaked one)
            out.append(onp.broadcast_to(onp.reshape(o, (1,) + shape_of(o)),  # NEP 18: ours
                                        (level.size,) + shape_of(o)))
        else:
            o = onp.asarray(o)
            out.append(onp.broadcast_to(o, (level.size,) + o.shape).copy())
    return tree_unflatten(td, out)


__all__ = ["Batched", "BatchLevel", "BatchingError", "BATCH_RULES", "def_batch", "def_batch_elementwise",
           "batched_rule_names", "batch_wrap", "batch_unwrap", "warn_loops", "warn_fallback",
           "culprit"]
