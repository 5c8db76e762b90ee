"""Primitives and their two rule tables: ``JVP_RULES[prim][argnum]`` and ``VJP_RULES[prim][argnum]``.

A *primitive* is a function whose derivative we know as a rule. When one is
called, it looks for tracers among its positional arguments. With none it is
a plain function call (the fast path). Otherwise the tracer of the innermost
(highest) level wins: its level unwraps the arguments of that level only,
calls the primitive again on them (lower levels then get their turn), and
wraps the answer, applying JVP rules (forward mode) or recording a tape node
(reverse mode).

Imports: ``core.errors``, ``core.tracer`` and ``core.spaces``.
"""
from __future__ import annotations

import functools
import inspect
import warnings
from typing import Any, Callable

import numpy as onp

from .errors import MissingRuleError, numpy_io
from .tracer import _SEQUENCES, ARRAY_FROM_SEQUENCE, Tracer, getval, holds_tracer, peek
from .spaces import vspace

# ---------------------------------------------------------------------------
# Rule tables: JVP_RULES[prim][argnum], VJP_RULES[prim][argnum].
#   JVP rule:  rule(t, ans, *args, **kwargs) -> tangent of ans due to args[argnum]
#   VJP rule:  rule(g, ans, *args, **kwargs) -> cotangent of args[argnum]
# An entry under ANY serves every argnum: rule(argnum, t_or_g, ans, *args, **kwargs).
# ---------------------------------------------------------------------------
JVP_RULES: dict["Primitive", dict] = {}
VJP_RULES: dict["Primitive", dict] = {}
ANY = "any"
# A JVP under ALL is applied once for all traced arguments:
#   rule(tangents, ans, *args, **kwargs), tangents[i] None where args[i] is not traced.
# Variadic linear primitives (concatenate) use it to avoid one term per argument.
ALL = "all"
_F64 = onp.float64


