"""The rule families, and the operators and ndarray methods of tracers.

``RULES`` maps a numpy name to our differentiable version of it (a primitive
with both rules, or a function written with such primitives).
"""
from __future__ import annotations

import operator

import numpy as onp

from ..core import getval, notrace_primitive, register_method
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
for _n in ("getitem", "untake", "concatenate_args", "einsum_prim"):
    RULES.pop(_n, None)  # internal primitives, not numpy names
LINALG_RULES.update({"matmul": linalg.matmul, "tensordot": linalg.tensordot,
                     "outer": linalg.outer, "diagonal": linalg.diagonal, "trace": linalg.trace})
LINALG_RULES.update({k: v for k, v in RULES.items() if k in ("multi_dot", "vecdot", "matrix_transpose")})

ew, red, shp, la, cx = elementwise, reductions, shape, linalg, complex


# ------------------------------------------------------------ operators
def _binop(prim):
    return (lambda self, other: prim(self, other)), (lambda self, other: prim(other, self))


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

register_method("__pos__", lambda self: self)
register_method("__abs__", lambda self: cx.absolute(self))
register_method("__getitem__", lambda self, idx: shp.getitem(self, _static_index(idx)))

for _cmp in ("lt", "le", "gt", "ge", "eq", "ne"):
    register_method(f"__{_cmp}__", notrace_primitive(getattr(operator, _cmp)))


def _static_index(idx):
    """Indices never carry derivatives: unwrap any traced integers or masks."""
    if isinstance(idx, tuple):
        return tuple(getval(i) for i in idx)
    return getval(idx)


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
register_method("copy", lambda self, order="C": self)
register_method("clip", lambda self, min=None, max=None: ew.clip(self, min, max))
for _name in ("sum", "mean", "prod", "max", "min", "cumsum"):
    register_method(_name, (lambda prim: lambda self, axis=None, **kw: prim(self, axis=axis, **kw))(
        getattr(red, _name)))
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
