"""The ``jit`` rows of ``python -m benchmarks``: where a call's fixed cost and the per-op
cost are what users feel, eager dualgrad against ``dualgrad.jit`` (traced once, then
replayed as straight-line NumPy) and autograd.

- the fixed cost of one call: ``grad`` of ``sum(2 x)`` on 100 floats;
- a scalar chain of 1000 steps, ``value_and_grad``, per op;
- a small MLP (32-64-64-10, batch 128), ``value_and_grad``;
- a lifelines-style parametric survival fit: a Weibull accelerated-failure-time model
  with right censoring, its negative log-likelihood written in ``dualgrad.numpy``,
  maximised by ``scipy.optimize.minimize(..., jac=True)`` end to end (the way lifelines
  fits its parametric models with autograd's ``value_and_grad``);
- the cached sparse Jacobian of the 2-D Brusselator at n = 8192 (``sparse.jacobian``,
  its pattern and colouring found at the first call): eagerly and under ``jit``, which
  replays the compressed pass and the CSR fill.

PyTorch and JAX (eager and ``jax.jit``) are timed beside them where installed
(``benchmarks.peers``).

Each workload's "jit" callable reuses one jitted function, so its median is the replay
(the trace happens in the warm-up call).

``python -m benchmarks.jit_interleaved`` measures these rows alone, interleaved (each round calls
every implementation once) and in CPU time, which a machine shared with other work
disturbs less than the wall clock.
"""
from __future__ import annotations

import numpy as onp
import scipy.optimize

import dualgrad
import dualgrad.numpy as dnp

from . import peers
from .workloads import _chain  # the scalar chain the eager rows time

try:
    import autograd
    import autograd.numpy as anp
except ImportError:  # the [bench] extra is optional
    autograd = anp = None


def _jit_at_most(limit, per=1.0):
    """The jit median (divided by ``per``: seconds per op) against an absolute target."""
    def check(t):
        r = t["jit"] / per
        return r * 1e6, r <= limit
    return check


def _jit_faster_by(eager_factor, autograd_factor):
    def check(t):
        vs_eager = t["dualgrad"] / t["jit"]
        if "autograd" not in t:
            return vs_eager, vs_eager >= eager_factor
        vs_ag = t["autograd"] / t["jit"]
        return vs_eager, vs_eager >= eager_factor and vs_ag >= autograd_factor
    return check


def _jit_vs_jax_jit(t):
    if "jax.jit" not in t:
        return None, None  # jax is not installed: not measured
    r = t["jit"] / t["jax.jit"]
    return r, r <= 1.0


# ------------------------------------------------------------- fixed cost
def fixed_cost(quick):
    x = onp.linspace(0.0, 1.0, 100)
    f = lambda np: (lambda x: np.sum(2.0 * x))
    g, jg = dualgrad.grad(f(dnp)), dualgrad.jit(dualgrad.grad(f(dnp)))
    out = {"dualgrad": lambda: g(x), "jit": lambda: jg(x), "numpy": lambda: onp.sum(2.0 * x)}
    if autograd:
        ag = autograd.grad(f(anp))
        out["autograd"] = lambda: ag(x)
    out.update(peers.fixed_cost(x))
    return out


# ------------------------------------------------------------- scalar chain
STEPS = 1000


def chain_value_and_grad(quick):
    n = 20 if quick else STEPS
    vg = dualgrad.value_and_grad(_chain(dnp, n))
    jvg = dualgrad.jit(vg)
    out = {"dualgrad": lambda: vg(0.5), "jit": lambda: jvg(0.5),
           "numpy": lambda: _chain(onp, n)(0.5)}
    if autograd:
        avg = autograd.value_and_grad(_chain(anp, n))
        out["autograd"] = lambda: avg(0.5)
    out.update(peers.scalar_chain(n, "value_and_grad"))
    return out


# ------------------------------------------------------------- small MLP
def _mlp(np, params, x, y):
    h = x
    for W, b in params[:-1]:
        h = np.tanh(h @ W + b)
    W, b = params[-1]
    return np.mean((h @ W + b - y) ** 2)


def small_mlp(quick):
    sizes = [32, 64, 64, 10]
    batch = 8 if quick else 128
    rng = onp.random.default_rng(0)
    params = [(rng.standard_normal((a, b)) / onp.sqrt(a), onp.zeros(b))
              for a, b in zip(sizes[:-1], sizes[1:])]
    x, y = rng.standard_normal((batch, 32)), rng.standard_normal((batch, 10))
    vg = dualgrad.value_and_grad(lambda p: _mlp(dnp, p, x, y))
    jvg = dualgrad.jit(vg)
    out = {"dualgrad": lambda: vg(params), "jit": lambda: jvg(params),
           "numpy": lambda: _mlp(onp, params, x, y)}
    if autograd:
        avg = autograd.value_and_grad(lambda p: _mlp(anp, p, x, y))
        out["autograd"] = lambda: avg(params)
    out.update(peers.mlp_value_and_grad(params, x, y, _mlp))
    return out


