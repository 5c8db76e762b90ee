"""The tracing core: primitives, the two rule tables, tracers and trace levels.

A *primitive* is a function whose derivative we know as a rule. When one is
called, it looks for tracers among its positional arguments. With none it is
a plain function call (the fast path). Otherwise the tracer of the innermost
(highest) level wins: its trace unwraps the arguments of that level only,
calls the primitive again on them (lower levels then get their turn), and
wraps the answer, applying JVP rules (forward mode) or recording a tape node
(reverse mode).

Levels are what keep nested derivatives apart: a tracer of an outer level is
a constant to an inner one. The level stack is per thread.

This module imports nothing else from dualgrad; ``forward``, ``reverse`` and
``rules`` build on it.
"""
from __future__ import annotations

import functools
import itertools
import threading
import types
from typing import Any, Callable

import numpy as onp


class _Log:
    """``logging.getLogger("dualgrad")``, imported at the first message: most runs
    emit none, and the logging package is about half a megabyte of memory."""

    __slots__ = ()

    def __getattr__(self, name):
        import logging
        return getattr(logging.getLogger("dualgrad"), name)


log = _Log()

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

# numpy callables (ufuncs and functions) -> our primitive or wrapper, for NEP 13/18.
NUMPY_OVERRIDES: dict[Any, Callable] = {}
# The primitive computing ``x[idx] = y`` out of place (set by rules.construction), so
# that Tracer.__setitem__ stays generic and this module imports no rules.
INDEX_UPDATE: list = []
# The function building a traced array from a (nested) list or tuple that holds
# tracers (dualgrad.numpy.array, set by the rules): a primitive of the library
# given such an array_like (np.mean([x, y])) applies itself to that array.
ARRAY_FROM_SEQUENCE: list = []
_SEQUENCES = (list, tuple)


class DifferentiationError(TypeError, NotImplementedError):
    """A function was asked for a derivative it has no rule for (a TypeError, and a
    NotImplementedError as autograd's missing-rule error is)."""


class MissingRuleError(DifferentiationError):
    """No ``kind`` rule ("JVP" or "VJP") for argument ``argnum`` of ``prim``.

    ``other_mode`` tells whether the primitive has a rule of the other kind for
    that argument; the transforms that can run in either mode catch this error
    and rerun in the mode whose rules exist (``dualgrad.fallback``)."""

    def __init__(self, message: str, *, kind: str, prim: "Primitive", argnum,
                 other_mode: bool):
        super().__init__(message)
        self.kind, self.prim, self.argnum, self.other_mode = kind, prim, argnum, other_mode


class BatchingError(TypeError):
    """A rule (or an index, or a Python branch) read the numbers of a batched value
    (``dualgrad.batching``); the callers (vmap, jacobian) catch it and loop over
    the examples instead."""


class Primitive:
    """A function with known derivative rules. Calling it dispatches on tracers."""

    __slots__ = ("fun", "name", "jvps", "vjps", "reads", "plans", "__dict__")
    # set True (on the instance) for primitives that broadcast their arguments
    # elementwise: a scalar answer then means scalar arguments (dualgrad.residuals)
    elementwise = broadcasts = False
    saving = False  # True once a VJP rule declares values computed on the forward pass

    def __init__(self, fun: Callable, name: str | None = None):
        self.fun = fun
        self.name = name or getattr(fun, "__name__", repr(fun))
        # residuals (dualgrad.residuals): reads[argnum] = (rule, names) declared with
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
        return top.process(self, args, kwargs)

    def _call_general(self, args, kwargs):
        """``__call__`` for arguments that may hide tracers: traced values given by
        keyword are moved to their positions (rules see arrays positionally), and
        lists/tuples holding tracers become traced arrays."""
        if any(_holds_tracer(v) for v in kwargs.values()):
            args, kwargs = _bind_positionally(self, args, kwargs)
        if self.array_likes and ARRAY_FROM_SEQUENCE:
            args = tuple(ARRAY_FROM_SEQUENCE[-1](a) if a.__class__ in _SEQUENCES
                         and _holds_tracer(a) else a for a in args)
        top = None
        for a in args:
            if isinstance(a, Tracer) and (top is None or a._level.depth > top.depth):
                top = a._level
        if top is None:
            return self.fun(*args, **kwargs)
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
        the tape keeps everything (see ``dualgrad.residuals``).

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
        from .extend import defvjp
        _deprecated("defgrad")
        defvjp(self, vjpmaker, argnums=(argnum,))

    def defvjp(self, vjp: Callable, argnum: int = 0) -> None:
        """Deprecated autograd form: ``vjp(g, ans, vs, gvs, *args)``."""
        from .vspace import vspace
        _deprecated("defvjp")
        self.vjps[argnum] = lambda g, ans, *args, **kw: vjp(
            g, ans, vspace(args[argnum]), vspace(g), *args, **kw)

    def defvjp_is_zero(self, argnums=(0,)) -> None:
        """Deprecated autograd form: these arguments get a zero VJP."""
        from .vspace import vspace
        _deprecated("defvjp_is_zero")
        for i in argnums:
            self.vjps[i] = lambda g, ans, *args, _i=i, **kw: vspace(args[_i]).zeros()


