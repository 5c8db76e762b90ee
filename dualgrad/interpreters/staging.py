"""Staging: record a straight-line program of primitive calls, to replay without tracers.

A ``StagingLevel`` is the outermost level of a ``jit`` trace. Its tracer, ``Staged``,
holds the concrete value (the trace runs the function once, for real) and the number
of the program variable it stands for. Every primitive applied to staged values is
computed and appended to the program as ``v7 = fun(v3, v5, axis=0)``; since the JVP,
VJP and batching rules are written with primitives, a transform traced inside the
staging level (``grad``, ``jacobian``, ``vmap``) leaves its forward pass and its
adjoint program in the recording too.

Python control flow is the one thing a recording cannot replay: ``bool(x > 0)``,
``float(x)``, ``int(n)``, an index computed from traced values, plain NumPy reading
the data. Each such read of a concrete value becomes a *guard*: the replay checks that
it comes out as it did on the trace and raises ``Retrace`` otherwise. Metadata
(shape, dtype) is fixed by the input signature and read without a guard
(``dualgrad.core.tracer.peek``).

``compile_program`` turns the recording into Python source (one line per primitive)
and a function made from it with ``exec``: the replay calls each primitive's plain
NumPy function, with no tracer, level or dispatch. Imports: ``dualgrad.core`` and the
pending arrays' hook (``np.zeros(n)`` under a trace is a staged array).
"""
from __future__ import annotations

import builtins
import keyword
import operator
import re

import numpy as onp

from ..core import (Level, TraceError, Tracer, UnexpectedTracerError, stale_tracer_message,
                    is_container, plain_if_pending, tree_flatten, tree_unflatten)
from ..core.levels import _stack
from .pending import PENDING_CLASSES


class Retrace(Exception):
    """A guard of a replayed program came out unlike on the trace: trace again."""


class Staged(Tracer):
    """A value computed while a ``jit`` trace records: its concrete value and its variable.

    Reading the concrete value (``value``, ``bool()``, ``float()``, ``int()``, an index,
    ``__array__``) records a guard; ``shape``, ``dtype`` and printing do not."""

    __slots__ = ("_peek", "var")
    _quiet = True  # dualgrad.core.tracer.peek reads _peek: metadata, no guard

    def __init__(self, value, var: int, level: "StagingLevel"):
        self._peek = value
        self.var = var
        self._level = level

    @property
    def value(self):
        return self._level.concrete(self, None)

    @property
    def shape(self):
        return onp.shape(self._peek)

    @property
    def ndim(self):
        return onp.ndim(self._peek)

    @property
    def size(self):
        return onp.size(self._peek)

    @property
    def dtype(self):
        return onp.result_type(self._peek)

    @property
    def _differentiable(self) -> bool:
        try:
            return onp.result_type(self._peek).kind in "fc"
        except (TypeError, ValueError):  # an object (a traced sequence's value)
            return True

    def __len__(self):
        if isinstance(self._peek, (tuple, list)):  # a traced sequence's value
            return len(self._peek)
        if self.ndim == 0:
            return Tracer.__len__(self)
        return len(self._peek)

    def __getitem__(self, idx):
        if isinstance(self._peek, (tuple, list)):  # a traced sequence's value: an entry
            return self._level._record(operator.getitem, "getitem", (self, idx), {}, False)
        return Tracer.__getitem__(self, idx)

    def __bool__(self):
        return self._level.concrete(self, bool)

    def __float__(self):
        return self._level.concrete(self, float)

    def __int__(self):
        return self._level.concrete(self, int)

    def __index__(self):
        return self._level.concrete(self, operator.index)

    def __complex__(self):
        return self._level.concrete(self, complex)

    def __array__(self, dtype=None, *args, **kwargs):
        v = onp.asarray(self._level.concrete(self, None))
        return v if dtype is None else v.astype(dtype)

    def item(self, *args):  # a Python number from the data: a guard, as float() is
        return onp.asarray(self._level.concrete(self, None)).item(*args)

    def tolist(self):
        return onp.asarray(self._level.concrete(self, None)).tolist()

    # bitwise operators: booleans and integers computed from the data (masks, counts),
    # which no other level carries, are values of the recording too
    def _op(fun, swap=False):
        def op(self, *other):
            args = (*other, self) if swap else (self, *other)
            return self._level.process_nondiff(fun, args, {})
        op.__name__ = fun.__name__
        return op

    __and__, __rand__ = _op(operator.and_), _op(operator.and_, True)
    __or__, __ror__ = _op(operator.or_), _op(operator.or_, True)
    __xor__, __rxor__ = _op(operator.xor), _op(operator.xor, True)
    __lshift__, __rlshift__ = _op(operator.lshift), _op(operator.lshift, True)
    __rshift__, __rrshift__ = _op(operator.rshift), _op(operator.rshift, True)
    __invert__ = _op(operator.invert)
    del _op

    def __repr__(self):  # printing is a side effect of the trace: no guard
        return f"Staged({self._peek!r}, v{self.var})"

    def __format__(self, spec):
        return format(self._peek, spec)


