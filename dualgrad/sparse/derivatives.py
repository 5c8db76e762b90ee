"""Sparse Jacobians and Hessians: detect the pattern, colour it, one compressed
pass, ``scipy.sparse.csr_array`` out.

``jacobian(f)`` returns a :class:`SparseJacobian`: call it at ``x`` to get the
Jacobian of ``f`` at ``x`` (rows: ``f(x).ravel()``, columns: ``x.ravel()``).
The first call detects the pattern (``jacobian_sparsity``) and colours it; both
are cached and reused at every later point of the same shape (a Newton loop),
so later calls cost one batched pass of k directions, k the number of colours.
``check_pattern=True`` detects the pattern again at every call and raises if a
nonzero appears outside the cached one (the pattern is found at a point:
``where`` masks and branches follow the values there).
"""
from __future__ import annotations

import functools
from typing import Callable, NamedTuple

import numpy as onp
import scipy.sparse as sps

from . import colour as col
from .compressed import forward_products, reverse_products, seeds_of
from ..interpreters.patterns import _bool
from ..interpreters.sparsity import SparsityInfo, _check_input, jacobian_sparsity
from ..transforms import grad

__all__ = ["jacobian", "hessian", "SparseJacobian", "SparseHessian", "SparseChoice",
           "PatternChanged"]


def hessian_sparsity(fun: Callable, x, *, info: bool = False) -> "sps.csr_array | SparsityInfo":
    """The sparsity pattern of the Hessian of a scalar ``fun`` at ``x``: the
    Jacobian pattern of its gradient (the reverse pass is traced at the sparsity
    level), made symmetric. A boolean ``csr_array`` of shape ``(x.size, x.size)``."""
    x = _check_input(x, "hessian_sparsity")

    def g(v):
        return grad(fun)(v)
    res = jacobian_sparsity(g, x, info=True)
    p = _bool(res.pattern + res.pattern.T)
    p.sort_indices()
    return SparsityInfo(p, res.fallbacks) if info else p


class PatternChanged(ValueError):
    """The sparsity pattern at a new point has a nonzero the cached one lacks."""


# mode="auto" also tries the bidirectional split when both modes alone need more
# passes than this (an arrowhead: n either way, 3 split); below, it is not worth the
# extra colouring on the first call
BI_AFTER = 32


def _longest_row(p) -> int:
    """Entries in the longest row of a CSR pattern (of the longest column, for CSC)."""
    return int(onp.diff(p.indptr).max(initial=0))


class SparseChoice(NamedTuple):
    """How a sparse derivative is computed, and why."""
    mode: str             # "fwd" (JVPs), "rev" (VJPs), "bi" (both) or "fwd-over-rev"
    shape: tuple
    nnz: int
    colours: int          # directions pushed (JVPs, VJPs or HVPs)
    alternative: str      # the other option and its count
    reason: str
    fallbacks: dict       # primitives that used the dense sparsity fallback

    def __str__(self) -> str:
        m, n = self.shape
        kind = {"fwd": "JVPs", "rev": "VJPs", "bi": "JVPs and VJPs",
                "fwd-over-rev": "Hessian-vector products"}[self.mode]
        dense = n if self.mode != "rev" else m
        dens = 100.0 * self.nnz / max(m * n, 1)
        text = (f"{m} x {n}, nnz {self.nnz} ({dens:.3g}%): {self.mode} mode, "
                f"{self.colours} colours -> {self.colours} {kind} instead of {dense}. "
                f"{self.reason}")
        if self.fallbacks:
            text += (" Dense sparsity fallback (no sparsity rule) for: "
                     + ", ".join(f"{k} x{v}" for k, v in sorted(self.fallbacks.items())) + ".")
        return text


