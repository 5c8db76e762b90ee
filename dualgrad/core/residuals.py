"""Residuals: what the tape keeps of a primitive application for the backward pass.

A VJP rule ``rule(g, ans, *args, **kwargs)`` may read any of its arguments and
the answer, so a tape that keeps all of them is always correct, and holds about
twice the memory a hand-written backward pass needs (``sin`` needs its input,
``exp`` its answer, ``x * c`` only ``c``). So a rule declares what it reads::

    multiply.def_vjp(lambda g, ans, x, y: unbroadcast(g * y, x), argnum=0, reads="y")

``reads`` names parameters of the rule: ``"ans"`` (or the rule's own name for
it), argument names (or, in a tuple, argument positions, for rules taking
``*args``), and for ``ANY`` rules ``"args"`` (all arguments) or ``"others"``
(all but the one differentiated). ``reads=()`` reads nothing.

When a primitive is recorded, the tape keeps the union of what the rules of the
*traced* arguments declared; a constant argument is kept only if a partner's
rule reads it. Every other array is replaced by a :class:`NotKept` stand-in:
a zero-stride array with the value's shape and dtype (what ``unbroadcast`` and
``cast_like`` need) that refuses to be computed with, so a rule reading an
undeclared value fails loudly instead of computing with made-up numbers. Python
and numpy scalars, duck arrays and other objects are always kept (small, or
lazy). A rule registered without ``reads`` (autograd-style ``defvjp``, or one
not yet declared) makes its primitive keep everything, as before; ``python -m
dualgrad coverage`` counts those primitives.

The union is computed once per primitive and pattern of traced arguments
(``plan``) and cached on the primitive (``Primitive.plans``); its rule table
forgets the cache whenever a rule changes, and a declaration counts only for
the very rule it was made with.
"""
from __future__ import annotations

import inspect

import numpy as onp

from .primitives import ANY, Primitive
from .tracer import Tracer, peek

__all__ = ["NotKept", "ResidualError", "plan", "stand_in", "declaration", "is_declared",
           "KEEP_ALL"]

# (drop the answer?, argument positions to drop, the same for a scalar answer): see `plan`
KEEP_ALL = (False, (), ())


class ResidualError(TypeError):
    """A VJP rule read a value its ``reads=`` declaration does not list."""


_MESSAGE = ("A VJP rule computed with an argument or answer that its reads= declaration "
            "does not list (the tape kept only its shape and dtype). Add the name to the "
            "rule's reads=, or drop reads= to keep everything. This is a bug in the rule's "
            "declaration; please report it if the rule is dualgrad's.")
_SHAPE_FUNCTIONS = {onp.shape, onp.ndim, onp.size, onp.result_type, onp.iscomplexobj,
                    onp.isrealobj}


class NotKept(onp.ndarray):
    """What a rule sees of a value the tape did not keep: its shape and dtype.
    Its numbers are a poison (NaN, or the smallest integer) and any arithmetic
    on it raises :class:`ResidualError`."""

    def __array_ufunc__(self, *args, **kwargs):
        raise ResidualError(_MESSAGE)

    def __array_function__(self, func, types, args, kwargs):
        if func not in _SHAPE_FUNCTIONS:
            raise ResidualError(_MESSAGE)
        return super().__array_function__(func, types, args, kwargs)

    def _refuse(self, *args):
        raise ResidualError(_MESSAGE)

    __bool__ = __float__ = __int__ = __index__ = __complex__ = _refuse
    item = tolist = astype = copy = __getitem__ = _refuse

    def __repr__(self):
        return f"NotKept(shape={self.shape}, dtype={self.dtype})"

    __str__ = __repr__


_STAND_INS: dict = {}
_KINDS = "fciub"


def stand_in(v):
    """``v`` if it is small or not a numpy array, else a shared :class:`NotKept` of
    its shape and dtype (for a tracer of an outer level: of its plain value's)."""
    if v.__class__ is onp.ndarray:  # the common case, its stand-in made before
        s = _STAND_INS.get((v.shape, v.dtype))
        if s is not None:
            return s
    x = peek(v) if isinstance(v, Tracer) else v
    if type(x) is not onp.ndarray:  # subclasses (matrix, masked) keep their own semantics
        return v
    dtype = x.dtype
    if dtype.kind not in _KINDS:
        return v
    key = (x.shape, dtype)
    s = _STAND_INS.get(key)
    if s is None:
        if len(_STAND_INS) > 1024:
            _STAND_INS.clear()
        kind = dtype.kind
        fill = onp.nan if kind in "fc" else onp.iinfo(dtype).min if kind in "iu" else False
        s = _STAND_INS[key] = onp.broadcast_to(onp.array(fill, dtype), x.shape).view(NotKept)
    return s


