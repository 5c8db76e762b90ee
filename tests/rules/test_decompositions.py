"""numpy.linalg rules (rules/decompositions.py): every function, both modes, order 2,
on single matrices and stacks, real and complex where numpy accepts complex.

Eigen/singular vectors are defined up to sign or phase (and the extra columns of
full_matrices / complete outputs up to a rotation), so their tests use losses
invariant to that choice: |v|², projectors, reconstructions. Inputs are well
conditioned with distinct eigen/singular values.
"""
import numpy as onp
import pytest
from hypothesis import given, settings, strategies as st

import dualgrad.numpy as np
from dualgrad import grad, jacobian
from dualgrad.core import Primitive
from dualgrad.rules import decompositions as dec
from dualgrad.rules.linalg import matmul
from dualgrad.test_util import check_grads

R = onp.random.RandomState(7)


def well(n, batch=(), cplx=False):
    a = R.randn(*batch, n, n) + n * onp.eye(n)
    return a + 1j * R.randn(*batch, n, n) if cplx else a


def spd(n, batch=(), cplx=False):
    x = R.randn(*batch, n, n) + (1j * R.randn(*batch, n, n) if cplx else 0)
    return x @ onp.conj(onp.swapaxes(x, -1, -2)) + onp.eye(n)


def rnd(*shape, cplx=False):
    return R.randn(*shape) + (1j * R.randn(*shape) if cplx else 0)


def abs2(x):
    return np.real(x * np.conj(x))


def H(x):
    return np.conj(np.swapaxes(x, -1, -2))


def svd_outer(a):
    """Σⱼ sⱼ² uⱼ vⱼᴴ: invariant to the joint phase of (uⱼ, vⱼ)."""
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return (u * (s ** 2)[..., None, :]) @ vh


def eigh_fun(a, UPLO="L"):
    """V diag(exp w) Vᴴ: a matrix function, invariant to the eigenvector phases."""
    w, v = np.linalg.eigh(a, UPLO)
    return (v * np.exp(w)[..., None, :]) @ H(v)


