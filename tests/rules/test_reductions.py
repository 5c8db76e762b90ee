"""Reductions and scans: every axis/keepdims combination, both modes, order 2."""
import numpy as onp
import pytest
from hypothesis import given, strategies as st

import dualgrad.numpy as np
from dualgrad import grad
from dualgrad.test_util import check_grads
from helpers import small_arrays

AXES = [None, 0, 1, -1, (0, 1)]
REDUCTIONS = [np.sum, np.mean, np.prod, np.var, np.std, np.max, np.min, np.amax, np.amin]


@pytest.mark.parametrize("f", REDUCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_rules(f, axis, keepdims):
    x = onp.random.randn(2, 3) + 0.1 * onp.arange(6).reshape(2, 3)  # distinct: max/min smooth
    check_grads(lambda x: f(x, axis=axis, keepdims=keepdims), order=2)(x)


@given(x=small_arrays((-2, 2), min_dims=1, max_dims=3))
def test_sum_mean_any_shape(x):
    check_grads(lambda x: np.sum(x ** 2) + np.mean(np.sin(x), axis=0).sum(), order=2)(x)


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_cumsum(axis):
    check_grads(lambda x: np.cumsum(x, axis=axis), order=2)(onp.random.randn(2, 3))


def test_prod_with_zeros():
    # d/dx_i prod(x) = product of the others, also where some x_j = 0
    x = onp.array([2.0, 0.0, 3.0])
    assert grad(np.prod)(x).tolist() == [0.0, 6.0, 0.0]
    assert grad(np.prod)(onp.array([0.0, 0.0, 3.0])).tolist() == [0.0, 0.0, 0.0]
    check_grads(lambda x: np.prod(x, axis=1), order=1)(onp.array([[2.0, 0.0, 3.0], [1.0, 2.0, 4.0]]))


def test_max_ties_share_the_gradient():
    assert grad(np.max)(onp.array([1.0, 3.0, 3.0])).tolist() == [0.0, 0.5, 0.5]


def test_var_std_ddof():
    x = onp.random.randn(4, 3)
    check_grads(lambda x: np.var(x, axis=0, ddof=1), order=2)(x)
    check_grads(lambda x: np.std(x, ddof=1), order=2)(x)


def test_methods_match_functions():
    x = onp.random.randn(2, 3)
    assert onp.allclose(grad(lambda x: x.sum())(x), grad(np.sum)(x))
    assert onp.allclose(grad(lambda x: x.mean(axis=0).sum())(x), grad(lambda x: np.mean(x, 0).sum())(x))
    assert onp.allclose(grad(lambda x: x.max())(x), grad(np.max)(x))


def test_keywords_that_change_the_result_are_not_dropped():
    # var/std/nan*(..., where=/initial=/mean=) used to be dropped silently on traced arrays
    # (a wrong value and derivative); numpy's correction= is ddof.
    import dualgrad.numpy as dnp
    from dualgrad import grad
    x, mask = onp.array([0.3, 1.2, 0.7, 2.0]), onp.array([True, False, True, True])
    for f in (dnp.var, dnp.std, dnp.nanvar, dnp.nanstd, dnp.nanmean, dnp.nansum, dnp.nanprod,
              dnp.nanmax, dnp.nanmin, dnp.exp):
        with pytest.raises(TypeError, match="where"):
            grad(lambda v: dnp.sum(f(v, where=mask)))(x)
    with pytest.raises(TypeError, match="initial"):
        grad(lambda v: dnp.nanmax(v, initial=5.0))(x)
    with pytest.raises(TypeError, match="out="):   # used to be a RecursionError
        grad(lambda v: dnp.sum(dnp.cumsum(v, out=onp.zeros(4))))(x)
    for f in (dnp.var, dnp.std, dnp.nanvar, dnp.nanstd):
        assert onp.allclose(grad(lambda v: f(v, correction=1))(x), grad(lambda v: f(v, ddof=1))(x))
        assert onp.isclose(f(x, correction=1), getattr(onp, f.__name__)(x, ddof=1))


def test_var_std_compute_in_the_requested_dtype():
    x = onp.random.RandomState(5).randn(3, 2).astype(onp.float64)
    for f in (np.var, np.std):
        assert grad(lambda x: np.sum(f(x, axis=0, dtype=onp.float32)))(x).dtype == onp.float64
        v = jacobian_value(lambda x: f(x, axis=0, dtype=onp.float32), x)
        assert v.dtype == onp.float32 and onp.allclose(v, f(x, axis=0), rtol=1e-5)
    check_grads(lambda x: np.var(x, axis=1, dtype=onp.complex128), order=2)(x)


def jacobian_value(f, x):
    from dualgrad import make_vjp
    return make_vjp(f)(x)[1]
