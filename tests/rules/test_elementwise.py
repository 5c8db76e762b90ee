"""Elementwise rules: check_grads in both modes to second order, and the scalar
derivatives against mpmath at 30 digits."""
import mpmath
import numpy as onp
import pytest
from hypothesis import given, strategies as st

import dualgrad.numpy as np
from dualgrad import deriv, grad, jacobian
from dualgrad.test_util import check_grads
from helpers import mp_derivative, small_arrays

#        dualgrad fn    domain          mpmath reference
UNARY = [
    (np.exp, (-3, 3), mpmath.exp),
    (np.expm1, (-3, 3), mpmath.expm1),
    (np.exp2, (-3, 3), lambda x: 2 ** x),
    (np.log, (0.1, 5), mpmath.log),
    (np.log1p, (-0.9, 5), mpmath.log1p),
    (np.log2, (0.1, 5), lambda x: mpmath.log(x, 2)),
    (np.log10, (0.1, 5), mpmath.log10),
    (np.sqrt, (0.1, 5), mpmath.sqrt),
    (np.cbrt, (0.1, 5), mpmath.cbrt),
    (np.square, (-3, 3), lambda x: x ** 2),
    (np.reciprocal, (0.2, 3), lambda x: 1 / x),
    (np.sin, (-3, 3), mpmath.sin),
    (np.cos, (-3, 3), mpmath.cos),
    (np.tan, (-1.2, 1.2), mpmath.tan),
    (np.arcsin, (-0.9, 0.9), mpmath.asin),
    (np.arccos, (-0.9, 0.9), mpmath.acos),
    (np.arctan, (-3, 3), mpmath.atan),
    (np.sinh, (-3, 3), mpmath.sinh),
    (np.cosh, (-3, 3), mpmath.cosh),
    (np.tanh, (-3, 3), mpmath.tanh),
    (np.arcsinh, (-3, 3), mpmath.asinh),
    (np.arccosh, (1.1, 4), mpmath.acosh),
    (np.arctanh, (-0.9, 0.9), mpmath.atanh),
    (np.sinc, (-2, 2), lambda x: mpmath.sinc(mpmath.pi * x)),
    (np.fabs, (0.1, 3), abs),
    (np.abs, (0.1, 3), abs),
    (np.negative, (-3, 3), lambda x: -x),
]
IDS = [f.__name__ for f, _, _ in UNARY]


@pytest.mark.parametrize("f, domain, ref", UNARY, ids=IDS)
@given(data=st.data())
def test_unary_rules(f, domain, ref, data):
    x = data.draw(small_arrays(domain))
    check_grads(f, order=2)(x)


@pytest.mark.parametrize("f, domain, ref", UNARY, ids=IDS)
def test_unary_against_mpmath(f, domain, ref):
    for x in onp.linspace(*domain, 5):
        for n, d in ((1, grad(f)), (2, grad(grad(f)))):
            assert d(float(x)) == pytest.approx(mp_derivative(ref, x, n), rel=1e-9, abs=1e-12)
        assert deriv(f)(float(x)) == pytest.approx(mp_derivative(ref, x, 1), rel=1e-9, abs=1e-12)


def test_sinc_at_zero():
    assert grad(np.sinc)(0.0) == 0.0
    assert grad(grad(np.sinc))(0.0) == pytest.approx(float(mpmath.diff(lambda t: mpmath.sinc(mpmath.pi * t), 0, 2)))


BINARY = [
    (np.add, (-2, 2), (-2, 2)), (np.subtract, (-2, 2), (-2, 2)),
    (np.multiply, (-2, 2), (-2, 2)), (np.divide, (-2, 2), (0.5, 2)),
    (np.true_divide, (-2, 2), (0.5, 2)), (np.power, (0.5, 2), (-2, 2)),
    (np.arctan2, (-2, 2), (0.5, 2)), (np.hypot, (0.5, 2), (-2, -0.5)),
    (np.logaddexp, (-2, 2), (-2, 2)), (np.logaddexp2, (-2, 2), (-2, 2)),
    (np.maximum, (-2, -0.1), (0.1, 2)), (np.minimum, (-2, -0.1), (0.1, 2)),
    (np.fmax, (-2, -0.1), (0.1, 2)), (np.fmin, (-2, -0.1), (0.1, 2)),
]


