"""scipy.linalg rules: both modes to order 2, values equal scipy's, and the
det/inv/solve pass-throughs agree with numpy.linalg's rules."""
from __future__ import annotations

import numpy as onp
import pytest
import scipy.linalg as sla

import dualgrad.numpy as dnp
import dualgrad.scipy.linalg as sl
from dualgrad import grad, jvp
from dualgrad.core import DifferentiationError
from dualgrad.test_util import check_grads

R = onp.random.RandomState(0)
A = R.randn(3, 3) + 3 * onp.eye(3)
SPD = A @ A.T
B2, B1 = R.randn(3, 2), R.randn(3)


def _sym(x):
    return 0.5 * (x + x.T)


@pytest.mark.parametrize("b", [B2, B1], ids=["matrix b", "vector b"])
@pytest.mark.parametrize("trans", [0, 1, "N", "T"])
@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("unit_diagonal", [False, True])
def test_solve_triangular(b, trans, lower, unit_diagonal):
    def f(a, b):
        return sl.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)
    want = sla.solve_triangular(A, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)
    assert onp.allclose(jvp(f, (A, b), (A, b))[0], want)
    check_grads(f, order=2)(A, b)


@pytest.mark.parametrize("lower", [False, True])
def test_cholesky(lower):
    f = lambda x: sl.cholesky(_sym(x), lower=lower)  # noqa: E731
    assert onp.allclose(jvp(f, (SPD,), (SPD,))[0], sla.cholesky(SPD, lower=lower))
    check_grads(f, order=2)(SPD)


@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("b", [B2, B1], ids=["matrix b", "vector b"])
def test_cho_factor_and_cho_solve(lower, b):
    def f(x, b):
        return sl.cho_solve(sl.cho_factor(_sym(x), lower=lower), b)
    assert onp.allclose(jvp(f, (SPD, b), (SPD, b))[0], onp.linalg.solve(SPD, b))
    check_grads(f, order=2)(SPD, b)


def test_solve_sylvester():
    a, b, q = A, R.randn(2, 2) + 2 * onp.eye(2), R.randn(3, 2)
    x = jvp(sl.solve_sylvester, (a, b, q), (a, b, q))[0]
    assert onp.allclose(a @ x + x @ b, q)
    check_grads(sl.solve_sylvester, order=2)(a, b, q)


def test_sqrtm():
    x = jvp(sl.sqrtm, (SPD,), (SPD,))[0]
    assert onp.allclose(x @ x, SPD)
    check_grads(sl.sqrtm, order=2)(SPD)


@pytest.mark.parametrize("scale", [0.1, 1.0])
def test_expm(scale):
    a = R.randn(3, 3) * scale
    assert onp.allclose(jvp(sl.expm, (a,), (a,))[0], sla.expm(a))
    check_grads(sl.expm, order=2)(a)


def test_expm_against_autograd_free_identity():
    # d/dt expm(tA) = A expm(tA)
    a = R.randn(3, 3) * 0.5
    _, t = jvp(lambda s: sl.expm(s * a), (1.0,), (1.0,))
    assert onp.allclose(t, a @ sla.expm(a))


@pytest.mark.parametrize("name, args", [("det", (A,)), ("inv", (A,)), ("solve", (A, B2))])
def test_passthroughs_match_numpy_linalg(name, args):
    ours, numpys = getattr(sl, name), getattr(dnp.linalg, name)
    assert onp.allclose(ours(*args), getattr(sla, name)(*args))
    try:
        want = jvp(numpys, args, args)
    except DifferentiationError:
        pytest.skip(f"numpy.linalg.{name} has no rules yet (rules/decompositions.py)")
    got = jvp(ours, args, args)
    assert onp.allclose(got[0], want[0]) and onp.allclose(got[1], want[1])
    check_grads(ours, order=1)(*args)


def test_solve_assume_a_is_scipys_own():
    # assume_a=None (the default) is scipy's default: structure detection on scipy >=
    # 1.15, "gen" before (scipy 1.13, the floor, refuses None). A named structure, or a
    # wrong one, still reaches scipy.
    assert onp.allclose(sl.solve(SPD, B2), sla.solve(SPD, B2))
    assert onp.allclose(sl.solve(SPD, B2, assume_a="pos"), onp.linalg.solve(SPD, B2))
    with pytest.raises(ValueError, match="not a recognized matrix structure"):
        sl.solve(SPD, B2, assume_a="nonsense")
    with pytest.raises(onp.linalg.LinAlgError):
        sl.solve(-SPD, B2, assume_a="pos")


# every structure some scipy knows; scipy 1.13 knows gen, sym, her, pos only
STRUCTURES = ["gen", "general", "sym", "symmetric", "her", "hermitian", "pos",
              "positive definite", "diagonal", "tridiagonal", "upper triangular",
              "lower triangular", "banded"]


