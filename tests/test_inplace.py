"""x[i] = y and augmented assignment on traced arrays: copy-on-write, so the
derivatives equal those of the out-of-place code, in both modes and nested."""
import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import grad, hessian, jacobian
from dualgrad.test_util import check_grads

X = onp.array([0.5, -1.2, 2.0, 0.3])


def setitem_int(x):
    y = x * 1.0
    y[1] = x[0] ** 2
    return y


def setitem_int_ref(x):
    return np.concatenate([x[:1], x[:1] ** 2, x[2:]])


def setitem_mask(x):
    y = np.sin(x)
    y[x > 0.4] = 3.0 * x[x > 0.4]
    return y


def setitem_mask_ref(x):
    return np.where(x > 0.4, 3.0 * x, np.sin(x))


def setitem_slice_aug(x):
    y = x ** 2
    y[1:] += np.cos(x[:-1])
    y[::2] *= x[1::2]
    y -= 1.0
    y /= 2.0
    y **= 2
    return y


def setitem_slice_aug_ref(x):
    y = x ** 2
    y = np.concatenate([y[:1], y[1:] + np.cos(x[:-1])])
    y = np.stack([y[0] * x[1], y[1], y[2] * x[3], y[3]])
    return ((y - 1.0) / 2.0) ** 2


def setitem_repeated_index(x):
    y = x * 1.0
    y[[0, 0, 2]] = x[1:] * 5.0  # numpy keeps the last write to y[0]
    return y


def setitem_repeated_index_ref(x):
    return np.stack([x[2] * 5.0, x[1], x[3] * 5.0, x[3]])


def setitem_broadcast_2d(x):
    m = np.outer(x, x)
    m[1] = x  # a row
    m[:, 2] = x[0]  # a scalar broadcast down a column
    return m


def setitem_broadcast_2d_ref(x):
    m = np.outer(x, x)
    m = np.where((onp.arange(4) == 1)[:, None], x[None, :], m)
    return np.where((onp.arange(4) == 2)[None, :], x[0], m)


def setitem_constant_into_traced(x):
    y = np.exp(x)
    y[2] = 0.0
    y[np.argmax(x)] = 7.0 * x[0]
    return y


def setitem_constant_into_traced_ref(x):
    y = np.exp(x)
    y = y * (onp.arange(4) != 2)
    return np.where(onp.arange(4) == onp.argmax(X), 7.0 * x[0], y)


PAIRS = [(setitem_int, setitem_int_ref), (setitem_mask, setitem_mask_ref),
         (setitem_slice_aug, setitem_slice_aug_ref),
         (setitem_repeated_index, setitem_repeated_index_ref),
         (setitem_broadcast_2d, setitem_broadcast_2d_ref),
         (setitem_constant_into_traced, setitem_constant_into_traced_ref)]


@pytest.mark.parametrize("f, ref", PAIRS, ids=[p[0].__name__ for p in PAIRS])
def test_inplace_equals_out_of_place(f, ref):
    assert onp.allclose(f(X.copy()), ref(X))
    for mode in ("fwd", "rev"):
        assert onp.allclose(jacobian(f, mode=mode)(X), jacobian(ref, mode=mode)(X))
    scalar, scalar_ref = (lambda x: np.sum(np.sin(f(x)))), (lambda x: np.sum(np.sin(ref(x))))
    assert onp.allclose(hessian(scalar)(X), hessian(scalar_ref)(X))
    assert onp.allclose(grad(grad(lambda x: scalar(x * X)))(0.7),
                        grad(grad(lambda x: scalar_ref(x * X)))(0.7))
    check_grads(f, order=2)(X)


def test_assigning_into_an_input_does_not_touch_the_caller():
    x = X.copy()

    def f(x):
        x[0] = 5.0
        return np.sum(x ** 2)
    assert grad(f)(x).tolist() == [0.0, 2 * X[1], 2 * X[2], 2 * X[3]]
    assert onp.array_equal(x, X)
    assert onp.allclose(jacobian(f, mode="fwd")(x), grad(f)(x))


