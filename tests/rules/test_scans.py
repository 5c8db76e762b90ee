"""NaN-aware reductions, cumprod, sorting, order statistics, differences: values
equal numpy's; derivatives in both modes to order 2. ``CASES`` is reused by
tests/test_plain_numpy.py."""
import numpy as onp
import pytest

import dualgrad.numpy as dnp
from dualgrad import grad, jacobian
from dualgrad.test_util import check_grads

R = onp.random.RandomState(2)
V5 = R.randn(5)
M23 = R.randn(2, 3)
M34 = R.randn(3, 4)
T234 = R.randn(2, 3, 4)
C4 = R.randn(4) + 1j * R.randn(4)
X_NAN = onp.array([[0.3, onp.nan, -1.2], [onp.nan, 0.7, 2.1]])

CASES = [
    ("cumprod", lambda np, x: np.cumprod(x), M23),
    ("cumprod_axis", lambda np, x: np.cumprod(x, axis=0), M34),
    ("cumprod_complex", lambda np, x: np.cumprod(x), C4),
    ("cumulative_prod", lambda np, x: np.cumulative_prod(x, axis=1, include_initial=True), M23),
    ("cumulative_sum", lambda np, x: np.cumulative_sum(x, include_initial=True), V5),
    ("nansum", lambda np, x: np.nansum(x, axis=0), X_NAN),
    ("nanprod", lambda np, x: np.nanprod(x, axis=1, keepdims=True), X_NAN),
    ("nanmean", lambda np, x: np.nanmean(x, axis=1), X_NAN),
    ("nanvar", lambda np, x: np.nanvar(x), X_NAN),
    ("nanstd", lambda np, x: np.nanstd(x, axis=1, ddof=0), X_NAN),
    ("nanmax", lambda np, x: np.nanmax(x, axis=0), X_NAN),
    ("nanmin", lambda np, x: np.nanmin(x), X_NAN),
    ("nancumsum", lambda np, x: np.nancumsum(x, axis=1), X_NAN),
    ("nancumprod", lambda np, x: np.nancumprod(x), X_NAN),
    ("nanmedian", lambda np, x: np.nanmedian(x, axis=1), X_NAN),
    ("nanquantile", lambda np, x: np.nanquantile(x, [0.2, 0.9]), X_NAN),
    ("nanpercentile", lambda np, x: np.nanpercentile(x, 40, axis=0), X_NAN),
    ("ptp", lambda np, x: np.ptp(x, axis=1), M23),
    ("sort", lambda np, x: np.sort(x), M34),
    ("sort_axis0", lambda np, x: np.sort(x, axis=0), M34),
    ("sort_none", lambda np, x: np.sort(x, axis=None), M23),
    ("sort_complex", lambda np, x: np.sort_complex(x), C4),
    ("partition", lambda np, x: np.partition(x, 2)[2], V5),
    ("partition_axis", lambda np, x: np.partition(x, 1, axis=0)[1], M34),
    ("median", lambda np, x: np.median(x), M23),
    ("median_axis", lambda np, x: np.median(x, axis=1, keepdims=True), M34),
    ("median_axes", lambda np, x: np.median(x, axis=(0, 2)), T234),
    ("quantile", lambda np, x: np.quantile(x, 0.3, axis=0), M34),
    ("quantile_vec", lambda np, x: np.quantile(x, [0.1, 0.5, 0.75], axis=1, keepdims=True), M34),
    ("quantile_lower", lambda np, x: np.quantile(x, 0.3, method="lower"), V5),
    ("quantile_higher", lambda np, x: np.quantile(x, 0.3, method="higher"), V5),
    ("quantile_midpoint", lambda np, x: np.quantile(x, 0.3, method="midpoint"), V5),
    ("quantile_nearest", lambda np, x: np.quantile(x, 0.3, method="nearest"), V5),
    ("percentile", lambda np, x: np.percentile(x, [25, 60]), M23),
    ("average", lambda np, x: np.average(x), M23),
    ("average_weights", lambda np, x: np.average(x, axis=1, weights=[0.2, 1.0, 3.0]), M23),
    ("average_weights_traced", lambda np, x: np.average(x[0], weights=x[1] ** 2), M23),
    ("average_returned", lambda np, x: np.average(x, axis=0, weights=x ** 2 + 1, returned=True)[1], M23),
    ("diff", lambda np, x: np.diff(x), V5),
    ("diff_n2_axis0", lambda np, x: np.diff(x, n=2, axis=0), M34),
    ("diff_prepend", lambda np, x: np.diff(x, prepend=0.5, append=x[:, :1] ** 2), M23),
    ("ediff1d", lambda np, x: np.ediff1d(x, to_begin=[1.0], to_end=x[0]), M23),
    ("gradient", lambda np, x: np.gradient(x), V5),
    ("gradient_2d", lambda np, x: np.gradient(x, 0.5, 2.0)[1], M34),
    ("gradient_coords_edge2", lambda np, x: np.gradient(x, onp.array([0., 1., 1.5, 3., 3.2]), edge_order=2), V5),
    ("gradient_axis", lambda np, x: np.gradient(x, axis=0), M34),
    ("trapezoid", lambda np, x: np.trapezoid(x), M34),
    ("trapezoid_x", lambda np, x: np.trapezoid(x[1], x=x[0] ** 2), M34),
    ("trapezoid_dx", lambda np, x: np.trapezoid(x, dx=0.3, axis=0), M34),
]


