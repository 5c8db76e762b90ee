"""scipy.stats distributions, written with special functions.

Each density is its textbook formula in dualgrad primitives, so every
continuous parameter (x, loc, scale, shapes) gets both modes and higher
derivatives with no rules of its own. Untraced calls go to scipy itself.
CDFs are differentiable where the special function is: ``t.cdf``,
``gamma.cdf``, ``chi2.cdf`` and ``beta.cdf`` in x, loc and scale but not in
their shape parameters (incomplete gamma/beta in the first arguments).
"""
from __future__ import annotations

import functools
import types

import numpy as onp
import scipy.stats as sst

from ..core import Tracer, getval, holds_tracer, notrace_primitive, unsupported
from ._helpers import shape_of
from .elementwise import exp, log, where
from .reductions import sum as rsum
from .scipy_special import (betainc, betaln, gammainc, gammaincc, gammaln, log_ndtr, ndtr,
                            stdtr, xlog1py, xlogy)
from .linalg import diag, diagonal
from .decompositions import cholesky as _cholesky
from .scipy_linalg import solve_triangular_p
from .shape import reshape, transpose

_LOG_2PI = onp.log(2 * onp.pi)


def _distribution(scipy_fun):
    """Use scipy's ``scipy_fun`` for plain values, the decorated formula for traced ones."""
    def deco(formula):
        @functools.wraps(scipy_fun)
        def wrapped(*args, **kwargs):
            return (formula if holds_tracer(args, kwargs) else scipy_fun)(*args, **kwargs)
        wrapped.formula = formula
        return wrapped
    return deco


# Random draws see through tracers; the distribution's other methods (ppf, moments,
# fit...) refuse traced values with an error naming them.
_NONDIFF_METHODS = frozenset({"rvs", "random_state"})


def _namespace(name, scipy_dist, **funs):
    others = {}
    for k in dir(scipy_dist):
        obj = getattr(scipy_dist, k, None)
        if k.startswith("_") or k in funs or not callable(obj) or isinstance(obj, type):
            continue
        others[k] = (notrace_primitive(obj) if k in _NONDIFF_METHODS
                     else unsupported(obj, f"scipy.stats.{name}.{k}"))
    ns = types.SimpleNamespace(**others, **{k: _distribution(getattr(scipy_dist, k))(f)
                                            for k, f in funs.items()})
    ns.__name__ = name
    return ns