def _deprecated(name: str) -> None:
    import warnings
    warnings.warn(f"Primitive.{name} is autograd's deprecated spelling; use "
                  f"dualgrad.extend.defvjp instead.", DeprecationWarning, stacklevel=3)


class VjpRules(dict):
    """A primitive's VJP rules by argnum. Changing a rule forgets the tape plans
    made from the old ones (``Primitive.plans``, see ``dualgrad.residuals``)."""

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


def _holds_tracer(obj) -> bool:
    """Whether ``obj`` is a tracer or a (nested) list/tuple holding one."""
    if isinstance(obj, Tracer):
        return True
    return obj.__class__ in _SEQUENCES and any(_holds_tracer(o) for o in obj)


def _bind_positionally(prim: "Primitive", args: tuple, kwargs: dict):
    """``(args, kwargs)`` with every parameter given by keyword that can be given
    by position moved there (``np.sinc(x=t)`` -> ``sinc(t)``), by the signature of
    the numpy function ``prim`` stands for (``prim.signature``) or of ``prim.fun``."""
    import inspect

    sig = prim.__dict__.get("signature")
    try:
        sig = sig or inspect.signature(prim.fun)
        bound = sig.bind(*args, **kwargs)
    except (TypeError, ValueError):
        bound = None
    if bound is None or any(_holds_tracer(v) for v in bound.kwargs.values()):
        names = [k for k, v in kwargs.items() if _holds_tracer(v)]
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


def primitive(fun: Callable) -> Primitive:
    """Wrap ``fun`` so dualgrad treats it as one step with rules given later.

    >>> import numpy
    >>> square = primitive(lambda x: x * x)
    >>> float(square(3.0))
    9.0
    """
    prim = Primitive(fun)
    prim.array_likes = False
    from .checks import check_user_rules  # lazily: this module imports nothing at load
    return check_user_rules(prim)  # its rules' results are checked for shape


def getval(x):
    """The plain value under all tracer levels."""
    while isinstance(x, Tracer):
        x = x.value
    return x


def isbox(x) -> bool:
    """True when ``x`` is being traced (by any mode)."""
    return isinstance(x, Tracer)


def notrace_primitive(fun: Callable) -> Callable:
    """Wrap a function whose output does not depend differentiably on its
    inputs (comparisons, shapes, argmax): tracers are unwrapped, nothing is
    recorded, and the result is a plain value."""

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        for a in args:
            while isinstance(a, Tracer):
                if a._level.maps_nondiff:
                    # A batching level applies ``fun`` example by example.
                    return a._level.process_nondiff(fun, args, kwargs)
                a = a.value
        args = [getval(a) for a in args]
        kwargs = {k: getval(v) for k, v in kwargs.items()}
        return fun(*args, **kwargs)

    wrapped._is_notrace = True
    return wrapped


# ---------------------------------------------------------------------------
# Levels
# ---------------------------------------------------------------------------
_state = threading.local()


def _stack() -> list:
    s = getattr(_state, "stack", None)
    if s is None:
        s = _state.stack = []
    return s


