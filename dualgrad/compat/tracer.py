"""autograd.tracer on dualgrad's levels.

autograd's model, and what each part is here:

- a *trace id* (``trace_stack.new_trace()``) is a dualgrad level: the context manager
  enters a ``CompatLevel`` and yields its depth (an int, ``TraceId``, that also names
  the level). A trace id that was never opened (pymoo boxes on trace ``0``) gets a
  detached level of that depth, one per thread; ``0`` is below every dualgrad transform.
- ``new_box(value, trace, node)`` makes that level's tracer. The root node says the
  mode: ``VJPNode.new_root()`` a reverse-mode input (dualgrad's tape node, ``box._node``),
  ``JVPNode.new_root(g)`` a forward-mode value with tangent ``g``, and any other
  ``Node`` subclass a *user node*: each primitive applied to the box builds
  ``type(parent)(ans, fun, args, kwargs, parent_argnums, parents)`` (tracers that print
  or record the computation, autograd's examples ``print_trace`` and ``dot_graph``).
- ``Box`` is the base of user box classes: ``MyBox.register(MyType)`` makes every
  tracer of a ``MyType`` value (in every mode, in dualgrad's own transforms too) an
  instance of ``MyBox`` whose own methods win over the array operators.
- ``Box.type_mappings`` maps a value type to its box maker, ``maker(value, trace,
  node)``, as autograd calls it; dualgrad's transforms call it for their inputs.
"""
from __future__ import annotations

import contextlib
import threading
import warnings  # noqa: F401  (autograd.tracer's namespace)
from collections import defaultdict  # noqa: F401
from contextlib import contextmanager  # noqa: F401
from functools import wraps  # noqa: F401
from typing import Any, Callable

import numpy as np  # noqa: F401

from ..core import Level, Tracer, getval, peek, isbox, notrace_primitive, primitive
from ..core import is_differentiable as _is_differentiable
from ..core.levels import _stack, face_class
from ..core.tracer import BOX_TYPES, NUMPY_OVERRIDES, TraceId
from ..interpreters.forward import Dual, ForwardLevel
from ..interpreters.forward import TangentNode as _TangentNode
from ..interpreters.reverse import Box as ReverseBox
from ..interpreters.reverse import Node as TapeNode
from ..interpreters.reverse import ReverseLevel
from ..rules.sequences import SequenceBox, _make_sequence  # noqa: F401
from ..util import subvals, toposort  # noqa: F401
from ._refuse import refuser
from .nodes import JVPNode, Node, VJPNode


# ---------------------------------------------------------------------------
# Boxes
# ---------------------------------------------------------------------------
class _BoxMeta(type):
    """``isinstance(x, Box)`` (and ``ArrayBox``) is True for every dualgrad tracer, as
    every autograd box is a ``Box``; a user's box class keeps the ordinary test."""

    def __instancecheck__(cls, x):
        if cls.__dict__.get("_dualgrad_box_root"):
            return isinstance(x, Tracer)
        return type.__instancecheck__(cls, x)

    def __subclasscheck__(cls, sub):
        if cls.__dict__.get("_dualgrad_box_root") and isinstance(sub, type) and issubclass(sub, Tracer):
            return True
        return type.__subclasscheck__(cls, sub)


class Box(metaclass=_BoxMeta):
    """autograd's ``Box``: ``Box(value, trace, node)`` makes a tracer of ``value`` on
    trace ``trace`` for root ``node`` (as ``new_box``). Subclass it to give a user type's
    tracers methods (``class FunBox(Box, Fun)``), then ``FunBox.register(Fun)``."""

    _dualgrad_box_root = True
    _dualgrad_face = True  # a subclass registered for a type is that type's face
    type_mappings = BOX_TYPES
    types: set = set()

    def __new__(cls, value, trace, node):
        return make_box(value, trace, node, face=None if cls.__dict__.get("_dualgrad_box_root")
                        else cls)

    @classmethod
    def register(cls, value_type: type) -> None:
        """Tracers of ``value_type`` values are instances of ``cls`` from now on."""
        Box.types.add(cls)
        BOX_TYPES[value_type] = cls
        BOX_TYPES[cls] = cls


class NodeBox(Tracer):
    """A value traced with a user's ``Node`` (at a ``CompatLevel``)."""

    __slots__ = ("node",)

    def __init__(self, value, node, level: "CompatLevel"):
        self.value = value
        self.node = node
        self._level = level

    @property
    def _node(self):
        return self.node


# ---------------------------------------------------------------------------
# The level behind an autograd trace id
# ---------------------------------------------------------------------------
class _NoTape:
    """A compat level keeps no list of nodes: they live as long as the boxes that
    reach them, so a detached level used for a whole program never grows."""

    __slots__ = ()

    def append(self, node):
        pass


_NO_TAPE = _NoTape()


