"""Building a wrapped numpy namespace from numpy's own.

Every public name of a numpy module becomes one of:
- our differentiable version (a primitive with rules, or a function of them);
- a pass-through that sees through tracers (no derivative to carry);
- for other callables, numpy's function behind a guard that raises a clear
  error when it meets a traced value (so a missing rule is never a silently
  wrong or zero derivative);
- anything else (constants, dtypes, classes) as it is.

Plain numpy functions called on tracers (NEP 13/18) are routed the same way.
"""
from __future__ import annotations

import functools
import types

import numpy as onp

from ..core import (ARRAY_FROM_SEQUENCE, NUMPY_OVERRIDES, Primitive, Tracer, holds_tracer,
                    notrace_primitive, unsupported)
from ..core.errors import numpy_io


def classify(name: str, obj, rules: dict, nondiff: frozenset) -> str:
    if name in rules:
        return "differentiable"
    if name in nondiff:
        return "nondiff"
    if isinstance(obj, onp.ufunc) or (callable(obj) and not isinstance(obj, type)):
        return "unsupported"
    return "value"


def build(namespace: dict, module, rules: dict, nondiff: frozenset, prefix: str,
          register: bool = True) -> dict:
    """Fill ``namespace`` from numpy ``module``; return {name: kind}.
    ``register=False`` (scipy namespaces) leaves the NEP 13/18 overrides alone."""
    kinds = {}
    for name in dir(module):
        if name.startswith("_"):
            continue
        if name not in vars(module):
            continue  # a submodule numpy loads lazily (f2py, testing): importing it costs ~20 MB
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType):
            continue
        kind = kinds[name] = classify(name, obj, rules, nondiff)
        if kind == "differentiable":
            # numpy's functions take array_likes; scipy's may take other sequences
            # (cho_solve((c, lower), b)), given as they are
            ours = accept_array_likes(rules[name], obj, name, prefix) if register else rules[name]
        elif kind == "nondiff":
            ours = notrace_primitive(obj)
            if name in _NDARRAY_ONLY:
                ours = _lists_as_arrays(ours)
        elif kind == "unsupported":
            ours = unsupported(obj, f"{prefix}{name}")
        else:
            ours = obj
        namespace[name] = ours
        if register and kind != "value" and callable(obj):
            if kind == "differentiable" and isinstance(obj, onp.ufunc):
                ours = ufunc_call(obj, ours)
            NUMPY_OVERRIDES.setdefault(obj, ours)
    return kinds


# Functions without derivative that numpy gives only ndarrays (a plain list is
# refused, or read as something else: a dtype spec in result_type): a list holding
# tracers is made the array first. The others get the list of the tracers' values
# and read it as numpy reads a list (histogramdd: a list of D coordinate arrays).
_NDARRAY_ONLY = frozenset({"diag_indices_from", "tril_indices_from", "triu_indices_from",
                           "isfortran", "can_cast", "result_type", "min_scalar_type"})


def _lists_as_arrays(ours):
    @functools.wraps(ours)
    def call(*args, **kwargs):
        if ARRAY_FROM_SEQUENCE:
            to_array = ARRAY_FROM_SEQUENCE[-1]
            args = [to_array(a) if a.__class__ in _SEQUENCES and holds_tracer(a) else a
                    for a in args]
        return ours(*args, **kwargs)
    return call


# Parameters that take a sequence of arrays (each element is an array_like of its own).
_SEQUENCE_PARAMS = {"concatenate": (0,), "concat": (0,), "stack": (0,), "hstack": (0,), "vstack": (0,),
                    "dstack": (0,), "column_stack": (0,), "row_stack": (0,), "choose": (1,),
                    "select": (0, 1), "multi_dot": (0,), "block": (0,), "piecewise": (1, 2),
                    "histogramdd": (0,)}  # a list: D coordinate arrays, not an (N, D) array
_SEQUENCES = (list, tuple)


def _numpy_signature(obj):
    import inspect
    if isinstance(obj, onp.ufunc):
        return None
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):
        return None


def accept_array_likes(ours, numpy_fun, name: str, prefix: str = "numpy."):
    """``ours`` taking numpy's array_likes as numpy does: a (nested) list or tuple
    holding tracers is the traced array numpy would build from it, and a traced
    value may be passed by numpy's keyword names (``np.std(a=x)``). Primitives do
    this in their own dispatch (given numpy's signature here); other functions get
    a thin wrapper that does it only when a list, tuple or keyword is present.
    numpy's output keywords on a traced call: ``out=None`` and ``where=True`` are
    dropped, an ``out=`` array or ``where=`` mask refused (``core.errors.numpy_io``)."""
    if getattr(ours, "array_likes", False) and not isinstance(ours, Primitive):
        return ours  # a wrapper that takes numpy's signature and array_likes itself
    sig = _numpy_signature(numpy_fun)
    renamed = _renamed(sig, ours)
    io = (isinstance(numpy_fun, onp.ufunc) or sig is not None and
          not {"out", "where"}.isdisjoint(sig.parameters)) and f"{prefix}{name}"
    if isinstance(ours, Primitive):
        if sig is not None:
            ours.__dict__.setdefault("signature", sig)
        if io:
            ours.__dict__.setdefault("numpy_io", io)
        if not renamed:
            return ours
    seq_params = _SEQUENCE_PARAMS.get(name, ())

    @functools.wraps(ours)
    def public(*args, **kwargs):
        if kwargs or any(a.__class__ in _SEQUENCES for a in args):
            if io and ("out" in kwargs or "where" in kwargs) and holds_tracer(args, kwargs):
                kwargs = numpy_io(io, kwargs)
            args, kwargs = _as_arrays(args, kwargs, sig, seq_params, name, renamed)
        return ours(*args, **kwargs)

    return public


