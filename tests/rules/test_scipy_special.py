"""scipy.special rules: both modes to order 2 against finite differences, and
first and second derivatives against mpmath at points across each domain,
including points near singularities where the function is finite."""
from __future__ import annotations

import mpmath as mp
import numpy as onp
import pytest
import scipy.special as ssp
from helpers import mp_derivative, small_arrays
from hypothesis import given
from hypothesis import strategies as st

import dualgrad.numpy as np
import dualgrad.scipy.special as sp
from dualgrad import deriv, grad, jvp
from dualgrad.core import DifferentiationError
from dualgrad.test_util import check_grads

mp.mp.dps = 30


def _mp_ndtri(x):
    return mp.sqrt(2) * mp.erfinv(2 * x - 1)


# (function, mpmath reference, points; near-singular points included)
UNARY = [
    (sp.gamma, mp.gamma, [-1.5, -0.5, 0.05, 1.3, 4.2]),
    (sp.gammaln, mp.loggamma, [0.02, 0.7, 3.0, 25.0]),
    (sp.digamma, mp.digamma, [-0.5, 0.05, 1.0, 7.5]),
    (sp.psi, mp.digamma, [0.3, 2.0]),
    (sp.rgamma, mp.rgamma, [0.05, 0.8, 3.5]),
    (sp.erf, mp.erf, [-2.0, 0.0, 0.4, 3.0]),
    (sp.erfc, mp.erfc, [-1.5, 0.2, 4.0]),
    (sp.erfcx, lambda x: mp.exp(x ** 2) * mp.erfc(x), [-1.0, 0.5, 6.0]),
    (sp.erfinv, mp.erfinv, [-0.999, -0.3, 0.0, 0.7, 0.995]),
    (sp.erfcinv, lambda x: mp.erfinv(1 - x), [0.005, 0.4, 1.0, 1.6, 1.995]),
    (sp.ndtr, mp.ncdf, [-4.0, 0.0, 1.5]),
    (sp.log_ndtr, lambda x: mp.log(mp.ncdf(x)), [-20.0, -3.0, 0.0, 2.0]),
    (sp.ndtri, _mp_ndtri, [0.001, 0.3, 0.5, 0.99]),
    (sp.expit, lambda x: 1 / (1 + mp.exp(-x)), [-8.0, 0.0, 2.5]),
    (sp.logit, lambda x: mp.log(x / (1 - x)), [0.001, 0.3, 0.999]),
    (sp.log_expit, lambda x: -mp.log(1 + mp.exp(-x)), [-10.0, 0.0, 3.0]),
    (sp.entr, lambda x: -x * mp.log(x), [0.001, 0.5, 3.0]),
    (sp.j0, lambda x: mp.besselj(0, x), [-3.0, 0.1, 2.4, 10.0]),
    (sp.j1, lambda x: mp.besselj(1, x), [-2.0, 0.1, 3.8]),
    (sp.y0, lambda x: mp.bessely(0, x), [0.05, 1.0, 8.0]),
    (sp.y1, lambda x: mp.bessely(1, x), [0.1, 2.0, 7.0]),
    (sp.i0, lambda x: mp.besseli(0, x), [-2.0, 0.3, 5.0]),
    (sp.i1, lambda x: mp.besseli(1, x), [-1.0, 0.2, 4.0]),
    (sp.i0e, lambda x: mp.exp(-abs(x)) * mp.besseli(0, x), [-3.0, 0.4, 20.0]),
    (sp.i1e, lambda x: mp.exp(-abs(x)) * mp.besseli(1, x), [-2.0, 0.5, 15.0]),
    (sp.k0, lambda x: mp.besselk(0, x), [0.02, 1.0, 6.0]),
    (sp.k1, lambda x: mp.besselk(1, x), [0.1, 2.0]),
    (sp.k0e, lambda x: mp.exp(x) * mp.besselk(0, x), [0.05, 3.0, 30.0]),
    (sp.k1e, lambda x: mp.exp(x) * mp.besselk(1, x), [0.2, 4.0]),
    (sp.exp10, lambda x: mp.mpf(10) ** x, [-1.0, 0.5]),
]

