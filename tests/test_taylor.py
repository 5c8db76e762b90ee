"""Taylor mode (dualgrad.interpreters.taylor, rules/taylor.py, transforms/taylor.py).

Every elementwise primitive with a Taylor rule is checked against mpmath's own
Taylor coefficients (``mpmath.taylor`` at 30 digits) to order 8; the linear,
bilinear and piecewise rules against nested forward mode; ``jet`` against JAX's
documented meaning (factorial-scaled series); and Taylor mode's composition with
reverse mode and batching.
"""
import math

import mpmath
import numpy as onp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dualgrad.numpy as np
import dualgrad.scipy.special as sps
from dualgrad import (deriv, derivatives, grad, hessian, jacfwd, jet, laplacian,
                      stop_gradient, taylor, vmap)
from dualgrad.core import JVP_RULES
from dualgrad.interpreters.taylor import TAYLOR_RULES, _by_nested_forward, push_jet
from dualgrad.rules._helpers import astype, sum_to_shape

ORDER = 8
mpmath.mp.dps = 30

# numpy function, mpmath function, a point inside the domain
UNARY = [
    (np.exp, mpmath.exp, 0.3), (np.expm1, mpmath.expm1, -0.4), (np.exp2, lambda x: 2 ** x, 0.7),
    (np.log, mpmath.log, 1.7), (np.log1p, mpmath.log1p, 0.4),
    (np.log2, lambda x: mpmath.log(x, 2), 2.5), (np.log10, mpmath.log10, 3.0),
    (np.sin, mpmath.sin, 0.9), (np.cos, mpmath.cos, -1.1), (np.tan, mpmath.tan, 0.5),
    (np.sinh, mpmath.sinh, 0.6), (np.cosh, mpmath.cosh, -0.3), (np.tanh, mpmath.tanh, 0.8),
    (np.arctan, mpmath.atan, 0.6), (np.arcsin, mpmath.asin, 0.3), (np.arccos, mpmath.acos, -0.2),
    (np.arcsinh, mpmath.asinh, 1.3), (np.arctanh, mpmath.atanh, 0.4),
    (np.sqrt, mpmath.sqrt, 2.2), (np.square, lambda x: x * x, -1.4),
    (np.reciprocal, lambda x: 1 / x, 0.8), (np.negative, lambda x: -x, 0.5),
    (lambda x: x ** 3, lambda x: x ** 3, 0.0), (lambda x: x ** 2.5, lambda x: x ** 2.5, 1.3),
    (lambda x: 1.7 ** x, lambda x: mpmath.mpf("1.7") ** x, 0.4),
    (lambda x: x ** x, lambda x: x ** x, 1.2), (lambda x: 2.0 / x, lambda x: 2 / x, 0.9),
    (np.cbrt, mpmath.cbrt, 1.9), (np.cbrt, lambda x: -mpmath.cbrt(-x), -0.6),
    (np.arccosh, mpmath.acosh, 1.6),
    (sps.erf, mpmath.erf, 0.4), (sps.erfc, mpmath.erfc, -0.7),
    (sps.expit, lambda x: 1 / (1 + mpmath.exp(-x)), 0.9),
    (sps.gammaln, mpmath.loggamma, 2.3), (sps.digamma, mpmath.digamma, 1.4),
    (lambda x: sps.polygamma(2, x), lambda x: mpmath.polygamma(2, x), 1.8),
    (sps.gamma, mpmath.gamma, 2.6), (sps.gamma, mpmath.gamma, -0.5),
]


def _mp_coefficients(mpf, x0, order):
    return [float(c) for c in mpmath.taylor(mpf, mpmath.mpf(x0), order)]


@pytest.mark.parametrize("f, mpf, x0", UNARY, ids=lambda v: getattr(v, "__name__", None))
def test_coefficients_equal_mpmaths_taylor(f, mpf, x0):
    got = taylor(f, x0, 1.0, order=ORDER)
    want = _mp_coefficients(mpf, x0, ORDER)
    assert onp.allclose(got, want, rtol=1e-11, atol=1e-12), (got, want)


def _nested_derivatives(f, x, order):
    out, d = [f(x)], f
    for _ in range(order):
        d = deriv(d)
        out.append(d(x))
    return onp.array(out, dtype=float)


def test_derivatives_equal_nested_deriv_on_a_chain():
    def f(x):
        y = np.sin(x) * np.exp(x) / (1 + x ** 2) + np.tanh(np.log(x))
        return np.sqrt(y * y + 1.0) - np.arctan(y) * x
    assert onp.allclose(derivatives(f, order=5)(0.7), _nested_derivatives(f, 0.7, 5),
                        rtol=1e-10)


