"""``jit``: trace a function once per input signature, then replay the recording.

``jit(f)(x)`` runs ``f`` once under a staging level (``dualgrad.interpreters.staging``),
which records every primitive call as a line of a straight-line program; later calls
with the same signature (the shapes and dtypes of the array arguments, the container
structure, and the values of static arguments) replay that program: plain NumPy calls,
no tracers, levels or dispatch. Any transform traced inside (``jit(grad(f))``,
``jit(jacobian(f))``, ``jit(vmap(f))``) leaves its derivative program in the
recording, so the replay runs the forward pass and then the adjoint program.

Python decisions on traced values (``if x > 0``, ``float(x)``, ``int(n)``, an index
computed from the data) are guards: the replay checks each comes out as on the trace,
and traces again when one does not (up to ``max_traces`` programs are kept per
signature, tried newest first; a ``PerformanceWarning`` says when a function keeps
re-tracing). Side effects (``print``, appending to an outer list, drawing from NumPy's
global random state) happen once, at trace time; a draw from the global state warns.
"""
from __future__ import annotations

import functools
import operator
from collections import OrderedDict
from typing import Callable

import numpy as onp

from ..core import (LEAF, PerformanceWarning, TraceError, Tracer, tree_flatten, tree_unflatten,
                    warn)
from ..core.levels import _stack
from ..interpreters.staging import Staged, StagingLevel, compile_program

_TRACED_SCALARS = (float, complex, onp.floating, onp.complexfloating)
_MAX_SIGNATURES = 64  # signatures kept per jitted function (least recently used dropped)