class Primitive:
    """A function with known derivative rules. Calling it dispatches on tracers."""

    __slots__ = ("fun", "name", "jvps", "vjps", "reads", "plans", "__dict__")
    # set True (on the instance) for primitives that broadcast their arguments
    # elementwise: a scalar answer then means scalar arguments (dualgrad.core.residuals)
    elementwise = broadcasts = False
    # the same operation on two numpy float64 scalars (operator.mul for multiply): numpy's
    # scalar arithmetic, which gives the ufunc's answer without its dispatch (hot paths)
    scalar: Callable[[Any, Any], Any] | None = None
    saving = False  # True once a VJP rule declares values computed on the forward pass
    # "numpy.<name>" for a primitive standing for a numpy function with out=/where=:
    # a traced call drops their no-op values and refuses the others (errors.numpy_io)
    numpy_io = None

    def __init__(self, fun: Callable, name: str | None = None):
        self.fun = fun
        self.name = name or getattr(fun, "__name__", repr(fun))
        # residuals (dualgrad.core.residuals): reads[argnum] = (rule, names) declared with
        # def_vjp(reads=...); plans: what the tape keeps, per pattern of traced arguments
        self.reads, self.plans = {}, {}
        self.jvps = JVP_RULES.setdefault(self, {})
        self.vjps = VJP_RULES.setdefault(self, VjpRules(self.plans))
        self.__wrapped__ = fun
        self.__doc__ = getattr(fun, "__doc__", None)

    @property
    def __name__(self) -> str:
        return self.name

    # Library primitives read a list or tuple holding tracers as the array numpy
    # would build from it; primitives made by users (``primitive()``) get the list
    # as it is, as in autograd.
    array_likes = True

    def __call__(self, *args, **kwargs):
        # The hot path: one pass over the positional arguments; with no tracer
        # among them this is a plain call of ``fun``. Lists/tuples, and tracers
        # (or lists) passed by keyword, take the slower ``_call_general``.
        if len(args) == 1 and not kwargs:  # f(x), the commonest call, without the loop
            a = args[0]
            if a.__class__ is _F64:  # a plain number (inside rules): isinstance walks its MRO
                return self.fun(a)
            if isinstance(a, Tracer):
                return a._level.process(self, args, kwargs)
            if a.__class__ not in _SEQUENCES or not self.array_likes:
                return self.fun(a)
            return self._call_general(args, kwargs)
        top = None
        for a in args:
            if isinstance(a, Tracer):
                level = a._level
                if top is None or level.depth > top.depth:
                    top = level
            elif a.__class__ in _SEQUENCES and self.array_likes:
                return self._call_general(args, kwargs)
        if kwargs:
            for v in kwargs.values():
                if isinstance(v, Tracer) or v.__class__ is list:
                    return self._call_general(args, kwargs)
        if top is None:
            return self.fun(*args, **kwargs)
        if kwargs and self.numpy_io:
            kwargs = numpy_io(self.numpy_io, kwargs)
        return top.process(self, args, kwargs)

    def _call_general(self, args, kwargs):
        """``__call__`` for arguments that may hide tracers: traced values given by
        keyword are moved to their positions (rules see arrays positionally), and
        lists/tuples holding tracers become traced arrays."""
        if any(holds_tracer(v) for v in kwargs.values()):
            args, kwargs = _bind_positionally(self, args, kwargs)
        if self.array_likes and ARRAY_FROM_SEQUENCE:
            args = tuple(ARRAY_FROM_SEQUENCE[-1](a) if a.__class__ in _SEQUENCES
                         and holds_tracer(a) else a for a in args)
        top = None
        for a in args:
            if isinstance(a, Tracer) and (top is None or a._level.depth > top.depth):
                top = a._level
        if top is None:
            return self.fun(*args, **kwargs)
        if kwargs and self.numpy_io:
            kwargs = numpy_io(self.numpy_io, kwargs)
        return top.process(self, args, kwargs)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"

    def __get__(self, obj, objtype=None):
        # Used as a method (e.g. a primitive defined in a class body): bind self.
        return self if obj is None else functools.partial(self, obj)

    # -- decorators for writing rules next to the primitive ----------------
    def def_jvp(self, rule: Callable = None, *, argnum: int | str = 0):
        """Register ``rule(t, ans, *args, **kwargs)`` as the JVP for ``argnum``
        (``argnum=ANY``: ``rule(argnum, t, ans, *args, **kwargs)`` for every argument)."""
        return _registrar(self.jvps, rule, argnum)

    def def_vjp(self, rule: Callable = None, *, argnum: int | str = 0, reads=None,
                saves: dict | None = None):
        """Register ``rule(g, ans, *args, **kwargs)`` as the VJP for ``argnum``
        (``argnum=ANY``: ``rule(argnum, g, ans, *args, **kwargs)`` for every argument).

        ``reads`` declares the values the rule reads (its residuals): names of its
        parameters (``"ans"``, ``"x y"``; for ``ANY`` rules ``"args"`` or
        ``"others"``), ``()`` for none. The tape keeps only those; every other array
        reaches the rule as a stand-in with its shape and dtype. Without ``reads``
        the tape keeps everything (see ``dualgrad.core.residuals``).

        ``saves={"name": fn}`` declares small values computed on the forward pass,
        ``fn(ans, *args, **kwargs)`` (a mask in place of the arrays it comes from),
        which the rule takes as keyword-only parameters. The tape computes each
        once, when the primitive is recorded, and keeps it; called anywhere else
        (mode fallbacks, batching) the rule gets them computed from its arguments."""
        if reads is None:
            if saves:
                raise TypeError(f"def_vjp({self.name}): saves= goes with reads=, which "
                                "names what the rule reads besides the saved values.")
            return _registrar(self.vjps, rule, argnum)

        def register(r):
            served = _with_saved(r, saves) if saves else r
            self.vjps[argnum] = served
            self.reads[argnum] = (served, reads)
            if saves:
                self.saving = True
            self.plans.clear()
            return r
        return register if rule is None else register(rule)

    def jvp_rule(self, argnum: int) -> Callable:
        return _lookup(self.jvps, argnum, self, "JVP")

    def vjp_rule(self, argnum: int) -> Callable:
        return _lookup(self.vjps, argnum, self, "VJP")

    # -- autograd's deprecated spellings (its tests and old code still use them) --
    def defgrad(self, vjpmaker: Callable, argnum: int = 0) -> None:
        """Deprecated autograd form: ``vjpmaker(ans, *args)`` returns ``lambda g: ...``."""
        _deprecated("defgrad")
        self.vjps[argnum] = lambda g, ans, *args, **kw: vjpmaker(ans, *args, **kw)(g)

    def defvjp(self, vjp: Callable, argnum: int = 0) -> None:
        """Deprecated autograd form: ``vjp(g, ans, vs, gvs, *args)``."""
        _deprecated("defvjp")
        self.vjps[argnum] = lambda g, ans, *args, **kw: vjp(
            g, ans, vspace(args[argnum]), vspace(g), *args, **kw)

    def defvjp_is_zero(self, argnums=(0,)) -> None:
        """Deprecated autograd form: these arguments get a zero VJP."""
        _deprecated("defvjp_is_zero")
        for i in argnums:
            self.vjps[i] = lambda g, ans, *args, _i=i, **kw: vspace(args[_i]).zeros()