ARRAY_CASES = {  # function of a (3,) or (2, 3) array, exercising the linear/bilinear rules
    "stop_gradient": lambda x: np.sum(np.sin(x) * stop_gradient(x ** 2)),
    "reshape_transpose": lambda x: np.sum(np.transpose(np.reshape(np.outer(x, x[::-1]), (9,))
                                                       .reshape(3, 3)) ** 3 * np.arange(9.0)
                                          .reshape(3, 3)),
    "getitem_concat": lambda x: np.sum(np.concatenate([x[1:] * x[:-1], x[::2]]) ** 2),
    "sum_mean_cumsum": lambda x: np.mean(np.cumsum(np.exp(x))) * np.sum(x),
    "matmul_dot": lambda x: x @ (np.outer(x, x) @ x) + np.dot(x, np.sin(x)),
    "einsum": lambda x: np.einsum("i,j,k->", x, np.cos(x), x ** 2),
    "where_max_clip": lambda x: np.sum(np.where(x > 0.2, x ** 3, -x)) + np.max(np.sin(x))
    + np.sum(np.clip(x, -0.5, 0.5) ** 2) + np.sum(np.maximum(x, 0.1) ** 3),
    "abs_real": lambda x: np.sum(np.abs(x - 0.3) ** 3),
    "broadcast": lambda x: np.sum(np.broadcast_to(x, (2, 3)) * np.arange(6.0).reshape(2, 3)),
    "index_update": lambda x: _with_update(x),
    "piecewise_constant": lambda x: np.sum(np.fabs(x) ** 3 * np.sign(x) + np.copysign(x ** 2, x)
                                           + np.fmod(x ** 3, 0.7) + np.remainder(x, 0.4) ** 2
                                           + np.heaviside(x, 0.5) * x ** 2),
    "fft": lambda x: np.sum(np.abs(np.fft.fft(np.sin(x))) ** 2)
    + np.sum(np.fft.irfft(np.fft.rfft(x * x), n=3) ** 3),
    "solve_inv": lambda x: _solve_inv(x),
    "min_minimum_fmin_fmax": lambda x: np.min(np.sin(x)) + np.sum(np.minimum(x, 0.2) ** 3)
    + np.sum(np.fmin(x, 0.1) ** 3) + np.sum(np.fmax(x ** 2, 0.3) ** 2),
    "real_imag_conjugate": lambda x: _complex_parts(np.exp(x * (1 + 0.5j))),
    "roll_astype": lambda x: np.sum(np.roll(np.sin(x), 1, axis=0) * x ** 2)
    + np.sum(astype(np.exp(x), onp.float64) ** 2),
    "sum_to_shape": lambda x: np.sum(sum_to_shape(np.outer(x, np.cos(x)), shape=(1, 3)) ** 3),
}


def _complex_parts(z):
    return np.sum(np.real(z) ** 2 + np.imag(np.conjugate(z)) ** 3)


def _solve_inv(x):
    A = np.outer(x, x[::-1]) + np.diag(x ** 2 + 2.0)
    return np.sum(np.linalg.solve(A, np.sin(x))) + np.sum(np.linalg.inv(A) ** 2) \
        + np.sum(np.linalg.solve(A, np.outer(x, x)))


def _with_update(x):
    y = x ** 2  # x[i] = v on a traced array (index_update); np.zeros(n) pending arrays are
    y[0] = np.sin(x[0])  # not yet made at a Taylor level
    return np.prod(y + 1.0)


@pytest.mark.parametrize("name", sorted(ARRAY_CASES))
def test_array_rules_equal_nested_forward_mode(name):
    f = ARRAY_CASES[name]
    x = onp.array([0.7, -0.4, 1.1])
    v = onp.array([0.3, 1.0, -0.5])
    got = taylor(f, x, v, order=5)
    line = lambda t: f(x + t * v)  # noqa: E731
    want = _nested_derivatives(line, 0.0, 5) / [math.factorial(k) for k in range(6)]
    assert onp.allclose(got, want, rtol=1e-9, atol=1e-12)


