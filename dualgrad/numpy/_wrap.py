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
            NUMPY_OVERRIDES.setdefault(obj, ours)
    return kinds
