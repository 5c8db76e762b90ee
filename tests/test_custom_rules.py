"""stop_gradient, custom_jvp and custom_vjp (dualgrad/transforms/custom.py): JAX's
semantics, in both modes, nested and batched, against numerical derivatives."""
import numpy as onp
import pytest
from hypothesis import given, settings, strategies as st

import dualgrad.numpy as np
from dualgrad import (check_grads, custom_jvp, custom_vjp, elementwise_grad, grad, hessian,
                      jacfwd, jacobian, jacrev, jvp, stop_gradient, vjp, vmap)


def numeric_grad(f, x, eps=1e-6):
    x = onp.asarray(x, float)
    g = onp.zeros_like(x)
    for i in onp.ndindex(x.shape):
        e = onp.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


# ------------------------------------------------------------------ stop_gradient
def test_stop_gradient_both_modes():
    f = lambda x: x * stop_gradient(x)
    assert grad(f)(3.0) == 3.0
    assert jvp(f, (3.0,), (1.0,)) == (9.0, 3.0)
    x = np.array([1.0, 2.0])
    onp.testing.assert_allclose(jacfwd(lambda x: x * stop_gradient(x))(x), onp.diag(x))
    onp.testing.assert_allclose(jacrev(lambda x: x * stop_gradient(x))(x), onp.diag(x))


def test_stop_gradient_stops_every_level_of_nesting():
    # d/dx [x^2 * c] with c = x^2 held constant: 2 x c, and its derivative 2 c
    f = lambda x: x ** 2 * stop_gradient(x ** 2)
    assert grad(f)(2.0) == 16.0
    assert grad(grad(f))(2.0) == 8.0
    # stop_gradient inside an inner grad hides x from the outer one too (JAX's semantics)
    assert grad(lambda x: grad(lambda y: y * stop_gradient(x))(1.0))(5.0) == 0.0


def test_stop_gradient_under_vmap():
    xs = np.arange(4.0)
    onp.testing.assert_allclose(vmap(grad(lambda x: x * stop_gradient(x)))(xs), xs)
    onp.testing.assert_allclose(vmap(lambda x: stop_gradient(x) * 2)(xs), 2 * xs)
    onp.testing.assert_allclose(grad(lambda x: np.sum(vmap(lambda v: v * stop_gradient(v))(x)))(xs), xs)


def test_stop_gradient_containers_and_plain_values():
    out = grad(lambda x: np.sum(stop_gradient({"a": x, "n": 3})["a"] * x))(np.ones(2))
    onp.testing.assert_allclose(out, onp.ones(2))
    assert stop_gradient(2.0) == 2.0 and stop_gradient("s") == "s"
    assert stop_gradient((1, [2.0])) == (1, [2.0])


def test_stop_gradient_is_public_where_jax_has_it():
    import dualgrad
    assert dualgrad.stop_gradient is stop_gradient
    assert "stop_gradient" in dualgrad.__all__


# -------------------------------------------------------------------- custom_jvp
@custom_jvp
def softplus(x):
    return np.log1p(np.exp(x))


@softplus.defjvp
def _softplus_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return softplus(x), t / (1.0 + np.exp(-x))


def test_custom_jvp_is_used_and_right():
    calls = []

    @custom_jvp
    def f(x, y):
        return np.sin(x) * y

    @f.defjvp
    def f_jvp(primals, tangents):
        calls.append(1)
        (x, y), (tx, ty) = primals, tangents
        return f(x, y), np.cos(x) * y * tx + np.sin(x) * ty

    x, y = np.array([0.3, 1.1]), np.array([2.0, -0.5])
    assert onp.allclose(f(x, y), onp.sin(x) * y)
    check_grads(f, modes=("fwd", "rev"), order=2)(x, y)
    assert calls  # the rule, not the function's own derivative, was used


