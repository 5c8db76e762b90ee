"""The rule families, and the operators and ndarray methods of tracers.

``RULES`` maps a numpy name to our differentiable version of it (a primitive
with both rules, or a function written with such primitives).
"""
from __future__ import annotations

import operator

import numpy as onp

from .. import core
from ..core import Tracer, getval, notrace_primitive, register_method, static_index
from . import complex, elementwise, linalg, reductions, shape
from . import (construction, counting, decompositions, differences, elementwise_more, fft,
               norms, products_stats, scans, split_stack, svd_qr)
from ._helpers import astype, broadcast_to
from .nondiff import NONDIFF_NAMES

# Each family lists its numpy names in __all__; families for numpy.linalg and
# numpy.fft names add a LINALG / FFT dict {numpy name: our function}.
FAMILIES = (complex, elementwise, reductions, shape, linalg,
            elementwise_more, scans, differences, construction, split_stack, decompositions,
            svd_qr, norms, fft, products_stats, counting)

RULES: dict[str, object] = {}
LINALG_RULES: dict[str, object] = {}
FFT_RULES: dict[str, object] = {}
for _family in FAMILIES:
    for _name in _family.__all__:
        RULES[_name] = getattr(_family, _name)
    LINALG_RULES.update(getattr(_family, "LINALG", {}))
    FFT_RULES.update(getattr(_family, "FFT", {}))
RULES.update(
    abs=complex.absolute, absolute=complex.absolute, conjugate=complex.conj,
    conj=complex.conj, real=complex.real, imag=complex.imag, angle=complex.angle,
    true_divide=elementwise.divide, broadcast_to=broadcast_to,
)


# Copies of a traced array are new tracer objects (Tracer._clone), never the tracer
# itself: x[i] = y rebinds the tracer object it is applied to (copy-on-write), so
# ``y = np.array(x); y[0] = 0`` must not change x, as with numpy.
def array(obj, dtype=None, **kw):
    """numpy.array, accepting (nested) lists that hold traced values; a copy of a
    traced array (``copy=False``/``None`` may share it, as numpy's), cast to ``dtype``
    and given ``ndmin`` axes when asked."""
    if isinstance(obj, Tracer):
        out = obj._clone() if kw.get("copy", True) else obj
    elif isinstance(obj, (list, tuple)) and shp._contains_tracer(obj):
        out = shp.array(obj)
    else:
        return shp.array(obj, dtype=dtype, **kw)
    if dtype is not None and onp.dtype(dtype) != out.dtype:
        out = astype(out, dtype=dtype)
    extra = kw.get("ndmin", 0) - out.ndim
    return shp.reshape(out, (1,) * extra + out.shape) if extra > 0 else out


def positive(x, **kw):
    """numpy.positive / ``+x``: a new array equal to x."""
    if isinstance(x, Tracer):
        return x._clone()
    return array(x) if shp._contains_tracer(x) else onp.positive(x, **kw)


_NOVALUE = onp._NoValue


def clip(a, a_min=_NOVALUE, a_max=_NOVALUE, out=None, *, min=_NOVALUE, max=_NOVALUE, **kw):
    """numpy.clip, with numpy's spellings of the bounds (a_min/a_max, or numpy 2's
    min/max keywords)."""
    if not (isinstance(a, Tracer) or shp._contains_tracer(a) or
            any(isinstance(b, Tracer) for b in (a_min, a_max, min, max))):
        return onp.clip(a, a_min, a_max, out=out, min=min, max=max, **kw)
    if (a_min is not _NOVALUE and min is not _NOVALUE) or \
            (a_max is not _NOVALUE and max is not _NOVALUE):
        raise TypeError("clip: give each bound once (a_min= or min=, a_max= or max=).")
    lo, hi = (a_min if min is _NOVALUE else min), (a_max if max is _NOVALUE else max)
    lo, hi = (None if lo is _NOVALUE else lo), (None if hi is _NOVALUE else hi)
    if out is not None or kw:
        raise TypeError("clip(..., out=/where=/casting=) is not supported on traced arrays; "
                        "drop those arguments and use the returned value.")
    if shp._contains_tracer(a):
        a = shp.array(a)
    return ew.clip(a, lo, hi)


def where(condition, *args, **kwargs):
    """numpy.where: ``where(c, x, y)`` differentiable in x and y; ``where(c)`` is
    ``nonzero(c)`` (indices, no derivative)."""
    if not args and not kwargs:
        return notrace_primitive(onp.where)(condition)
    if len(args) + len(kwargs) != 2 or set(kwargs) - {"x", "y"}:
        raise ValueError("either both or neither of x and y should be given")
    x = args[0] if args else kwargs["x"]
    y = args[1] if len(args) > 1 else kwargs["y"]
    if not any(isinstance(v, (Tracer, onp.ndarray, onp.generic)) or shp._contains_tracer(v)
               for v in (condition, x, y)):
        res = onp.where(condition, x, y)  # Python values in, Python values out (autograd's)
        return res.tolist() if isinstance(res, onp.ndarray) else res
    return ew.where(condition, x, y)


