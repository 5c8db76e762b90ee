"""Properties that must hold for any input: forward and reverse Jacobians agree,
Hessians are symmetric, cotangents have their inputs' shapes under broadcasting."""
import numpy as onp
from hypothesis import given, strategies as st

import dualgrad.numpy as np
from dualgrad import grad, hessian, jacfwd, jacrev
from helpers import small_arrays

FIELDS = [
    lambda x: np.sin(x) * np.sum(x ** 2),
    lambda x: np.tanh(np.cumsum(x)) / (1 + x ** 2),
    lambda x: np.exp(x[::-1]) * x.max(),
    lambda x: np.outer(x, np.cos(x)).ravel(),
]


@given(x=small_arrays((-1.5, 1.5), min_dims=1, max_dims=1), k=st.integers(0, len(FIELDS) - 1))
def test_forward_and_reverse_jacobians_agree(x, k):
    f = FIELDS[k]
    assert onp.allclose(jacfwd(f)(x), jacrev(f)(x), rtol=1e-12, atol=1e-12)


@given(x=small_arrays((-1.5, 1.5), min_dims=1, max_dims=1))
def test_hessian_is_symmetric(x):
    f = lambda x: np.sum(np.sin(x) * np.cumsum(x) ** 2)
    H = hessian(f)(x)
    assert onp.allclose(H, H.T, rtol=1e-12, atol=1e-12)


@given(x=small_arrays(shape=(2, 3)), shape=st.sampled_from([(), (1,), (3,), (2, 1), (1, 3), (2, 3)]),
       data=st.data())
def test_cotangent_shape_matches_broadcast_input(x, shape, data):
    y = data.draw(small_arrays(shape=shape))
    for op in (np.add, np.multiply, np.subtract, lambda a, b: a / (b ** 2 + 1), np.maximum):
        gx, gy = grad(lambda a, b: np.sum(op(a, b) ** 2), (0, 1))(x, y)
        assert onp.shape(gx) == x.shape and onp.shape(gy) == onp.shape(y)


@given(x=st.floats(-3, 3), y=st.floats(-3, 3))
def test_perturbation_confusion_property(x, y):
    assert grad(lambda x: x * grad(lambda y: x + y)(y))(x) == 1.0
