"""Products and contractions: dot, matmul (all operand ranks), inner, outer,
tensordot, einsum, trace, diag."""
import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import grad, hessian
from dualgrad.test_util import check_grads

R = onp.random.RandomState(2)
A, B, v, w = R.randn(3, 4), R.randn(4, 2), R.randn(4), R.randn(3)
S = R.randn(2, 3, 4)

CASES = [
    ("dot_mm", np.dot, (A, B)), ("dot_mv", np.dot, (A, v)), ("dot_vm", np.dot, (w, A)),
    ("dot_vv", np.dot, (v, v)), ("dot_scalar", np.dot, (2.0, v)),
    ("dot_nd", np.dot, (S, B)),
    ("matmul_mm", np.matmul, (A, B)), ("matmul_mv", np.matmul, (A, v)),
    ("matmul_vm", np.matmul, (w, A)), ("matmul_vv", np.matmul, (v, v)),
    ("matmul_batched", np.matmul, (S, B)), ("matmul_batched_v", np.matmul, (S, v)),
    ("matmul_v_batched", np.matmul, (w, S)),
    ("matmul_stacked_outer", np.matmul, (R.randn(2, 3, 1), R.randn(2, 1, 4))),
    ("matmul_stacked_outer_bcast", np.matmul, (R.randn(2, 3, 1), R.randn(1, 4))),
    ("matmul_op", lambda a, b: a @ b, (A, B)),
    ("dot_method", lambda a, b: a.dot(b), (A, B)),
    ("inner", np.inner, (A, R.randn(2, 4))), ("outer", np.outer, (v, w)),
    ("tensordot_2", lambda a, b: np.tensordot(a, b, 2), (S, R.randn(3, 4, 2))),
    ("tensordot_axes", lambda a, b: np.tensordot(a, b, axes=([0, 2], [1, 0])), (S, R.randn(4, 2, 5))),
    ("einsum_mm", lambda a, b: np.einsum("ij,jk->ik", a, b), (A, B)),
    ("einsum_trace", lambda a: np.einsum("ii", a), (R.randn(3, 3),)),
    ("einsum_diag", lambda a: np.einsum("ii->i", a), (R.randn(3, 3),)),
    ("einsum_sum_out", lambda a, b: np.einsum("ij,k->j", a, b), (A, w)),
    ("einsum_ellipsis", lambda a, b: np.einsum("...ij,jk->...ik", a, b), (S, B)),
    ("einsum_implicit", lambda a, b: np.einsum("ij,jk", a, b), (A, B)),
    ("einsum_three", lambda a, b, c: np.einsum("ij,jk,k->i", a, b, c), (A, B, R.randn(2))),
    # size-1 axes broadcast, on either side (a label full-size in one operand only)
    ("einsum_bcast_row", lambda a, b: np.einsum("ij,ij->j", a, b), (R.randn(1, 3), R.randn(2, 3))),
    ("einsum_bcast_col", lambda a, b: np.einsum("ij,ij->ij", a, b), (R.randn(2, 3), R.randn(2, 1))),
    ("einsum_bcast_both", lambda a, b: np.einsum("ij,ij->i", a, b), (R.randn(1, 3), R.randn(2, 1))),
    ("trace", lambda a: np.trace(a), (R.randn(3, 3),)),
    ("trace_offset", lambda a: np.trace(a, offset=1), (R.randn(3, 4),)),
    ("diagonal_nd", lambda a: np.diagonal(a, 0, 1, 2), (S,)),
    ("diag_of_matrix", lambda a: np.diag(a, -1), (R.randn(3, 3),)),
    ("diag_from_vector", lambda x: np.diag(x, 1), (w,)),
]


@pytest.mark.parametrize("name, f, args", CASES, ids=[c[0] for c in CASES])
def test_product_rules(name, f, args):
    check_grads(f, order=2)(*args)


def test_hessian_of_quadratic_form_is_A_plus_AT():
    M = R.randn(4, 4)
    H = hessian(lambda x: np.dot(x, np.dot(M, x)))(R.randn(4))
    assert onp.allclose(H, M + M.T, rtol=0, atol=1e-12)


def test_gradient_of_bilinear_form():
    M = R.randn(3, 4)
    assert onp.allclose(grad(lambda x: w @ M @ x)(v), M.T @ w)


@pytest.mark.parametrize("p", [None, 2, -2, 1, -1, onp.inf, -onp.inf, "fro", "nuc"])
def test_cond_is_differentiable(p):
    # numpy.linalg.cond used to see through tracers: a silently zero derivative.
    a = onp.array([[2.0, 0.3, -0.5], [0.1, 1.5, 0.4], [-0.2, 0.6, 3.0]])
    assert onp.isclose(np.linalg.cond(a, p), onp.linalg.cond(a, p))
    check_grads(lambda x: np.linalg.cond(x, p), order=2)(a)
    assert onp.abs(grad(lambda x: np.linalg.cond(x, p))(a)).max() > 1e-3



@pytest.mark.parametrize("dtype", [onp.float64, onp.float32, onp.complex128, onp.int64, bool])
def test_a_stack_of_outer_products_is_numpys_matmul(dtype):
    # Contraction length 1 (per-example weight gradients) takes a broadcast multiply,
    # one pass instead of numpy's loop over the stack: the same numbers, dtype and
    # shape as numpy's matmul, and a mismatched contraction is still refused.
    from dualgrad.rules.linalg import _matmul
    a, b = (R.randn(5, 3, 1) * 3).astype(dtype), (R.randn(5, 1, 4) * 3).astype(dtype)
    for x, y in [(a, b), (a, b[0]), (a[:1], b)]:
        want, got = onp.matmul(x, y), _matmul(x, y)
        assert got.dtype == want.dtype and got.shape == want.shape
        onp.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError):
        _matmul(a, R.randn(5, 2, 4).astype(dtype))
