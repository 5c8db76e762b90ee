"""JAX's keywords on dualgrad's transforms (dualgrad/transforms/transform.py and its users):
argnums, has_aux, holomorphic=, and the refusal of the JAX and PyTorch keywords dualgrad
lacks, each with dualgrad's spelling in the message."""
import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import (elementwise_grad, grad, hessian, jacfwd, jacobian, jacrev, jvp,
                      make_vjp, value_and_grad, vjp, vmap)
from dualgrad.transforms.checks import FOREIGN

rng = onp.random.default_rng(2)


def numeric_grad(f, x, eps=1e-6):
    x = onp.asarray(x, float)
    g = onp.zeros_like(x)
    for i in onp.ndindex(x.shape):
        e = onp.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def numeric_jac(f, x, eps=1e-6):
    x = onp.asarray(x, float)
    cols = []
    for i in range(x.size):
        e = onp.zeros(x.size)
        e[i] = eps
        cols.append((f(x + e.reshape(x.shape)) - f(x - e.reshape(x.shape))) / (2 * eps))
    return onp.stack(cols, axis=-1)


f2 = lambda x, y: np.sum(np.sin(x) * y ** 2)
X, Y = rng.normal(size=3), rng.normal(size=3)


# ------------------------------------------------------------------ argnums
@pytest.mark.parametrize("T", [grad, jacobian, jacfwd, jacrev, elementwise_grad])
def test_argnums_is_argnum(T):
    a, b = T(f2, argnums=(0, 1))(X, Y), T(f2, argnum=(0, 1))(X, Y)
    for u, v in zip(a, b):
        onp.testing.assert_allclose(u, v)
    onp.testing.assert_allclose(T(f2, argnums=1)(X, Y), T(f2, 1)(X, Y))


def test_argnums_values_against_numeric():
    gx, gy = grad(f2, argnums=(0, 1))(X, Y)
    onp.testing.assert_allclose(gx, numeric_grad(lambda x: onp.sum(onp.sin(x) * Y ** 2), X), rtol=1e-6)
    onp.testing.assert_allclose(gy, numeric_grad(lambda y: onp.sum(onp.sin(X) * y ** 2), Y), rtol=1e-6)
    H = hessian(f2, argnums=1)(X, Y)
    onp.testing.assert_allclose(H, onp.diag(2 * onp.sin(X)), atol=1e-12)


def test_argnum_and_argnums_together_refused():
    with pytest.raises(TypeError, match="not both"):
        grad(f2, 0, argnums=1)


# ------------------------------------------------------------------ has_aux
def test_has_aux_grad_and_value_and_grad_jax_forms():
    def loss(x):
        pred = np.tanh(x)
        return np.sum(pred ** 2), {"pred": pred, "tag": "ok"}
    g, aux = grad(loss, has_aux=True)(X)
    onp.testing.assert_allclose(g, numeric_grad(lambda x: onp.sum(onp.tanh(x) ** 2), X), rtol=1e-6)
    assert aux["tag"] == "ok" and type(aux["pred"]) is onp.ndarray  # plain, not a tracer
    onp.testing.assert_allclose(aux["pred"], onp.tanh(X))
    (v, aux2), g2 = value_and_grad(loss, has_aux=True)(X)
    assert onp.isclose(v, onp.sum(onp.tanh(X) ** 2)) and aux2["tag"] == "ok"
    onp.testing.assert_allclose(g2, g)


def test_has_aux_jacobians_and_hessian():
    f = lambda x: (np.sin(x) * x, x.shape)
    for T in (jacobian, jacfwd, jacrev):
        J, aux = T(f, has_aux=True)(X)
        onp.testing.assert_allclose(J, numeric_jac(lambda x: onp.sin(x) * x, X), rtol=1e-6, atol=1e-9)
        assert aux == (3,)
    H, aux = hessian(lambda x: (np.sum(x ** 3), np.sum(x)), has_aux=True)(X)
    onp.testing.assert_allclose(H, onp.diag(6 * X))
    assert onp.isclose(aux, X.sum()) and not hasattr(aux, "_level")


def test_has_aux_jvp_and_vjp_jax_forms():
    f = lambda x: (np.exp(x), x * 2)
    out, t, aux = jvp(f, (X,), (onp.ones(3),), has_aux=True)
    onp.testing.assert_allclose(t, onp.exp(X))
    onp.testing.assert_allclose(aux, 2 * X)
    out, f_vjp, aux = vjp(f, X, has_aux=True)
    onp.testing.assert_allclose(f_vjp(onp.ones(3))[0], onp.exp(X))
    onp.testing.assert_allclose(aux, 2 * X)


def test_has_aux_nested_keeps_outer_tracers():
    """aux is made plain of the transform's own tracers only: an outer grad still
    differentiates through it (JAX's behaviour)."""
    def inner(x):
        g, aux = grad(lambda y: (y ** 2 * x, y * x ** 2), has_aux=True)(x)
        return g + aux  # 2 x^2 + x^3
    onp.testing.assert_allclose(grad(inner)(1.5), 4 * 1.5 + 3 * 1.5 ** 2)
    per_example = vmap(grad(lambda x: (x ** 2, x), has_aux=True))(X)
    onp.testing.assert_allclose(per_example[0], 2 * X)
    onp.testing.assert_allclose(per_example[1], X)


