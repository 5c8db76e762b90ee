"""Colourings of sparsity patterns, and the exact decompression they allow.

A *column colouring* of a pattern ``P`` (m x n) groups structurally orthogonal
columns: no two columns of one colour have a nonzero in the same row. With
the seed matrix ``S`` (n x k, ``S[j, c] = 1`` iff column j has colour c), the
compressed product ``B = J S`` (k JVPs) holds every nonzero once:
``J[i, j] = B[i, colour[j]]``. A *row colouring* is a column colouring of
``P^T``; ``C = S^T J`` (k VJPs) gives ``J[i, j] = C[colour[i], j]``.

For a symmetric Hessian, a *star colouring* of the adjacency graph of ``H``
(vertices 0..n-1, an edge where ``H[i, j] != 0``, i != j) is a proper colouring
in which every path on four vertices uses at least three colours (each
two-coloured piece is a star) [Gebremedhin, Manne, Pothen, "What color is your
Jacobian?", SIAM Review 47 (2005)]. From ``B = H S``: ``H[i, i] = B[i, c(i)]``,
and for an edge (i, j), ``H[i, j] = B[i, c(j)]`` when j is the only neighbour of
i coloured c(j), else ``B[j, c(i)]``; the star property guarantees one of the
two holds. It needs fewer colours than a column colouring of ``H`` (which
would forbid every two-coloured path on three vertices).

All colourings are greedy (each vertex takes the smallest colour allowed) in
a chosen vertex order: ``"natural"``, ``"largest_first"`` (by degree) or
``"smallest_last"`` (the degeneracy order of Matula and Beck). Greedy is
optimal on the usual stencils: 3 colours for a tridiagonal pattern, 5 for the
2-D 5-point stencil.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as onp
import scipy.sparse as sps

__all__ = ["column_colouring", "row_colouring", "star_colouring", "bicolouring",
           "Bicolouring", "seed_matrix", "decompress_columns", "decompress_rows",
           "decompress_star", "Recovery", "is_column_colouring", "is_star_colouring", "ORDERS"]

ORDERS = ("natural", "largest_first", "smallest_last")


def _csr(p):
    p = sps.csr_array(p, dtype=bool)
    p.sum_duplicates()
    p.sort_indices()
    return p


def _without_diagonal(g):
    g = sps.csr_array(g, dtype=bool).tocoo()
    keep = g.row != g.col
    return _csr(sps.csr_array((g.data[keep], (g.row[keep], g.col[keep])), shape=g.shape))


def column_intersection_graph(pattern):
    """Columns j != l adjacent when they share a row: the pattern of P^T P."""
    p = _csr(pattern)
    return _without_diagonal(p.T @ p)


def vertex_order(graph, order: str = "smallest_last") -> onp.ndarray:
    """A vertex order for greedy colouring of the symmetric ``graph``."""
    n = graph.shape[0]
    deg = onp.diff(graph.indptr)
    if order == "natural":
        return onp.arange(n)
    if order == "largest_first":
        return onp.argsort(-deg, kind="stable")
    if order == "smallest_last":
        return _smallest_last(graph, deg)
    raise ValueError(f"order must be one of {ORDERS}, not {order!r}.")


def _smallest_last(graph, deg) -> onp.ndarray:
    """Repeatedly remove a vertex of least remaining degree; colour in the
    reverse removal order (buckets by degree: O(n + edges))."""
    n = graph.shape[0]
    indptr, indices = graph.indptr.tolist(), graph.indices.tolist()
    d = deg.tolist()
    buckets = [set() for _ in range(max(d, default=0) + 1)]
    for v in range(n):
        buckets[d[v]].add(v)
    removed = [False] * n
    out, low = [], 0
    for _ in range(n):
        low = max(low - 1, 0)
        while not buckets[low]:
            low += 1
        v = buckets[low].pop()
        removed[v] = True
        out.append(v)
        for u in indices[indptr[v]:indptr[v + 1]]:
            if not removed[u]:
                buckets[d[u]].discard(u)
                d[u] -= 1
                buckets[d[u]].add(u)
    return onp.array(out[::-1], dtype=onp.intp)


def _first_fit(g, order, mark_size: int) -> onp.ndarray:
    indptr, indices = g.indptr.tolist(), g.indices.tolist()
    colour = [-1] * g.shape[0]
    mark = [-1] * mark_size
    for v in order:
        for u in indices[indptr[v]:indptr[v + 1]]:
            c = colour[u]
            if c >= 0:
                mark[c] = v
        c = 0
        while mark[c] == v:
            c += 1
        colour[v] = c
    return onp.array(colour, dtype=onp.intp)


def _first_fit_by_class(g, colour) -> onp.ndarray:
    """First fit with the vertices grouped by colour class, the last class first
    (one round of Culberson's iterated greedy), a whole class per step: its
    vertices are pairwise non-adjacent, so the colour each one takes depends
    only on the classes before it. The colours are those of first fit vertex
    by vertex in that order, in a few vector operations per class."""
    n = g.shape[0]
    indptr, indices = g.indptr.astype(onp.int64), g.indices
    deg = onp.diff(indptr)
    new = onp.full(n, -1, onp.intp)
    classes = onp.argsort(-colour, kind="stable")
    bounds = onp.searchsorted(-colour[classes], onp.arange(-colour.max(), 1))
    for a, b in zip(bounds, list(bounds[1:]) + [n]):
        members = classes[a:b]
        if not len(members):
            continue
        lengths = deg[members]
        ends = onp.cumsum(lengths)
        # the neighbours of every member, and which member each belongs to
        pos = onp.repeat(indptr[members] - (ends - lengths), lengths) + onp.arange(ends[-1])
        owner = onp.repeat(onp.arange(len(members)), lengths)
        c = new[indices[pos]]
        done = c >= 0
        used = onp.zeros((len(members), int(new.max()) + 2), bool)
        used[owner[done], c[done]] = True
        new[members] = onp.argmin(used, axis=1)  # the first colour no neighbour has
    return new


def greedy(graph, order: str = "smallest_last", passes: int = 1) -> onp.ndarray:
    """A proper (distance-1) colouring of the symmetric ``graph``: colour[v] in 0..k-1.

    First fit in the vertex ``order``, then ``passes`` rounds of Culberson's
    iterated greedy: first fit again with the vertices grouped by colour, the
    last colour class first. A round never needs more colours (each class stays
    independent, so it can always keep its place or move earlier) and often
    needs fewer."""
    g = _csr(graph)
    size = int(max(onp.diff(g.indptr), default=0)) + 2
    colour = _first_fit(g, vertex_order(g, order).tolist(), size)
    for _ in range(passes):
        if colour.size == 0:
            break
        again = _first_fit_by_class(g, colour)
        if again.max() > colour.max():  # pragma: no cover (cannot happen; belt and braces)
            break
        colour = again
    return colour


def column_colouring(pattern, order: str = "smallest_last") -> onp.ndarray:
    """Colours of the columns of ``pattern``: structurally orthogonal within a
    colour (no row has two entries of one colour), so one JVP along the sum of a
    colour's unit vectors recovers all its columns.

    Parameters
    ----------
    pattern : array_like or sparse matrix
        A boolean m x n pattern.
    order : str
        The greedy colouring's vertex order, one of ``ORDERS``.

    Returns
    -------
    numpy.ndarray
        The colour (0, 1, ...) of each of the n columns.

    Raises
    ------
    ValueError
        For an unknown ``order``.

    Examples
    --------
    >>> import numpy as np
    >>> column_colouring(np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]]))
    array([0, 1, 0, 1])
    """
    return greedy(column_intersection_graph(pattern), order)


def row_colouring(pattern, order: str = "smallest_last") -> onp.ndarray:
    """Colours of the rows of ``pattern`` (a column colouring of its transpose):
    one VJP per colour recovers all its rows.

    Parameters
    ----------
    pattern : array_like or sparse matrix
        A boolean m x n pattern.
    order : str
        The greedy colouring's vertex order, one of ``ORDERS``.

    Returns
    -------
    numpy.ndarray
        The colour of each of the m rows.

    Raises
    ------
    ValueError
        For an unknown ``order``.

    Examples
    --------
    >>> import numpy as np
    >>> row_colouring(np.array([[1, 0], [1, 0], [0, 1]]))
    array([0, 1, 0])
    """
    return column_colouring(_csr(pattern).T, order)


def star_colouring(pattern, order: str = "smallest_last") -> onp.ndarray:
    """A star colouring of the adjacency graph of the symmetric ``pattern``.

    Greedy: vertex v may not take the colour of a neighbour w (distance 1), nor
    a colour that would make a path on four vertices two-coloured. With v at an
    end, v-w-x-y with c(x) = c(v), c(y) = c(w); with v second, u-v-w-x with
    c(u) = c(w), c(x) = c(v). Both are forbidden here (exactly, over the
    vertices already coloured). A star colouring lets each Hessian entry be read
    from one Hessian-vector product (symmetry used).

    Parameters
    ----------
    pattern : array_like or sparse matrix
        A symmetric boolean n x n pattern (the diagonal is ignored).
    order : str
        The greedy colouring's vertex order, one of ``ORDERS``.

    Returns
    -------
    numpy.ndarray
        The colour of each of the n variables.

    Raises
    ------
    ValueError
        For an unknown ``order``.

    Examples
    --------
    >>> import numpy as np
    >>> arrow = np.eye(4, dtype=bool); arrow[0, :] = arrow[:, 0] = True
    >>> star_colouring(arrow)  # the hub alone, the rest share one colour
    array([0, 1, 1, 1])
    """
    g = _without_diagonal(pattern)
    n = g.shape[0]
    ptr, idx = g.indptr.tolist(), g.indices.tolist()
    nbrs = [idx[ptr[v]:ptr[v + 1]] for v in range(n)]
    colour = [-1] * n
    for v in vertex_order(g, order).tolist():
        forbidden = set()
        seen = {}
        for w in nbrs[v]:
            if colour[w] >= 0:
                forbidden.add(colour[w])
                seen[colour[w]] = seen.get(colour[w], 0) + 1
        for w in nbrs[v]:
            cw = colour[w]
            if cw < 0:
                continue
            repeated = seen[cw] > 1  # u-v-w: v already sits between two cw's
            for x in nbrs[w]:
                cx = colour[x]
                if x == v or cx < 0 or cx in forbidden:
                    continue
                if repeated or any(colour[y] == cw for y in nbrs[x] if y != w):
                    forbidden.add(cx)
        c = 0
        while c in forbidden:
            c += 1
        colour[v] = c
    return onp.array(colour, dtype=onp.intp)


class Bicolouring(NamedTuple):
    """A bidirectional partition of a pattern into ``fwd + rev`` (disjoint): the
    entries of ``fwd`` come from JVPs with the column colours ``columns``, those
    of ``rev`` from VJPs with the row colours ``rows`` (-1: not seeded)."""
    fwd: sps.csr_array
    columns: onp.ndarray
    rev: sps.csr_array
    rows: onp.ndarray

    @property
    def jvps(self) -> int:
        return int(self.columns.max(initial=-1)) + 1

    @property
    def vjps(self) -> int:
        return int(self.rows.max(initial=-1)) + 1


def bicolouring(pattern, order: str = "smallest_last", candidates: int = 3) -> Bicolouring:
    """Split ``pattern`` for bidirectional evaluation: the fewest JVPs + VJPs
    among forward alone, reverse alone and two families of splits: the densest
    rows (row nnz >= t) from VJPs and every other row from JVPs, or the densest
    columns from JVPs and the rest from VJPs, t one of the ``candidates``
    largest counts. An arrowhead (a dense row and a dense column) needs 3
    passes where either mode alone needs n. Ties go to the first found
    (forward alone first: no tape).

    Why it is exact, for the row split: an output row outside the dense set has
    all its entries in ``fwd``, and the columns are coloured orthogonal on those
    rows; the dense rows are the only rows seeded in reverse, coloured
    orthogonal among themselves. The column split is the same, transposed.

    Parameters
    ----------
    pattern : array_like or sparse matrix
        A boolean m x n pattern.
    order : str
        The greedy colouring's vertex order, one of ``ORDERS``.
    candidates : int
        How many of the largest row (column) counts are tried as thresholds.

    Returns
    -------
    Bicolouring
        ``(fwd, columns, rev, rows)``: the two disjoint parts of the pattern and
        their colours (-1: not seeded); ``.jvps`` and ``.vjps`` count the passes.

    Raises
    ------
    ValueError
        For an unknown ``order``.

    Examples
    --------
    >>> import numpy as np
    >>> arrow = np.eye(6, dtype=bool); arrow[0, :] = arrow[:, 0] = True
    >>> b = bicolouring(arrow)   # either mode alone: 6 passes
    >>> b.jvps, b.vjps, b.fwd.nnz + b.rev.nnz == int(arrow.sum())
    (2, 1, True)
    """
    splits = list(_splits(_csr(pattern), candidates))
    # Colour in the order of a lower bound (a row of fwd with r entries needs r
    # JVPs, a column of rev with c entries c VJPs), skipping splits that cannot
    # win: an arrowhead's one-mode colourings (complete graphs) are never built.
    bounds = [_longest(f.indptr) + _longest(r.tocsc().indptr) for f, r in splits]
    best = None  # (passes, position, Bicolouring)
    for pos in sorted(range(len(splits)), key=lambda i: (bounds[i], i)):
        if best is not None and (bounds[pos], pos) >= best[:2]:
            continue
        b = _colour_split(*splits[pos], order)
        if best is None or (b.jvps + b.vjps, pos) < best[:2]:
            best = (b.jvps + b.vjps, pos, b)
    return best[2]


def bicolourings(pattern, order: str = "smallest_last", candidates: int = 3):
    """Every candidate of :func:`bicolouring`, coloured: forward alone, reverse
    alone, then the row splits and the column splits."""
    for fwd, rev in _splits(_csr(pattern), candidates):
        yield _colour_split(fwd, rev, order)


def _splits(p, candidates: int):
    """(fwd, rev) pairs: forward alone, reverse alone, the row and column splits."""
    coo = p.tocoo()
    none = _part(coo, onp.zeros(coo.nnz, bool))
    yield p, none
    yield none, p
    for dense_rows in _densest(onp.diff(p.indptr), candidates):
        sel = dense_rows[coo.row]
        yield _part(coo, ~sel), _part(coo, sel)
    for dense_cols in _densest(onp.diff(p.tocsc().indptr), candidates):
        sel = dense_cols[coo.col]
        yield _part(coo, sel), _part(coo, ~sel)


def _longest(indptr) -> int:
    return int(onp.diff(indptr).max(initial=0))


def _densest(counts: onp.ndarray, candidates: int):
    """Masks "count >= t" for the largest distinct nonzero counts t."""
    for t in sorted(set(counts[counts > 0].tolist()), reverse=True)[:candidates]:
        yield counts >= t


def _part(coo, sel) -> sps.csr_array:
    return _csr(sps.csr_array((onp.ones(int(sel.sum()), bool), (coo.row[sel], coo.col[sel])),
                              shape=coo.shape))


def _colour_split(fwd, rev, order) -> Bicolouring:
    """Column colours for ``fwd``, row colours for ``rev``; -1 where there is
    nothing to recover (no seed)."""
    cols = column_colouring(fwd, order) if fwd.nnz else onp.zeros(fwd.shape[1], onp.intp)
    rows = row_colouring(rev, order) if rev.nnz else onp.zeros(rev.shape[0], onp.intp)
    cols[onp.diff(fwd.tocsc().indptr) == 0] = -1
    rows[onp.diff(rev.indptr) == 0] = -1
    return Bicolouring(fwd, cols, rev, rows)


# ------------------------------------------------------------ checks
def is_column_colouring(pattern, colour) -> bool:
    """True when no two columns of one colour share a row."""
    p = _csr(pattern)
    if p.shape[1] == 0:
        return True
    counts = sps.csr_array(p.astype(onp.int64) @ seed_matrix(colour).astype(onp.int64))
    return counts.nnz == 0 or bool(counts.max() <= 1)


def is_star_colouring(pattern, colour) -> bool:
    """True when ``colour`` is proper on the adjacency graph of ``pattern`` and
    no path on four vertices a-w-x-y is two-coloured (c(a) = c(x), c(w) = c(y))."""
    g = _without_diagonal(pattern)
    colour = onp.asarray(colour)
    coo = g.tocoo()
    if onp.any(colour[coo.row] == colour[coo.col]):
        return False
    ptr, idx = g.indptr, g.indices
    for w, x in zip(coo.row, coo.col):  # (w, x) as the middle edge
        nw, nx = idx[ptr[w]:ptr[w + 1]], idx[ptr[x]:ptr[x + 1]]
        if onp.any(colour[nw[nw != x]] == colour[x]) and onp.any(colour[nx[nx != w]] == colour[w]):
            return False
    return True


# ------------------------------------------------------------ seeds, recovery
def seed_matrix(colour):
    """The n x k 0/1 matrix with S[j, colour[j]] = 1."""
    colour = onp.asarray(colour, dtype=onp.intp)
    k = int(colour.max()) + 1 if colour.size else 0
    return sps.csr_array((onp.ones(colour.size), (onp.arange(colour.size), colour)),
                         shape=(colour.size, k))


def _dense(B) -> onp.ndarray:
    return B.toarray() if sps.issparse(B) else onp.asarray(B)


class Recovery:
    """Where each nonzero of ``J`` sits in the compressed products, found once for a
    pattern and its colouring and reused at every call (a Newton loop recovers the same
    pattern many times): the CSR structure of the pattern (``indptr``, ``indices``, in
    canonical order) and, per nonzero, its flat position in the products, so that
    recovering ``J`` is one gather and no COO -> CSR conversion.

    ``kind`` says how the products are laid out:

    - ``"columns"``: ``T`` (k x m), row c the JVP of colour c (``T = (J S)^T``):
      ``J[i, j] = T[colour[j], i]``;
    - ``"rows"``: ``C`` (k x n), row c the VJP of colour c (``C = S^T J``):
      ``J[i, j] = C[colour[i], j]``;
    - ``"star"``: ``T`` (k x n), row c the Hessian-vector product of colour c
      (``T = (H S)^T``), ``colour`` a star colouring: ``H[i, i] = T[c(i), i]``, and
      ``H[i, j] = T[c(j), i]`` when j is i's only neighbour coloured c(j), else
      ``T[c(i), j]`` (the module docstring).
    """

    __slots__ = ("shape", "indptr", "indices", "flat")

    def __init__(self, pattern, colour, kind: str):
        p = _csr(pattern)
        colour = onp.asarray(colour, dtype=onp.intp)
        self.shape = p.shape
        self.indptr, self.indices = p.indptr, p.indices
        rows = onp.repeat(onp.arange(p.shape[0], dtype=onp.intp), onp.diff(p.indptr))
        cols = p.indices.astype(onp.intp)
        if kind == "columns":
            self.flat = colour[cols] * p.shape[0] + rows
        elif kind == "rows":
            self.flat = colour[rows] * p.shape[1] + cols
        elif kind == "star":
            n = p.shape[0]
            # neighbours of i with colour q: count[i, q]
            g = _without_diagonal(pattern)
            count = _dense(g.astype(onp.int64) @ seed_matrix(colour).astype(onp.int64))
            unique = onp.ones(len(rows), bool)
            off = rows != cols
            unique[off] = count[rows[off], colour[cols[off]]] == 1
            self.flat = onp.where(unique, colour[cols] * n + rows, colour[rows] * n + cols)
        else:  # pragma: no cover - the callers are this package's
            raise ValueError(f"kind must be 'columns', 'rows' or 'star', not {kind!r}")

    def __call__(self, products) -> sps.csr_array:
        """``J`` (or ``H``) as a ``csr_array`` from the compressed ``products``."""
        data = onp.ravel(_dense(products))[self.flat]
        # the structure is copied: the caller owns the matrix it gets (and may write it)
        return sps.csr_array((data, self.indices.copy(), self.indptr.copy()),
                             shape=self.shape)


def decompress_columns(pattern, colour, B):
    """``J`` as a ``csr_array`` from ``B = J S`` (m x k)."""
    return Recovery(pattern, colour, "columns")(_dense(B).T)


def decompress_rows(pattern, colour, C):
    """``J`` as a ``csr_array`` from ``C = S^T J`` (k x n)."""
    return Recovery(pattern, colour, "rows")(C)


def decompress_star(pattern, colour, B):
    """The symmetric ``H`` as a ``csr_array`` from ``B = H S`` (n x k), given a
    star colouring of ``pattern``'s adjacency graph."""
    return Recovery(pattern, colour, "star")(_dense(B).T)