# ------------------------------------------------------------- Weibull AFT fit
def weibull_data(n: int, seed: int = 0):
    """Survival times of a Weibull AFT model with 3 covariates, about 30% censored."""
    rng = onp.random.default_rng(seed)
    X = onp.column_stack([onp.ones(n), rng.standard_normal((n, 2)), rng.integers(0, 2, n)])
    beta, rho = onp.array([1.0, 0.3, -0.5, 0.2]), 1.5
    T = onp.exp(X @ beta) * rng.weibull(rho, n)
    C = rng.exponential(onp.quantile(T, 0.9), n)
    return X, onp.minimum(T, C), (T <= C).astype(float)


def weibull_neg_log_likelihood(np, X, T, E, penalizer=0.01):
    """lifelines' WeibullAFTFitter objective: with lambda_i = exp(X_i beta), rho = exp(g),
    H(t) = (t / lambda)^rho and log h(t) = log rho - log lambda + (rho - 1) log(t / lambda),
    minus the mean of E log h(T) - H(T), plus an L2 penalty."""
    logT = np.log(T)

    def nll(params):
        beta, log_rho = params[:-1], params[-1]
        log_lam = X @ beta
        rho = np.exp(log_rho)
        z = rho * (logT - log_lam)  # log H
        log_h = log_rho - log_lam + (rho - 1.0) * (logT - log_lam)
        ll = np.sum(E * log_h - np.exp(z))
        return -ll / T.shape[0] + penalizer * np.sum(params ** 2)
    return nll


def fit(value_and_grad, n_params):
    res = scipy.optimize.minimize(lambda p: value_and_grad(p), onp.zeros(n_params),
                                  jac=True, method="L-BFGS-B", options={"maxiter": 200})
    return res


def weibull_fit(quick):
    X, T, E = weibull_data(60 if quick else 200)
    k = X.shape[1] + 1
    vg = dualgrad.value_and_grad(weibull_neg_log_likelihood(dnp, X, T, E))
    jvg = dualgrad.jit(vg)
    out = {"dualgrad": lambda: fit(vg, k), "jit": lambda: fit(jvg, k),
           "numpy": lambda: weibull_neg_log_likelihood(onp, X, T, E)(onp.zeros(k))}
    if autograd:
        avg = autograd.value_and_grad(weibull_neg_log_likelihood(anp, X, T, E))
        out["autograd"] = lambda: fit(avg, k)
    out.update(peers.weibull_fit(weibull_neg_log_likelihood, X, T, E, fit, k))
    return out


# ------------------------------------------------------------- sparse Brusselator
def sparse_brusselator(quick):
    """The cached ``sparse.jacobian`` of the 2-D Brusselator (``benchmarks.sparse``), n =
    2 N^2 = 8192; the floor is one plain evaluation of the field, and the CSR fill alone
    (the entries gathered from the compressed products into the cached structure)."""
    import functools

    from dualgrad import sparse
    from dualgrad.sparse import colour

    from .sparse import _point, brusselator
    N = 4 if quick else 64
    f = functools.partial(brusselator, N=N)
    x = _point(2 * N * N)
    J, jJ = sparse.jacobian(f), dualgrad.jit(sparse.jacobian(f))
    J(x)  # the first call: the pattern and colouring
    rec = colour.Recovery(J.pattern, J.colours, "columns")
    fx = onp.asarray(f(x))
    T = onp.resize(fx, (J.choice.colours, fx.size))  # products of the right shape
    return {"dualgrad": lambda: J(x), "jit": lambda: jJ(x),
            "numpy": lambda: f(x), "numpy CSR fill alone": lambda: rec(T)}


def jit_workloads(Workload):
    """The rows, as ``benchmarks.workloads.Workload`` entries."""
    return [
        Workload("fixed cost of one `grad` call (sum(2x) on 100 floats), jit, us",
                 fixed_cost, "sum(2x) alone", "jit <= 15 us", _jit_at_most(15e-6),
                 repeats=201, unit="us"),
        Workload("scalar chain, 1000 steps (3000 ops), `value_and_grad`, jit, us per op",
                 chain_value_and_grad, "forward only", "jit <= 0.5 us/op",
                 _jit_at_most(0.5e-6, per=3 * STEPS), repeats=21, unit="us"),
        Workload("small MLP 32-64-64-10, batch 128, `value_and_grad`; figure: jit / jax.jit",
                 small_mlp, "forward only", "jit at or below jax.jit", _jit_vs_jax_jit,
                 repeats=101),
        Workload("Weibull AFT maximum likelihood, scipy.optimize.minimize(jac=True), "
                 "n = 200; figure: jit vs eager", weibull_fit, "one loss call",
                 "jit >= 3x eager and >= 5x autograd", _jit_faster_by(3, 5), repeats=9),
        Workload("cached `sparse.jacobian`, 2-D Brusselator n = 8192, jit, us",
                 sparse_brusselator, "f(x) once", "jit <= 1 ms", _jit_at_most(1e-3),
                 repeats=41, unit="us"),
    ]

