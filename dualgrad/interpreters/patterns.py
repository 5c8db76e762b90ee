"""Dependency patterns of the sparsity level: for each of ``rows`` elements of a
value, the set of the ``n`` input elements it depends on (a boolean matrix of
shape ``(rows, n)``). Two representations:

- ``RowSets``, for the common case "every row has a few entries" (stencils,
  elementwise chains, selections): ``k <= KMAX`` index columns, each an int
  array of length ``rows``; row ``r`` depends on ``cols[0][r], ..., cols[k-1][r]``,
  -1 meaning "nothing". A column may repeat in a row: a union is the
  concatenation of the tuples of columns (no array work at all), deduplicated
  only when the width has doubled since the last deduplication, so chains like
  ``x = x + x[::-1][::-1]`` stay bounded. Selecting rows (reshape, transpose,
  roll, indexing, broadcasting) is one gather per column, stacking one
  concatenation per column, a scalar factor nothing;
- a boolean ``scipy.sparse.csr_array`` (canonical: sorted, no duplicates), for
  general sparse algebra (products, scatters that add up rows, long reductions
  along an inner axis) and for rows with many entries, such as an arrowhead's
  dense row, where ``k`` columns of ``rows`` entries would cost O(rows * n). A
  scatter to distinct places is a gather, a short reduction a union of
  gathers, a full reduction the set of the columns present.

The helpers take either and choose the representation of their answer: a CSR
answer whose rows fit a few columns becomes ``RowSets`` again. ``to_csr`` gives
the canonical boolean ``csr_array``, once, at the end of a detection (a sorting
network over the columns, then duplicates dropped). Every helper costs
O(entries handled); none builds an O(rows * n) array.
"""
from __future__ import annotations

import functools

import numpy as onp
import scipy.sparse as sps

__all__ = ["RowSets", "empty", "identity", "take_rows", "union", "stack_rows", "from_coo",
           "gather_union",
           "times", "mask_rows", "nonempty_rows", "columns", "dense_fallback", "as_csr",
           "to_csr"]

KMAX = 32  # at most this many index columns; wider patterns are CSR
FREE = 16  # widths up to this are never deduplicated before the end


def _itype(n: int):
    return onp.int32 if n < 2 ** 31 - 1 else onp.int64


class RowSets:
    """Per row, the columns it depends on, as ``k`` index columns (-1: none;
    repeats allowed). ``full``: no -1 anywhere; ``distinct``: the width at the
    last deduplication (a lower bound on the largest number of distinct entries
    of a row), which decides when to deduplicate again."""

    __slots__ = ("cols", "rows", "n", "full", "distinct")

    def __init__(self, cols: tuple, rows: int, n: int, full: bool, distinct: int):
        self.cols, self.rows, self.n, self.full, self.distinct = cols, rows, n, full, distinct

    @property
    def shape(self) -> tuple[int, int]:
        return (self.rows, self.n)

    @property
    def nnz(self) -> int:
        return as_csr(self).nnz

    def __repr__(self):
        return f"RowSets(shape={self.shape}, width={len(self.cols)}, full={self.full})"


# ------------------------------------------------------------ constructors
def empty(rows: int, n: int) -> RowSets:
    """A pattern with no dependencies."""
    return RowSets((), rows, n, True, 0)


def identity(n: int) -> RowSets:
    """Element i depends on input i."""
    return RowSets((onp.arange(n, dtype=_itype(n)),), n, n, True, 1)


def _fits(rows: int, k: int, entries: int) -> bool:
    """Whether rows with ``entries`` entries in all fit ``k`` index columns
    without the padding dominating."""
    return k <= FREE or (k <= KMAX and rows * k <= 2 * entries)


# ------------------------------------------------------------ conversions
@functools.lru_cache(maxsize=None)
def _network(k: int) -> tuple:
    """Batcher's odd-even merge sorting network on k wires (comparators (a, b),
    a < b, after which wire a holds the smaller value). Built for the next power
    of two; comparators touching the missing wires (+inf) are no-ops, dropped."""
    m, pairs, p = 1 << max(k - 1, 0).bit_length(), [], 1
    while p < m:
        step = p
        while step >= 1:
            for j in range(step % p, m - step, 2 * step):
                for i in range(min(step, m - j - step)):
                    if (i + j) // (2 * p) == (i + j + step) // (2 * p) and i + j + step < k:
                        pairs.append((i + j, i + j + step))
            step //= 2
        p *= 2
    return tuple(pairs)


