"""dualgrad.misc: flatten, optimizers, fixed points, and autograd examples that
use them (a small network trained with adam, a fixed-point square root, a
Gaussian-process marginal likelihood, a Gaussian mixture), compared with autograd."""
from __future__ import annotations

import numpy as onp
import pytest

import dualgrad.numpy as dnp
import dualgrad.scipy.stats as st
from dualgrad import grad, jvp
from dualgrad.misc import flatten
from dualgrad.misc.fixed_points import fixed_point
from dualgrad.misc.flatten import flatten_func
from dualgrad.misc.optimizers import adam, rmsprop, sgd
from dualgrad.scipy.special import logsumexp
from dualgrad.test_util import check_grads

TREE = {"w": [onp.arange(6.0).reshape(2, 3), 2.5], "b": (onp.array([1.0, -1.0]),), "a": 7.0}


# ---------------------------------------------------------------- flatten
def test_flatten_round_trip_and_order():
    vec, unflatten = flatten(TREE)
    # dict keys sorted, as autograd
    assert onp.array_equal(vec, onp.concatenate([[7.0], [1.0, -1.0], onp.arange(6.0), [2.5]]))
    back = unflatten(vec)
    assert back.keys() == TREE.keys() and isinstance(back["b"], tuple)
    assert onp.array_equal(back["w"][0], TREE["w"][0]) and back["w"][1] == 2.5


def test_flatten_matches_autograd():
    pytest.importorskip("autograd")
    from autograd.misc import flatten as ag_flatten
    assert onp.array_equal(flatten(TREE)[0], ag_flatten(TREE)[0])


def test_flatten_is_differentiable_both_ways():
    def f(tree):
        vec, _ = flatten(tree)
        return dnp.sum(dnp.sin(vec) * onp.arange(vec.size))
    g = grad(f)(TREE)
    vec, unflatten = flatten(TREE)
    want = unflatten(onp.cos(vec) * onp.arange(vec.size))
    assert onp.allclose(flatten(g)[0], flatten(want)[0])
    check_grads(lambda v: dnp.sum(unflatten(v)["w"][0] ** 2) * unflatten(v)["a"], order=2)(vec)


def test_flatten_func():
    flat_f, unflatten, x = flatten_func(lambda t: {"y": t["a"] * t["w"][0]}, TREE)
    assert onp.allclose(flat_f(x), 7.0 * onp.arange(6.0))
    assert unflatten(x)["a"] == 7.0


# ---------------------------------------------------------------- optimizers
def _quadratic_grad(x, i):
    return {"u": 2 * (x["u"] - 3.0), "v": [4 * (x["v"][0] + 1.0)]}


X0 = {"u": onp.zeros(2), "v": [onp.ones(3)]}


@pytest.mark.parametrize("opt, kw", [(sgd, dict(num_iters=300, step_size=0.1)),
                                     (rmsprop, dict(num_iters=400, step_size=0.01)),
                                     (adam, dict(num_iters=800, step_size=0.05))])
def test_optimizers_on_containers_converge(opt, kw):
    seen = []
    out = opt(_quadratic_grad, X0, callback=lambda x, i, g: seen.append((i, x, g)), **kw)
    assert onp.allclose(out["u"], 3.0, atol=1e-2) and onp.allclose(out["v"][0], -1.0, atol=1e-2)
    i, x, g = seen[0]
    assert i == 0 and isinstance(x, dict) and isinstance(g["v"], list)
    assert len(seen) == kw["num_iters"]


@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adam"])
def test_optimizers_match_autograd(name):
    pytest.importorskip("autograd")
    from autograd.misc import optimizers as ag_opt
    ours = globals()[name](_quadratic_grad, X0, num_iters=50)
    theirs = getattr(ag_opt, name)(_quadratic_grad, X0, num_iters=50)
    assert onp.allclose(flatten(ours)[0], flatten(theirs)[0], rtol=1e-12)


def test_adam_signature_is_autograds():
    import inspect
    params = inspect.signature(adam).parameters
    assert list(params)[:2] == ["grad", "x0"]
    defaults = {k: p.default for k, p in params.items() if p.default is not inspect._empty}
    assert defaults == dict(callback=None, num_iters=100, step_size=0.001, b1=0.9, b2=0.999,
                            eps=10 ** -8)


# A small network trained with adam (autograd's neural_net example, shrunk).
def _init_params(rs, sizes):
    return [(rs.randn(m, n) * 0.5, rs.randn(n) * 0.5) for m, n in zip(sizes[:-1], sizes[1:])]


def _predict(np_, params, x):
    for w, b in params[:-1]:
        x = np_.tanh(np_.dot(x, w) + b)
    w, b = params[-1]
    return np_.dot(x, w) + b


def _data():
    rs = onp.random.RandomState(0)
    x = rs.randn(20, 2)
    return x, onp.sin(x[:, :1]) + 0.5 * x[:, 1:] ** 2


def test_adam_trains_a_network_like_autograd():
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp
    from autograd.misc.optimizers import adam as ag_adam
    x, y = _data()
    params = _init_params(onp.random.RandomState(1), [2, 8, 1])

    def loss(np_):
        return lambda p, i: np_.mean((_predict(np_, p, x) - y) ** 2)
    trace = []
    ours = adam(grad(loss(dnp)), params, step_size=0.02, num_iters=150,
                callback=lambda p, i, g: trace.append(loss(onp)(p, i)))
    theirs = ag_adam(autograd.grad(loss(anp)), params, step_size=0.02, num_iters=150)
    assert onp.allclose(flatten(ours)[0], flatten(theirs)[0], rtol=1e-8, atol=1e-10)
    assert loss(onp)(ours, 0) < 0.2 * trace[0]
    assert isinstance(ours, list) and isinstance(ours[0], tuple)


