"""Taylor rules for scipy.special functions whose derivatives are known in closed form
(loaded with ``dualgrad.scipy.special``, as their first-order rules are).

* erf, erfc: ``y' = ±(2/sqrt(pi)) exp(-x^2) x'`` (the ODE recurrence of ``rules.taylor``);
* expit: ``y' = y (1 - y) x'``;
* the gamma family through every derivative at the point: ``gammaln^(n) = psi^(n-1)``,
  ``digamma^(n) = psi^(n)``, ``polygamma(m, .)^(n) = psi^(m+n)``, and
  ``gamma = sign * exp(gammaln)``. A function whose derivatives ``g^(n)(x_0)`` are
  all known composes with the curve by ``g(x(t)) = sum_n g^(n)(x_0) / n! (x(t) - x_0)^n``
  (``_compose``, O(K^3)).
"""
from __future__ import annotations

import math

import numpy as onp

from ..core import getval
from ..interpreters.taylor import def_taylor
from . import elementwise as ew
from . import scipy_special as sp
from ._helpers import exact_constant
from .taylor import _cauchy, _exp_full, _full, _integrate, _is_zero, _mul_full, _order

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def _gaussian_derivative(xf, order, scale):
    """The series of ``scale * exp(-x^2)`` to order K-1, for erf's ODE."""
    sq = _mul_full(xf, xf)
    neg = [-c if not _is_zero(c) else 0.0 for c in sq]
    e = _exp_full(neg, ew.exp(neg[0]), order)
    return [scale * c if not _is_zero(c) else 0.0 for c in e]


def _erf_like(series, ans, x, scale):
    order = _order(series)
    xf = _full(series[0], x, order)
    d = _gaussian_derivative(xf, order, scale)
    return _integrate(xf, lambda m, y: d[m], ans, order)[1:]


def _two_over_sqrt_pi(like):
    return exact_constant(_TWO_OVER_SQRT_PI, lambda m: 2 / m.sqrt(m.pi), like)


def_taylor(sp.erf, lambda series, ans, x: _erf_like(series, ans, x, _two_over_sqrt_pi(x)))
def_taylor(sp.erfc, lambda series, ans, x: _erf_like(series, ans, x, -_two_over_sqrt_pi(x)))


@def_taylor(sp.expit)
def _expit(series, ans, x):
    order = _order(series)  # y' = y (1 - y) x'
    return _integrate(_full(series[0], x, order),
                      lambda m, y: y[m] - _cauchy(y, y, m), ans, order)[1:]


def _compose(derivs, xf, order):
    """Coefficients 1..K of ``g(x(t))`` from ``derivs[n] = g^(n)(x_0)``, n = 0..K."""
    delta = [0.0] + xf[1:]  # x(t) - x_0
    power = [1.0] + [0.0] * order  # delta^0
    out = [0.0] * (order + 1)
    for n in range(1, order + 1):
        power = _mul_full(power, delta)
        w = derivs[n] / math.factorial(n)
        for k in range(n, order + 1):
            if not _is_zero(power[k]):
                out[k] = out[k] + w * power[k]
    return out[1:]


def _psi_family(first):
    """Taylor rule of a function whose n-th derivative is polygamma(first + n - 1, x)."""
    def rule(series, ans, *vals):
        x = vals[-1]
        order = _order([series[-1]])
        derivs = [ans] + [sp.polygamma(first + n - 1, x) for n in range(1, order + 1)]
        return _compose(derivs, _full(series[-1], x, order), order)
    return rule


def_taylor(sp.gammaln, _psi_family(0))   # gammaln' = psi = polygamma(0, .)
def_taylor(sp.digamma, _psi_family(1))   # digamma' = polygamma(1, .)


@def_taylor(sp.polygamma)
def _polygamma(series, ans, n, x):
    if series[0] is not None:  # the order n is an integer: never traced in a rule
        raise TypeError("polygamma: the order n cannot be traced.")
    m = int(onp.asarray(getval(n)).item())
    return _psi_family(m + 1)([None, series[1]], ans, n, x)


@def_taylor(sp.gamma)
def _gamma(series, ans, x):
    order = _order(series)  # gamma = sign(gamma(x_0)) exp(gammaln(x)): y' = y psi(x) x'
    # only the coefficients 1..K of log|gamma| enter (the psi series; log gamma's for a
    # complex x); its value, the 0th, is not read (0.0 stands in for it)
    logs = [0.0] + _psi_family(0)(series, 0.0, x)
    return _exp_full(logs, ans, order)[1:]


__all__ = []
