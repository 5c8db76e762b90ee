"""The public extension API (autograd's ``autograd.extend``).

Rules registered here go into the same two tables as dualgrad's own. The
autograd forms are accepted as they are:

- ``defvjp(prim, vjpmaker_0, vjpmaker_1, ..., argnums=None)`` with
  ``vjpmaker(ans, *args, **kwargs)`` returning ``lambda g: ...``;
- ``defjvp(prim, jvp_0, jvp_1, ...)`` with ``jvp(g, ans, *args, **kwargs)``;
- ``defvjp_argnum(prim, maker)`` with ``maker(argnum, ans, args, kwargs)``
  returning ``lambda g: ...``, and ``defjvp_argnum(prim, jvp)`` with
  ``jvp(argnum, g, ans, args, kwargs)``;
- ``def_linear(prim)``: for a function linear in each array argument.
"""
from __future__ import annotations

from typing import Callable

from .core import (ANY, JVP_RULES, VJP_RULES, Primitive, Tracer, getval, isbox,
                   notrace_primitive, primitive)
from .interpreters.forward import Dual
from .interpreters.multi_output import plain
from .interpreters.reverse import Box
from .core.levels import trace_finished_levels
from .core.spaces import VSpace, vspace
from .rules.sequences import SEQUENCE_VALUES, as_cotangent


def _as_primitive(fun) -> Primitive:
    if not isinstance(fun, Primitive):
        raise TypeError(f"{getattr(fun, '__name__', fun)!r} is not a primitive: decorate it "
                        "with @dualgrad.extend.primitive before giving it rules.")
    return fun


def defvjp(fun: Primitive, *vjpmakers: Callable | None, argnums=None) -> None:
    """Give ``fun`` VJPs, one maker per argument (``None`` skips one)."""
    fun = _as_primitive(fun)
    for argnum, maker in zip(argnums or range(len(vjpmakers)), vjpmakers):
        if maker is None:
            continue

        def rule(g, ans, *args, _maker=maker, _i=argnum, **kwargs):
            with trace_finished_levels():  # the maker may close over finished tracers
                out = _maker(ans, *args, **kwargs)(plain(g))
            if type(args[_i]) in SEQUENCE_VALUES:  # a traced tuple/list: adds elementwise
                out = as_cotangent(out, args[_i])
            return out
        fun.vjps[argnum] = rule


def defjvp(fun: Primitive, *jvpfuns: Callable | None, argnums=None) -> None:
    """Give ``fun`` JVPs ``jvp(g, ans, *args, **kwargs)``, one per argument."""
    fun = _as_primitive(fun)
    for argnum, jvp in zip(argnums or range(len(jvpfuns)), jvpfuns):
        if jvp is not None:
            fun.jvps[argnum] = jvp


def defvjp_argnum(fun: Primitive, vjpmaker: Callable) -> None:
    """One VJP maker for every argument: ``vjpmaker(argnum, ans, args, kwargs)``."""
    fun = _as_primitive(fun)
    fun.vjps[ANY] = lambda argnum, g, ans, *args, **kwargs: vjpmaker(argnum, ans, args, kwargs)(
        plain(g))


def defjvp_argnum(fun: Primitive, jvpmaker: Callable) -> None:
    """One JVP for every argument: ``jvpmaker(argnum, g, ans, args, kwargs)``."""
    fun = _as_primitive(fun)
    fun.jvps[ANY] = lambda argnum, g, ans, *args, **kwargs: jvpmaker(argnum, g, ans, args, kwargs)


def def_linear(fun: Primitive, transpose: Callable | None = None) -> None:
    """Declare ``fun`` linear in each array argument.

    The JVP follows: ``fun`` applied with the tangent in place of the argument.
    With ``transpose(argnum, g, ans, *args, **kwargs)`` (the adjoint map) the VJP
    is filled too; autograd's ``def_linear(fun)`` gives the JVP only.
    """
    fun = _as_primitive(fun)

    def jvp(argnum, t, ans, *args, **kwargs):
        args = list(args)
        args[argnum] = t
        return fun(*args, **kwargs)
    fun.jvps[ANY] = jvp
    if transpose is not None:
        fun.vjps[ANY] = transpose


__all__ = ["primitive", "notrace_primitive", "defvjp", "defjvp", "defvjp_argnum",
           "defjvp_argnum", "def_linear", "vspace", "VSpace", "Box", "Dual", "Tracer",
           "JVP_RULES", "VJP_RULES", "getval", "isbox"]
