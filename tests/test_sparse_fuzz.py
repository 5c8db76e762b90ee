"""Random programs through the sparse tools: ``sparse.jacobian`` and
``sparse.hessian`` must equal the dense transforms, in every mode, at several
points and shapes, with detected and with given patterns.

The programs are those of ``test_fuzz_programs`` (its generator, operations and
conventions), plus operations that stress the sparsity rules: broadcasting
einsum and matmul with structured constants (zeros are structural zeros),
writes into pending arrays (``y = np.zeros(n); y[i] = ...``), views, fancy
indexing with repeats, reductions, and Python control flow on the values. Half
the programs use only structure-keeping operations, so that their patterns are
sparse and the colourings nontrivial.

Checked, for every program: the detected pattern covers the dense Jacobian's
nonzeros; ``sparse.jacobian`` in each mode (auto, fwd, rev, bi) equals
``dualgrad.jacobian`` at three points (an operator reused at a new point either
gives the dense Jacobian there or raises ``PatternChanged``: it was made with
``check_pattern=True``) and at a new size of x; a given full pattern gives the
same; ``sparse.hessian`` of ``<w, prog(x)>`` equals ``dualgrad.hessian``, with
the detected pattern, a given lower triangle of it and a given full pattern;
``linear_operator`` is J for real and complex vectors.

CI runs ``FUZZ_CI_EXAMPLES`` derandomized examples per property;
``DUALGRAD_FUZZ_EXAMPLES=N`` runs N fresh ones (and longer programs).
"""
import numpy as onp
import pytest
import scipy.sparse as sps
from hypothesis import given
from hypothesis import strategies as st

import dualgrad
import dualgrad.numpy as np
from dualgrad import sparse
from dualgrad.sparse import PatternChanged
from test_fuzz_programs import (BINARY, UNARY, _ON_DEMAND, Program, _close, _programs,
                                _scalar, fuzz_settings)

MODES = ("auto", "fwd", "rev", "bi")