def _deprecated(name: str) -> None:
    warnings.warn(f"Primitive.{name} is autograd's deprecated spelling; use "
                  f"dualgrad.extend.defvjp instead.", DeprecationWarning, stacklevel=3)


class VjpRules(dict):
    """A primitive's VJP rules by argnum. Changing a rule forgets the tape plans
    made from the old ones (``Primitive.plans``, see ``dualgrad.core.residuals``)."""

    __slots__ = ("plans",)

    def __init__(self, plans: dict):
        super().__init__()
        self.plans = plans

    def __setitem__(self, k, v):
        super().__setitem__(k, v)
        self.plans.clear()

    def __delitem__(self, k):
        super().__delitem__(k)
        self.plans.clear()

    def update(self, *a, **k):
        super().update(*a, **k)
        self.plans.clear()

    def pop(self, *a):
        self.plans.clear()
        return super().pop(*a)

    def setdefault(self, k, v=None):
        self.plans.clear()
        return super().setdefault(k, v)

    def clear(self):
        super().clear()
        self.plans.clear()



def _bind_positionally(prim: "Primitive", args: tuple, kwargs: dict):
    """``(args, kwargs)`` with every parameter given by keyword that can be given
    by position moved there (``np.sinc(x=t)`` -> ``sinc(t)``), by the signature of
    the numpy function ``prim`` stands for (``prim.signature``) or of ``prim.fun``."""

    sig = prim.__dict__.get("signature")
    try:
        sig = sig or inspect.signature(prim.fun)
        bound = sig.bind(*args, **kwargs)
    except (TypeError, ValueError):
        bound = None
    if bound is None or any(holds_tracer(v) for v in bound.kwargs.values()):
        names = [k for k, v in kwargs.items() if holds_tracer(v)]
        raise TypeError(f"{prim.name}: the traced value given as {', '.join(names)}= cannot "
                        "be passed by keyword; pass it positionally.")
    return bound.args, bound.kwargs


def saved_values(saves: dict, ans, args, kwargs: dict) -> dict:
    """The values a rule declared with ``saves=`` takes, from the answer and arguments."""
    return {name: fn(ans, *args, **kwargs) for name, fn in saves.items()}


def _with_saved(raw: Callable, saves: dict) -> Callable:
    """``raw`` given its ``saves`` values computed from the arguments it is called
    with: the rule as every caller but the tape uses it (``rule.raw`` and
    ``rule.saves`` let the tape bind values it computed on the forward pass)."""
    def rule(g, ans, *args, **kwargs):
        return raw(g, ans, *args, **kwargs, **saved_values(saves, ans, args, kwargs))
    rule.raw, rule.saves = raw, saves
    rule.__name__ = getattr(raw, "__name__", "vjp")
    return rule


def _registrar(table: dict, rule, argnum):
    def register(r):
        table[argnum] = r
        return r

    return register if rule is None else register(rule)


def _lookup(table: dict, argnum: int, prim: Primitive, kind: str) -> Callable:
    rule = table.get(argnum)
    if rule is not None:
        return rule
    generic = table.get(ANY)
    if generic is not None:
        return functools.partial(generic, argnum)
    other_table = prim.jvps if kind == "VJP" else prim.vjps
    other_mode = argnum in other_table or ANY in other_table or ALL in other_table
    if other_mode:
        other = "forward" if kind == "VJP" else "reverse"
        hint = (f"Use {other} mode (jacobian(f, mode=\"{'fwd' if kind == 'VJP' else 'rev'}\")), "
                "or register one")
    else:
        hint = ("dualgrad has no derivative of it in this argument in either mode. Keep that "
                "argument constant (not traced), or register rules")
    raise MissingRuleError(
        f"No {kind} rule for '{prim.name}' (argument {argnum}). {hint} with "
        f"dualgrad.extend.def{kind.lower()}({prim.name}, ...).",
        kind=kind, prim=prim, argnum=argnum, other_mode=other_mode)


class ViewPrimitive(Primitive):
    """A primitive whose answer numpy gives as a view of its first argument, when it
    can (basic indexing, transpose, reshape, real, imag): applied to a tracer, the
    answer is made a view of it by ``view_of`` (set by ``dualgrad.rules.views``), so
    that writes through it reach the base, as numpy's do."""

    __slots__ = ()

    def __call__(self, *args, **kwargs):
        out = Primitive.__call__(self, *args, **kwargs)
        if args and isinstance(args[0], Tracer):
            return self.view_of(args[0], out, args[1:], kwargs)
        return out

    def view_of(self, base, out, rest, kwargs):  # pragma: no cover (set by the rules)
        return out