def _renamed(sig, ours) -> frozenset:
    """numpy's names of positional parameters that ``ours`` calls differently
    (``transpose(a)`` vs a primitive's ``x``): given by keyword, they are passed
    by position."""
    import inspect
    if sig is None:
        return frozenset()
    fun = ours.fun if isinstance(ours, Primitive) else getattr(ours, "composite_of", ours)
    try:
        mine = inspect.signature(fun).parameters
    except (TypeError, ValueError):
        return frozenset()
    if any(p.kind == p.VAR_KEYWORD for p in mine.values()):
        return frozenset()
    return frozenset(k for k, p in sig.parameters.items()
                     if p.kind == p.POSITIONAL_OR_KEYWORD and k not in mine)


def _as_arrays(args, kwargs, sig, seq_params, name, renamed=frozenset()):
    if sig is not None and (any(holds_tracer(v) for v in kwargs.values())
                            or not renamed.isdisjoint(kwargs)):
        try:
            bound = sig.bind(*args, **kwargs)
            args, kwargs = bound.args, bound.kwargs
        except TypeError:
            pass  # ours reports the mistake in its own words
    if not ARRAY_FROM_SEQUENCE:  # pragma: no cover (the rules always register one)
        return args, kwargs
    to_array = ARRAY_FROM_SEQUENCE[-1]

    def convert(a, i):
        if a.__class__ not in _SEQUENCES or not holds_tracer(a):
            return a
        if i in seq_params:  # each element its own array: [v, [s]] -> [v, array([s])]
            return type(a)(to_array(e) if e.__class__ in _SEQUENCES and holds_tracer(e)
                           else e for e in a) if name != "block" else a
        return to_array(a)

    args = tuple(convert(a, i) for i, a in enumerate(args))
    kwargs = {k: convert(v, -1) for k, v in kwargs.items()}
    return args, kwargs


# numpy ufunc keywords that only choose casting rules, memory layout or subclasses:
# they cannot change a traced result's numbers, so NEP 13 calls drop them.
_LAYOUT_KWARGS = ("casting", "order", "subok")


def ufunc_call(ufunc, ours):
    """``ufunc(*inputs, **kwargs)`` called on tracers (NEP 13), with numpy's ufunc
    keywords handled before ``ours`` sees them: ``dtype=`` casts the inputs (as the
    ufunc's loop would) and the result; ``where=`` (masked entries are left
    uninitialised, no derivative) and ``signature=`` are refused with a clear error;
    ``casting``/``order``/``subok`` are dropped. Without keywords: ``ours`` as is."""
    from ..rules._helpers import astype

    name = ufunc.__name__

    def call(*inputs, **kwargs):
        if not kwargs:
            return ours(*inputs)
        if kwargs.get("where", True) is not True:
            numpy_io(f"numpy.{name}", {"where": kwargs["where"]})  # raises
        if kwargs.pop("signature", None) is not None:
            raise TypeError(f"numpy.{name}(..., signature=...) is not supported on traced "
                            "arrays; drop it (use dtype= or cast the inputs).")
        kwargs.pop("where", None)
        casting = kwargs.get("casting", "same_kind")
        for k in _LAYOUT_KWARGS:
            kwargs.pop(k, None)
        dtype = kwargs.pop("dtype", None)
        if dtype is None:
            return ours(*inputs, **kwargs)
        dtype = onp.dtype(dtype)
        if dtype.kind not in "fc":
            raise TypeError(f"numpy.{name}(..., dtype={dtype}) on a traced value would "
                            "drop its derivative; compute in floating point and cast "
                            "the result with dualgrad.core.getval if you want a constant.")
        cast = []
        for a in inputs:
            if isinstance(a, (Tracer, onp.ndarray, onp.generic)):
                have = onp.result_type(a.dtype)
                if not onp.can_cast(have, dtype, casting=casting):
                    raise TypeError(f"numpy.{name}: cannot cast input from {have} to "
                                    f"{dtype} with casting rule {casting!r}.")
                if have != dtype:
                    a = astype(a, dtype=dtype) if isinstance(a, Tracer) else \
                        onp.asarray(a).astype(dtype)
            cast.append(a)
        out = ours(*cast, **kwargs)
        if isinstance(out, tuple):
            return tuple(_cast_result(o, dtype, astype) for o in out)
        return _cast_result(out, dtype, astype)

    call.__name__ = name
    call.__wrapped__ = ours
    return call


def _cast_result(out, dtype, astype):
    have = onp.result_type(out.dtype if hasattr(out, "dtype") else out)
    if have == dtype or have.kind not in "fc":
        return out
    return astype(out, dtype=dtype) if isinstance(out, Tracer) else onp.asarray(out).astype(dtype)
