"""scipy.stats distributions: values equal scipy's, gradients in every
continuous parameter in both modes to order 2, and agreement with autograd."""
from __future__ import annotations

import numpy as onp
import pytest
import scipy.stats as sst

import dualgrad.scipy.stats as st
from dualgrad import grad, jvp
from dualgrad.core import DifferentiationError
from dualgrad.test_util import check_grads

R = onp.random.RandomState(0)
X = onp.array([-1.3, 0.2, 2.1])
POS = onp.array([0.4, 1.1, 3.2])
UNIT = onp.array([0.1, 0.45, 0.85])

# (distribution, function name, arguments, argnums that are differentiable)
CASES = [
    ("norm", f, (X, 0.3, 1.7), (0, 1, 2)) for f in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")
] + [
    ("norm", "logcdf", (onp.array([-30.0, -8.0]), 0.0, 1.0), (0, 1, 2)),   # far tail: stable
    ("norm", "entropy", (0.3, 1.7), (0, 1)),
    ("t", "logpdf", (X, 4.5, 0.3, 1.7), (0, 1, 2, 3)),
    ("t", "pdf", (X, 2.5, -0.2, 0.8), (0, 1, 2, 3)),
    ("t", "cdf", (X, 3.5, 0.3, 1.7), (0, 2, 3)),
    ("t", "logcdf", (X, 3.5, 0.3, 1.7), (0, 2, 3)),
    ("gamma", "logpdf", (POS, 2.3), (0, 1)),
    ("gamma", "logpdf", (POS, 1.7, -0.3, 2.0), (0, 1, 2, 3)),
    ("gamma", "pdf", (POS, 0.7), (0, 1)),
    ("gamma", "cdf", (POS, 2.3, 0.1, 1.5), (0, 2, 3)),
    ("gamma", "sf", (POS, 2.3), (0,)),
    ("chi2", "logpdf", (POS, 3.3), (0, 1)),
    ("chi2", "pdf", (POS, 4.0, 0.0, 2.0), (0, 1, 3)),
    ("chi2", "cdf", (POS, 3.3), (0,)),
    ("beta", "logpdf", (UNIT, 2.3, 0.7), (0, 1, 2)),
    ("beta", "pdf", (UNIT, 1.5, 3.0), (0, 1, 2)),
    ("beta", "logpdf", (UNIT * 2 - 0.5, 2.3, 1.7, -0.5, 2.0), (0, 1, 2, 3, 4)),
    ("beta", "cdf", (UNIT, 2.3, 0.7), (0,)),
    ("poisson", "logpmf", (onp.array([0.0, 1.0, 4.0]), 2.5), (1,)),
    ("poisson", "pmf", (onp.array([0.0, 1.0, 4.0]), 2.5), (1,)),
    ("poisson", "cdf", (onp.array([0.0, 1.5, 4.0]), 2.5), (1,)),
    ("poisson", "logcdf", (onp.array([0.0, 1.5, 4.0]), 2.5), (1,)),
    ("dirichlet", "logpdf", (onp.array([0.2, 0.3, 0.5]), onp.array([1.5, 0.7, 2.0])), (0, 1)),
    ("dirichlet", "pdf", (onp.array([0.2, 0.3, 0.5]), onp.array([1.5, 0.7, 2.0])), (0, 1)),
    ("dirichlet", "logpdf", (onp.array([[0.2, 0.6], [0.3, 0.1], [0.5, 0.3]]),
                             onp.array([1.5, 0.7, 2.0])), (0, 1)),
]


def _ids(c):
    return f"{c[0]}.{c[1]}-{len(c[2])}args"


def _fun(c):
    return getattr(getattr(st, c[0]), c[1])


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_traced_values_equal_scipy(case):
    dist, name, args, argnums = case
    f = _fun(case)

    def of_traced(*traced):                           # the traced formula's value
        full = list(args)
        for i, v in zip(argnums, traced):
            full[i] = v
        return f(*full)
    picked = tuple(args[i] for i in argnums)
    ours = jvp(of_traced, picked, picked)[0]
    theirs = getattr(getattr(sst, dist), name)(*args)
    assert onp.allclose(ours, theirs, rtol=1e-10, atol=1e-300), (ours, theirs)
    assert onp.allclose(f(*args), theirs)             # plain values: scipy itself


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_gradients_in_every_continuous_parameter(case):
    dist, _, args, argnums = case
    f = _fun(case)
    if dist == "dirichlet":   # finite differences leave the simplex, which scipy refuses
        f = f.formula
    check_grads(f, argnum=argnums, modes=("fwd", "rev"), order=2)(*args)


@pytest.mark.parametrize("dist, name, args, argnum", [
    ("t", "cdf", (0.4, 3.5), 1), ("gamma", "cdf", (0.4, 2.0), 1),
    ("chi2", "cdf", (0.4, 3.0), 1), ("beta", "cdf", (0.4, 2.0, 3.0), 1),
    ("beta", "cdf", (0.4, 2.0, 3.0), 2),
])
def test_cdf_shape_parameters_have_no_derivative(dist, name, args, argnum):
    with pytest.raises(DifferentiationError):
        grad(getattr(getattr(st, dist), name), argnum)(*args)


# ---------------------------------------------------------------- multivariate normal
def _spd(d, seed=0):
    a = onp.random.RandomState(seed).randn(d, d)
    return a @ a.T + d * onp.eye(d)