def test_every_taylor_rule_is_checked(monkeypatch):
    """Each rule of the table is reached by a case above (checked against mpmath or
    nested forward mode): a new rule must come with a case."""
    reached = set()
    for prim, rule in list(TAYLOR_RULES.items()):
        def counted(*args, _prim=prim, _rule=rule, **kwargs):
            reached.add(_prim.name)
            return _rule(*args, **kwargs)
        monkeypatch.setitem(TAYLOR_RULES, prim, counted)
    for f, _, x0 in UNARY:
        taylor(f, x0, 1.0, order=2)
    for f in ARRAY_CASES.values():
        taylor(f, onp.array([0.7, -0.4, 1.1]), onp.array([0.3, 1.0, -0.5]), order=2)
    assert {p.name for p in TAYLOR_RULES} - reached == set()


def test_jet_follows_jaxs_factorial_scaled_convention():
    # x(t) = x0 + t: the series is (1, 0, ...) and the output series holds f^(k)(x0)
    y0, ys = jet(np.sin, (0.5,), ([1.0, 0.0, 0.0, 0.0],))
    assert onp.allclose([y0, *ys], [onp.sin(0.5), onp.cos(0.5), -onp.sin(0.5), -onp.cos(0.5),
                                    onp.sin(0.5)])
    # a curve with curvature, x(t) = x0 + v t + w t^2 / 2: d^2/dt^2 f(x(t)) = f'' v^2 + f' w
    v, w = 0.7, -1.3
    _, ys = jet(np.exp, (0.2,), ([v, w],))
    assert onp.isclose(ys[1], onp.exp(0.2) * v ** 2 + onp.exp(0.2) * w)
    # unscaled: the normalised coefficients
    _, cs = jet(np.exp, (0.0,), ([1.0, 0.0, 0.0],), factorial_scaled=False)
    assert onp.allclose(cs, [1.0, 0.5, 1 / 6])


def test_jet_of_several_arguments():
    f = lambda x, y: np.sin(x * y) + x ** 2  # noqa: E731
    _, ys = jet(f, (0.3, 1.2), ([1.0, 0.0], [0.0, 0.0]))  # along x only
    want = _nested_derivatives(lambda t: f(0.3 + t, 1.2), 0.0, 2)
    assert onp.allclose(ys, want[1:])


def test_gradient_of_a_taylor_coefficient():
    """Reverse mode over Taylor mode: d/dx of f'''(x) equals f''''(x)."""
    f = lambda x: np.exp(np.sin(x)) * x  # noqa: E731
    third = lambda x: derivatives(f, order=3)(x)[3]  # noqa: E731
    assert onp.isclose(grad(third)(0.4), derivatives(f, order=4)(0.4)[4], rtol=1e-10)
    assert onp.isclose(jacfwd(third)(0.4), derivatives(f, order=4)(0.4)[4], rtol=1e-10)


def test_many_directions_at_once_under_vmap():
    f = lambda x: np.sum(np.sin(x) * x[::-1])  # noqa: E731
    x = onp.array([0.3, -0.8, 1.5])
    V = onp.eye(3) + 0.1
    batched = vmap(lambda v: taylor(f, x, v, order=4))(V)
    looped = onp.stack([taylor(f, x, v, order=4) for v in V])
    assert onp.allclose(batched, looped)


def test_a_primitive_without_a_rule_falls_back_to_nested_forward_mode():
    f = lambda x: np.arctan2(x, 1.0 + x ** 2) + np.cbrt(x)  # noqa: E731
    out, ys, fallbacks = push_jet(f, (0.8,), ([1.0, 0.0, 0.0],), 3)
    assert set(fallbacks) == {"arctan2"}
    want = _nested_derivatives(f, 0.8, 3) / [1, 1, 2, 6]
    assert onp.allclose([out, *ys], want, rtol=1e-10)


def test_every_rule_is_a_primitive_with_a_jvp():
    """The table holds primitives only, each also differentiable in forward mode."""
    assert TAYLOR_RULES and all(p in JVP_RULES for p in TAYLOR_RULES)


def test_float32_stays_float32():
    cs = taylor(np.exp, onp.float32(0.5), onp.float32(1.0), order=3)
    assert cs.dtype == onp.float32


def test_nested_forward_reference_itself():
    """The fallback used as the tests' second reference agrees with mpmath."""
    cs = _by_nested_forward(np.sin, [0.5], [[1.0, 0.0, 0.0, 0.0]], {}, 4)
    assert onp.allclose(cs, _mp_coefficients(mpmath.sin, 0.5, 4)[1:])


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_bad_orders_are_refused(bad):
    with pytest.raises(ValueError, match="order must be a positive integer"):
        taylor(np.sin, 0.5, 1.0, order=bad)


