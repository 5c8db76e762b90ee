"""Forward mode: dual numbers.

A ``Dual`` carries a primal value and a tangent (the directional derivative
of the primal along the seed direction). Applying a primitive to duals gives
the primal answer and, by the chain rule, the sum of the JVP rules of the
arguments that carry a tangent at this level:

    d f(x1, ..., xk) = sum_i  (df/dx_i) . dx_i
"""
from __future__ import annotations

import numpy as onp

from . import multi_output
from ..core import (ALL, Level, Tracer, check_live, getval, in_dtype_of, is_differentiable,
                    peek, plain_if_pending, tree_flatten, tree_map, tree_unflatten, vspace)
from ..core.tracer import _FLOATS, BOX_TYPES, body_answer
from ..core.levels import box_as

_LOW = frozenset(map(onp.dtype, (onp.float32, onp.float16, onp.complex64)))
_WIDE = frozenset(map(onp.dtype, (onp.float64, onp.complex128)))
_F64 = onp.float64
_new = object.__new__


class Dual(Tracer):
    """A primal value and its tangent, at one forward level."""

    __slots__ = ("tangent",)

    def __init__(self, primal, tangent, level: "ForwardLevel"):
        self.value = primal
        self.tangent = tangent
        self._level = level

    @property
    def _node(self):  # autograd's JVPNode, whose g is the tangent
        return TangentNode(self.tangent)

    @property
    def primal(self):
        return self.value


