"""Sparse Jacobians and Hessians (dualgrad.sparse.jacobian / hessian) agree with
the dense ones; the cached pattern is reused and can be checked; the
LinearOperator is J; scipy's solvers converge on dualgrad's outputs."""
import functools

import numpy as onp
import pytest
import scipy.optimize
import scipy.sparse as sps
import scipy.sparse.linalg as spla

import dualgrad
import dualgrad.numpy as np
from dualgrad import sparse
from dualgrad.tools.counters import count
from sparse_cases import CASES, brusselator, chained_rosenbrock, stencil_1d


def _point(n, seed=2):
    rng = onp.random.default_rng(seed)
    return rng.uniform(0.5, 1.5, n) * rng.choice([-1.0, 1.0], n)


def _dense(f, x):
    return onp.asarray(dualgrad.jacobian(f)(x)).reshape(-1, x.size)


@pytest.mark.parametrize("mode", ["auto", "fwd", "rev"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_sparse_jacobian_equals_the_dense_one(name, mode):
    f, n = CASES[name]
    x = _point(n)
    J = sparse.jacobian(f, mode=mode)(x)
    assert isinstance(J, sps.csr_array) and J.shape == (onp.size(f(x)), n)
    onp.testing.assert_allclose(J.toarray(), _dense(f, x), rtol=1e-13, atol=1e-13)


def test_chunks_give_the_same_jacobian():
    f = functools.partial(brusselator, N=6)
    x = _point(72)
    full = sparse.jacobian(f)(x).toarray()
    onp.testing.assert_allclose(sparse.jacobian(f, chunk_size=3)(x).toarray(), full, rtol=1e-14)
    onp.testing.assert_allclose(sparse.jacobian(f, chunk_size=3, mode="rev")(x).toarray(), full,
                                rtol=1e-13, atol=1e-13)


def test_many_colours_are_chunked_automatically(monkeypatch):
    from dualgrad.sparse import compressed
    monkeypatch.setattr(compressed, "AUTO_CHUNK_ELEMENTS", 100)
    f = lambda x: x * np.sum(x)  # a dense Jacobian: n colours in every mode, split or not
    x = _point(50)
    with count() as c:
        J = sparse.jacobian(f)(x)
    assert c.tangent_directions == 50 and c.jvp_passes == 25  # 2 directions x 50 <= 100
    onp.testing.assert_allclose(J.toarray(), _dense(f, x), rtol=1e-14)


def _hessian_cases():
    def arrow(x):
        return np.sum(x[0] * x ** 2) + np.sum(np.sin(x[1:] * x[:-1]))

    def grid(x):
        u = np.reshape(x, (4, 4))
        return np.sum((u[1:] - u[:-1]) ** 4) + np.sum(np.cos(u[:, 1:] * u[:, :-1])) + np.sum(u ** 3)
    return {"rosenbrock": (chained_rosenbrock, 9), "arrow": (arrow, 7), "grid": (grid, 16)}


@pytest.mark.parametrize("name", ["rosenbrock", "arrow", "grid"])
def test_sparse_hessian_equals_the_dense_one(name):
    f, n = _hessian_cases()[name]
    x = _point(n)
    H = sparse.hessian(f)
    Hx = H(x)
    dense = onp.asarray(dualgrad.hessian(f)(x))
    onp.testing.assert_allclose(Hx.toarray(), dense, rtol=1e-12, atol=1e-12)
    assert H.choice.colours <= n


def test_pattern_and_colouring_are_detected_once_and_reused():
    J = sparse.jacobian(stencil_1d)
    assert "not detected yet" in repr(J)
    x = _point(50)
    J(x)
    pattern, colours = J.pattern, J.colours
    with count() as c:
        J2 = J(_point(50, seed=3))
    assert J.pattern is pattern and J.colours is colours
    assert c.jvp_passes == 1 and c.tangent_directions == 3  # one pass, 3 colours, not 50
    onp.testing.assert_allclose(J2.toarray(), _dense(stencil_1d, _point(50, seed=3)))
    assert "3 JVPs instead of 50" in repr(J)


@pytest.mark.parametrize("mode", ["fwd", "rev", "bi"])
def test_cached_calls_give_matrices_of_their_own(mode):
    """A cached call reuses the recovery of the CSR structure; the matrix it hands
    out is the caller's: writing into one changes neither the next nor the cache."""
    J = sparse.jacobian(stencil_1d, mode=mode)
    x1, x2 = _point(40), _point(40, seed=5)
    A = J(x1)
    A.data[:] = 0.0
    A.indices[:] = 0
    A.indptr[:] = 0
    B = J(x2)
    assert B.has_canonical_format
    onp.testing.assert_allclose(B.toarray(), _dense(stencil_1d, x2), rtol=1e-13, atol=1e-13)
    onp.testing.assert_allclose(J(x1).toarray(), _dense(stencil_1d, x1), rtol=1e-13, atol=1e-13)


def test_cached_hessian_gives_matrices_of_its_own():
    f = lambda x: np.sum(x[1:] * x[:-1] ** 2) + np.sum(np.sin(x))  # noqa: E731
    H = sparse.hessian(f)
    x1, x2 = _point(30), _point(30, seed=2)
    A = H(x1)
    A.data[:] = 0.0
    A.indices[:] = 0
    onp.testing.assert_allclose(H(x2).toarray(), dualgrad.hessian(f)(x2), rtol=1e-12, atol=1e-12)


def test_check_pattern_catches_a_changed_pattern():
    f = lambda x: np.where(x > 0, x ** 2, 1.0)  # noqa: E731
    J = sparse.jacobian(f, check_pattern=True)
    J(onp.array([1.0, 1.0, -1.0]))
    J(onp.array([2.0, 1.0, -1.0]))          # same pattern: fine
    J(onp.array([2.0, -1.0, -1.0]))         # fewer nonzeros: the cached pattern still holds
    with pytest.raises(sparse.PatternChanged, match="outside"):
        J(onp.array([1.0, 1.0, 1.0]))
    J.reset()
    assert J(onp.array([1.0, 1.0, 1.0])).nnz == 3


def test_explain_reports_the_mode_and_why():
    def wide(x):  # 2 dense rows, 40 columns: reverse needs 2 colours, forward 40
        return np.stack([np.sum(x ** 2), np.sum(np.sin(x))])
    J, choice = sparse.jacobian(wide, explain=True)(_point(40))
    assert choice.mode == "rev" and choice.colours == 2 and choice.nnz == 80
    assert "2 VJPs instead of 2" in str(choice) and "forward would need 40 JVPs" in str(choice)
    J, choice = sparse.jacobian(stencil_1d, explain=True)(_point(30))
    assert choice.mode == "fwd" and choice.colours == 3 and "3 JVPs instead of 30" in str(choice)
    H, choice = sparse.hessian(chained_rosenbrock, explain=True)(_point(30))
    assert choice.colours == 3 and "star colouring" in str(choice)


def test_a_given_pattern_skips_detection():
    tri = sps.diags_array([onp.ones(9), onp.ones(10), onp.ones(9)], offsets=[-1, 0, 1])
    x = _point(10)
    inner = lambda x: np.concatenate([x[:1], x[2:] - 2.0 * x[1:-1] + x[:-2], x[-1:]]) ** 2  # noqa
    J = sparse.jacobian(inner, pattern=tri)(x)
    onp.testing.assert_allclose(J.toarray(), _dense(inner, x) * (tri.toarray() != 0))


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="mode"):
        sparse.jacobian(stencil_1d, mode="forward")
    with pytest.raises(ValueError, match="order"):
        sparse.jacobian(stencil_1d, order="random")
    with pytest.raises(TypeError, match="real"):
        sparse.jacobian(stencil_1d)(onp.ones(5) * 1j)


def test_linear_operator_is_the_jacobian():
    f = functools.partial(brusselator, N=4)
    x = _point(32)
    A = dualgrad.linear_operator(f, x)
    D = _dense(f, x)
    v, u = _point(32, seed=5), _point(32, seed=6)
    onp.testing.assert_allclose(A @ v, D @ v, rtol=1e-13)
    onp.testing.assert_allclose(A.T @ u, D.T @ u, rtol=1e-13)
    V = onp.stack([v, u], axis=1)
    onp.testing.assert_allclose(A @ V, D @ V, rtol=1e-13)
    onp.testing.assert_allclose(A.rmatmat(V), D.T @ V, rtol=1e-13)


def _residuals(x, t, y):
    # a smooth curve through noisy data: data misfit plus a roughness penalty
    return np.concatenate([np.exp(0.1 * x) - y, 3.0 * (x[2:] - 2.0 * x[1:-1] + x[:-2])])


def test_least_squares_converges_with_dualgrad_jacobians():
    t = onp.linspace(0, 1, 200)
    y = onp.exp(0.1 * onp.sin(6 * t)) + 0.01 * onp.random.default_rng(0).normal(size=200)
    f = functools.partial(_residuals, t=t, y=y)
    J = sparse.jacobian(_residuals)  # scipy passes the data on: jac(x, t, y)
    tol = dict(tr_solver="lsmr")
    fit = scipy.optimize.least_squares(_residuals, onp.zeros(200), jac=J, args=(t, y), **tol)
    assert fit.success and fit.optimality < 1e-5 and fit.njev < 30
    pattern = sparse.jacobian_sparsity(f, onp.zeros(200))
    fd = scipy.optimize.least_squares(f, onp.zeros(200), jac="2-point", jac_sparsity=pattern,
                                      **tol)
    assert fd.success
    onp.testing.assert_allclose(fit.x, fd.x, atol=1e-3)
    assert fit.cost <= fd.cost * (1 + 1e-6)


def _bratu(x, lam=1.0):
    h = 1.0 / (len(x) + 1)
    xp = np.concatenate([np.zeros(1), x, np.zeros(1)])
    return (xp[2:] - 2.0 * xp[1:-1] + xp[:-2]) / h ** 2 + lam * np.exp(x)


def test_newton_krylov_converges_with_a_dualgrad_preconditioner():
    n = 100
    J = sparse.jacobian(_bratu)(onp.zeros(n))
    ilu = spla.spilu(sps.csc_array(J))
    M = spla.LinearOperator((n, n), matvec=ilu.solve)
    sol = scipy.optimize.newton_krylov(_bratu, onp.zeros(n), inner_M=M, f_tol=1e-9)
    assert onp.max(onp.abs(_bratu(sol))) < 1e-9


def test_jacobian_free_newton_krylov_with_the_linear_operator():
    x = onp.zeros(100)
    for _ in range(8):
        r = _bratu(x)
        if onp.max(onp.abs(r)) < 1e-10:
            break
        step, info = spla.gmres(dualgrad.linear_operator(_bratu, x), -r, rtol=1e-12, restart=100)
        assert info == 0
        x = x + step
    assert onp.max(onp.abs(_bratu(x))) < 1e-10


@pytest.mark.parametrize("name", sorted(CASES))
def test_bidirectional_mode_equals_the_dense_jacobian_and_never_needs_more(name):
    f, n = CASES[name]
    x = _point(n)
    J, why = sparse.jacobian(f, mode="bi", explain=True)(x)
    onp.testing.assert_allclose(J.toarray(), _dense(f, x), rtol=1e-13, atol=1e-13)
    fwd = sparse.jacobian(f, mode="fwd", explain=True)(x)[1].colours
    rev = sparse.jacobian(f, mode="rev", explain=True)(x)[1].colours
    assert why.mode == "bi" and why.colours <= min(fwd, rev)


def test_bidirectional_mode_takes_an_arrowhead_in_three_passes():
    f = CASES["arrowhead"][0]
    x = _point(60)
    J = sparse.jacobian(f, mode="bi")
    J(x)
    with count() as c:
        A = J(x)
    assert c.tangent_directions == 2 and c.cotangent_directions == 1
    onp.testing.assert_allclose(A.toarray(), _dense(f, x), rtol=1e-14)
    assert "bi mode, 3 colours" in repr(J)


def test_auto_splits_an_arrowhead_between_the_modes():
    f = CASES["arrowhead"][0]  # a dense row and a dense column: n colours in either mode
    x = _point(60)
    J = sparse.jacobian(f)
    with count() as c:
        got = J(x)
    assert J.choice.mode == "bi" and J.choice.colours == 3, J.choice
    assert "Both modes alone need many passes" in J.choice.reason, J.choice.reason
    assert c.tangent_directions + c.cotangent_directions == 3
    onp.testing.assert_allclose(got.toarray(), _dense(f, x), rtol=1e-14)


def test_auto_keeps_one_mode_for_few_colours():
    f = CASES["arrowhead"][0]
    J = sparse.jacobian(f)
    J(_point(20))  # 20 colours either way: below BI_AFTER, one mode
    assert J.choice.mode in ("fwd", "rev")
