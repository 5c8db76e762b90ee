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

from ..core import NUMPY_OVERRIDES, Tracer, _unsupported, notrace_primitive


def _has_tracer(args, kwargs) -> bool:
    for a in args:
        if isinstance(a, Tracer):
            return True
        if isinstance(a, (list, tuple)) and any(isinstance(b, Tracer) for b in a):
            return True
    return any(isinstance(v, Tracer) for v in kwargs.values())


def unsupported(fun, qualname: str):
    """numpy's ``fun``, refusing traced inputs with an error that names it."""

    @functools.wraps(fun)
    def guarded(*args, **kwargs):
        if _has_tracer(args, kwargs):
            _unsupported(qualname)
        return fun(*args, **kwargs)

    guarded._unsupported = True
    return guarded


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
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType):
            continue
        kind = kinds[name] = classify(name, obj, rules, nondiff)
        if kind == "differentiable":
            ours = rules[name]
        elif kind == "nondiff":
            ours = notrace_primitive(obj)
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
            raise TypeError(f"numpy.{name}(..., where=...) is not supported on traced "
                            f"arrays; use np.where(mask, np.{name}(x), other) instead.")
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
