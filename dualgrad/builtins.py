"""isinstance, type and containers that see through tracers (autograd's builtins).

A traced array is not a ``numpy.ndarray`` subclass, so ``isinstance(x,
np.ndarray)`` is False for it; this module's ``isinstance`` answers for the
value under the tracer. Python's tuple/list/dict can hold tracers freely in
dualgrad, so those names are the builtins themselves.
"""
from __future__ import annotations

import builtins as _b

from .core import getval

tuple = _b.tuple
list = _b.list
dict = _b.dict
SequenceTypes = (_b.tuple, _b.list)


def isinstance(obj, classinfo) -> bool:
    """``isinstance`` of the value under any tracer levels."""
    return _b.isinstance(getval(obj), classinfo)


def type(obj):
    """``type`` of the value under any tracer levels."""
    return _b.type(getval(obj))


__all__ = ["isinstance", "type", "tuple", "list", "dict", "SequenceTypes"]