class CompatLevel(ReverseLevel):
    """One autograd trace: a reverse level (VJPNode roots; dualgrad's tape nodes and
    rules) that also runs forward mode (JVPNode roots) and user nodes. One trace holds
    one mode, as in autograd's own use."""

    __slots__ = ()

    def __init__(self, depth: int):
        Level.__init__(self, depth)
        self.tape = _NO_TAPE
        self.keep_all = False

    def process(self, prim, args, kwargs):
        kind = None
        for a in args:
            if isinstance(a, Tracer) and a._level is self:
                k = NodeBox if isinstance(a, NodeBox) else Dual if isinstance(a, Dual) else ReverseBox
                if kind is not None and k is not kind:
                    raise TypeError("one autograd trace holds boxes of different node types "
                                    "(VJPNode, JVPNode, a user Node); open a trace per mode "
                                    "with trace_stack.new_trace().")
                kind = k
        if kind is NodeBox:
            return _process_user_nodes(self, prim, args, kwargs)
        if kind is Dual:
            return ForwardLevel.process(self, prim, args, kwargs)
        return ReverseLevel.process(self, prim, args, kwargs)


def _process_user_nodes(level: CompatLevel, prim, args, kwargs):
    argvals, parents, argnums = list(args), [], []
    for i, a in enumerate(args):
        if isinstance(a, NodeBox) and a._level is level:
            argvals[i] = a.value
            parents.append(a.node)
            argnums.append(i)
    ans = prim(*argvals, **kwargs)  # lower levels (an inner grad's boxes) get their turn
    if not _is_differentiable(ans):
        return ans
    node = type(parents[0])(ans, prim, tuple(argvals), kwargs, tuple(argnums), tuple(parents))
    return _boxed(ans, NodeBox, node, level)


def _boxed(value, base, x, level):
    face = BOX_TYPES.get(type(value))
    if face is None and isinstance(value, Tracer):
        face = BOX_TYPES.get(type(peek(value)))
    if face is not None and getattr(face, "_dualgrad_face", False) and not face.__dict__.get(
            "_dualgrad_box_root"):
        return face_class(face, base)(value, x, level)
    return base(value, x, level)


_detached = threading.local()


def level_of(trace) -> Level:
    """The level of autograd trace id ``trace``: the level it names, the innermost live
    level of that depth on this thread, or (never opened) a detached level of its own."""
    if isinstance(trace, TraceId):
        return trace.level
    if isinstance(trace, Level):
        return trace
    if trace is None:  # autograd's Box(value, None, None): a trace of its own, outermost
        trace = 0
    elif not isinstance(trace, int) or isinstance(trace, bool):
        raise TypeError(f"an autograd trace id is an int (from trace_stack.new_trace()), "
                        f"not {type(trace).__name__}")
    for level in reversed(_stack()):
        if level.depth == trace:
            return level
    levels = getattr(_detached, "levels", None)
    if levels is None:
        levels = _detached.levels = {}
    level = levels.get(trace)
    if level is None:
        level = levels[trace] = CompatLevel(trace)
    return level


def make_box(value, trace, node, face: type | None = None) -> Tracer:
    """The tracer of ``value`` on trace ``trace`` for ``node`` (see the module's doc)."""
    level = level_of(trace)
    if isinstance(node, TapeNode):  # an input node a dualgrad transform made (its box maker)
        base, x = ReverseBox, node
    elif node is None or isinstance(node, VJPNode):  # (None: a reverse-mode input too)
        if not isinstance(level, ReverseLevel):
            raise TypeError(f"a VJPNode root on trace {trace}, whose level is a "
                            f"{type(level).__name__}: open a trace with trace_stack.new_trace()")
        base, x = ReverseBox, level.input_node(value)
    elif isinstance(node, (JVPNode, _TangentNode)):
        if not isinstance(level, (ForwardLevel, CompatLevel)):
            raise TypeError(f"a JVPNode root on trace {trace}, whose level is a "
                            f"{type(level).__name__}: open a trace with trace_stack.new_trace()")
        base, x = Dual, node.g
    elif isinstance(node, Node):
        if not isinstance(level, CompatLevel):
            raise TypeError(f"a {type(node).__name__} root on trace {trace}, which is a "
                            "dualgrad transform's: open a trace with trace_stack.new_trace()")
        base, x = NodeBox, node
    else:
        raise TypeError(f"new_box needs a node (VJPNode.new_root(), JVPNode.new_root(g) or a "
                        f"Node subclass's new_root(...)), not {type(node).__name__}")
    if face is not None:
        return face_class(face, base)(value, x, level)
    return _boxed(value, base, x, level)


def new_box(value, trace, node):
    """autograd's ``new_box``: ``Box.type_mappings[type(value)](value, trace, node)``;
    arrays and numbers get the level's tracer, tuples and lists a traced sequence
    (a ``SequenceBox``)."""
    maker = BOX_TYPES.get(type(value))
    if maker is not None:
        return maker(value, trace, node)
    if type(value) in (tuple, list):  # a traced sequence (its face: SequenceBox)
        value = _make_sequence(type(value), *value)
        return make_box(value, trace, node)
    if isinstance(value, Tracer) or isinstance(value, np.ndarray) or _is_differentiable(value):
        return make_box(value, trace, node)
    raise TypeError(f"Can't differentiate w.r.t. type {type(value)}")