class Op:
    """One line of the program: ``outs = fun(*args, **kwargs)``."""

    __slots__ = ("fun", "name", "args", "kwargs", "out", "leaves", "shape", "phase", "kind",
                 "leaf_kinds")

    def __init__(self, fun, name, args, kwargs, out, leaves, shape, phase, kind=None,
                 leaf_kinds=()):
        self.fun, self.name, self.args, self.kwargs = fun, name, args, kwargs
        self.out, self.leaves, self.shape, self.phase = out, leaves, shape, phase
        self.kind, self.leaf_kinds = kind, leaf_kinds  # the answer's type(s) on the trace


class Guard:
    """A decision the trace took: ``conv(v<var>)`` (the raw value if ``conv`` is None)
    must come out as ``expected`` on a replay."""

    __slots__ = ("var", "conv", "expected", "phase")

    def __init__(self, var, conv, expected, phase):
        self.var, self.conv, self.expected, self.phase = var, conv, expected, phase


class Raises:
    """A call that raised ``exc`` on the trace (and the function caught it): the replay
    calls it again and traces anew if it does not raise so."""

    __slots__ = ("fun", "name", "args", "kwargs", "exc", "phase")

    def __init__(self, fun, name, args, kwargs, exc, phase):
        self.fun, self.name, self.args, self.kwargs = fun, name, args, kwargs
        self.exc, self.phase = exc, phase


class Var:
    """A program variable in an argument template (``args`` of an ``Op``)."""

    __slots__ = ("n",)

    def __init__(self, n):
        self.n = n


