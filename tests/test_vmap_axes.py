"""vmap's JAX options (dualgrad/transforms/vmap.py): out_axes, axis_size, chunk_size, and
in_axes/out_axes as container prefixes, checked against a Python loop over the examples
and, for the gradients, against numerical derivatives."""
import dataclasses

import numpy as onp
import pytest
from hypothesis import given, settings, strategies as st

import dualgrad.numpy as np
from dualgrad import grad, jacobian, vmap

rng = onp.random.default_rng(0)


def loop(f, xs, axis=0):
    return onp.stack([f(x) for x in onp.moveaxis(xs, axis, 0)])


def numeric_grad(f, x, eps=1e-6):
    x = onp.asarray(x, float)
    g = onp.zeros_like(x)
    for i in onp.ndindex(x.shape):
        e = onp.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 3), st.integers(-2, 1), st.integers(-2, 1))
def test_in_axes_and_out_axes_against_a_loop(n, m, ax_in, ax_out):
    X = rng.normal(size=(n, m)) if ax_in in (0, -2) else rng.normal(size=(m, n))
    f = lambda x: np.outer(np.sin(x), x)[0]  # (m,) per example
    expect = onp.moveaxis(loop(lambda x: onp.outer(onp.sin(x), x)[0], X, ax_in), 0, ax_out)
    onp.testing.assert_allclose(vmap(f, in_axes=ax_in, out_axes=ax_out)(X), expect)


def test_pytree_in_axes_dicts_tuples_nested():
    W, bs = rng.normal(size=(2, 3)), rng.normal(size=(4, 2))
    xs = rng.normal(size=(3, 4))  # mapped over axis 1
    f = lambda p, x: np.tanh(p["W"] @ x + p["b"][0])
    out = vmap(f, in_axes=({"W": None, "b": (0,)}, 1))({"W": W, "b": (bs,)}, xs)
    onp.testing.assert_allclose(out, onp.stack([onp.tanh(W @ xs[:, k] + bs[k]) for k in range(4)]))
    # a list of axes counts as a tuple; a spec's dict order does not matter
    out2 = vmap(f, in_axes=[{"b": [0], "W": None}, 1])({"W": W, "b": [bs]}, xs)
    onp.testing.assert_allclose(out2, out)


def test_pytree_out_axes():
    X = rng.normal(size=(5, 3))
    out = vmap(lambda x: {"s": np.sum(x), "pair": (x, 2 * x)},
               out_axes={"s": 0, "pair": (0, 1)})(X)
    onp.testing.assert_allclose(out["s"], X.sum(1))
    onp.testing.assert_allclose(out["pair"][0], X)
    onp.testing.assert_allclose(out["pair"][1], 2 * X.T)


def test_out_axes_none():
    X = rng.normal(size=(4, 2))
    const, mapped = vmap(lambda x, w: (w * 2, x * w), in_axes=(0, None),
                         out_axes=(None, 0))(X, onp.array([1.0, 3.0]))
    onp.testing.assert_allclose(const, [2.0, 6.0])
    onp.testing.assert_allclose(mapped, X * [1.0, 3.0])
    with pytest.raises(ValueError, match="out_axes=None for an output that varies"):
        vmap(lambda x: x, out_axes=None)(X)


def test_axis_size():
    out = vmap(lambda w: w * 2, in_axes=None, axis_size=3)(onp.ones(2))
    assert out.shape == (3, 2)
    with pytest.raises(ValueError, match="one length"):
        vmap(lambda x: x, axis_size=3)(onp.ones(4))
    with pytest.raises(ValueError, match="axis_size"):
        vmap(lambda x: x, in_axes=None)(onp.ones(4))
    with pytest.raises(TypeError, match="axis_size"):
        vmap(lambda x: x, axis_size=-1)


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 100])
def test_chunk_size_same_result(chunk):
    X = rng.normal(size=(7, 3))
    f = lambda x: np.sum(np.maximum(x, 0.1) ** 2)  # a looping rule inside too
    onp.testing.assert_allclose(vmap(f, chunk_size=chunk)(X), vmap(f)(X))
    onp.testing.assert_allclose(vmap(grad(f), chunk_size=chunk)(X),
                                onp.stack([numeric_grad(lambda v: onp.sum(onp.maximum(v, 0.1) ** 2), x)
                                           for x in X]), rtol=1e-6, atol=1e-8)


def test_gradients_through_vmap_with_options():
    X = rng.normal(size=(3, 4))
    f = lambda X: np.sum(vmap(lambda x: np.sin(x) * x, in_axes=1, out_axes=1, chunk_size=2)(X) ** 2)
    onp.testing.assert_allclose(grad(f)(X), numeric_grad(lambda X: onp.sum((onp.sin(X) * X) ** 2), X),
                                rtol=1e-6, atol=1e-8)
    J = jacobian(lambda x: vmap(np.sin, out_axes=0, chunk_size=2)(x))(onp.arange(5.0))
    onp.testing.assert_allclose(J, onp.diag(onp.cos(onp.arange(5.0))))


@dataclasses.dataclass
class Params:
    w: object
    b: object


def test_dataclass_in_axes_and_outputs():
    p = Params(rng.normal(size=2), rng.normal(size=(3,)))
    X = rng.normal(size=(3, 2))
    per_example = vmap(grad(lambda p, x: np.sum(np.tanh(p.w * x + p.b))),
                       in_axes=(Params(None, 0), 0))(p, X)
    assert isinstance(per_example, Params)
    for k in range(3):
        q = onp.concatenate([p.w, [p.b[k]]])
        loss = lambda q: onp.sum(onp.tanh(q[:2] * X[k] + q[2]))
        g = numeric_grad(loss, q)
        onp.testing.assert_allclose(per_example.w[k], g[:2], rtol=1e-6)
        onp.testing.assert_allclose(per_example.b[k], g[2], rtol=1e-6)


def test_bad_axis_specs_are_explained():
    with pytest.raises(TypeError, match="int or None"):
        vmap(np.sin, in_axes={"a": 0})(onp.ones(2))
    with pytest.raises(ValueError, match="keys"):
        vmap(lambda d: d["a"], in_axes=({"b": 0},))({"a": onp.ones(2)})
    with pytest.raises(ValueError, match="is a tuple, but the value"):
        vmap(lambda d: d["a"], in_axes=((0,),))({"a": onp.ones(2)})
    with pytest.raises(TypeError, match="out_axes"):
        vmap(np.sin, out_axes="x")
    with pytest.raises(TypeError, match="in_axes in dualgrad"):
        vmap(np.sin, in_dims=0)
    with pytest.raises(TypeError, match="randomness"):
        vmap(np.sin, randomness="same")
    with pytest.raises(TypeError, match="spmd_axis_name"):
        vmap(np.sin, spmd_axis_name="i")
    with pytest.raises(ValueError, match="chunk_size"):
        vmap(np.sin, chunk_size=0)
