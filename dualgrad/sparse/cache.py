"""What a reusable sparse derivative (``SparseJacobian``, ``SparseHessian``)
remembers between calls, and when it may reuse it.

A call ``J(x, *args, **kwargs)`` is keyed on everything cheap to compare that
can change the pattern (:func:`signature`): the shape and dtype of ``x`` and of
every array argument, and the value of every int, bool, string or ``None``
argument (sizes, indices, flags); a float's value is not part of the key (a time
``t`` or a parameter varies at every call of a solver). Each key has its own
pattern and colouring. The output's shape is checked at every call too: if it
differs from the one the key's pattern was found for, the pattern is detected
again, or, when the user gave it (``pattern=``), the call is refused.

Values that the key does not see (a float that moves a ``where`` mask, a branch
on the values of x) may still change the pattern: ``check_pattern=True`` detects
it at every call and raises :class:`PatternChanged`.
"""
from __future__ import annotations

import functools
import math
from typing import Callable

import numpy as onp
import scipy.sparse as sps

from . import colour as col
from .compressed import staged, traced, traced_error
from .. import numpy as dnp
from ..core import TraceError, peek, tree_flatten, tree_map
from ..interpreters.sparsity import _check_input
from ..transforms.checks import check_chunk_size

__all__ = ["PatternChanged", "OutputChanged", "signature", "as_pattern", "Sparse"]


class PatternChanged(ValueError):
    """The sparsity pattern at a new point has a nonzero the cached one lacks.

    A sparse derivative detects its pattern at the first point and reuses it;
    with ``check_pattern=True`` it detects it again at every call and raises
    this (a ``ValueError``) rather than return a Jacobian missing entries.

    Parameters
    ----------
    message : str
        Which entry lies outside the cached pattern, and the fix (a new sparse
        derivative, or ``.reset()``).

    Raised by
    ---------
    :class:`SparseJacobian` and :class:`SparseHessian` called with
    ``check_pattern=True``.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> from dualgrad import sparse
    >>> J = sparse.jacobian(lambda x: np.where(x > 0, x ** 2, 0.0), check_pattern=True)
    >>> J(np.array([-1.0, 1.0])).toarray()
    array([[0., 0.],
           [0., 2.]])
    >>> try:
    ...     J(np.array([1.0, 1.0]))
    ... except PatternChanged as e:
    ...     print("pattern changed")
    pattern changed
    """


class OutputChanged(Exception):
    """Internal: the output's shape is not the one the cached pattern is for."""

    def __init__(self, shape):
        super().__init__(shape)
        self.shape = tuple(shape)


_BY_VALUE = (bool, int, str, type(None), onp.integer, onp.bool_)


def signature(v):
    """The part of an argument the cache is keyed on (see the module docstring)."""
    if isinstance(v, _BY_VALUE):
        return (type(v).__name__, v)
    if isinstance(v, (list, tuple)):
        return (type(v).__name__, tuple(signature(a) for a in v))
    if isinstance(v, dict):
        return ("dict", tuple((k, signature(a)) for k, a in v.items()))
    shape, dtype = getattr(v, "shape", None), getattr(v, "dtype", None)
    if shape is not None and dtype is not None:
        return ("array", tuple(shape), str(dtype))
    return (type(v).__name__,)  # floats, callables, other objects: their type only


def as_pattern(pattern, who: str) -> sps.csr_array:
    """A user's ``pattern=`` as a canonical boolean ``csr_array``, or a clear error."""
    if sps.issparse(pattern):
        p = sps.csr_array(pattern)
    else:
        try:
            arr = onp.asarray(pattern)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{who}: pattern must be a 2-D boolean array or scipy.sparse "
                            f"matrix; numpy cannot read it as an array ({e}).") from None
        if arr.ndim != 2 or arr.dtype.kind not in "biuf":
            raise ValueError(
                f"{who}: pattern must be a 2-D boolean array or scipy.sparse matrix (True "
                "where output i depends on input j), got "
                f"{'dtype ' + str(arr.dtype) if arr.dtype.kind not in 'biuf' else ''}"
                f"{' and ' if arr.dtype.kind not in 'biuf' and arr.ndim != 2 else ''}"
                f"{'shape ' + str(arr.shape) if arr.ndim != 2 else ''}.")
        p = sps.csr_array(arr)
    p = p.astype(bool)
    p.eliminate_zeros()
    p.sum_duplicates()
    p.sort_indices()
    return p


class _Entry:
    """One key's pattern, colouring and choice; ``out_shape`` once a pass saw it; and
    what every call with this colouring reuses (``memo``: the seeds, the recovery of
    the CSR matrix from the products)."""

    __slots__ = ("pattern", "colours", "choice", "out_shape", "_memo")

    def __init__(self, pattern, colours, choice):
        self.pattern, self.colours, self.choice, self.out_shape = pattern, colours, choice, None
        self._memo = {}

    def memo(self, key, make: Callable):
        """``make()``, computed once for this entry's colouring."""
        v = self._memo.get(key)
        if v is None:
            v = self._memo[key] = make()
        return v


