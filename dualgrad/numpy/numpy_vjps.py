"""Compatibility names for ``autograd.numpy.numpy_vjps`` (used by extensions such
as autograd-gamma to write their own VJPs).

- ``unbroadcast(g, target)``: the cotangent ``g`` of a broadcast result summed
  back to ``target``'s shape and cast to its space (real part for a real target).
- ``unbroadcast_f(target, f)``: ``lambda g: unbroadcast(f(g), target)``, autograd's
  helper for VJP makers of broadcasting functions.
- ``repeat_to_match_shape(g, shape, dtype, axis, keepdims)``: the cotangent of a
  reduction spread back over the reduced axes, and how many entries each one covers.
- ``untake(g, idx, vs)``: the cotangent of ``x[idx]`` placed back into zeros of ``x``'s
  space ``vs`` (repeated indices add up).
- ``wrapped_reshape(x, *shape)``: ``reshape`` called either way ``ndarray.reshape`` is.
- ``balanced_eq(x, z, y)``, ``replace_zero(x, val)``, ``match_complex(target, x)``:
  the elementwise helpers of max/min-like VJPs, of divisions by a possible zero, and
  of casting a cotangent to a real or complex target.

All are functions of traced values (a rule using them can be differentiated again).
dualgrad's own rules live in ``dualgrad.rules``; these wrap its primitives.
"""
from __future__ import annotations

from typing import Callable

import numpy as onp

from ..core import getval
from ..rules._helpers import unbroadcast
from ..rules.complex import real
from ..rules.shape import reshape, untake as _untake
from ..rules.elementwise import where


def unbroadcast_f(target, f: Callable) -> Callable:
    """``g -> unbroadcast(f(g), target)``.

    >>> import numpy
    >>> unbroadcast_f(numpy.ones(3), lambda g: 2 * g)(numpy.ones((2, 3)))
    array([4., 4., 4.])
    """
    return lambda g: unbroadcast(f(g), target)


def repeat_to_match_shape(g, shape: tuple, dtype, axis, keepdims):
    """``(G, n)``: ``g``, the cotangent of a reduction over ``axis`` (None: all) of an
    array of ``shape``, broadcast back to ``shape`` in ``dtype``, and ``n``, the number
    of entries each element of ``g`` was reduced from (``keepdims`` is not needed: a
    kept axis and a dropped one give the same ``G``).

    >>> import numpy
    >>> G, n = repeat_to_match_shape(numpy.array([1.0, 2.0]), (2, 3), float, 1, False)
    >>> G.tolist(), int(n)
    ([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]], 3)
    """
    shape = tuple(shape)
    if shape == ():
        return g, 1
    given = range(len(shape)) if axis is None else (
        axis if isinstance(axis, (tuple, list)) else (axis,))
    axes = {a % len(shape) for a in given}
    kept = tuple(1 if d in axes else n for d, n in enumerate(shape))
    count = int(onp.prod([shape[d] for d in axes]))
    return reshape(g, shape=kept) + onp.zeros(shape, dtype=dtype), count


def untake(g, idx, vs):
    """The cotangent of ``x[idx]`` for an ``x`` of space ``vs``: zeros with ``g`` added
    at ``idx``. autograd returns it as a sparse cotangent; here it is the dense array it
    stands for.

    >>> import numpy
    >>> from dualgrad.core import vspace
    >>> untake(numpy.array([1.0, 2.0]), [0, 0], vspace(numpy.zeros(3))).tolist()
    [3.0, 0.0, 0.0]
    """
    if isinstance(idx, list) and (not idx or not isinstance(idx[0], slice)):
        idx = onp.array(idx, dtype="int64")
    return _untake(g, idx, tuple(vs.shape))


def wrapped_reshape(x, *args, **kwargs):
    """``reshape(x, (5, 4))`` or ``reshape(x, 5, 4)``, as ``ndarray.reshape`` takes it.

    >>> import numpy
    >>> wrapped_reshape(numpy.arange(6.0), 2, 3).shape
    (2, 3)
    """
    shape = args if isinstance(args[0], (int, onp.integer)) else args[0]
    return reshape(x, shape=tuple(shape) if not isinstance(shape, int) else (shape,),
                   **kwargs)


def balanced_eq(x, z, y):
    """1 where ``x == z``, shared half and half where ``y`` is equal too (the
    derivative of ``max(x, y)`` with respect to ``x``, for ``z`` the maximum).

    >>> import numpy
    >>> balanced_eq(numpy.array([1.0, 2.0]), numpy.array([2.0, 2.0]), numpy.array([2.0, 2.0]))
    array([0. , 0.5])
    """
    return (x == z) / (1.0 + (x == y))


def replace_zero(x, val):
    """``x`` with its zeros replaced by ``val``.

    >>> import numpy
    >>> replace_zero(numpy.array([0.0, 2.0]), 1.0)
    array([1., 2.])
    """
    return where(onp.not_equal(getval(x), 0), x, val)


def match_complex(target, x):
    """``x`` in ``target``'s kind: its real part for a real target, made complex for
    a complex one.

    >>> import numpy
    >>> match_complex(1.0, numpy.array([1 + 2j]))
    array([1.])
    """
    target_complex, x_complex = onp.iscomplexobj(target), onp.iscomplexobj(x)
    if x_complex and not target_complex:
        return real(x)
    if target_complex and not x_complex:
        return x + 0j
    return x


# autograd's primitives without a derivative, for register_notrace: dualgrad's numpy
# functions without one (comparisons, argmax, shape queries...) are not primitives at all,
# they see through tracers, so there is nothing to register
nograd_functions: list = []

__all__ = ["balanced_eq", "match_complex", "nograd_functions", "repeat_to_match_shape",
           "replace_zero", "unbroadcast", "unbroadcast_f", "untake", "wrapped_reshape"]