CASES = [
    # inv, det, slogdet, solve: holomorphic, so complex inputs too
    ("inv", np.linalg.inv, (well(3),)),
    ("inv_stack", np.linalg.inv, (well(3, (2,)),)),
    ("inv_complex", np.linalg.inv, (well(3, (2,), cplx=True),)),
    ("det", np.linalg.det, (well(3),)),
    ("det_stack", np.linalg.det, (well(2, (2, 2)),)),
    ("det_complex", np.linalg.det, (well(3, cplx=True),)),
    ("det_1x1", np.linalg.det, (rnd(1, 1) + 2,)),
    ("slogdet_logabs", lambda a: np.linalg.slogdet(a)[1], (well(3, (2,)),)),
    ("slogdet_negative_det", lambda a: np.linalg.slogdet(a).logabsdet,
     (onp.diag([-2.0, 1.0, 3.0]) + 0.1 * rnd(3, 3),)),
    ("slogdet_complex", lambda a: np.linalg.slogdet(a), (well(3, (2,), cplx=True),)),
    ("solve_vec", np.linalg.solve, (well(3), rnd(3))),
    ("solve_mat", np.linalg.solve, (well(3), rnd(3, 2))),
    ("solve_stack_vec", np.linalg.solve, (well(3, (2,)), rnd(3))),
    ("solve_broadcast", np.linalg.solve, (well(3), rnd(2, 3, 2))),
    ("solve_stack_broadcast", np.linalg.solve, (well(3, (2, 1)), rnd(3, 3, 1))),
    ("solve_complex", np.linalg.solve, (well(3, cplx=True), rnd(3, 2, cplx=True))),
    ("solve_mixed", np.linalg.solve, (well(3, cplx=True), rnd(3))),
    # pinv: tall, wide, stacks, complex
    ("pinv_tall", np.linalg.pinv, (rnd(4, 3),)),
    ("pinv_wide_stack", np.linalg.pinv, (rnd(2, 2, 3),)),
    ("pinv_square", np.linalg.pinv, (well(3),)),
    ("pinv_complex", np.linalg.pinv, (rnd(3, 2, cplx=True),)),
    ("pinv_rcond", lambda a: np.linalg.pinv(a, 1e-10), (rnd(3, 2),)),
    # cholesky: the input is not symmetric off the triangle numpy reads
    ("cholesky", np.linalg.cholesky, (spd(3) + onp.triu(rnd(3, 3), 1),)),
    ("cholesky_stack", np.linalg.cholesky, (spd(3, (2,)),)),
    ("cholesky_upper", lambda a: np.linalg.cholesky(a, upper=True),
     (spd(3) + onp.tril(rnd(3, 3), -1),)),
    ("cholesky_complex", np.linalg.cholesky, (spd(3, cplx=True) + onp.triu(rnd(3, 3, cplx=True), 1),)),
    ("cholesky_complex_upper", lambda a: np.linalg.cholesky(a, upper=True), (spd(2, (2,), cplx=True),)),
    # eigh / eigvalsh (a general matrix: numpy reads one triangle)
    ("eigh_w", lambda a: np.linalg.eigh(a)[0], (rnd(3, 3),)),
    ("eigh_v2", lambda a: np.linalg.eigh(a)[1] ** 2, (rnd(2, 3, 3),)),
    ("eigh_upper", lambda a: np.linalg.eigh(a, UPLO="U").eigenvectors ** 2, (rnd(3, 3),)),
    ("eigh_matrix_function", eigh_fun, (rnd(3, 3),)),
    ("eigh_complex_w", lambda a: np.linalg.eigh(a)[0], (rnd(3, 3, cplx=True),)),
    ("eigh_complex_abs_v", lambda a: abs2(np.linalg.eigh(a)[1]), (rnd(2, 3, 3, cplx=True),)),
    ("eigh_complex_function_U", lambda a: eigh_fun(a, "U"), (rnd(3, 3, cplx=True),)),
    ("eigvalsh", np.linalg.eigvalsh, (rnd(2, 4, 4),)),
    ("eigvalsh_upper_complex", lambda a: np.linalg.eigvalsh(a, "U"), (rnd(3, 3, cplx=True),)),
    # eig / eigvals: real input with complex eigenvalues, real spectra, complex input
    ("eig_w", lambda a: np.linalg.eig(a)[0], (rnd(3, 3),)),
    ("eig_abs_v", lambda a: np.abs(np.linalg.eig(a)[1]), (rnd(2, 3, 3),)),
    ("eig_real_spectrum", lambda a: np.abs(np.linalg.eig(a).eigenvectors),
     (onp.diag([1.0, 2.0, 4.0]) + 0.3 * rnd(3, 3),)),
    ("eig_complex", lambda a: (lambda w, v: (w, abs2(v)))(*np.linalg.eig(a)), (rnd(3, 3, cplx=True),)),
    ("eig_reconstruct", lambda a: (lambda w, v: v @ (w[:, None] * np.linalg.inv(v)))(*np.linalg.eig(a)),
     (rnd(3, 3),)),
    ("eigvals", np.linalg.eigvals, (rnd(2, 3, 3),)),
    # svd
    ("svd_s", lambda a: np.linalg.svd(a, compute_uv=False), (rnd(4, 3),)),
    ("svd_s_wide_stack", lambda a: np.linalg.svd(a, compute_uv=False), (rnd(2, 2, 3),)),
    ("svdvals_complex", np.linalg.svdvals, (rnd(3, 2, cplx=True),)),
    ("svd_thin_tall", lambda a: [x ** 2 for x in np.linalg.svd(a, full_matrices=False)], (rnd(4, 3),)),
    ("svd_thin_wide", lambda a: [x ** 2 for x in np.linalg.svd(a, full_matrices=False)], (rnd(2, 3, 4),)),
    ("svd_square_full", lambda a: [x ** 2 for x in np.linalg.svd(a)], (rnd(3, 3),)),
    ("svd_full_tall", lambda a: np.linalg.svd(a).U ** 2, (rnd(3, 2),)),
    ("svd_full_wide", lambda a: np.linalg.svd(a)[2] ** 2, (rnd(2, 3),)),
    ("svd_full_projector", lambda a: (lambda u: u[:, 2:] @ u[:, 2:].T)(np.linalg.svd(a)[0]),
     (rnd(4, 2),)),
    ("svd_full_projector_v", lambda a: (lambda vh: vh[2:].T @ vh[2:])(np.linalg.svd(a)[2]),
     (rnd(2, 4),)),
    ("svd_complex_outer_tall", svd_outer, (rnd(4, 3, cplx=True),)),
    ("svd_complex_outer_wide", svd_outer, (rnd(2, 2, 3, cplx=True),)),
    ("svd_complex_abs", lambda a: [abs2(x) for x in np.linalg.svd(a, full_matrices=False)],
     (rnd(3, 3, cplx=True),)),
    # qr
    ("qr_tall", lambda a: np.linalg.qr(a), (rnd(4, 3),)),
    ("qr_square_stack", lambda a: np.linalg.qr(a), (rnd(2, 3, 3),)),
    ("qr_wide", lambda a: np.linalg.qr(a), (rnd(2, 4),)),
    ("qr_r", lambda a: np.linalg.qr(a, mode="r"), (rnd(4, 3),)),
    ("qr_complete_projector", lambda a: (lambda q, r: (q[:, 2:] @ q[:, 2:].T, r))(
        *np.linalg.qr(a, mode="complete")), (rnd(4, 2),)),
    ("qr_complete_wide", lambda a: np.linalg.qr(a, mode="complete"), (rnd(2, 3),)),
    ("qr_complex", lambda a: np.linalg.qr(a), (rnd(3, 2, cplx=True),)),
    ("qr_complex_wide", lambda a: np.linalg.qr(a), (rnd(2, 3, cplx=True),)),
    # composites
    ("matrix_power_3", lambda a: np.linalg.matrix_power(a, 3), (rnd(2, 3, 3),)),
    ("matrix_power_0", lambda a: np.linalg.matrix_power(a, 0) * a, (rnd(3, 3),)),
    ("matrix_power_neg", lambda a: np.linalg.matrix_power(a, -2), (well(3),)),
    ("multi_dot", lambda a, b, c: np.linalg.multi_dot([a, b, c]), (rnd(2, 3), rnd(3, 4), rnd(4, 2))),
    ("multi_dot_vectors", lambda a, b, c: np.linalg.multi_dot([a, b, c]), (rnd(3), rnd(3, 4), rnd(4))),
    ("lstsq_tall", lambda a, b: np.linalg.lstsq(a, b)[:2], (rnd(5, 3), rnd(5))),
    ("lstsq_tall_matrix", lambda a, b: np.linalg.lstsq(a, b)[:2], (rnd(4, 2), rnd(4, 2))),
    ("lstsq_wide", lambda a, b: np.linalg.lstsq(a, b)[0], (rnd(2, 3), rnd(2))),
    ("lstsq_singular_values", lambda a, b: np.linalg.lstsq(a, b)[3], (rnd(4, 3), rnd(4))),
    ("tensorinv", lambda a: np.linalg.tensorinv(a, ind=1), (well(4).reshape(4, 2, 2),)),
    ("tensorsolve", np.linalg.tensorsolve, (well(4).reshape(2, 2, 4), rnd(2, 2))),
]