class _Sparse:
    """Shared machinery: the cache keyed by the input shape, checks, repr."""

    kind = "derivative"

    def __init__(self, fun: Callable, *, order: str = "smallest_last", chunk_size=None,
                 check_pattern: bool = False, explain: bool = False, pattern=None):
        if order not in col.ORDERS:
            raise ValueError(f"order must be one of {col.ORDERS}, not {order!r}.")
        self.fun, self.order, self.chunk_size = fun, order, chunk_size
        self.check_pattern, self.explain = check_pattern, explain
        self._given = None if pattern is None else sps.csr_array(pattern, dtype=bool)
        self._shape = None
        self.pattern = self.colours = self.choice = None
        functools.update_wrapper(self, fun, updated=())

    def _prepare(self, x, unary):
        if self._shape == x.shape:
            return
        if self._given is not None:
            pattern, fallbacks = self._given, {}
        else:
            pattern, fallbacks = self._detect(x, unary)
        self.pattern = pattern
        self.colours, self.choice = self._colour(pattern, fallbacks)
        self._shape = x.shape

    def _check(self, x, unary):
        new = self._detect(x, unary)[0]
        if new.shape != self.pattern.shape:
            raise PatternChanged(
                f"The Jacobian's shape changed from {self.pattern.shape} to {new.shape} at this "
                f"x; create a new sparse {self.kind} (or call .reset()).")
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
        """Forget the cached pattern and colouring."""
        self._shape = None
        self.pattern = self.colours = self.choice = None

    def _point(self, x, args, kwargs):
        """The checked point, and ``fun`` with the extra arguments bound (constants:
        the cached pattern is assumed not to depend on them)."""
        x = _check_input(x, f"sparse {self.kind}")
        unary = (lambda v: self.fun(v, *args, **kwargs)) if args or kwargs else self.fun
        self._prepare(x, unary)
        if self.check_pattern:
            self._check(x, unary)
        return x, unary

    def __repr__(self) -> str:
        name = getattr(self.fun, "__name__", "f")
        if self.choice is None:
            return (f"<Sparse{self.kind.title()} of {name}: pattern not detected yet "
                    "(call it at a point)>")
        return f"<Sparse{self.kind.title()} of {name}: {self.choice}>"