def test_mismatched_series_are_refused():
    with pytest.raises(ValueError, match="same, positive length"):
        jet(lambda x, y: x * y, (1.0, 2.0), ([1.0, 0.0], [1.0]))
    with pytest.raises(TypeError, match="must be a scalar"):
        derivatives(np.sin, order=2)(onp.ones(2))


# ------------------------------------------------------------------ collapsed Taylor mode
LAPLACIAN_CASES = {
    "mlp": lambda x: np.sum(np.tanh(W2 @ np.tanh(W1 @ x + 0.1)) ** 2),
    "chain": lambda x: np.sum(np.tanh(np.sin(x) * x[::-1]) ** 2) + np.exp(x[0]) * np.log1p(x @ x),
    "prod_fallback": lambda x: np.prod(x) * np.exp(x[0]),        # no rule: nested forward
    "masks": lambda x: np.sum(np.maximum(x, 0.1) ** 3 + np.where(x > 0, x ** 4, -x)),
    "solve": lambda x: np.sum(np.linalg.solve(np.outer(x, x) + 3 * onp.eye(4), x ** 2)),
    "constant_parts": lambda x: np.sum(x) + 3.0 + np.sum(onp.ones(4) * 2.0),
}
_R = onp.random.default_rng(20)
W1, W2 = _R.normal(size=(6, 4)), _R.normal(size=(3, 6))


@pytest.mark.parametrize("name", sorted(LAPLACIAN_CASES))
def test_laplacian_equals_the_trace_of_the_hessian(name):
    f = LAPLACIAN_CASES[name]
    x = onp.array([0.3, -0.7, 1.2, 0.5])
    assert onp.isclose(laplacian(f)(x), onp.trace(hessian(f)(x)), rtol=1e-10, atol=1e-12)


@given(hnp.arrays(float, (2, 3), elements=st.floats(-1.5, 1.5)))
@settings(max_examples=25, deadline=None)
def test_laplacian_of_a_matrix_argument(X):
    f = lambda X: np.sum(np.sin(X @ X.T)) + np.sum(np.exp(X) * X[::-1])  # noqa: E731
    H = hessian(f)(X).reshape(6, 6)
    assert onp.isclose(laplacian(f)(X), onp.trace(H), rtol=1e-9, atol=1e-9)


def test_laplacian_of_a_harmonic_function_is_zero():
    f = lambda x: np.exp(x[0]) * np.sin(x[1]) + x[0] * x[1]  # noqa: E731
    assert abs(laplacian(f)(onp.array([0.4, -1.3]))) < 1e-13


def test_laplacian_composes_with_grad_and_vmap():
    f = lambda x: np.sum(x ** 4) + np.prod(np.sin(x))  # noqa: E731
    x = onp.array([0.3, -0.7, 1.2])
    # d/dx of the Laplacian: the gradient of trace(H)
    want = jacfwd(lambda x: np.trace(hessian(f)(x)))(x)
    assert onp.allclose(grad(laplacian(f))(x), want, rtol=1e-9)
    X = onp.stack([x, 2 * x, -x])
    assert onp.allclose(vmap(laplacian(f))(X), [laplacian(f)(r) for r in X])


# the input's directions are the identity, kept symbolic: a matmul with the input gets
# its Jacobian (W^T, B, a) without a product by eye(n); every other use materialises it
IDENTITY_CASES = {
    "W_at_x": lambda x: np.sum(np.tanh(W1 @ x) ** 3),
    "x_at_B": lambda x: np.sum(np.sin(x @ W1.T) * 2.0),
    "a_at_x": lambda x: np.exp(onp.arange(1.0, 5.0) @ x / 4) * np.sum(x ** 3),
    "x_at_b": lambda x: np.sin(x @ onp.arange(1.0, 5.0)) ** 2,
    "twice": lambda x: np.sum(np.tanh(W1 @ x)) * np.sum(x ** 2) + np.sum(np.exp(W1 @ x)),
    "float32_weights": lambda x: np.sum(np.tanh(W1.astype(onp.float32) @ x) ** 2),
    "bilinear": lambda x: x @ (W1.T @ W1) @ x,  # (x @ B): shortcut; then both traced: none
    "x_itself": lambda x: np.sum(x ** 2 * x[::-1]),
}


