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
from .cache import PatternChanged, Sparse, as_pattern
from .compressed import forward_products, real_output, reverse_products, seeds_of, traced
from ..core import plain_function
from ..interpreters.patterns import _bool
from ..interpreters.sparsity import SparsityInfo, _check_input, jacobian_sparsity
from ..transforms import grad
from ..transforms.fallback import FWD, REV, Mode, run_modes

__all__ = ["jacobian", "hessian", "SparseJacobian", "SparseHessian", "SparseChoice",
           "PatternChanged", "hessian_sparsity"]

# the modes a sparse derivative can run in, and the rule kinds each applies itself
# (a missing one makes it fall back to the next: dualgrad.transforms.fallback)
BI = Mode("bi", frozenset({"JVP", "VJP"}))
FOR = Mode("fwd-over-rev", frozenset({"JVP"}))  # grad itself falls back when a VJP is missing
ROR = Mode("rev-over-rev", frozenset({"VJP"}))
_ORDER = {"fwd": (FWD, REV), "rev": (REV, FWD), "bi": (BI, REV, FWD),
          "fwd-over-rev": (FOR, ROR), "rev-over-rev": (ROR, FOR)}


def hessian_sparsity(fun: Callable, x, *, info: bool = False) -> "sps.csr_array | SparsityInfo":
    r"""The sparsity pattern of the Hessian of a scalar ``fun`` at ``x``: the
    Jacobian pattern of its gradient (the reverse pass is traced at the sparsity
    level), made symmetric: entry :math:`(i, j)` is True when
    :math:`\partial^2 f / \partial x_i \partial x_j` may be nonzero.

    Parameters
    ----------
    fun : callable
        A scalar function of one real array.
    x : array_like
        The point (the pattern follows ``where`` masks and branches there).
    info : bool, optional
        Return a ``SparsityInfo(pattern, fallbacks)``: ``fallbacks`` maps the
        primitives that had no sparsity rule (and were taken as dense) to their
        counts.

    Returns
    -------
    scipy.sparse.csr_array or SparsityInfo
        A symmetric boolean ``csr_array`` of shape ``(x.size, x.size)``.

    Raises
    ------
    TypeError
        When ``x`` is not a real array, or ``fun`` does not return a scalar.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> hessian_sparsity(lambda x: np.sum(x[1:] * x[:-1]), np.zeros(3)).toarray().astype(int)
    array([[0, 1, 0],
           [1, 0, 1],
           [0, 1, 0]])
    """
    x = _check_input(x, "hessian_sparsity")

    def g(v):
        return grad(fun)(v)
    res = jacobian_sparsity(g, x, info=True)
    p = _bool(res.pattern + res.pattern.T)
    p.sort_indices()
    return SparsityInfo(p, res.fallbacks) if info else p


# mode="auto" also tries the bidirectional split when both modes alone need more
# passes than this (an arrowhead: n either way, 3 split); below, it is not worth the
# extra colouring on the first call
BI_AFTER = 32


def _longest_row(p) -> int:
    """Entries in the longest row of a CSR pattern (of the longest column, for CSC)."""
    return int(onp.diff(p.indptr).max(initial=0))


class SparseChoice(NamedTuple):
    """How a sparse derivative is computed, and why (``J.choice``, or the second
    item of a call with ``explain=True``; ``str()`` of it reads as a sentence).

    Parameters
    ----------
    mode, shape, nnz, colours, alternative, reason, fallbacks
        The fields below (made by the sparse derivatives, not by users).

    Attributes
    ----------
    mode : str
        ``"fwd"`` (JVPs), ``"rev"`` (VJPs), ``"bi"`` (both) or ``"fwd-over-rev"``
        (Hessian-vector products).
    shape : tuple
        The derivative's shape ``(m, n)``.
    nnz : int
        Entries of the pattern.
    colours : int
        Directions pushed: the cost in passes.
    alternative : str
        The other option and its count.
    reason : str
        Why this mode.
    fallbacks : dict
        Primitives without a sparsity rule, taken as dense, with their counts.

    Raises
    ------
    Nothing
        A record.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> J = jacobian(lambda x: x[1:] * x[:-1])
    >>> _ = J(np.ones(5))
    >>> J.choice.mode, J.choice.colours, J.choice.shape
    ('fwd', 2, (4, 5))
    """
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
                "fwd-over-rev": "Hessian-vector products",
                "rev-over-rev": "Hessian-vector products (VJPs of the gradient)"}[self.mode]
        dense = n if self.mode != "rev" else m
        dens = 100.0 * self.nnz / max(m * n, 1)
        text = (f"{m} x {n}, nnz {self.nnz} ({dens:.3g}%): {self.mode} mode, "
                f"{self.colours} colours -> {self.colours} {kind} instead of {dense}. "
                f"{self.reason}")
        if self.fallbacks:
            text += (" Dense sparsity fallback (no sparsity rule) for: "
                     + ", ".join(f"{k} x{v}" for k, v in sorted(self.fallbacks.items())) + ".")
        return text


