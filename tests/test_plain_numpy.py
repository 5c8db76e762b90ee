"""Plain ``import numpy as np`` code under dualgrad's transforms (NEP 13/18):
the same derivatives as with ``dualgrad.numpy``, operators with ndarrays on
either side, and a clear error for functions without rules."""
import os
import sys

import numpy as onp
import pytest

import dualgrad.numpy as dnp
from dualgrad import grad, jacobian
from dualgrad.core import DifferentiationError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "rules"))
from test_construction import CASES as CONSTRUCTION  # noqa: E402
from test_elementwise_more import CASES as ELEMENTWISE_MORE  # noqa: E402
from test_scans import CASES as SCANS  # noqa: E402

R = onp.random.RandomState(4)
M23 = R.randn(2, 3)
P23 = onp.abs(M23) + 0.3
C23 = R.randn(2, 3) + 1j * R.randn(2, 3)

# The families written before this module (elementwise, reductions, shape, linalg,
# complex), one line each.
CORE = [(name, (lambda n: lambda np, x: getattr(np, n)(x))(name), P23 * 0.5) for name in (
    "exp expm1 exp2 log log1p log2 log10 sqrt cbrt square reciprocal sin cos tan arcsin "
    "arccos arctan sinh cosh tanh arcsinh arctanh fabs sinc negative abs absolute sum mean "
    "prod max min amax amin var std cumsum ravel transpose squeeze atleast_1d atleast_2d "
    "atleast_3d flip real imag conj conjugate angle sign trace diagonal diag").split()] + [
    ("arccosh", lambda np, x: np.arccosh(x + 1.5), P23),
    ("complex_funs", lambda np, x: np.exp(x) * np.abs(x) + np.angle(x) + np.real(x * np.conj(x)), C23),
    ("binary", lambda np, x: np.add(x, 1) * np.subtract(2, x) / np.multiply(x, x[0]) -
     np.divide(x, 3) + np.power(x, 2) + np.true_divide(1, x), P23),
    ("binary2", lambda np, x: np.maximum(x, 0.8) + np.minimum(x, 0.8) + np.fmax(x, 0.9) +
     np.fmin(x, 0.9) + np.hypot(x, 2.0) + np.arctan2(x, 1.5) + np.logaddexp(x, 0.3) +
     np.logaddexp2(x, 0.3), P23),
    ("where_clip", lambda np, x: np.where(x > 0.8, x, x ** 2) + np.clip(x, 0.5, 1.0), P23),
    ("shape", lambda np, x: np.reshape(np.swapaxes(np.moveaxis(np.expand_dims(x, 0), 0, 2), 0, 1),
                                       (6,)), M23),
    ("stack", lambda np, x: np.concatenate([np.stack([x, x]), np.stack([x * 2, x])], axis=1), M23),
    ("hvstack", lambda np, x: np.hstack([x, x]) + np.vstack([x, x]).sum(), M23),
    ("repeat_tile", lambda np, x: np.repeat(x, 2, axis=1).sum() + np.tile(x, (2, 1)), M23),
    ("broadcast_to", lambda np, x: np.broadcast_to(x, (2, 2, 3)), M23),
    ("products", lambda np, x: np.dot(x, x.T) + np.matmul(x, x.T) + np.inner(x, x) +
     np.tensordot(x, x, axes=([1], [1])) + np.outer(x[0], x[1])[:2, :2], M23),
    ("einsum", lambda np, x: np.einsum("ij,kj->ik", x, x), M23),
    ("linalg", lambda np, x: np.linalg.norm(x) + np.trace(np.linalg.inv(np.dot(x, x.T) + 1.0)), M23),
    ("fft", lambda np, x: np.real(np.fft.fft(x)) + np.fft.ifft(x).imag, M23),
    ("aliases", lambda np, x: np.acosh(x + 1.5) + np.asin(x * 0.5) + np.asinh(x) + np.atan(x) +
     np.atanh(x * 0.5) + np.astype(x, onp.float64) + np.permute_dims(x, (0, 1)), P23),
    # row_stack: deprecated in NumPy 2.0, removed in 2.5 (vstack where it is gone)
    ("concat_row_stack", lambda np, x: np.concat([x, x]) + getattr(np, "row_stack", np.vstack)(
        [x, x]), M23),
    ("numpy2_products", lambda np, x: np.concatenate([
        np.matrix_transpose(x).ravel(), np.vecdot(x, x), np.matvec(x, x[0]),
        np.vecmat(x[:, 0], x), np.linalg.vecdot(x, x), np.linalg.matrix_transpose(x).ravel()]),
     M23),
    ("statistics", lambda np, x: np.cov(x) + np.corrcoef(x) + np.block([[x[:, :1], x[:, 1:2]]]),
     M23),
    ("geomspace_apply", lambda np, x: np.concatenate([
        np.geomspace(x[0, 0] + 1.0, 5.0, 3),
        np.apply_along_axis(lambda r: np.sum(r ** 2) * r, 1, x).ravel()]), P23),
    ("counting", lambda np, x: np.full_like(x, x[0, 0]) * np.bincount([0, 2, 2], weights=x[0])
     + np.unique(x)[:3] + np.unique_values(x)[1:4] + np.unique_all(x).values[:3]
     + np.unique_counts(x).values[:3] + np.unique_inverse(x).values[:3]
     + np.histogram(x, 2)[0][0] + np.histogram2d(x[0], x[1], 2)[0][0, 0]
     + np.histogramdd(x.T, 2)[0][0, 0], M23),
]