class Jitted:
    """A function compiled by ``jit``: call it as the function; ``source(*args)`` shows
    the program it replays for such arguments.

    Made by :func:`dualgrad.jit`, not by hand.

    Parameters
    ----------
    fun : callable
        The function traced.
    static_argnums : tuple of int
        Positions of the arguments that are part of the cache key by value.
    max_traces : int
        How many programs are kept per input signature (one per way the guards came out).

    Attributes
    ----------
    cache : OrderedDict
        Input signature -> compiled programs, newest first (at most 64 signatures, the
        least recently used dropped first).
    traces : int
        How many times ``fun`` was traced (the first call of each signature, and each
        call whose guards failed for every kept program).
    retraces : int
        Traces made because a kept program's guards failed.

    Raises
    ------
    TypeError
        When called with an argument that is neither an array, a number nor hashable
        (it cannot be part of the cache key).

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> from dualgrad import jit, grad
    >>> df = jit(grad(lambda x: x * np.sin(x)))
    >>> round(float(df(1.0)), 6), round(float(df(2.0)), 6), df.traces
    (1.381773, 0.077004, 1)
    """

    def __init__(self, fun: Callable, static_argnums: tuple, max_traces: int):
        # the name and docstring of fun, not its attributes (a custom_jvp's would hide ours)
        functools.update_wrapper(self, fun, updated=())
        self.fun = fun
        self.static_argnums = static_argnums
        self.max_traces = max_traces
        self.cache: OrderedDict = OrderedDict()  # signature -> [Program, ...], newest first
        # arguments that are all float arrays or Python floats, positional: their shapes
        # and dtypes -> the same program list as ``cache`` (no tree flattening per call)
        self._fast: dict = {}
        self.traces = 0  # how many times fun was traced
        self.retraces = 0  # traces made because every kept program's guards failed
        self._warned = False

    def __call__(self, *args, **kwargs):
        if _stack():  # inside a transform or another trace: f is part of that trace
            return self.fun(*args, **kwargs)
        if not kwargs:
            progs = self._fast.get(_fast_key(args))
            if progs is not None:
                for prog in progs:
                    try:
                        out = prog.run(*args)
                    except Exception:
                        continue
                    return prog.unflatten(out)
        key, leaves, td, statics = self._signature(args, kwargs)
        progs = self.cache.get(key)
        if progs is not None:
            for prog in progs:
                try:
                    out = prog.run(*leaves)
                except Exception:  # a guard failed, or a call raised that did not on the
                    continue       # trace (f may catch it): trace, as eager would run
                return prog.unflatten(out)
        prog = self._trace(key, leaves, td, statics)
        if not kwargs and not self.static_argnums:
            fast = _fast_key(args)
            if fast is not None:
                self._fast[fast] = self.cache[key]
        return prog.unflatten(prog.run(*leaves))

    def source(self, *args, **kwargs) -> str:
        """The Python source of the program replayed for these arguments: one line per
        primitive (the forward pass, then the adjoint program of any transform inside),
        one ``if ...: raise Retrace`` per guard.

        Parameters
        ----------
        *args, **kwargs
            Arguments as for the function; a program of their signature is shown (traced
            now if there is none whose guards pass for them).

        Returns
        -------
        str
            The program as Python: comment lines name the constants it holds (arrays of
            the closure, seeds), then ``def name(v1, ...):`` whose lines are grouped by
            phase (``# forward pass, taped (reverse)``, ``# adjoint program ...``).

        Raises
        ------
        TraceError
            When called inside a transform (the program belongs to an outermost call).

        Examples
        --------
        >>> import dualgrad.numpy as np
        >>> from dualgrad import jit, grad
        >>> print(jit(grad(lambda x: np.sin(x) * x)).source(0.5))
        # c = np.float64(1.0)
        def grad_of__lambda__wrt_argnum_0(v1):
            # forward pass, taped (reverse)
            v2 = sin(v1)
            # adjoint program (the backward pass of the tape above)
            v4 = c * v1
            v5 = c * v2
            v6 = cos(v1)
            v7 = v4 * v6
            v8 = v5 + v7
            return (v8,)
        """
        if _stack():
            raise TraceError("jit(f).source() inside a transform: call it outside.")
        key, leaves, td, statics = self._signature(args, kwargs)
        for prog in self.cache.get(key, ()):
            try:
                prog.run(*leaves)
            except Exception:
                continue
            return prog.source
        return self._trace(key, leaves, td, statics).source

    # -- signatures ----------------------------------------------------------
    def _signature(self, args, kwargs):
        statics = tuple(args[i] for i in self.static_argnums if i < len(args))
        dyn = tuple(a for i, a in enumerate(args) if i not in self.static_argnums) \
            if self.static_argnums else args
        leaves, td = tree_flatten((dyn, kwargs))
        sig, traced = [], []
        for v in leaves:
            t = type(v)
            if t is onp.ndarray:
                if v.dtype.kind not in "biufc":
                    raise TypeError(f"jit: an array of dtype {v.dtype} as an argument; "
                                    "pass numbers, or mark the argument static_argnums.")
                sig.append((v.shape, v.dtype))
                traced.append(v)
            elif isinstance(v, _TRACED_SCALARS):
                sig.append(t)
                traced.append(v)
            elif isinstance(v, Tracer):  # pragma: no cover (the stack is not empty then)
                raise TraceError("jit: a traced value given outside its transform.")
            elif isinstance(v, onp.generic):  # a numpy integer or bool: by value
                sig.append((t, v.item()))
            else:
                sig.append((t, _hashable(v, "an argument")))
        key = (td, tuple(sig), tuple(_hashable(s, "a static argument") for s in statics))
        return key, traced, td, statics

    # -- tracing -------------------------------------------------------------
    def _trace(self, key, leaves, td, statics):
        level = StagingLevel.new()
        rng = onp.random.get_state()
        with level:
            staged = iter([level.input(v) for v in leaves])
            dyn, kwargs = _rebuild(td, key[1], staged)
            args = _merge(dyn, statics, self.static_argnums)
            out = self.fun(*args, **kwargs)
            out_leaves, out_def = tree_flatten(out)
            for o in out_leaves:
                if isinstance(o, Tracer) and not (type(o) is Staged and o._level is level):
                    raise TraceError(
                        "jit: the function returned a value traced by a transform that had "
                        "already finished (a tracer leaked out of grad/jvp/vmap).")
        _warn_rng(rng, self.fun)
        prog = compile_program(level, leaves, out_leaves, out_def,
                               getattr(self.fun, "__name__", "f"))
        prog.out_def = out_def
        prog.unflatten = _unflattener(out_def)
        self.traces += 1
        progs = self.cache.get(key)
        if progs is None:
            progs = self.cache[key] = []
            if len(self.cache) > _MAX_SIGNATURES:
                self.cache.popitem(last=False)
                self._fast.clear()  # (rebuilt by the next calls)
        else:
            self.cache.move_to_end(key)
            self.retraces += 1
            if self.retraces > self.max_traces and not self._warned:
                self._warned = True
                warn(
                    f"jit({getattr(self.fun, '__name__', 'f')}) traced again {self.retraces} "
                    "times: a Python decision on traced values (if x > 0, float(x), int(n), "
                    "an index computed from the data) keeps coming out differently. Write "
                    "it with dualgrad.numpy.where, or pass the value as a static argument.",
                    PerformanceWarning)
        progs.insert(0, prog)
        del progs[self.max_traces:]
        return prog


def _fast_key(args):
    """``args``' shapes and dtypes when each is a float array or a Python float, else
    None (then the general signature decides)."""
    key = []
    for a in args:
        t = type(a)
        if t is onp.ndarray and a.dtype.kind in "fc":
            key.append((a.shape, a.dtype))
        elif t is float:
            key.append(t)
        else:
            return None
    return tuple(key)


