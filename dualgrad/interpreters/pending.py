"""Arrays made by ``dualgrad.numpy``'s constructors while a transform runs.

autograd's most repeated complaint: ``y = np.zeros(n); y[i] = f(x)`` fails,
because ``y`` is a plain array that cannot hold a derivative. Here, while a
forward, reverse, batching or Taylor transform is active, ``dualgrad.numpy.zeros`` (``ones``,
``empty``, ``full``, ``*_like``, ``eye``, ``identity``) returns a *pending*
array: a constant that

- behaves as its plain value everywhere (primitives applied to it see the plain
  array, so nothing is recorded; plain numpy and scipy get the plain array from
  ``__array__``; ``float()``, ``.tolist()`` work);
- takes plain values in place (``y[i] = 1.0`` writes into its array);
- becomes a tracer of the transform it was made in (its *origin*, the innermost one
  then) the moment a traced value is assigned into it (``y[i] = f(x)``, ``y += x``,
  also through a view, ``y[0][1] = x``): its class is switched to that transform's
  tracer class (``Box``, ``Dual`` or ``Batched``, same memory layout) and it continues
  by the copy-on-write path of every traced array. A value traced only by enclosing
  transforms is a constant to the origin, which lifts it (``Level.lift``) first; a
  value of a transform inside the origin is refused (it must leave that transform as
  its result);
- comes back from a transform as its plain array (``plain_if_pending``).

A pending array is a tracer of its own level, of depth 0 (below every
transform), whose ``process`` unwraps it: so a primitive with a pending
argument and traced ones is handled by the traced arguments' levels as usual,
the pending one being a constant to them.
"""
from __future__ import annotations

import weakref

import numpy as onp

from .batching import Batched, BatchLevel
from ..core import Level, Tracer, holds_tracer, peek
from ..core.mp import is_mp, mp_fill
from ..core.tracer import _copy_slots
from ..core.levels import _stack
from .forward import Dual, ForwardLevel
from .reverse import Box, ReverseLevel

_VALUE = Tracer.__dict__["value"]  # the slot descriptor


class PendingLevel(Level):
    """The level of pending arrays: applying a primitive unwraps them. ``origin`` (a
    weak reference, or None) is the transform that was innermost when the array was
    made: the level whose tracer it becomes."""

    __slots__ = ("origin",)
    exited = False
    always_live = True  # a pending array returned from a transform is a constant

    def __init__(self, depth: int = 0, origin=None):
        super().__init__(depth)
        self.origin = origin

    def process(self, prim, args, kwargs):
        vals = [a.value if isinstance(a, Pending) else a for a in args]
        return prim(*vals, **kwargs)

    def live_origin(self):
        """The transform the array was made in, while it runs on this thread."""
        origin = self.origin() if self.origin is not None else None
        if origin is None or origin.exited or not any(lv is origin for lv in _stack()):
            return None
        return origin


LEVEL = PendingLevel(0)


