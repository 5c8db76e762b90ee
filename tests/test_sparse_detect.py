"""Sparsity detection (dualgrad.interpreters.sparsity): the detected pattern is the
nonzero pattern of the dense Jacobian, never too sparse, with a dense fallback
for primitives that have no sparsity rule."""
import numpy as onp
import pytest

import dualgrad
import dualgrad.numpy as np
from dualgrad import sparse
from sparse_cases import CASES, chained_rosenbrock


def _point(n, seed=1):
    rng = onp.random.default_rng(seed)
    return rng.uniform(0.5, 1.5, n) * rng.choice([-1.0, 1.0], n)


def _dense(f, x):
    return onp.asarray(dualgrad.jacobian(f)(x)).reshape(-1, x.size)


@pytest.mark.parametrize("name", sorted(CASES))
def test_pattern_equals_the_dense_jacobian_nonzeros(name):
    f, n = CASES[name]
    x = _point(n)
    info = sparse.jacobian_sparsity(f, x, info=True)
    assert info.pattern.dtype == bool and info.pattern.shape == (onp.size(f(x)), n)
    onp.testing.assert_array_equal(info.pattern.toarray(), _dense(f, x) != 0)
    assert info.fallbacks == {}


def test_input_shape_and_output_shape_are_raveled_in_c_order():
    f = lambda X: np.transpose(X) * 2.0  # noqa: E731
    P = sparse.jacobian_sparsity(f, onp.ones((2, 3)))
    onp.testing.assert_array_equal(P.toarray(), onp.eye(6)[[0, 3, 1, 4, 2, 5]])


def test_a_primitive_without_a_rule_falls_back_to_dense_and_says_so():
    def f(x):
        M = np.reshape(x[:4], (2, 2))
        return np.concatenate([np.ravel(np.linalg.inv(M)), x[4:] ** 2])
    x = onp.array([2.0, 1.0, 0.5, 3.0, 1.0, 2.0])
    info = sparse.jacobian_sparsity(f, x, info=True)
    assert info.fallbacks == {"inv": 1}
    P = info.pattern.toarray()
    assert P[:4, :4].all() and not P[:4, 4:].any()   # only what inv's argument depends on
    assert onp.all(P >= (_dense(f, x) != 0))          # never too sparse
    onp.testing.assert_array_equal(P[4:], onp.eye(6, dtype=bool)[4:])


def test_max_is_conservative_and_control_flow_follows_x():
    f = lambda x: np.max(np.reshape(x, (2, 2)), axis=1)  # noqa: E731
    P = sparse.jacobian_sparsity(f, onp.array([1.0, 2.0, 3.0, 4.0])).toarray()
    onp.testing.assert_array_equal(P, [[1, 1, 0, 0], [0, 0, 1, 1]])

    def g(x):
        return x[:2] ** 2 if x[0] > 0 else x[2:] ** 2
    assert sparse.jacobian_sparsity(g, onp.array([1.0, 0, 0, 0])).toarray()[0, 0]
    assert sparse.jacobian_sparsity(g, onp.array([-1.0, 0, 0, 0])).toarray()[0, 2]


def test_zeros_of_a_constant_factor_are_structural():
    mask = onp.array([1.0, 0.0, 2.0])
    P = sparse.jacobian_sparsity(lambda x: x * mask + 0.0 * x[0], onp.ones(3)).toarray()
    onp.testing.assert_array_equal(P, [[1, 0, 0], [0, 0, 0], [0, 0, 1]])  # 0 * x[0] is no term


def test_an_output_not_depending_on_x_has_an_empty_pattern():
    P = sparse.jacobian_sparsity(lambda x: onp.ones(3), onp.ones(2))
    assert P.shape == (3, 2) and P.nnz == 0


def test_hessian_sparsity_of_chained_rosenbrock_is_tridiagonal():
    H = sparse.hessian_sparsity(chained_rosenbrock, _point(6)).toarray()
    onp.testing.assert_array_equal(H, onp.abs(onp.subtract.outer(range(6), range(6))) <= 1)
    dense = onp.asarray(dualgrad.hessian(chained_rosenbrock)(_point(6))) != 0
    onp.testing.assert_array_equal(H, dense)


def test_detection_scales_with_the_nonzeros():
    # a 1-D stencil with 10^5 unknowns: the pattern is found without any n x n work
    f, _ = CASES["stencil_1d"]
    P = sparse.jacobian_sparsity(f, onp.ones(100_000))
    assert P.nnz == 3 * 100_000 - 4


def test_bad_inputs_are_explained():
    with pytest.raises(TypeError, match="real array"):
        sparse.jacobian_sparsity(lambda x: x, onp.ones(2) + 1j)
    with pytest.raises(TypeError, match="one array"):
        sparse.jacobian_sparsity(lambda x: (x, x), onp.ones(2))


def test_the_coverage_report_lists_the_dense_fallbacks():
    from dualgrad.tools.coverage import sparsity_fallbacks
    names = sparsity_fallbacks()
    assert "inv" in names and "fft" in names
    assert "add" not in names and "getitem" not in names and "matmul" not in names