RULES.update(array=array, positive=positive, clip=clip, where=where)
# primitives given a list holding tracers (np.mean([x, y])) apply to this array of it
core.ARRAY_FROM_SEQUENCE.append(shape.array)

for _n in ("getitem", "untake", "concatenate_args", "einsum_prim"):
    RULES.pop(_n, None)  # internal primitives, not numpy names
LINALG_RULES.update({"matmul": linalg.matmul, "tensordot": linalg.tensordot,
                     "outer": linalg.outer, "diagonal": linalg.diagonal, "trace": linalg.trace})
LINALG_RULES.update({k: v for k, v in RULES.items() if k in ("multi_dot", "vecdot", "matrix_transpose")})

ew, red, shp, la, cx = elementwise, reductions, shape, linalg, complex


# ------------------------------------------------------------ operators
_PLAIN_OPERANDS = frozenset({float, int, complex, bool, onp.ndarray, onp.float64, onp.float32,
                             onp.complex128, onp.int64})


def _defers(other) -> bool:
    """``x op other`` is left to ``other`` (``NotImplemented``) when it is a container
    that applies ufuncs to the arrays it holds (an xarray DataArray, a pandas Series:
    ``__array_ufunc__`` without ``__array_function__``): it then holds traced arrays,
    as with autograd. Duck arrays (dask, cupy) have both and are values under a tracer."""
    t = other.__class__
    if t in _PLAIN_OPERANDS or isinstance(other, Tracer):
        return False
    u = getattr(t, "__array_ufunc__", None)
    return u is not None and u is not onp.ndarray.__array_ufunc__ and \
        not hasattr(t, "__array_function__")


def _binop(prim):
    # With a plain constant as the other operand, self's level is the top one: the
    # operator goes straight to it (what prim(self, other) would find, one call less).
    def op(self, other):
        if other.__class__ in _PLAIN_OPERANDS:
            return self._level.process(prim, (self, other), {})
        if _defers(other):
            return NotImplemented
        return prim(self, other)

    def rop(self, other):
        if other.__class__ in _PLAIN_OPERANDS:
            return self._level.process(prim, (other, self), {})
        if _defers(other):
            return NotImplemented
        return prim(other, self)
    return op, rop


for _dunder, _prim in [("add", ew.add), ("sub", ew.subtract), ("mul", ew.multiply),
                       ("truediv", ew.divide), ("pow", ew.power), ("matmul", la.matmul)]:
    _f, _r = _binop(_prim)
    register_method(f"__{_dunder}__", _f)
    register_method(f"__r{_dunder}__", _r)

register_method("__neg__", lambda self: ew.negative(self))

def _inplace(prim, symbol):
    """``x op= y``: for a traced ndarray, numpy's in-place semantics by copy-on-write
    (every name bound to x sees the result, cast to x's dtype and shape); for a
    traced scalar (immutable in Python), a new value."""
    def iop(self, other):
        new = prim(self, other)
        old = getval(self)
        if not isinstance(old, onp.ndarray):
            return new
        res = getval(new)
        if onp.shape(res) != old.shape:
            raise ValueError(f"x {symbol}= y: the result has shape {onp.shape(res)} but x has "
                             f"shape {old.shape}; numpy cannot store it in x either. Use "
                             f"x = x {symbol} y.")
        if onp.result_type(res) != old.dtype:
            if not onp.can_cast(onp.result_type(res), old.dtype, casting="same_kind"):
                raise TypeError(f"x {symbol}= y: numpy cannot store a {onp.result_type(res)} "
                                f"result in x ({old.dtype}). Use x = x {symbol} y.")
            new = astype(new, dtype=old.dtype)
        self._become(new, f"x {symbol}= y")
        return self
    return iop


for _dunder, _prim, _sym in [("add", ew.add, "+"), ("sub", ew.subtract, "-"),
                             ("mul", ew.multiply, "*"), ("truediv", ew.divide, "/"),
                             ("pow", ew.power, "**"), ("matmul", la.matmul, "@")]:
    register_method(f"__i{_dunder}__", _inplace(_prim, _sym))

register_method("__pos__", lambda self: self._clone())
register_method("__abs__", lambda self: cx.absolute(self))
register_method("__getitem__", lambda self, idx: shp.getitem(self, _static_index(idx)))

for _cmp in ("lt", "le", "gt", "ge", "eq", "ne"):
    register_method(f"__{_cmp}__", notrace_primitive(getattr(operator, _cmp)))


def _static_index(idx):
    """Indices never carry derivatives: unwrap any traced integers or masks (batched
    ones raise, see dualgrad.core.static_index)."""
    return static_index(idx)


# ------------------------------------------------------------ ndarray methods
def _shape_args(args):
    return args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args


register_method("T", lambda self: shp.transpose(self), as_property=True)
register_method("real", lambda self: cx.real(self), as_property=True)
register_method("imag", lambda self: cx.imag(self), as_property=True)
register_method("conj", lambda self: cx.conj(self))
register_method("conjugate", lambda self: cx.conj(self))
register_method("reshape", lambda self, *shape, order="C":
                shp.reshape(self, tuple(_shape_args(shape)), order=order))