def _scipy_knows(assume_a):
    try:
        sla.solve(onp.eye(3), onp.ones(3), assume_a=assume_a)  # (1.15: tridiagonal n <= 2 fails)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("transposed", [False, True])
@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("dtype", [onp.float64, onp.complex128])
@pytest.mark.parametrize("assume_a", STRUCTURES)
def test_solve_reads_what_scipys_solver_reads(assume_a, dtype, lower, transposed):
    # scipy's solvers for a structure read part of a (one triangle, chosen by lower; the
    # band): traced, the value is scipy's, and finite differences of scipy's own function
    # (zero in what it does not read) match the derivatives. A matrix that is not of the
    # structure shows it: the unread part differs from the read one.
    r = onp.random.RandomState(5)
    n = 4
    m = r.randn(n, n) + (1j * r.randn(n, n) if dtype is onp.complex128 else 0)
    a = m @ m.conj().T + n * onp.eye(n) + onp.triu(r.randn(n, n), 1)  # pd in its lower part
    if not lower:
        a = a.conj().T  # ... and in its upper part when that is read
    if dtype is onp.complex128:
        a = a + 1j * onp.diag(r.randn(n))  # ?hesv, ?posv read the diagonal's real part
    if assume_a == "banded":
        a = onp.triu(onp.tril(a, 1), -2)
    b = r.randn(n, 2).astype(dtype)
    f = lambda a, b: sl.solve(a, b, assume_a=assume_a, lower=lower,  # noqa: E731
                              transposed=transposed)
    if not _scipy_knows(assume_a):
        for args in [(a, b), (dnp.array(a) * 1.0, b)]:
            with pytest.raises(ValueError, match="not a recognized matrix structure"):
                jvp(f, args, args)
        return
    if transposed and dtype is onp.complex128:
        with pytest.raises(NotImplementedError):
            sla.solve(a, b, transposed=True)  # scipy's own refusal: no value to match
        return
    x, _ = jvp(f, (a, b), (a, b))
    onp.testing.assert_allclose(x, sla.solve(a, b, assume_a=assume_a, lower=lower,
                                             transposed=transposed), rtol=1e-10)
    check_grads(f, order=1)(a, b)


def test_other_functions_refuse_traced_values():
    with pytest.raises(DifferentiationError, match="scipy.linalg.logm"):
        grad(lambda a: dnp.sum(sl.logm(a)))(SPD)


@pytest.mark.parametrize("l_and_u", [(1, 1), (2, 0), (0, 1), (1, 2)])
@pytest.mark.parametrize("bshape", [(5,), (5, 2)])
def test_solve_banded(l_and_u, bshape):
    ab = R.randn(sum(l_and_u) + 1, 5)
    ab[l_and_u[1]] += 4.0
    b = R.randn(*bshape)
    f = lambda ab, b: sl.solve_banded(l_and_u, ab, b)  # noqa: E731
    assert onp.allclose(jvp(f, (ab, b), (ab, b))[0], sla.solve_banded(l_and_u, ab, b))
    check_grads(f, order=2)(ab, b)


def test_solve_banded_matches_autograd():
    autograd = pytest.importorskip("autograd")
    from autograd.scipy.linalg import solve_banded as ag_solve_banded
    ab = R.randn(3, 5)
    ab[1] += 4.0
    b = R.randn(5)
    ours = grad(lambda ab, b: sl.solve_banded((1, 1), ab, b).sum(), (0, 1))(ab, b)
    theirs = autograd.grad(lambda ab, b: ag_solve_banded((1, 1), ab, b).sum(), (0, 1))(ab, b)
    assert all(onp.allclose(o, t) for o, t in zip(ours, theirs))


def test_functions_against_autograd():
    autograd = pytest.importorskip("autograd")
    import autograd.scipy.linalg as agl
    b = R.randn(3, 3)
    for ours_f, theirs_f, args in [
            (lambda a, b: sl.solve_triangular(a, b, lower=True),
             lambda a, b: agl.solve_triangular(a, b, lower=True), (A, b)),
            (sl.solve_sylvester, agl.solve_sylvester, (A, A.T + 1.0, b)),
            (sl.sqrtm, agl.sqrtm, (SPD,))]:
        n = len(args)
        ours = grad(lambda *a: (ours_f(*a) * b).sum(), tuple(range(n)))(*args)
        theirs = autograd.grad(lambda *a: (theirs_f(*a) * b).sum(), tuple(range(n)))(*args)
        assert all(onp.allclose(o, t) for o, t in zip(ours, theirs))


def test_matrix_balance_refuses_traced_input():
    # B = T⁻¹ A T depends linearly on A; it used to see through tracers (derivative 0).
    with pytest.raises(DifferentiationError, match="scipy.linalg.matrix_balance"):
        grad(lambda a: sl.matrix_balance(a)[0].sum())(onp.eye(2) + 1.0)
    assert onp.array_equal(sl.matrix_balance(onp.eye(2))[0], onp.eye(2))
