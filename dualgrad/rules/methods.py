"""The operators and ndarray methods of every tracer: ``x * y``, ``x[i]``, ``x.sum()``, ``x.T``.

They are written with the rules (``x * y`` is the ``multiply`` primitive), so they
live here and reach the ``Tracer`` class through its named hook,
``dualgrad.core.tracer.install_methods``, called once at the end of this module.
"""
from __future__ import annotations

import operator
from types import MappingProxyType

import numpy as onp

from ..core import Tracer, install_methods, notrace_primitive, peek, static_index
from ..core.errors import numpy_io
from . import complex as cx, construction, elementwise as ew, elementwise_more
from . import linalg as la, reductions as red, scans, shape as shp
from ._helpers import astype

_METHODS: dict = {}
_PROPERTIES: dict = {}


def _method(name: str, fun, as_property: bool = False) -> None:
    (_PROPERTIES if as_property else _METHODS)[name] = fun


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


# The keywords of an operator's application: none, shared by every node (read-only, so no
# one can write into them).
_NO_KWARGS: MappingProxyType = MappingProxyType({})


def _binop(prim):
    # With a plain constant as the other operand, self's level is the top one: the
    # operator goes straight to it (what prim(self, other) would find, one call less).
    def op(self, other):
        if other.__class__ in _PLAIN_OPERANDS:
            return self._level.process(prim, (self, other), _NO_KWARGS)
        if _defers(other):
            return NotImplemented
        return prim(self, other)

    def rop(self, other):
        if other.__class__ in _PLAIN_OPERANDS:
            return self._level.process(prim, (other, self), _NO_KWARGS)
        if _defers(other):
            return NotImplemented
        return prim(other, self)
    return op, rop


for _dunder, _prim in [("add", ew.add), ("sub", ew.subtract), ("mul", ew.multiply),
                       ("truediv", ew.divide), ("pow", ew.power), ("matmul", la.matmul)]:
    _f, _r = _binop(_prim)
    _method(f"__{_dunder}__", _f)
    _method(f"__r{_dunder}__", _r)

_method("__neg__", lambda self: ew.negative(self))

def _inplace(prim, symbol):
    """``x op= y``: for a traced ndarray, numpy's in-place semantics by copy-on-write
    (every name bound to x sees the result, cast to x's dtype and shape); for a
    traced scalar (immutable in Python), a new value."""
    def iop(self, other):
        new = prim(self, other)
        old = peek(self)  # its type, shape and dtype
        if isinstance(old, (onp.generic, float, complex, int)) or not onp.shape(old) and \
                not isinstance(old, onp.ndarray):
            return new  # a scalar (a batched one included): immutable, as in numpy
        res = peek(new)
        if onp.shape(res) != old.shape:
            raise ValueError(f"x {symbol}= y: the result has shape {onp.shape(res)} but x has "
                             f"shape {old.shape}; numpy cannot store it in x either. Use "
                             f"x = x {symbol} y.")
        if onp.result_type(res) != old.dtype:
            if not onp.can_cast(onp.result_type(res), old.dtype, casting="same_kind"):
                raise TypeError(f"x {symbol}= y: numpy cannot store a {onp.result_type(res)} "
                                f"result in x ({old.dtype}). Use x = x {symbol} y.")
            new = astype(new, dtype=old.dtype)
        self._write(new, f"x {symbol}= y")
        return self
    return iop


for _dunder, _prim, _sym in [("add", ew.add, "+"), ("sub", ew.subtract, "-"),
                             ("mul", ew.multiply, "*"), ("truediv", ew.divide, "/"),
                             ("pow", ew.power, "**"), ("matmul", la.matmul, "@")]:
    _method(f"__i{_dunder}__", _inplace(_prim, _sym))

_method("__pos__", lambda self: self._clone())
_method("__abs__", lambda self: cx.absolute(self))
_method("__getitem__", lambda self, idx: shp.getitem(self, _static_index(idx)))

for _cmp in ("lt", "le", "gt", "ge", "eq", "ne"):
    _method(f"__{_cmp}__", notrace_primitive(getattr(operator, _cmp)))


def _static_index(idx):
    """Indices never carry derivatives: unwrap any traced integers or masks (batched
    ones raise, see dualgrad.core.static_index)."""
    return static_index(idx)


# ------------------------------------------------------------ ndarray methods
def _shape_args(args):
    return args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args


_method("T", lambda self: shp.transpose(self), as_property=True)
_method("real", lambda self: cx.real(self), as_property=True)
_method("imag", lambda self: cx.imag(self), as_property=True)
_method("conj", lambda self: cx.conj(self))
_method("conjugate", lambda self: cx.conj(self))
_method("reshape", lambda self, *shape, order="C":
                shp.reshape(self, shape=tuple(_shape_args(shape)), order=order))