@pytest.mark.parametrize("name, f, x", CASES, ids=[c[0] for c in CASES])
def test_matches_numpy_and_rules(name, f, x):
    ours, theirs = f(dnp, x), f(onp, x)
    assert onp.allclose(ours, theirs, equal_nan=True)
    check_grads(lambda x: f(dnp, x), order=2)(x)


@pytest.mark.parametrize("x", [[2.0, 0.0, 3.0, 4.0], [0.0, 2.0, 0.0, 5.0], [1.5, 2.0, -1.0, 0.0],
                               [0.0, 0.0, 0.0, 1.0]])
def test_cumprod_with_zeros_exact(x):
    x = onp.array(x)
    # Jacobian of cumprod: J[k, i] = prod_{j <= k, j != i} x_j for i <= k.
    expected = onp.array([[onp.prod([x[j] for j in range(k + 1) if j != i]) if i <= k else 0.0
                           for i in range(4)] for k in range(4)])
    for mode in ("fwd", "rev"):
        assert onp.array_equal(jacobian(dnp.cumprod, mode=mode)(x), expected)
    check_grads(dnp.cumprod, order=2)(x)
    check_grads(lambda x: dnp.cumprod(dnp.stack([x, x[::-1]]), axis=1), order=2)(x)


def test_quantile_differentiable_in_q():
    x = onp.array([3.0, -1.0, 0.5, 2.0])
    check_grads(lambda q: dnp.quantile(x, q), order=2)(0.4)
    assert onp.isclose(grad(lambda q: dnp.quantile(x, q))(0.4), 3 * (2.0 - 0.5))


def test_sort_gradient_follows_permutation():
    x = onp.array([3.0, 1.0, 2.0])
    assert grad(lambda x: dnp.sort(x)[0] + 10 * dnp.sort(x)[2])(x).tolist() == [10.0, 1.0, 0.0]


def test_median_even_count_splits():
    assert grad(dnp.median)(onp.array([4.0, 1.0, 3.0, 2.0])).tolist() == [0.0, 0.0, 0.5, 0.5]


def test_nan_reductions_all_nan_slice():
    x = onp.array([[onp.nan, onp.nan], [1.0, 2.0]])
    with onp.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert onp.allclose(dnp.nanmax(x * onp.ones(1), axis=1), onp.nanmax(x, axis=1),
                                equal_nan=True)
            g = grad(lambda x: dnp.nansum(dnp.nanmax(x, axis=1)[1:]))(x)
    assert g.tolist() == [[0.0, 0.0], [0.0, 1.0]]
