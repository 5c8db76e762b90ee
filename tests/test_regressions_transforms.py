"""Regressions found by hunting wrong results in the transforms and their
compositions (grad, jacfwd/jacrev, hessian, vmap, checkpoint, ...)."""
import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import grad, vmap

A = onp.array([1.0, -2.0, 3.0])


# ------------------------------------------------------------------ vmap
def test_vmap_python_if_on_batched_value():
    f = lambda x: x if x > 0 else -x                                # noqa: E731
    assert onp.allclose(vmap(f)(A), [1.0, 2.0, 3.0])
    g = grad(lambda x: x ** 2 if x > 0 else -x)
    assert onp.allclose(vmap(g)(A), [2.0, -1.0, 6.0])
    assert onp.allclose(vmap(lambda x: max(x, 0.0))(A), [1.0, 0.0, 3.0])
    assert onp.allclose(vmap(lambda x: 1.0 if x == 1.0 else 0.0)(A), [1.0, 0.0, 0.0])


def test_vmap_in_axes_1_maps_over_axis_1_or_raises():
    X = onp.arange(6.0).reshape(2, 3)
    try:
        out = vmap(lambda x: np.sum(x ** 2), in_axes=1)(X)
    except (ValueError, TypeError, NotImplementedError):
        return  # refusing in_axes=1 clearly is fine too
    assert onp.allclose(out, onp.sum(X ** 2, axis=0))


def test_vmap_mismatched_sizes_raise():
    with pytest.raises(ValueError):
        vmap(lambda x, y: x + y)(onp.ones(3), onp.ones(4))


def test_vmap_none_in_axes_for_every_argument_is_clear():
    """Nothing to map over: an error that says so, not a bare StopIteration."""
    with pytest.raises((ValueError, TypeError), match="in_axes"):
        vmap(lambda x: x, in_axes=(None,))(onp.ones(3))


# ------------------------------------------------------------------ jacobian
X3 = onp.array([0.5, -1.0, 2.0])


def _tuple_out_jacobian(mode, batch):
    from dualgrad import jacobian
    try:
        J = jacobian(lambda x: (x, 2.0 * x), mode=mode, batch=batch)(X3)
    except (TypeError, ValueError) as e:
        assert "tuple" in str(e) or "container" in str(e)
        return
    if isinstance(J, tuple):
        assert onp.allclose(J[0], onp.eye(3)) and onp.allclose(J[1], 2 * onp.eye(3))
    else:
        assert onp.allclose(J, onp.stack([onp.eye(3), 2 * onp.eye(3)]))


@pytest.mark.parametrize("mode,batch", [("fwd", False), ("rev", True), ("rev", False)])
def test_jacobian_of_tuple_output_is_right_or_refused(mode, batch):
    _tuple_out_jacobian(mode, batch)


def test_jacobian_fwd_batched_of_tuple_output_is_right_or_refused():
    _tuple_out_jacobian("fwd", True)


@pytest.mark.parametrize("mode", ["fwd", "rev"])
@pytest.mark.parametrize("batch", [True, False])
def test_jacobian_of_dict_output_is_right_or_refused(mode, batch):
    from dualgrad import jacobian
    try:
        J = jacobian(lambda x: {"a": 3.0 * x}, mode=mode, batch=batch)(X3)
    except (TypeError, ValueError) as e:
        assert "dict" in str(e) or "container" in str(e)
        return
    assert isinstance(J, dict) and onp.allclose(J["a"], 3 * onp.eye(3))


# ------------------------------------------------------------------ jvp / vjp
def test_jax_jvp_rejects_tangent_of_wrong_shape():
    from dualgrad import jvp
    with pytest.raises((ValueError, TypeError)):
        jvp(lambda v: v * 2.0, (X3,), (onp.ones(2),))


def test_vjp_rejects_cotangent_of_wrong_shape():
    from dualgrad import make_vjp
    vjp, ans = make_vjp(lambda v: np.sin(v) * v)(X3)
    with pytest.raises((ValueError, TypeError)):
        vjp(onp.ones((3, 1)))


# ------------------------------------------------------------------ multigrad_dict
def test_multigrad_dict_defaults_and_varargs_like_autograd():
    from dualgrad import multigrad_dict
    g = multigrad_dict(lambda a, b=2.0: np.sum(a * b ** 2))(X3)
    assert set(g) == {"a", "b"}
    assert onp.allclose(g["a"], 4.0) and onp.allclose(g["b"], 4.0 * onp.sum(X3))
    g = multigrad_dict(lambda a, *args: np.sum(a * args[0]))(X3, 2 * X3)
    assert onp.allclose(g["a"], 2 * X3) and onp.allclose(g["args"][0], X3)


# ------------------------------------------------------------------ silent zero derivatives
def test_unique_values_derivative_is_not_silently_zero():
    def f(v):
        return np.sum(np.unique(v * v) * onp.array([1.0, 2.0, 3.0]))
    x = onp.array([0.3, -1.2, 2.0])  # squares 0.09, 1.44, 4: sorted order = x order
    try:
        g = grad(f)(x)
    except TypeError:
        return  # a clear refusal is acceptable
    assert onp.allclose(g, 2 * x * onp.array([1.0, 2.0, 3.0]))


def test_linalg_cond_derivative_is_not_silently_zero():
    from dualgrad import jacfwd
    x = onp.array([0.3, -1.2, 2.0])
    f = lambda v: np.linalg.cond(np.outer(v, v) + 3 * np.eye(3))   # noqa: E731
    h = 1e-6
    fd = onp.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in onp.eye(3)])
    assert onp.allclose(jacfwd(f)(x), fd, rtol=1e-5, atol=1e-7)


# ------------------------------------------------------------------ misc.flatten
def test_flatten_unflatten_keeps_dict_key_order_like_autograd():
    from dualgrad.misc import flatten
    vec, unflatten = flatten({"w": onp.ones(2), "b": 2.0})
    assert onp.allclose(vec, [2.0, 1.0, 1.0])        # leaves laid out in sorted key order
    assert list(unflatten(vec)) == ["w", "b"]         # but the caller's order comes back


def test_flatten_unflatten_restores_leaf_dtypes():
    from dualgrad import grad
    from dualgrad.misc import flatten
    tree = {"c": onp.ones(1), "a": onp.float32(1.0), "b": onp.ones(2, onp.float32)}
    vec, unflatten = flatten(tree)
    back = unflatten(vec)
    assert {k: onp.result_type(v) for k, v in back.items()} == {
        "c": onp.float64, "a": onp.float32, "b": onp.float32}
    g = grad(lambda v: np.sum(unflatten(v)["b"] ** 2) + 3 * unflatten(v)["c"][0])(vec)
    assert onp.allclose(g, [0.0, 2.0, 2.0, 3.0])
    mixed = (onp.ones(2), {"z": 1.0 + 2j})
    vec, unflatten = flatten(mixed)
    back = unflatten(vec)
    assert back[0].dtype == onp.float64 and onp.allclose(back[1]["z"], 1.0 + 2j)