# (function of x with the static/other arguments fixed, mpmath reference, points)
PARTIAL = [
    (lambda x: sp.polygamma(1, x), lambda x: mp.psi(1, x), [0.1, 2.0]),
    (lambda x: sp.polygamma(3, x), lambda x: mp.psi(3, x), [0.5, 4.0]),
    (lambda x: sp.multigammaln(x, 3), lambda x: (3 * 2 / 4) * mp.log(mp.pi) + sum(
        mp.loggamma(x - j / mp.mpf(2)) for j in range(3)), [1.2, 5.0]),
    (lambda x: sp.gammainc(2.5, x), lambda x: mp.gammainc(2.5, 0, x, regularized=True),
     [0.01, 1.0, 6.0]),
    (lambda x: sp.gammaincc(0.7, x), lambda x: mp.gammainc(0.7, x, mp.inf, regularized=True),
     [0.05, 2.0]),
    (lambda x: sp.betainc(2.0, 3.5, x), lambda x: mp.betainc(2.0, 3.5, 0, x, regularized=True),
     [0.01, 0.4, 0.98]),
    (lambda x: sp.stdtr(3.0, x), lambda x: mp.mpf(1) / 2 + x * mp.gamma(2) / (
        mp.sqrt(3 * mp.pi) * mp.gamma(1.5)) * mp.hyp2f1(0.5, 2, 1.5, -x ** 2 / 3), [-2.0, 0.3]),
    (lambda x: sp.jn(3, x), lambda x: mp.besselj(3, x), [0.5, 6.0]),
    (lambda x: sp.yn(2, x), lambda x: mp.bessely(2, x), [0.3, 5.0]),
    (lambda x: sp.jv(1.5, x), lambda x: mp.besselj(1.5, x), [0.7, 3.0]),
    (lambda x: sp.yv(0.5, x), lambda x: mp.bessely(0.5, x), [0.7, 3.0]),
    (lambda x: sp.iv(2.5, x), lambda x: mp.besseli(2.5, x), [0.4, 3.0]),
    (lambda x: sp.ive(1.0, x), lambda x: mp.exp(-abs(x)) * mp.besseli(1, x), [-2.0, 0.5, 9.0]),
    (lambda x: sp.kv(1.5, x), lambda x: mp.besselk(1.5, x), [0.1, 2.0]),
    (lambda x: sp.kve(0.5, x), lambda x: mp.exp(x) * mp.besselk(0.5, x), [0.2, 12.0]),
    (lambda x: sp.beta(x, 2.5), lambda x: mp.beta(x, 2.5), [0.05, 1.5]),
    (lambda x: sp.betaln(0.8, x), lambda x: mp.log(mp.beta(0.8, x)), [0.03, 6.0]),
    (lambda x: sp.xlogy(x, 2.5), lambda x: x * mp.log(2.5), [0.0, 1.3]),
    (lambda x: sp.xlogy(1.5, x), lambda x: 1.5 * mp.log(x), [0.01, 4.0]),
    (lambda x: sp.xlog1py(0.7, x), lambda x: 0.7 * mp.log1p(x), [-0.9, 2.0]),
    (lambda x: sp.rel_entr(x, 0.4), lambda x: x * mp.log(x / 0.4), [0.001, 1.2]),
    (lambda x: sp.rel_entr(0.6, x), lambda x: 0.6 * mp.log(0.6 / x), [0.01, 2.0]),
    (lambda x: sp.kl_div(x, 0.4), lambda x: x * mp.log(x / 0.4) - x + 0.4, [0.01, 1.2]),
    (lambda x: sp.kl_div(0.6, x), lambda x: 0.6 * mp.log(0.6 / x) - 0.6 + x, [0.05, 2.0]),
    (lambda q: sp.zeta(3.0, q), lambda q: mp.zeta(3, q), [0.4, 2.0, 7.5]),  # Hurwitz, in q
    (lambda q: sp.zeta(1.5, q), lambda q: mp.zeta(1.5, q), [1.0, 3.0]),
]

CASES = [(f, ref, x) for f, ref, pts in UNARY + PARTIAL for x in pts]


