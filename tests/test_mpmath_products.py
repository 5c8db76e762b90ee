"""mpmath numbers through jvp, vjp, make_jvp, make_vjp, linearize and linear_transpose
(transforms/products.py, transforms/linearize.py, interpreters/linear.py, core/mp.py).

Every primitive family with an mpmath path (test_mpmath's reference table) is checked
at 50 digits against ``mpmath.diff`` in each of these transforms; arrays, ``mpc``
inputs and ``has_aux`` too. The results are mpmath numbers in the working precision,
the functions handed back (``f_vjp``, ``make_jvp``'s ``jvp``, ``f_jvp`` and its
transpose) take and give mpmath numbers, and a primitive without an mpmath path, or
an mpmath tangent of a float point, raises: nothing is computed in float64 silently.
"""
import mpmath
import numpy as onp
import pytest
from test_mpmath import HOLOMORPHIC, REFERENCES, TOL, Z0, _close, _close_c

import dualgrad.numpy as np
from dualgrad import jvp, linear_transpose, linearize, make_jvp, make_vjp, vjp


@pytest.fixture(autouse=True)
def fifty_digits():
    with mpmath.workdps(50):
        yield


mpf = mpmath.mpf


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_every_family_to_50_digits_in_each_product(name):
    f, mf, x0 = REFERENCES[name]
    x, t = mpf(x0), mpf(3) / 7          # a tangent (and cotangent) that is not a float
    want = mpmath.diff(mf, x)
    y, jt = jvp(f, (x,), (t,))
    _close(y, mf(x))
    _close(jt, want * t)
    y, f_vjp = vjp(f, x)
    (g,) = f_vjp(t)
    _close(y, mf(x))
    _close(g, want * t)
    _close(make_jvp(f)(x)(t)[1], want * t)
    _close(make_vjp(f)(x)[0](t), want * t)
    y, f_jvp = linearize(f, x)
    _close(y, mf(x))
    _close(f_jvp(t), want * t)
    _close(f_jvp(t), f_jvp(t))          # the compiled plan, applied twice
    (g,) = linear_transpose(f_jvp, x)(t)
    _close(g, want * t)
    _close(jvp(f, (x,), (1.0,))[1], want)  # a float tangent converts exactly


X = onp.array([mpf(1) / 3, mpf(2) / 7, mpf(-1) / 5], dtype=object)
A = onp.array([[mpf(1) / 3, mpf(2), mpf(-1)], [mpf(5), mpf(7) / 11, mpf(1) / 9]], dtype=object)


def _F(x):
    return np.tanh(A @ np.sin(x)) * np.sum(x ** 2)


def _mF(i):
    def f(*xs):
        s = [mpmath.sin(v) for v in xs]
        return mpmath.tanh(sum(A[i, j] * s[j] for j in range(3))) * sum(v * v for v in xs)
    return f


def _J():
    return [[mpmath.diff(_mF(i), tuple(X), tuple(int(k == j) for k in range(3)))
             for j in range(3)] for i in range(2)]


def _is_mpf_array(a, shape):
    return (isinstance(a, onp.ndarray) and a.dtype == object and a.shape == shape
            and all(isinstance(e, mpmath.mpf) for e in a.flat))


def test_arrays_of_mpmath_numbers_through_every_product():
    J = _J()
    v = onp.array([mpf(1), mpf(-2) / 3, mpf(1) / 7], dtype=object)
    w = onp.array([mpf(3) / 5, mpf(-1)], dtype=object)
    Jv = [sum(J[i][j] * v[j] for j in range(3)) for i in range(2)]
    wJ = [sum(w[i] * J[i][j] for i in range(2)) for j in range(3)]
    y, f_jvp = linearize(_F, X)
    outs = [jvp(_F, (X,), (v,))[1], make_jvp(_F)(X)(v)[1], f_jvp(v)]
    backs = [vjp(_F, X)[1](w)[0], make_vjp(_F)(X)[0](w),
             linear_transpose(f_jvp, X)(w)[0]]
    assert _is_mpf_array(y, (2,))
    for o in outs:
        assert _is_mpf_array(o, (2,))
        for i in range(2):
            _close(o[i], Jv[i])
    for b in backs:
        assert _is_mpf_array(b, (3,))
        for j in range(3):
            _close(b[j], wJ[j])


def test_several_primals_and_has_aux():
    x, y = mpf(1) / 3, mpf(2) / 7
    f = lambda a, b: np.sin(a) * np.exp(b)  # noqa: E731
    out, t = jvp(f, (x, y), (mpf(1), mpf(2)))
    _close(t, mpmath.cos(x) * mpmath.exp(y) + 2 * mpmath.sin(x) * mpmath.exp(y))
    _, f_vjp = vjp(f, x, y)
    ga, gb = f_vjp(mpf(1))
    _close(ga, mpmath.cos(x) * mpmath.exp(y))
    _close(gb, mpmath.sin(x) * mpmath.exp(y))
    _, f_jvp = linearize(f, x, y)
    _close(f_jvp(mpf(1), mpf(2)), t)
    out, t, aux = jvp(lambda a: (np.sin(a), a * 2), (x,), (mpf(1),), has_aux=True)
    _close(aux, 2 * x)
    out, f_vjp, aux = vjp(lambda a: (np.sin(a), np.cos(a)), x, has_aux=True)
    _close(aux, mpmath.cos(x))
    _close(f_vjp(mpf(1))[0], mpmath.cos(x))


