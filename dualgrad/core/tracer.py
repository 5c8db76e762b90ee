"""The Tracer: the array face that every traced value (Dual, Box, Batched, ...) shares.

A tracer holds a ``value`` (an array, a scalar, or a tracer of an outer level)
and its ``_level``. This class gives it the read-only face of an ndarray
(shape, dtype, len, iteration), NumPy's protocols (NEP 13 ``__array_ufunc__``
and NEP 18 ``__array_function__``, which send plain ``numpy.sin(x)`` to our
primitives through ``NUMPY_OVERRIDES``), copy-on-write for ``x[i] = y``, and
the refusals that keep mistakes from passing silently (``float(x)``, plain
numpy's ``__array__``).

Arithmetic and the ndarray methods (``__mul__``, ``x.sum()``, ``x.T``, ...) are
written with the rules, so they live in ``dualgrad.rules.methods``, which hands
them to this class through :func:`install_methods` once the rules are loaded.
Imports: ``core.errors`` only.
"""
from __future__ import annotations

import functools
import types
from typing import Any, Callable

import numpy as onp

from .errors import (OUT_MESSAGE, BatchingError, _plain_numpy_message, _qualname, _unsupported,
                     random_draw_message)
from .mp import is_mp as _is_mp

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


def getval(x):
    """The plain value under all tracer levels: the number without its derivative.

    Use it to keep a value beyond one call of a transform (a log, a cache), to hand
    it to code that must not be traced, or to make it a constant (JAX's
    ``stop_gradient`` of a value, PyTorch's ``.detach()``).

    Parameters
    ----------
    x : object
        A traced value (of any mode, at any nesting depth), or anything else.

    Returns
    -------
    object
        The value under every tracer level; ``x`` itself when it is not traced.

    Raises
    ------
    Nothing
        Any object is accepted.

    Examples
    --------
    >>> from dualgrad import grad
    >>> from dualgrad.core import getval
    >>> seen = []
    >>> def f(x):
    ...     seen.append(getval(x))       # a plain number: safe to keep
    ...     return x ** 2
    >>> float(grad(f)(3.0)), type(seen[0]).__name__
    (6.0, 'float')
    >>> float(grad(lambda x: x * getval(x))(3.0))  # getval(x) is a constant
    3.0
    """
    while isinstance(x, Tracer):
        x = x.value
    return x


def plain_if_pending(x):
    """A pending array (``dualgrad.interpreters.pending``) as its plain array, anything
    else as it is: what a transform hands back is plain numpy."""
    return x.value if isinstance(x, Tracer) and x._level.always_live else x


def peek(x):
    """The plain value under all tracer levels, to read its type, shape or dtype only.

    Unlike ``getval`` it records nothing: a ``jit`` trace (``dualgrad.interpreters.
    staging``) turns each read of a concrete value into a guard of the replay, but the
    metadata is fixed by the input signature. Rules and transforms read metadata
    through it; reading the *numbers* of ``peek(x)`` under ``jit`` would see the
    trace's numbers on every replay (use ``getval`` for numbers).

    Parameters
    ----------
    x : object
        A traced value, or anything else.

    Returns
    -------
    object
        The value under every level (under a jit trace: the trace-time value, for its
        type, shape and dtype); ``x`` itself when it is not traced.

    Raises
    ------
    Nothing
        Any object is accepted.

    Examples
    --------
    >>> import numpy as onp
    >>> from dualgrad import grad, jit
    >>> from dualgrad.core import peek
    >>> jit(lambda x: x * peek(x).shape[0])(onp.ones(3))  # no guard on the data
    array([3., 3., 3.])
    """
    while isinstance(x, Tracer):
        x = x._peek if x._quiet else x.value
    return x


def shape_of(x) -> tuple:
    """The shape of ``x``'s plain value (under every tracer level)."""
    return onp.shape(peek(x))


def ndim_of(x) -> int:
    """The number of axes of ``x``'s plain value."""
    return onp.ndim(peek(x))


def isbox(x) -> bool:
    """True when ``x`` is being traced (by any mode): autograd's ``isbox``.

    Parameters
    ----------
    x : object
        Any value.

    Returns
    -------
    bool
        Whether ``x`` is a tracer of some transform (forward, reverse, batching).

    Raises
    ------
    Nothing
        Any object is accepted.

    Examples
    --------
    >>> from dualgrad import grad
    >>> from dualgrad.extend import isbox
    >>> seen = []
    >>> _ = grad(lambda x: seen.append(isbox(x)) or x * x)(1.0)
    >>> seen, isbox(1.0)
    ([True], False)
    """
    return isinstance(x, Tracer)