def test_custom_jvp_replaces_the_derivative():
    # a deliberately different rule shows which derivative is returned
    @custom_jvp
    def f(x):
        return x ** 2

    @f.defjvp
    def f_jvp(primals, tangents):
        return f(primals[0]), 10.0 * tangents[0]

    assert grad(f)(3.0) == 10.0 and jvp(f, (3.0,), (1.0,))[1] == 10.0
    onp.testing.assert_allclose(jacrev(f)(np.ones(2)), 10 * onp.eye(2))


def test_custom_jvp_stable_softplus_matches_numeric():
    for x in [-3.0, 0.0, 2.5]:
        assert onp.isclose(grad(softplus)(x), numeric_grad(lambda v: onp.log1p(onp.exp(v)), x))
    with onp.errstate(over="ignore"):  # the value is inf; the derivative is not inf/inf
        assert grad(softplus)(800.0) == 1.0
    check_grads(softplus, order=2)(np.array([-1.0, 0.5]))


def test_custom_jvp_nested_and_batched():
    xs = np.linspace(-2, 2, 5)
    onp.testing.assert_allclose(vmap(grad(softplus))(xs), 1 / (1 + onp.exp(-xs)))
    s = 1 / (1 + onp.exp(-xs))
    onp.testing.assert_allclose(vmap(grad(grad(softplus)))(xs), s * (1 - s))
    onp.testing.assert_allclose(elementwise_grad(softplus)(xs), s)
    onp.testing.assert_allclose(hessian(lambda x: np.sum(softplus(x)))(xs), onp.diag(s * (1 - s)))


def test_custom_jvp_nondiff_argnums_and_containers():
    def scaled_fun(k, p):
        return k * p["w"] * p["b"]

    scaled = custom_jvp(scaled_fun, nondiff_argnums=(0,))
    assert scaled.nondiff_argnums == (0,)

    @scaled.defjvp
    def scaled_jvp(k, primals, tangents):
        (p,), (t,) = primals, tangents
        return scaled(k, p), k * (t["w"] * p["b"] + p["w"] * t["b"])

    p = {"w": np.array([1.0, 2.0]), "b": 3.0}
    g = grad(lambda p: np.sum(scaled(2.0, p)))(p)
    onp.testing.assert_allclose(g["w"], [6.0, 6.0])
    onp.testing.assert_allclose(g["b"], 6.0)
    check_grads(lambda w, b: scaled(2.0, {"w": w, "b": b}), order=2)(np.array([1.0, 2.0]), 3.0)


def test_custom_jvp_tuple_output_under_reverse_mode():
    # Transposing the rule got the summed cotangent of both parts as one leaf: "The
    # cotangent's structure * does not match the output's (*, *)".
    @custom_jvp
    def halves(x):
        return np.sin(x[:1]), np.sin(x[1:])

    @halves.defjvp
    def halves_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        c = np.cos(x) * t
        return halves(x), (c[:1], c[1:])

    def f(x):
        a, b = halves(x)
        return np.sum(a) + 2 * np.sum(b)
    x = np.array([0.3, -0.7, 1.1])
    want = onp.cos(x) * onp.array([1.0, 2.0, 2.0])
    onp.testing.assert_allclose(grad(f)(x), want)
    onp.testing.assert_allclose(jacrev(lambda x: np.concatenate(halves(x)))(x),
                                onp.diag(onp.cos(x)))
    onp.testing.assert_allclose(vmap(grad(f))(onp.stack([x, x])), onp.stack([want, want]))


def test_custom_jvp_defjvps():
    @custom_jvp
    def f(x, y):
        return x * np.sin(y)

    f.defjvps(lambda tx, out, x, y: tx * np.sin(y), lambda ty, out, x, y: ty * x * np.cos(y))
    check_grads(f, order=2)(np.array([0.5, 2.0]), np.array([1.0, -0.3]))


