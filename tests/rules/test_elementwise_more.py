"""More elementwise functions: values equal numpy's; derivatives in both modes to
order 2, complex inputs where numpy takes them. ``CASES`` is reused by
tests/test_plain_numpy.py."""
import numpy as onp
import pytest

import dualgrad.numpy as dnp
from dualgrad import grad
from dualgrad.test_util import check_grads

R = onp.random.RandomState(3)
V3 = R.randn(3)
M23 = R.randn(2, 3)
POS = onp.array([[0.45, 1.9, 3.3], [5.3, 0.4, 2.2]])
CINF = onp.array([1.0 + 2j, onp.inf - 1j, 0.5j])
C3 = R.randn(3) + 1j * R.randn(3)
XP = onp.array([0.0, 0.5, 1.5, 2.0])

CASES = [
    ("deg2rad", lambda np, x: np.deg2rad(x), M23),
    ("rad2deg", lambda np, x: np.rad2deg(x), M23),
    ("degrees", lambda np, x: np.degrees(x), M23),
    ("radians", lambda np, x: np.radians(x), M23),
    ("positive", lambda np, x: np.positive(x) * x, M23),
    ("mod", lambda np, x: np.mod(x, 0.7), POS),
    ("remainder_y", lambda np, x: np.remainder(3.1, x), POS),
    ("remainder_xy", lambda np, x: np.remainder(x * 3, x[::-1, ::-1]), POS),
    ("fmod", lambda np, x: np.fmod(-x * 2.3, x[:, :1]), POS),
    ("mod_operator", lambda np, x: (x * 4.1) % x[::-1] + 2.5 % x, POS),
    ("divmod", lambda np, x: np.divmod(x * 5, 1.3)[1], POS),
    ("modf", lambda np, x: np.modf(x * 3)[0], M23),
    ("frexp", lambda np, x: np.frexp(x * 5)[0], M23),
    ("copysign", lambda np, x: np.copysign(x, x[::-1]), M23),
    ("heaviside", lambda np, x: np.heaviside(onp.array([-1.0, 0.0, 2.0]), x), V3),
    ("ldexp", lambda np, x: np.ldexp(x, onp.array([1, -2, 3])), M23),
    ("float_power", lambda np, x: np.float_power(x, 1.7), POS),
    ("float_power_y", lambda np, x: np.float_power(2.0, x), M23),
    ("float_power_complex", lambda np, x: np.float_power(x, 2.0), C3),
    ("nextafter", lambda np, x: np.nextafter(x, 10.0) * x, M23),
    ("nan_to_num", lambda np, x: np.nan_to_num(np.log(x - 0.5)), POS),
    ("nan_to_num_complex", lambda np, x: np.nan_to_num(x, posinf=7.0), CINF),
    ("real_if_close", lambda np, x: np.real_if_close(x + 0j), M23),
    ("unwrap", lambda np, x: np.unwrap(x * 4), M23),
    ("i0", lambda np, x: np.i0(x), M23),
    ("interp_x", lambda np, x: np.interp(x, XP, [1.0, 3.0, 2.0, 0.5]), POS * 0.4 - 0.3),
    ("interp_fp", lambda np, x: np.interp([0.2, 1.0, 2.5, -1.0], XP, x), onp.arange(4.0) ** 2),
    ("interp_xp", lambda np, x: np.interp([0.2, 1.0, 1.7], x, [1.0, 3.0, 2.0, 0.5]), XP),
    ("interp_left_right", lambda np, x: np.interp(x, XP, XP ** 2, left=-1.0, right=9.0), POS - 1.5),
    ("interp_complex_fp", lambda np, x: np.interp([0.3, 1.1], XP, x), onp.arange(4.0) * (1 + 2j)),
    ("interp_period", lambda np, x: np.interp(x, [0.0, 1.0, 2.0], [1.0, 0.0, 3.0], period=3.0), POS),
    ("polyval", lambda np, x: np.polyval(x[0], x[1]), M23),
    ("polyval_complex", lambda np, x: np.polyval([1.0, -2.0, 0.5], x), C3),
    ("polyadd", lambda np, x: np.polyadd(x[0], x[1, :2]), M23),
    ("polysub", lambda np, x: np.polysub(x[0, :1], x[1]), M23),
    ("polymul", lambda np, x: np.polymul(x[0], x[1]), M23),
    ("polyder", lambda np, x: np.polyder(x, 2), V3),
    ("polyint", lambda np, x: np.polyint(x, 2, k=[1.0, 2.0]), V3),
    ("vdot", lambda np, x: np.vdot(x, x[::-1] ** 2), M23),
    ("vdot_complex", lambda np, x: np.vdot(x, x * 1j + 2), C3),
    ("acos", lambda np, x: np.acos(x * 0.3), M23),
    ("atan2", lambda np, x: np.atan2(x, x[::-1] + 3), M23),
    ("pow", lambda np, x: np.pow(x, 3), C3),
]


@pytest.mark.parametrize("name, f, x", CASES, ids=[c[0] for c in CASES])
def test_matches_numpy_and_rules(name, f, x):
    with onp.errstate(all="ignore"):
        assert onp.allclose(f(dnp, x), f(onp, x), equal_nan=True)
    check_grads(lambda x: f(dnp, x), order=2)(x)


@pytest.mark.parametrize("fun", [dnp.floor, dnp.ceil, dnp.round, dnp.trunc, dnp.rint, dnp.fix,
                                 dnp.around])
def test_rounding_has_zero_derivative(fun):
    x = onp.array([0.3, 1.7, -2.2])
    assert grad(lambda x: dnp.sum(fun(x) * x))(x).tolist() == fun(x).tolist()
    check_grads(lambda x: x - fun(x), order=2)(x)


def test_interp_slope_is_the_segment_slope():
    g = grad(lambda x: dnp.sum(dnp.interp(x, XP, [1.0, 3.0, 2.0, 0.5])))(onp.array([0.2, 1.0, 1.8]))
    assert onp.allclose(g, [4.0, -1.0, -3.0])


def test_heaviside_x_has_zero_derivative():
    g = grad(lambda x: dnp.sum(dnp.heaviside(x, 0.5)))(onp.array([-1.0, 2.0]))
    assert g.tolist() == [0.0, 0.0]