def test_has_aux_errors():
    with pytest.raises(TypeError, match=r"return a pair \(output, aux\)"):
        grad(lambda x: x ** 2, has_aux=True)(1.0)
    with pytest.raises(TypeError, match="has_aux must be True or False"):
        grad(lambda x: x, has_aux="yes")
    with pytest.raises(TypeError, match="has no has_aux"):
        elementwise_grad(np.sin, has_aux=True)
    with pytest.raises(TypeError, match="has no has_aux"):
        make_vjp(np.sin, has_aux=True)


# -------------------------------------------------------------- holomorphic
def test_holomorphic_grad_and_jacobian():
    z = onp.array([1.0 + 2.0j, -0.5 + 0.3j])
    onp.testing.assert_allclose(grad(lambda z: np.sum(z ** 3), holomorphic=True)(z), 3 * z ** 2)
    onp.testing.assert_allclose(jacobian(np.sin, holomorphic=True)(z), onp.diag(onp.cos(z)))
    onp.testing.assert_allclose(jacrev(np.exp, holomorphic=True)(z), onp.diag(onp.exp(z)))
    onp.testing.assert_allclose(jacfwd(np.exp, holomorphic=True)(z), onp.diag(onp.exp(z)))
    # the derivative against a complex difference quotient
    h = 1e-7
    d = (onp.sin(z[0] + h) ** 2 - onp.sin(z[0] - h) ** 2) / (2 * h)
    assert onp.isclose(grad(lambda z: np.sin(z) ** 2, holomorphic=True)(z[0]), d)
    v, g = value_and_grad(lambda z: z ** 2, holomorphic=True)(1j)
    assert v == -1 and g == 2j


def test_holomorphic_refuses_real_inputs_and_outputs():
    with pytest.raises(TypeError, match="requires complex inputs"):
        grad(lambda z: z ** 2, holomorphic=True)(1.0)
    with pytest.raises(TypeError, match="requires complex inputs"):
        jacobian(np.sin, holomorphic=True)(onp.ones(2))
    with pytest.raises(TypeError, match="requires complex outputs"):
        grad(lambda z: np.abs(z), holomorphic=True)(1.0 + 1j)
    with pytest.raises(TypeError, match="has no holomorphic"):
        hessian(np.sin, holomorphic=True)


# ------------------------------------------------------- foreign keywords refused
FOREIGN_CALLS = [
    (grad, "allow_int"), (grad, "reduce_axes"), (value_and_grad, "reduce_axes"),
    (jacobian, "strategy"), (jacobian, "vectorize"), (jacfwd, "randomness"),
    (jacrev, "create_graph"), (hessian, "outer_jacobian_strategy"), (grad, "retain_graph"),
    (grad, "static_argnums"), (grad, "argnames"), (elementwise_grad, "allow_unused"),
]


@pytest.mark.parametrize("T, kw", FOREIGN_CALLS)
def test_foreign_keywords_name_dualgrads_spelling(T, kw):
    with pytest.raises(TypeError) as info:
        T(np.sin, **{kw: True})
    msg = str(info.value)
    assert "unexpected keyword argument" not in msg
    assert kw in msg and FOREIGN[kw] in msg


@pytest.mark.parametrize("T, kw", [(jvp, "reduce_axes"), (vjp, "reduce_axes"),
                                   (vmap, "in_dims"), (vmap, "out_dims"),
                                   (vmap, "spmd_axis_name"), (vmap, "axis_name")])
def test_foreign_keywords_on_jvp_vjp_vmap(T, kw):
    with pytest.raises(TypeError) as info:
        if T is jvp:
            jvp(np.sin, (1.0,), (1.0,), **{kw: ()})
        elif T is vjp:
            vjp(np.sin, 1.0, **{kw: ()})
        else:
            vmap(np.sin, **{kw: 0})
    assert FOREIGN[kw] in str(info.value)


def test_an_unknown_keyword_lists_the_options():
    with pytest.raises(TypeError, match="grad's options are: argnums, has_aux, holomorphic"):
        grad(np.sin, colour="red")
    with pytest.raises(TypeError, match="explain: not an option of grad"):
        grad(np.sin, explain=True)


def test_has_aux_with_mpmath_inputs_keeps_the_aux_and_its_precision():
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(40):
        x = mpmath.mpf(1) / 3

        def f(x):
            return np.sin(x), x ** 2

        g, aux = grad(f, has_aux=True)(x)
        assert abs(g - mpmath.cos(x)) < mpmath.mpf(10) ** -38
        assert isinstance(aux, mpmath.mpf) and abs(aux - x ** 2) < mpmath.mpf(10) ** -38
        (value, aux), g = value_and_grad(f, has_aux=True)(x)
        assert abs(value - mpmath.sin(x)) < mpmath.mpf(10) ** -38
        assert abs(aux - x ** 2) < mpmath.mpf(10) ** -38
