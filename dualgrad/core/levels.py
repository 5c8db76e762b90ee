"""Trace levels: one per active transform, ordered by depth, kept per thread.

Levels are what keep nested derivatives apart: a tracer of an outer level is a
constant to an inner one, so ``d/dx [x * d/dy (x + y)]`` is 1, not 2. Each
interpreter (forward, reverse, batching, sparsity, pending arrays) subclasses
``Level`` and implements ``process``. A finished level changes class, so a
tracer that outlives its transform raises instead of computing a wrong
derivative. Imports: ``core.errors`` and ``core.tracer``.
"""
from __future__ import annotations

import itertools
import threading
from typing import Callable

from .errors import UnexpectedTracerError, stale_tracer_message
from .tracer import Tracer

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