@pytest.mark.parametrize("name", sorted(IDENTITY_CASES))
def test_laplacian_through_matmuls_with_the_input(name, monkeypatch):
    from dualgrad.interpreters import taylor as itaylor
    from dualgrad.rules.linalg import matmul
    f = IDENTITY_CASES[name]
    x = onp.array([0.3, -0.7, 1.2, 0.5])
    taken = []
    rule = itaylor.IDENTITY_RULES[matmul]
    monkeypatch.setitem(itaylor.IDENTITY_RULES, matmul,
                        lambda *a: taken.append(rule(*a)) or taken[-1])
    tol = 1e-5 if name == "float32_weights" else 1e-10
    assert onp.isclose(laplacian(f)(x), onp.trace(hessian(f)(x)), rtol=tol, atol=1e-12)
    shortcut = [t for t in taken if t is not NotImplemented]
    assert bool(shortcut) == (name in {"W_at_x", "x_at_B", "a_at_x", "x_at_b", "twice", "bilinear"})


def _collapsed_unary_prims():
    from dualgrad.interpreters.taylor import COLLAPSED_UNARY
    return sorted(COLLAPSED_UNARY, key=lambda p: p.name)


@pytest.mark.parametrize("prim", _collapsed_unary_prims(), ids=lambda p: p.name)
def test_collapsed_rules_of_unary_functions(prim):
    """Each (f', f'') of the collapsed level's table: on the input itself (identity
    directions), after a matmul, and composed, against trace(hessian); and the gradient
    of the Laplacian (the rule's arithmetic is traced by an enclosing grad)."""
    def f(x):
        u = prim(x * 0.5 + 2.0)                   # x + 2 > 0 for log
        v = prim(W1 @ x * 0.2 + 2.5)
        return np.sum(u * u) + np.sum(prim(v * 0.1 + 1.0))
    x = onp.array([0.3, -0.7, 1.2, 0.5])
    assert onp.isclose(laplacian(f)(x), onp.trace(hessian(f)(x)), rtol=1e-10, atol=1e-12)
    want = jacfwd(lambda x: np.trace(hessian(f)(x)))(x)
    assert onp.allclose(grad(laplacian(f))(x), want, rtol=1e-8, atol=1e-12)


def test_gradient_of_a_laplacian_with_respect_to_the_weights():
    """The shortcut hands back W^T itself: a tracer of an enclosing grad over W."""
    x = onp.array([0.3, -0.7, 1.2, 0.5])

    def lap_of(W):
        return laplacian(lambda x: np.sum(np.tanh(W @ x) ** 3))(x)

    def trace_of(W):
        return np.trace(hessian(lambda x: np.sum(np.tanh(W @ x) ** 3))(x))
    assert onp.allclose(grad(lap_of)(W1), grad(trace_of)(W1), rtol=1e-9)


def test_laplacian_refuses_a_vector_output():
    with pytest.raises(TypeError, match="must return a scalar"):
        laplacian(np.sin)(onp.ones(3))


# ------------------------------------------------ writes into arrays (pending arrays)
def _written(x):
    """Builds its result by writing into arrays made with dualgrad.numpy, through a
    row view and a transposed view."""
    y = np.zeros((2, 2))
    r = y[0]
    r[1] = np.exp(x)
    y[1, 0] = np.sin(x) * x
    y.T[1, 1] += x ** 3
    return np.sum(y * y)


def _written_ref(x):
    return mpmath.exp(x) ** 2 + (mpmath.sin(x) * x) ** 2 + (x ** 3) ** 2


def test_taylor_mode_through_writes_into_arrays():
    x = 0.4
    with mpmath.workdps(40):
        want = [float(mpmath.diff(_written_ref, mpmath.mpf(x), k)) for k in range(6)]
    onp.testing.assert_allclose(derivatives(_written, order=5)(x), want, rtol=1e-12)
    cs = taylor(_written, x, 1.0, order=5)
    onp.testing.assert_allclose(cs, [w / math.factorial(k) for k, w in enumerate(want)],
                                rtol=1e-12)
    y0, ys = jet(_written, (x,), ([1.0, 0.0, 0.0],))
    onp.testing.assert_allclose([y0, *ys], want[:4], rtol=1e-12)
    # many points at once: vmap over Taylor mode over the writes
    xs = onp.array([0.1, 0.4])
    onp.testing.assert_allclose(vmap(derivatives(_written, order=2))(xs),
                                [derivatives(_written, order=2)(v) for v in xs], rtol=1e-14)


def test_laplacian_through_writes_into_arrays():
    def f(x):
        y = np.zeros_like(x)
        for i in range(x.shape[0]):
            y[i] = np.sin(x[i]) * x[i - 1]
        return np.sum(y ** 2)
    x = onp.array([0.3, 0.7, -0.2])
    onp.testing.assert_allclose(laplacian(f)(x), onp.trace(hessian(f)(x)), rtol=1e-12)


