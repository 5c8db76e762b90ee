"""The transforms, with autograd's names and signatures."""
import numpy as onp
import pytest

import dualgrad
import dualgrad.numpy as np
from dualgrad import (checkpoint, deriv, elementwise_grad, grad, grad_and_aux, grad_named,
                      hessian, hessian_tensor_product, hessian_vector_product, jacfwd,
                      jacobian, jacrev, jvp, make_hvp, make_jvp, make_vjp, multigrad_dict,
                      pick_mode, tensor_jacobian_product, value_and_grad,
                      vector_jacobian_product, vjp)

R = onp.random.RandomState(3)


def field(n_out):
    W = R.randn(n_out, 7)

    def f(x):
        return np.tanh(W[:, : x.shape[0]] @ x) * np.sum(x ** 2)
    return f


@pytest.mark.parametrize("n_in, n_out, expected", [(10, 1000, "fwd"), (1000, 10, "rev"), (1, 1, "fwd")])
def test_jacobian_mode_choice_and_agreement(n_in, n_out, expected):
    W = R.randn(n_out, n_in) / onp.sqrt(n_in)
    f = lambda x: np.sin(W @ x) * x[0]
    x = R.randn(n_in)
    J, choice = jacobian(f, explain=True)(x)
    assert choice.mode == expected
    assert (choice.n_in, choice.n_out) == (n_in, n_out)
    assert "direction" in str(choice)
    exact = onp.cos(W @ x)[:, None] * W * x[0]
    exact[:, 0] += onp.sin(W @ x)
    assert onp.allclose(J, exact, rtol=1e-12, atol=1e-12)
    assert onp.allclose(jacfwd(f)(x), J, rtol=1e-12, atol=1e-13)
    assert onp.allclose(jacrev(f)(x), J, rtol=1e-12, atol=1e-13)
    assert onp.allclose(jacobian(f, mode="fwd")(x), jacobian(f, mode="rev")(x), rtol=1e-12, atol=1e-13)


def test_pick_mode_is_documented_and_small():
    assert pick_mode(3, 3).mode == "fwd"
    assert pick_mode(4, 3).mode == "rev"
    with pytest.raises(ValueError, match="mode"):
        jacobian(np.sin, mode="sideways")


def test_jacobian_shapes():
    x = R.randn(2, 3)
    assert jacobian(lambda x: x ** 2)(x).shape == (2, 3, 2, 3)
    assert jacobian(np.sum)(x).shape == (2, 3)
    assert onp.shape(jacobian(np.sin)(0.3)) == ()
    assert jacobian(np.sin)(onp.array(0.3)).shape == ()
    assert jacobian(lambda x: np.stack([x, 2 * x]))(0.5).shape == (2,)


def test_jacobian_with_respect_to_container():
    x = {"a": R.randn(2), "b": 0.5}
    J = jacobian(lambda d: d["a"] * d["b"])(x)
    assert onp.allclose(J["a"], onp.eye(2) * 0.5)
    assert onp.allclose(J["b"], x["a"])
    Jr = jacrev(lambda d: d["a"] * d["b"])(x)
    assert onp.allclose(Jr["a"], J["a"]) and onp.allclose(Jr["b"], J["b"])


def test_grad_of_dict_of_arrays_is_dict():
    params = {"w": R.randn(3), "b": onp.array(0.5), "layers": [R.randn(2), (1.5,)]}

    def loss(p):
        return np.sum(p["w"] ** 2) + p["b"] * np.sum(p["layers"][0]) + p["layers"][1][0] ** 3
    g = grad(loss)(params)
    assert set(g) == {"w", "b", "layers"}
    assert onp.allclose(g["w"], 2 * params["w"])
    assert onp.allclose(g["b"], onp.sum(params["layers"][0]))
    assert onp.allclose(g["layers"][0], 0.5) and g["layers"][1][0] == pytest.approx(3 * 1.5 ** 2)
    assert isinstance(g["layers"], list) and isinstance(g["layers"][1], tuple)


def test_argnum_tuple_and_value_and_grad():
    f = lambda x, y, z: x * y ** 2 + z
    assert grad(f, (0, 1))(2.0, 3.0, 1.0) == (9.0, 12.0)
    v, g = value_and_grad(f, 1)(2.0, 3.0, 1.0)
    assert (v, g) == (19.0, 12.0)


def test_grad_and_aux():
    g, aux = grad_and_aux(lambda x: (x ** 2, {"note": x * 3}))(2.0)
    assert g == 4.0 and aux["note"] == 6.0


