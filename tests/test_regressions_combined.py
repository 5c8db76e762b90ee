"""Regressions found by fuzzing random *combinations* of transforms, rules,
dtypes and containers."""
import numpy as onp

import dualgrad.numpy as np
from dualgrad import grad, hessian, jacfwd, jacrev, vmap

X3 = onp.arange(1.0, 9.0).reshape(2, 2, 2)


# ------------------------------------------------ vmap over grad / jacfwd
def test_size_and_ndim_of_a_box_over_a_batched_value_are_plain_ints():
    # x.size / x.ndim of a reverse (or forward) tracer wrapping a vmap value
    # went through onp.size -> the batching level, which stacked one int per
    # example: a Batched "size" (a KeyError as a dict key, a traced reshape).
    seen = []

    def f(x):
        seen.append((x.size, x.ndim, np.size(x), np.ndim(x)))
        return np.sum(np.reshape(x, (x.size,)) ** 3) / x.size

    got = vmap(grad(f))(X3)
    assert all(s == (4, 2, 4, 2) and all(type(v) is int for v in s) for s in seen)
    assert onp.allclose(got, 3 * X3 ** 2 / 4)
    J = vmap(jacfwd(lambda x: x * {4: 2.0}[x.size]))(X3)     # forward level too
    assert J.shape == (2, 2, 2, 2, 2)
    assert onp.allclose(J[0].reshape(4, 4), 2 * onp.eye(4))


# ------------------------------------------------ prod: second order, underflow
def test_prod_hessian_when_the_product_underflows():
    # prod([1e-200, 1e-200, 3]) is 0.0 in float64 although no factor is 0; the
    # rule's prod(x) / x then made the gradient 0 and H[0, 1] = 3 vanish
    # (found as hessian(sum(prod(stack([a, b]), axis=0)))).
    x = onp.array([1e-200, 1e-200, 3.0])
    f = lambda v: np.prod(v)                                        # noqa: E731
    assert onp.allclose(grad(f)(x) / 1e-200, [3.0, 3.0, 0.0])
    H = hessian(f)(x)
    assert onp.allclose(H[:2, :2], [[0.0, 3.0], [3.0, 0.0]])
    assert onp.allclose(jacrev(jacfwd(f))(x)[:2, :2], [[0.0, 3.0], [3.0, 0.0]])
    # still the cheap division path for ordinary inputs
    assert onp.allclose(hessian(f)(onp.array([1.5, 2.0, 3.0])),
                        [[0.0, 3.0, 2.0], [3.0, 0.0, 1.5], [2.0, 1.5, 0.0]])


def test_cumprod_hessian_when_the_cumprod_underflows():
    x = onp.array([1e-200, 1e-200, 3.0])
    H = hessian(lambda v: np.sum(np.cumprod(v)))(x)
    # d^2 (x0 + x0 x1 + x0 x1 x2) / dx0 dx1 = 1 + x2 = 4
    assert onp.allclose(H[:2, :2], [[0.0, 4.0], [4.0, 0.0]])