class SparseJacobian(_Sparse):
    """The Jacobian of ``fun: R^n -> R^m`` as a ``csr_array`` (m x n), computed
    with k JVPs (forward, column colouring) or k VJPs over one tape (reverse,
    row colouring), whichever needs fewer colours (ties: forward, no tape).
    ``mode="bi"`` splits the pattern (``colour.bicolouring``): the densest rows
    from VJPs and the rest from JVPs, or the densest columns from JVPs and the
    rest from VJPs; an arrowhead then needs 3 passes instead of n."""

    kind = "jacobian"

    def __init__(self, fun, *, mode="auto", order="smallest_last", chunk_size=None,
                 check_pattern=False, explain=False, pattern=None):
        if mode not in ("auto", "fwd", "rev", "bi"):
            raise ValueError(f"mode must be 'auto', 'fwd', 'rev' or 'bi', not {mode!r}.")
        self.mode = mode
        super().__init__(fun, order=order, chunk_size=chunk_size,
                         check_pattern=check_pattern, explain=explain, pattern=pattern)

    def _detect(self, x, unary):
        info = jacobian_sparsity(unary, x, info=True)
        return info.pattern, info.fallbacks

    def _colour(self, pattern, fallbacks):
        m, n = pattern.shape
        if self.mode == "bi":
            return self._bicolour(pattern, fallbacks)
        if self.mode == "auto":
            # a row of k entries needs k JVPs, a column of k entries k VJPs: when both
            # bounds are large and the split beats them, no one-mode colouring can win
            lf, lr = _longest_row(pattern), _longest_row(pattern.tocsc())
            if min(lf, lr) > BI_AFTER:
                b, choice = self._bicolour(pattern, fallbacks)
                if choice.colours < min(lf, lr):
                    return b, choice._replace(reason=choice.reason + (
                        f" Both modes alone need many passes; the split needs "
                        f"{choice.colours}."))
        kf = kr = None
        if self.mode in ("auto", "fwd"):
            cf = col.column_colouring(pattern, self.order)
            kf = int(cf.max()) + 1 if n else 0
        if self.mode == "auto" and _symmetric(pattern):
            cr, kr = cf, kf  # P P^T = P^T P: the row colouring is the column colouring
        elif self.mode in ("auto", "rev"):
            cr = col.row_colouring(pattern, self.order)
            kr = int(cr.max()) + 1 if m else 0
        if self.mode == "fwd" or (self.mode == "auto" and kf <= kr):
            reason = (f"Forward needs {kf} JVPs (column colours); reverse would need {kr} "
                      "VJPs (row colours) and a tape." if kr is not None else
                      "Forward mode was asked for (mode='fwd').")
            if self.mode == "auto" and kf == kr:
                reason += " A tie goes forward: it keeps no tape."
            return cf, SparseChoice("fwd", (m, n), pattern.nnz, kf, f"rev: {kr}", reason, fallbacks)
        reason = (f"Reverse needs {kr} VJPs (row colours) over one tape; forward would "
                  f"need {kf} JVPs (column colours)." if kf is not None else
                  "Reverse mode was asked for (mode='rev').")
        return cr, SparseChoice("rev", (m, n), pattern.nnz, kr, f"fwd: {kf}", reason, fallbacks)

    def _bicolour(self, pattern, fallbacks):
        b = col.bicolouring(pattern, self.order)
        # lower bounds: the longest row for forward, the longest column for reverse
        kf, kr = _longest_row(pattern), _longest_row(pattern.tocsc())
        reason = (f"Bidirectional: {b.jvps} JVPs recover {b.fwd.nnz} entries (column "
                  f"colours), {b.vjps} VJPs over one tape the other {b.rev.nnz} (row "
                  f"colours); forward alone needs at least {kf} JVPs (the longest row), "
                  f"reverse alone at least {kr} VJPs (the longest column).")
        return b, SparseChoice("bi", pattern.shape, pattern.nnz, b.jvps + b.vjps,
                               f"fwd: >= {kf}, rev: >= {kr}", reason, fallbacks)

    def _bidirectional(self, unary, x):
        b, parts = self.colours, []
        if b.jvps or not b.vjps:
            ans, T = forward_products(unary, x, _seeds(b.columns, b.jvps), self.chunk_size)
            parts.append(col.decompress_columns(b.fwd, b.columns, T.T))
        if b.vjps:
            ans, R = reverse_products(unary, x, _seeds(b.rows, b.vjps), self.chunk_size)
            parts.append(col.decompress_rows(b.rev, b.rows, R))
        return ans, sum(parts[1:], parts[0])  # disjoint parts of the pattern

    def value_and_jacobian(self, x, *args, **kwargs):
        """``(f(x, *args, **kwargs), J)``, the value coming from the same pass."""
        x, unary = self._point(x, args, kwargs)
        k = self.choice.colours
        if self.choice.mode == "bi":
            ans, J = self._bidirectional(unary, x)
            return onp.asarray(ans), sps.csr_array(J)
        if self.choice.mode == "fwd":
            ans, T = forward_products(unary, x, seeds_of(self.colours, k), self.chunk_size)
            J = col.decompress_columns(self.pattern, self.colours, T.T)
        else:
            ans, R = reverse_products(unary, x, seeds_of(self.colours, k), self.chunk_size)
            J = col.decompress_rows(self.pattern, self.colours, R)
        return onp.asarray(ans), J

    def __call__(self, x, *args, **kwargs):
        """The Jacobian at ``x`` (``args``, ``kwargs``: further arguments of ``fun``,
        held constant, as ``scipy.optimize`` passes them)."""
        J = self.value_and_jacobian(x, *args, **kwargs)[1]
        return (J, self.choice) if self.explain else J


def _seeds(colour, k: int) -> onp.ndarray:
    """``seeds_of`` where colour -1 means "not seeded" (a zero column)."""
    colour = onp.asarray(colour)
    s = onp.zeros((k, len(colour)))
    seeded = onp.nonzero(colour >= 0)[0]
    s[colour[seeded], seeded] = 1.0
    return s