class StagingLevel(Level):
    """The outermost level of a ``jit`` trace: records each primitive call and guard."""

    __slots__ = ("program", "count", "n_inputs", "large")
    stages_nondiff = True

    def __init__(self, depth: int):
        super().__init__(depth)
        self.program: list = []
        self.count = 0
        self.n_inputs = 0
        self.large: set = set()  # the variables whose value is a large array (freed early)

    # -- values --------------------------------------------------------------
    def input(self, value) -> Staged:
        self.n_inputs += 1
        return self._new(value)

    def _new(self, value) -> Staged:
        self.count += 1
        if type(value) is onp.ndarray and value.nbytes >= FREE_AFTER_BYTES:
            self.large.add(self.count)
        return Staged(value, self.count, self)

    def fresh(self, value) -> Staged:
        """A fresh array made while tracing (``np.zeros(n)`` to write into): a value of
        the program, made anew by each replay (written by copy-on-write steps after)."""
        out = self._new(value)
        self.program.append(Op(onp.copy, "copy", (value,), {}, out.var, None, None,
                               _phase(self), type(value)))
        return out

    def concrete(self, x: Staged, conv):
        """The value of ``x`` (``conv(value)`` if given) for Python to decide on: a guard."""
        if self.exited:  # a value kept from a finished trace: its number is stale
            raise UnexpectedTracerError(stale_tracer_message(self))
        v = x._peek
        out = v if conv is None else conv(v)
        self.program.append(Guard(x.var, conv, out if conv is not None else v, _phase(self)))
        return out

    # -- primitives ----------------------------------------------------------
    def process(self, prim, args, kwargs):
        return self._record(prim.fun, prim.name, args, kwargs, False)

    def process_nondiff(self, fun, args, kwargs):
        """A function without derivative (comparisons, argmax, nonzero): recorded too,
        since its answer depends on the data; its shape is guarded (nonzero's varies)."""
        if fun in _STATIC_QUERIES:
            return fun(*[_peek_deep(a) for a in args], **kwargs)
        return self._record(fun, getattr(fun, "__name__", "f"), args, kwargs, True)

    def _record(self, fun, name, args, kwargs, nondiff):
        vals = [self._unwrap(a) for a in args]
        templ = tuple(_template(a, self) for a in args)
        kw_vals = {k: self._unwrap(v) for k, v in kwargs.items()}
        kw_templ = {k: _template(v, self) for k, v in kwargs.items()}
        try:
            ans = fun(*vals, **kw_vals)
        except Exception as exc:  # a decision too, if f catches it (a LinAlgError fallback)
            self.program.append(Raises(fun, name, templ, kw_templ, type(exc), _phase(self)))
            raise
        if isinstance(ans, (onp.ndarray, onp.generic, bool, int, float, complex)):
            out = self._new(ans)
            shape = onp.shape(ans) if nondiff and not _is_elementwise(fun) else None
            self.program.append(Op(fun, name, templ, kw_templ, out.var, None, shape,
                                   _phase(self), type(ans)))
            return out
        leaves, td = tree_flatten(ans)
        if is_container(ans) and any(isinstance(v, Tracer) for v in leaves):
            # arrays the body made (np.zeros inside custom_vjp's function), staged here
            # or pending for the level above: their values
            leaves = [v._peek if type(v) is Staged and v._level is self else
                      plain_if_pending(v) for v in leaves]
            ans = tree_unflatten(td, leaves)
        if not leaves or not all(isinstance(v, _NUMBERS) for v in leaves):
            if leaves and nondiff and any(isinstance(v, (str, bytes)) for v in leaves):
                raise TraceError(f"jit: {name} answered {type(ans).__name__}, which a "
                                 "recorded program cannot hold; call it outside jit.")
            if all(isinstance(v, _STATIC) for v in leaves):
                # not a value (None, a dtype, a string): it cannot depend on the data
                self.program.append(Op(fun, name, templ, kw_templ, None, None, None,
                                       _phase(self)))
                return ans
            # any other object (a traced sequence's value, a container subclass): one
            # value of the program, which later steps read through primitives
            out = self._new(ans)
            self.program.append(Op(fun, name, templ, kw_templ, out.var, None, None,
                                   _phase(self), type(ans)))
            return out
        self.count += 1
        box = self.count
        outs = [self._new(v) for v in leaves]
        shape = tuple(onp.shape(v) for v in leaves) if nondiff else None
        self.program.append(Op(fun, name, templ, kw_templ, box, [o.var for o in outs],
                               shape, _phase(self), type(ans), [type(v) for v in leaves]))
        return tree_unflatten(td, outs)

    def _unwrap(self, a):
        if type(a) is Staged:
            return a._peek
        if isinstance(a, (list, tuple, dict)) and _holds_staged(a):
            return _rebuild(a, self._unwrap)
        while isinstance(a, Tracer):  # nondiff functions are given the inner tracers
            a = a._peek if type(a) is Staged else a.value
        return a


# A replay drops its reference to an array of at least this many bytes after the
# array's last use (``del v7``), so that the forward pass's values are freed during
# the adjoint program, as the tape frees them eagerly; smaller values live to the end
# of the call (a ``del`` per line would cost scalar programs more than it saves).
FREE_AFTER_BYTES = 1 << 16

_NUMBERS = (onp.ndarray, onp.generic, bool, int, float, complex)
_STATIC = (str, bytes, type, onp.dtype, slice, type(Ellipsis), type(None))
_STATIC_QUERIES = {onp.shape, onp.ndim, onp.size, onp.result_type, onp.iscomplexobj,
                   onp.isrealobj}


def _fresh(out, _origin):
    """``dualgrad.interpreters.pending``'s hook: ``np.zeros`` and friends under a jit
    trace (with no transform inside) give a staged array."""
    return _stack()[-1].fresh(out)


PENDING_CLASSES[StagingLevel] = _fresh


def _is_elementwise(fun) -> bool:
    return isinstance(fun, onp.ufunc) or getattr(fun, "__module__", None) in ("_operator",
                                                                               "operator")


def _peek_deep(a):
    while isinstance(a, Tracer):
        a = a._peek if type(a) is Staged else a.value
    return a


