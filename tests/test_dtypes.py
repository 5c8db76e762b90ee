"""float32 and float16 inputs get gradients of their own dtype, from every rule,
in both modes (and complex64 inputs complex64 gradients)."""
import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import grad, jacobian

FUNS = [
    ("max", lambda x: np.max(x, axis=0)), ("mean", lambda x: np.mean(x, axis=1)),
    ("var", lambda x: np.var(x)), ("std", lambda x: np.std(x, axis=0)),
    ("where", lambda x: np.where(x > 0.5, x, x ** 2)), ("sort", lambda x: np.sort(x, axis=0)),
    ("exp2", lambda x: np.exp2(x)), ("sum_prod", lambda x: np.prod(x, axis=0) + np.sum(x)),
    ("matmul", lambda x: x @ x.T), ("einsum", lambda x: np.einsum("ij,ij->i", x, x)),
    ("cumprod", lambda x: np.cumprod(x)), ("cumsum", lambda x: np.cumsum(x, axis=1)),
    ("median", lambda x: np.median(x, axis=1)), ("quantile", lambda x: np.quantile(x, 0.3)),
    ("nanmean", lambda x: np.nanmean(x)), ("ptp", lambda x: np.ptp(x)),
    ("pad", lambda x: np.pad(x, 1, mode="reflect")), ("roll", lambda x: np.roll(x, 1)),
    ("triu", lambda x: np.triu(x)), ("kron", lambda x: np.kron(x, x)),
    ("diff", lambda x: np.diff(x)), 
    ("mod", lambda x: np.mod(x, 0.3)), ("deg2rad", lambda x: np.deg2rad(x)),
    ("copysign", lambda x: np.copysign(x, -1.0)), ("tanh_log", lambda x: np.tanh(np.log(x))),
    ("maximum_clip", lambda x: np.maximum(x, 0.5) + np.clip(x, 0.2, 0.7)),
    ("take_setitem", lambda x: _setitem(x)), ("convolve", lambda x: np.convolve(x[0], x[1])),
    ("trapezoid", lambda x: np.trapezoid(x)), ("average", lambda x: np.average(x, axis=0, weights=x[::-1])),
]


def _setitem(x):
    y = x * 2
    y[0] = x[1] ** 2
    return np.take(y, [0, 2], axis=1)


X = onp.array([[0.3, 0.9, 0.6], [0.8, 0.2, 0.4]])


@pytest.mark.parametrize("dtype", [onp.float32, onp.float16])
@pytest.mark.parametrize("name, f", FUNS, ids=[f[0] for f in FUNS])
def test_low_precision_inputs_get_low_precision_derivatives(name, f, dtype):
    x = X.astype(dtype)
    assert f(x).dtype == dtype
    g = grad(lambda x: np.sum(f(x)))(x)
    assert g.dtype == dtype, f"grad of {name}: {g.dtype}"
    for mode in ("fwd", "rev"):
        J = jacobian(f, mode=mode)(x)
        assert J.dtype == dtype, f"jacobian({name}, {mode}): {J.dtype}"
    ref = grad(lambda x: np.sum(f(x)))(X)
    assert onp.allclose(g, ref, rtol=1e-2 if dtype == onp.float16 else 1e-5, atol=1e-2)


def test_complex64_stays_complex64():
    z = (X + 1j * X[::-1]).astype(onp.complex64)
    g = grad(lambda z: np.real(np.sum(np.exp(z) * np.cumprod(z, axis=1))))(z)
    assert g.dtype == onp.complex64
