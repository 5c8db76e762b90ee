"""numpy functions that look discrete but carry a derivative in some argument:
``full_like`` (in ``fill_value``), ``bincount`` (linear in ``weights``) and the
``unique`` family (the values are entries of the input, picked like ``sort``'s).
They used to see through tracers, which gave a silently zero derivative.

The ``histogram`` family stays a pass-through for its counts (piecewise constant
in the samples), but refuses traced ``weights`` or bins (the counts are linear in them).
"""
from __future__ import annotations

import functools
import inspect

import numpy as onp

from ..core import holds_tracer, DifferentiationError, getval, peek, notrace_primitive
from ._helpers import astype, composite
from .construction import take
from .elementwise import add
from .shape import ravel, untake

_zeros_like = notrace_primitive(onp.zeros_like)


# full_like(a, v) = v broadcast to a's shape, cast to a's dtype (or dtype): linear in v.
def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, **kw):
    """numpy.full_like, differentiable in ``fill_value``."""
    if not holds_tracer(fill_value):
        return notrace_primitive(onp.full_like)(a, fill_value, dtype, order, subok, shape, **kw)
    zeros = _zeros_like(a, dtype=dtype, order=order, subok=subok, shape=shape)
    out = add(zeros, fill_value)
    if onp.shape(peek(out)) != onp.shape(zeros):
        raise ValueError(f"could not broadcast fill_value of shape {onp.shape(peek(fill_value))} "
                         f"into shape {onp.shape(zeros)}")
    return astype(out, dtype=zeros.dtype)


# bincount(x, w)[j] = Σ_{i: x_i = j} w_i: a scatter-add of w (untake), linear in w.
def bincount(x, weights=None, minlength=0):
    """numpy.bincount, differentiable in ``weights``."""
    counts = onp.bincount(getval(x), minlength=minlength)
    if not holds_tracer(weights):
        return counts if weights is None else onp.bincount(getval(x), getval(weights), minlength)
    return untake(astype(weights, dtype=onp.float64), onp.asarray(getval(x)), (len(counts),))


# unique(ar): the distinct entries (rows along `axis`), each picked from its first
# occurrence in ar; the indices, inverse and counts are integers (no derivative).
@composite(onp.unique)
def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None,
           **kw):
    res = onp.unique(getval(ar), return_index=True, return_inverse=return_inverse,
                     return_counts=return_counts, axis=axis, **kw)
    first = res[1]
    if kw.get("sorted", True) is False and not (return_index or return_inverse or return_counts):
        # numpy >= 2.3 may return the values alone unsorted (a hash table, e.g. for
        # complex input), but sorted when indices are asked for: pick in its order,
        # or the traced values (and derivatives) would be a permutation of numpy's.
        plain = onp.unique(getval(ar), axis=axis, **kw)
        if not onp.array_equal(plain, res[0], equal_nan=True):
            first = first[onp.searchsorted(res[0], plain)]
    values = take(ravel(ar), first) if axis is None else take(ar, first, axis=axis)
    extra = res[1:] if return_index else res[2:]
    return (values,) + tuple(extra) if extra else values


# numpy >= 2.3 added unique(sorted=) and made unique_values unsorted (sorted=False); numpy
# 2.2 (the floor) sorts always and refuses the keyword, so it is passed only where numpy
# takes it: each variant then returns what numpy's own function returns.
UNIQUE_TAKES_SORTED = "sorted" in inspect.signature(onp.unique).parameters


def _unique_variant(name, **flags):
    numpy_fun = getattr(onp, name)

    @composite(numpy_fun)
    def fun(x):
        res = unique(x, equal_nan=False, **flags)
        if not isinstance(res, tuple):
            return res
        return type(numpy_fun(getval(x)))(*res)

    fun.__name__ = name
    return fun


unique_values = _unique_variant("unique_values",
                                **({"sorted": False} if UNIQUE_TAKES_SORTED else {}))
unique_counts = _unique_variant("unique_counts", return_counts=True)
unique_inverse = _unique_variant("unique_inverse", return_inverse=True)
unique_all = _unique_variant("unique_all", return_index=True, return_inverse=True,
                             return_counts=True)


def _samples_only(numpy_fun, n_samples):
    """numpy's histogram function, seeing through traced samples (the counts are piecewise
    constant in them) and refusing traced weights or bin edges (counts and returned edges
    are linear in those: seeing through would give a silently zero derivative)."""
    name = numpy_fun.__name__
    plain = notrace_primitive(numpy_fun)

    def fun(*args, **kwargs):
        if holds_tracer(*args[n_samples:], *kwargs.values()):
            raise DifferentiationError(
                f"numpy.{name}: only the samples may be traced; dualgrad has no derivative "
                "rule for traced weights, bins or range. For weighted counts use "
                "np.bincount(bin_index, weights=w), which is differentiable in w.")
        return plain(*args, **kwargs)

    fun.__name__ = name
    functools.update_wrapper(fun, numpy_fun)  # numpy's name, docstring and module
    return fun


histogram = _samples_only(onp.histogram, 1)
histogram2d = _samples_only(onp.histogram2d, 2)
histogramdd = _samples_only(onp.histogramdd, 1)

__all__ = ["full_like", "bincount", "unique", "unique_values", "unique_counts",
           "unique_inverse", "unique_all", "histogram", "histogram2d", "histogramdd"]