def _holds_staged(a) -> bool:
    if isinstance(a, Tracer):
        return True
    if isinstance(a, (list, tuple)):
        return any(_holds_staged(v) for v in a)
    if isinstance(a, dict):
        return any(_holds_staged(v) for v in a.values())
    return False


def _rebuild(a, f):
    if isinstance(a, dict):
        return type(a)((k, f(v)) for k, v in a.items())
    items = [f(v) for v in a]
    return type(a)(*items) if hasattr(a, "_fields") else type(a)(items)


def _template(a, level):
    """``a`` as the program will build it: staged values as ``Var``, containers of
    them rebuilt, anything else a constant."""
    while isinstance(a, Tracer) and type(a) is not Staged:
        a = a.value  # a nondiff function given an inner level's tracer: its value
    if type(a) is Staged:
        if a._level is not level:
            raise TraceError("jit: a value traced by another jit trace (one that has finished, "
                             "or an outer one) reached this trace; pass it as an argument "
                             "of the jitted function instead of closing over it.")
        return Var(a.var)
    if isinstance(a, (list, tuple, dict)) and _holds_staged(a):
        return _rebuild(a, lambda v: _template(v, level))
    return a


def _phase(level) -> str:
    """Which transforms were active when a line was recorded (a comment in the source)."""
    s = _stack()
    names = [type(lv).__mro__[0].__name__ for lv in s if lv is not level]
    return " > ".join(n.replace("Level", "").lower() for n in names)


# ---------------------------------------------------------------- compiling
class Program:
    """A compiled recording: ``run(*leaves)`` replays it, ``source`` is its text."""

    __slots__ = ("run", "source", "n_ops", "n_guards", "out_def", "unflatten")

    def __init__(self, run, source, n_ops, n_guards):
        self.run, self.source, self.n_ops, self.n_guards = run, source, n_ops, n_guards


_SAFE = re.compile(r"[^0-9a-zA-Z_]")


def same(a, b) -> bool:
    """Whether a replayed value equals the traced one (NaN equal to NaN)."""
    if a is b:
        return True
    a, b = onp.asarray(a), onp.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    return bool(onp.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))


def _flat(tree):
    return tree_flatten(tree)[0]