def holds_tracer(*objs) -> bool:
    """Whether any of ``objs`` is a tracer, or a (nested) list, tuple or dict holding one:
    the one answer to "is anything here traced?"."""
    for o in objs:
        if isinstance(o, Tracer):
            return True
        if isinstance(o, (list, tuple)) and holds_tracer(*o):
            return True
        if isinstance(o, dict) and holds_tracer(*o.values()):
            return True
    return False


def body_answer(ans, depth: int):
    """``ans``, the answer of a primitive's body run on plain values by the level of
    ``depth``, without the tracers of that level or deeper levels its body closed over.

    A primitive's derivative comes from its rules alone (its body is not traced), so such
    a tracer adds nothing; left in, it would nest a level inside itself or inside an
    outer one, to fail later as stale. autograd ignores them the same way; PennyLane's
    nested parameter-shift (``max_diff=2``) executes tapes whose parameters are the
    caller's boxes inside its primitive. Tracers of outer levels (a smaller depth) stay:
    those levels record the body's operations on them."""
    if isinstance(ans, Tracer):
        if ans._level.always_live:  # a pending array the body made: a constant
            return ans.value
        while (isinstance(ans, Tracer) and ans._level.depth >= depth
               and not ans._level.always_live):
            ans = ans.value
        return ans
    kind = type(ans)
    if kind is tuple or kind is list:
        new = [body_answer(v, depth) for v in ans]
        return ans if all(a is b for a, b in zip(new, ans)) else kind(new)
    if kind is dict:
        entries = {k: body_answer(v, depth) for k, v in ans.items()}
        return ans if all(entries[k] is v for k, v in ans.items()) else entries
    return ans


def unsupported(fun: Callable, qualname: str) -> Callable:
    """numpy's ``fun``, refusing traced inputs with an error that names it."""

    @functools.wraps(fun)
    def guarded(*args, **kwargs):
        if holds_tracer(args, kwargs):
            _unsupported(qualname)
        return fun(*args, **kwargs)

    guarded._unsupported = True
    return guarded


# Under dualgrad.autograd_alias, plain numpy makes an object array of a traced value, as
# it does of autograd's boxes (np.array([box, box]) in code written for autograd): each
# element is a tracer, so arithmetic on the array still goes through the tracers, and
# turning it into floats still raises.
OBJECT_ARRAYS = False


def _object_array(t):
    shape = onp.shape(peek(t))
    out = onp.empty(shape, dtype=object)
    for idx in onp.ndindex(shape):
        out[idx] = t[idx] if shape else t
    return out