def _symmetric(pattern) -> bool:
    if pattern.shape[0] != pattern.shape[1]:
        return False
    diff = sps.csr_array(pattern.astype(onp.int8) - pattern.T.astype(onp.int8))
    diff.eliminate_zeros()
    return diff.nnz == 0


class SparseHessian(_Sparse):
    """The Hessian of a scalar ``fun: R^n -> R`` as a symmetric ``csr_array``
    (n x n), from k Hessian-vector products (forward over reverse) with a star
    colouring of its pattern."""

    kind = "hessian"  # the options are _Sparse's (no mode: always forward over reverse)

    def _detect(self, x, unary):
        info = hessian_sparsity(unary, x, info=True)
        return info.pattern, info.fallbacks

    def _colour(self, pattern, fallbacks):
        n = pattern.shape[0]
        cs = col.star_colouring(pattern, self.order)
        ks = int(cs.max()) + 1 if n else 0
        kc = int(col.column_colouring(pattern, self.order).max()) + 1 if n else 0
        reason = (f"A star colouring (symmetry used) needs {ks} colours; a column "
                  f"colouring ignoring symmetry would need {kc}.")
        return cs, SparseChoice("fwd-over-rev", (n, n), pattern.nnz, ks, f"column: {kc}",
                                reason, fallbacks)

    def __call__(self, x, *args, **kwargs):
        """The Hessian at ``x`` (further arguments of ``fun`` held constant)."""
        x, unary = self._point(x, args, kwargs)
        seeds = seeds_of(self.colours, self.choice.colours)
        _, T = forward_products(grad(unary), x, seeds, self.chunk_size)
        H = col.decompress_star(self.pattern, self.colours, T.T)
        return (H, self.choice) if self.explain else H


def jacobian(fun: Callable, *, mode: str = "auto", order: str = "smallest_last",
             chunk_size: int | None = None, check_pattern: bool = False,
             explain: bool = False, pattern=None) -> SparseJacobian:
    """The sparse Jacobian of ``fun`` (one array in, one array out), as a reusable
    :class:`SparseJacobian`; ``jacobian(f)(x)`` is a ``scipy.sparse.csr_array``.

    ``mode``: ``"auto"`` (forward or reverse, the fewer colours; the split below
    when both need more than ``BI_AFTER`` passes and it needs fewer), ``"fwd"``,
    ``"rev"``, or ``"bi"`` (JVPs for part of the pattern, VJPs for the rest: for
    patterns with both a dense row and a dense column).

    ``pattern`` skips detection (a known boolean sparsity pattern, m x n);
    ``explain=True`` makes calls return ``(J, SparseChoice)``.

    >>> import dualgrad.numpy as np
    >>> J = jacobian(lambda x: x[1:] * x[:-1])
    >>> J(np.array([1.0, 2.0, 3.0])).toarray()
    array([[2., 1., 0.],
           [0., 3., 2.]])
    >>> J.choice.mode, J.choice.colours
    ('fwd', 2)
    """
    return SparseJacobian(fun, mode=mode, order=order, chunk_size=chunk_size,
                          check_pattern=check_pattern, explain=explain, pattern=pattern)


def hessian(fun: Callable, *, order: str = "smallest_last", chunk_size: int | None = None,
            check_pattern: bool = False, explain: bool = False, pattern=None) -> SparseHessian:
    """The sparse Hessian of a scalar ``fun``, as a reusable :class:`SparseHessian`;
    ``hessian(f)(x)`` is a symmetric ``scipy.sparse.csr_array``.

    >>> import dualgrad.numpy as np
    >>> H = hessian(lambda x: np.sum(x[1:] * x[:-1] ** 2))
    >>> H(np.array([1.0, 2.0, 3.0])).toarray()
    array([[4., 2., 0.],
           [2., 6., 4.],
           [0., 4., 0.]])
    """
    return SparseHessian(fun, order=order, chunk_size=chunk_size, check_pattern=check_pattern,
                         explain=explain, pattern=pattern)