def test_traced_value_into_traced_input_of_other_argument():
    def f(a, b):
        a[1:3] = b
        return np.sum(a * a)
    a, b = X.copy(), onp.array([1.5, -0.5])
    check_grads(f, order=2)(a, b)
    ga, gb = grad(f, argnum=(0, 1))(a, b)
    assert ga.tolist() == [2 * X[0], 0.0, 0.0, 2 * X[3]]
    assert onp.allclose(gb, 2 * b)


def test_views_taken_before_an_update_see_it_as_in_numpy():
    # As in numpy, v = y[:2] is a view: the later write into y shows in v, value and
    # derivative (v = [10 x3, x1]).
    from dualgrad.core import getval
    seen = {}

    def f(x):
        y = x * 1.0
        v = y[:2]
        y[0] = 10.0 * x[3]
        seen["v"], seen["y0"] = getval(v), getval(y[0])
        return np.sum(v)
    g = grad(f)(X)
    assert onp.allclose(seen["v"], [10 * X[3], X[1]]) and onp.isclose(seen["y0"], 10 * X[3])
    assert g.tolist() == [0.0, 1.0, 0.0, 10.0]
    check_grads(f, order=2)(X)


def test_augmented_operators_update_in_place_like_numpy():
    def f(x):
        x = x * 1.0
        y = x
        y += 1.0  # as in numpy, x and y are one array: both see the update
        y *= x
        return np.sum(x * y)
    plain = X * 1.0
    alias = plain
    alias += 1.0
    alias *= plain
    assert onp.allclose(f(X), onp.sum(plain * alias))  # same values as numpy
    # sum(((x + 1)^2)^2) = sum((x + 1)^4)
    assert onp.allclose(grad(f)(X), 4 * (X + 1.0) ** 3)
    assert onp.allclose(jacobian(f, mode="fwd")(X), 4 * (X + 1.0) ** 3)


def test_augmented_operators_on_scalars_and_bad_shapes():
    def f(s):
        t = s
        t += 1.0  # a Python scalar is immutable: s keeps its value, as in Python
        return s * t
    assert grad(f)(2.0) == 2 * 2.0 + 1.0  # d/ds [s (s + 1)]
    with pytest.raises(ValueError, match="shape"):
        grad(lambda x: np.sum(_iadd(x * 1.0, onp.ones((2, 4)))))(X)
    with pytest.raises(TypeError, match="complex"):
        grad(lambda x: np.sum(np.real(_iadd(x * 1.0, 1j))))(X)


def _iadd(a, b):
    a += b
    return a


def test_in_place_methods():
    def f(x):
        y = x * 1.0
        y.sort()
        z = x * 1.0
        z.fill(x[0])
        return y[0] + 10 * y[3] + np.sum(z)
    g = grad(f)(X)
    expected = onp.zeros(4)
    expected[onp.argmin(X)] += 1.0
    expected[onp.argmax(X)] += 10.0
    expected[0] += 4.0
    assert onp.allclose(g, expected)


def test_update_from_an_inner_level_is_refused():
    def outer(x):
        def inner(y):
            x[0] = y  # x belongs to the outer grad, y to the inner one
            return np.sum(x)
        return grad(inner)(2.0)
    with pytest.raises(TypeError, match="inner transform"):
        grad(outer)(X.copy())


def test_outer_value_into_inner_array_is_fine():
    def outer(x):
        def inner(y):
            z = y * onp.ones(4)
            z[1] = x[0]  # x (outer level) is a constant to the inner level
            return np.sum(z * z)
        return grad(inner)(1.5) * x[0]
    check_grads(outer, order=1)(X)


def test_traced_value_into_plain_numpy_array_is_refused():
    def f(x):
        a = onp.zeros(4)
        a[:2] = x[:2]
        return np.sum(a)
    with pytest.raises(TypeError, match=r"a\[i\] = x"):
        grad(f)(X)

    def g(x):
        a = onp.zeros(4)
        a[0] = x[0]  # numpy asks float(x) first and reports its own ValueError
        return np.sum(a)
    with pytest.raises((TypeError, ValueError)):
        grad(g)(X)