# ---------------------------------------------------------------- fixed points
def newton_sqrt_iter(a):
    return lambda x: 0.5 * (x + a / x)


def grad_descent_sqrt_iter(a):
    return lambda x: x - 0.05 * (x ** 2 - a)


def _sqrt(a, it=newton_sqrt_iter, x0=1.0):
    return fixed_point(it, a, x0, lambda x, y: dnp.max(dnp.abs(x - y)), 1e-12)


@pytest.mark.parametrize("it", [newton_sqrt_iter, grad_descent_sqrt_iter])
def test_fixed_point_sqrt(it):
    a = 2.0
    assert onp.isclose(_sqrt(a, it), onp.sqrt(a))
    assert onp.isclose(grad(lambda a: _sqrt(a, it))(a), 0.5 / onp.sqrt(a))
    check_grads(lambda a: _sqrt(a, it), modes=("fwd", "rev"), order=2)(a)


def test_fixed_point_second_derivative_and_arrays():
    assert onp.isclose(grad(grad(_sqrt))(2.0), -0.25 * 2.0 ** -1.5)
    a = onp.array([2.0, 5.0, 0.5])
    check_grads(lambda a: _sqrt(a, x0=onp.ones(3)), order=2)(a)


def test_fixed_point_with_container_parameters():
    # x = tanh(W x + b): parameters given as a tuple
    rs = onp.random.RandomState(3)
    W, b = 0.3 * rs.randn(3, 3), rs.randn(3)

    def solve(W, b):
        return fixed_point(lambda p: lambda x: dnp.tanh(dnp.dot(p[0], x) + p[1]), (W, b),
                           onp.zeros(3), lambda x, y: dnp.max(dnp.abs(x - y)), 1e-13)
    x = solve(W, b)
    assert onp.allclose(x, onp.tanh(W @ x + b))
    check_grads(lambda W, b: dnp.sum(solve(W, b) ** 2), order=1)(W, b)


def test_fixed_point_matches_autograd():
    autograd = pytest.importorskip("autograd")
    from autograd.misc.fixed_points import fixed_point as ag_fixed_point
    dist = lambda x, y: abs(x - y)  # noqa: E731
    ours = grad(lambda a: fixed_point(newton_sqrt_iter, a, 1.0, dist, 1e-10))(3.0)
    theirs = autograd.grad(lambda a: ag_fixed_point(newton_sqrt_iter, a, 1.0, dist, 1e-10))(3.0)
    assert onp.isclose(ours, theirs)


# ---------------------------------------------------------------- GP and mixture examples
def _rbf(np_, params, x, xp):
    scale, length = np_.exp(params[0]), np_.exp(params[1])
    d = (x[:, None, :] - xp[None, :, :]) / length
    return scale * np_.exp(-0.5 * np_.sum(d ** 2, axis=2))


def _gp_log_marginal(np_, mvn):
    rs = onp.random.RandomState(0)
    x = rs.uniform(-2, 2, size=(8, 1))
    y = onp.cos(x[:, 0]) + 0.1 * rs.randn(8)

    def log_marginal(params):
        noise = onp.exp(-2.0) + np_.exp(params[2])
        cov = _rbf(np_, params, x, x) + noise * np_.eye(8)
        return mvn.logpdf(y, np_.zeros(8) + params[3], cov)
    return log_marginal


def test_gaussian_process_log_marginal_likelihood():
    params = onp.array([0.1, -0.3, -2.0, 0.2])
    f = _gp_log_marginal(dnp, st.multivariate_normal)
    check_grads(f, order=2)(params)
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp
    import autograd.scipy.stats.multivariate_normal as ag_mvn
    g = _gp_log_marginal(anp, ag_mvn)
    assert onp.isclose(jvp(f, (params,), (params,))[0], g(params))
    assert onp.allclose(grad(f)(params), autograd.grad(g)(params))


def _gmm_log_likelihood(np_, norm, lse):
    x = onp.concatenate([onp.random.RandomState(0).randn(6) - 2,
                         onp.random.RandomState(1).randn(6) + 1.5])

    def log_likelihood(params):
        log_w, means, log_sd = params["log_w"], params["means"], params["log_sd"]
        log_w = log_w - lse(log_w)
        comp = norm.logpdf(x[:, None], means, np_.exp(log_sd)) + log_w
        return np_.sum(lse(comp, axis=1))
    return log_likelihood


def test_mixture_model_log_likelihood():
    params = {"log_w": onp.array([0.1, -0.2]), "means": onp.array([-1.0, 1.0]),
              "log_sd": onp.array([0.2, -0.1])}
    f = _gmm_log_likelihood(dnp, st.norm, logsumexp)
    check_grads(f, order=2)(params)
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp
    import autograd.scipy.stats.norm as ag_norm
    from autograd.scipy.special import logsumexp as ag_lse
    g = _gmm_log_likelihood(anp, ag_norm, ag_lse)
    ours, theirs = grad(f)(params), autograd.grad(g)(params)
    assert all(onp.allclose(ours[k], theirs[k]) for k in params)
