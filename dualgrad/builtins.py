"""isinstance, type and containers that see through tracers (autograd's builtins).

A traced array is not a ``numpy.ndarray`` subclass, so ``isinstance(x,
np.ndarray)`` is False for it; this module's ``isinstance`` answers for the
value under the tracer. Python's tuple/list/dict hold tracers freely in dualgrad;
``tuple(xs)`` and ``list(xs)`` here are autograd's: given traced values they make a
traced sequence (a ``SequenceBox``, ``dualgrad.rules.sequences``), which a primitive
of the user's takes as one traced argument, with one cotangent for the whole
sequence. ``isinstance(x, tuple)`` with these names is the builtin test.
"""
from __future__ import annotations

import builtins as _b

from .core import Tracer, peek
from .core.spaces import ContainerVSpace
from .rules.sequences import SequenceBox, container_take, make_sequence

class _SequenceMeta(type):
    """``isinstance(x, builtins.tuple)`` is ``isinstance(x, tuple)`` (autograd's)."""

    def __instancecheck__(cls, x):
        return _b.isinstance(x, cls._kind)

    def __subclasscheck__(cls, sub):
        return _b.issubclass(sub, cls._kind)


class tuple(_b.tuple, metaclass=_SequenceMeta):
    """autograd's ``tuple(xs)``: a plain tuple, or, when ``xs`` holds traced values, a
    traced tuple (a ``SequenceBox``) that a primitive takes as one traced argument."""

    _kind = _b.tuple

    def __new__(cls, xs=()):
        xs = _b.tuple(xs)
        return make_sequence(_b.tuple, *xs) if _b.any(_b.isinstance(x, Tracer) for x in xs) else xs


class list(_b.list, metaclass=_SequenceMeta):
    """autograd's ``list(xs)``: a plain list, or a traced list (a ``SequenceBox``)
    when ``xs`` holds traced values."""

    _kind = _b.list

    def __new__(cls, xs=()):
        xs = _b.list(xs)
        return make_sequence(_b.list, *xs) if _b.any(_b.isinstance(x, Tracer) for x in xs) else xs


dict = _b.dict
SequenceTypes = (_b.tuple, _b.list)


class ListBox(SequenceBox):
    """autograd's name for the box of a traced list (dualgrad's tracers of traced
    lists and tuples wear the face ``SequenceBox``)."""


class TupleBox(SequenceBox):
    """autograd's name for the box of a traced tuple (see ``ListBox``)."""


# autograd boxes a traced dict as a whole (a DictBox). dualgrad does not: a dict of
# traced values is a plain dict of tracers, so no value is an instance of this class;
# it exists for code that imports it (type hints, isinstance tests).
class DictBox(Tracer):
    """autograd's box of a traced dict; never created by dualgrad."""

    __slots__ = ()

    def __init__(self, *args, **kwargs):
        raise TypeError("dualgrad does not box dicts: a dict of traced values is a plain "
                        "dict. Use it as it is.")


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
    return _b.isinstance(peek(obj), classinfo)


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
    return _b.type(peek(obj))


__all__ = ["isinstance", "type", "tuple", "list", "dict", "SequenceTypes", "SequenceBox",
           "ListBox", "TupleBox", "DictBox", "make_sequence", "container_take", "ContainerVSpace", "SequenceVSpace", "ListVSpace",
           "TupleVSpace", "DictVSpace", "NamedTupleVSpace"]