class SparseJacobian(Sparse):
    """The Jacobian of ``fun: R^n -> R^m`` as a ``csr_array`` (m x n), computed
    with k JVPs (forward, column colouring) or k VJPs over one tape (reverse,
    row colouring), whichever needs fewer colours (ties: forward, no tape).
    ``mode="bi"`` splits the pattern (``colour.bicolouring``): the densest rows
    from VJPs and the rest from JVPs, or the densest columns from JVPs and the
    rest from VJPs; an arrowhead then needs 3 passes instead of n. A primitive
    with only a VJP rule (or only a JVP rule) makes it run in the mode whose rules
    exist, as the dense transforms do (``dualgrad.transforms.fallback``).

    Made by :func:`jacobian`; the pattern and colouring are found at the first
    call and reused at every later call with arguments of the same shapes and dtypes.

    Parameters
    ----------
    fun : callable
        One real array in, one array out.
    mode, order, chunk_size, check_pattern, explain, pattern
        As for :func:`jacobian`.

    Attributes
    ----------
    pattern : scipy.sparse.csr_array or None
        The pattern of the last call (None before the first call).
    colours : numpy.ndarray or None
        The colour of each column (forward) or row (reverse).
    choice : SparseChoice or None
        The mode, its cost in passes and why.

    Raises
    ------
    ValueError
        For an unknown ``mode`` or ``order``, or a bad ``chunk_size`` or ``pattern``.
    TypeError
        At a call, when ``x`` is not a real array or is traced by a transform (under
        ``jit`` the call is recorded and replayed: docs/jit.md), or ``fun`` returns a
        container.
    PatternChanged
        At a call with ``check_pattern=True``, when the pattern grew.
    TraceError
        At a call under ``jit`` with ``check_pattern=True`` (a replay cannot detect).

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> J = SparseJacobian(lambda x: np.cumsum(x)[-2:], mode="rev")
    >>> J(np.ones(3)).toarray()
    array([[1., 1., 0.],
           [1., 1., 1.]])
    """

    kind, who = "jacobian", "sparse.jacobian"

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

    def _fit_given(self, x, unary):
        p = self._given
        if p.shape[1] != x.size:
            m = int(onp.size(real_output(unary(x), self.who)))  # only to word the error
            raise ValueError(
                f"{self.who}: pattern has shape {p.shape}: {p.shape[1]} columns, one per "
                f"element of x, but x has {x.size} elements (shape {x.shape}); the Jacobian "
                f"here is ({m}, {x.size}). Pass a pattern of that shape, or none to detect it.")
        return p

    def _given_mismatch(self, shape, x):
        m = int(onp.prod(shape, dtype=int))
        return ValueError(
            f"{self.who}: pattern has shape {self._given.shape}, but f's output at this call "
            f"has {m} elements (shape {shape}), so the Jacobian is ({m}, {x.size}). Pass a "
            "pattern of that shape for these arguments (a new sparse.jacobian), or none to "
            "detect it.")

    def _colour(self, pattern, fallbacks, mode):
        m, n = pattern.shape
        if mode == "bi":
            return self._bicolour(pattern, fallbacks)
        if mode == "auto":
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
        if mode in ("auto", "fwd"):
            cf = col.column_colouring(pattern, self.order)
            kf = int(cf.max()) + 1 if n else 0
        if mode == "auto" and _symmetric(pattern):
            cr, kr = cf, kf  # P P^T = P^T P: the row colouring is the column colouring
        elif mode in ("auto", "rev"):
            cr = col.row_colouring(pattern, self.order)
            kr = int(cr.max()) + 1 if m else 0
        if mode == "fwd" or (mode == "auto" and kf <= kr):
            reason = (f"Forward needs {kf} JVPs (column colours); reverse would need {kr} "
                      "VJPs (row colours) and a tape." if kr is not None else
                      "Forward mode was asked for (mode='fwd').")
            if mode == "auto" and kf == kr:
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

    def _run(self, mode: str, e, x, unary):
        """``(ans, J, colouring, choice)`` in ``mode``, with the entry's colouring
        when it is that mode's (a fallback colours the pattern for its own mode)."""
        if mode == e.choice.mode:
            colours, choice = e.colours, e.choice
            memo = e.memo
        else:
            colours, choice = self._colour(e.pattern, e.choice.fallbacks, mode)
            memo = _once
        vet, dtype = self._output_check(e, real_output), x.dtype
        if mode == "bi":
            b, recs, prods = colours, [], []
            if b.jvps or not b.vjps:
                ans, T = forward_products(
                    unary, x, memo(("seeds", "fwd", dtype), lambda: seeds_of(b.columns, b.jvps, dtype)),
                    self.chunk_size, check=vet, who=self.who)
                recs.append(memo("fwd", lambda: col.Recovery(b.fwd, b.columns, "columns")))
                prods.append(T)
            if b.vjps:
                ans, R = reverse_products(
                    unary, x, memo(("seeds", "rev", dtype), lambda: seeds_of(b.rows, b.vjps, dtype)),
                    self.chunk_size, check=vet, who=self.who)
                recs.append(memo("rev", lambda: col.Recovery(b.rev, b.rows, "rows")))
                prods.append(R)
            J = csr_fill(tuple(recs), onp.dtype(dtype), *prods)
        else:
            seeds = memo(("seeds", dtype), lambda: seeds_of(colours, choice.colours, dtype))
            if mode == "fwd":
                ans, P = forward_products(unary, x, seeds, self.chunk_size, check=vet,
                                          who=self.who)
            else:
                ans, P = reverse_products(unary, x, seeds, self.chunk_size, check=vet,
                                          who=self.who)
            kind = "columns" if mode == "fwd" else "rows"
            J = csr_fill((memo(kind, lambda: col.Recovery(e.pattern, colours, kind)),),
                         onp.dtype(dtype), P)
        return ans, J, colours, choice

    def _compute(self, x, unary):
        def compute(e):
            done = run_modes(self.who, [(m, lambda m=m: self._run(m.name, e, x, unary))
                                        for m in _ORDER[e.choice.mode]])
            ans, J, colours, choice = done.value
            self._remember(e, done, colours, choice)
            return (ans if traced(ans) else onp.asarray(ans)), J
        return compute

    def value_and_jacobian(self, x, *args, **kwargs):
        """``(f(x, *args, **kwargs), J)``, the value coming from the same pass
        (a Newton step needs both: no extra evaluation).

        Parameters
        ----------
        x : array_like
            The point (real).
        *args, **kwargs
            Further arguments of ``fun``, held constant.

        Returns
        -------
        value : numpy.ndarray
            ``fun(x, *args, **kwargs)``.
        J : scipy.sparse.csr_array
            The Jacobian at ``x``, shape ``(value.size, x.size)``.

        Raises
        ------
        TypeError
            When ``x`` is not real or ``fun`` returns a container or a complex array.
        PatternChanged
            With ``check_pattern=True``, when the pattern grew.

        Examples
        --------
        >>> import dualgrad.numpy as np
        >>> f, J = jacobian(lambda x: x ** 2).value_and_jacobian(np.array([1.0, 3.0]))
        >>> f, J.toarray()
        (array([1., 9.]), array([[2., 0.],
               [0., 6.]]))
        """
        x, unary, key, probe = self._point(x, args, kwargs)
        return self._retrying(self._compute(x, unary), probe, key)

    def __call__(self, x, *args, **kwargs):
        """The Jacobian at ``x`` (``args``, ``kwargs``: further arguments of ``fun``,
        held constant, as ``scipy.optimize`` passes them)."""
        J = self.value_and_jacobian(x, *args, **kwargs)[1]
        return (J, self.choice) if self.explain else J