def _sorted_rows(p: RowSets) -> onp.ndarray:
    """The (rows, k) array of ``p``'s entries, each row sorted (-1 first)."""
    cols = list(p.cols)
    if len(cols) > FREE:
        return onp.sort(onp.stack(cols, axis=1), axis=1)
    for a, b in _network(len(cols)):  # columnwise: a few vector ops per comparator
        lo = onp.minimum(cols[a], cols[b])
        cols[b] = onp.maximum(cols[a], cols[b])
        cols[a] = lo
    return onp.stack(cols, axis=1)


def as_csr(p) -> sps.csr_array:
    """``p`` as a canonical boolean ``csr_array`` (sorted indices, no duplicates)."""
    if not isinstance(p, RowSets):
        return p
    rows, k = p.rows, len(p.cols)
    if k == 0 or rows == 0:
        m = sps.csr_array((rows, p.n), dtype=bool)
        m.has_canonical_format = True
        return m
    s = _sorted_rows(p).reshape(-1)  # a fresh array: ours to change in place
    itype = _itype(max(rows * k, p.n + 1))
    indptr = onp.arange(0, rows * k + 1, k, dtype=itype)
    if p.full:
        return _merge_sorted(s, indptr, p.shape)
    # -1 sorts first: shift by one so that it is column 0 of an (rows, n + 1)
    # matrix, then drop that column
    s += 1
    m = _merge_sorted(s, indptr, (rows, p.n + 1))
    if m.nnz and m.indices.min() == 0:
        m.data[m.indices == 0] = False
        m.eliminate_zeros()
    m.indices -= 1
    out = sps.csr_array((m.data, m.indices, m.indptr), shape=p.shape)
    out.has_canonical_format = True
    return out


def _merge_sorted(indices, indptr, shape) -> sps.csr_array:
    """The csr_array of rows with sorted indices, repeats merged (by scipy, in place)."""
    m = sps.csr_array((onp.ones(len(indices), bool), indices, indptr), shape=shape)
    m.has_sorted_indices = True
    m.sum_duplicates()  # bool data: repeats merge to True
    return m


def _compact(m: sps.csr_array):
    """A canonical boolean csr_array as RowSets when its rows fit a few columns."""
    rows, n = m.shape
    lengths = onp.diff(m.indptr)
    k = int(lengths.max()) if rows else 0
    if not _fits(rows, k, m.nnz):
        return m
    idx = onp.full((rows, k), -1, _itype(n))
    if k:
        pos = onp.repeat(onp.arange(rows, dtype=onp.int64) * k - m.indptr[:-1], lengths)
        idx.reshape(-1)[pos + onp.arange(m.nnz)] = m.indices
    cols = tuple(onp.ascontiguousarray(idx[:, j]) for j in range(k))
    return RowSets(cols, rows, n, bool(onp.all(lengths == k)), k)


def to_csr(p) -> sps.csr_array:
    """The canonical boolean ``csr_array`` of a pattern (the detection's answer)."""
    m = _bool(as_csr(p))
    m.sort_indices()
    return m


def _bool(p) -> sps.csr_array:
    p = sps.csr_array(p)
    if p.dtype != bool:
        p = p.astype(bool)
    p.sum_duplicates()
    return p