box_type_mappings = BOX_TYPES


def _guard_ufunc_override(value_type, maker) -> None:
    """A registered ndarray subclass with an ``__array_ufunc__`` of its own (PennyLane's
    tensor) may compute a traced operand's ufunc as plain numpy would, which gives an
    array of NotImplemented (it is why PennyLane pins autograd < 1.9, whose boxes take
    part in numpy's ufunc protocol as dualgrad's tracers do). Registered with autograd,
    its override is guarded: with a traced operand it returns NotImplemented, and numpy
    hands the call to the tracer, whose rule applies the ufunc to the plain values."""
    if not (isinstance(value_type, type) and issubclass(value_type, np.ndarray)):
        return
    own = value_type.__array_ufunc__
    if own is np.ndarray.__array_ufunc__ or getattr(own, "_dualgrad_guard", False):
        return

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if any(isinstance(x, Tracer) for x in inputs) or any(
                isinstance(x, Tracer) for x in kwargs.get("out", ()) or ()):
            return NotImplemented
        return own(self, ufunc, method, *inputs, **kwargs)
    __array_ufunc__._dualgrad_guard = True
    __array_ufunc__.__wrapped__ = own
    value_type.__array_ufunc__ = __array_ufunc__


BOX_TYPES.hooks.append(_guard_ufunc_override)
for _t, _m in list(BOX_TYPES.items()):  # registered before this module was loaded
    _guard_ufunc_override(_t, _m)
box_types = Box.types


class TraceStack:
    """autograd's ``trace_stack``: ``new_trace()`` opens a trace (a dualgrad level) and
    yields its id; ``top`` is the innermost id on this thread (0: none)."""

    @property
    def top(self) -> int:
        stack = _stack()
        return stack[-1].depth if stack else 0

    @contextlib.contextmanager
    def new_trace(self):
        with CompatLevel.new() as level:
            yield TraceId(level)


trace_stack = TraceStack()


def trace(start_node, fun: Callable, x):
    """autograd's ``trace``: ``fun(x)`` on a new trace from ``start_node``; returns
    ``(end_value, end_node)``, or ``(end, None)`` with a warning if the output does not
    depend on ``x``."""
    with trace_stack.new_trace() as t:
        start_box = new_box(x, t, start_node)
        end_box = fun(start_box)
        if isbox(end_box) and end_box._trace == start_box._trace:
            return end_box._value, end_box._node
        warnings.warn("Output seems independent of input.")
        return end_box, None


def find_top_boxed_args(args) -> tuple[list, Any, type | None]:
    """autograd's helper: ``([(argnum, box), ...], trace, node type)`` for the boxes of
    the innermost trace among ``args``."""
    top, found = None, []
    for i, a in enumerate(args):
        if isinstance(a, Tracer):
            if top is None or a._level.depth > top.depth:
                top, found = a._level, [(i, a)]
            elif a._level is top:
                found.append((i, a))
    if top is None:
        return [], -1, None
    return found, TraceId(top), type(found[0][1]._node)


notrace_primitives: dict = defaultdict(set)


def register_notrace(trace_type: type, primitive_fun) -> None:
    """autograd's ``register_notrace``: ``primitive_fun`` is not differentiated on
    traces of node type ``trace_type`` (VJPNode, JVPNode). Here its rules in that mode
    are zero, the derivative autograd's untraced answer has."""
    from ..core import ANY, Primitive, vspace
    if not isinstance(primitive_fun, Primitive):
        raise TypeError(f"register_notrace: {primitive_fun!r} is not a primitive")
    notrace_primitives[trace_type].add(primitive_fun)
    if issubclass(trace_type, VJPNode):
        primitive_fun.vjps[ANY] = lambda argnum, g, ans, *args, **kw: vspace(args[argnum]).zeros()
    elif issubclass(trace_type, JVPNode):
        primitive_fun.jvps[ANY] = lambda argnum, t, ans, *args, **kw: vspace(ans).zeros()
    else:
        raise TypeError("register_notrace takes VJPNode or JVPNode as the trace type")


def _package(name: str):
    if name == "autograd":  # autograd.tracer's ``import autograd``: the package (the alias's)
        import importlib
        return importlib.import_module("dualgrad")
    raise AttributeError(name)


# autograd's {numpy function: its traced primitive}, read by its boxes' __array_ufunc__:
# dualgrad's is the table NumPy's protocols dispatch through (a write there is honoured)
trace_primitives_map = NUMPY_OVERRIDES

__getattr__ = refuser(__name__, {}, fallback=_package)

__all__ = ["Box", "Node", "TraceStack", "trace_stack", "new_box", "trace", "isbox", "getval",
           "toposort", "primitive", "notrace_primitive", "register_notrace", "notrace_primitives",
           "box_type_mappings", "box_types", "find_top_boxed_args", "subvals",
           "CompatLevel", "NodeBox"]
