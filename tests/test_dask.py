"""Dask arrays through dualgrad's transforms: derivatives equal numpy's, stay lazy
until ``.compute()``, and run on a real ``dask.distributed`` cluster.

Laziness is checked with a dask callback that fails on any computation: every
transform runs inside ``no_compute()``, and only then are the results computed.
"""
import numpy as onp
import pytest

da = pytest.importorskip("dask.array", reason="needs dask (pip install 'dualgrad[dask]')")
import dask  # noqa: E402
from dask.callbacks import Callback  # noqa: E402

import dualgrad.numpy as np  # noqa: E402
import dualgrad.scipy.special as sp  # noqa: E402
from dualgrad import (elementwise_grad, grad, hessian, hessian_vector_product,  # noqa: E402
                      jacfwd, jacrev, jvp, make_jvp, make_vjp, value_and_grad, vjp)
from dualgrad.core.duck import is_duck_array  # noqa: E402
from dualgrad.core.spaces import tree_flatten, vspace  # noqa: E402


class no_compute(Callback):
    """Fail if dask computes anything inside the block."""

    def _start(self, dsk):
        raise AssertionError("dask computed something inside no_compute()")


def _dask(a, chunks):
    return da.from_array(a, chunks=chunks)


def _close(lazy, plain, rtol=1e-10):
    """Each leaf of ``lazy`` is a dask array and computes to the leaf of ``plain``."""
    lazy_leaves, plain_leaves = tree_flatten(lazy)[0], tree_flatten(plain)[0]
    assert len(lazy_leaves) == len(plain_leaves)
    for leaf in lazy_leaves:
        assert isinstance(leaf, da.Array), type(leaf)
    for got, want in zip(dask.compute(*lazy_leaves), plain_leaves):
        onp.testing.assert_allclose(got, want, rtol=rtol, atol=1e-12)


# ------------------------------------------------------------------ primitives
Y = onp.random.default_rng(1).uniform(0.2, 0.9, (4, 3))
PRIMITIVES = {  # scalar functions of a (6, 4) array in (0.2, 0.9), one primitive each
    "sin": lambda x: np.sum(np.sin(x)),
    "exp": lambda x: np.sum(np.exp(x)),
    "log": lambda x: np.sum(np.log(x)),
    "tanh": lambda x: np.sum(np.tanh(x)),
    "sqrt": lambda x: np.sum(np.sqrt(x)),
    "power": lambda x: np.sum(x ** 3.0),
    "power x**x": lambda x: np.sum(x ** x),
    "divide": lambda x: np.sum(1.0 / x),
    "multiply broadcast": lambda x: np.sum(x * onp.arange(4.0)),
    "log1p": lambda x: np.sum(np.log1p(x)),
    "abs": lambda x: np.sum(np.abs(x - 0.5)),
    "maximum": lambda x: np.sum(np.maximum(x, 0.5)),
    "arctan2": lambda x: np.sum(np.arctan2(x, 1.0 + x)),
    "logaddexp": lambda x: np.sum(np.logaddexp(x, 0.3)),
    "mean axis": lambda x: np.sum(np.mean(x, axis=0) ** 2),
    "sum keepdims": lambda x: np.sum(np.sum(x, axis=1, keepdims=True) * x),
    "var": lambda x: np.var(x),
    "std axis": lambda x: np.sum(np.std(x, axis=1)),
    "prod": lambda x: np.prod(x),
    "max": lambda x: np.max(x),
    "min axis": lambda x: np.sum(np.min(x, axis=0)),
    "reshape": lambda x: np.sum(np.reshape(x, (24,)) ** 2 * onp.arange(24.0)),
    "transpose": lambda x: np.sum(x.T[0] * 2.0),
    "getitem slice": lambda x: np.sum(x[1:4, ::2] ** 2),
    "getitem int": lambda x: np.sum(x[2] ** 2),
    "getitem array": lambda x: np.sum(x[onp.array([0, 2, 5])] ** 2),
    "concatenate": lambda x: np.sum(np.concatenate([x, x ** 2]) ** 2),
    "stack": lambda x: np.sum(np.stack([x, 2 * x]) ** 2),
    "broadcast_to": lambda x: np.sum(np.broadcast_to(x[0], (3, 4)) ** 2),
    "expand_dims": lambda x: np.sum(np.expand_dims(x, 0) ** 2),
    "flip": lambda x: np.sum(np.flip(x, 0) * onp.arange(24.0).reshape(6, 4)),
    "diff": lambda x: np.sum(np.diff(x, axis=0) ** 2),
    "matmul": lambda x: np.sum(np.matmul(x, Y) ** 2),
    "dot": lambda x: np.sum(np.dot(x, Y) ** 2),
    "einsum": lambda x: np.sum(np.einsum("ij,jk->ik", x, Y) ** 2),
    "tensordot": lambda x: np.sum(np.tensordot(x, Y, axes=1) ** 2),
    "outer": lambda x: np.sum(np.outer(x[0], x[1]) ** 2),
    "where": lambda x: np.sum(np.where(x > 0.5, x ** 2, np.sin(x))),
    "clip": lambda x: np.sum(np.clip(x, 0.3, 0.7) ** 2),
    "cumsum": lambda x: np.sum(np.cumsum(x, axis=1) ** 2),
    "cumsum flat": lambda x: np.sum(np.cumsum(x) ** 2),
    "cumprod": lambda x: np.sum(np.cumprod(x, axis=1)),
    "linalg.norm": lambda x: np.linalg.norm(x),
    "special.erf": lambda x: np.sum(sp.erf(x)),
    "special.expit": lambda x: np.sum(sp.expit(x)),
    "special.gammaln": lambda x: np.sum(sp.gammaln(x)),
    "special.xlogy": lambda x: np.sum(sp.xlogy(x, x)),
    "special.logsumexp": lambda x: sp.logsumexp(x),
    "special.logsumexp axis": lambda x: np.sum(sp.logsumexp(x, axis=0) ** 2),
}


