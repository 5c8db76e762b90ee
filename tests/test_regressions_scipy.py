"""Regressions in the scipy layer: derivatives that were wrong (nan or lost to
cancellation) at points where the function itself is fine."""
from __future__ import annotations

import mpmath as mp
import numpy as onp
import pytest

import dualgrad.scipy.special as sp
from dualgrad import deriv, elementwise_grad, jacobian

mp.mp.dps = 40


def _mp_derivs(f_mp, xs, order):
    return onp.array([float(mp.diff(f_mp, mp.mpf(x), order)) for x in xs])


def _erfcx_mp(x):
    return mp.exp(x ** 2) * mp.erfc(x)


def _log_ndtr_mp(x):
    return mp.log(mp.erfc(-x / mp.sqrt(2)) / 2)


# rgamma at its zeros 0, -1, -2 (was -0 * digamma(pole) = nan; the slope is (-1)^n n!);
# erfcx at large x (2x erfcx(x) - 2/sqrt(pi) cancels: the second derivative at 1e5 was
# 1.8e-11 instead of 1.1e-15); log_ndtr at very negative x (exp(-x^2/2 - log Phi)
# cancels: the second derivative at -1e5 was -6367 instead of -1).
CASES = [
    (sp.rgamma, mp.rgamma, [-2.0, -1.0, -0.5, 0.0, 1e-3, 2.5]),
    (sp.erfcx, _erfcx_mp, [-2.0, 3.0, 11.99, 12.01, 1e3, 1e5, 1e7]),
    (sp.log_ndtr, _log_ndtr_mp, [-1e5, -1e3, -40.0, -1e-3, 0.0, 2.0]),
]


@pytest.mark.parametrize("f, f_mp, pts", CASES, ids=lambda v: getattr(v, "__name__", ""))
@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_first_and_second_derivatives_stay_accurate(f, f_mp, pts, mode):
    x = onp.array(pts)
    d1 = onp.diagonal(jacobian(f, mode=mode)(x))
    d2 = onp.diagonal(jacobian(elementwise_grad(f), mode=mode)(x))
    onp.testing.assert_allclose(d1, _mp_derivs(f_mp, pts, 1), rtol=1e-9)
    onp.testing.assert_allclose(d2, _mp_derivs(f_mp, pts, 2), rtol=1e-8)


def test_third_derivatives_trace_through_the_stable_branches():
    for f, f_mp, x in [(sp.rgamma, mp.rgamma, -1.0), (sp.erfcx, _erfcx_mp, 100.0),
                       (sp.log_ndtr, _log_ndtr_mp, -100.0)]:
        ours = float(deriv(deriv(deriv(f)))(x))
        onp.testing.assert_allclose(ours, _mp_derivs(f_mp, [x], 3)[0], rtol=1e-8)