register_method("transpose", lambda self, *axes:
                shp.transpose(self, tuple(_shape_args(axes)) if axes else None))
register_method("ravel", lambda self, order="C": shp.ravel(self, order))
register_method("flatten", lambda self, order="C": shp.ravel(self, order))
register_method("squeeze", lambda self, axis=None: shp.squeeze(self, axis))
register_method("swapaxes", lambda self, a, b: shp.swapaxes(self, a, b))
register_method("repeat", lambda self, repeats, axis=None: shp.repeat(self, repeats, axis))
register_method("dot", lambda self, b: la.dot(self, b))
register_method("trace", lambda self, offset=0, axis1=0, axis2=1:
                la.trace(self, offset, axis1, axis2))
register_method("diagonal", lambda self, offset=0, axis1=0, axis2=1:
                la.diagonal(self, offset, axis1, axis2))
register_method("astype", lambda self, dtype, **kw: astype(self, dtype=dtype))
# copies are new tracer objects: x[i] = y on a copy must not rebind the original
register_method("copy", lambda self, order="C": self._clone())
register_method("clip", lambda self, min=None, max=None: ew.clip(self, min, max))
def _reduce_method(prim, name):
    # x.max(initial=...) reached numpy inside the primitive while its rules ignored it
    # (a nan derivative); x.sum(where=...) crashed. Refuse them as np.sum/np.max do.
    def method(self, axis=None, *args, **kw):
        if args:
            kw.update(zip(("dtype", "out") if name not in ("max", "min") else ("out",), args))
        if kw.get("where", True) is not True or kw.get("out") is not None \
                or kw.get("initial") is not None:
            raise TypeError(f"x.{name}(..., out=/initial=/where=) is not supported on traced "
                            "arrays; drop those arguments.")
        for k in ("where", "out", "initial"):
            kw.pop(k, None)
        return prim(self, axis=axis, **kw)
    return method


for _name in ("sum", "mean", "prod", "max", "min", "cumsum"):
    register_method(_name, _reduce_method(getattr(red, _name), _name))
register_method("var", lambda self, axis=None, **kw: red.var(self, axis=axis, **kw))
register_method("std", lambda self, axis=None, **kw: red.std(self, axis=axis, **kw))
for _name in ("item", "tolist"):
    register_method(_name, lambda self, *a: self._no_concrete(".item/.tolist"))
for _name in ("argmax", "argmin", "argsort", "nonzero", "any", "all"):
    register_method(_name, notrace_primitive(getattr(onp.ndarray, _name)))
for _name in ("round", "__round__"):
    register_method(_name, notrace_primitive(onp.round))
register_method("__floordiv__", notrace_primitive(onp.floor_divide))
register_method("__rfloordiv__", notrace_primitive(lambda s, o: onp.floor_divide(o, s)))

# ndarray methods backed by elementwise_more / scans / construction. The in-place
# ones (sort, partition, fill) rebind the tracer through __setitem__ (copy-on-write).
_em, _sc, _co = elementwise_more, scans, construction
register_method("__mod__", lambda self, other: _em.remainder(self, other))
register_method("__rmod__", lambda self, other: _em.remainder(other, self))
register_method("__divmod__", lambda self, other: _em.divmod(self, other))
register_method("__rdivmod__", lambda self, other: _em.divmod(other, self))
register_method("mT", lambda self: shp.swapaxes(self, -1, -2), as_property=True)
register_method("take", lambda self, indices, axis=None, out=None, mode="raise":
                _co.take(self, indices, axis=axis, out=out, mode=mode))
register_method("compress", lambda self, condition, axis=None, out=None:
                _co.compress(condition, self, axis=axis, out=out))
register_method("choose", lambda self, choices, out=None, mode="raise":
                _co.choose(self, choices, out=out, mode=mode))
register_method("cumprod", lambda self, axis=None, dtype=None, out=None:
                _sc.cumprod(self, axis=axis, dtype=dtype, out=out))
register_method("ptp", lambda self, axis=None, out=None, keepdims=False:
                _sc.ptp(self, axis=axis, out=out, keepdims=keepdims))
register_method("sort", lambda self, axis=-1, kind=None, order=None:
                self.__setitem__(Ellipsis, _sc.sort(self, axis=axis, kind=kind)))
register_method("partition", lambda self, kth, axis=-1, kind="introselect", order=None:
                self.__setitem__(Ellipsis, _sc.partition(self, kth, axis=axis, kind=kind)))
register_method("fill", lambda self, value: self.__setitem__(Ellipsis, value))
for _name in ("argpartition", "searchsorted"):
    register_method(_name, notrace_primitive(getattr(onp.ndarray, _name)))


def differentiable_names() -> set[str]:
    return set(RULES)


__all__ = ["RULES", "LINALG_RULES", "FFT_RULES", "NONDIFF_NAMES"]