@pytest.mark.parametrize("name, f, args", CASES, ids=[c[0] for c in CASES])
def test_linalg_rules(name, f, args):
    check_grads(f, modes=("fwd", "rev"), order=2)(*args)


# ------------------------------------------------------------------ norm
VECTOR_ORDS = [None, 1, 2, onp.inf, -onp.inf, 0, 3, 0.5, -1, -2]
MATRIX_ORDS = [None, "fro", "nuc", onp.inf, -onp.inf, 1, -1, 2, -2]


@pytest.mark.parametrize("ord", VECTOR_ORDS, ids=str)
def test_vector_norm(ord):
    x = rnd(2, 4)
    check_grads(lambda x: np.linalg.norm(x, ord, axis=1), order=2)(x)
    check_grads(lambda x: np.linalg.norm(x, ord, axis=0, keepdims=True), order=2)(x)
    check_grads(lambda x: np.linalg.norm(x, ord), order=2)(x[0])
    check_grads(lambda x: np.linalg.norm(x, ord, axis=-1), order=2)(rnd(3, cplx=True))


@pytest.mark.parametrize("ord", MATRIX_ORDS, ids=str)
def test_matrix_norm(ord):
    check_grads(lambda x: np.linalg.norm(x, ord), order=2)(rnd(3, 4))
    check_grads(lambda x: np.linalg.norm(x, ord, axis=(2, 0), keepdims=True), order=2)(rnd(3, 2, 4))
    check_grads(lambda x: np.linalg.norm(x, ord, axis=(-1, -2)), order=2)(rnd(2, 3, 3, cplx=True))