class ForwardLevel(Level):
    """A forward-mode trace: pushes tangents through each primitive."""

    __slots__ = ()

    def process(self, prim, args, kwargs):
        """The hot path: arguments that are this level's plain duals or constants, a
        float answer or a float64/complex128 array, per-argument JVP rules. Everything
        else goes to ``_process``."""
        nargs = len(args)
        if nargs == 1:  # f(x): the commonest application, without the loop
            a = args[0]
            if a.__class__ is not Dual or a._level is not self:
                return ForwardLevel._process(self, prim, args, kwargs)
            v = a.value
            if v.__class__ is not _F64 and isinstance(v, Tracer):  # nested (float64: long MRO)
                return ForwardLevel._process(self, prim, args, kwargs)
            ans = prim.fun(v, **kwargs) if kwargs else prim.fun(v)
            cls = ans.__class__
            jvps = prim.jvps
            if not (cls in _FLOATS or cls is onp.ndarray and ans.dtype in _WIDE) or ALL in jvps:
                if cls is not onp.ndarray and cls not in _FLOATS:
                    ans = body_answer(ans, self.depth)  # no tracer of this level inside
                return ForwardLevel._finish(self, prim, args, [v], [0], ans, kwargs)
            rule = jvps.get(0) or prim.jvp_rule(0)
            # (no empty **kwargs to copy; the Dual written out: no __init__ frame)
            t = rule(a.tangent, ans, v, **kwargs) if kwargs else rule(a.tangent, ans, v)
            d = _new(Dual)
            d.value = ans
            d.tangent = t
            d._level = self
            return d
        if nargs == 2:  # x op y: the binary operators, without the loop
            a, b = args
            if a.__class__ is Dual and a._level is self:
                va = a.value
                if b.__class__ is Dual and b._level is self:
                    vb = b.value
                    traced = (0, 1)
                elif isinstance(b, Tracer):
                    return ForwardLevel._process(self, prim, args, kwargs)
                else:
                    vb = b
                    traced = (0,)
            elif b.__class__ is Dual and b._level is self and not isinstance(a, Tracer):
                va = a
                vb = b.value
                traced = (1,)
            else:
                return ForwardLevel._process(self, prim, args, kwargs)
            if (va.__class__ is not _F64 and isinstance(va, Tracer)
                    or vb.__class__ is not _F64 and isinstance(vb, Tracer)):  # an outer level's
                return ForwardLevel._process(self, prim, args, kwargs)
            scalar = prim.scalar
            if scalar is not None and not kwargs and (
                    va.__class__ is _F64 and vb.__class__ in _FLOATS
                    or vb.__class__ is _F64 and va.__class__ in _FLOATS):
                ans = scalar(va, vb)  # numpy's scalar arithmetic: the ufunc's answer
            else:
                ans = prim.fun(va, vb, **kwargs) if kwargs else prim.fun(va, vb)
            cls = ans.__class__
            jvps = prim.jvps
            if not (cls in _FLOATS or cls is onp.ndarray and ans.dtype in _WIDE) or ALL in jvps:
                if cls is not onp.ndarray and cls not in _FLOATS:
                    ans = body_answer(ans, self.depth)  # no tracer of this level inside
                return ForwardLevel._finish(self, prim, args, [va, vb], list(traced), ans,
                                            kwargs)
            if kwargs:
                tangent = None
                for i in traced:
                    t = (jvps.get(i) or prim.jvp_rule(i))(args[i].tangent, ans, va, vb, **kwargs)
                    tangent = t if tangent is None else tangent + t
            elif len(traced) == 1:  # one traced operand (x * c): no loop, no sum
                i = traced[0]
                tangent = (jvps.get(i) or prim.jvp_rule(i))(args[i].tangent, ans, va, vb)
            else:
                tangent = ((jvps.get(0) or prim.jvp_rule(0))(a.tangent, ans, va, vb)
                           + (jvps.get(1) or prim.jvp_rule(1))(b.tangent, ans, va, vb))
            d = _new(Dual)
            d.value = ans
            d.tangent = tangent
            d._level = self
            return d
        primals = []
        traced = []
        i = 0
        for a in args:
            if a.__class__ is Dual and a._level is self:
                v = a.value
                if isinstance(v, Tracer):  # nested: an outer level's tracer inside
                    return ForwardLevel._process(self, prim, args, kwargs)
                primals.append(v)
                traced.append(i)
            elif isinstance(a, Tracer):
                return ForwardLevel._process(self, prim, args, kwargs)
            else:
                primals.append(a)
            i += 1
        scalar = prim.scalar
        if scalar is not None and not kwargs and i == 2 and (
                primals[0].__class__ is _F64 and primals[1].__class__ in _FLOATS
                or primals[1].__class__ is _F64 and primals[0].__class__ in _FLOATS):
            ans = scalar(primals[0], primals[1])  # numpy's scalar arithmetic: the ufunc's answer
        else:
            ans = prim.fun(*primals, **kwargs)
        cls = ans.__class__
        jvps = prim.jvps
        if not (cls in _FLOATS or cls is onp.ndarray and ans.dtype in _WIDE) or ALL in jvps:
            if cls is not onp.ndarray and cls not in _FLOATS:
                ans = body_answer(ans, self.depth)  # no tracer of this level inside
            return ForwardLevel._finish(self, prim, args, primals, traced, ans, kwargs)
        tangent = None
        for i in traced:
            rule = jvps.get(i) or prim.jvp_rule(i)
            if kwargs:
                t = rule(args[i].tangent, ans, *primals, **kwargs)
            else:
                t = rule(args[i].tangent, ans, *primals)
            tangent = t if tangent is None else tangent + t
        d = _new(Dual)
        d.value = ans
        d.tangent = tangent
        d._level = self
        return d

    def _process(self, prim, args, kwargs):
        """``process`` for every case (see its docstring for the common one)."""
        primals = list(args)
        traced = []
        outer = False  # a tracer of an outer level remains among the primals
        for i, a in enumerate(args):
            if type(a) is Dual and a._level is self:
                primals[i] = a.value
                traced.append(i)
                if isinstance(a.value, Tracer):  # nested: an outer level's tracer inside
                    outer = True
            elif isinstance(a, Tracer):
                if isinstance(a, Dual) and a._level is self:  # a Dual with a face
                    primals[i] = a.value
                    traced.append(i)
                    outer = outer or isinstance(a.value, Tracer)
                else:
                    outer = True
        if outer:
            ans = prim(*primals, **kwargs)
        else:
            ans = prim.fun(*primals, **kwargs)
            if type(ans) is not onp.ndarray and type(ans) not in _FLOATS:
                ans = body_answer(ans, self.depth)  # no tracer of this level inside
        return ForwardLevel._finish(self, prim, args, primals, traced, ans, kwargs)

    def _finish(self, prim, args, primals, traced, ans, kwargs):
        """The tangent of ``ans`` from the JVP rules of the ``traced`` arguments."""
        if type(ans) not in _FLOATS and not is_differentiable(ans):
            if multi_output.is_container_answer(ans):  # a tuple/list/dict of values
                return _container_answer(self, prim, args, primals, traced, ans, kwargs)
            return ans
        jvps = prim.jvps
        joint = jvps.get(ALL)
        if joint is not None:
            ts = [a.tangent if isinstance(a, Dual) and a._level is self else None for a in args]
            return Dual(ans, joint(ts, ans, *primals, **kwargs), self)
        tangent = None
        for i in traced:
            rule = jvps.get(i) or prim.jvp_rule(i)
            t = rule(args[i].tangent, ans, *primals, **kwargs)
            tangent = t if tangent is None else tangent + t
        if type(ans) is onp.ndarray and ans.dtype in _LOW:  # a float64 constant in a rule
            tangent = in_dtype_of(tangent, ans)            # must not promote the tangent
        if BOX_TYPES and type(ans) is not onp.ndarray and type(ans) not in _FLOATS:
            return box_as(ans, Dual, tangent, self)  # a registered type: its face
        return Dual(ans, tangent, self)

    def lift(self, value) -> Dual:
        """``value`` (a constant here, perhaps traced by an enclosing transform) as a
        tracer of this level: a zero tangent."""
        return Dual(value, onp.zeros(onp.shape(peek(value)), onp.result_type(peek(value))),
                    self)