class Level:
    """One active transform. Deeper (inner) levels have larger ``depth``.

    Subclasses implement ``process(prim, args, kwargs)``: apply ``prim`` to
    arguments some of which are tracers of this level.
    """

    __slots__ = ("depth", "__weakref__")
    # True for levels (batching) whose tracers hold several examples at once:
    # non-differentiable functions must then see them one example at a time.
    maps_nondiff = False
    # True once the transform has finished: the level's class is then swapped for a
    # subclass whose process() raises (no cost on the hot path; see _exited_class).
    exited = False

    def __init__(self, depth: int):
        self.depth = depth

    def __enter__(self):
        if self.exited:  # entered again: live once more
            self.__class__ = type(self).__mro__[1]
        _stack().append(self)
        return self

    def __exit__(self, *exc):
        _stack().pop()
        self.__class__ = _exited_class(type(self))

    def process(self, prim: Primitive, args: tuple, kwargs: dict):  # pragma: no cover
        raise NotImplementedError

    @classmethod
    def new(cls, *a):
        """A level one deeper than every level active on this thread.

        While ``instrument(hook)`` is active on this thread, ``hook(cls)`` picks
        the class (``dualgrad.graph.count`` uses counting subclasses)."""
        s = _stack()
        hook = getattr(_state, "instrument", None)
        return (cls if hook is None else hook(cls))(s[-1].depth + 1 if s else 1, *a)


class UnexpectedTracerError(RuntimeError):
    """A traced value was used outside the transform that made it: after that
    ``grad``/``jvp``/``vmap`` call returned, or on another thread. Its derivative
    would be silently wrong, so dualgrad refuses (JAX's UnexpectedTracerError)."""


_KINDS = {"ReverseLevel": "reverse-mode (grad, vjp, jacrev)",
          "ForwardLevel": "forward-mode (jvp, deriv, jacfwd)",
          "BatchLevel": "batching (vmap, jacobian)"}


def stale_tracer_message(level) -> str:
    kinds = [_KINDS[c.__name__] for c in type(level).__mro__ if c.__name__ in _KINDS]
    kind = kinds[0] if kinds else type(level).__name__
    when = "has finished" if level.exited else "is running on another thread"
    return (f"A traced value of a {kind} transform (level {level.depth}) was used after "
            f"that transform {when}. This happens when a value computed from the "
            "function's traced inputs is kept beyond one call: in a cache or dict, a global, "
            "an attribute, a closure, or handed between threads. Its derivative would be "
            "silently wrong, so dualgrad stops here. Fix: compute such values inside the "
            "function on every call (cache only plain inputs), return them as outputs "
            "(grad_and_aux, value_and_grad), or keep the number alone with "
            "dualgrad.core.getval(x).")


def _stale(self, *args, **kwargs):
    raise UnexpectedTracerError(stale_tracer_message(self))


_EXITED: dict = {}


def _exited_class(cls: type) -> type:
    """The subclass a finished level of class ``cls`` takes: same layout, ``exited``
    True, and ``process``/``process_nondiff`` raising ``UnexpectedTracerError``."""
    if cls.exited:
        return cls
    dead = _EXITED.get(cls)
    if dead is None:
        dead = _EXITED[cls] = type(cls.__name__, (cls,), {
            "__slots__": (), "exited": True, "process": _stale, "process_nondiff": _stale,
            "__module__": cls.__module__, "__qualname__": cls.__qualname__})
    return dead


def check_live(x, own=None) -> None:
    """Raise ``UnexpectedTracerError`` unless ``x`` (if a tracer other than one of
    level ``own``) is of a level active on this thread (used where a transform reads
    its outputs: a tracer of another level there must be of an enclosing, live one)."""
    if not isinstance(x, Tracer) or x._level is own:
        return
    level = x._level
    if getattr(level, "always_live", False):  # dualgrad.pending: constants
        return
    if level.exited or not any(lv is level for lv in _stack()):
        raise UnexpectedTracerError(stale_tracer_message(level))


class instrument:
    """``with instrument(hook):`` levels created on this thread are of class
    ``hook(cls)`` instead of ``cls``. Tools that observe differentiation (the
    counters of ``dualgrad.graph``) use it; it costs nothing per primitive."""

    def __init__(self, hook: Callable[[type], type]):
        self.hook = hook

    def __enter__(self):
        self.previous = getattr(_state, "instrument", None)
        _state.instrument = self.hook
        return self

    def __exit__(self, *exc):
        _state.instrument = self.previous


def current_depth() -> int:
    s = _stack()
    return s[-1].depth if s else 0