def primitive(fun: Callable) -> Primitive:
    """Wrap ``fun`` so dualgrad treats it as one step with rules given later.

    Inside a transform, the primitive's body runs on plain values (its own code is
    not traced); its derivative comes only from the rules registered for it with
    :func:`~dualgrad.extend.defvjp`, :func:`~dualgrad.extend.defjvp` (autograd's
    forms) or ``prim.def_vjp``/``prim.def_jvp``. A rule whose result is not shaped
    like its argument (VJP) or the output (JVP) is refused when it runs. A traced
    value the body closes over adds nothing either: in its answer, a tracer of the
    transform applying it (or of one inside that) stands for its plain value, as in
    autograd.

    Parameters
    ----------
    fun : callable
        A function of arrays (numpy, scipy, compiled code: anything).

    Returns
    -------
    Primitive
        Callable like ``fun``; outside a transform it is ``fun``.

    Raises
    ------
    MissingRuleError
        When a transform needs a rule the primitive has not been given (for
        example ``grad`` with only a JVP rule and no way round it); the message
        names the primitive, the argument and the mode.

    Examples
    --------
    >>> import numpy
    >>> from dualgrad import grad
    >>> from dualgrad.extend import defvjp
    >>> square = primitive(lambda x: x * x)
    >>> float(square(3.0))
    9.0
    >>> defvjp(square, lambda ans, x: lambda g: 2 * g * x)
    >>> float(grad(square)(3.0))
    6.0
    """
    prim = Primitive(fun)
    prim.array_likes = False
    return check_user_rules(prim)  # its rules' results are checked for shape



def _tracers_in(args):
    """The tracers among ``args`` and inside the lists and tuples among them."""
    for a in args:
        if isinstance(a, Tracer):
            yield a
        elif a.__class__ in _SEQUENCES:
            yield from _tracers_in(a)


def _values(a):
    """``a`` with every tracer, also inside (nested) lists and tuples, its plain value."""
    if a.__class__ in _SEQUENCES:
        return type(a)(_values(e) for e in a) if holds_tracer(a) else a
    return getval(a)


def notrace_primitive(fun: Callable, *, elementwise: bool = False) -> Callable:
    """Wrap a function whose output does not depend differentiably on its
    inputs (comparisons, shapes, argmax): tracers are unwrapped, nothing is
    recorded, and the result is a plain value (a constant to every transform).

    Parameters
    ----------
    fun : callable
        A function whose result carries no derivative.
    elementwise : bool, optional
        A promise that ``fun`` broadcasts over its array arguments as a ufunc does (a
        mask such as ``x >= lo``): a batching level (vmap, jacobian) then applies it to
        all examples in one call instead of one call per example.

    Returns
    -------
    callable
        ``fun`` applied to the plain values under any tracers; under ``vmap`` it is
        applied example by example, or to all examples at once if ``elementwise``.

    Raises
    ------
    Exception
        Whatever ``fun`` raises; nothing of its own.

    Examples
    --------
    >>> import numpy
    >>> import dualgrad.numpy as np
    >>> from dualgrad import grad
    >>> sign_of = notrace_primitive(numpy.sign)
    >>> float(grad(lambda x: sign_of(x) * x ** 2)(-3.0))  # sign is a constant: d/dx -x**2
    6.0
    """
    if elementwise:
        fun._dualgrad_elementwise = True  # read by the batching level's process_nondiff

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        if kwargs.get("out") is not None and holds_tracer(args, kwargs):
            numpy_io(f"numpy.{getattr(fun, '__name__', 'function')}", kwargs)  # raises
        for a in _tracers_in(args):
            while isinstance(a, Tracer):
                if a._level.maps_nondiff or a._quiet:
                    # A batching level applies ``fun`` example by example; a jit
                    # trace records the call (its answer depends on the data).
                    return a._level.process_nondiff(fun, args, kwargs)
                a = a.value
        # a list holding tracers is given as the list of their values, which numpy
        # reads as it reads any list (np.shape([x, y]); histogramdd's list of D arrays)
        args = [_values(a) for a in args]
        kwargs = {k: _values(v) for k, v in kwargs.items()}
        return fun(*args, **kwargs)

    wrapped._is_notrace = True
    return wrapped


