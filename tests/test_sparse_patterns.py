"""The patterns of the sparsity level (dualgrad.interpreters.patterns): the narrow
index-column representation (RowSets) and the CSR one give the same sets under
every helper, on random patterns with repeats and padding, and the width of a
pattern stays bounded along chains of unions."""
import numpy as onp
import pytest
import scipy.sparse as sps
from hypothesis import given, settings, strategies as st

import dualgrad.numpy as np
from dualgrad import sparse
from dualgrad.interpreters import patterns as P


@st.composite
def row_sets(draw, rows=None, n=None, max_width=20):
    """A RowSets with repeats and -1 padding, and its dense boolean matrix."""
    rows = draw(st.integers(0, 8)) if rows is None else rows
    n = draw(st.integers(1, 10)) if n is None else n
    k = draw(st.integers(0, max_width))
    entries = draw(st.lists(st.integers(-1, n - 1), min_size=rows * k, max_size=rows * k))
    idx = onp.array(entries, onp.int32).reshape(rows, k)
    dense = onp.zeros((rows, n), bool)
    for r, c in zip(*onp.nonzero(idx >= 0)):
        dense[r, idx[r, c]] = True
    p = P.RowSets(tuple(onp.ascontiguousarray(idx[:, j]) for j in range(k)), rows, n,
                  bool(onp.all(idx >= 0)), 0)
    return p, dense


@st.composite
def patterns(draw, rows=None, n=None):
    """Either representation, with its dense matrix."""
    p, dense = draw(row_sets(rows, n, max_width=8))
    return (p if draw(st.booleans()) else P.as_csr(p)), dense


def dense_of(p) -> onp.ndarray:
    m = P.as_csr(p)
    assert isinstance(m, sps.csr_array) and m.dtype == bool
    assert m.has_canonical_format
    m2 = m.copy()
    m2.has_canonical_format = False
    m2.sum_duplicates()  # scipy's own canonical form: nothing merged, nothing moved
    assert m2.nnz == m.nnz and onp.array_equal(m2.indices, m.indices)
    return m.toarray()


@settings(max_examples=150, deadline=None)
@given(row_sets())
def test_as_csr_is_the_canonical_matrix_of_the_sets(case):
    p, dense = case
    onp.testing.assert_array_equal(dense_of(p), dense)
    onp.testing.assert_array_equal(P.to_csr(p).toarray(), dense)
    back = P._compact(P.as_csr(p))
    onp.testing.assert_array_equal(dense_of(back), dense)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_take_rows_equals_selecting_dense_rows(data):
    p, dense = data.draw(patterns())
    rows = dense.shape[0]
    if rows:
        idx = onp.array(data.draw(st.lists(st.integers(-1, rows - 1), max_size=12)), int)
    else:
        idx = onp.array(data.draw(st.lists(st.just(-1), max_size=3)), int)
    want = onp.zeros((len(idx), dense.shape[1]), bool)
    want[idx >= 0] = dense[idx[idx >= 0]]
    onp.testing.assert_array_equal(dense_of(P.take_rows(p, idx)), want)
    if rows > 2:  # a contiguous run: the fast path that slices
        onp.testing.assert_array_equal(dense_of(P.take_rows(p, [1, 2])), dense[1:3])
        assert P.take_rows(p, onp.arange(rows)) is p


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_union_stack_and_mask_equal_the_dense_operations(data):
    rows, n = data.draw(st.integers(0, 6)), data.draw(st.integers(1, 8))
    parts = data.draw(st.lists(patterns(rows, n), min_size=1, max_size=4))
    ps = [p for p, _ in parts]
    onp.testing.assert_array_equal(dense_of(P.union(ps + [ps[0], None], rows, n)),
                                   onp.logical_or.reduce([d for _, d in parts]))
    stacked = data.draw(st.lists(patterns(None, n), min_size=1, max_size=4))
    onp.testing.assert_array_equal(dense_of(P.stack_rows([p for p, _ in stacked])),
                                   onp.concatenate([d for _, d in stacked]))
    p, dense = parts[0]
    keep = onp.array(data.draw(st.lists(st.booleans(), min_size=rows, max_size=rows)), bool)
    onp.testing.assert_array_equal(dense_of(P.mask_rows(p, keep)), dense & keep[:, None])
    onp.testing.assert_array_equal(P.nonempty_rows(p), dense.any(axis=1))
    onp.testing.assert_array_equal(P.columns(p), onp.nonzero(dense.any(axis=0))[0])
    out = P.dense_fallback(onp.zeros(3), [p, None], [None, None], {})
    onp.testing.assert_array_equal(dense_of(out), onp.repeat(dense.any(axis=0)[None], 3, 0))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_gather_union_equals_the_dense_unions(data):
    kind = data.draw(st.sampled_from(["any", "one to one", "equal groups", "one output"]))
    if kind == "equal groups":  # a short reduction: g rows into each output
        g, n_out = data.draw(st.integers(2, 4)), data.draw(st.integers(2, 4))
        p, dense = data.draw(patterns(rows=g * n_out))
        groups = onp.random.default_rng(g).permutation(onp.repeat(onp.arange(n_out), g))
    else:
        p, dense = data.draw(patterns())
        rows = dense.shape[0]
        if kind == "one to one":  # a scatter to distinct places
            n_out = rows + data.draw(st.integers(0, 3))
            groups = onp.random.default_rng(rows).permutation(n_out)[:rows]
        elif kind == "one output":  # a full reduction
            n_out, groups = 1, onp.zeros(rows, int)
        else:
            n_out = data.draw(st.integers(1, 5))
            groups = onp.array(data.draw(st.lists(st.integers(0, n_out - 1), min_size=rows,
                                                  max_size=rows)), int)
    want = onp.zeros((n_out, dense.shape[1]), bool)
    for j, out in enumerate(groups):
        want[out] |= dense[j]
    onp.testing.assert_array_equal(dense_of(P.gather_union(groups, n_out, p)), want)


