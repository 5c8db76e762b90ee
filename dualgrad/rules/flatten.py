"""Flattening nested containers of arrays into one vector, differentiably.

``flatten(value)`` returns ``(vector, unflatten)`` as autograd's does: tuples,
lists and dicts (keys sorted) of arrays or scalars become one 1-D float array,
and ``unflatten`` turns any such vector (traced or not) back into the same
structure. Both directions are built from dualgrad primitives, so gradients
flow through them. (It sits with the rules because ``odeint``'s rules flatten
their extra arguments with it; ``dualgrad.misc.flatten`` is its public name.)
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as onp

from ..core import Tracer, getval, peek
from ._helpers import astype
from .complex import real
from .shape import concatenate, getitem, reshape


def _leaves(value, out: list):
    if isinstance(value, dict):
        for k in sorted(value):
            _leaves(value[k], out)
    elif type(value) in (list, tuple):
        for v in value:
            _leaves(v, out)
    else:
        out.append(value)
    return out


def _structure(value):
    """The container skeleton with each leaf replaced by its shape and dtype.
    A dict's skeleton keeps the caller's key order (unflatten returns it, as
    autograd's does); its leaves are laid out in the vector in sorted order."""
    if isinstance(value, dict):
        return {k: _structure(value[k]) for k in value}
    if type(value) in (list, tuple):
        return type(value)(_structure(v) for v in value)
    v = getval(value)
    return _Leaf(onp.shape(v), onp.result_type(v))


class _Leaf:
    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        self.shape = shape
        self.dtype = dtype


def _ravel(x):
    if isinstance(x, Tracer):
        return reshape(x, shape=(-1,))
    x = onp.asarray(x)
    return onp.ravel(x if x.dtype.kind in "fc" else x.astype(float))


def _build(skeleton, vec, offset: list):
    if isinstance(skeleton, dict):
        built = {k: _build(skeleton[k], vec, offset) for k in sorted(skeleton)}
        return {k: built[k] for k in skeleton}
    if isinstance(skeleton, (list, tuple)):
        return type(skeleton)(_build(s, vec, offset) for s in skeleton)
    size = int(onp.prod(skeleton.shape, dtype=int))
    start = offset[0]
    offset[0] += size
    leaf = reshape(getitem(vec, slice(start, start + size)), shape=skeleton.shape)
    return _like_leaf(leaf, skeleton.dtype)


def _like_leaf(x, dtype):
    """``x`` in the dtype of the leaf it came from (a float32 leaf comes back
    float32, as with autograd). A real leaf keeps the real part of a complex
    vector; integer and bool leaves (flattened as floats) stay floats."""
    have = onp.result_type(peek(x))
    if dtype.kind == "f" and have.kind == "c":
        x = real(x)
        have = onp.result_type(peek(x))
    if dtype.kind in "fc" and have != dtype:
        x = astype(x, dtype=dtype)
    return x


def flatten(value: Any) -> tuple[Any, Callable[[Any], Any]]:
    """Flatten any nesting of tuples, lists and dicts of arrays to a 1-D array
    (dicts in sorted key order, arrays raveled in C order), differentiably: a
    gradient of a function of ``unflatten(v)`` is a vector like ``v``.

    Parameters
    ----------
    value : array_like or container
        Arrays, scalars, and tuples, lists and dicts of them (nested), traced or not.

    Returns
    -------
    vector : numpy.ndarray
        Every leaf raveled and concatenated (a tracer when a leaf is traced).
    unflatten : callable
        ``unflatten(vector)`` rebuilds the nesting, with leaves of the original shapes.

    Raises
    ------
    TypeError
        When a leaf is not a number or an array.

    Examples
    --------
    >>> import numpy as np
    >>> vec, unflatten = flatten({"b": np.ones(2), "a": (1.0, np.zeros((1, 2)))})
    >>> vec
    array([1., 0., 0., 1., 1.])
    >>> unflatten(vec)["a"][1].shape
    (1, 2)
    """
    leaves = [_ravel(x) for x in _leaves(value, [])]
    if any(isinstance(x, Tracer) for x in leaves):
        vector = concatenate(leaves)
    else:
        vector = onp.concatenate(leaves) if leaves else onp.zeros(0)
    skeleton = _structure(value)

    def unflatten(vec):
        return _build(skeleton, vec, [0])
    return vector, unflatten


def flatten_func(func: Callable[..., Any], example: Any
                 ) -> tuple[Callable[..., Any], Callable[[Any], Any], Any]:
    """``func`` of a structured value as a function of a flat vector.

    Parameters
    ----------
    func : callable
        ``func(structured, *args)``, returning arrays or containers of them.
    example : container
        A value of the structure ``func`` takes.

    Returns
    -------
    flat_func : callable
        ``flat_func(vector, *args) = flatten(func(unflatten(vector), *args))[0]``.
    unflatten : callable
        Vector to structure.
    flat_example : numpy.ndarray
        ``example`` flattened.

    Raises
    ------
    TypeError
        As :func:`flatten`.

    Examples
    --------
    >>> import numpy as np
    >>> f, unflatten, v = flatten_func(lambda p: p["w"] * p["b"], {"w": np.ones(2), "b": 3.0})
    >>> v, f(v)
    (array([3., 1., 1.]), array([3., 3.]))
    """
    flat_example, unflatten = flatten(example)

    def flat_func(x, *args):
        return flatten(func(unflatten(x), *args))[0]
    return flat_func, unflatten, flat_example