def plain_function(fun: Callable) -> Callable:
    """``fun``, which computes a constant from the plain values of its arguments (a mask,
    a sort order, a tie share), as one recorded step of a ``jit`` trace.

    Elsewhere it is ``fun`` itself (which takes ``getval`` of what it reads); under a
    jit trace its answer depends on the data, so the staging level records the call
    instead of guarding every value it read.

    Parameters
    ----------
    fun : callable
        Reads ``getval`` of its arguments and returns numbers with no derivative.

    Returns
    -------
    callable
        ``fun`` as a recordable step (under no jit trace: ``fun``'s answer).

    Raises
    ------
    Nothing
        At decoration; ``fun``'s own errors at a call.

    Examples
    --------
    >>> import numpy as onp
    >>> import dualgrad.numpy as np
    >>> from dualgrad import jit, grad
    >>> from dualgrad.core import getval, plain_function
    >>> positive = plain_function(lambda x: getval(x) > 0)
    >>> f = jit(grad(lambda x: np.sum(np.where(positive(x), x, 0.0) ** 2)))
    >>> f(onp.array([1.0, -1.0])), f(onp.array([-2.0, 3.0])), f.traces
    (array([2., 0.]), array([0., 6.]), 1)
    """

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        for a in args:
            while isinstance(a, Tracer):
                if a._quiet:
                    return a._level.process_nondiff(fun, args, kwargs)
                a = a.value
        return fun(*args, **kwargs)

    return wrapped


# --------------------------------------------------------------- user rules
class _Checked:
    """Mixed into the class of a user-defined primitive's rule tables: each rule
    registered is wrapped so that a JVP returning a tangent not shaped like the
    output, or a VJP returning a cotangent not shaped like its argument, raises an
    error naming the primitive (a wrong shape would otherwise broadcast into a
    wrong derivative). A scalar (shape ``()``) result is broadcast: it can only
    mean the same value in every entry."""

    __slots__ = ()
    owner = None  # (primitive, "JVP" or "VJP"), set on the per-primitive subclass

    def __setitem__(self, argnum, rule):
        super().__setitem__(argnum, _checked(rule, *self.owner, argnum))


def check_user_rules(prim):
    """Make the rule tables of ``prim`` (a user-defined primitive) checked ones.
    A table keeps its own class underneath (the VJP table also holds the tape's
    residual plans): a table of a plain ``dict`` is replaced by a checked dict,
    one of a dict subclass has its class switched in place."""
    for attr, kind in (("jvps", "JVP"), ("vjps", "VJP")):
        table = getattr(prim, attr)
        cls = type(f"Checked{type(table).__name__}", (_Checked, type(table)),
                   {"__slots__": (), "owner": (prim, kind)})
        if type(table) is dict:
            new = cls(table)
            setattr(prim, attr, new)
            (JVP_RULES if kind == "JVP" else VJP_RULES)[prim] = new
        else:
            table.__class__ = cls
        for k in list(table):
            getattr(prim, attr)[k] = table[k]
    return prim


def _checked(rule: Callable, prim, kind: str, argnum) -> Callable:
    if argnum == ALL or getattr(rule, "_dualgrad_checked", False):
        return rule
    if argnum == ANY:
        def any_rule(i, g, ans, *args, **kwargs):
            return _fit(rule(i, g, ans, *args, **kwargs), ans, args, i, prim, kind)
        out = any_rule
    else:
        def one_rule(g, ans, *args, **kwargs):
            return _fit(rule(g, ans, *args, **kwargs), ans, args, argnum, prim, kind)
        out = one_rule
    functools.update_wrapper(out, rule)
    out._dualgrad_checked = True
    return out


def _fit(result, ans, args, argnum: int, prim, kind: str):
    like = ans if kind == "JVP" else args[argnum]
    t, u = type(result), type(like)
    if (t in _SCALARS and u in _SCALARS) or (
            t is onp.ndarray and u is onp.ndarray and result.shape == like.shape):
        return result  # the common cases, without the general shape logic below
    if isinstance(like, (tuple, list, dict)) or isinstance(result, (tuple, list, dict)):
        return result  # a container output: its structure is the rule's business
    want, got = onp.shape(peek(like)), onp.shape(peek(result))
    if want == got:
        return result
    if got == ():
        return onp.broadcast_to(result, want)  # a tracer: NEP 18 sends it to our rule
    what = ("a tangent shaped like the primitive's output" if kind == "JVP" else
            "a cotangent shaped like that argument (sum over the axes that broadcasting "
            "added, e.g. dualgrad.numpy.sum(g, axis=0))")
    of = "the output" if kind == "JVP" else f"argument {argnum}"
    raise ValueError(
        f"The {kind} rule of the user-defined primitive '{prim.name}' for argument "
        f"{argnum} returned shape {got}, but {of} has shape {want}. A {kind} rule must "
        f"return {what}.")


_SCALARS = (float, complex, onp.float64, onp.float32, onp.complex128)