@pytest.mark.parametrize("name", list(PRIMITIVES))
def test_primitive_on_dask_matches_numpy_in_both_modes_and_nested(name):
    f = PRIMITIVES[name]
    x = onp.random.default_rng(0).uniform(0.2, 0.9, (6, 4))
    v = onp.random.default_rng(2).normal(size=(6, 4))
    xd, vd = _dask(x, (3, 2)), _dask(v, (3, 2))
    with no_compute():
        g = grad(f)(xd)                                # reverse
        t = jvp(f, (xd,), (vd,))[1]                    # forward
        h = hessian_vector_product(f)(xd, vd)          # forward over reverse
    _close(g, grad(f)(x))
    _close(t, jvp(f, (x,), (v,))[1])
    _close(h, hessian_vector_product(f)(x, v), rtol=1e-9)


# ------------------------------------------------------------------ models
def least_squares(w, X, y):
    return 0.5 * np.mean((X @ w - y) ** 2)


def logistic(w, X, y):
    z = X @ w
    return np.mean(np.logaddexp(0.0, z) - y * z)


def mlp(params, X, y):
    W1, b1, W2 = params
    h = np.tanh(X @ W1 + b1)
    return np.mean((h @ W2 - y) ** 2)


def _data(n=60, d=3, seed=0):
    rng = onp.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (rng.uniform(size=n) < 0.5).astype(float)
    return X, y, _dask(X, (15, d)), _dask(y, 15)


MODELS = {
    "least squares": (least_squares, onp.array([0.3, -0.2, 0.5])),
    "logistic regression": (logistic, onp.array([0.3, -0.2, 0.5])),
    "mlp": (mlp, tuple(onp.random.default_rng(3).normal(size=s) for s in [(3, 5), (5,), (5,)])),
}


@pytest.mark.parametrize("model", list(MODELS))
def test_model_parameters_numpy_data_dask(model):
    loss, w = MODELS[model]
    X, y, Xd, yd = _data()
    v = vspace(w).randn(onp.random.default_rng(4))
    with no_compute():
        value, g = value_and_grad(loss)(w, Xd, yd)
        t = jvp(lambda w: loss(w, Xd, yd), (w,), (v,))[1]
        h = hessian_vector_product(loss)(w, Xd, yd, v)
        gx = grad(loss, 1)(w, Xd, yd)                  # with respect to the data
    _close(value, loss(w, X, y))
    _close(g, grad(loss)(w, X, y))
    _close(t, jvp(lambda w: loss(w, X, y), (w,), (v,))[1])
    _close(h, hessian_vector_product(loss)(w, X, y, v), rtol=1e-9)
    assert gx.chunks == Xd.chunks
    _close(gx, grad(loss, 1)(w, X, y))