class Tracer:
    """A value being traced at some level. Behaves like the array it wraps.

    Subclasses keep the wrapped value in ``value`` and the level in ``_level``.
    Operators and ndarray methods (``__mul__``, ``x.sum()``, ``x.T``) are written with the
    rules, in ``dualgrad.rules.methods``, which installs them through ``install_methods``;
    this class knows no calculus.
    """

    # _view: the link (``dualgrad.rules.views.Link``) making this tracer a view of
    # another (unset: not a view);
    # _views: weak references to the views of this tracer (unset: none). Both are the
    # tracer object's identity, never copied by _become/_clone (see ``_write``).
    __slots__ = ("value", "_level", "_view", "_views", "__weakref__")
    __array_priority__ = 1000.0
    # True for a tracer whose ``value`` is read through a guard (a jit trace's Staged):
    # ``peek`` then reads its ``_peek`` slot instead
    _quiet = False

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
        return onp.result_type(peek(self.value))

    # autograd's Box slots, read-only: the value under this level, and the trace id (the
    # level's depth, see TraceId)
    @property
    def _value(self):
        return self.value

    @property
    def _trace(self):
        return TraceId(self._level)

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
        return f"{type(self).__name__}({peek(self)!r}, level={self._level.depth})"

    def __format__(self, spec):  # f"{x:.3f}" while tracing prints the plain value
        return format(peek(self), spec)

    # -- mistakes that must not pass silently -----------------------------
    def __array__(self, dtype=None, *args, **kwargs):
        if dtype is not None and onp.dtype(dtype).kind in "biu":
            # an integer or boolean copy (np.int64(x), x.astype(int) by plain numpy)
            # has no derivative to lose: its plain value, as autograd gives
            if self._level.maps_nondiff:
                raise BatchingError("an integer copy of a batched value differs between "
                                    "examples; dualgrad loops over the examples instead.")
            return onp.asarray(getval(self)).astype(dtype)
        if OBJECT_ARRAYS and (dtype is None or onp.dtype(dtype) == object):
            return _object_array(self)
        raise TypeError(_plain_numpy_message(self))

    def __setitem__(self, idx, val):
        """``x[idx] = y`` on a traced ``x``, differentiated by copy-on-write.

        The updated value is computed by a differentiable primitive
        (``index_update``, registered in ``INDEX_UPDATE`` by the rules) and this
        tracer object is rebound to it (``_write``), so the name ``x`` (and every
        other reference to this tracer) sees the new value and its derivative. Views
        behave as numpy's: a write through a view (``x[0][1] = y``, ``x.T[i] = y``)
        updates its base, and views of ``x`` see the write.
        """
        if not INDEX_UPDATE:  # pragma: no cover (the rules always register one)
            raise TypeError("x[i] = y on a traced array needs dualgrad.rules loaded.")
        if isinstance(peek(self), (onp.generic, float, complex)):
            raise TypeError(
                "x[...] = y: x is a traced scalar (an entry such as a[i, j], or a "
                "reduction), which numpy gives as a scalar, not a view, and scalars take no "
                "item assignment. Write into the array instead (a[i, j] = y).")
        self._write(INDEX_UPDATE[-1](self, val, static_index(idx)), "x[i] = y")

    def _write(self, new, what: str) -> None:
        """Rebind this tracer to ``new`` (``_become``), as numpy's in-place writes do:
        when it is a view, its base is updated through the view's map (and the base's
        base, ...: the link's ``put``, ``dualgrad.rules.views``), then every live view
        of the arrays written is read again from its base (``get``). Without views (the common case) this is
        ``_become`` alone."""
        self._become(new, what)
        link = _slot(self, "_view")
        if link is None and not _slot(self, "_views"):
            return
        path, top = [self], self
        while link is not None:
            base = link.base
            base._become(link.put(top), what)
            path.append(base)
            top, link = base, _slot(base, "_view")
        _refresh_views(top, path, what)

    def _become(self, new, what: str) -> None:
        """Rebind this tracer object to ``new`` (same class and level): the
        copy-on-write step behind ``x[i] = y`` and ``x += y``."""
        if type(new) is not type(self) or new._level is not self._level:
            raise TypeError(_level_mismatch(what, new, self))
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
        draw = random_draw_message()  # rng.binomial(x, p): int() of its n
        if draw is not None:
            raise TypeError(f"{kind}() of a traced value: {draw}")
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
            outs = out if isinstance(out, tuple) else (out,)
            if any(o is i and not isinstance(o, Tracer) for o in outs for i in inputs):
                raise TypeError(  # a += x: numpy's in-place operator writes into a
                    f"numpy.{ufunc.__name__} would write a traced value into a plain numpy "
                    "array a (a += x, a *= x with a plain a and a traced x), which drops its "
                    "derivative. Write a = a + x (a new, traced array).")
            if any(o is not None for o in outs):
                raise TypeError(f"numpy.{ufunc.__name__}: {OUT_MESSAGE}")
            kwargs = {k: v for k, v in kwargs.items() if k != "out"}
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


def _level_mismatch(what: str, new, x) -> str:
    depth = getattr(getattr(new, "_level", None), "depth", None)
    if depth is not None and depth > x._level.depth:
        return (f"{what}: y is traced by an inner transform (level {depth}) that x, an array "
                f"of an outer transform (level {x._level.depth}), is not part of, so x cannot "
                "be updated in place: the inner transform's values must leave it as its "
                "result. Build a new array inside the inner function instead (x2 = x + y, "
                "x2 = dualgrad.numpy.where(mask, y, x)), or create x there.")
    return (f"{what}: x (level {x._level.depth}) and the updated value (level "
            f"{'?' if depth is None else depth}) belong to different transforms, so x cannot "
            "be updated in place. Build a new array instead (x2 = x + y, "
            "x2 = dualgrad.numpy.where(mask, y, x)).")


# A view's link to its base, set by the rules (dualgrad.rules.views); views exist only
# once it is. ``_view``/``_views`` belong to the tracer object, never to its value.
_IDENTITY = frozenset(("_view", "_views"))