def _ids(case):
    f, _, x = case
    return f"{getattr(f, '__name__', 'f')}@{x}"


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_derivatives_match_mpmath(case):
    f, ref, x = case
    d1, d2 = mp_derivative(ref, x, 1), mp_derivative(ref, x, 2)
    assert onp.isclose(grad(f)(x), d1, rtol=1e-8, atol=1e-12)
    assert onp.isclose(deriv(f)(x), d1, rtol=1e-8, atol=1e-12)
    assert onp.isclose(grad(grad(f))(x), d2, rtol=1e-7, atol=1e-10)
    assert onp.isclose(deriv(grad(f))(x), d2, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("f, ref, pts", UNARY + PARTIAL,
                         ids=[getattr(c[0], "__name__", "f") for c in UNARY + PARTIAL])
def test_check_grads_order_2_on_arrays(f, ref, pts):
    x = onp.array(pts, dtype=float)
    check_grads(f, modes=("fwd", "rev"), order=2)(x)


# Random small arrays over each function's domain (kinks such as i0e's at 0 left out).
DOMAINS = [(sp.gamma, (0.1, 5.0)), (sp.gammaln, (0.1, 20.0)), (sp.digamma, (0.2, 5.0)),
           (sp.erf, (-3.0, 3.0)), (sp.erfinv, (-0.95, 0.95)), (sp.erfcx, (-2.0, 5.0)),
           (sp.expit, (-6.0, 6.0)), (sp.logit, (0.05, 0.95)), (sp.log_ndtr, (-10.0, 3.0)),
           (sp.j0, (-6.0, 6.0)), (sp.y1, (0.2, 6.0)), (sp.i0e, (0.1, 6.0)), (sp.k1, (0.2, 5.0))]


@pytest.mark.parametrize("f, domain", DOMAINS, ids=[f.__name__ for f, _ in DOMAINS])
@given(data=st.data())
def test_random_arrays_in_domain(f, domain, data):
    x = data.draw(small_arrays(domain))
    check_grads(f, modes=("fwd", "rev"), order=2)(x)


BINARY = [
    (sp.beta, (onp.array([0.3, 1.5, 4.0]), onp.array([[0.7], [2.0]]))),
    (sp.betaln, (onp.array([0.05, 2.0]), onp.array([3.0, 0.4]))),
    (sp.xlogy, (onp.array([0.5, 2.0, 1.0]), onp.array([0.3, 1.7, 5.0]))),
    (sp.xlog1py, (onp.array([0.5, 2.0]), onp.array([[-0.5], [3.0]]))),
    (sp.rel_entr, (onp.array([0.2, 1.4]), onp.array([0.5, 0.9]))),
    (sp.kl_div, (onp.array([0.2, 1.4]), onp.array([0.5, 0.9]))),
]


@pytest.mark.parametrize("f, args", BINARY, ids=[f.__name__ for f, _ in BINARY])
def test_binary_both_arguments_with_broadcasting(f, args):
    check_grads(f, modes=("fwd", "rev"), order=2)(*args)


@pytest.mark.parametrize("f, static, x", [
    (sp.jn, 2, onp.array([0.5, 3.0])), (sp.yn, 1, onp.array([0.4, 6.0])),
    (sp.iv, 0.5, onp.array([0.2, 2.0])), (sp.ive, 2.0, onp.array([-1.0, 3.0])),
    (sp.kv, 0.0, onp.array([0.3, 2.5])), (sp.polygamma, 2, onp.array([0.4, 3.0])),
    (sp.gammainc, 1.7, onp.array([0.3, 2.0])), (sp.gammaincc, 1.7, onp.array([0.3, 2.0])),
], ids=["jn", "yn", "iv", "ive", "kv", "polygamma", "gammainc", "gammaincc"])
def test_order_argument_is_static_and_x_is_differentiable(f, static, x):
    check_grads(lambda x: f(static, x), order=2)(x)
    with pytest.raises(DifferentiationError, match=f.__name__):
        grad(lambda s: f(s, 1.3))(float(static))


@pytest.mark.parametrize("f, args, argnum", [
    (sp.gammainc, (2.0, 1.0), 0), (sp.gammaincc, (2.0, 1.0), 0),
    (sp.betainc, (2.0, 3.0, 0.4), 0), (sp.betainc, (2.0, 3.0, 0.4), 1),
    (sp.kv, (1.5, 2.0), 0), (sp.stdtr, (3.0, 0.5), 0),
    (sp.zeta, (3.0, 2.0), 0), (sp.zeta, (3.0,), 0),
])
@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_parameters_without_a_derivative_raise(f, args, argnum, mode):
    g = grad(f, argnum) if mode == "rev" else deriv(f, argnum)
    with pytest.raises(DifferentiationError, match=f.__name__):
        g(*args)


def test_betainc_in_x_matches_density():
    a, b, x = 2.0, 3.5, onp.array([0.1, 0.5, 0.9])
    check_grads(lambda x: sp.betainc(a, b, x), order=2)(x)
    want = x ** (a - 1) * (1 - x) ** (b - 1) / ssp.beta(a, b)
    assert onp.allclose(deriv(lambda x: sp.betainc(a, b, x))(x), want)


# ---------------------------------------------------------------- logsumexp and softmax
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1), -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_axis_keepdims(axis, keepdims):
    a = onp.random.randn(2, 3)
    f = lambda a: sp.logsumexp(a, axis=axis, keepdims=keepdims)  # noqa: E731
    traced_value = jvp(f, (a,), (a,))[0]
    assert onp.allclose(traced_value, ssp.logsumexp(a, axis=axis, keepdims=keepdims))
    check_grads(f, order=2)(a)


