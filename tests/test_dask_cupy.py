"""CuPy arrays through the same duck-array path as Dask: derivatives on the GPU equal
numpy's. Runs only where cupy and a CUDA device exist; skipped elsewhere."""
import numpy as onp
import pytest

cp = pytest.importorskip("cupy", reason="needs cupy and a CUDA GPU")
try:
    _GPU = cp.cuda.runtime.getDeviceCount() > 0
except Exception:  # no driver, no device
    _GPU = False
pytestmark = pytest.mark.skipif(not _GPU, reason="cupy is installed but no CUDA GPU is available")

import dualgrad.numpy as np  # noqa: E402
from dualgrad import grad, hessian_vector_product, jvp  # noqa: E402


def _logistic(w, X, y):
    z = X @ w
    return np.mean(np.logaddexp(0.0, z) - y * z) + np.sum(np.tanh(w) ** 2)


def test_logistic_regression_on_the_gpu_matches_numpy():
    rng = onp.random.default_rng(0)
    X, y, w = rng.normal(size=(200, 4)), (rng.uniform(size=200) < 0.5) * 1.0, rng.normal(size=4)
    Xg, yg, wg = cp.asarray(X), cp.asarray(y), cp.asarray(w)
    v = onp.ones(4)
    g = grad(_logistic)(wg, Xg, yg)
    t = jvp(lambda w: _logistic(w, Xg, yg), (wg,), (cp.asarray(v),))[1]
    h = hessian_vector_product(_logistic)(wg, Xg, yg, cp.asarray(v))
    assert isinstance(g, cp.ndarray) and isinstance(h, cp.ndarray)
    onp.testing.assert_allclose(cp.asnumpy(g), grad(_logistic)(w, X, y), rtol=1e-10)
    onp.testing.assert_allclose(float(t), jvp(lambda w: _logistic(w, X, y), (w,), (v,))[1],
                                rtol=1e-10)
    onp.testing.assert_allclose(cp.asnumpy(h), hessian_vector_product(_logistic)(w, X, y, v),
                                rtol=1e-9)