_method("transpose", lambda self, *axes:
                shp.transpose(self, tuple(_shape_args(axes)) if axes else None))
_method("ravel", lambda self, order="C": shp.ravel(self, order))
_method("flatten", lambda self, order="C": shp.ravel(self, order))
_method("squeeze", lambda self, axis=None: shp.squeeze(self, axis))
_method("swapaxes", lambda self, a, b: shp.swapaxes(self, a, b))
_method("repeat", lambda self, repeats, axis=None: shp.repeat(self, repeats, axis))
_method("dot", lambda self, b: la.dot(self, b))
_method("trace", lambda self, offset=0, axis1=0, axis2=1:
                la.trace(self, offset, axis1, axis2))
_method("diagonal", lambda self, offset=0, axis1=0, axis2=1:
                la.diagonal(self, offset, axis1, axis2))
_method("astype", lambda self, dtype, **kw: astype(self, dtype=dtype))
# copies are new tracer objects: x[i] = y on a copy must not rebind the original
_method("copy", lambda self, order="C": self._clone())
_method("clip", lambda self, min=None, max=None: ew.clip(self, min, max))
def _reduce_method(prim, name):
    # x.max(initial=...) reached numpy inside the primitive while its rules ignored it
    # (a nan derivative); x.sum(where=...) crashed. Refuse them as np.sum/np.max do.
    def method(self, axis=None, *args, **kw):
        if args:
            kw.update(zip(("dtype", "out") if name not in ("max", "min") else ("out",), args))
        kw = numpy_io(f"x.{name}", kw)  # out=None, where=True: dropped; the others refused
        if kw.get("initial") is not None:
            raise TypeError(f"x.{name}(..., initial=) is not supported on traced arrays; "
                            "combine the result with it (np.maximum(x.max(), initial)).")
        kw.pop("initial", None)
        return prim(self, axis=axis, **kw)
    return method


for _name in ("sum", "mean", "max", "min", "cumsum"):
    _method(_name, _reduce_method(getattr(red, _name), _name))
_method("prod", _reduce_method(scans.prod, "prod"))
_method("var", lambda self, axis=None, **kw: red.var(self, axis=axis, **kw))
_method("std", lambda self, axis=None, **kw: red.std(self, axis=axis, **kw))
for _name in ("item", "tolist"):
    _method(_name, lambda self, *a: self._no_concrete(".item/.tolist"))
for _name in ("argmax", "argmin", "argsort", "nonzero", "any", "all"):
    _method(_name, notrace_primitive(getattr(onp.ndarray, _name)))
for _name in ("round", "__round__"):
    _method(_name, notrace_primitive(onp.round))
_method("__floordiv__", notrace_primitive(onp.floor_divide))
_method("__rfloordiv__", notrace_primitive(lambda s, o: onp.floor_divide(o, s)))

# ndarray methods backed by elementwise_more / scans / construction. The in-place
# ones (sort, partition, fill) rebind the tracer through __setitem__ (copy-on-write).
_em, _sc, _co = elementwise_more, scans, construction
_method("__mod__", lambda self, other: _em.remainder(self, other))
_method("__rmod__", lambda self, other: _em.remainder(other, self))
_method("__divmod__", lambda self, other: _em.divmod(self, other))
_method("__rdivmod__", lambda self, other: _em.divmod(other, self))
_method("mT", lambda self: shp.swapaxes(self, -1, -2), as_property=True)
_method("take", lambda self, indices, axis=None, out=None, mode="raise":
                _co.take(self, indices, axis=axis, out=out, mode=mode))
_method("compress", lambda self, condition, axis=None, out=None:
                _co.compress(condition, self, axis=axis, out=out))
_method("choose", lambda self, choices, out=None, mode="raise":
                _co.choose(self, choices, out=out, mode=mode))
_method("cumprod", lambda self, axis=None, dtype=None, out=None:
                _sc.cumprod(self, axis=axis, dtype=dtype, out=out))
_method("ptp", lambda self, axis=None, out=None, keepdims=False:
                _sc.ptp(self, axis=axis, out=out, keepdims=keepdims))
_method("sort", lambda self, axis=-1, kind=None, order=None:
                self.__setitem__(Ellipsis, _sc.sort(self, axis=axis, kind=kind)))
_method("partition", lambda self, kth, axis=-1, kind="introselect", order=None:
                self.__setitem__(Ellipsis, _sc.partition(self, kth, axis=axis, kind=kind)))
_method("fill", lambda self, value: self.__setitem__(Ellipsis, value))
for _name in ("argpartition", "searchsorted"):
    _method(_name, notrace_primitive(getattr(onp.ndarray, _name)))


install_methods(_METHODS, _PROPERTIES)