# ------------------------------------------------------------ the algebra
def take_rows(p, idx):
    """Rows ``idx`` of ``p``, in that order (repeats allowed; a negative index
    gives an empty row: an element that depends on no input)."""
    idx = onp.asarray(idx, dtype=onp.intp).reshape(-1)
    rows, size = p.shape[0], len(idx)
    if size == 0 or rows == 0 or not isinstance(p, RowSets) or not p.cols:
        if size == rows and (size == 0 or _is_range(idx, 0, size)):
            return p
        return _compact(_take_csr(p, idx)) if isinstance(p, sps.sparray) else \
            empty(size, p.n)
    start = int(idx[0])
    if 0 <= start and start + size <= rows and _is_range(idx, start, size):
        if size == rows:  # reshape, ravel, a full slice
            return p
        return RowSets(tuple(c[start:start + size] for c in p.cols), size, p.n, p.full,
                       p.distinct)  # views: patterns are never changed in place
    cols = tuple(c.take(idx) for c in p.cols)  # -1 takes the last row: reset below
    negative = bool(idx.size) and idx.min() < 0
    if negative:
        neg = idx < 0
        for c in cols:
            c[neg] = -1
    return RowSets(cols, len(idx), p.n, p.full and not negative, p.distinct)


def _is_range(idx: onp.ndarray, start: int, size: int) -> bool:
    """Whether ``idx`` is ``start, start + 1, ..., start + size - 1``."""
    return int(idx[-1]) == start + size - 1 and \
        onp.array_equal(idx, onp.arange(start, start + size))


def _take_csr(p: sps.csr_array, idx: onp.ndarray) -> sps.csr_array:
    if p.shape[0] == 0:  # only negative indices: empty rows
        return as_csr(empty(len(idx), p.shape[1]))
    indptr, indices = p.indptr, p.indices
    lengths = (indptr[1:] - indptr[:-1])[idx]
    starts = indptr[idx].astype(onp.int64)
    if idx.size and idx.min() < 0:
        lengths[idx < 0] = 0
    new_ptr = onp.zeros(len(idx) + 1, dtype=onp.int64)
    onp.cumsum(lengths, out=new_ptr[1:])
    total = int(new_ptr[-1])
    # position of each kept nonzero in the old arrays: its row's start + its rank
    pos = onp.repeat(starts - new_ptr[:-1], lengths) + onp.arange(total)
    m = sps.csr_array((onp.ones(total, bool), indices[pos], new_ptr),
                      shape=(len(idx), p.shape[1]))
    m.has_canonical_format = p.has_canonical_format
    return m


def union(parts, rows: int, n: int):
    """Elementwise OR of patterns of one shape (None entries skipped)."""
    unique = {id(p): p for p in parts if p is not None}  # x * x: one pattern, no work
    if not unique:
        return empty(rows, n)
    parts = list(unique.values())
    if len(parts) == 1:
        return parts[0]
    if all(isinstance(p, RowSets) for p in parts):
        distinct = max(p.distinct for p in parts)
        out = RowSets(sum((p.cols for p in parts), ()), rows, n, all(p.full for p in parts),
                      distinct)
        if len(out.cols) > max(FREE, 2 * distinct):  # bounds x = x + x chains
            return _compact(as_csr(out))
        return out
    out = as_csr(parts[0])
    for p in parts[1:]:
        out = out + as_csr(p)
    return _compact(_bool(out))


def stack_rows(patterns):
    """The patterns one under the other (all with the same number of columns)."""
    if len(patterns) == 1:
        return patterns[0]
    n, rows = patterns[0].shape[1], sum(p.shape[0] for p in patterns)
    if all(isinstance(p, RowSets) for p in patterns):
        k = max(len(p.cols) for p in patterns)
        if _fits(rows, k, sum(p.rows * len(p.cols) for p in patterns)):
            dtype = _itype(n)
            cols = tuple(onp.concatenate([p.cols[j] if j < len(p.cols) else
                                          onp.full(p.rows, -1, dtype) for p in patterns])
                         for j in range(k))
            return RowSets(cols, rows, n, all(p.full and len(p.cols) == k for p in patterns),
                           max(p.distinct for p in patterns))
    patterns = [as_csr(p) for p in patterns]
    ptrs, offset = [onp.zeros(1, onp.int64)], 0
    for p in patterns:
        ptrs.append(p.indptr[1:].astype(onp.int64) + offset)
        offset += int(p.indptr[-1])
    indices = onp.concatenate([p.indices for p in patterns])
    m = sps.csr_array((onp.ones(len(indices), bool), indices, onp.concatenate(ptrs)),
                      shape=(rows, n))
    m.has_canonical_format = True  # the parts are canonical
    return _compact(m)


