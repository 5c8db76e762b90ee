"""Trace levels: one per active transform, ordered by depth, kept per thread.

Levels are what keep nested derivatives apart: a tracer of an outer level is a
constant to an inner one, so ``d/dx [x * d/dy (x + y)]`` is 1, not 2. Each
interpreter (forward, reverse, batching, sparsity, pending arrays) subclasses
``Level`` and implements ``process``. A finished level changes class, so a
tracer that outlives its transform raises instead of computing a wrong
derivative. Imports: ``core.errors`` and ``core.tracer``.
"""
from __future__ import annotations

import gc
import itertools
import threading
from typing import Callable

from .errors import UnexpectedTracerError, stale_tracer_message
from .tracer import BOX_TYPES, Tracer, peek

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
    # True for the level of pending arrays (dualgrad.interpreters.pending): constants
    # that may later become tracers, so a tape keeps their plain value, not them.
    always_live = False
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



def _stale(self, *args, **kwargs):
    raise UnexpectedTracerError(stale_tracer_message(self))


def _stale_process(self, prim, args, kwargs):
    if getattr(_state, "finished_trace", 0):  # inside a rule written in autograd's form
        return type(self).__mro__[1].process(self, prim, args, kwargs)
    raise UnexpectedTracerError(stale_tracer_message(self))


class trace_finished_levels:
    """``with trace_finished_levels():`` a tracer of a finished transform goes on being
    traced at its (finished) level instead of raising. autograd's rule makers may close
    over their arguments' boxes and compute with them after the trace is done (PennyLane's
    quantum VJPs do, and strip that level off their result); autograd allows it, so the
    rules registered in autograd's forms (``dualgrad.extend.defvjp``) run so, and only
    they. A tracer of a finished level that reaches a transform's result still raises."""

    def __enter__(self):
        _state.finished_trace = getattr(_state, "finished_trace", 0) + 1

    def __exit__(self, *exc):
        _state.finished_trace -= 1


_EXITED: dict = {}


def _exited_class(cls: type) -> type:
    """The subclass a finished level of class ``cls`` takes: same layout, ``exited``
    True, and ``process``/``process_nondiff`` raising ``UnexpectedTracerError``."""
    if cls.exited:
        return cls
    dead = _EXITED.get(cls)
    if dead is None:
        dead = _EXITED[cls] = type(cls.__name__, (cls,), {
            "__slots__": (), "exited": True, "process": _stale_process, "process_nondiff": _stale,
            "__module__": cls.__module__, "__qualname__": cls.__qualname__})
    return dead


def check_live(x, own=None) -> None:
    """Raise ``UnexpectedTracerError`` unless ``x`` (if a tracer other than one of
    level ``own``) is of a level active on this thread (used where a transform reads
    its outputs: a tracer of another level there must be of an enclosing, live one)."""
    if not isinstance(x, Tracer) or x._level is own:
        return
    level = x._level
    if getattr(level, "always_live", False):  # dualgrad.interpreters.pending: constants
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



_node_ids = itertools.count()


# -- the cyclic garbage collector, paused while a tape is built -----------------
# A tape of N nodes is N long-lived container objects: every full collection the
# cyclic GC runs while it grows walks all of them, so the cost per primitive grew with
# the tape's length (1.7x from 10^3 to 10^5 operations). Tape nodes form no reference
# cycles (refcounting frees them), so collection is paused while any tape is recorded
# or run backwards, and restored as it was when the last one ends, on every exit path.
# The pause is process-wide (gc.disable is), hence one count for all threads.
_gc_lock = threading.Lock()
_gc_holds = 0
_gc_was_enabled = False


def pause_gc() -> None:
    """Pause automatic cyclic collection (counted: nested and concurrent pauses nest)."""
    global _gc_holds, _gc_was_enabled
    with _gc_lock:
        if _gc_holds == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_holds += 1


def resume_gc() -> None:
    """End one ``pause_gc``; the last one restores the collector's state before the first."""
    global _gc_holds
    with _gc_lock:
        _gc_holds -= 1
        if _gc_holds == 0 and _gc_was_enabled:
            gc.enable()


class gc_paused:
    """``with gc_paused():`` the block runs with automatic cyclic collection paused."""

    __slots__ = ()

    def __enter__(self):
        pause_gc()

    def __exit__(self, *exc):
        resume_gc()


_FACES: dict = {}
_NOT_COPIED = {"__dict__", "__weakref__", "__slots__", "__module__", "__qualname__", "__init__",
               "__new__", "__init_subclass__", "__class_getitem__"}


def face_class(face: type, base: type) -> type:
    """The tracer class ``base`` (Box, Dual, ...) wearing the face ``face``, a box class
    registered for a user type (autograd's ``class RKHSFunBox(Box, RKHSFun)``). Its
    instances are ``base`` tracers, dispatched on as ``base``'s, and instances of
    ``face``; the face's own attributes (``__call__``, ``__add__``, properties) win over
    the Tracer's array operators, as in autograd, where a bare Box has none."""
    cls = _FACES.get((face, base))
    if cls is None:
        # the user's module for a user's face; dualgrad's own faces (SequenceBox) are where
        # its tracers are (autograd_alias renames that module)
        module = base.__module__ if face.__module__.startswith("dualgrad.") else face.__module__
        ns = {"__slots__": (), "__module__": module, "__qualname__": face.__qualname__}
        for k in reversed(face.__mro__):
            if k is object or k in base.__mro__ or k.__dict__.get("_dualgrad_box_root"):
                continue
            ns.update({n: v for n, v in vars(k).items()
                       if n not in _NOT_COPIED and type(v).__name__ != "member_descriptor"})
        init = base.__init__

        def __init__(self, value, x, level):
            if isinstance(level, Level):  # made by an interpreter (else made by __new__)
                init(self, value, x, level)
        ns["__init__"] = __init__
        ns["__new__"] = lambda cls_, *a, **k: object.__new__(cls_)
        cls = _FACES[(face, base)] = type(face.__name__, (base, face), ns)
    return cls


def box_as(value, base: type, x, level: Level) -> Tracer:
    """A ``base`` tracer of ``value`` at ``level`` (``x``: its node or tangent), wearing
    the face registered for ``type(value)`` (or for the value under a tracer) if any."""
    face = BOX_TYPES.get(type(value))
    if face is None and isinstance(value, Tracer):
        face = BOX_TYPES.get(type(peek(value)))
    if (face is not None and getattr(face, "_dualgrad_face", False)
            and not face.__dict__.get("_dualgrad_box_root")):
        return face_class(face, base)(value, x, level)
    return base(value, x, level)