@plain_function
def csr_fill(recoveries: tuple, dtype, *products) -> sps.csr_array:
    """The ``csr_array`` from the compressed ``products``, one per recovery (the parts
    of a bidirectional split are disjoint parts of the pattern, added). Under ``jit``
    this is one recorded step: the replay gathers the entries into the pattern's
    cached CSR structure, with no tracer in between."""
    parts = [r(p) for r, p in zip(recoveries, products)]
    J = parts[0] if len(parts) == 1 else sps.csr_array(sum(parts[1:], parts[0]))
    return J.astype(dtype, copy=False)


def _once(key, make):
    """``make()`` (a fallback mode's colouring is not the entry's: nothing to reuse)."""
    return make()


def _symmetric(pattern) -> bool:
    if pattern.shape[0] != pattern.shape[1]:
        return False
    diff = sps.csr_array(pattern.astype(onp.int8) - pattern.T.astype(onp.int8))
    diff.eliminate_zeros()
    return diff.nnz == 0


class SparseHessian(Sparse):
    """The Hessian of a scalar ``fun: R^n -> R`` as a symmetric ``csr_array``
    (n x n), from k Hessian-vector products (forward over reverse) with a star
    colouring of its pattern; reverse over reverse (VJPs of the gradient: H is
    symmetric, so ``S^T H = (H S)^T``) when a primitive has no JVP rule.

    A given ``pattern`` may be one triangle (as IPOPT takes it) or both: it is
    made symmetric, ``P | P^T``, like a detected one.

    Made by :func:`hessian`; the pattern and colouring are found at the first
    call and reused at every later call with arguments of the same shapes and dtypes.

    Parameters
    ----------
    fun : callable
        A scalar function of one real array.
    order, chunk_size, check_pattern, explain, pattern
        As for :func:`hessian`.

    Attributes
    ----------
    pattern : scipy.sparse.csr_array or None
        The symmetric pattern of the last call (None before the first call).
    colours : numpy.ndarray or None
        The star colour of each variable.
    choice : SparseChoice or None
        The cost in Hessian-vector products, against a column colouring.

    Raises
    ------
    ValueError
        For an unknown ``order``, or a bad ``chunk_size`` or ``pattern``.
    TypeError
        At a call, when ``x`` is not a real array or is traced by a transform (under
        ``jit`` the call is recorded and replayed), or ``fun`` is not scalar.
    PatternChanged
        At a call with ``check_pattern=True``, when the pattern grew.
    TraceError
        At a call under ``jit`` with ``check_pattern=True`` (a replay cannot detect).

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> H = SparseHessian(lambda x: np.sum(x ** 3))
    >>> H(np.array([1.0, 2.0, 3.0])).toarray()
    array([[ 6.,  0.,  0.],
           [ 0., 12.,  0.],
           [ 0.,  0., 18.]])
    >>> H.choice.colours  # a diagonal Hessian: one product
    1
    """

    kind, who, mode = "hessian", "sparse.hessian", "fwd-over-rev"

    def _given_pattern(self, p):
        if p.shape[0] != p.shape[1]:
            raise ValueError(f"{self.who}: pattern must be square (n x n, n = x.size), "
                             f"got shape {p.shape}.")
        return _symmetrised(p)

    def _detect(self, x, unary):
        info = hessian_sparsity(unary, x, info=True)
        return info.pattern, info.fallbacks

    def _fit_given(self, x, unary):
        p = self._given
        if p.shape[0] != x.size:
            raise ValueError(
                f"{self.who}: pattern has shape {p.shape}, but x has {x.size} elements "
                f"(shape {x.shape}), so the Hessian is {x.size} x {x.size}. Pass a pattern of "
                "that shape, or none to detect it.")
        return p

    def _colour(self, pattern, fallbacks, mode):
        n = pattern.shape[0]
        cs = col.star_colouring(pattern, self.order)
        ks = int(cs.max()) + 1 if n else 0
        kc = int(col.column_colouring(pattern, self.order).max()) + 1 if n else 0
        reason = (f"A star colouring (symmetry used) needs {ks} colours; a column "
                  f"colouring ignoring symmetry would need {kc}.")
        return cs, SparseChoice(mode, (n, n), pattern.nnz, ks, f"column: {kc}",
                                reason, fallbacks)

    def _run(self, mode: str, e, x, unary):
        seeds = e.memo(("seeds", x.dtype),
                       lambda: seeds_of(e.colours, e.choice.colours, x.dtype))
        products = forward_products if mode == FOR.name else reverse_products
        _, T = products(grad(unary), x, seeds, self.chunk_size,
                        check=self._output_check(e, real_output), who=self.who)
        recover = e.memo("star", lambda: col.Recovery(e.pattern, e.colours, "star"))
        H = csr_fill((recover,), onp.dtype(x.dtype), T)
        return H, e.colours, e.choice._replace(mode=mode)

    def __call__(self, x, *args, **kwargs):
        """The Hessian at ``x`` (further arguments of ``fun`` held constant)."""
        x, unary, key, probe = self._point(x, args, kwargs)

        def compute(e):
            done = run_modes(self.who, [(m, lambda m=m: self._run(m.name, e, x, unary))
                                        for m in _ORDER[e.choice.mode]])
            H, colours, choice = done.value
            self._remember(e, done, colours, choice)
            return H
        H = self._retrying(compute, probe, key)
        return (H, self.choice) if self.explain else H