def test_custom_jvp_errors():
    @custom_jvp
    def f(x):
        return x
    with pytest.raises(TypeError, match="has no rule yet"):
        f(1.0)

    @f.defjvp
    def bad(primals, tangents):
        return primals[0]
    with pytest.raises(TypeError, match="must return a pair"):
        grad(f)(1.0)
    with pytest.raises(TypeError, match="nondiff_argnums"):
        custom_jvp(lambda x: x, nondiff_argnums="a")


# -------------------------------------------------------------------- custom_vjp
def _make_h(log=None):
    @custom_vjp
    def h(x, y):
        return x * np.sin(y)

    def fwd(x, y):
        if log is not None:
            log.append("fwd")
        return h(x, y), (x, np.sin(y), np.cos(y))

    def bwd(res, g):
        x, s, c = res
        return g * s, g * x * c

    h.defvjp(fwd, bwd)
    return h


def test_custom_vjp_reverse_mode_and_residuals():
    log = []
    h = _make_h(log)
    x, y = np.array([0.5, 2.0]), np.array([1.0, -0.3])
    gx, gy = grad(lambda x, y: np.sum(h(x, y)), (0, 1))(x, y)
    onp.testing.assert_allclose(gx, onp.sin(y))
    onp.testing.assert_allclose(gy, x * onp.cos(y))
    assert log == ["fwd"]  # once per backward pass, not once per argument
    check_grads(h, modes=("rev",), order=2)(x, y)


def test_custom_vjp_replaces_the_derivative():
    @custom_vjp
    def clip_gradient(x):
        return x
    clip_gradient.defvjp(lambda x: (x, None), lambda res, g: (np.clip(g, -1.0, 1.0),))
    assert grad(lambda x: 5.0 * clip_gradient(x))(2.0) == 1.0
    assert grad(lambda x: 0.5 * clip_gradient(x))(2.0) == 0.5


def test_custom_vjp_forward_mode_falls_back():
    h = _make_h()
    x, y = np.array([0.5, 2.0]), np.array([1.0, -0.3])
    out, t = jvp(h, (x, y), (np.ones(2), np.zeros(2)))
    onp.testing.assert_allclose(t, onp.sin(y))
    onp.testing.assert_allclose(jacfwd(h, 1)(x, y), onp.diag(x * onp.cos(y)))
    onp.testing.assert_allclose(jacobian(h, 1, mode="fwd")(x, y), onp.diag(x * onp.cos(y)))


def test_custom_vjp_nested_and_batched():
    h = _make_h()
    # second derivative in y through bwd: d2/dy2 x sin y = -x sin y
    assert onp.isclose(grad(grad(h, 1), 1)(2.0, 1.0), -2 * onp.sin(1.0))
    H = hessian(lambda v: h(v[0], v[1]))(np.array([2.0, 1.0]))
    onp.testing.assert_allclose(H, [[0, onp.cos(1.0)], [onp.cos(1.0), -2 * onp.sin(1.0)]])
    xs = np.arange(3.0)
    onp.testing.assert_allclose(vmap(grad(h, 1))(xs, np.ones(3)), xs * onp.cos(1.0))
    onp.testing.assert_allclose(vmap(grad(h), in_axes=(0, None))(xs, 0.7),
                                onp.full(3, onp.sin(0.7)))


def test_custom_vjp_nondiff_argnums_container_output_and_none():
    def pair_fun(n, x):
        return {"p": x ** n, "s": np.sum(x)}

    pair = custom_vjp(pair_fun, nondiff_argnums=(0,))

    def fwd(n, x):
        return pair(n, x), x

    def bwd(n, x, g):
        return (g["p"] * n * x ** (n - 1) + g["s"],)
    pair.defvjp(fwd, bwd)
    x = np.array([1.0, 2.0])
    f = lambda x: np.sum(pair(3, x)["p"]) + 2 * pair(3, x)["s"]
    onp.testing.assert_allclose(grad(f)(x), numeric_grad(lambda v: onp.sum(v ** 3) + 2 * onp.sum(v), x), rtol=1e-6)
    check_grads(f, modes=("rev",), order=2)(x)

    @custom_vjp
    def first(x, y):
        return x + 0.0 * y
    first.defvjp(lambda x, y: (first(x, y), None), lambda r, g: (g, None))
    assert grad(first, 1)(1.0, 2.0) == 0.0


