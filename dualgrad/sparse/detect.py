"""Sparsity detection: one more trace level, beside forward, reverse and batching.

A ``Sparsity`` tracer carries the value of an array (computed as usual) and,
for every element of it, the set of input elements it depends on: a boolean
``scipy.sparse.csr_array`` ``pattern`` of shape ``(value.size, n_in)``, rows in
C order. The input starts as the identity. Each primitive maps the patterns of
its arguments to the pattern of its answer by a *sparsity rule*
(``dualgrad.sparse.rules``): elementwise functions keep the pattern, shape and
indexing primitives select rows, reductions take unions of rows, products are
structural. A primitive without a rule falls back to "every output element
depends on every input element any argument depends on": correct (never too
sparse), only less sparse; the level counts such fallbacks.

Values are real, so Python control flow (``if x[0] > 0``), masks in ``where``
and the choice of a ``max`` all follow the values at the point ``x``: the
pattern found is the one of the Jacobian *at x* (local). Constants that are
zero are structural zeros of products (``A @ x`` with a sparse-structured
``A``). Every rule costs O(number of nonzeros handled), never O(m * n).
"""
from __future__ import annotations

import collections
from typing import Callable

import numpy as onp
import scipy.sparse as sps

from ..core import Level, Tracer, _is_differentiable, getval

__all__ = ["Sparsity", "SparsityLevel", "jacobian_sparsity", "hessian_sparsity",
           "SPARSITY_RULES", "def_sparsity"]

# SPARSITY_RULES[prim](ans, pats, vals, kwargs) -> the pattern of ans (or a tuple of
# them for a tuple answer). pats[i] is None where argument i is not traced here;
# vals are the plain argument values; ans is the plain answer.
SPARSITY_RULES: dict = {}


def def_sparsity(prim, rule: Callable = None):
    """Register ``rule(ans, pats, vals, kwargs)`` as ``prim``'s sparsity rule."""
    def register(r):
        SPARSITY_RULES[prim] = r
        return r
    return register if rule is None else register(rule)


class Sparsity(Tracer):
    """A value and, per element, the input elements it depends on."""

    __slots__ = ("pattern",)

    def __init__(self, value, pattern, level: "SparsityLevel"):
        self.value = value
        self.pattern = pattern
        self._level = level

    def __repr__(self):
        return (f"Sparsity(shape={onp.shape(getval(self.value))}, nnz={self.pattern.nnz}, "
                f"level={self._level.depth})")


class SparsityLevel(Level):
    """A sparsity-detection trace over ``n_in`` input elements."""

    __slots__ = ("n_in", "fallbacks")

    def __init__(self, depth: int, n_in: int):
        super().__init__(depth)
        self.n_in = n_in
        self.fallbacks = collections.Counter()  # primitive name -> dense fallbacks used

    def process(self, prim, args, kwargs):
        vals, pats, outer = list(args), [None] * len(args), False
        for i, a in enumerate(args):
            if type(a) is Sparsity and a._level is self:
                vals[i], pats[i] = a.value, a.pattern
                outer = outer or isinstance(a.value, Tracer)
            elif isinstance(a, Tracer):
                outer = True
        ans = prim(*vals, **kwargs) if outer else prim.fun(*vals, **kwargs)
        plain = [getval(v) for v in vals]
        rule = SPARSITY_RULES.get(prim)
        if rule is None and prim.__dict__.get("elementwise"):
            rule = SPARSITY_RULES.get("elementwise")
        if rule is None:
            self.fallbacks[prim.name] += 1
            rule = dense_fallback
        out = rule(_plain_tree(ans), pats, plain, kwargs)
        if isinstance(ans, (tuple, list)):
            return type(ans)(self._wrap(a, p) for a, p in zip(ans, out))
        return self._wrap(ans, out)

    def _wrap(self, ans, pattern):
        if not _is_differentiable(ans):
            return ans
        return Sparsity(ans, pattern, self)


def _plain_tree(ans):
    if isinstance(ans, (tuple, list)):
        return type(ans)(getval(a) for a in ans)
    return getval(ans)


# ------------------------------------------------------------ pattern helpers
def empty(rows: int, n: int):
    """A pattern with no dependencies."""
    return sps.csr_array((onp.zeros(0, bool), onp.zeros(0, onp.int32),
                          onp.zeros(rows + 1, onp.int32)), shape=(rows, n))


def identity(n: int):
    return sps.csr_array((onp.ones(n, bool), onp.arange(n), onp.arange(n + 1)), shape=(n, n))


def from_coo(rows, cols, shape, pattern=None):
    """The 0/1 matrix with ones at (rows, cols); times ``pattern`` when given: each
    output row is then the union of the pattern rows it selects (duplicates merge)."""
    m = sps.csr_array((onp.ones(len(rows), bool), (rows, cols)), shape=shape)
    return m if pattern is None else _bool(m @ pattern)


def _bool(p):
    p = sps.csr_array(p)
    if p.dtype != bool:
        p = p.astype(bool)
    p.sum_duplicates()
    return p


def union(parts, rows: int, n: int):
    """Elementwise OR of patterns of one shape (None entries skipped)."""
    unique = {id(p): p for p in parts if p is not None}  # x * x: one pattern, no work
    if not unique:
        return empty(rows, n)
    parts = list(unique.values())
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out


