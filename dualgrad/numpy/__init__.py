"""``import dualgrad.numpy as np``: numpy's namespace, differentiable.

Functions with rules trace; functions with nothing to differentiate (shape
queries, comparisons, argmax, ``*_like``, random) see through tracers; any
other numpy function raises a clear error when handed a traced value.
"""
from __future__ import annotations

import builtins as _builtins

import numpy as _onp

from ..core import Tracer as _Tracer
from ..core import holds_tracer as _holds_tracer
from ..core.errors import numpy_io
from ..rules import NONDIFF_NAMES as _NONDIFF
from ..rules import RULES as _RULES
from ..rules import reductions as _red, scans as _scans
from . import _wrap
from ..interpreters import pending as _pending


# The reductions take numpy's signature in one wrapper (no second one for array_likes):
# a list holding tracers is the array numpy would build from it.
def _array_like(a):
    return _RULES["array"](a) if a.__class__ in (list, tuple) and _holds_tracer(a) else a


def _traced_kwargs(name, out, kw):
    """The keywords of a traced reduction that numpy would honour: out=None and
    where=True dropped, out=array refused, initial= refused (its rules ignore it)."""
    kw = numpy_io(f"numpy.{name}", {"out": out, **kw})
    if kw:
        raise TypeError(f"numpy.{name}(..., {', '.join(kw)}=) is not supported on traced "
                        "arrays; drop it (for initial=, combine the result with it: "
                        "np.maximum(np.max(x), initial)).")