def _symmetrised(p) -> sps.csr_array:
    s = _bool(p + p.T)
    s.sort_indices()
    return s


def jacobian(fun: Callable, *, mode: str = "auto", order: str = "smallest_last",
             chunk_size: int | None = None, check_pattern: bool = False,
             explain: bool = False, pattern=None) -> SparseJacobian:
    r"""The sparse Jacobian of ``fun`` (one array in, one array out), as a reusable
    :class:`SparseJacobian`; ``jacobian(f)(x)`` is a ``scipy.sparse.csr_array``
    :math:`J_{ij} = \partial f_i / \partial x_j` (rows: ``f(x).ravel()``,
    columns: ``x.ravel()``), from k passes, k the number of colours of its
    pattern, instead of n (or m).

    Parameters
    ----------
    fun : callable
        One real array in, one array out; ``J(x, *args)`` passes further
        arguments, held constant (as ``scipy.optimize`` does).
    mode : {"auto", "fwd", "rev", "bi"}
        ``"auto"``: forward or reverse, the fewer colours; the split below when
        both need more than ``BI_AFTER`` passes and it needs fewer. ``"bi"``:
        JVPs for part of the pattern, VJPs for the rest (patterns with both a
        dense row and a dense column).
    order : str
        The vertex order of the greedy colouring: ``"smallest_last"``,
        ``"largest_first"`` or ``"natural"``.
    chunk_size : int, optional
        Directions per batched pass (memory bound); all at once by default.
    check_pattern : bool
        Detect the pattern again at every call and raise ``PatternChanged`` if it grew.
    explain : bool
        Calls return ``(J, SparseChoice)``.
    pattern : array_like or sparse matrix, optional
        A known boolean pattern (m x n): detection is skipped.

    Returns
    -------
    SparseJacobian
        Call it at a point for the ``csr_array``.

    Raises
    ------
    ValueError
        For an unknown ``mode`` or ``order``, a ``chunk_size`` that is not a
        positive int, or a ``pattern`` that is not a 2-D boolean array or
        ``scipy.sparse`` matrix.

    Examples
    --------
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
    r"""The sparse Hessian of a scalar ``fun``, as a reusable :class:`SparseHessian`;
    ``hessian(f)(x)`` is a symmetric ``scipy.sparse.csr_array``
    :math:`H_{ij} = \partial^2 f / \partial x_i \partial x_j`, from k
    Hessian-vector products, k the star colours of its pattern.

    Parameters
    ----------
    fun : callable
        A scalar function of one real array (further arguments at the call,
        held constant).
    order : str
        The vertex order of the greedy star colouring.
    chunk_size : int, optional
        Products per batched pass (memory bound).
    check_pattern : bool
        Detect the pattern again at every call and raise ``PatternChanged`` if it grew.
    explain : bool
        Calls return ``(H, SparseChoice)``.
    pattern : array_like or sparse matrix, optional
        A known symmetric boolean pattern (n x n): detection is skipped.

    Returns
    -------
    SparseHessian
        Call it at a point for the ``csr_array``.

    Raises
    ------
    ValueError
        For an unknown ``order``, a ``chunk_size`` that is not a positive int, or
        a ``pattern`` that is not a square boolean array or ``scipy.sparse`` matrix.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> H = hessian(lambda x: np.sum(x[1:] * x[:-1] ** 2))
    >>> H(np.array([1.0, 2.0, 3.0])).toarray()
    array([[4., 2., 0.],
           [2., 6., 4.],
           [0., 4., 0.]])
    """
    return SparseHessian(fun, order=order, chunk_size=chunk_size, check_pattern=check_pattern,
                         explain=explain, pattern=pattern)