def take_rows(pattern, idx):
    """Rows ``idx`` of ``pattern``, in that order (repeats allowed; a negative
    index gives an empty row: an element that depends on no input)."""
    idx = onp.asarray(idx, dtype=onp.intp).ravel()
    if len(idx) == pattern.shape[0] and onp.array_equal(idx, onp.arange(len(idx))):
        return pattern
    indptr, indices = pattern.indptr, pattern.indices
    rows, n = pattern.shape
    negative = bool(idx.size) and idx.min() < 0
    width = int(indptr[-1]) // rows if rows else 0
    if not negative and rows and width * rows == indptr[-1] and \
            onp.array_equal(indptr, onp.arange(rows + 1) * width):
        # every row has `width` entries (the input's identity, periodic stencils): one gather
        return _csr(onp.ones(len(idx) * width, bool), indices.reshape(rows, width)[idx].ravel(),
                    onp.arange(len(idx) + 1) * width, (len(idx), n))
    lengths = (indptr[1:] - indptr[:-1])[idx]
    starts = indptr[idx].astype(onp.int64)
    if negative:
        lengths[idx < 0] = 0
    new_ptr = onp.zeros(len(idx) + 1, dtype=onp.int64)
    onp.cumsum(lengths, out=new_ptr[1:])
    total = int(new_ptr[-1])
    # position of each kept nonzero in the old arrays: its row's start + its rank
    pos = onp.repeat(starts - new_ptr[:-1], lengths) + onp.arange(total)
    return sps.csr_array((onp.ones(total, bool), indices[pos], new_ptr),
                         shape=(len(idx), pattern.shape[1]))


def _csr(data, indices, indptr, shape):
    return sps.csr_array((data, indices, indptr), shape=shape)


def stack_rows(patterns):
    """The patterns one under the other (all with the same number of columns)."""
    if len(patterns) == 1:
        return patterns[0]
    ptrs, offset = [onp.zeros(1, onp.int64)], 0
    for p in patterns:
        ptrs.append(p.indptr[1:].astype(onp.int64) + offset)
        offset += int(p.indptr[-1])
    indices = onp.concatenate([p.indices for p in patterns])
    rows = sum(p.shape[0] for p in patterns)
    return sps.csr_array((onp.ones(len(indices), bool), indices, onp.concatenate(ptrs)),
                         shape=(rows, patterns[0].shape[1]))


def nonempty_rows(pattern) -> onp.ndarray:
    return onp.diff(pattern.indptr) > 0


def dense_fallback(ans, pats, vals, kwargs):
    """Every output element depends on every input element any traced argument
    depends on: the safe answer for a primitive with no sparsity rule."""
    traced = [p for p in pats if p is not None]
    n = traced[0].shape[1]
    cols = onp.unique(onp.concatenate([p.indices for p in traced]))
    outs = ans if isinstance(ans, (tuple, list)) else (ans,)
    res = []
    for a in outs:
        rows = int(onp.size(a))
        res.append(sps.csr_array((onp.ones(rows * len(cols), bool), onp.tile(cols, rows),
                                  onp.arange(rows + 1) * len(cols)), shape=(rows, n)))
    return type(ans)(res) if isinstance(ans, (tuple, list)) else res[0]


# ------------------------------------------------------------ entry points
class SparsityInfo(collections.namedtuple("SparsityInfo", "pattern fallbacks")):
    """A detected pattern and the primitives that used the dense fallback
    (``{name: count}``; empty when every step had an exact rule)."""


def _check_input(x, who: str) -> onp.ndarray:
    x = onp.asarray(getval(x)) if isinstance(x, Tracer) else onp.asarray(x)
    if x.dtype.kind not in "fiub":
        raise TypeError(f"{who}: x must be a real array, got dtype {x.dtype}. Sparse "
                        "Jacobians are defined over real inputs; split a complex input "
                        "into its real and imaginary parts.")
    if x.dtype.kind != "f":
        x = x.astype(float)
    return x


def jacobian_sparsity(fun: Callable, x, *, info: bool = False) -> "sps.csr_array | SparsityInfo":
    """The Jacobian's sparsity pattern of ``fun`` at ``x``: a boolean
    ``scipy.sparse.csr_array`` of shape ``(out.size, x.size)`` (rows: the output
    raveled in C order; columns: ``x`` raveled), True where output ``i`` depends
    on input ``j``. Found in one evaluation of ``fun`` at the sparsity level.

    ``info=True`` returns a ``SparsityInfo(pattern, fallbacks)``.

    >>> import dualgrad.numpy as np
    >>> jacobian_sparsity(lambda x: x[1:] - x[:-1], np.zeros(4)).toarray().astype(int)
    array([[1, 1, 0, 0],
           [0, 1, 1, 0],
           [0, 0, 1, 1]])
    """
    x = _check_input(x, "jacobian_sparsity")
    n = x.size
    with SparsityLevel.new(n) as level:
        out = fun(Sparsity(x, identity(n), level))
    if isinstance(out, (tuple, list, dict)):
        raise TypeError("jacobian_sparsity: fun must return one array, not a "
                        f"{type(out).__name__}; concatenate the raveled outputs.")
    if type(out) is Sparsity and out._level is level:
        pattern = out.pattern
    else:  # the output does not depend on x
        pattern = empty(int(onp.size(getval(out))), n)
    pattern = sps.csr_array(pattern)
    pattern.sort_indices()
    return SparsityInfo(pattern, dict(level.fallbacks)) if info else pattern


def hessian_sparsity(fun: Callable, x, *, info: bool = False) -> "sps.csr_array | SparsityInfo":
    """The sparsity pattern of the Hessian of a scalar ``fun`` at ``x``: the
    Jacobian pattern of its gradient (the reverse pass is traced at the sparsity
    level), made symmetric. A boolean ``csr_array`` of shape ``(x.size, x.size)``."""
    from ..transforms import grad
    x = _check_input(x, "hessian_sparsity")

    def g(v):
        return grad(fun)(v)
    res = jacobian_sparsity(g, x, info=True)
    p = _bool(res.pattern + res.pattern.T)
    p.sort_indices()
    return SparsityInfo(p, res.fallbacks) if info else p