# numpy does not dispatch these on their array arguments (no __array_function__):
# plain numpy cannot see a tracer there; use dualgrad.numpy.
NOT_DISPATCHED = {"array", "asarray", "asanyarray", "ascontiguousarray", "asfortranarray",
                  "arange", "full"}
ALL_CASES = [c for c in CORE + ELEMENTWISE_MORE + SCANS + CONSTRUCTION
             if c[0] not in NOT_DISPATCHED]


def _derivatives(f, ns, x):
    fun = lambda x: f(ns, x)  # noqa: E731
    with onp.errstate(all="ignore"):
        return [jacobian(fun, mode=m)(x) for m in ("fwd", "rev")]


@pytest.mark.parametrize("name, f, x", ALL_CASES, ids=[c[0] for c in ALL_CASES])
def test_plain_numpy_gives_the_same_derivatives(name, f, x):
    ours = _derivatives(f, dnp, x)
    plain = _derivatives(f, onp, x)
    for a, b in zip(ours, plain):
        assert onp.allclose(a, b, equal_nan=True)
    assert onp.allclose(ours[0], ours[1], equal_nan=True)


def test_every_differentiable_name_is_exercised_with_plain_numpy():
    import inspect
    src = inspect.getsource(sys.modules[__name__])
    for mod in ("test_construction", "test_elementwise_more", "test_scans"):
        src += inspect.getsource(sys.modules[mod])
    not_dispatched = NOT_DISPATCHED | {"row_stack"}
    missing = [n for n in dnp.KINDS if dnp.KINDS[n] == "differentiable"
               and n not in not_dispatched and f"np.{n}(" not in src and n not in
               {c[0] for c in ALL_CASES}]
    assert not missing, f"no plain-numpy case for {missing}"


OPS = [("add", lambda a, b: a + b), ("sub", lambda a, b: a - b), ("mul", lambda a, b: a * b),
       ("truediv", lambda a, b: a / b), ("pow", lambda a, b: abs(a) ** b),
       ("matmul", lambda a, b: a @ b), ("mod", lambda a, b: a % b)]
A = onp.array([[1.3, 0.7], [2.1, 1.6]])
B = onp.array([[0.9, 1.4], [1.8, 0.6]])


@pytest.mark.parametrize("name, op", OPS, ids=[o[0] for o in OPS])
@pytest.mark.parametrize("side", ["tracer_first", "array_first"])
def test_operators_mixed_with_ndarrays(name, op, side):
    if side == "tracer_first":
        fun, ref = (lambda x: op(x, B)), (lambda x: op(x, dnp.asarray(B) * 1.0))
    else:
        fun, ref = (lambda x: op(B, x)), (lambda x: op(B * dnp.ones(1), x))
    for mode in ("fwd", "rev"):
        assert onp.allclose(jacobian(fun, mode=mode)(A), jacobian(ref, mode=mode)(A))
    if name == "matmul":
        return
    # and through a numpy scalar on the left
    assert onp.allclose(grad(lambda x: onp.sum(op(onp.float64(1.5), x)))(A),
                        grad(lambda x: dnp.sum(op(1.5, x)))(A))


def test_ufunc_on_two_tracers_and_ndarray_method_chains():
    f = lambda x: onp.multiply(onp.sin(x), onp.exp(x)).sum(axis=0).max()  # noqa: E731
    g = lambda x: dnp.multiply(dnp.sin(x), dnp.exp(x)).sum(axis=0).max()  # noqa: E731
    assert onp.allclose(grad(f)(M23), grad(g)(M23))


@pytest.mark.parametrize("call", [
    lambda x: onp.polyfit(x, x, 1),
    lambda x: onp.piecewise(x, [x < 0], [0, 1]),
    lambda x: onp.add.reduceat(x, [0, 1]),
    lambda x: onp.intersect1d(x, x),
])
def test_functions_without_rules_raise_a_clear_error(call):
    with pytest.raises(DifferentiationError, match=r"numpy\.\w+.*no derivative rule"):
        grad(lambda x: onp.sum(call(x)))(onp.array([0.3, 1.2, 2.0]))
