"""Regression tests for wrong derivatives found by hunting complex inputs and
random compositions (each names the input that was wrong)."""
import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import grad, hessian, jacobian
from dualgrad.rules.counting import UNIQUE_TAKES_SORTED
from dualgrad.test_util import check_grads
from helpers import check_partials


# prod's rule computed "the product of the others" with zero masks that are
# constant in x, so with one or two exact zeros in a slice the *second*
# derivative was wrong: d^2 prod / dx_0 dx_1 at [1, 0, 2] is x_2 = 2, not 0.
@pytest.mark.parametrize("x", [
    onp.array([1.0, 0.0, 2.0]),
    onp.array([3.0, 0.0, 0.0, 2.0]),
    onp.array([0.0, 0.0, 0.0]),
    onp.array([0.5 + 1j, 0.0, -1 + 0.3j, 2 - 1j]),
])
def test_prod_hessian_with_zeros(x):
    n = x.size
    expect = onp.zeros((n, n), dtype=x.dtype)
    for i in range(n):
        for j in range(n):
            if i != j:
                expect[i, j] = onp.prod(onp.delete(x, [i, j]))
    if not onp.iscomplexobj(x):
        onp.testing.assert_allclose(hessian(np.prod)(x), expect, atol=1e-12)
    check_grads(np.prod, order=2)(x)


@pytest.mark.parametrize("axis,keepdims", [(0, False), (1, True), (None, False), ((0, 2), False)])
def test_prod_axes_second_order_with_zeros(axis, keepdims):
    x = onp.arange(1.0, 13.0).reshape(2, 3, 2) - 6.0  # one zero
    x[1, 1, 1] = 0.0                                   # and a second one
    check_grads(lambda a: np.prod(a, axis=axis, keepdims=keepdims), order=2)(x)
    check_grads(lambda a: np.nanprod(a, axis=axis), order=2)(x + 0.5j)


# real ** complex with a negative real base: numpy takes the principal complex
# power, so d/dy = log(x) x**y with the complex log (log|x| + i pi); the real
# log gave nan.
def test_power_negative_real_base_complex_exponent():
    x = onp.array([-1.5, 2.0])
    y = onp.array([2 + 1j, 1 + 1j])
    check_partials(lambda xy: xy[0] ** xy[1], (x, y), rtol=1e-5, atol=1e-6)
    check_grads(lambda b: x ** b, order=2)(y)
    t = jacobian(lambda b: np.sum(x ** b), complex_layout="complex")(y)
    onp.testing.assert_allclose(t, (x + 0j) ** y * onp.log(x + 0j))


# np.angle(z, deg=True) raised TypeError under tracing (the rules had no deg).
@pytest.mark.parametrize("z", [onp.array([0.3 + 0.4j, -1 - 2j]), onp.array([1.5, -2.0])])
def test_angle_deg(z):
    f = lambda a: np.angle(a, deg=True)  # noqa: E731
    onp.testing.assert_allclose(f(z), onp.angle(z, deg=True))
    check_partials(f, z, rtol=1e-5, atol=1e-6)
    check_grads(f, order=2)(z)


# maximum/minimum of a 0-d float32 array: the tie-share factor was a numpy
# float64 scalar, promoting the float32 tangent to float64.
def test_maximum_0d_float32_tangent_dtype():
    from dualgrad import jvp
    x = onp.asarray(onp.float32(0.5))
    for f in (lambda a: np.maximum(a, 0.1), lambda a: np.fmin(a, 2.0)):
        y, t = jvp(f, (x,), (onp.ones_like(x),))
        assert onp.asarray(t).dtype == onp.float32 == onp.asarray(y).dtype


# A complex scalar input (numpy complex64/complex128 scalar, Python complex)
# got a real gradient when the cotangent reaching it was real (real(z)'s VJP):
# float32 for a complex64 scalar. autograd gives a complex number.
@pytest.mark.parametrize("z", [onp.complex64(0.5 + 0.3j), onp.complex128(0.5 + 0.3j), 0.5 + 0.3j])
def test_complex_scalar_gets_complex_gradient(z):
    want = onp.result_type(z)
    for f in (np.real, lambda a: np.real(a + a), lambda a: np.real(np.sum(a))):
        g = grad(f)(z)
        assert onp.result_type(g) == want
        assert g in (1, 2)


# The forward tangent of a complex answer from a real operand (x + 1j,
# where(c, x, 1j)) was real, so jacfwd gave float64 where jacrev gives complex128.
def test_real_operand_complex_answer_tangent_is_complex():
    from dualgrad import jvp
    x = onp.array([1.0, 2.0])
    for f in (lambda a: a + 1j, lambda a: 1j - a, lambda a: np.where([True, False], a, 1j)):
        _, t = jvp(f, (x,), (x,))
        assert onp.iscomplexobj(t)
        check_partials(f, x)
    f = lambda a: np.concatenate([a + 1j, 2 * a])  # noqa: E731
    assert jacobian(f, mode="fwd")(x).dtype == jacobian(f, mode="rev")(x).dtype == onp.complex128


# unique_values (unique(sorted=False)) of complex input: numpy >= 2.3 returns the
# values unsorted (hash table) but the traced path picked them in sorted order,
# so the traced values, and the derivatives, were a permutation of numpy's.
@pytest.mark.parametrize("fun", [
    np.unique_values,
    pytest.param(lambda a: np.unique(a, sorted=False), marks=pytest.mark.skipif(
        not UNIQUE_TAKES_SORTED, reason="numpy < 2.3: unique() has no sorted="))])
def test_unique_unsorted_complex_matches_numpy(fun):
    z = onp.array([-0.8 + 0.42j, -1.3 + 1.1j, -0.25 + 0.11j, -0.8 + 0.42j])
    want = onp.unique_values(z)
    onp.testing.assert_array_equal(fun(onp.asarray(z)), want)
    onp.testing.assert_array_equal(jacobian(fun)(z) @ z, want)  # linear: J z = f(z)
    # (no finite differences: the hash order itself changes when z moves)


# std along an axis of length 1 is identically 0, but its derivative was nan
# (sqrt'(0) = inf times a zero derivative of var). Now 0 wherever var == 0.
@pytest.mark.parametrize("x", [onp.array([[0.3, -1.2, 2.0]]), onp.array([[0.3 + 1j, -1.2, 2.0j]])])
def test_std_length_one_axis(x):
    f = lambda a: np.std(a, axis=0)  # noqa: E731
    onp.testing.assert_array_equal(jacobian(f, complex_layout="real")(x), 0.0)
    check_grads(f, order=2)(x)
    g = grad(lambda a: np.sum(np.std(a, axis=1)))(onp.array([[1.0, 2.0], [3.0, 3.0]]))
    onp.testing.assert_allclose(g, [[-0.5, 0.5], [0.0, 0.0]])
