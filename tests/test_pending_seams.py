"""Pending arrays (``y = np.zeros(n); y[i] = f(x)`` inside a transform) at the seams:
writes through views of them, values traced only by an enclosing transform, and
pending arrays handed back by a transform (always plain NumPy)."""
import io

import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import (grad, grad_and_aux, hessian, jacfwd, jacobian, jvp, value_and_grad,
                      vjp, vmap)
from dualgrad.test_util import check_grads

X = onp.array([0.5, -1.2, 2.0])


def row_then_item(x):
    y = np.zeros((2, 2))
    y[0][1] = x[0] * x[1]
    y[1][0] = 4.0  # a constant through a view: written in place
    return y


def slice_augmented(x):
    y = np.zeros(3)
    y[0] = 1.0
    y[1:] += x[:2] ** 2
    return y


def row_loop(x):
    y = np.ones((3, 3))
    for r in y:
        r[:] = r * np.sin(x)
    return y


def row_loop_enumerate(x):
    y = np.zeros((3, 3))
    for i, r in enumerate(y):
        r[i:] = x[i:] * (i + 1.0)
    return y


def reshape_item(x):
    y = np.zeros(4)
    y.reshape(2, 2)[1] = x[1:]
    return y


def transpose_item(x):
    y = np.eye(3)
    y.T[0, 1:] = x[:2] * 3.0
    return y


def constant_then_traced_then_constant(x):
    y = np.zeros((2, 3))
    r = y[1]
    r[0] = 2.0   # constant, in place
    y[0] = x     # y becomes traced: r follows it
    r[1] = x[2]  # through the (now traced) view
    r[2] = 5.0
    return y


CASES = [row_then_item, slice_augmented, row_loop, row_loop_enumerate, reshape_item,
         transpose_item, constant_then_traced_then_constant]


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_writes_through_views_of_pending_arrays(f):
    want = f(X)  # plain numpy
    assert type(want) is onp.ndarray
    primal, _ = jvp(f, (X,), (onp.ones_like(X),))
    onp.testing.assert_allclose(primal, want, rtol=1e-13)
    check_grads(f, order=2)(X)
    onp.testing.assert_allclose(vmap(f)(onp.stack([X, -X])), onp.stack([want, f(-X)]),
                                rtol=1e-13)
    onp.testing.assert_allclose(jacobian(f, mode="fwd")(X), jacobian(f, mode="rev")(X),
                                rtol=1e-12, atol=1e-14)


# ------------------------------------------- traced only by an enclosing transform
def inner_loss(w, x):
    y = np.zeros(3)
    y[1] = w          # w is traced only by the outer transform
    y[0] = w * x      # both
    y[2] = 2.0
    return np.sum(y * y)


def hypergradient_of(w):
    return grad(lambda x: inner_loss(w, x))(1.5)


def _numerical(f, w, eps=1e-6):
    return (f(w + eps) - f(w - eps)) / (2 * eps)


# d/dx (w x)^2 = 2 w^2 x: d/dw at x = 1.5 is 6 w
@pytest.mark.parametrize("outer", [grad, jacfwd, lambda f: (lambda w: jvp(f, (w,), (1.0,))[1])],
                         ids=["grad", "jacfwd", "jvp"])
def test_value_traced_only_by_the_outer_transform(outer):
    w = 2.0
    assert onp.isclose(hypergradient_of(w), 3.0 * w ** 2)
    assert onp.isclose(outer(hypergradient_of)(w), 6.0 * w)
    assert onp.isclose(outer(hypergradient_of)(w), _numerical(hypergradient_of, w), rtol=1e-7)


def test_inner_forward_outer_reverse():
    def inner_jvp(w):
        return jvp(lambda x: inner_loss(w, x), (1.5,), (1.0,))[1]
    assert onp.isclose(grad(inner_jvp)(2.0), 12.0)
    check_grads(inner_jvp, order=2)(2.0)


def test_outer_value_under_vmap_inside():
    def f(w):
        def per_example(x):
            y = np.zeros(2)
            y[0] = w
            y[1] = w * x
            return np.sum(y ** 2)
        return np.sum(vmap(per_example)(X))
    check_grads(f, order=2)(0.7)


def test_traced_outer_pending_inner_still_errors_clearly():
    # an array made *outside* the inner transform cannot hold the inner transform's
    # values (the inner function must return them): the message says which is which
    def f(w):
        y = w * np.ones(2)

        def inner(x):
            y[0] = x * w
            return x
        grad(inner)(1.0)
        return np.sum(y)
    with pytest.raises(TypeError) as e:
        grad(f)(2.0)
    msg = str(e.value)
    assert "inner" in msg and "outer" in msg


# ------------------------------------------------- what transforms hand back
def _made_inside(x):
    y = np.zeros(2)
    y[0] = 1.0
    return y


def test_transforms_return_plain_arrays_for_pending_ones():
    x = onp.array([0.3, 0.4])
    _, aux = grad_and_aux(lambda x: (np.sum(x ** 2), {"y": _made_inside(x), "z": [np.ones(2)]}))(x)
    assert type(aux["y"]) is onp.ndarray and type(aux["z"][0]) is onp.ndarray
    primal, tangent = jvp(_made_inside, (x,), (x,))
    assert type(primal) is onp.ndarray and type(tangent) is onp.ndarray
    out, pull = vjp(_made_inside, x)
    assert type(out) is onp.ndarray
    val, _ = value_and_grad(lambda x: (np.sum(x), _made_inside(x))[0])(x)
    out = vmap(_made_inside)(onp.stack([x, x]))
    assert type(out) is onp.ndarray and out.shape == (2, 2)
    for t in (jacobian, jacfwd, hessian):
        assert type(t(lambda x: np.sum(_made_inside(x)))(x)) is onp.ndarray
    buf = io.BytesIO()
    onp.save(buf, aux["y"])  # plain numpy code takes it as the array it is
    assert onp.array_equal(aux["y"], [1.0, 0.0])