# --------------------------------------------------------------- sparse operations
def _band(n, dtype=float):
    """A tridiagonal constant with a zero on its diagonal: structural zeros."""
    B = onp.diag(onp.linspace(1.0, 2.0, n)) + onp.diag(-0.5 * onp.ones(n - 1), 1) \
        + onp.diag(0.25 * onp.ones(n - 1), -1)
    B[n // 2, n // 2] = 0.0
    return B.astype(dtype)


def _row(n, dtype=float):  # a (1, n) weight row with zeros, broadcast in einsum
    return (onp.arange(n) % 3 != 1).astype(dtype)[None, :] * onp.linspace(0.5, 1.5, n)[None, :]


def _pending_scatter(a, b):
    n = a.shape[0]
    y = np.zeros(n)
    for i in range(n):
        y[i] = a[(2 * i) % n] * b[i]
    y[0] += a[-1]
    return y


def _pending_slices(a, b):
    n = a.shape[0]
    y = np.zeros(n, dtype=a.dtype)
    y[1:] = a[:-1] ** 2
    y[:1] = np.sin(b[-1:])
    y[::2] = y[::2] + b[::2]
    return y


def _branchy(a, b):
    if a[0] > 0:  # control flow on the values: the pattern is the taken branch's
        return a * b[::-1]
    out = b[:1] * a
    return np.where(b > 0.2, out, np.tanh(a))


def _loop(a, b):
    acc = a
    for k in range(1, a.shape[0]):
        if k % 2:
            acc = acc + 0.5 * np.roll(b, k) * acc
        else:
            acc = np.concatenate([acc[1:], acc[:1] * b[0]])
    return acc


SPARSE_UNARY = {
    "stencil": lambda a: np.concatenate([a[:1] ** 2, a[1:] * a[:-1]]),
    "band_matvec": lambda a: _band(a.shape[0], a.dtype) @ a,
    "band_matmul_rows": lambda a: (a[None, :] @ _band(a.shape[0], a.dtype))[0],
    "view_T": lambda a: np.ravel(np.reshape(a, (1, -1)).T)[::-1] * a,
    "view_slices": lambda a: np.concatenate([a[1::2], a[::2]]) * np.cos(a),
    "fancy_repeats": lambda a: a[onp.arange(a.shape[0]) // 2] * a[onp.zeros(a.shape[0], int)],
    "take_repeats": lambda a: np.take(a, onp.arange(a.shape[0])[::-1] // 2 * 2) + a,
    "einsum_row": lambda a: np.einsum("ij,ij->j", np.reshape(a, (1, -1)), _row(a.shape[0], a.dtype)),
    "einsum_diag": lambda a: np.einsum("ii->i", a[:, None] * _band(a.shape[0], a.dtype)),
    "cummax_like": lambda a: np.maximum(a, np.concatenate([a[:1], a[:-1]])),
    "row_reduce": lambda a: np.sum(np.reshape(np.concatenate([a, a[::-1] ** 2]), (2, -1)), axis=0),
}
SPARSE_BINARY = {
    "einsum_bcast_second": lambda a, b: np.einsum(
        "ij,ij->j", np.stack([a, b]), _row(a.shape[0], a.dtype)),
    "einsum_bcast_first": lambda a, b: np.einsum(
        "ij,ij->j", np.reshape(b, (1, -1)), np.stack([a, np.tanh(a)])),
    "einsum_column": lambda a, b: np.einsum(
        "ij,ij->j", onp.array([[1.0], [0.0]], a.dtype), np.stack([a, b])),
    "matmul_stack": lambda a, b: np.matmul(
        np.reshape(np.stack([a, b]), (2, 1, -1)), _band(a.shape[0], a.dtype))[:, 0, :].sum(axis=0),
    "matmul_bcast": lambda a, b: np.matmul(
        np.stack([_band(a.shape[0], a.dtype), _band(a.shape[0], a.dtype).T]),
        np.reshape(a * b, (1, -1, 1)))[1, :, 0],
    "pending_scatter": _pending_scatter,
    "pending_slices": _pending_slices,
    "branchy": _branchy,
    "loop": _loop,
    "mask_mul": lambda a, b: a * (onp.arange(a.shape[0]) % 2).astype(a.dtype) + b,
    "max_pair": lambda a, b: np.max(np.stack([a, b[::-1]]), axis=0),
}
# structure-keeping operations of the shared generator: with these, patterns stay sparse
KEEPING_UNARY = {k: UNARY[k] for k in ("sin", "cos", "tanh", "arctan", "exp_sin", "log1p_sq",
                                       "a_tanh_a", "recip", "power", "reverse", "roll", "perm",
                                       "take", "clip", "erf", "expit")}
KEEPING_BINARY = {k: BINARY[k] for k in ("add", "sub_half", "mul_tanh", "div", "where", "hypot")}

ALL_UNARY, ALL_BINARY = {**UNARY, **SPARSE_UNARY}, {**BINARY, **SPARSE_BINARY}
_STEPS = 8 if _ON_DEMAND else 5
programs = st.one_of(
    _programs({**KEEPING_UNARY, **SPARSE_UNARY}, {**KEEPING_BINARY, **SPARSE_BINARY}, _STEPS),
    _programs(ALL_UNARY, ALL_BINARY, _STEPS))


@st.composite
def point_sets(draw, sizes=(2, 6)):
    """Three points of one size n, and one of another size."""
    n = draw(st.integers(*sizes))
    m = draw(st.integers(*sizes).filter(lambda k: k != n))
    rng = onp.random.RandomState(draw(st.integers(0, 2 ** 31 - 1)))
    return [rng.uniform(-1.5, 1.5, n) for _ in range(3)], rng.uniform(-1.5, 1.5, m)


def _dense_jacobian(f, x):
    return onp.asarray(dualgrad.jacobian(f)(x)).reshape(-1, x.size)


def _agrees(J, f, x, **kw):
    """J(x) equals the dense Jacobian, or J refuses with PatternChanged because the
    pattern at x really has an entry outside the cached one."""
    try:
        got = J(x, **kw)
    except PatternChanged:
        new = sparse.jacobian_sparsity(f, x) if J.kind == "jacobian" else \
            sparse.hessian_sparsity(f, x)
        assert (new.astype(int) - new.multiply(J.pattern).astype(int)).count_nonzero()
        return
    dense = _dense_jacobian(f, x) if J.kind == "jacobian" else \
        onp.asarray(dualgrad.hessian(f)(x)).reshape(x.size, x.size)
    assert _close(got.toarray(), dense, rtol=1e-9), (J.choice, x)


# --------------------------------------------------------------- properties
@fuzz_settings
@given(programs, point_sets())
def test_pattern_covers_the_dense_nonzeros(prog, points):
    (x, _, _), _ = points
    P = sparse.jacobian_sparsity(prog, x).toarray()
    D = _dense_jacobian(prog, x)
    assert P.shape == D.shape and not (D != 0)[~P].any(), prog


@pytest.mark.parametrize("mode", MODES)
@fuzz_settings
@given(prog=programs, points=point_sets())
def test_sparse_jacobian_equals_the_dense_one(mode, prog, points):
    xs, other = points
    J = sparse.jacobian(prog, mode=mode, check_pattern=True)
    onp.testing.assert_allclose(J(xs[0]).toarray(), _dense_jacobian(prog, xs[0]),
                                rtol=1e-9, atol=1e-12)
    for x in (*xs[1:], other, xs[0]):  # new points, a new size, the first size again
        _agrees(J, prog, x)


@fuzz_settings
@given(programs, point_sets(), st.sampled_from(MODES))
def test_sparse_jacobian_with_a_given_full_pattern(prog, points, mode):
    (x, y, _), _ = points
    m = onp.size(prog(x))
    J = sparse.jacobian(prog, mode=mode, pattern=onp.ones((m, x.size), bool))
    for v in (x, y):
        assert _close(J(v).toarray(), _dense_jacobian(prog, v), rtol=1e-9)


@fuzz_settings
@given(programs, point_sets())
def test_sparse_hessian_equals_the_dense_one(prog, points):
    xs, other = points
    f = _scalar(prog)
    H = sparse.hessian(f, check_pattern=True)
    for x in (*xs, other, xs[0]):
        _agrees(H, f, x)


@fuzz_settings
@given(programs, point_sets(), st.sampled_from(["lower", "upper", "full"]))
def test_sparse_hessian_with_a_given_pattern(prog, points, part):
    (x, y, _), _ = points
    f = _scalar(prog)
    P = sparse.hessian_sparsity(f, x)
    P = {"lower": sps.tril(P), "upper": sps.triu(P),
         "full": sps.csr_array(onp.ones((x.size, x.size), bool))}[part]
    H = sparse.hessian(f, pattern=P)
    dense = onp.asarray(dualgrad.hessian(f)(x)).reshape(x.size, x.size)
    assert _close(H(x).toarray(), dense, rtol=1e-9)
    if part == "full":  # a full pattern holds at every point
        dense = onp.asarray(dualgrad.hessian(f)(y)).reshape(y.size, y.size)
        assert _close(H(y).toarray(), dense, rtol=1e-9)


@fuzz_settings
@given(programs, point_sets(), st.integers(0, 2 ** 31 - 1))
def test_linear_operator_is_the_jacobian(prog, points, seed):
    (x, _, _), _ = points
    D = _dense_jacobian(prog, x)
    L = sparse.linear_operator(prog, x)
    rng = onp.random.RandomState(seed)
    v = rng.standard_normal(x.size) + 1j * rng.standard_normal(x.size)
    u = rng.standard_normal(D.shape[0]) + 1j * rng.standard_normal(D.shape[0])
    assert _close(L @ v, D @ v, rtol=1e-9)
    assert _close(L.T @ u, D.T @ u, rtol=1e-9)
    assert _close(L @ v.real, D @ v.real, rtol=1e-9)


def test_every_sparse_operation_runs_in_every_mode():
    """Each added operation on its own, so none is dead code in the generator."""
    x = onp.array([0.3, -0.7, 1.1, 0.5, -0.2])
    for name in list(SPARSE_UNARY) + list(SPARSE_BINARY):
        prog = Program([(name, 0, 0)], ALL_UNARY, ALL_BINARY)
        D = _dense_jacobian(prog, x)
        for mode in MODES:
            got = sparse.jacobian(prog, mode=mode)(x).toarray()
            assert _close(got, D, rtol=1e-12), (name, mode)


# --------------------------------------------------------------- view writes
# Writes through views of pending arrays (y[1:][0] = x, y[0][1] = x), under the sparse
# tools as under the dense transforms.
KNOWN = {
    "pending_row_view_write": lambda a: _written(np.zeros(a.shape[0]), a),
    "pending_2d_view_write": lambda a: np.ravel(_written_2d(np.zeros((2, a.shape[0])), a)),
}


def _written(y, a):
    y[1:][0] = a[0]
    return y + a


def _written_2d(y, a):
    y[0][1] = a[0]
    return y * a[0]


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_known_view_writes(name):
    x = onp.array([0.3, -0.7, 1.1])
    f = KNOWN[name]
    assert _close(sparse.jacobian(f)(x).toarray(), _dense_jacobian(f, x))
