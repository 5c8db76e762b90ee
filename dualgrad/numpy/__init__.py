"""``import dualgrad.numpy as np``: numpy's namespace, differentiable.

Functions with rules trace; functions with nothing to differentiate (shape
queries, comparisons, argmax, ``*_like``, random) see through tracers; any
other numpy function raises a clear error when handed a traced value.
"""
from __future__ import annotations

import numpy as _onp

from ..core import Tracer as _Tracer
from ..rules import NONDIFF_NAMES as _NONDIFF
from ..rules import RULES as _RULES
from ..rules import reductions as _red
from . import _wrap


def _reduction(prim, numpy_fun):
    def reduce(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
        if out is not None or kw or not isinstance(a, _Tracer):
            if isinstance(a, _Tracer):
                raise TypeError(f"{numpy_fun.__name__}(..., out=/initial=/where=) is not "
                                "supported on traced arrays; drop those arguments.")
            return numpy_fun(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kw)
        return prim(a, axis=axis, keepdims=keepdims, dtype=dtype)

    reduce.__name__ = numpy_fun.__name__
    reduce.__doc__ = numpy_fun.__doc__
    return reduce


def _extremum(prim, numpy_fun):
    def reduce(a, axis=None, out=None, keepdims=False, **kw):
        if out is not None or kw or not isinstance(a, _Tracer):
            if isinstance(a, _Tracer):
                raise TypeError(f"{numpy_fun.__name__}(..., out=/initial=/where=) is not "
                                "supported on traced arrays; drop those arguments.")
            return numpy_fun(a, axis=axis, out=out, keepdims=keepdims, **kw)
        return prim(a, axis=axis, keepdims=keepdims)

    reduce.__name__ = numpy_fun.__name__
    reduce.__doc__ = numpy_fun.__doc__
    return reduce


def _cumsum(a, axis=None, dtype=None, out=None):
    if isinstance(a, _Tracer):
        if out is not None:  # numpy would dispatch back here: endless recursion
            raise TypeError("cumsum(..., out=...) cannot write into an array while tracing; "
                            "use the returned value.")
        return _red.cumsum(a, axis=axis, dtype=dtype)
    return _onp.cumsum(a, axis=axis, dtype=dtype, out=out)


_PUBLIC = dict(_RULES)
_PUBLIC.update(
    sum=_reduction(_red.sum, _onp.sum), mean=_reduction(_red.mean, _onp.mean),
    prod=_reduction(_red.prod, _onp.prod), max=_extremum(_red.max, _onp.max),
    min=_extremum(_red.min, _onp.min), amax=_extremum(_red.max, _onp.amax),
    amin=_extremum(_red.min, _onp.amin), cumsum=_cumsum,
)

KINDS = _wrap.build(globals(), _onp, _PUBLIC, _NONDIFF, "numpy.")

from . import fft, linalg, random  # noqa: E402  (submodules built the same way)
