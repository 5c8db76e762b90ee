"""full_like, bincount, unique*, histogram*: functions that used to see through tracers
(a silently zero derivative) although their output depends differentiably on an input."""
import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import grad, jacobian
from dualgrad.core import DifferentiationError
from dualgrad.rules import counting
from dualgrad.test_util import check_grads

X = onp.array([0.3, 1.2, 0.7, 2.0])


def test_full_like_is_linear_in_fill_value():
    assert grad(lambda v: np.sum(np.full_like(onp.zeros((2, 3)), v)))(2.0) == 6.0
    check_grads(lambda v: np.full_like(onp.zeros((2, 4)), v) * v, order=2)(X)
    assert np.full_like(onp.zeros(2, onp.float32), 1.5).dtype == onp.float32  # untraced: numpy's


def test_bincount_is_linear_in_weights():
    idx = onp.array([0, 2, 2, 4])
    J = jacobian(lambda w: np.bincount(idx, weights=w, minlength=6))(X)
    assert onp.array_equal(J, (onp.arange(6)[:, None] == idx[None, :]).astype(float))
    check_grads(lambda w: np.bincount(idx, w ** 2), order=2)(X)
    assert np.bincount(idx).tolist() == [1, 0, 2, 0, 1]


@pytest.mark.parametrize("f", [
    lambda v: np.unique(v), lambda v: np.unique(v, return_index=True, return_counts=True)[0],
    lambda v: np.unique_values(v), lambda v: np.unique_all(v).values,
    lambda v: np.unique_counts(v).values, lambda v: np.unique_inverse(v).values,
    lambda v: onp.unique(v)])
def test_unique_values_are_picked_entries(f):
    # distinct entries: unique(v) = sort(v), so d/dv_i <c, unique(v)> = c[rank of v_i]
    c = onp.arange(1.0, 5.0)
    rank = onp.argsort(onp.argsort(X))
    assert onp.array_equal(grad(lambda v: np.sum(f(v) * c))(X), c[rank])
    check_grads(lambda v: f(v) ** 2, order=2)(X)


def test_unique_takes_the_keywords_numpy_takes():
    # numpy 2.3 added unique(sorted=) and made unique_values unsorted; numpy 2.2 (the
    # floor) refuses sorted=. dualgrad passes it only where numpy takes it, so traced and
    # plain calls give numpy's own answer, or numpy's own TypeError, on either version.
    try:
        onp.unique(X, sorted=True)
        takes = True
    except TypeError:
        takes = False
    assert counting.UNIQUE_TAKES_SORTED is takes
    v = onp.array([2.0, -1.0, 0.5, 2.0])
    onp.testing.assert_array_equal(jacobian(np.unique_values)(v) @ v, onp.unique_values(v))
    if takes:
        onp.testing.assert_array_equal(jacobian(lambda a: np.unique(a, sorted=False))(v) @ v,
                                       onp.unique(v, sorted=False))
    else:
        with pytest.raises(TypeError, match="sorted"):
            grad(lambda a: np.sum(np.unique(a, sorted=False)))(v)


def test_unique_rows_and_repeated_values():
    check_grads(lambda v: np.unique(np.reshape(v, (2, 2)), axis=1) ** 2, order=2)(X)
    v = onp.array([2.0, 1.0, 2.0])  # a repeated value: picked from its first occurrence
    assert onp.array_equal(jacobian(np.unique)(v), [[0, 1, 0], [1, 0, 0]])


def test_histogram_sees_through_samples_but_refuses_traced_weights():
    assert onp.array_equal(grad(lambda v: np.sum(np.histogram(v, bins=3)[0] * 1.0) + np.sum(v))(X),
                           onp.ones(4))
    with pytest.raises(DifferentiationError, match="numpy.histogram: only the samples"):
        grad(lambda w: np.sum(np.histogram(X, bins=3, weights=w)[0]))(X)
    with pytest.raises(DifferentiationError, match="numpy.histogram2d"):
        grad(lambda w: np.sum(np.histogram2d(X, X, 2, None, False, w)[0]))(X)