def test_custom_vjp_tuple_output_both_parts_used():
    # The backward pass sums the two parts' cotangents into a slot-adding tuple, which
    # bwd's cotangent was rebuilt from as one leaf: StopIteration in grad and jacfwd.
    @custom_vjp
    def halves(x):
        return np.sin(x[:1]), np.sin(x[1:])
    halves.defvjp(lambda x: (halves(x), x),
                  lambda x, g: (np.cos(x) * np.concatenate([g[0], g[1]]),))

    def f(x):
        a, b = halves(x)
        return np.sum(a) + 2 * np.sum(b)
    x = np.array([0.3, -0.7, 1.1])
    want = onp.cos(x) * onp.array([1.0, 2.0, 2.0])
    onp.testing.assert_allclose(grad(f)(x), want)
    onp.testing.assert_allclose(jacfwd(f)(x), want)
    onp.testing.assert_allclose(vmap(grad(f))(onp.stack([x, x])), onp.stack([want, want]))


def test_custom_vjp_errors():
    @custom_vjp
    def f(x, y):
        return x * y
    with pytest.raises(TypeError, match="has no rules yet"):
        f(1.0, 2.0)
    f.defvjp(lambda x, y: (x * y, None), lambda r, g: (g,))
    with pytest.raises(TypeError, match="one cotangent per differentiable argument"):
        grad(f)(1.0, 2.0)
    f.defvjp(lambda x, y: (x * y, None), lambda r, g: (np.ones(3), g))
    with pytest.raises(ValueError, match="shape"):
        grad(f)(1.0, 2.0)
    g = custom_vjp(lambda k, x: k * x, nondiff_argnums=(0,))
    g.defvjp(lambda k, x: (k * x, None), lambda k, r, ct: (k * ct,))
    assert grad(g, 1)(2.0, 3.0) == 2.0
    with pytest.raises(TypeError, match="nondiff_argnums"):
        grad(g, 0)(2.0, 3.0)
    with pytest.raises(TypeError, match="symbolic zeros"):
        g.defvjp(lambda k, x: (k * x, None), lambda k, r, ct: (ct,), symbolic_zeros=True)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=1, max_size=4), st.floats(-2, 2))
def test_custom_rules_agree_with_plain_derivatives(xs, y):
    """A custom_jvp and a custom_vjp carrying the true derivative give what dualgrad's
    own rules give, in every transform."""
    x = np.array(xs)
    plain = lambda x, y: np.sum(np.sin(x) * y ** 2)
    h = _make_h()
    via_vjp = lambda x, y: np.sum(h(y ** 2 * np.ones_like(x), x))
    for a, b in zip(grad(via_vjp, (0, 1))(x, y), grad(plain, (0, 1))(x, y)):
        onp.testing.assert_allclose(a, b, atol=1e-12)
    onp.testing.assert_allclose(vmap(grad(lambda v: softplus(v) * y))(x),
                                y / (1 + onp.exp(-x)), rtol=1e-10, atol=1e-12)
    onp.testing.assert_allclose(jacobian(softplus)(x), onp.diag(1 / (1 + onp.exp(-x))), atol=1e-12)


def test_custom_vjp_memo_tells_nodes_apart():
    """Two calls returning the very same object (a constant), with the same cotangent,
    are still two nodes with their own arguments."""
    C = onp.array(1.0)

    @custom_vjp
    def const(x):
        return C
    const.defvjp(lambda x: (C, x), lambda x, g: (g * x,))  # a made-up rule: d/dx = x
    assert grad(lambda a, b: const(a) + const(b), (0, 1))(2.0, 3.0) == (2.0, 3.0)
