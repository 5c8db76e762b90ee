"""autograd.numpy.numpy_wrapper: the wrapped numpy namespace and autograd's helpers.

Every numpy name here is ``dualgrad.numpy``'s (the same objects as ``autograd.numpy``
has under the alias); the helpers autograd defines beside them are given their meaning.
"""
from __future__ import annotations

import warnings  # noqa: F401  (autograd's namespace)

import numpy as _np

from .. import numpy as _dnp
from ..numpy import _IndexConcatenator
from ..core import Tracer, getval, notrace_primitive, primitive
from ._refuse import refuser
from .tracer import Box  # noqa: F401  (autograd.numpy.Box)

numpy_version = _np.__version__
notrace_functions = [_np.ndim, _np.shape, _np.iscomplexobj, _np.result_type]


def wrap_intdtype(cls: type) -> type:
    """autograd's integer-type wrapper: a subclass whose constructor sees through
    tracers (``dualgrad.numpy.int64`` and its kin are made so)."""
    class IntdtypeSubclass(cls):
        __new__ = notrace_primitive(cls.__new__)
    return IntdtypeSubclass


def wrap_namespace(old: dict, new: dict) -> None:
    """autograd's namespace wrapper: each function of ``old`` goes into ``new`` as
    dualgrad.numpy's function of that name if it wraps the same numpy function, else
    as a new primitive (with no rules yet: its derivative is refused until given)."""
    unchanged = (float, int, type(None), type)
    done = {}
    for name, obj in old.items():
        if id(obj) in done:
            new[name] = done[id(obj)]
            continue
        ours = getattr(_dnp, name, None)
        if ours is not None and getattr(ours, "__wrapped__", ours) is obj or ours is obj:
            wrapped = ours
        elif obj in notrace_functions:
            wrapped = notrace_primitive(obj)
        elif callable(obj) and type(obj) is not type:
            wrapped = primitive(obj)
        elif type(obj) in unchanged:
            new[name] = obj
            continue
        else:
            continue
        new[name] = done[id(obj)] = wrapped


def concatenate_args(axis, *args):
    """autograd's primitive behind ``concatenate``."""
    return _dnp.concatenate(args, axis)


def array_from_args(array_args, array_kwargs, *args):
    """autograd's primitive building an array from (traced) scalars."""
    return _dnp.array(list(args), *array_args, **array_kwargs)


def wrap_if_boxes_inside(raw_array, slow_op_name=None):
    """An object array holding tracers as a traced array (autograd's helper)."""
    if isinstance(raw_array, _np.ndarray) and raw_array.dtype == object and any(
            isinstance(x, Tracer) for x in raw_array.flat):
        return _dnp.reshape(_dnp.array(list(raw_array.flat)), raw_array.shape)
    return raw_array


def metadata(A):
    """``(shape, ndim, dtype, iscomplex)`` of ``A`` (autograd's helper)."""
    A = getval(A)
    return _np.shape(A), _np.ndim(A), _np.result_type(A), _np.iscomplexobj(A)


def parse_einsum_input(*args):
    """numpy's einsum subscript parser (autograd's name for it)."""
    from numpy._core.einsumfunc import _parse_einsum_input
    return _parse_einsum_input(args)


def _numpy_name(name: str):
    if name in _dnp.__dict__:
        return _dnp.__dict__[name]
    if isinstance(getattr(_np, name, None), type(_np)):  # numpy's submodules (lib, ma, char...)
        return getattr(_np, name)
    return getattr(_dnp, name)


class r_class(_IndexConcatenator):
    """autograd's class of ``r_`` (``r_class()[...]``): dualgrad's, which takes traced items."""

    def __init__(self):
        super().__init__(_np.r_)


class c_class(_IndexConcatenator):
    """autograd's class of ``c_`` (``c_class()[...]``): dualgrad's, which takes traced items."""

    def __init__(self):
        super().__init__(_np.c_)


custom_where = _dnp.where  # autograd's name for its where (autograd.numpy.where is it)

__getattr__ = refuser(__name__, {}, fallback=_numpy_name)