# ------------------------------------------------------------------ normal
# log φ(x; μ, σ) = -z²/2 - log σ - log(2π)/2,   z = (x - μ)/σ;   Φ via ndtr / log_ndtr
def _norm_logpdf(x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return -0.5 * z ** 2 - log(scale) - 0.5 * _LOG_2PI


norm = _namespace(
    "norm", sst.norm,
    logpdf=_norm_logpdf,
    pdf=lambda x, loc=0.0, scale=1.0: exp(_norm_logpdf(x, loc, scale)),
    cdf=lambda x, loc=0.0, scale=1.0: ndtr((x - loc) / scale),
    logcdf=lambda x, loc=0.0, scale=1.0: log_ndtr((x - loc) / scale),
    sf=lambda x, loc=0.0, scale=1.0: ndtr((loc - x) / scale),
    logsf=lambda x, loc=0.0, scale=1.0: log_ndtr((loc - x) / scale),
    entropy=lambda loc=0.0, scale=1.0: 0.5 * (1 + _LOG_2PI) + log(scale),
)


# ------------------------------------------------------------------ Student t
# log p = lnΓ((ν+1)/2) - lnΓ(ν/2) - log(νπ)/2 - log σ - (ν+1)/2 log(1 + z²/ν)
def _t_logpdf(x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return (gammaln((df + 1) / 2) - gammaln(df / 2) - 0.5 * log(df * onp.pi) - log(scale)
            - (df + 1) / 2 * log(1 + z ** 2 / df))


t = _namespace(
    "t", sst.t,
    logpdf=_t_logpdf,
    pdf=lambda x, df, loc=0.0, scale=1.0: exp(_t_logpdf(x, df, loc, scale)),
    cdf=lambda x, df, loc=0.0, scale=1.0: stdtr(df, (x - loc) / scale),
    logcdf=lambda x, df, loc=0.0, scale=1.0: log(stdtr(df, (x - loc) / scale)),
)


# ------------------------------------------------------------------ gamma
# log p = (a-1) log z - z - lnΓ(a) - log σ,  z = (x - loc)/σ;   cdf = P(a, z)
def _gamma_logpdf(x, a, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return xlogy(a - 1, z) - z - gammaln(a) - log(scale)


gamma = _namespace(
    "gamma", sst.gamma,
    logpdf=_gamma_logpdf,
    pdf=lambda x, a, loc=0.0, scale=1.0: exp(_gamma_logpdf(x, a, loc, scale)),
    cdf=lambda x, a, loc=0.0, scale=1.0: gammainc(a, (x - loc) / scale),
    sf=lambda x, a, loc=0.0, scale=1.0: gammaincc(a, (x - loc) / scale),
)


# ------------------------------------------------------------------ chi-squared
# chi2(ν) = gamma(ν/2, scale 2):  log p = (ν/2-1) log z - z/2 - lnΓ(ν/2) - (ν/2) log 2 - log σ
def _chi2_logpdf(x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return (xlogy(df / 2 - 1, z) - z / 2 - gammaln(df / 2) - df / 2 * onp.log(2.0)
            - log(scale))


chi2 = _namespace(
    "chi2", sst.chi2,
    logpdf=_chi2_logpdf,
    pdf=lambda x, df, loc=0.0, scale=1.0: exp(_chi2_logpdf(x, df, loc, scale)),
    cdf=lambda x, df, loc=0.0, scale=1.0: gammainc(df / 2, (x - loc) / scale / 2),
)


# ------------------------------------------------------------------ beta
# log p = (a-1) log z + (b-1) log(1-z) - ln B(a, b) - log σ;   cdf = I_z(a, b)
def _beta_logpdf(x, a, b, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return xlogy(a - 1, z) + xlog1py(b - 1, -z) - betaln(a, b) - log(scale)


beta = _namespace(
    "beta", sst.beta,
    logpdf=_beta_logpdf,
    pdf=lambda x, a, b, loc=0.0, scale=1.0: exp(_beta_logpdf(x, a, b, loc, scale)),
    cdf=lambda x, a, b, loc=0.0, scale=1.0: betainc(a, b, (x - loc) / scale),
)


# ------------------------------------------------------------------ Poisson (in mu)
# log p(k) = k log μ - μ - lnΓ(k+1) for integer k >= 0 (else -inf);   cdf = Q(⌊k⌋+1, μ)
def _poisson_logpmf(k, mu, loc=0):
    k = onp.asarray(getval(k)) - getval(loc)      # k is discrete: no derivative
    ok = (k >= 0) & (k == onp.floor(k))
    kk = onp.where(ok, k, 0.0)
    return where(ok, xlogy(kk, mu) - mu - gammaln(kk + 1), -onp.inf)


def _poisson_cdf(k, mu, loc=0):
    k = onp.floor(onp.asarray(getval(k)) - getval(loc))
    return where(k >= 0, gammaincc(onp.maximum(k, 0) + 1, mu), 0.0)


poisson = _namespace(
    "poisson", sst.poisson,
    logpmf=_poisson_logpmf,
    pmf=lambda k, mu, loc=0: exp(_poisson_logpmf(k, mu, loc)),
    cdf=_poisson_cdf,
    logcdf=lambda k, mu, loc=0: log(_poisson_cdf(k, mu, loc)),
)


# ------------------------------------------------------------------ Dirichlet
# log p(x; α) = Σ_i (α_i - 1) log x_i - (Σ lnΓ(α_i) - lnΓ(Σ α_i));  x: (K,) or (K, N)
def _dirichlet_logpdf(x, alpha):
    log_b = rsum(gammaln(alpha)) - gammaln(rsum(alpha))
    return rsum(transpose(xlogy(alpha - 1, transpose(x))), axis=0) - log_b


dirichlet = _namespace(
    "dirichlet", sst.dirichlet,
    logpdf=_dirichlet_logpdf,
    pdf=lambda x, alpha: exp(_dirichlet_logpdf(x, alpha)),
)

# ------------------------------------------------------------------ multivariate normal
# log p(x) = -(d log 2π + log det Σ + (x-μ)ᵀ Σ⁻¹ (x-μ)) / 2, through Σ = L Lᵀ:
#   log det Σ = 2 Σ log diag L,   (x-μ)ᵀ Σ⁻¹ (x-μ) = |L⁻¹ (x-μ)|²
# x's last axis holds the d coordinates; the output has x's other axes (squeezed, as scipy).
def _mvn_cov(mean, cov, d):
    cov_shape = shape_of(cov)
    if len(cov_shape) == 2:
        return cov
    if len(cov_shape) == 1:                       # a diagonal given as a vector
        return diag(cov)
    return cov * onp.eye(d)


def _mvn_dim(x, mean, cov) -> int:
    for v, nd in ((cov, 2), (cov, 1), (mean, 1)):
        if v is not None and len(shape_of(v)) == nd:
            return shape_of(v)[0]
    return 1                                      # scalar mean and covariance (as scipy)


def _mvn_parts(x, mean, cov, allow_singular):
    if allow_singular:
        if isinstance(cov, Tracer):
            raise NotImplementedError("multivariate_normal with allow_singular=True is not "
                                      "differentiable with respect to a singular covariance; "
                                      "use a positive-definite covariance.")
        return _mvn_parts_singular(x, mean, cov)
    d = _mvn_dim(x, mean, cov)
    x_shape = shape_of(x)
    batch = x_shape[:-1] if (len(x_shape) >= 1 and not (len(x_shape) == 1 and d == 1)) \
        else x_shape
    xs = reshape(x, shape=(-1, d))
    dev = xs if mean is None else xs - mean
    cov = _mvn_cov(mean, cov, d)
    # A covariance is symmetric: reading it as (C + Cᵀ)/2 gives a symmetric gradient.
    L = _cholesky(0.5 * (cov + transpose(cov)))
    z = solve_triangular_p(L, transpose(dev), lower=True)
    logdet = 2 * rsum(log(diagonal(L)))
    return d, batch, z, logdet


def _mvn_parts_singular(x, mean, cov):
    """A constant, possibly singular covariance, as scipy's allow_singular: its
    pseudo-inverse and pseudo-determinant over the eigenvalues above scipy's cutoff,
    and d the rank; x off the support (beyond rounding) gets density 0 (log -inf)."""
    d = _mvn_dim(x, mean, cov)
    c = onp.asarray(getval(_mvn_cov(mean, cov, d)), dtype=float)
    s, u = onp.linalg.eigh(0.5 * (c + c.T))
    keep = s > 1e6 * onp.finfo(float).eps * onp.max(onp.abs(s))
    x_shape = shape_of(x)
    batch = x_shape[:-1] if (len(x_shape) >= 1 and not (len(x_shape) == 1 and d == 1)) \
        else x_shape
    xs = reshape(x, shape=(-1, d))
    dev = xs if mean is None else xs - mean
    z = transpose(dev @ (u[:, keep] / onp.sqrt(s[keep])))
    off = onp.linalg.norm(onp.asarray(getval(dev)) @ u[:, ~keep], axis=-1) > 1e-6
    logdet = onp.sum(onp.log(s[keep]))  # a constant: the covariance is not traced
    z = where(off[None, :], onp.inf, z)  # off the support: an infinite distance
    return int(keep.sum()), batch, z, logdet


def _mvn_logpdf(x, mean=None, cov=1, allow_singular=False):
    d, batch, z, logdet = _mvn_parts(x, mean, cov, allow_singular)
    out = -0.5 * (d * _LOG_2PI + logdet + rsum(z ** 2, axis=0))
    return reshape(out, shape=tuple(n for n in batch if n != 1))


def _mvn_entropy(mean=None, cov=1, allow_singular=False):
    d, _, _, logdet = _mvn_parts(onp.zeros(_mvn_dim(0.0, mean, cov)), mean, cov, allow_singular)
    return 0.5 * (d * (1 + _LOG_2PI) + logdet)


multivariate_normal = _namespace(
    "multivariate_normal", sst.multivariate_normal,
    logpdf=_mvn_logpdf,
    pdf=lambda x, mean=None, cov=1, allow_singular=False:
        exp(_mvn_logpdf(x, mean, cov, allow_singular)),
    entropy=_mvn_entropy,
)

FAMILIES = dict(norm=norm, t=t, gamma=gamma, chi2=chi2, beta=beta, poisson=poisson,
                dirichlet=dirichlet, multivariate_normal=multivariate_normal)
__all__: list[str] = []  # scipy names are not numpy names: not part of RULES