def test_writing_an_enclosing_transforms_value_into_a_taylor_array():
    """y made inside Taylor mode, given grad's value a: a is a constant to Taylor mode
    (lifted with zero coefficients), and grad still sees it."""
    def coeff3(a):
        def g(x):
            y = np.zeros(2)
            y[0] = a
            y[1] = np.sin(x) * a
            return np.sum(y ** 3)
        return derivatives(g, order=3)(0.5)[3]
    # g = a^3 + a^3 sin(x)^3: d^3/dx^3 sin^3 = 21 sin^2 cos... exactly, via mpmath
    with mpmath.workdps(30):
        d3 = mpmath.diff(lambda x: mpmath.sin(x) ** 3, mpmath.mpf(0.5), 3)
    a = 0.7
    assert coeff3(a) == pytest.approx(float(a ** 3 * d3), rel=1e-12)
    assert grad(coeff3)(a) == pytest.approx(float(3 * a ** 2 * d3), rel=1e-12)


def test_writing_a_taylor_value_into_an_enclosing_transforms_array_is_refused():
    def outer(a):
        y = np.zeros(2)

        def inner(x):
            y[0] = np.sin(x)
            return np.sum(y)
        return derivatives(inner, order=2)(a)[2]
    with pytest.raises(TypeError, match="inside the one this array was made in"):
        grad(outer)(0.3)


# ---------------------------------------------------------- container-valued primitives
def test_container_valued_primitives_carry_their_coefficients():
    # A user primitive returning a tuple (or custom_vjp returning a dict) was left out
    # of Taylor mode: its answer is not an array, so jet, derivatives and laplacian
    # silently gave zero coefficients for everything downstream of it.
    from dualgrad import custom_vjp
    from dualgrad.extend import defvjp, primitive

    @primitive
    def sincos(x):
        return onp.sin(x), onp.cos(x)
    defvjp(sincos, lambda ans, x: lambda g: g[0] * np.cos(x) - g[1] * np.sin(x))

    @custom_vjp
    def parts(x):
        return {"s": np.sin(x), "c": np.cos(x)}
    parts.defvjp(lambda x: (parts(x), x),
                 lambda x, g: (np.cos(x) * g["s"] - np.sin(x) * g["c"],))

    def ref(x):
        return np.sum(np.sin(x) * x + 2 * np.cos(x))
    x, v = onp.array([0.3, -0.7, 1.1]), onp.array([1.0, -0.5, 0.25])
    want = jet(ref, (x,), ([v, 0 * v, 0 * v],))
    for split in (lambda x: sincos(x), lambda x: tuple(parts(x).values())):
        def f(x):
            s, c = split(x)
            return np.sum(s * x + 2 * c)
        y0, ys = jet(f, (x,), ([v, 0 * v, 0 * v],))
        assert onp.allclose(y0, want[0]) and onp.allclose(ys, want[1])
        assert onp.isclose(laplacian(f)(x), onp.trace(hessian(ref)(x)))
        g = lambda s: f(x + s * v)  # noqa: E731
        assert onp.allclose(derivatives(g, order=3)(0.0), [want[0], *want[1]])


def test_stop_gradient_has_zero_coefficients_at_mpmath_points_too():
    # stop_gradient had no Taylor rule: nested forward mode gave it int-zero tangents,
    # which at an mpmath point are no vector ("cannot treat a value of type ndarray").
    import mpmath
    from dualgrad import stop_gradient
    X = onp.array([mpmath.mpf(1) / 3, mpmath.mpf(2) / 7], dtype=object)
    V = onp.array([mpmath.mpf(1), mpmath.mpf(-2)], dtype=object)
    f = lambda x: 2 * np.sin(x) - stop_gradient(np.sin(x))  # noqa: E731
    y0, ys = jet(f, (X,), ([V, V * 0],))
    want = jet(lambda x: 2 * np.sin(x), (X,), ([V, V * 0],))[1]
    assert all(abs(a - b) < mpmath.mpf(10) ** -14 for k in range(2)
               for a, b in zip(ys[k], want[k]))
    x = onp.array([0.3, -0.2])
    # d^2/dx^2 (2 sin(x) x - c x), c held constant: 2 (2 cos x - x sin x)
    assert onp.isclose(laplacian(lambda x: np.sum(f(x) * x))(x),
                       onp.sum(2 * (2 * onp.cos(x) - x * onp.sin(x))))