def _reduction(prim, numpy_fun):
    def reduce(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
        a = _array_like(a)
        if not isinstance(a, _Tracer):
            return numpy_fun(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kw)
        if out is not None or kw:
            _traced_kwargs(numpy_fun.__name__, out, kw)
        return prim(a, axis=axis, keepdims=keepdims, dtype=dtype)

    reduce.__name__ = numpy_fun.__name__
    reduce.__doc__ = numpy_fun.__doc__
    reduce.array_likes = True  # _wrap.accept_array_likes: no second wrapper
    return reduce


def _extremum(prim, numpy_fun):
    def reduce(a, axis=None, out=None, keepdims=False, **kw):
        a = _array_like(a)
        if not isinstance(a, _Tracer):
            return numpy_fun(a, axis=axis, out=out, keepdims=keepdims, **kw)
        if out is not None or kw:
            _traced_kwargs(numpy_fun.__name__, out, kw)
        return prim(a, axis=axis, keepdims=keepdims)

    reduce.__name__ = numpy_fun.__name__
    reduce.__doc__ = numpy_fun.__doc__
    reduce.array_likes = True  # _wrap.accept_array_likes: no second wrapper
    return reduce


def _cumsum(a, axis=None, dtype=None, out=None):
    a = _array_like(a)
    if isinstance(a, _Tracer):
        if out is not None:  # numpy would dispatch back here: endless recursion
            numpy_io("numpy.cumsum", {"out": out})  # raises
        return _red.cumsum(a, axis=axis, dtype=dtype)
    return _onp.cumsum(a, axis=axis, dtype=dtype, out=out)


_PUBLIC = dict(_RULES)
_PUBLIC.update(
    sum=_reduction(_red.sum, _onp.sum), mean=_reduction(_red.mean, _onp.mean),
    prod=_reduction(_scans.prod, _onp.prod), max=_extremum(_red.max, _onp.max),
    min=_extremum(_red.min, _onp.min), amax=_extremum(_red.max, _onp.amax),
    amin=_extremum(_red.min, _onp.amin), cumsum=_cumsum,
)
_cumsum.array_likes = True

KINDS = _wrap.build(globals(), _onp, _PUBLIC, _NONDIFF, "numpy.")
if "row_stack" not in KINDS:  # numpy >= 2.5 removed it; autograd.numpy has it (= vstack)
    row_stack = _wrap.accept_array_likes(_RULES["row_stack"], _onp.vstack, "row_stack", "numpy.")
__version__ = _onp.__version__  # numpy's, as autograd.numpy.__version__

# y = np.zeros(n); y[i] = f(x): while a transform runs, the float constructors
# return pending arrays, which become traced when a traced value is assigned
for _name in ("zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like",
              "full_like", "eye", "identity"):
    # numpy's own function where no argument can be traced (no guard to pass)
    globals()[_name] = _pending.constructor(
        getattr(_onp, _name) if _name in ("zeros", "ones", "empty", "eye", "identity")
        else globals()[_name])


def make_diagonal(D, offset=0, axis1=0, axis2=1):
    """autograd's complement of ``diagonal``: ``A[..., i, i] = D[..., i]`` (zeros
    elsewhere), a new last axis; only ``offset=0, axis1=-1, axis2=-2`` as autograd."""
    if not (offset == 0 and axis1 in (-1, -2) and axis2 in (-1, -2) and axis1 != axis2):
        raise NotImplementedError("make_diagonal supports only offset=0, axis1=-1, axis2=-2.")
    D = array(D) if isinstance(D, (list, tuple)) else D  # noqa: F821 (built above)
    n = shape(D)[-1]  # noqa: F821  (numpy's shape, built above)
    return D[..., None] * _onp.eye(n, dtype=result_type(D))  # noqa: F821

from . import fft, linalg, random  # noqa: E402  (submodules built the same way)


class _IndexConcatenator:
    """``r_[...]`` / ``c_[...]`` accepting traced items. numpy lays the result out
    (slices, directive strings, ``ndmin`` and all) twice, with each traced item
    replaced by labels ``+k`` and ``-k`` (k numbering its entries from 1): where the
    two layouts differ an entry comes from traced entry k, which is gathered from
    the traced items; elsewhere numpy's constant stands."""

    def __init__(self, numpy_obj):
        self._np = numpy_obj

    def __getitem__(self, key):
        items = key if isinstance(key, tuple) else (key,)
        if not _builtins.any(_holds_tracer(i) for i in items):  # numpy's any is in scope
            return self._np[key]
        traced = [array(i) if _holds_tracer(i) else None for i in items]  # noqa: F821
        flat = concatenate([ravel(t) for t in traced if t is not None])  # noqa: F821
        plus, minus, offset = [], [], 0
        for item, t in zip(items, traced):
            if t is None:
                plus.append(item)
                minus.append(item)
                continue
            labels = _onp.arange(offset + 1.0, offset + t.size + 1.0).reshape(t.shape)
            plus.append(labels)
            minus.append(-labels)
            offset += t.size
        a, b = self._np[tuple(plus)], self._np[tuple(minus)]
        from_traced = a != b
        idx = _onp.where(from_traced, (a - b) / 2 - 1, 0).astype(_onp.intp)
        return where(from_traced, flat[idx], a)  # noqa: F821


r_ = _IndexConcatenator(_onp.r_)
c_ = _IndexConcatenator(_onp.c_)


def _int_subclass(cls: type) -> type:
    """autograd's wrapping of numpy's signed integer types: a subclass whose
    constructor sees through tracers. So ``isinstance(numpy.int64(0), np.int64)`` is
    False here, as in autograd (code such as pyerrors counts its parameters by it),
    while ``np.int64(0)`` is an instance of ``numpy.int64`` and ``dtype=np.int64``
    means int64."""
    new = cls.__new__

    def __new__(subtype, *args, **kwargs):
        return new(subtype, *[_getval(a) for a in args],
                   **{k: _getval(v) for k, v in kwargs.items()})
    return type(cls.__name__, (cls,), {"__new__": __new__, "__module__": __name__,
                                       "__qualname__": cls.__qualname__})


from ..core import getval as _getval  # noqa: E402

_INT_TYPES = {t: _int_subclass(t) for t in (_onp.int8, _onp.int16, _onp.int32, _onp.int64,
                                           _onp.integer)}
for _name, _obj in list(globals().items()):
    if not _name.startswith("_") and isinstance(_obj, type) and _obj in _INT_TYPES:
        globals()[_name] = _INT_TYPES[_obj]
del _name, _obj