def test_norm_defaults_and_array_api_forms():
    x = rnd(2, 3, 2)
    for f in (lambda x: np.linalg.norm(x), lambda x: np.linalg.norm(x, keepdims=True),
              lambda x: np.linalg.vector_norm(x, ord=3), lambda x: np.linalg.vector_norm(x, axis=(0, 2)),
              lambda x: np.linalg.vector_norm(x, axis=1, keepdims=True, ord=onp.inf),
              lambda x: np.linalg.matrix_norm(x, ord="nuc", keepdims=True)):
        check_grads(f, order=2)(x)
        assert onp.allclose(f(x), f.__call__(x))
    with pytest.raises(ValueError):  # numpy's own validation still applies when traced
        grad(lambda x: np.linalg.norm(x, "fro", axis=0))(rnd(3))


def test_values_match_numpy_when_traced():
    """Unpacking the decompositions gives numpy's factors, in numpy's result types."""
    a, out = rnd(2, 4, 3), {}
    grad(lambda a: out.setdefault("svd", np.linalg.svd(a)) and 0.0 * np.sum(a))(a)
    u, s, vh = (getattr(x, "value", x) for x in out["svd"])
    ref = onp.linalg.svd(a)
    assert all(onp.allclose(x, y) for x, y in zip((u, s, vh), ref))
    assert type(out["svd"]).__name__ == "SVDResult" and out["svd"].S is out["svd"][1]
    b = rnd(3, 3, cplx=True)
    w = jacobian(lambda b: np.linalg.eigh(b)[0])(b)
    assert w.shape == (3, 3, 3)


# ------------------------------------------------------------------ known values
def test_det_gradient_is_cofactor_matrix():
    a = well(3)
    assert onp.allclose(grad(np.linalg.det)(a), onp.linalg.det(a) * onp.linalg.inv(a).T)


def test_logdet_gradient_of_spd_is_inverse():
    a = spd(3)
    g = grad(lambda a: np.linalg.slogdet(a)[1])(a)
    assert onp.allclose(g, onp.linalg.inv(a))


def test_eigvalsh_finite_at_repeated_eigenvalues():
    g = grad(lambda a: np.sum(np.linalg.eigvalsh(a) ** 2))(onp.eye(3))
    assert onp.allclose(g, 2 * onp.tril(onp.eye(3)))  # d tr(A²) on the lower triangle


def test_nuclear_norm_gradient_is_u_vh():
    a = rnd(4, 3)
    u, _, vh = onp.linalg.svd(a, full_matrices=False)
    assert onp.allclose(grad(lambda a: np.linalg.norm(a, "nuc"))(a), u @ vh)


def test_qr_raw_refuses_when_traced():
    with pytest.raises(NotImplementedError, match="raw"):
        grad(lambda a: np.sum(np.linalg.qr(a, mode="raw")[0]))(rnd(3, 2))


@settings(max_examples=5, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.booleans())
def test_svd_reconstruction_any_shape(m, n, full):
    """U S Vh = A for every shape: its Jacobian is the identity, in both modes."""
    a = onp.random.RandomState(m * 10 + n).randn(m, n)
    k = min(m, n)

    def rebuild(a):
        u, s, vh = np.linalg.svd(a, full_matrices=full)
        return (u[:, :k] * s) @ vh[:k]
    check_grads(rebuild, order=1)(a)
    assert onp.allclose(jacobian(rebuild)(a).reshape(m * n, m * n), onp.eye(m * n))


# ------------------------------------------------------------------ guard
def test_a_wrong_rule_is_caught():
    """A decomposition VJP with a missing transpose must fail check_grads."""
    bad = Primitive(lambda a: onp.linalg.inv(a), "bad_inv")
    bad.def_jvp(lambda t, ans, a: -matmul(ans, matmul(t, ans)))
    bad.def_vjp(lambda g, ans, a: -matmul(ans, matmul(g, ans)))  # should be ansᵀ g ansᵀ
    with pytest.raises(AssertionError, match="reverse mode"):
        check_grads(bad, modes=("fwd", "rev"), order=1)(well(3))
    # and a packed decomposition whose eigenvector rule drops the gap factor F
    bad_eigh = Primitive(dec._eigh_impl, "bad_eigh")
    bad_eigh.def_jvp(lambda t, ans, a, UPLO="L": dec._eigh_jvp(2.0 * t, ans, a, UPLO))
    bad_eigh.def_vjp(dec._eigh_vjp)
    with pytest.raises(AssertionError):
        check_grads(bad_eigh, order=1)(spd(3))