def test_the_sorting_network_sorts_every_binary_input():
    """0-1 principle: a comparator network sorts everything iff it sorts 0/1 inputs."""
    for k in range(1, P.FREE + 1):
        X = (onp.arange(2 ** k)[:, None] >> onp.arange(k)) & 1
        p = P.RowSets(tuple(onp.ascontiguousarray(X[:, j]) for j in range(k)), 2 ** k, 2,
                      True, 0)
        assert onp.all(onp.diff(P._sorted_rows(p), axis=1) >= 0), k


def test_a_chain_of_unions_of_equal_sets_stays_narrow():
    widths = []

    def f(x):
        for _ in range(40):  # x + (a copy of x): the sets never grow
            x = x + x[::-1][::-1]
            widths.append(len(x.pattern.cols))
        return x
    pattern = sparse.jacobian_sparsity(f, onp.ones(50))
    onp.testing.assert_array_equal(pattern.toarray(), onp.eye(50, dtype=bool))
    assert max(widths) <= 2 * P.FREE

    p, rev = P.identity(50), onp.arange(50)[::-1]
    for _ in range(200):  # and at the level of the helpers, sets that do grow
        p = P.union([p, P.take_rows(p, onp.roll(rev, 1))], 50, 50)
        assert not isinstance(p, P.RowSets) or len(p.cols) <= P.KMAX


def test_a_dense_row_is_held_as_csr_not_padded():
    n = 2000
    x = onp.linspace(0.5, 1.5, n)
    seen = {}

    def f(x):
        out = np.concatenate([np.sum(x ** 2)[None], x[0] * x[1:]])  # an arrowhead
        seen["pattern"] = out.pattern
        return out
    pattern = sparse.jacobian_sparsity(f, x)
    assert isinstance(seen["pattern"], sps.csr_array)
    assert pattern.nnz == n + 2 * (n - 1)
    assert pattern[[0]].nnz == n and pattern[:, [0]].nnz == n  # (scipy 1.13: no 1-D slices)


@pytest.mark.parametrize("n", [1, 7])
def test_empty_and_identity(n):
    onp.testing.assert_array_equal(dense_of(P.empty(3, n)), onp.zeros((3, n), bool))
    onp.testing.assert_array_equal(dense_of(P.identity(n)), onp.eye(n, dtype=bool))
    assert P.identity(n).nnz == n


def _band(x, k):
    out = x
    for s in range(1, k):
        out = out + np.roll(x, s)
    return out


_MASK = onp.array([1.0, 0.0, 2.0, 0.0, 3.0, 1.0, 0.0, 1.0, 1.0, 2.0, 0.0, 1.0])
_EDGE_CASES = {  # through every representation: narrow, deduplicated, CSR and back
    "scalar output": lambda x: np.sum(x ** 2)[None],
    "empty pieces": lambda x: np.concatenate([x[5:5], x * 2.0, x[3:3] ** 2]),
    "zero constants": lambda x: _MASK * x + np.sin(x[::-1]) * _MASK[::-1],
    "where with a constant": lambda x: np.where(x > 1.0, x ** 2, 0.0),
    "20-wide band (deduplicated)": lambda x: _band(x, 20) * x,
    "40-wide band (CSR) then narrow ops": lambda x: np.roll(_band(x, 40) * x, 3)[::2] + x[1::2],
    "centred columns": lambda x: np.ravel(np.reshape(x, (3, 4)) -
                                          np.mean(np.reshape(x, (3, 4)), axis=0)),
    "dense rows then a gather": lambda x: np.concatenate([np.cumsum(x), x])[::-1][::3] * x[:8],
}


@pytest.mark.parametrize("name", sorted(_EDGE_CASES))
def test_edge_cases_equal_the_dense_jacobian_nonzeros(name):
    import dualgrad
    f = _EDGE_CASES[name]
    n = 12 if "band" not in name else 60
    x = onp.random.default_rng(3).uniform(0.5, 1.5, n)
    info = sparse.jacobian_sparsity(f, x, info=True)
    dense = onp.asarray(dualgrad.jacobian(f)(x)).reshape(-1, x.size) != 0
    onp.testing.assert_array_equal(info.pattern.toarray(), dense)
    assert info.fallbacks == {}