class Pending(Tracer):
    """Mixed into ``PendingBox``/``PendingDual``: a constant array that becomes a
    ``Box``/``Dual`` when a traced value is assigned into it."""

    __slots__ = ()

    # the plain array lives in Tracer's own slot (Batched shadows ``value`` with a
    # property, which becomes effective once the class is switched)
    value = property(lambda self: _VALUE.__get__(self), lambda self, v: _VALUE.__set__(self, v))

    def __init__(self, value, level: PendingLevel = LEVEL):
        self.value, self._level = value, level

    def __repr__(self):
        return repr(self.value)

    # plain conversions: a constant has no derivative to lose
    def __array__(self, dtype=None, copy=None):
        return onp.asarray(self.value, dtype=dtype)

    def __float__(self):
        return float(self.value)

    def __int__(self):
        return int(self.value)

    def __index__(self):
        return self.value.__index__()

    def __complex__(self):
        return complex(self.value)

    def item(self, *args):
        return self.value.item(*args)

    def tolist(self):
        return self.value.tolist()

    def __setitem__(self, idx, val):
        if not holds_tracer(val) and not holds_tracer(idx):
            self.value[idx] = val  # a constant stays one: write in place
            return
        if self.value.dtype.kind == "O" and not (  # mpmath numbers (a traced object
                isinstance(val, Tracer) and onp.result_type(peek(val)).kind == "O"
                or is_mp(peek(val))):  # value: a batched one's are hidden from peek)
            self.value[idx] = val  # Python objects, not mpmath numbers: numpy's write
            return
        Tracer.__setitem__(self, idx, val)

    def _become(self, new, what: str) -> None:
        if not isinstance(new, Tracer) or isinstance(new, Pending):
            v = getattr(new, "value", new)
            if onp.shape(v) == self.value.shape and self.value.flags.writeable:
                self.value[...] = v  # in place: numpy views of this array see it
            else:
                self.value = onp.asarray(v)
            return
        if self.value.dtype.kind == "O" and type(peek(new)) is onp.ndarray:
            mp_fill(peek(new))  # mpmath numbers written: the constructor's ints too
        origin = self._level.live_origin()
        if origin is not None and new._level is not origin:
            if new._level.depth > origin.depth:
                raise TypeError(
                    f"{what}: y is traced by a transform (level {new._level.depth}) inside the "
                    f"one this array was made in (level {origin.depth}), so the array cannot "
                    "hold it: the inner transform's values must leave it as its result. Create "
                    "the array inside the inner function, or build a new one (np.stack, "
                    "np.where).")
            # y is traced only by enclosing transforms: to the array's own transform
            # it is a constant, so the array becomes that transform's tracer of it
            new = origin.lift(new)
        try:
            self.__class__ = type(new)
        except TypeError:
            raise TypeError(
                f"{what}: this array was made by dualgrad.numpy while a "
                f"{_base(type(self)).__name__} transform was innermost, but y is traced by a "
                f"{type(new).__name__} transform only, so x cannot be updated in place. "
                "Build a new array instead (x2 = x + y, np.stack, np.where).") from None
        _copy_slots(self, new)

    def _clone(self):
        return type(self)(onp.array(self.value), self._level)

    def _like(self, value):
        """A pending array of the same transform holding ``value`` (a view of this one)."""
        return type(self)(value, self._level)


def _base(cls):
    return next(c for c in cls.__mro__[1:] if c is not Pending and issubclass(c, Tracer))


class PendingBox(Pending, Box):
    __slots__ = ()
    __init__ = Pending.__init__


class PendingDual(Pending, Dual):
    __slots__ = ()
    __init__ = Pending.__init__


class PendingBatched(Pending, Batched):
    __slots__ = ()
    __init__ = Pending.__init__


# Further levels' pending classes, registered by their interpreter (the sparsity
# level's module loads scipy, so it is not imported here).
PENDING_CLASSES: dict = {}


def pending(out):
    """``out`` (a fresh plain array) as a pending array of the innermost transform,
    when one is active and can hold it; otherwise ``out`` itself."""
    stack = _stack()
    # (an object array: for mpmath numbers, which travel as the MP objects it holds)
    if not stack or type(out) is not onp.ndarray or out.dtype.kind not in "fcO":
        return out
    level = stack[-1]
    if isinstance(level, ReverseLevel):
        return PendingBox(out, PendingLevel(0, weakref.ref(level)))
    if isinstance(level, ForwardLevel):
        return PendingDual(out, PendingLevel(0, weakref.ref(level)))
    if isinstance(level, BatchLevel):
        return PendingBatched(out, PendingLevel(0, weakref.ref(level)))
    cls = PENDING_CLASSES.get(type(level))
    if cls is None:
        return out  # other levels (graph recording): numpy's array
    # a level that can lift an enclosing transform's value (lift) is the array's origin
    return cls(out, PendingLevel(0, weakref.ref(level)) if hasattr(level, "lift") else LEVEL)


def constructor(numpy_fun):
    """``numpy_fun`` (zeros, ones, eye, ...) returning pending arrays while a
    transform runs (see the module docstring)."""
    def make(*args, **kwargs):
        out = numpy_fun(*args, **kwargs)
        return pending(out) if _stack() else out

    make.__name__ = numpy_fun.__name__
    make.__qualname__ = numpy_fun.__name__
    make.__doc__ = numpy_fun.__doc__
    make.__wrapped__ = numpy_fun
    return make


__all__ = ["pending", "constructor", "Pending", "PendingBox", "PendingDual", "PendingBatched",
           "LEVEL", "PENDING_CLASSES"]