class Sparse:
    """Shared machinery: the cache, the argument checks, the pattern check, repr.
    Subclasses define ``kind``, ``who``, ``mode``, ``_detect``, ``_colour`` and
    ``_fit_given``."""

    kind = "derivative"
    who = "sparse"
    mode = None

    def __init__(self, fun: Callable, *, order: str = "smallest_last", chunk_size=None,
                 check_pattern: bool = False, explain: bool = False, pattern=None):
        if order not in col.ORDERS:
            raise ValueError(f"order must be one of {col.ORDERS}, not {order!r}.")
        check_chunk_size(chunk_size)
        self.fun, self.order, self.chunk_size = fun, order, chunk_size
        self.check_pattern, self.explain = check_pattern, explain
        self._given = None if pattern is None else self._given_pattern(as_pattern(pattern,
                                                                                  self.who))
        self._cache: dict = {}
        self.pattern = self.colours = self.choice = None
        functools.update_wrapper(self, fun, updated=())

    def _given_pattern(self, p):
        return p

    def _point(self, x, args, kwargs):
        """The checked point, ``fun`` with the extra arguments bound (constants), the
        call's cache key, and the point and function the pattern is detected with.

        Under ``jit`` (``x`` a value of its trace) the compressed pass and the CSR fill
        are recorded and replayed, while the pattern is detected at the trace's own
        numbers (``peek``), so that detection records nothing: like the cache, the
        pattern is fixed per signature."""
        if isinstance(x, (list, tuple)) and any(staged(v) for v in tree_flatten(x)[0]):
            x = dnp.asarray(x)  # a list of a jit trace's numbers: one recorded array
        if traced(x) and not staged(x):
            raise traced_error(self.who, "x", x)
        unary = (lambda v: self.fun(v, *args, **kwargs)) if args or kwargs else self.fun
        if staged(x):
            if self.check_pattern:
                raise TraceError(
                    f"{self.who}(check_pattern=True) under jit: the check detects the pattern "
                    "again at every call, which a replayed program cannot do. Call it "
                    "outside jit, or drop check_pattern (the pattern is then fixed per "
                    "signature, as the cache fixes it).")
            x0 = _check_input(peek(x), self.who)
            if peek(x).dtype != x0.dtype:  # (an integer point: made float, as eagerly)
                x = x.astype(x0.dtype)
            args0, kwargs0 = tree_map(peek, (args, kwargs))
            probe = (x0, (lambda v: self.fun(v, *args0, **kwargs0)) if args or kwargs
                     else self.fun)
        else:
            x = _check_input(x, self.who)
            x0, probe = x, (x, unary)
        key = (x0.shape, str(x0.dtype), signature(args),
               tuple(sorted((k, signature(v)) for k, v in kwargs.items())))
        return x, unary, key, probe

    def _entry(self, key, x, unary) -> _Entry:
        e = self._cache.get(key)
        if e is None:
            if self._given is not None:
                pattern, fallbacks = self._fit_given(x, unary), {}
            else:
                pattern, fallbacks = self._detect(x, unary)
            e = self._cache[key] = _Entry(pattern, *self._colour(pattern, fallbacks, self.mode))
        self.pattern, self.colours, self.choice = e.pattern, e.colours, e.choice
        if self.check_pattern:
            self._check(x, unary)
        return e

    def _retrying(self, compute, probe, key):
        """``compute(entry)``, the entry's pattern detected at ``probe`` (the point and
        the function); if the output's shape is not the entry's, detect again (once),
        or refuse when the pattern was given."""
        x, unary = probe
        try:
            return compute(self._entry(key, x, unary))
        except OutputChanged as changed:
            if self._given is not None:
                raise self._given_mismatch(changed.shape, x) from None
            del self._cache[key]  # something the key cannot see changed the output
            return compute(self._entry(key, x, unary))

    def _output_check(self, e: _Entry, check):
        """``check`` (the products' output vetting) plus the entry's output shape."""
        def vet(ans, who):
            check(ans, who)
            shape = onp.shape(peek(ans))
            if e.out_shape is None:
                if math.prod(shape) != e.pattern.shape[0]:
                    raise OutputChanged(shape)
                e.out_shape = shape
            elif shape != e.out_shape:
                raise OutputChanged(shape)
            return ans
        return vet

    def _remember(self, e: _Entry, done, colours, choice) -> None:
        """After a mode fallback (``transforms.fallback``): the mode that ran, and why."""
        if done.failed:
            e.colours, e.choice = colours, choice._replace(reason=done.note())
            e._memo.clear()  # made for the colouring just replaced
            self.colours, self.choice = e.colours, e.choice

    def _check(self, x, unary):
        new = self._detect(x, unary)[0]
        if new.shape != self.pattern.shape:
            raise PatternChanged(
                f"The {self.kind}'s shape changed from {self.pattern.shape} to {new.shape} at "
                f"this x; create a new sparse {self.kind} (or call .reset()).")
        extra = new.astype(onp.int8) - new.multiply(self.pattern).astype(onp.int8)
        extra = sps.csr_array(extra)
        extra.eliminate_zeros()
        if extra.nnz:
            i, j = extra.tocoo().row[0], extra.tocoo().col[0]
            raise PatternChanged(
                f"The sparsity pattern changed: at this x, {extra.nnz} nonzero(s) lie outside "
                f"the pattern cached at the first point (e.g. entry ({i}, {j})); a branch or "
                "a where-mask took another side. Create a new sparse "
                f"{self.kind} (or call .reset()) to detect the pattern here.")

    def reset(self) -> None:
        """Forget the cached patterns and colourings: the next call detects them
        again (after a ``PatternChanged``, or when ``fun`` changed).

        Parameters
        ----------
        None

        Returns
        -------
        None

        Raises
        ------
        Nothing

        Examples
        --------
        >>> import dualgrad.numpy as np
        >>> from dualgrad import sparse
        >>> J = sparse.jacobian(lambda x: x ** 2)
        >>> _ = J(np.ones(3))
        >>> J.reset()
        >>> J.pattern is None
        True
        """
        self._cache.clear()
        self.pattern = self.colours = self.choice = None

    def __repr__(self) -> str:
        name = getattr(self.fun, "__name__", "f")
        if self.choice is None:
            return (f"<Sparse{self.kind.title()} of {name}: pattern not detected yet "
                    "(call it at a point)>")
        return f"<Sparse{self.kind.title()} of {name}: {self.choice}>"
