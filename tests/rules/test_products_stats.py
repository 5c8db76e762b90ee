"""vecdot/matvec/vecmat/matrix_transpose, cov/corrcoef, block, geomspace,
apply_along_axis: same values as numpy, derivatives checked in both modes."""
import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad.test_util import check_grads

R = onp.random.RandomState(7)
X = R.randn(3, 5)
A, v = R.randn(2, 3, 4), R.randn(4)
Z = R.randn(3, 4) + 1j * R.randn(3, 4)

CASES = [
    ("matrix_transpose", lambda a: np.matrix_transpose(a), (A,)),
    ("linalg.matrix_transpose", lambda a: np.linalg.matrix_transpose(a), (A,)),
    ("vecdot", lambda a, b: np.vecdot(a, b), (A, v)),
    ("vecdot_axis", lambda a, b: np.vecdot(a, b, axis=0), (X, X[:, :1])),
    ("vecdot_complex", lambda a, b: np.vecdot(a, b), (Z, Z[0])),
    ("linalg.vecdot", lambda a, b: np.linalg.vecdot(a, b), (A, v)),
    ("matvec", lambda a, b: np.matvec(a, b), (A, v)),
    ("vecmat", lambda a, b: np.vecmat(a, b), (R.randn(3), A)),
    ("cov", lambda x: np.cov(x), (X,)),
    ("cov_cols_ddof", lambda x: np.cov(x, rowvar=False, ddof=2), (X,)),
    ("cov_bias_y", lambda x, y: np.cov(x, y, bias=True), (X[0], X[1])),
    ("cov_vector", lambda x: np.cov(x), (X[0],)),
    ("cov_complex", lambda x: np.cov(x), (Z,)),
    ("corrcoef", lambda x: np.corrcoef(x), (X,)),
    ("corrcoef_y", lambda x, y: np.corrcoef(x, y), (X[0], X[2])),
    ("block", lambda a, b: np.block([[a, b], [b, a]]), (R.randn(2, 2), R.randn(2, 2))),
    ("block_1d", lambda a, b: np.block([a, b, 1.0]), (R.randn(2), R.randn(3))),
    ("block_promote", lambda a, b: np.block([[a], [b]]), (R.randn(3), R.randn(1, 3))),
    ("geomspace", lambda a, b: np.geomspace(a, b, 5), (1.5, 20.0)),
    ("apply_along_axis", lambda x: np.apply_along_axis(lambda r: np.sum(r ** 2) * r, 1, x), (X,)),
    ("apply_along_axis_0", lambda x: np.apply_along_axis(np.cumsum, 0, x), (X,)),
]


@pytest.mark.parametrize("name, f, args", CASES, ids=[c[0] for c in CASES])
def test_values_match_numpy(name, f, args):
    import numpy
    plain = f(*args)  # untraced: numpy itself
    from dualgrad import make_vjp
    traced_value = make_vjp(lambda *a: f(*a), tuple(range(len(args))))(*args)[1]
    assert onp.allclose(traced_value, plain)
    assert numpy.shape(traced_value) == numpy.shape(plain)


@pytest.mark.parametrize("name, f, args", CASES, ids=[c[0] for c in CASES])
def test_rules(name, f, args):
    check_grads(f, order=2)(*args)
