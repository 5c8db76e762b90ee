"""isinstance, type and containers that see through tracers (autograd's builtins).

A traced array is not a ``numpy.ndarray`` subclass, so ``isinstance(x,
np.ndarray)`` is False for it; this module's ``isinstance`` answers for the
value under the tracer. Python's tuple/list/dict can hold tracers freely in
dualgrad, so those names are the builtins themselves.
"""
from __future__ import annotations

import builtins as _b

from .core import Tracer, getval
from .core.spaces import ContainerVSpace

tuple = _b.tuple
list = _b.list
dict = _b.dict
SequenceTypes = (_b.tuple, _b.list)


# autograd boxes a traced container as a whole (a DictBox holding a dict). dualgrad
# never does: a dict of traced values is a plain dict of tracers, so no value is an
# instance of these classes. They exist for code that imports them (type hints,
# isinstance tests that then take the plain-dict branch).
class SequenceBox(Tracer):
    """autograd's box of a traced tuple or list; never created by dualgrad."""

    __slots__ = ()

    def __init__(self, *args, **kwargs):
        raise TypeError("dualgrad does not box containers: a list or tuple of traced "
                        "values is a plain list or tuple. Use it as it is.")


class ListBox(SequenceBox):
    """autograd's box of a traced list; never created by dualgrad."""

    __slots__ = ()


class TupleBox(SequenceBox):
    """autograd's box of a traced tuple; never created by dualgrad."""

    __slots__ = ()


class DictBox(SequenceBox):
    """autograd's box of a traced dict; never created by dualgrad."""

    __slots__ = ()


# One space for every container (dualgrad.core.spaces.ContainerVSpace); autograd's names.
SequenceVSpace = ListVSpace = TupleVSpace = DictVSpace = NamedTupleVSpace = ContainerVSpace


def isinstance(obj, classinfo) -> bool:
    """``isinstance`` of the value under any tracer levels (autograd's ``isinstance``).

    A traced array is not an ``ndarray``, so Python's ``isinstance(x, np.ndarray)``
    is False inside a transform; this one asks about the value being traced.

    Parameters
    ----------
    obj : object
        A traced value or anything else.
    classinfo : type or tuple of types
        As for Python's ``isinstance``.

    Returns
    -------
    bool
        ``isinstance(getval(obj), classinfo)``.

    Raises
    ------
    TypeError
        If ``classinfo`` is not a type or a tuple of types (as Python's).

    Examples
    --------
    >>> import builtins, numpy
    >>> import dualgrad
    >>> from dualgrad import grad
    >>> seen = []
    >>> def f(x):
    ...     seen.append((builtins.isinstance(x, numpy.ndarray),
    ...                  dualgrad.isinstance(x, numpy.ndarray)))
    ...     return (x ** 2).sum()
    >>> _ = grad(f)(numpy.ones(2))
    >>> seen
    [(False, True)]
    """
    return _b.isinstance(getval(obj), classinfo)


def type(obj):
    """``type`` of the value under any tracer levels (autograd's ``type``).

    Parameters
    ----------
    obj : object
        A traced value or anything else.

    Returns
    -------
    type
        ``type(getval(obj))``: the class of the value being traced.

    Raises
    ------
    Nothing
        Any object is accepted.

    Examples
    --------
    >>> import numpy
    >>> import dualgrad
    >>> from dualgrad import grad
    >>> seen = []
    >>> _ = grad(lambda x: seen.append(dualgrad.type(x).__name__) or x * x)(numpy.float64(2.0))
    >>> seen
    ['float64']
    """
    return _b.type(getval(obj))


__all__ = ["isinstance", "type", "tuple", "list", "dict", "SequenceTypes", "SequenceBox",
           "ListBox", "TupleBox", "DictBox", "ContainerVSpace", "SequenceVSpace", "ListVSpace",
           "TupleVSpace", "DictVSpace", "NamedTupleVSpace"]