# ---------------------------------------------------------------------------
# Tracer: the common face of Dual and Box.
# ---------------------------------------------------------------------------
class Tracer:
    """A value being traced at some level. Behaves like the array it wraps.

    Subclasses keep the wrapped value in ``value`` and the level in ``_level``.
    Operators and ndarray methods are attached by ``register_method`` once the
    rules are loaded, so this class knows no calculus.
    """

    __slots__ = ("value", "_level")
    __array_priority__ = 1000.0

    # -- array-like read-only attributes ----------------------------------
    @property
    def shape(self):
        return onp.shape(self.value)

    @property
    def ndim(self):
        return onp.ndim(self.value)

    @property
    def size(self):
        v = self.value  # .size first: a duck array (dask) does not implement numpy.size
        return v.size if hasattr(v, "size") else onp.size(v)

    @property
    def dtype(self):
        return onp.result_type(getval(self.value))

    def __len__(self):
        if self.ndim == 0:
            raise TypeError(f"len() of a traced scalar: it has shape (), so no length. Use "
                            f"x.shape or x.size for the dimensions of an array.")
        return len(self.value)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self):
        return bool(getval(self))

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return f"{type(self).__name__}({getval(self)!r}, level={self._level.depth})"

    def __format__(self, spec):  # f"{x:.3f}" while tracing prints the plain value
        return format(getval(self), spec)

    # -- mistakes that must not pass silently -----------------------------
    def __array__(self, dtype=None, *args, **kwargs):
        if dtype is not None and onp.dtype(dtype).kind in "biu":
            # an integer or boolean copy (np.int64(x), x.astype(int) by plain numpy)
            # has no derivative to lose: its plain value, as autograd gives
            if self._level.maps_nondiff:
                raise BatchingError("an integer copy of a batched value differs between "
                                    "examples; dualgrad loops over the examples instead.")
            return onp.asarray(getval(self)).astype(dtype)
        raise TypeError(_plain_numpy_message(self))

    def __setitem__(self, idx, val):
        """``x[idx] = y`` on a traced ``x``, differentiated by copy-on-write.

        The updated value is computed by a differentiable primitive
        (``index_update``, registered in ``INDEX_UPDATE`` by the rules) and this
        tracer object is rebound to it, so the name ``x`` (and every other
        reference to this tracer) sees the new value and its derivative.

        One difference from numpy: arrays taken from ``x`` before the update
        (``v = x[:2]``, ``v = x.T``) are copies, not views, so they keep the old
        values; with numpy they would see the update. Read them again after the
        assignment if you want the new values.
        """
        if not INDEX_UPDATE:  # pragma: no cover (the rules always register one)
            raise TypeError("x[i] = y on a traced array needs dualgrad.rules loaded.")
        self._become(INDEX_UPDATE[-1](self, val, static_index(idx)), "x[i] = y")

    def _become(self, new, what: str) -> None:
        """Rebind this tracer object to ``new`` (same class and level): the
        copy-on-write step behind ``x[i] = y`` and ``x += y``."""
        if type(new) is not type(self) or new._level is not self._level:
            raise TypeError(
                f"{what}: y is traced by an inner transform (level "
                f"{getattr(getattr(new, '_level', None), 'depth', '?')}) that x (level "
                f"{self._level.depth}) is not part of, so x cannot be updated in place. Build "
                "a new array instead (x2 = x + y, x2 = dualgrad.numpy.where(mask, y, x)), or "
                "create x inside the inner function.")
        _copy_slots(self, new)

    def _clone(self):
        """A new tracer object holding the same value and derivative: what numpy's
        copies (``x.copy()``, ``np.copy(x)``, ``np.array(x)``, ``+x``) return. An
        in-place update of the copy rebinds only the copy, as in numpy; returning
        ``self`` instead would let ``y = x.copy(); y[0] = 0`` change ``x``."""
        new = object.__new__(type(self))
        _copy_slots(new, self)
        return new

    # copy.copy / copy.deepcopy: a clone, still on the tape (deep-copying the tape node
    # would cut the derivative; the value is never mutated in place, so sharing is safe).
    def __copy__(self):
        return self._clone()

    def __deepcopy__(self, memo):
        return self._clone()

    def _no_concrete(self, kind):
        math = (" (math.sin(x), math.exp(x) and other math functions call float(): use "
                "dualgrad.numpy.sin, dualgrad.numpy.exp, ... instead)" if kind == "float" else "")
        raise TypeError(
            f"{kind}() of a traced value would drop its derivative{math}. Keep it an array "
            f"(use x directly), or take dualgrad.core.getval(x) if you really want a constant.")

    def __float__(self):
        self._no_concrete("float")

    def __int__(self):
        self._no_concrete("int")

    def __complex__(self):
        self._no_concrete("complex")

    def __index__(self):
        self._no_concrete("index")

    # -- NEP 13 / NEP 18: plain numpy functions called on tracers -----------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        target = NUMPY_OVERRIDES.get(ufunc) if method == "__call__" else None
        if target is None:
            return _unsupported(f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}"))
        out = kwargs.get("out")
        if out is not None:
            if not any(isinstance(o, Tracer) for o in (out if isinstance(out, tuple) else (out,))):
                raise TypeError(
                    f"numpy.{ufunc.__name__} would write a traced value into a plain numpy "
                    "array a (a += x, a *= x with a plain a and a traced x, or out=a), which "
                    "drops its derivative. Write a = a + x (a new, traced array), or drop "
                    "out= and use the returned value.")
            raise TypeError(f"numpy.{ufunc.__name__}(..., out=...) cannot write into a "
                            "traced array; drop out= and use the returned value.")
        return target(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        target = NUMPY_OVERRIDES.get(func)
        if target is None:
            return _unsupported(f"numpy.{_qualname(func)}")
        return target(*args, **kwargs)


_RAW_MEMORY = ("raw memory and storage carry no derivative. Use dualgrad.core.getval(x) "
               "for the plain value (a constant) if that is what you need.")
_ATTRIBUTE_HINTS = {
    "flat": "use x.ravel()[i] or x.reshape(-1) instead.",
    "put": "use x[idx] = v (copy-on-write on traced arrays) or dualgrad.numpy.where.",
    "resize": "build the new array with dualgrad.numpy.resize, reshape or concatenate.",
    "view": "traced arrays have no views; use x itself, x.reshape or x.astype.",
    "itemsize": "use x.dtype.itemsize.",
    "nbytes": "use x.size * x.dtype.itemsize.",
}


def _not_on_tracers(name: str) -> property:
    def missing(self):
        raise AttributeError(f"x.{name} (an ndarray attribute) is not available on a traced "
                             f"value: {_ATTRIBUTE_HINTS.get(name, _RAW_MEMORY)}")
    return property(missing)


# ndarray attributes a tracer has no rule for say why, each by a property of its own
# rather than a __getattr__: a class with __getattr__ loses CPython's specialised
# attribute access, which every traced operation pays several times (value, _level,
# node). The methods the rules register later replace these.
for _name in dir(onp.ndarray):
    if not _name.startswith("__") and not hasattr(Tracer, _name):
        setattr(Tracer, _name, _not_on_tracers(_name))


def _plain_numpy_message(x: Tracer) -> str:
    """Why a tracer reached plain numpy, and what to write instead: the case is read
    off the calling line where it can be (a plain ndarray's method, an assignment)."""
    head = (f"A traced value (shape {x.shape}) was handed to plain numpy code that would "
            "turn it into a plain array and lose its derivative. ")
    case = _calling_case()
    if case and case[0] == "method":
        a, method = case[1], case[2]
        fix = f"np.dot({a}, x) or {a} @ x" if method == "dot" else f"np.{method}({a}, ...)"
        return head + (f"Here a method of the plain numpy array {a!r} ({a}.{method}(...)) "
                       "was applied to it, and an ndarray's own methods cannot see through "
                       f"traced values. Write {fix} with np = dualgrad.numpy instead.")
    if case and case[0] == "store":
        return head + ("Here it was assigned into a plain numpy array (a[i] = x), which "
                       "cannot hold a derivative. Create the array with dualgrad.numpy "
                       "(np.zeros(n) while differentiating), build it from traced values "
                       "(np.stack, np.concatenate, np.where), or start from a traced array.")
    return head + ("Typical causes: a method of a plain ndarray applied to it (A.dot(x): write "
                   "np.dot(A, x) or A @ x with np = dualgrad.numpy); a plain numpy function "
                   "given a list holding it (use dualgrad.numpy's function, which accepts "
                   "lists); assigning it into a plain numpy array (a[i] = x: create the array "
                   "with dualgrad.numpy instead).")


def _calling_case():
    """("method", receiver name, method) or ("store",) for the user's line that handed
    a tracer to numpy; None when it cannot be told (only used for error messages)."""
    import dis
    import linecache
    import re
    import sys
    try:
        frame = sys._getframe(3)  # _calling_case <- _plain_numpy_message <- __array__ <- caller
        while frame is not None and frame.f_code.co_filename == __file__:
            frame = frame.f_back
        if frame is None:
            return None
        for ins in dis.get_instructions(frame.f_code):
            if ins.offset == frame.f_lasti and ins.opname == "STORE_SUBSCR":
                return ("store",)
        line = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
        for name, method in re.findall(r"([A-Za-z_]\w*)\.([A-Za-z_]\w*)\s*\(", line):
            obj = frame.f_locals.get(name, frame.f_globals.get(name))
            if isinstance(obj, onp.ndarray):
                return ("method", name, method)
    except Exception:  # noqa: BLE001  (a message helper must never fail)
        return None
    return None


def static_index(idx):
    """An index (``x[idx]``, ``x[idx] = y``) as plain values: indices carry no
    derivative. An index computed from batched values (``x[x > 0] = 0`` under
    ``vmap``) has one value per example, which one batched pass cannot use: its
    plain value would be a placeholder (an all-False mask, a silently wrong
    result), so ``BatchingError`` is raised and ``vmap`` loops over the examples."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    for part in parts:
        a = part
        while isinstance(a, Tracer):
            if a._level.maps_nondiff:
                raise BatchingError("An index computed from batched values (x[mask] or "
                                    "x[mask] = y under vmap) differs between examples; "
                                    "dualgrad loops over the examples instead.")
            a = a.value
    return tuple(getval(i) for i in idx) if isinstance(idx, tuple) else getval(idx)


def _copy_slots(dst: Tracer, src: Tracer) -> None:
    """Make ``dst`` hold what ``src`` holds (same class). The slot storage is copied
    through each slot's own descriptor: a subclass may shadow a slot name with a
    property (``Batched.value``), which has no setter."""
    for cls in type(src).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            descr = cls.__dict__.get(slot)
            if not isinstance(descr, types.MemberDescriptorType):
                continue
            try:
                val = descr.__get__(src, type(src))
            except AttributeError:  # slot never set on src
                continue
            descr.__set__(dst, val)


# A primitive's answer is traced on only when it can carry a derivative.
_FLOATS = (float, onp.float64)  # the common case, checked first (hot path)


def _is_differentiable(ans) -> bool:
    if isinstance(ans, (float, complex, Tracer)):
        return True
    kind = getattr(getattr(ans, "dtype", None), "kind", None)
    return kind in ("f", "c")


def _qualname(func) -> str:
    mod = getattr(func, "__module__", "") or ""
    sub = mod.replace("numpy", "").strip(".").split(".")[0] if mod.startswith("numpy.") else ""
    sub = sub if sub in ("linalg", "fft") else ""
    return (sub + "." if sub else "") + getattr(func, "__name__", repr(func))


def _unsupported(name: str):
    raise DifferentiationError(
        f"{name} has no derivative rule in dualgrad, so it cannot be applied to a traced "
        "value. Rewrite the step with supported functions (python -m dualgrad coverage "
        "lists them), or make it a primitive with dualgrad.extend.primitive and give it "
        "rules with defjvp/defvjp.")


def register_method(name: str, fun: Callable, as_property: bool = False) -> None:
    """Attach an operator or ndarray method to every tracer class."""
    setattr(Tracer, name, property(fun) if as_property else fun)


_node_ids = itertools.count()


# ---------------------------------------------------------------------------
# Compatibility names (autograd.core). Read-only views of the rule tables, and
# names that live in modules built on this one, looked up on first use so that
# this module still imports nothing from dualgrad.
#   primitive_vjps / primitive_jvps: VJP_RULES / JVP_RULES (dualgrad's rule
#   signatures, rule(g_or_t, ans, *args, **kwargs), not autograd's makers).
#   make_vjp(fun, x) / make_jvp(fun, x): autograd.core's unary forms.
# ---------------------------------------------------------------------------
primitive_vjps = VJP_RULES
primitive_jvps = JVP_RULES
_COMPAT_NAMES = {
    "make_vjp": ("util", "unary_make_vjp"), "make_jvp": ("util", "unary_make_jvp"),
    "vspace": ("vspace", "vspace"), "VSpace": ("vspace", "VSpace"),
    "defvjp": ("extend", "defvjp"), "defjvp": ("extend", "defjvp"),
    "defvjp_argnum": ("extend", "defvjp_argnum"), "defjvp_argnum": ("extend", "defjvp_argnum"),
    "def_linear": ("extend", "def_linear"),
}


def __getattr__(name: str):
    if name in _COMPAT_NAMES:
        import importlib
        module, attr = _COMPAT_NAMES[name]
        return getattr(importlib.import_module(f"{__package__}.{module}"), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