def push_forward(fun, primals: tuple, tangents: tuple):
    """Evaluate ``fun(*primals)`` with tangents; return (output, output tangent).

    Outputs are pytrees; a leaf that does not depend on the inputs has a zero
    tangent.
    """
    with ForwardLevel.new() as level:
        duals = tuple(tree_map(lambda p, t: box_as(p, Dual, t, level), p, t)
                      for p, t in zip(primals, tangents))
        out = fun(*duals)
        for o in tree_flatten(out)[0]:  # any other tracer (or one inside ours): live, enclosing
            if isinstance(o, Tracer):
                check_live(o.value if _here(o, level) else o, level)
                if _here(o, level):
                    check_live(o.tangent, level)
        out_primal = tree_map(lambda o: o.value if _here(o, level) else plain_if_pending(o),
                              out)
        out_tangent = tree_map(lambda o: in_dtype_of(o.tangent, o.value) if _here(o, level)
                               else vspace(o).zeros(), out)
    return out_primal, out_tangent


def _container_answer(level, prim, args, primals, traced, ans, kwargs):
    """The container of ``Dual`` tracers answering ``prim`` (see the module docstring)."""
    leaves, td = tree_flatten(ans)
    n = len(leaves)
    joint = prim.jvps.get(ALL)
    if joint is not None:
        ts = [a.tangent if i in traced else None for i, a in enumerate(args)]
        total = multi_output.parts(joint(ts, ans, *primals, **kwargs), td, n, prim)
    else:
        total = [None] * n
        for i in traced:
            rule = prim.jvps.get(i) or prim.jvp_rule(i)
            parts = multi_output.parts(rule(args[i].tangent, ans, *primals, **kwargs), td, n, prim)
            total = [p if s is None else s if p is None else s + p for s, p in zip(total, parts)]
    out = [Dual(v, vspace(v).zeros() if t is None else t, level) if is_differentiable(v) else v
           for v, t in zip(leaves, total)]
    return tree_unflatten(td, out)


def _here(x, level) -> bool:
    return (type(x) is Dual or isinstance(x, Dual)) and x._level is level


class TangentNode:
    """autograd's JVPNode of a forward-mode value: ``g`` is its tangent."""

    __slots__ = ("g",)

    def __init__(self, g):
        self.g = g


__all__ = ["Dual", "ForwardLevel", "push_forward", "getval"]
