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

import numpy as onp

from .core import (ANY, BatchingError, JVP_RULES, VJP_RULES, Primitive, Tracer, getval, isbox,
                   notrace_primitive, primitive)
from .interpreters.batching import Batched
from .interpreters.forward import Dual
from .interpreters.multi_output import plain
from .interpreters.reverse import Box
from .core.levels import trace_finished_levels
from .core.spaces import VSpace, vspace
from .rules.sequences import SEQUENCE_VALUES, as_cotangent
from .core.docs import shared_doc

_docs = shared_doc(fun="""
    fun : Primitive
        A function made with :func:`primitive`.
""", ends="""
    Returns
    -------
    None

    Raises
    ------
    TypeError
        If ``fun`` is not a primitive.
""")
from .rules.shape import array as _array, reshape as _reshape


def _as_primitive(fun) -> Primitive:
    if not isinstance(fun, Primitive):
        raise TypeError(f"{getattr(fun, '__name__', fun)!r} is not a primitive: decorate it "
                        "with @dualgrad.extend.primitive before giving it rules.")
    return fun


def _without_finished(c):
    """A cotangent from a rule in autograd's form with the tracers of finished transforms
    taken off it, and an object array holding tracers made one traced array.

    A maker may compute with the boxes it closed over after their trace has ended
    (PennyLane's nested parameter-shift does, leaving an object array of such boxes,
    each over a box of the enclosing, live transform). autograd computes on through
    them and no backward pass reads what they record: the value under them is the
    cotangent, and what the live levels recorded in it stays."""
    if isinstance(c, Tracer):
        while isinstance(c, Tracer) and c._level.exited:
            c = c.value
        if type(c) is Batched and _finished_under(c.val):  # the jacobian then loops
            raise BatchingError("a VJP in autograd's form gave a batched cotangent over "
                                "values of a finished trace; one direction at a time")
        return c
    if isinstance(c, onp.ndarray) and c.dtype == object and c.size:
        flat = list(c.flat)
        if not any(isinstance(e, Tracer) for e in flat):
            return c
        items = [_without_finished(e) for e in flat]
        if any(isinstance(e, Tracer) for e in items):
            return _reshape(_array(items), shape=c.shape)
        return onp.reshape(onp.array(items), c.shape)
    if type(c) in (tuple, list):
        return type(c)(_without_finished(e) for e in c)
    return c


def _finished_under(x) -> bool:
    while isinstance(x, Tracer):
        if x._level.exited:
            return True
        x = x.val if type(x) is Batched else x.value
    return False


@_docs
def defvjp(fun: Primitive, *vjpmakers: Callable | None, argnums=None) -> None:
    """Give ``fun`` VJPs, one maker per argument (``None`` skips one), as autograd does.

    For ``z = fun(x_0, x_1, ...)`` and an incoming cotangent ``g``, the maker of
    argument ``i`` returns the map ``g -> x̄_i = (∂z/∂x_i)ᵀ g``.

    Parameters
    ----------
    %(fun)s
    *vjpmakers : callable or None
        ``vjpmaker(ans, *args, **kwargs)`` returning ``lambda g: x̄_i``, one per
        positional argument in order; ``None`` leaves that argument without a VJP.
    argnums : sequence of int, optional
        The arguments the makers are for (default ``0, 1, ...``).

    Returns
    -------
    None
        The rules go into ``fun``'s VJP table (reverse mode: ``grad``, ``vjp``, ``jacrev``).

    Raises
    ------
    TypeError
        If ``fun`` is not a primitive.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> from dualgrad import grad
    >>> from dualgrad.extend import primitive, defvjp
    >>> @primitive
    ... def cube(x):
    ...     return x ** 3
    >>> defvjp(cube, lambda ans, x: lambda g: g * 3 * x ** 2)
    >>> float(grad(cube)(2.0))
    12.0
    """
    fun = _as_primitive(fun)
    for argnum, maker in zip(argnums or range(len(vjpmakers)), vjpmakers):
        if maker is None:
            continue

        def rule(g, ans, *args, _maker=maker, _i=argnum, **kwargs):
            with trace_finished_levels():  # the maker may close over finished tracers
                out = _without_finished(_maker(ans, *args, **kwargs)(plain(g)))
            if type(args[_i]) in SEQUENCE_VALUES:  # a traced tuple/list: adds elementwise
                out = as_cotangent(out, args[_i])
            return out
        fun.vjps[argnum] = rule