def compile_program(level: StagingLevel, inputs: list, out_leaves: list, out_def,
                    name: str = "f") -> Program:
    """The replay of ``level``'s recording: a function of the traced input leaves
    returning the output's leaves, as Python source and as a function.

    Lines whose values reach neither an output nor a guard are left out. ``+ - * /``
    on numpy values are written as operators (numpy's own scalar arithmetic, the same
    results as the ufunc and several times faster on scalars)."""
    env = {"Retrace": Retrace, "same": same, "flat": _flat, "index": operator.index,
           "shape": onp.shape}
    names: dict = {}  # id(object) -> name in env
    keep = []  # objects whose id names them, kept alive
    consts = []  # (name, object) of the arrays bound, listed in the source

    def bind(obj, hint):
        key = id(obj)
        got = names.get(key)
        if got is not None:
            return got
        base = _SAFE.sub("_", hint) or "c"
        if base[0].isdigit() or keyword.iskeyword(base) or hasattr(builtins, base):
            base = "_" + base
        n, k = base, 1
        while n in env:
            k += 1
            n = f"{base}_{k}"
        env[n] = obj
        names[key] = n
        keep.append(obj)
        if isinstance(obj, (onp.ndarray, onp.generic)):
            consts.append((n, obj))
        return n

    def expr(t):
        if type(t) is Var:
            return f"v{t.n}"
        if isinstance(t, dict) and _has_var(t):
            return "{" + ", ".join(f"{k!r}: {expr(v)}" for k, v in t.items()) + "}"
        if isinstance(t, (list, tuple)) and _has_var(t):
            body = ", ".join(expr(v) for v in t)
            if type(t) is list:
                return f"[{body}]"
            if type(t) is tuple:
                return f"({body}{',' if len(t) == 1 else ''})"
            return f"{bind(type(t), type(t).__name__)}(*[{body}])"
        return literal(t)

    def literal(c):
        if c is None or type(c) in (bool, int, str) or (type(c) is float and onp.isfinite(c)):
            return repr(c)
        if type(c) is slice:
            return f"slice({literal(c.start)}, {literal(c.stop)}, {literal(c.step)})"
        if c is Ellipsis:
            return "..."
        if type(c) is tuple and len(c) < 16:
            return "(" + "".join(literal(v) + ", " for v in c).rstrip(" ") + ")"
        return bind(c, "c")

    kinds = {}  # var -> the type its value had on the trace
    for k, v in enumerate(inputs, 1):
        kinds[k] = type(v)
    program = _live(level.program, out_leaves)
    params = [f"v{k}" for k in range(1, len(inputs) + 1)]
    fname = _SAFE.sub("_", name) or "f"
    if fname[0].isdigit() or keyword.iskeyword(fname):
        fname = "_" + fname
    lines: list = []
    phase = None
    n_ops = n_guards = 0
    taped = False
    frees = _frees(program, level.large - {o.var for o in out_leaves if type(o) is Staged},
                   len(inputs))
    for i, item in enumerate(program):
        if i in frees and lines:
            lines.append(f"    del {', '.join(f'v{k}' for k in frees[i])}")
        if item.phase != phase:
            phase = item.phase
            lines.append(f"    # {_describe(phase, taped)}")
            taped = taped or "reverse" in phase
        if type(item) is Guard:
            n_guards += 1
            v = f"v{item.var}"
            if item.conv is None or not onp.all(onp.isfinite(item.expected)):
                # (NaN != NaN: a non-finite number is compared by same() too)
                expected = bind(item.expected, "traced")
                test = f"not same({v if item.conv is None else _conv_text(item.conv, v)}, " \
                       f"{expected})"
            else:
                test = f"{_conv_text(item.conv, v)} != {literal(item.expected)}"
            lines.append(f"    if {test}: raise Retrace({n_guards})")
            continue
        if type(item) is Raises:
            n_guards += 1
            call = [expr(a) for a in item.args]
            call += [f"{k}={expr(v)}" for k, v in item.kwargs.items()]
            exc = bind(item.exc, item.exc.__name__)
            lines += [f"    try: {bind(item.fun, item.name)}({', '.join(call)})",
                      f"    except {exc}: pass",
                      f"    else: raise Retrace({n_guards})"]
            continue
        n_ops += 1
        rhs = _operator_form(item, expr, kinds)
        if rhs is None:
            call = [expr(a) for a in item.args]
            call += [f"{k}={expr(v)}" for k, v in item.kwargs.items()]
            rhs = f"{bind(item.fun, item.name)}({', '.join(call)})"
        if item.out is None:
            lines.append(f"    {rhs}")
            continue
        lines.append(f"    v{item.out} = {rhs}")
        kinds[item.out] = item.kind
        if item.leaves is not None:
            outs = ", ".join(f"v{k}" for k in item.leaves)
            lines.append(f"    {outs}{',' if len(item.leaves) == 1 else ''} = flat(v{item.out})")
            for k, t in zip(item.leaves, item.leaf_kinds):
                kinds[k] = t
            if item.shape is not None:
                shapes = ", ".join(f"shape(v{k})" for k in item.leaves)
                lines.append(f"    if ({shapes},) != {item.shape!r}: raise Retrace(0)")
        elif item.shape is not None:  # (a Python bool or int has no .shape)
            lines.append(f"    if shape(v{item.out}) != {item.shape!r}: raise Retrace(0)")
    results = []
    for o in out_leaves:
        if type(o) is Staged:
            results.append(f"v{o.var}")
        elif isinstance(o, onp.ndarray):  # a constant answer: a fresh copy per call
            results.append(f"{bind(o, 'c')}.copy()")
        else:
            results.append(literal(o))
    lines.append(f"    return ({', '.join(results)}{',' if len(results) == 1 else ''})")
    while fname in env:  # the function's own name must not hide a primitive it calls
        fname = "jit_" + fname
    head = [f"# {n} = {_short(c)}" for n, c in consts]
    lines = head + [f"def {fname}({', '.join(params)}):"] + lines
    source = "\n".join(lines)
    exec(compile(source, f"<jit {name}>", "exec"), env)
    run = env[fname]
    run._keep = keep
    return Program(run, source, n_ops, n_guards)


def _conv_text(conv, v: str) -> str:
    return {bool: "bool", float: "float", int: "int", complex: "complex",
            operator.index: "index"}[conv] + f"({v})"