def test_every_transform_returns_lazy_dask_arrays():
    X, y, Xd, yd = _data()
    w = onp.array([0.3, -0.2, 0.5])
    cases = {
        "make_vjp": lambda X, y: make_vjp(least_squares)(w, X, y)[0](1.0),
        "make_jvp": lambda X, y: make_jvp(least_squares)(w, X, y)(onp.ones(3)),
        "vjp": lambda X, y: vjp(lambda w: X @ w, w)[1](y),
        "elementwise_grad": lambda X, y: elementwise_grad(lambda X: np.tanh(X @ w))(X),
        "jacfwd": lambda X, y: jacfwd(lambda w: np.sum(np.tanh(X @ w) ** 2) * w)(w),
        "jacrev": lambda X, y: jacrev(lambda w: np.sum(np.tanh(X[:, :2] * w[:2]), axis=0))(w),
        "hessian": lambda X, y: hessian(logistic)(w, X, y),
    }
    for name, f in cases.items():
        with no_compute():
            lazy = f(Xd, yd)
        _close(lazy, f(X, y), rtol=1e-9)


def test_vspace_of_a_dask_array_keeps_its_kind_and_chunks():
    xd = da.ones((6, 4), chunks=(3, 2))
    with no_compute():
        space = vspace(xd)
        zeros, ones = space.zeros(), space.ones()
        inner = space.inner_prod(xd, 2.0 * xd)
    assert is_duck_array(xd) and not is_duck_array(onp.ones(2))
    assert zeros.chunks == ones.chunks == xd.chunks and space.size == 24
    assert isinstance(inner, da.Array) and float(inner) == 48.0
    assert space == vspace(onp.ones((6, 4)))


def test_cotangents_of_a_big_lazy_array_come_in_bounded_chunks():
    # dask's broadcast_to would make the cotangent of sum(x * c) one 128 MB block
    x = da.ones((4_000_000, 4), chunks=(500_000, 4))
    for f in [lambda x: np.sum(x * onp.arange(4.0)), lambda x: np.sum(np.mean(x, axis=1))]:
        with no_compute():
            g = grad(f)(x)
        assert g.shape == x.shape
        assert onp.prod([max(c) for c in g.chunks]) * 8 <= 64 * 2 ** 20


def test_integer_dask_input_is_refused_with_the_usual_message():
    with pytest.raises(TypeError, match="integer input"):
        grad(lambda x: np.sum(x))(da.ones(3, dtype=int, chunks=2))


@pytest.mark.parametrize("name, f", [
    ("eigh", lambda a: np.sum(np.linalg.eigh(a)[0])),
    ("det", lambda a: np.linalg.det(a)),
])
def test_a_decomposition_dask_lacks_raises_naming_it_and_the_array_type(name, f):
    a = _dask(onp.eye(3) * 2.0 + 0.1, 3)
    with no_compute(), pytest.raises(TypeError, match=f"{name} is not available for "
                                                      "dask.array.Array"):
        grad(f)(a)


def test_repeated_fancy_index_raises_instead_of_dropping_terms():
    # dask has no add.at: assignment would count a repeated row once
    with pytest.raises(TypeError, match="x\\[idx\\].*dask.array.Array"):
        grad(lambda x: np.sum(x[onp.array([0, 2, 2])] ** 2))(da.ones((4, 2), chunks=2))


# ------------------------------------------------------------------ a real cluster
def test_logistic_gradient_on_a_local_cluster_matches_numpy():
    distributed = pytest.importorskip("distributed", reason="needs dask.distributed "
                                      "(pip install 'dualgrad[dask]')")
    X, y, Xd, yd = _data(n=2000, d=4, seed=5)
    Xd, yd = Xd.rechunk((250, 4)), yd.rechunk(250)
    w = onp.array([0.2, -0.1, 0.4, 0.05])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  memory_limit="400MB") as cluster, \
            distributed.Client(cluster) as client:
        g = grad(logistic)(w, Xd, yd)
        assert isinstance(g, da.Array)
        got = client.compute(g).result()
        workers = client.run(lambda: 1)
    assert len(workers) == 2
    onp.testing.assert_allclose(got, grad(logistic)(w, X, y), rtol=1e-10)
