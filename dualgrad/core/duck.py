"""Duck arrays: values that are not numpy arrays but speak numpy's protocols.

A Dask array (chunked, lazy, possibly on a cluster) or a CuPy array (on a
GPU) implements NEP 13 (``__array_ufunc__``) and NEP 18
(``__array_function__``), so ``numpy.sin(x)`` or ``numpy.dot(x, w)`` on it
runs that library's own implementation and returns the same kind of array.
dualgrad's rules are written with numpy functions, so such a value can ride
inside a tracer as it is: the derivative is then built of the same library's
operations (for Dask, a lazy task graph computed only on ``.compute()``).

Such arrays are recognised by protocol, never by importing their packages.
"""
from __future__ import annotations

import functools
import warnings
from typing import Callable

import numpy as onp

from .tracer import Tracer

_PLAIN = (onp.ndarray, onp.generic, float, int, complex, bool)


def is_duck_array(v) -> bool:
    """True for an array-like that is not a numpy array but implements numpy's
    protocols and has a numpy ``dtype`` and a ``shape`` (dask, cupy, ...).

    >>> is_duck_array(onp.ones(2)), is_duck_array(1.0)
    (False, False)
    """
    if isinstance(v, _PLAIN) or isinstance(v, Tracer):
        return False
    t = type(v)
    return (hasattr(t, "__array_function__") and hasattr(t, "__array_ufunc__")
            and isinstance(getattr(v, "dtype", None), onp.dtype) and hasattr(v, "shape"))


def array_type_name(v) -> str:
    """``module.Class`` of a value, for error messages (``dask.array.Array``)."""
    t = type(v)
    mod = (t.__module__ or "").split(".")
    mod = ".".join(mod[:2]) if mod[0] == "dask" else mod[0]
    return f"{mod}.{t.__name__}" if mod else t.__name__


def require_numpy(name: str, *values) -> None:
    """Raise a clear error when a primitive that needs concrete numpy arrays (a
    decomposition the duck library lacks, a value-dependent branch) is given a
    duck array: lazy evaluation would otherwise be forced, or fail obscurely."""
    for v in values:
        if is_duck_array(v):
            _refuse(name, v, "it needs concrete numpy values")


def _refuse(name: str, v, why: str):
    raise TypeError(
        f"{name} is not available for {array_type_name(v)} inputs in dualgrad: {why}. "
        "Compute that input first (x.compute() for dask, x.get() for cupy), or keep this "
        "step outside the traced function.")


def no_silent_fallback(fun: Callable, name: str) -> Callable:
    """``fun`` (a numpy function a library may lack, such as numpy.linalg.eigh on
    Dask), raising a clear error instead of the library's silent fallback: Dask
    computes the whole array and calls numpy, with only a FutureWarning, which
    would make a lazy derivative concrete (and load out-of-core data at once)."""

    @functools.wraps(fun)
    def call(*args, **kwargs):
        duck = next((a for a in args if is_duck_array(a)), None)
        if duck is None:
            return fun(*args, **kwargs)
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*not implemented by", category=FutureWarning)
            try:
                return fun(*args, **kwargs)
            except FutureWarning:
                _refuse(name, duck, f"{array_type_name(duck)} does not implement it")
    return call


__all__ = ["is_duck_array", "array_type_name", "require_numpy", "no_silent_fallback"]