def test_elementwise_grad_and_deriv():
    x = onp.linspace(-1, 1, 7)
    assert onp.allclose(elementwise_grad(np.tanh)(x), 1 - onp.tanh(x) ** 2)
    assert onp.allclose(deriv(np.tanh)(x), 1 - onp.tanh(x) ** 2)


def test_jax_style_jvp_vjp():
    f = lambda x, y: np.sin(x) * y
    out, t = jvp(f, (0.3, 2.0), (1.0, 0.0))
    assert out == onp.sin(0.3) * 2 and t == pytest.approx(2 * onp.cos(0.3))
    out, f_vjp = vjp(f, 0.3, 2.0)
    gx, gy = f_vjp(1.0)
    assert gx == pytest.approx(2 * onp.cos(0.3)) and gy == pytest.approx(onp.sin(0.3))


def test_make_jvp_make_vjp():
    A = R.randn(3, 2)
    f = lambda x: np.tanh(A @ x)
    x, v, u = R.randn(2), R.randn(2), R.randn(3)
    ans, Jv = make_jvp(f)(x)(v)
    vjp_fn, ans2 = make_vjp(f)(x)
    J = (1 - onp.tanh(A @ x) ** 2)[:, None] * A
    assert onp.allclose(Jv, J @ v) and onp.allclose(vjp_fn(u), J.T @ u)
    assert onp.allclose(ans, ans2)


def test_vector_and_tensor_jacobian_products():
    A = R.randn(3, 2)
    f = lambda x: A @ x ** 2
    x, u = R.randn(2), R.randn(3)
    assert onp.allclose(vector_jacobian_product(f)(x, u), (A.T @ u) * 2 * x)
    assert onp.allclose(tensor_jacobian_product(f)(x, u), (A.T @ u) * 2 * x)


def test_hessians_and_hvps():
    A = R.randn(4, 4)
    f = lambda x: np.sum(np.tanh(x)) + x @ A @ x
    x, v = R.randn(4), R.randn(4)
    H = hessian(f)(x)
    exact = A + A.T + onp.diag(-2 * onp.tanh(x) * (1 - onp.tanh(x) ** 2))
    assert onp.allclose(H, exact)
    assert onp.allclose(H, H.T)
    assert onp.allclose(hessian_tensor_product(f)(x, v), exact @ v)
    assert onp.allclose(hessian_vector_product(f)(x, v), exact @ v)
    hvp, g = make_hvp(f)(x)
    assert onp.allclose(hvp(v), exact @ v)
    assert onp.allclose(g, grad(f)(x))


def test_multigrad_dict_and_grad_named():
    def f(x, y, scale=2.0):
        return scale * x * y ** 2
    d = multigrad_dict(f)(1.0, 3.0)
    assert d == {"x": 18.0, "y": 12.0, "scale": 9.0}  # defaults included, as autograd does
    assert grad_named(f, "y")(1.0, 3.0) == 12.0


def test_checkpoint_gives_same_derivatives():
    body = lambda x: np.sin(x) * np.exp(x)
    ck = checkpoint(body)
    f1 = lambda x: np.sum(ck(ck(x)))
    f2 = lambda x: np.sum(body(body(x)))
    x = R.randn(3)
    assert onp.allclose(grad(f1)(x), grad(f2)(x))
    assert onp.allclose(deriv(f1)(x), deriv(f2)(x))
    assert onp.allclose(hessian(f1)(x), hessian(f2)(x))


def test_scalars_and_zero_d_arrays():
    assert grad(np.sin)(onp.float32(0.0)) == 1.0
    g = grad(lambda x: x ** 2)(onp.array(3.0))
    assert onp.shape(g) == () and g == 6.0
    assert isinstance(grad(np.sin)(0.5), (float, onp.floating))


def test_negative_argnum_and_clear_usage_errors():
    f = lambda x, y: x * y ** 2  # noqa: E731
    assert grad(f, -1)(2.0, 3.0) == 12.0
    with pytest.raises(TypeError, match="argnum=2"):
        grad(f, 2)(2.0, 3.0)
    with pytest.raises(TypeError, match=r"pair \(loss, aux\)"):
        grad_and_aux(lambda x: x ** 2)(1.0)
    with pytest.raises(TypeError, match="floating"):
        jvp(lambda v: v * 2.0, (onp.ones(3),), (onp.ones(3, dtype=int),))
    with pytest.raises(ValueError, match="shape"):
        make_jvp(np.sin)(onp.ones(3))(onp.ones(2))


