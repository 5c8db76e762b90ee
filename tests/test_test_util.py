"""check_grads itself: its mpmath reference mode (reference="mpmath").

The reference there is mpmath's derivative of ``t -> f(x + t v)`` with ``f``
evaluated on mpmath numbers, so it must (a) equal the true derivative to float64
rounding, (b) pass every float64 rule that has an mpmath path at rtol=1e-10, to
order 2 in both modes, and (c) catch a rule wrong by one part in a million, which
float64 differences cannot see.
"""
import mpmath
import numpy as onp
import pytest

import dualgrad.numpy as np
import dualgrad.scipy.special as sps
from dualgrad.extend import defjvp, defvjp, primitive
from dualgrad.test_util import _mpmath_jvp, check_grads
from tests.test_mpmath import REFERENCES


def test_the_reference_is_the_exact_derivative_rounded_once():
    x = onp.array([0.3, 1.2, -2.5])
    v = onp.array([1.0, -0.5, 0.25])
    got = _mpmath_jvp(np.sin, x, v, 30)
    with mpmath.workdps(30):
        want = [float(mpmath.cos(mpmath.mpf(a)) * mpmath.mpf(b)) for a, b in zip(x, v)]
    assert onp.array_equal(got, want)   # the exact value rounded to float64, bit for bit
    # containers in and out
    got = _mpmath_jvp(lambda a: (a[0] * a[1], np.exp(a[0])), (0.5, 2.0), (1.0, 3.0), 30)
    assert got[0] == pytest.approx(2.0 + 0.5 * 3.0, rel=1e-15)
    assert got[1] == pytest.approx(onp.exp(0.5), rel=1e-15)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_every_rule_with_an_mpmath_path_passes_at_1e_10(name):
    f, _, x0 = REFERENCES[name]
    x = float(x0)
    check_grads(f, reference="mpmath", order=2)(x)
    check_grads(f, reference="mpmath", order=1)(onp.array([x, x * 1.1]))


def _nearly(fn, wrong_by):
    """``fn`` with JVP and VJP rules off by the factor ``1 + wrong_by``."""
    p = primitive(fn)
    d = {np.sin: np.cos, np.exp: np.exp}[fn]
    defvjp(p, lambda ans, x: lambda g: g * d(x) * (1 + wrong_by))
    defjvp(p, lambda g, ans, x: g * d(x) * (1 + wrong_by))
    return p


@pytest.mark.parametrize("mode", ["fwd", "rev"])
@pytest.mark.parametrize("fn", [np.sin, np.exp], ids=["sin", "exp"])
def test_catches_a_rule_wrong_in_the_sixth_digit(mode, fn):
    x = onp.array([0.5, 1.3])
    bad = _nearly(fn, 1e-6)
    check_grads(bad, modes=[mode], order=1)(x)   # differences cannot see it
    with pytest.raises(AssertionError, match="mpmath at 30 digits"):
        check_grads(bad, modes=[mode], order=1, reference="mpmath")(x)
    check_grads(_nearly(fn, 0.0), modes=[mode], order=1, reference="mpmath")(x)


def test_catches_a_wrong_second_derivative():
    """sin whose JVP is right but whose second derivative is -sin * (1 + 1e-6)."""
    inner_cos = primitive(np.cos)
    defjvp(inner_cos, lambda g, ans, x: -g * np.sin(x) * (1 + 1e-6))
    defvjp(inner_cos, lambda ans, x: lambda g: -g * np.sin(x) * (1 + 1e-6))
    s = primitive(np.sin)
    defjvp(s, lambda g, ans, x: g * inner_cos(x))
    defvjp(s, lambda ans, x: lambda g: g * inner_cos(x))
    check_grads(s, order=2)(0.7)
    check_grads(s, order=1, reference="mpmath")(0.7)
    with pytest.raises(AssertionError, match="jvp_sin"):
        check_grads(s, order=2, reference="mpmath")(0.7)


def test_higher_orders_containers_and_several_arguments():
    f = lambda x, y: (np.tanh(x * y), {"s": np.sum(sps.erf(x) ** 2) * y})  # noqa: E731
    check_grads(f, reference="mpmath", order=3)(onp.array([0.3, -0.8]), 1.7)
    check_grads(f, argnum=1, reference="mpmath", dps=40)(onp.array([0.3, -0.8]), 1.7)


def test_clear_errors():
    with pytest.raises(TypeError, match="'logaddexp' has no mpmath path"):
        check_grads(lambda x: np.logaddexp(x, 1.0), reference="mpmath")(0.3)
    with pytest.raises(ValueError, match="reference must be one of"):
        check_grads(np.sin, reference="exact")
    check_grads(np.sin, modes=["fwd"], rtol=1e-12, atol=0.0, reference="mpmath")(0.3)


def test_primitives_with_rules_for_one_mode_only():
    fwd_only, rev_only = primitive(np.sin), primitive(np.sin)
    defjvp(fwd_only, lambda g, ans, x: g * np.cos(x))
    defvjp(rev_only, lambda ans, x: lambda g: g * np.cos(x))
    check_grads(fwd_only, modes=["fwd"], order=1, reference="mpmath")(0.5)
    check_grads(rev_only, modes=["rev"], order=1, reference="mpmath")(0.5)


def test_complex_functions_against_mpmath():
    """mpc numbers carry complex values: holomorphic and real-valued functions of a
    complex z, and a real x through complex values, checked in both modes."""
    z = onp.array([0.3 + 0.7j, -0.2 + 0.1j])
    check_grads(lambda z: np.sin(z) * np.exp(z[::-1]), reference="mpmath")(z)
    check_grads(lambda z: np.abs(z) ** 2 + np.angle(z), reference="mpmath")(z)
    check_grads(lambda x: np.real(np.exp(1j * x)) * x, reference="mpmath")(onp.array([0.4, 1.1]))
    check_grads(lambda z: np.conj(z) * z[0], reference="mpmath")(z)
    got = _mpmath_jvp(np.exp, 0.3 + 0.7j, 1j, 30)
    assert abs(got - 1j * onp.exp(0.3 + 0.7j)) < 1e-15


def test_catches_a_complex_rule_wrong_in_the_sixth_digit():
    bad = primitive(np.exp)
    defjvp(bad, lambda g, ans, x: g * ans * (1 + 1e-6j))
    defvjp(bad, lambda ans, x: lambda g: g * ans * (1 + 1e-6j))
    z = onp.array([0.3 + 0.7j])
    check_grads(bad, order=1)(z)
    with pytest.raises(AssertionError, match="mpmath"):
        check_grads(bad, order=1, reference="mpmath")(z)