# ----------------------------------------------------------------- declarations
def declaration(prim: Primitive, argnum: int):
    """``(reads_ans, args)`` declared by the VJP rule serving ``argnum``, with
    ``args`` a frozenset of positions, or ``"args"`` / ``"others"``; ``None`` when
    that rule declares nothing (or was replaced after its declaration)."""
    vjps = prim.vjps
    slot = argnum if argnum in vjps else ANY
    rule = vjps.get(slot)
    entry = prim.reads.get(slot)
    if rule is None or entry is None:
        return None
    if entry[0] is not rule and getattr(rule, "__wrapped__", None) is not entry[0]:
        return None  # replaced since (a checked user rule wraps the declared one)
    return _parse(getattr(rule, "raw", rule), entry[1], slot == ANY, prim)


def is_declared(prim: Primitive) -> bool:
    """Every VJP rule of ``prim`` declares its residuals."""
    vjps = prim.vjps
    return bool(vjps) and all(declaration(prim, k) is not None for k in vjps)


_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
_PARSED: dict = {}


def used_parameters(fun) -> list[str]:
    """The parameters of ``fun`` that its code loads (so may read), in order: a
    parameter that is never loaded cannot be read. For one-line derivative
    formulas (``rules.scipy_special._in_args``) this is their declaration."""
    import dis
    loaded = set()
    for ins in dis.get_instructions(fun):
        if ins.opname.startswith(("LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE")):
            loaded.update(ins.argval if isinstance(ins.argval, tuple) else (ins.argval,))
    return [p for p in inspect.signature(fun).parameters if p in loaded]


def _parse(rule, reads, any_rule: bool, prim):
    key = (rule, reads if isinstance(reads, str) else tuple(reads))
    hit = _PARSED.get(key)
    if hit is not None:
        return hit
    names = reads.replace(",", " ").split() if isinstance(reads, str) else list(reads)
    params = list(inspect.signature(rule).parameters.values())
    skip = 3 if any_rule else 2  # (argnum,) g, ans
    ans_name = params[skip - 1].name if len(params) >= skip else "ans"
    positional = [p.name for p in params[skip:] if p.kind in _POSITIONAL]
    reads_ans, args = False, set()
    for n in names:
        if isinstance(n, int) and not isinstance(args, str):  # a position (rules taking *args)
            args.add(n)
        elif n in ("ans", ans_name):
            reads_ans = True
        elif any_rule and n in ("args", "others"):
            args = n
        elif n in positional and not isinstance(args, str):
            args.add(positional.index(n))
        else:
            raise ValueError(
                f"reads={reads!r} for a VJP rule of '{prim.name}' names {n!r}, which is not "
                f"one of its parameters ({', '.join(p.name for p in params)}); use 'ans', "
                "the argument names" + (", 'args' or 'others'." if any_rule else "."))
    out = _PARSED[key] = (reads_ans, args if isinstance(args, str) else frozenset(args))
    return out


def plan(prim: Primitive, traced, nargs: int, key) -> tuple:
    """``(drop_ans, drop, drop_when_scalar)`` for an application of ``prim`` to
    ``nargs`` arguments of which those at positions ``traced`` are traced: the
    union of their rules' declarations (``KEEP_ALL`` when one of them declares
    nothing). ``drop_when_scalar`` is ``drop`` for a scalar answer, empty for
    elementwise primitives (whose arguments are then scalars too: nothing to
    save, so the scalar hot path does no work). Cached under ``key`` on ``prim``."""
    keep_ans, keep = False, set()
    for i in traced:
        d = declaration(prim, i)
        if d is None:
            prim.plans[key] = KEEP_ALL
            return KEEP_ALL
        reads_ans, args = d
        keep_ans = keep_ans or reads_ans
        if args == "args":
            keep.update(range(nargs))
        elif args == "others":
            keep.update(j for j in range(nargs) if j != i)
        else:
            keep.update(args)
    drop = tuple(j for j in range(nargs) if j not in keep)
    d = prim.__dict__
    out = (not keep_ans, drop, () if d.get("elementwise") or d.get("broadcasts") else drop)
    prim.plans[key] = out
    return out