@pytest.mark.parametrize("f, dx, dy", BINARY, ids=[b[0].__name__ for b in BINARY])
@given(data=st.data())
def test_binary_rules_with_broadcasting(f, dx, dy, data):
    x = data.draw(small_arrays(dx, shape=(2, 3)))
    y = data.draw(small_arrays(dy, shape=data.draw(st.sampled_from([(3,), (2, 1), (), (2, 3)]))))
    check_grads(f, order=2)(x, y)
    check_grads(f, order=1)(y, x) if f not in (np.power, np.divide, np.true_divide, np.arctan2, np.hypot) else None


def test_maximum_splits_ties_evenly():
    assert grad(lambda x: np.maximum(x, 1.0))(1.0) == 0.5
    assert grad(lambda x: np.sum(np.maximum(x, x)))(np.ones(3)).tolist() == [1.0, 1.0, 1.0]


def test_power_of_zero_has_finite_derivatives():
    # d/dx sum_i x**i at 0 is 1 (from i = 1); x**0 must not give 0 * x**-1 = nan
    f = lambda x: sum(x ** i for i in range(4))
    assert grad(f)(0.0) == 1.0
    assert grad(grad(f))(0.0) == 2.0


@given(data=st.data())
def test_where_and_clip(data):
    x = data.draw(small_arrays((-2, 2), shape=(2, 3)))
    x = onp.where(onp.abs(x) < 0.05, 0.3, x)  # stay off the kink of where at 0
    check_grads(lambda x: np.where(x > 0, np.sin(x), x ** 2), order=2)(x)
    check_grads(lambda x: np.clip(x, -0.5, 0.5) * x, order=2)(onp.where(onp.abs(onp.abs(x) - 0.5) < 1e-3, 0.1, x))
    check_grads(lambda lo: np.clip(x, lo, 1.5), order=1)(onp.float64(0.25) if onp.all(onp.abs(x - 0.25) > 1e-3) else 0.3)


def test_clip_with_lo_above_hi_follows_hi():
    # numpy: clip(x, lo, hi) = min(max(x, lo), hi), so where lo > hi the result is hi
    # whatever x is; the derivative goes to hi only (it used to go to lo, or to both).
    x = onp.array([-1.0, 0.5, 2.0])
    lo, hi = onp.array([1.0, 1.0, 1.0]), onp.array([0.0, 0.0, 0.0])
    for mode in ("fwd", "rev"):
        assert onp.all(jacobian(lambda l: np.clip(x, l, hi), mode=mode)(lo) == 0)
        assert onp.all(jacobian(lambda h: np.clip(x, lo, h), mode=mode)(hi) == onp.eye(3))
        assert onp.all(jacobian(lambda x: np.clip(x, lo, hi), mode=mode)(x) == 0)
    check_grads(lambda l, h: np.clip(x, l, h), order=1)(lo - 0.3, hi + 0.2)


def test_sign_has_zero_derivative_and_stays_traced():
    assert grad(lambda x: np.sign(x) * x)(-2.0) == -1.0
    assert grad(lambda x: np.sum(np.sign(x)))(onp.array([1.0, -1.0])).tolist() == [0.0, 0.0]


def test_a_wrong_rule_is_caught():
    from dualgrad.core import Primitive
    bad = Primitive(onp.sin, "bad_sin")
    bad.def_jvp(lambda t, ans, x: t * onp.cos(x) * 1.001)
    bad.def_vjp(lambda g, ans, x: g * onp.cos(x))
    with pytest.raises(AssertionError, match="forward mode"):
        check_grads(bad, modes=["fwd"], order=1)(0.3)
    with pytest.raises(AssertionError, match="transpose|finite"):
        bad2 = Primitive(onp.sin, "bad_sin2")
        bad2.def_jvp(lambda t, ans, x: t * onp.cos(x))
        bad2.def_vjp(lambda g, ans, x: g * onp.cos(x) * 1.001)
        check_grads(bad2, order=1)(0.3)