MVN_X = [R.randn(3), R.randn(4, 3), R.randn(2, 2, 3)]


@pytest.mark.parametrize("x", MVN_X, ids=["one point", "batch", "batch 2d"])
@pytest.mark.parametrize("name", ["logpdf", "pdf"])
def test_multivariate_normal(x, name):
    mean, cov = R.randn(3), _spd(3)
    f = getattr(st.multivariate_normal, name)
    ours = jvp(lambda *a: f(*a), (x, mean, cov), (x, mean, cov))[0]
    assert onp.allclose(ours, getattr(sst.multivariate_normal, name)(x, mean, cov))
    # the covariance enters through a symmetric parameterisation
    check_grads(lambda x, m, c: f(x, m, 0.5 * (c + c.T)), order=2)(x, mean, cov)


def test_multivariate_normal_scalar_and_diagonal_covariance():
    x = R.randn(4, 2)
    ours = jvp(lambda x: st.multivariate_normal.logpdf(x, onp.zeros(2), onp.array([1.0, 2.0])),
               (x,), (x,))[0]
    assert onp.allclose(ours, sst.multivariate_normal.logpdf(x, onp.zeros(2), [1.0, 2.0]))
    check_grads(lambda x, d: st.multivariate_normal.logpdf(x, onp.zeros(2), d))(
        x, onp.array([1.0, 2.0]))
    check_grads(lambda x, s: st.multivariate_normal.logpdf(x, 0.5, s))(onp.array([0.3, -1.0]), 2.0)


def test_multivariate_normal_entropy():
    cov = _spd(3)
    ours = jvp(lambda c: st.multivariate_normal.entropy(None, c), (cov,), (cov,))[0]
    assert onp.isclose(ours, sst.multivariate_normal.entropy(None, cov))
    g = grad(lambda c: st.multivariate_normal.entropy(onp.zeros(3), 0.5 * (c + c.T)))(cov)
    assert onp.allclose(g, 0.5 * onp.linalg.inv(cov))
    check_grads(lambda c: st.multivariate_normal.entropy(onp.zeros(3), 0.5 * (c + c.T)))(cov)


def test_multivariate_normal_allow_singular():
    # a constant covariance: derivatives in x and the mean, as without allow_singular
    f = lambda m, s: st.multivariate_normal.logpdf(onp.zeros(2), m, 2 * onp.eye(2),  # noqa: E731
                                                   allow_singular=s)
    assert onp.allclose(grad(lambda m: f(m, True))(onp.ones(2)),
                        grad(lambda m: f(m, False))(onp.ones(2)))
    with pytest.raises(NotImplementedError, match="singular"):  # a traced covariance
        grad(lambda c: st.multivariate_normal.logpdf(onp.zeros(2), onp.ones(2), c,
                                                     allow_singular=True))(onp.eye(2))


def test_modules_import_like_autograd():
    import dualgrad.scipy.stats.norm as norm
    from dualgrad.scipy.stats import multivariate_normal
    assert norm.logpdf is st.norm.logpdf
    assert "logpdf" in multivariate_normal.__all__


# ---------------------------------------------------------------- against autograd
AG_CASES = [("norm", "logpdf", (X, 0.3, 1.7)), ("norm", "cdf", (X, 0.3, 1.7)),
            ("norm", "logcdf", (X, 0.3, 1.7)), ("t", "logpdf", (X, 4.5, 0.3, 1.7)),
            ("gamma", "logpdf", (POS, 2.3)), ("beta", "logpdf", (UNIT, 2.3, 0.7)),
            ("poisson", "logpmf", (onp.array([0.0, 1.0, 4.0]), 2.5)),
            ("dirichlet", "logpdf", (onp.array([0.2, 0.3, 0.5]), onp.array([1.5, 0.7, 2.0])))]


@pytest.mark.parametrize("dist, name, args", AG_CASES, ids=[f"{d}.{n}" for d, n, _ in AG_CASES])
def test_gradients_equal_autograds(dist, name, args):
    autograd = pytest.importorskip("autograd")
    import importlib
    ag_dist = importlib.import_module(f"autograd.scipy.stats.{dist}")
    ours_f, theirs_f = getattr(getattr(st, dist), name), getattr(ag_dist, name)
    for i, a in enumerate(args):
        if dist == "poisson" and i == 0:
            continue
        ours = grad(lambda *a: ours_f(*a).sum(), i)(*args)
        theirs = autograd.grad(lambda *a: theirs_f(*a).sum(), i)(*args)
        assert onp.allclose(ours, theirs), (i, ours, theirs)


def test_other_methods_refuse_traced_values_and_rvs_passes_through():
    with pytest.raises(DifferentiationError, match="scipy.stats.norm.ppf"):
        grad(lambda x: st.norm.ppf(x))(0.3)
    with pytest.raises(DifferentiationError, match="scipy.stats.multivariate_normal.cdf"):
        grad(lambda m: st.multivariate_normal.cdf(onp.zeros(2), m, onp.eye(2)))(onp.zeros(2))
    assert onp.isclose(st.norm.ppf(0.5), 0.0)
    draws = st.dirichlet.rvs(onp.array([1.0, 2.0]), size=3, random_state=0)
    assert draws.shape == (3, 2)