# ------------------------------------------------------------------ dense size limit
def test_a_dense_jacobian_that_wont_fit_raises_before_allocating(monkeypatch):
    import tracemalloc
    import dualgrad.transforms.directions as directions
    monkeypatch.setattr(directions, "MAX_DENSE_BYTES", 4 * 2 ** 30)
    for mode in ("auto", "fwd", "rev"):
        tracemalloc.start()
        with pytest.raises(MemoryError) as info:
            dualgrad.jacobian(np.sin, mode=mode)(onp.ones(30000))  # 30000^2 doubles: 6.7 GiB
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 50 * 2 ** 20, f"{mode}: allocated {peak} bytes before refusing"
        message = str(info.value)
        for must in ("30000 x 30000", "6.7 GiB", "4.0 GiB", "elementwise_grad",
                     "dualgrad.sparse", "linear_operator", "MAX_DENSE_BYTES"):
            assert must in message, (mode, must)


def test_a_small_jacobian_does_not_read_the_available_memory(monkeypatch):
    # reading /proc/meminfo took 0.1 ms of every jacobian call; a Jacobian far below a
    # quarter of any machine's memory needs no reading (an explicit limit still applies)
    from dualgrad.transforms import directions

    def unread():
        raise AssertionError("the available memory was read")
    monkeypatch.setattr(directions, "_memory_limit", unread)
    f = lambda x: np.sin(x) * x[0]  # noqa: E731
    assert jacobian(f)(onp.linspace(0, 1, 50)).shape == (50, 50)
    with pytest.raises(AssertionError, match="was read"):  # a large one reads it
        jacobian(f)(onp.linspace(0, 1, 1500))  # (refused before anything is computed)
    monkeypatch.setattr(directions, "MAX_DENSE_BYTES", 100)  # a set limit: no reading
    with pytest.raises(MemoryError, match="50 x 50"):
        jacobian(f)(onp.linspace(0, 1, 50))


def test_the_dense_limit_is_overridable(monkeypatch):
    import dualgrad.transforms.directions as directions
    x = onp.linspace(0.1, 1.0, 50)
    monkeypatch.setattr(directions, "MAX_DENSE_BYTES", 8 * 50 * 50 - 1)
    with pytest.raises(MemoryError, match="50 x 50"):
        dualgrad.jacobian(np.sin)(x)
    with pytest.raises(MemoryError, match="50 x 50"):  # chunked forward: after one chunk
        dualgrad.jacobian(np.sin, mode="fwd", chunk_size=10)(x)
    monkeypatch.setattr(directions, "MAX_DENSE_BYTES", None)
    monkeypatch.setenv("DUALGRAD_MAX_DENSE_BYTES", "100")
    with pytest.raises(MemoryError, match="50 x 50"):
        dualgrad.jacobian(np.sin)(x)
    monkeypatch.setenv("DUALGRAD_MAX_DENSE_BYTES", str(8 * 50 * 50))
    onp.testing.assert_allclose(dualgrad.jacobian(np.sin)(x), onp.diag(onp.cos(x)))
    monkeypatch.delenv("DUALGRAD_MAX_DENSE_BYTES")
    assert directions.dense_limit() is None or directions.dense_limit() > 2 ** 20


def _caught(fun, *args):
    import inspect
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = inspect.currentframe().f_lineno + 1
        fun(*args)
    return [(w.filename, w.lineno, str(w.message)) for w in caught], line


def test_warnings_point_at_the_users_line(monkeypatch):
    # The integer-array cast and autograd's "independent of input" warning are
    # attributed to the line that called the transform, not to dualgrad's internals.
    here = _caught.__code__.co_filename
    ints = onp.arange(3)
    for transform in (grad(lambda x: np.sum(np.sin(x))), elementwise_grad(np.sin),
                      value_and_grad(lambda x: np.sum(x ** 2))):
        caught, line = _caught(transform, ints)
        assert [(f, n) for f, n, m in caught if "cast to float64" in m] == [(here, line)]
    import dualgrad.interpreters.reverse as reverse
    monkeypatch.setattr(reverse, "WARN_INDEPENDENT", True)  # as under autograd_alias
    caught, line = _caught(grad(lambda x: 1.0), 2.0)
    assert [(f, n) for f, n, m in caught if "independent of input" in m] == [(here, line)]