_OPERATORS = {onp.add: "+", onp.subtract: "-", onp.multiply: "*", onp.divide: "/"}
_NUMPY_VALUES = (onp.ndarray, onp.float64, onp.float32, onp.complex128, onp.complex64,
                 onp.int64)


_SUM_KEYS = {"axis", "keepdims", "dtype"}


def _operator_form(item, expr, kinds):
    """``a * b`` for ``multiply(a, b)`` when one operand was a plain numpy array or
    numpy scalar on the trace (then the operator is numpy's own arithmetic: the same
    dtype and value as the ufunc), or None."""
    types = [kinds.get(a.n) if type(a) is Var else type(a) for a in item.args]
    if types and types[0] is onp.ndarray:  # methods and syntax of an ndarray: numpy's own
        if item.name == "getitem" and len(item.args) == 2 and not item.kwargs:
            return f"{expr(item.args[0])}[{expr(item.args[1])}]"
        if item.fun is onp.negative and len(item.args) == 1 and not item.kwargs:
            return f"-{expr(item.args[0])}"
        if item.name == "sum" and len(item.args) == 1 and set(item.kwargs) <= _SUM_KEYS:
            kw = ", ".join(f"{k}={expr(v)}" for k, v in item.kwargs.items())
            return f"{expr(item.args[0])}.sum({kw})"
    symbol = _OPERATORS.get(item.fun)
    if symbol is None or len(item.args) != 2 or item.kwargs:
        return None
    if not any(t in _NUMPY_VALUES for t in types):
        return None
    if not all(t in _NUMPY_VALUES or t in (float, int, complex) for t in types):
        return None
    a, b = (expr(x) for x in item.args)
    return f"{a} {symbol} {b}"


def _short(c) -> str:
    text = repr(c) if getattr(c, "size", 1) <= 6 else \
        f"array of shape {c.shape}, dtype {c.dtype}"
    return " ".join(text.split())


def _live(program: list, out_leaves: list) -> list:
    """The program without the lines no output or guard needs, in order."""
    used = {o.var for o in out_leaves if type(o) is Staged}
    kept = []
    for item in reversed(program):
        if type(item) is Guard:
            used.add(item.var)
            kept.append(item)
            continue
        if type(item) is Raises:
            kept.append(item)
            _collect(item.args, used)
            _collect(tuple(item.kwargs.values()), used)
            continue
        outs = item.leaves if item.leaves is not None else (item.out,)
        if item.out is None or not any(k in used for k in outs):
            continue
        kept.append(item)
        _collect(item.args, used)
        _collect(tuple(item.kwargs.values()), used)
    kept.reverse()
    return kept


def _frees(program: list, large: set, n_inputs: int) -> dict:
    """``{i: [vars]}``: the large values (not inputs, not outputs) to drop before line
    ``i`` runs, their last use (or their definition, if unused) being line ``i - 1``."""
    last: dict = {}
    for i, item in enumerate(program):
        used: set = set()
        if type(item) is Guard:
            used.add(item.var)
        else:
            _collect(item.args, used)
            _collect(tuple(item.kwargs.values()), used)
            if type(item) is Op:
                used.update(item.leaves if item.leaves is not None else (item.out,))
        for k in used:
            if k in large and k > n_inputs:
                last[k] = i
    frees: dict = {}
    for k, i in last.items():
        frees.setdefault(i + 1, []).append(k)
    frees.pop(len(program), None)  # (freed by the return anyway)
    return {i: sorted(v) for i, v in frees.items()}


def _collect(t, used: set) -> None:
    if type(t) is Var:
        used.add(t.n)
    elif isinstance(t, (list, tuple)):
        for v in t:
            _collect(v, used)
    elif isinstance(t, dict):
        for v in t.values():
            _collect(v, used)


def _has_var(t) -> bool:
    if type(t) is Var:
        return True
    if isinstance(t, (list, tuple)):
        return any(_has_var(v) for v in t)
    if isinstance(t, dict):
        return any(_has_var(v) for v in t.values())
    return False


def _describe(phase: str, taped: bool) -> str:
    if not phase:
        return ("adjoint program (the backward pass of the tape above)" if taped
                else "plain values")
    if phase.endswith("reverse"):
        return f"forward pass, taped ({phase})"
    return f"under {phase}"


__all__ = ["Staged", "StagingLevel", "Retrace", "Program", "compile_program", "same"]
