"""Regressions for in-place updates on traced arrays and plain-numpy code under
transforms (found by the hunt of 2026-11-24). Each test is a wrong result or
a crash that the fix in the same change removed."""
import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import grad, jacfwd, jacrev, jvp, vmap

X = onp.array([0.5, -1.2, 2.0])


# -- x[i] = y / x += y under vmap: Batched.value is a read-only property, which
#    the copy-on-write rebinding (_become) tried to set.
def _update(x):
    y = x * 1.0
    y[0] = x[1] * x[2]
    y += x ** 2
    y[[0, 0, 2]] = np.stack([x[0], x[1], x[2]])  # last write wins
    return y


def _update_numpy(x):
    y = onp.array(x, dtype=float)
    y[0] = x[1] * x[2]
    y += x ** 2
    y[[0, 0, 2]] = onp.stack([x[0], x[1], x[2]])
    return y


def test_inplace_under_vmap():
    xs = onp.stack([X, 2 * X, -X])
    onp.testing.assert_allclose(vmap(_update)(xs), onp.stack([_update_numpy(x) for x in xs]))


def test_inplace_under_vmap_of_grad():
    f = lambda x: np.sum(_update(x) ** 2)
    xs = onp.stack([X, 2 * X])
    onp.testing.assert_allclose(vmap(grad(f))(xs), onp.stack([grad(f)(x) for x in xs]))


# -- copies returned the same tracer object, so an in-place update of the copy
#    rebound the original too: y = x.copy(); y[0] = 0 changed x (value and
#    derivative).
COPIES = {
    "method": lambda x: x.copy(),
    "np.copy": lambda x: np.copy(x),
    "numpy.copy (NEP 18)": lambda x: onp.copy(x),
    "np.array": lambda x: np.array(x),
    "np.array dtype": lambda x: np.array(x, dtype=float),
    "np.asarray copy": lambda x: np.asarray(x, copy=True),
    "unary plus": lambda x: +x,
    "np.positive": lambda x: np.positive(x),
}


@pytest.mark.parametrize("name", sorted(COPIES))
def test_inplace_update_of_a_copy_leaves_the_original(name):
    copy = COPIES[name]

    def f(x):
        x = x * 1.0
        y = copy(x)
        y[0] = 0.0
        y += 1.0
        return x + 10 * y

    ref = X + 10 * onp.concatenate([[1.0], X[1:] + 1.0])
    out, tan = jvp(f, (X,), (onp.ones(3),))
    onp.testing.assert_allclose(out, ref)
    onp.testing.assert_allclose(tan, [1.0, 11.0, 11.0])
    onp.testing.assert_allclose(jacrev(f)(X), onp.diag([1.0, 11.0, 11.0]))
    onp.testing.assert_allclose(grad(lambda x: np.sum(f(x)))(X), [1.0, 11.0, 11.0])


def test_np_array_of_a_tracer_keeps_dtype_and_ndmin():
    x32 = X.astype(onp.float32)
    assert jvp(lambda x: np.array(x, dtype=onp.float32), (X,), (X,))[0].dtype == onp.float32
    assert jvp(lambda x: np.array([x[0], x[1]], dtype=onp.float32), (X,), (X,))[0].dtype \
        == onp.float32
    assert jacfwd(lambda x: np.array(x, dtype=onp.float64))(x32).shape == (3, 3)
    assert jvp(lambda x: np.array(x, ndmin=3), (X,), (X,))[0].shape == (1, 1, 3)


# -- plain numpy ufunc keywords (NEP 13): dtype= was ignored by some rules (deg2rad,
#    radians, positive, vecdot, ...: a float64 result for dtype=float32) and crashed
#    others with "<lambda>() got an unexpected keyword argument"; where= crashed the
#    same way or was ignored.
@pytest.mark.parametrize("ufunc", [onp.deg2rad, onp.radians, onp.rad2deg, onp.positive,
                                   onp.add, onp.multiply, onp.matmul, onp.sign, onp.mod])
def test_plain_ufunc_dtype_keyword(ufunc):
    x = onp.array([[0.3, 0.6], [0.9, 1.2]])

    def f(x):
        return ufunc(*([x] * ufunc.nin), dtype=onp.float32, casting="same_kind", order="K")

    out, tan = jvp(f, (x,), (onp.ones_like(x),))
    ref = f(x)
    assert out.dtype == ref.dtype == onp.float32
    onp.testing.assert_allclose(out, ref)
    assert tan.dtype == onp.float32
    onp.testing.assert_allclose(jacfwd(f)(x), jacrev(f)(x), rtol=1e-6)


@pytest.mark.parametrize("ufunc", [onp.sin, onp.add, onp.deg2rad, onp.mod])
def test_plain_ufunc_where_keyword_is_refused(ufunc):
    x = onp.array([0.3, 0.6, 0.9])
    mask = onp.array([True, False, True])
    with pytest.raises(TypeError, match="where="):
        jvp(lambda x: ufunc(*([x] * ufunc.nin), where=mask), (x,), (x,))


# -- ndarray reduction methods passed initial=/where= to numpy inside the primitive
#    while the rules ignored them: x.max(initial=10) had a nan derivative.
@pytest.mark.parametrize("call", [lambda x: x.max(initial=10.0), lambda x: x.min(initial=-1.0),
                                  lambda x: x.sum(where=x > 0), lambda x: x.mean(where=x > 0),
                                  lambda x: x.prod(initial=2.0)])
def test_reduction_methods_refuse_initial_and_where(call):
    with pytest.raises(TypeError, match="initial=|where="):
        jvp(call, (X,), (onp.ones(3),))
    with pytest.raises(TypeError, match="initial=|where="):
        grad(call)(X)


def test_reduction_methods_positional_arguments():
    out, tan = jvp(lambda x: x.sum(0, onp.float32), (X,), (onp.ones(3),))
    assert out.dtype == onp.float32 and tan == 3.0
    onp.testing.assert_allclose(jvp(lambda x: x.max(0), (X,), (onp.arange(3.0),))[1], 2.0)


# -- x[mask] = y under vmap with a mask computed from the batched value: the mask's
#    plain value was the batching placeholder (all False), so nothing was updated.
def test_inplace_update_with_batched_mask_under_vmap():
    def f(x):
        y = x * 1.0
        y[y > 1.0] = 0.0
        y[onp.argmin(x)] = -1.0
        return y

    xs = onp.array([[0.5, 2.0, 3.0], [2.0, 0.2, 4.0], [0.1, 0.3, 0.9]])
    onp.testing.assert_allclose(vmap(f)(xs), onp.stack([f(x.copy()) for x in xs]))
    g = grad(lambda x: np.sum(f(x) * x))
    onp.testing.assert_allclose(vmap(g)(xs), onp.stack([g(x) for x in xs]))