def _unflattener(out_def):
    """The output's structure rebuilt from the program's tuple of leaves."""
    if out_def == LEAF:
        return operator.itemgetter(0)
    if out_def.kind is tuple and all(c == LEAF for c in out_def.children):
        return tuple  # (the program returns a tuple already)
    return functools.partial(tree_unflatten, out_def)


def _rebuild(td, sig, staged):
    """The arguments with each traced leaf staged (static leaves as they were)."""
    vals = []
    for s in sig:
        if isinstance(s, tuple) and len(s) == 2 and not isinstance(s[0], type):
            vals.append(next(staged))  # (shape, dtype): an array
        elif isinstance(s, type):
            vals.append(next(staged))  # a traced scalar
        else:
            vals.append(s[1])
    return tree_unflatten(td, vals)


def _merge(dyn, statics, static_argnums):
    if not static_argnums:
        return dyn
    out, d, s = [], iter(dyn), iter(statics)
    for i in range(len(dyn) + len(statics)):
        out.append(next(s) if i in static_argnums else next(d))
    return tuple(out)


def _hashable(v, what):
    try:
        hash(v)
    except TypeError:
        raise TypeError(f"jit: {what} of type {type(v).__name__} is neither an array nor "
                        "hashable, so it cannot be part of the signature the trace is "
                        "cached under. Pass arrays, numbers, or hashable static values.") \
            from None
    return v


def _warn_rng(before, fun) -> None:
    after = onp.random.get_state()
    if before[2] != after[2] or not onp.array_equal(before[1], after[1]):
        warn(
            f"jit({getattr(fun, '__name__', 'f')}): the function drew numbers from NumPy's "
            "global random state while it was traced. The draw happened once, at trace "
            "time; every replay reuses those numbers. Draw them outside and pass them as "
            "an argument.", UserWarning)


def jit(fun: Callable | None = None, *, static_argnums=(), max_traces: int = 8):
    """``fun`` traced once per input signature and replayed as straight-line NumPy.

    Works on any function, including any transform of one: ``jit(grad(f))``,
    ``jit(value_and_grad(f))``, ``jit(jacobian(f))``, ``jit(hessian(f))``,
    ``jit(vmap(f))``. The signature is the container structure of the arguments, the
    shape and dtype of each array and the type of each float, and the value of every
    other leaf (ints, bools, strings) and of the arguments in ``static_argnums``.

    Python control flow on traced values becomes a guard checked on every replay; a
    replay whose guards fail traces again (``max_traces`` programs are kept per
    signature). Side effects happen at trace time only. Inside another transform (or
    another ``jit``) the function simply runs as part of that trace.

    Parameters
    ----------
    fun : callable, optional
        The function. Without it, ``jit(static_argnums=..., max_traces=...)`` is a
        decorator.
    static_argnums : int or tuple of int, default ()
        Arguments keyed by value (any hashable: a mode string, a layer count); a new
        value traces anew. Ints, bools and strings anywhere in the arguments are keyed
        by value already.
    max_traces : int, default 8
        Programs kept per signature; when the guards keep failing beyond this, a
        ``PerformanceWarning`` says so (the answers stay right: each failing call traces).

    Returns
    -------
    Jitted
        Callable as ``fun``; ``.source(*args)`` shows the replayed program.

    Raises
    ------
    TypeError
        If ``fun`` is not callable or ``static_argnums`` are not non-negative ints;
        at a call, for an argument that is neither an array, a number nor hashable.
    ValueError
        If ``max_traces`` < 1.
    TraceError
        At trace time, for what a recorded program cannot replay faithfully (a value
        kept from another trace, a function answering text computed from the data).

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> from dualgrad import grad
    >>> df = jit(grad(lambda x: np.sin(x) * x))
    >>> round(float(df(1.0)), 6)
    1.381773
    """
    if fun is None:
        return functools.partial(jit, static_argnums=static_argnums, max_traces=max_traces)
    if not callable(fun):
        raise TypeError(f"jit(fun): fun must be callable, got {type(fun).__name__}.")
    if isinstance(static_argnums, int):
        static_argnums = (static_argnums,)
    static_argnums = tuple(sorted(static_argnums))
    if any(not isinstance(i, int) or i < 0 for i in static_argnums):
        raise TypeError("jit: static_argnums must be non-negative ints.")
    if not isinstance(max_traces, int) or max_traces < 1:
        raise ValueError("jit: max_traces must be an int >= 1.")
    return Jitted(fun, static_argnums, max_traces)


__all__ = ["jit", "Jitted", "PerformanceWarning"]