def test_logsumexp_with_weights_b_and_sign():
    a = onp.random.randn(2, 3)
    b = onp.array([0.5, 2.0, 1.5])
    check_grads(lambda a, b: sp.logsumexp(a, axis=1, b=b), order=2)(a, b)
    # negative weights: the value is log|S|, S = Σ b e^a, and return_sign gives sign(S)
    bneg = onp.array([[-3.0, 0.5, 0.2], [1.0, 1.0, 1.0]])
    val, sgn = ssp.logsumexp(a, axis=1, b=bneg, return_sign=True)
    seen = {}

    def f(a, b):
        v, s = sp.logsumexp(a, axis=1, b=b, return_sign=True)
        seen["sign"] = s
        return v
    check_grads(f, order=2)(a, bneg)
    assert onp.array_equal(seen["sign"], sgn) and sgn[0] == -1
    # d log|S| / da = b e^a / S
    S = onp.sum(bneg * onp.exp(a), axis=1)
    g = grad(lambda a: f(a, bneg)[0])(a)
    assert onp.allclose(g[0], bneg[0] * onp.exp(a[0]) / S[0]) and onp.all(g[1] == 0)


@pytest.mark.parametrize("a_shape, b_shape, axis, keepdims", [
    ((3,), (2, 3), -1, False), ((3,), (2, 3), 0, False), ((3,), (2, 3), None, False),
    ((1, 3), (4, 2, 3), (0, 2), True), ((2, 1), (2, 3), 1, False), ((), (2, 3), -1, False)])
def test_logsumexp_with_b_broadcasting_a_to_a_larger_shape(a_shape, b_shape, axis, keepdims):
    # scipy broadcasts a with b and reduces over `axis` of that shape; dualgrad raised
    # ValueError in grad and jacfwd when b's shape was the larger one
    from dualgrad import jacfwd, jacrev
    r = onp.random.RandomState(5)
    a, b = r.randn(*a_shape), r.uniform(0.5, 2.0, b_shape)
    f = lambda a, b: sp.logsumexp(a, axis=axis, b=b, keepdims=keepdims)  # noqa: E731
    want = ssp.logsumexp(a, axis=axis, b=b, keepdims=keepdims)
    onp.testing.assert_allclose(f(a, b), want)
    check_grads(f, order=2)(a, b)
    for jac in (jacfwd, jacrev):
        assert jac(f)(a, b).shape == onp.shape(want) + a_shape
        assert jac(f, argnum=1)(a, b).shape == onp.shape(want) + b_shape
    onp.testing.assert_allclose(grad(lambda a: onp.sum(f(a, b)))(a),
                                _fd(lambda a: onp.sum(ssp.logsumexp(a, axis=axis, b=b)), a))


def _fd(f, x, h=1e-6):
    x = onp.asarray(x, float)
    g = onp.zeros_like(x)
    for i in onp.ndindex(x.shape):
        e = onp.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def test_logsumexp_is_stable_for_large_inputs():
    a = onp.array([1000.0, 1000.0])
    assert onp.allclose(grad(sp.logsumexp)(a), [0.5, 0.5])
    assert onp.allclose(deriv(sp.logsumexp)(a), 1.0)


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_softmax_and_log_softmax(axis):
    x = onp.random.randn(3, 2)
    assert onp.allclose(sp.softmax(x, axis=axis), ssp.softmax(x, axis=axis))
    check_grads(lambda x: sp.softmax(x, axis=axis), order=2)(x)
    check_grads(lambda x: sp.log_softmax(x, axis=axis), order=2)(x)
    traced = []
    grad(lambda x: (traced.append(sp.log_softmax(x, axis=axis)), 0.0 * x.sum())[1])(x)
    assert onp.allclose(traced[0].value, ssp.log_softmax(x, axis=axis))