def _slot(t: Tracer, name: str):
    try:
        return getattr(t, name)
    except AttributeError:
        return None


def _refresh_views(root: Tracer, written: list, what: str) -> None:
    """Read every live view below ``root`` again from its base, parents first; the
    tracers in ``written`` already hold their new values. Views of a pending array
    still pending share its memory and need nothing."""
    todo = [root]
    while todo:
        base = todo.pop()
        refs = _slot(base, "_views")
        if not refs:
            continue
        live = []
        for ref in refs:
            view = ref()
            if view is None:
                continue
            live.append(ref)
            if not any(view is w for w in written) and not (
                    getattr(base._level, "always_live", False)
                    and getattr(view._level, "always_live", False)):
                view._become(view._view.get(), what)
            todo.append(view)
        base._views = live


def _copy_slots(dst: Tracer, src: Tracer) -> None:
    """Make ``dst`` hold what ``src`` holds (same class). The slot storage is copied
    through each slot's own descriptor: a subclass may shadow a slot name with a
    property (``Batched.value``), which has no setter. A view link is the object's own
    (``_IDENTITY``): never copied."""
    for cls in type(src).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            descr = cls.__dict__.get(slot)
            if not isinstance(descr, types.MemberDescriptorType) or slot in _IDENTITY:
                continue
            try:
                val = descr.__get__(src, type(src))
            except AttributeError:  # slot never set on src
                continue
            descr.__set__(dst, val)


# A primitive's answer is traced on only when it can carry a derivative.
# The plain real float scalars: the common case, checked first on hot paths. numpy's
# float64 first: every traced scalar after the first operation is one.
PLAIN_FLOATS = (onp.float64, float)
_FLOATS = PLAIN_FLOATS


# autograd's Box.type_mappings: value type -> box maker ``maker(value, trace, node)``, for
# types users register (an ndarray subclass, a vector space of functions; see
# dualgrad.compat.tracer). A maker that is a box class registered with ``Box.register``
# is a *face*: the interpreters make a tracer of such a value an instance of a class
# combining their tracer class with the face (``levels.face_class``). Values of a
# registered type are differentiable. Plain floats and ndarrays never look here.
class _Registry(dict):
    """A dict that calls ``hooks`` (``hook(key, value)``) on each assignment: code
    registers types by assigning (``Box.type_mappings[T] = maker``), and the compat
    layer must see each type (``dualgrad.compat.tracer``)."""

    hooks: list = []

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        for hook in self.hooks:
            hook(key, value)


BOX_TYPES: dict = _Registry()


class TraceId(int):
    """autograd's trace id of a level: its depth, compared as an int, that also names
    the level itself (so ``new_box`` never confuses two levels of one depth)."""

    def __new__(cls, level):
        self = int.__new__(cls, level.depth)
        self.level = level
        return self


def is_differentiable(ans) -> bool:
    if isinstance(ans, (float, complex)) or type(ans) in BOX_TYPES:
        return True
    if isinstance(ans, Tracer):  # a jit trace's Staged holds integer answers too
        return getattr(ans, "_differentiable", True)
    kind = getattr(getattr(ans, "dtype", None), "kind", None)
    if kind != "O":
        return kind in ("f", "c")
    if _is_mp(ans):  # mpmath numbers (core.mp)
        return True
    if isinstance(ans, onp.ndarray) and any(isinstance(e, (float, complex)) and e != 0
                                            for e in ans.flat):
        # a primitive's answer of Python floats in an object array: a derivative would
        # be dropped (it lives only in mpmath numbers), so refuse rather than answer 0
        # (exact zeros are the rules' own, as in index_update(g, 0.0, idx) at mpmath g)
        raise TypeError("An array of dtype object holding floats met a traced value: its "
                        "derivative cannot be kept there (an object array carries one for "
                        "mpmath numbers only). Convert it with .astype(float), or make it "
                        "with the traced value's dtype (np.zeros(n, dtype=x.dtype)).")
    return False



def install_methods(methods: dict[str, Callable], properties: dict[str, Callable]) -> None:
    """The hook through which ``dualgrad.rules.methods`` gives every tracer its operators
    and ndarray methods (``__mul__``, ``__getitem__``, ``sum``; ``T``, ``real`` as
    properties): they are written with the rules, which this layer cannot import."""
    for name, fun in methods.items():
        setattr(Tracer, name, fun)
    for name, fun in properties.items():
        setattr(Tracer, name, property(fun))