@pytest.mark.parametrize("name", sorted(HOLOMORPHIC))
def test_mpc_inputs_follow_the_complex_convention(name):
    # jvp of a holomorphic f is f'(z) t; vjp and the transpose are (unconjugated)
    # f'(z) g, as for complex128 inputs (rules.complex.holomorphic_vjp)
    f, mf = HOLOMORPHIC[name]
    z, t = mpmath.mpc(*Z0), mpmath.mpc(1, 2) / 3
    d = mpmath.diff(mf, z)
    _close_c(jvp(f, (z,), (t,))[1], d * t)
    _close_c(vjp(f, z)[1](t)[0], d * t)
    _, f_jvp = linearize(f, z)
    _close_c(f_jvp(t), d * t)
    _close_c(linear_transpose(f_jvp, z)(t)[0], d * t)


def test_an_mpc_transpose_keeps_a_real_input_real():
    # a real input reached by complex values: its cotangent is the real part
    x, g = mpf(1) / 3, mpmath.mpc(2, -1) / 7
    f = lambda v: np.exp(v * 1j)  # noqa: E731
    d = mpmath.diff(lambda v: mpmath.exp(v * mpmath.mpc(0, 1)), x)
    (ct,) = vjp(f, x)[1](g)
    _close(ct, (g * d).real)
    _, f_jvp = linearize(f, x)
    _close_c(f_jvp(mpf(1)), d)
    (ct_t,) = linear_transpose(f_jvp, x)(g)
    _close(ct_t, (g * d).real)
    (zf,) = linear_transpose(linearize(f, 1 / 3)[1], 1 / 3)(complex(g))
    assert onp.isclose(zf, complex(g * d).real, rtol=1e-12)  # as for complex128


def test_no_mpmath_path_and_float_points_raise():
    x = mpf("0.3")
    with pytest.raises(TypeError, match="jvp: 'logaddexp' has no mpmath path"):
        jvp(lambda v: np.logaddexp(v, 1.0), (x,), (mpf(1),))
    with pytest.raises(TypeError, match="vjp: 'logaddexp' has no mpmath path"):
        vjp(lambda v: np.logaddexp(v, 1.0), x)
    with pytest.raises(TypeError, match="linearize: 'fft' has no mpmath path"):
        linearize(np.fft.fft, X)
    with pytest.raises(TypeError, match="make_jvp: 'logaddexp' has no mpmath path"):
        make_jvp(lambda v: np.logaddexp(v, 1.0))(x)(mpf(1))
    with pytest.raises(TypeError, match="rounded to float64|would drop its derivative"):
        jvp(lambda v: np.sin(float(v)), (x,), (mpf(1),))
    # an mpmath tangent at a float point, or given to a map recorded at one, would be
    # computed in float64
    with pytest.raises(TypeError, match="primals are not.*float64"):
        jvp(np.sin, (0.3,), (mpf(1),))
    _, f_jvp = linearize(np.sin, onp.array([0.3, 0.4]))
    with pytest.raises(TypeError, match="recorded at float64 primals"):
        f_jvp(onp.array([mpf(1), mpf(2)], dtype=object))
    _, f_jvp = linearize(np.sin, 0.3)
    with pytest.raises(TypeError, match="recorded at float64 primals"):
        f_jvp(mpf(1))
    with pytest.raises(ValueError, match="shape"):
        linearize(np.sin, X)[1](X[:2])


def test_results_follow_the_working_precision():
    with mpmath.workdps(80):
        e = mpmath.e
        _, t = jvp(np.exp, (mpf(1),), (mpf(1),))
        assert abs(t - e) < mpf(10) ** -78
        _, f_jvp = linearize(np.exp, mpf(1))
        assert abs(f_jvp(mpf(1)) - e) < mpf(10) ** -78
        assert abs(vjp(np.exp, mpf(1))[1](mpf(1))[0] - e) < mpf(10) ** -78
    assert abs(t - e) < TOL  # (the fixture's 50 digits again)


def test_the_products_nest_with_the_other_transforms():
    from dualgrad import deriv, grad
    x = mpf(1) / 3
    d2 = mpmath.diff(mpmath.sin, x, 2)
    _close(grad(lambda u: jvp(np.sin, (u,), (1.0,))[1])(x), d2)
    _close(grad(lambda u: vjp(np.sin, u)[1](1.0)[0])(x), d2)
    _close(grad(lambda u: linearize(np.sin, u)[1](1.0))(x), d2)
    _close(jvp(grad(np.sin), (x,), (mpf(1),))[1], d2)
    # d/dx of f'(x) x for f = exp
    _close(deriv(lambda u: linearize(np.exp, u)[1](u))(x), mpmath.exp(x) * (1 + x))


def test_functions_returned_by_transforms_give_mpmath_numbers():
    # make_hvp's hvp (like make_vjp's vjp) is called after the transform returned: it
    # too converts its argument and hands back mpf, not dualgrad's internal MP
    from dualgrad import make_hvp
    x = mpf(1) / 3
    hvp, g = make_hvp(lambda u: np.sin(u) ** 3)(x)
    _close(g, mpmath.diff(lambda u: mpmath.sin(u) ** 3, x))
    _close(hvp(mpf(2)), 2 * mpmath.diff(lambda u: mpmath.sin(u) ** 3, x, 2))
    _close(hvp(2.0), 2 * mpmath.diff(lambda u: mpmath.sin(u) ** 3, x, 2))