# ---------------------------------------------------------------- the wrapped namespace
def test_namespace_kinds():
    assert sp.KINDS["gamma"] == "differentiable"
    assert sp.KINDS["factorial"] == "differentiable"   # exact=False: Γ(n + 1), smooth in n
    assert sp.KINDS["stirling2"] == "nondiff"
    assert onp.isclose(sp.gamma(4.0), 6.0)            # untraced values: scipy's own result
    assert sp.factorial(4) == 24
    with pytest.raises(DifferentiationError, match="scipy.special.ellipk"):
        grad(lambda x: sp.ellipk(x))(0.5)
    with pytest.raises(DifferentiationError, match="'zeta' .argument 0"):  # in q only
        grad(lambda x: sp.zeta(x, 1.0))(2.0)
    assert grad(lambda x: sp.factorial(3) * x)(2.0) == 6.0


def test_factorial_comb_perm_are_differentiable_in_real_arguments():
    # exact=False is Γ(n+1), binom and poch: they used to see through tracers, so their
    # derivative was silently 0 (e.g. d/dn factorial(n) = Γ(n+1) ψ(n+1), not 0).
    n = onp.array([0.5, 2.5, 3.7])
    assert onp.allclose(grad(lambda x: np.sum(sp.factorial(x)))(n), ssp.gamma(n + 1) * ssp.digamma(n + 1))
    N, k = onp.array([1.0, 5.5, 4.2, -1.0]), onp.array([3.0, 2.3, 0.7, 0.5])   # k > N, N < 0: 0
    for f in (sp.comb, sp.perm, sp.binom, sp.poch,
              lambda N, k: sp.comb(N, k, repetition=True)):
        check_grads(f, order=2)(N[1:3], k[1:3])
    for f, sf in ((sp.comb, ssp.comb), (sp.perm, ssp.perm)):
        assert onp.allclose(grad(lambda x: np.sum(f(x, k)))(N)[[0, 3]], 0.0)
        assert onp.allclose(jvp(lambda x: f(x, k), (N,), (onp.ones(4),))[0], sf(N, k))
    check_grads(lambda x: sp.factorial(x), order=2)(onp.array([-0.5, 0.5, 1.5]))
    assert sp.comb(5, 2, exact=True) == 10 and sp.perm(5, 2, exact=True) == 20


def test_scipy_ufuncs_are_not_hijacked():
    """Plain scipy.special called on a traced value is not silently differentiated."""
    with pytest.raises(TypeError):
        grad(lambda x: ssp.gamma(x))(2.0)


def test_complex_gamma_is_holomorphic():
    from dualgrad import holomorphic_grad
    z = 1.5 + 0.5j
    h = 1e-7
    fd = (ssp.gamma(z + h) - ssp.gamma(z - h)) / (2 * h)
    assert onp.isclose(holomorphic_grad(sp.gamma)(z), fd, rtol=1e-6)


def test_elementary_functions_and_gammasgn():
    x = onp.array([-2.5, -0.5, 0.7, 3.0])
    for f in (sp.expm1, sp.exp2, sp.cbrt):
        check_grads(f, order=2)(x)
    check_grads(sp.log1p, order=2)(onp.array([-0.5, 0.3, 4.0]))
    assert onp.array_equal(grad(lambda x: dnp_sum(sp.gammasgn(x) * x))(x), ssp.gammasgn(x))


def dnp_sum(x):
    import dualgrad.numpy as dnp
    return dnp.sum(x)


def test_every_rule_is_tested_here():
    """Each differentiable scipy.special name appears in this file's tests."""
    import pathlib
    from dualgrad.rules.scipy_special import SPECIAL
    text = pathlib.Path(__file__).read_text()
    missing = [n for n in SPECIAL if f"sp.{n}" not in text]
    assert not missing, missing
