"""Compatibility names for ``autograd.numpy.numpy_vjps`` (used by extensions such
as autograd-gamma to write their own VJPs).

- ``unbroadcast(g, target)``: the cotangent ``g`` of a broadcast result summed
  back to ``target``'s shape and cast to its space (real part for a real target).
- ``unbroadcast_f(target, f)``: ``lambda g: unbroadcast(f(g), target)``, autograd's
  helper for VJP makers of broadcasting functions.

dualgrad's own rules live in ``dualgrad.rules``; these wrap its helper.
"""
from __future__ import annotations

from typing import Callable

from ..rules._helpers import unbroadcast


def unbroadcast_f(target, f: Callable) -> Callable:
    """``g -> unbroadcast(f(g), target)``.

    >>> import numpy
    >>> unbroadcast_f(numpy.ones(3), lambda g: 2 * g)(numpy.ones((2, 3)))
    array([4., 4., 4.])
    """
    return lambda g: unbroadcast(f(g), target)


__all__ = ["unbroadcast", "unbroadcast_f"]