@_docs
def defjvp(fun: Primitive, *jvpfuns: Callable | None, argnums=None) -> None:
    """Give ``fun`` JVPs ``jvp(g, ans, *args, **kwargs)``, one per argument, as autograd does.

    For ``z = fun(x_0, x_1, ...)`` the JVP of argument ``i`` maps its tangent ``g``
    to ``(∂z/∂x_i) g``; the tangents of all arguments are summed.

    Parameters
    ----------
    %(fun)s
    *jvpfuns : callable or None
        ``jvp(g, ans, *args, **kwargs)`` returning the output tangent, one per
        positional argument; ``None`` leaves that argument without a JVP.
    argnums : sequence of int, optional
        The arguments the rules are for (default ``0, 1, ...``).

    Returns
    -------
    None
        The rules go into ``fun``'s JVP table (forward mode: ``jvp``, ``deriv``, ``jacfwd``).

    Raises
    ------
    TypeError
        If ``fun`` is not a primitive.

    Examples
    --------
    >>> from dualgrad import deriv
    >>> from dualgrad.extend import primitive, defjvp
    >>> @primitive
    ... def cube(x):
    ...     return x ** 3
    >>> defjvp(cube, lambda g, ans, x: g * 3 * x ** 2)
    >>> float(deriv(cube)(2.0))
    12.0
    """
    fun = _as_primitive(fun)
    for argnum, jvp in zip(argnums or range(len(jvpfuns)), jvpfuns):
        if jvp is not None:
            fun.jvps[argnum] = jvp


@_docs
def defvjp_argnum(fun: Primitive, vjpmaker: Callable) -> None:
    """One VJP maker for every argument: ``vjpmaker(argnum, ans, args, kwargs)``.

    Parameters
    ----------
    %(fun)s
    vjpmaker : callable
        ``vjpmaker(argnum, ans, args, kwargs)`` returning ``lambda g: x̄_argnum``.

    %(ends)s

    Examples
    --------
    >>> from dualgrad import grad
    >>> from dualgrad.extend import primitive, defvjp_argnum
    >>> @primitive
    ... def mul(x, y):
    ...     return x * y
    >>> defvjp_argnum(mul, lambda argnum, ans, args, kwargs:
    ...               lambda g: g * args[1 - argnum])
    >>> [float(d) for d in grad(mul, argnum=(0, 1))(2.0, 5.0)]
    [5.0, 2.0]
    """
    fun = _as_primitive(fun)
    fun.vjps[ANY] = lambda argnum, g, ans, *args, **kwargs: vjpmaker(argnum, ans, args, kwargs)(
        plain(g))


@_docs
def defjvp_argnum(fun: Primitive, jvpmaker: Callable) -> None:
    """One JVP for every argument: ``jvpmaker(argnum, g, ans, args, kwargs)``.

    Parameters
    ----------
    %(fun)s
    jvpmaker : callable
        ``jvpmaker(argnum, g, ans, args, kwargs)`` returning the output tangent
        for the tangent ``g`` of argument ``argnum``.

    %(ends)s

    Examples
    --------
    >>> from dualgrad import jvp
    >>> from dualgrad.extend import primitive, defjvp_argnum
    >>> @primitive
    ... def mul(x, y):
    ...     return x * y
    >>> defjvp_argnum(mul, lambda argnum, g, ans, args, kwargs: g * args[1 - argnum])
    >>> [float(v) for v in jvp(mul, (2.0, 5.0), (1.0, 0.0))]
    [10.0, 5.0]
    """
    fun = _as_primitive(fun)
    fun.jvps[ANY] = lambda argnum, g, ans, *args, **kwargs: jvpmaker(argnum, g, ans, args, kwargs)


@_docs
def def_linear(fun: Primitive, transpose: Callable | None = None) -> None:
    """Declare ``fun`` linear in each array argument.

    The JVP follows: ``fun`` applied with the tangent in place of the argument,
    ``d fun(.., x_i, ..) = fun(.., dx_i, ..)``. With ``transpose(argnum, g, ans,
    *args, **kwargs)`` (the adjoint map) the VJP is filled too; autograd's
    ``def_linear(fun)`` gives the JVP only.

    Parameters
    ----------
    fun : Primitive
        A function made with :func:`primitive`, linear in each array argument.
    transpose : callable, optional
        ``transpose(argnum, g, ans, *args, **kwargs)`` returning ``x̄_argnum``.

    %(ends)s

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> from dualgrad import jvp
    >>> from dualgrad.extend import primitive, def_linear
    >>> @primitive
    ... def double(x):
    ...     return 2 * x
    >>> def_linear(double)
    >>> [float(v) for v in jvp(double, (3.0,), (1.0,))]
    [6.0, 2.0]
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