def times(m, p):
    """``m @ p`` for a 0/1 matrix ``m``: output row i is the union of the rows of
    ``p`` that row i of ``m`` selects."""
    return _compact(_bool(m @ as_csr(p)))


def gather_union(groups, n_out: int, p):
    """Output row ``groups[j]`` gathers row j of ``p``: the union of those rows
    (scatters, reductions). Without general algebra when the map is one to one
    (a scatter to distinct places: one gather), when every output gathers the
    same few rows (a short reduction: a union of gathers), or when all rows go
    to one output (its row: every column ``p`` holds)."""
    groups = onp.asarray(groups, onp.intp).reshape(-1)
    rows, n = p.shape
    if isinstance(p, RowSets) and rows:
        counts = onp.bincount(groups, minlength=n_out)
        g = int(counts.max())
        if g == 1:  # one to one: output i takes its row, or none
            inv = onp.full(n_out, -1, onp.intp)
            inv[groups] = onp.arange(rows)
            return take_rows(p, inv)
        if n_out == 1:
            cols = columns(p)
            return _compact(sps.csr_array((onp.ones(len(cols), bool), cols, [0, len(cols)]),
                                          shape=(1, n)))
        if g * len(p.cols) <= FREE and onp.all(counts == g):
            members = onp.argsort(groups, kind="stable").reshape(n_out, g)
            return union([take_rows(p, members[:, t]) for t in range(g)], n_out, n)
    return from_coo(groups, onp.arange(len(groups)), (n_out, len(groups)), p)


def from_coo(rows, cols, shape, pattern=None):
    """The 0/1 matrix with ones at (rows, cols); times ``pattern`` when given: each
    output row is then the union of the pattern rows it selects (duplicates merge)."""
    m = sps.csr_array((onp.ones(len(rows), bool), (rows, cols)), shape=shape)
    return m if pattern is None else times(m, pattern)


def mask_rows(p, keep: onp.ndarray):
    """``p`` with the rows where ``keep`` is False emptied (a product with a
    constant that is zero there)."""
    keep = onp.asarray(keep, bool).reshape(-1)
    if isinstance(p, RowSets):
        cols = tuple(onp.where(keep, c, -1).astype(c.dtype, copy=False) for c in p.cols)
        return RowSets(cols, p.rows, p.n, p.full and bool(keep.all()), p.distinct)
    return _compact(_bool(sps.diags_array(keep.astype(float)) @ p))


def nonempty_rows(p) -> onp.ndarray:
    """Which rows depend on some input."""
    if isinstance(p, RowSets):
        if p.full or not p.cols:
            return onp.full(p.rows, bool(p.cols))
        return functools.reduce(onp.logical_or, [c >= 0 for c in p.cols])
    return onp.diff(p.indptr) > 0


def columns(p) -> onp.ndarray:
    """The input elements some row depends on, sorted."""
    seen = onp.zeros(p.shape[1] + 1, bool)  # the last slot takes the -1s
    for c in (p.cols if isinstance(p, RowSets) else (p.indices,)):
        seen[c] = True
    return onp.flatnonzero(seen[:-1]).astype(_itype(p.shape[1]))


def dense_fallback(ans, pats, vals, kwargs):
    """Every output element depends on every input element any traced argument
    depends on: the safe answer for a primitive with no sparsity rule."""
    traced = [p for p in pats if p is not None]
    n = traced[0].shape[1]
    cols = onp.unique(onp.concatenate([columns(p) for p in traced])).astype(_itype(n))
    outs = ans if isinstance(ans, (tuple, list)) else (ans,)
    res = []
    for a in outs:
        rows = int(onp.size(a))
        if len(cols) <= KMAX:
            res.append(RowSets(tuple(onp.full(rows, c, cols.dtype) for c in cols), rows, n,
                               True, len(cols)))
        else:
            m = sps.csr_array((onp.ones(rows * len(cols), bool), onp.tile(cols, rows),
                               onp.arange(rows + 1) * len(cols)), shape=(rows, n))
            m.has_canonical_format = True
            res.append(m)
    return type(ans)(res) if isinstance(ans, (tuple, list)) else res[0]
