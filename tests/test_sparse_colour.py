"""Colourings (dualgrad.sparse.colour) are valid on random patterns, and their
decompression recovers every nonzero exactly."""
import numpy as onp
import pytest
import scipy.sparse as sps
from hypothesis import given, strategies as st

from dualgrad.sparse import colour as col


@st.composite
def patterns(draw, square=False, symmetric=False):
    m = draw(st.integers(1, 14))
    n = m if square or symmetric else draw(st.integers(1, 14))
    density = draw(st.floats(0.0, 0.6))
    seed = draw(st.integers(0, 2 ** 16))
    P = onp.random.default_rng(seed).random((m, n)) < density
    if symmetric:
        P = P | P.T | onp.eye(n, dtype=bool)
    return sps.csr_array(P)


@given(patterns(), st.sampled_from(col.ORDERS))
def test_column_colouring_is_structurally_orthogonal(P, order):
    c = col.column_colouring(P, order)
    assert c.shape == (P.shape[1],) and col.is_column_colouring(P, c)
    # the brute-force definition: no row has two nonzeros of one colour
    for row in P.toarray():
        cs = c[row]
        assert len(cs) == len(set(cs.tolist()))


@given(patterns(), st.sampled_from(col.ORDERS))
def test_row_colouring_is_a_column_colouring_of_the_transpose(P, order):
    c = col.row_colouring(P, order)
    assert c.shape == (P.shape[0],) and col.is_column_colouring(P.T, c)


def _brute_star(P, c) -> bool:
    A = P.toarray() & ~onp.eye(P.shape[0], dtype=bool)
    n = len(c)
    if any(A[i, j] and c[i] == c[j] for i in range(n) for j in range(n)):
        return False
    for a in range(n):  # no two-coloured path a-b-x-y on four distinct vertices
        for b in onp.flatnonzero(A[a]):
            for x in onp.flatnonzero(A[b]):
                for y in onp.flatnonzero(A[x]):
                    if len({a, b, x, y}) == 4 and c[a] == c[x] and c[b] == c[y]:
                        return False
    return True


@given(patterns(symmetric=True), st.sampled_from(col.ORDERS))
def test_star_colouring_satisfies_both_rules(P, order):
    c = col.star_colouring(P, order)
    assert col.is_star_colouring(P, c)
    assert _brute_star(P, c)


@given(patterns())
def test_column_and_row_decompression_are_exact(P):
    rng = onp.random.default_rng(0)
    J = sps.csr_array(P.toarray() * rng.normal(size=P.shape))
    c = col.column_colouring(P)
    onp.testing.assert_array_equal(col.decompress_columns(P, c, J @ col.seed_matrix(c)).toarray(),
                                   J.toarray())
    r = col.row_colouring(P)
    onp.testing.assert_array_equal(col.decompress_rows(P, r, col.seed_matrix(r).T @ J).toarray(),
                                   J.toarray())


@given(patterns(symmetric=True))
def test_star_decompression_is_exact(P):
    rng = onp.random.default_rng(0)
    W = rng.normal(size=P.shape)
    H = sps.csr_array(P.toarray() * (W + W.T))
    c = col.star_colouring(P)
    B = H @ col.seed_matrix(c)
    onp.testing.assert_allclose(col.decompress_star(P, c, B).toarray(), H.toarray(), atol=1e-14)


def test_the_checks_reject_bad_colourings():
    P = sps.csr_array(onp.array([[1, 1, 0], [0, 1, 1]], bool))
    assert not col.is_column_colouring(P, onp.array([0, 0, 1]))
    path = sps.csr_array(onp.abs(onp.subtract.outer(range(4), range(4))) <= 1)
    assert not col.is_star_colouring(path, onp.array([0, 1, 0, 1]))   # a two-coloured P4
    assert col.is_star_colouring(path, onp.array([0, 1, 0, 2]))
    with pytest.raises(ValueError, match="order"):
        col.column_colouring(P, "random")


@pytest.mark.parametrize("n", [100, 10_000])
def test_stencil_colours_are_near_optimal_and_do_not_grow(n):
    tri = sps.diags_array([onp.ones(n - 1), onp.ones(n), onp.ones(n - 1)], offsets=[-1, 0, 1])
    assert col.column_colouring(tri).max() + 1 == 3
    N = int(onp.sqrt(n))
    lap1 = sps.diags_array([onp.ones(N - 1), onp.ones(N), onp.ones(N - 1)], offsets=[-1, 0, 1])
    five = sps.kronsum(lap1, lap1).astype(bool)
    assert col.column_colouring(five).max() + 1 <= 7            # optimum 5, within 1.5x
    assert col.star_colouring(tri).max() + 1 == 3


def _with_dense_lines(P, rows, cols):
    """P with some rows and columns made dense (arrowhead-like patterns)."""
    A = P.toarray()
    A[rows % A.shape[0]] = True
    A[:, cols % A.shape[1]] = True
    return sps.csr_array(A)


@given(patterns(), st.integers(0, 13), st.integers(0, 13), st.booleans())
def test_every_bicolouring_recovers_the_jacobian_from_its_jvps_and_vjps(P, r, c, arrow):
    P = _with_dense_lines(P, r, c) if arrow else P
    m, n = P.shape
    J = P.toarray() * onp.random.default_rng(r).uniform(1.0, 2.0, P.shape)
    for b in col.bicolourings(P):
        assert b.fwd.multiply(b.rev).nnz == 0 and (b.fwd + b.rev != P).nnz == 0  # a split
        Sf = onp.zeros((n, b.jvps))
        Sf[onp.nonzero(b.columns >= 0)[0], b.columns[b.columns >= 0]] = 1
        Sr = onp.zeros((m, b.vjps))
        Sr[onp.nonzero(b.rows >= 0)[0], b.rows[b.rows >= 0]] = 1
        got = (col.decompress_columns(b.fwd, b.columns, J @ Sf)
               + col.decompress_rows(b.rev, b.rows, Sr.T @ J))
        onp.testing.assert_array_equal(got.toarray(), J)
    best = col.bicolouring(P)
    k_fwd = int(col.column_colouring(P).max()) + 1
    k_rev = int(col.row_colouring(P).max()) + 1
    assert best.jvps + best.vjps <= min(k_fwd, k_rev)


def test_an_arrowhead_needs_three_passes_bidirectionally():
    n = 40
    A = onp.eye(n, dtype=bool)
    A[0] = A[:, 0] = True
    b = col.bicolouring(sps.csr_array(A))
    assert (b.jvps, b.vjps) == (2, 1)  # the dense row by one VJP, the rest by two JVPs
    assert int(col.column_colouring(A).max()) + 1 == n == int(col.row_colouring(A).max()) + 1


@given(patterns(symmetric=True), st.sampled_from(col.ORDERS))
def test_first_fit_by_class_equals_first_fit_vertex_by_vertex(P, order):
    g = col._without_diagonal(P)
    size = int(max(onp.diff(g.indptr), default=0)) + 2
    first = col._first_fit(g, col.vertex_order(g, order).tolist(), size)
    by_vertex = col._first_fit(g, onp.argsort(-first, kind="stable").tolist(), size)
    onp.testing.assert_array_equal(col._first_fit_by_class(g, first), by_vertex)
