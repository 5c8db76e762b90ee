"""User classes as containers (dualgrad/core/trees.py): register_pytree_node, dataclasses and
namedtuples in the inputs and outputs of every transform, against numerical derivatives;
and the leaf types of container gradients (0-d arrays, as autograd gives them)."""
import collections
import dataclasses

import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import (check_grads, elementwise_grad, grad, hessian, jacfwd, jacobian, jacrev,
                      jvp, register_pytree_node, value_and_grad, vjp, vmap)
from dualgrad.core import tree_flatten, tree_unflatten


class Affine:
    """A user class made a container by registration."""

    def __init__(self, W, b, name="layer"):
        self.W, self.b, self.name = W, b, name


register_pytree_node(Affine, lambda a: ((a.W, a.b), a.name),
                     lambda name, ch: Affine(*ch, name=name))


@dataclasses.dataclass
class MLP:
    first: Affine
    scale: object
    activation: str = dataclasses.field(default="tanh", metadata={"static": True})


Pair = collections.namedtuple("Pair", "x y")


def loss(m, x):
    h = np.tanh(m.first.W @ x + m.first.b)
    return np.sum(h ** 2) * m.scale


def flat_loss(v, x):
    W, b, s = v[:6].reshape(2, 3), v[6:8], v[8]
    return onp.sum(onp.tanh(W @ x + b) ** 2) * s


def numeric_grad(f, x, eps=1e-6):
    x = onp.asarray(x, float)
    g = onp.zeros_like(x)
    for i in onp.ndindex(x.shape):
        e = onp.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


rng = onp.random.default_rng(1)
M = MLP(Affine(rng.normal(size=(2, 3)), rng.normal(size=2)), 1.5)
X = rng.normal(size=3)
V = onp.concatenate([M.first.W.ravel(), M.first.b, [M.scale]])


def test_roundtrip_and_structure():
    leaves, td = tree_flatten(M)
    assert len(leaves) == 3
    back = tree_unflatten(td, leaves)
    assert isinstance(back, MLP) and isinstance(back.first, Affine)
    assert back.activation == "tanh" and back.first.name == "layer"
    assert "MLP(Affine(*, *), *)" == repr(td)
    # the static field and the registered aux data are part of the structure
    other = MLP(Affine(M.first.W, M.first.b, name="other"), 1.5, activation="relu")
    assert tree_flatten(other)[1] != td


def test_grad_of_a_dataclass_holding_a_registered_class():
    g = grad(loss)(M, X)
    assert isinstance(g, MLP) and isinstance(g.first, Affine) and g.activation == "tanh"
    got = onp.concatenate([g.first.W.ravel(), g.first.b, [g.scale]])
    onp.testing.assert_allclose(got, numeric_grad(lambda v: flat_loss(v, X), V), rtol=1e-6)
    check_grads(loss, argnum=0, order=2)(M, X)


def test_every_transform_takes_and_gives_user_containers():
    (val, g) = value_and_grad(loss)(M, X)
    assert onp.isclose(val, flat_loss(V, X))
    # jvp / vjp: tangents and cotangents in the container's class
    t = MLP(Affine(onp.ones((2, 3)), onp.ones(2)), 1.0)
    out, dout = jvp(lambda m: loss(m, X), (M,), (t,))
    assert onp.isclose(dout, numeric_grad(lambda v: flat_loss(v, X), V) @ onp.ones(9))
    out, f_vjp = vjp(lambda m: loss(m, X), M)
    (ct,) = f_vjp(1.0)
    assert isinstance(ct, MLP)
    # jacobian with a container output and a dataclass input, both modes
    f = lambda p: Pair(p.x * p.y, np.sin(p.x))
    for jac in (jacfwd, jacrev, jacobian):
        J = jac(f)(Pair(onp.array([1.0, 2.0]), 3.0))
        assert isinstance(J, Pair) and isinstance(J.x, Pair)
        onp.testing.assert_allclose(J.x.x, 3 * onp.eye(2))
        onp.testing.assert_allclose(J.x.y, [1.0, 2.0])
        onp.testing.assert_allclose(J.y.x, onp.diag(onp.cos([1.0, 2.0])))
    H = hessian(lambda a: np.sum(a.W ** 2) * np.sum(a.b))(Affine(onp.ones((1, 2)), onp.ones(2)))
    assert isinstance(H, Affine) and isinstance(H.W, Affine)
    onp.testing.assert_allclose(H.W.b, 2 * onp.ones((1, 2, 2)))
    e = elementwise_grad(lambda a: a.W * a.b)(Affine(onp.ones(2), onp.array([2.0, 3.0])))
    onp.testing.assert_allclose(e.W, [2.0, 3.0])
    # vmap returns the user's class, stacked
    out = vmap(lambda x: Affine(x, 2 * x))(onp.ones((4, 2)))
    assert isinstance(out, Affine) and out.b.shape == (4, 2)


def test_dataclass_outputs_and_frozen_dataclasses():
    @dataclasses.dataclass(frozen=True)
    class Stats:
        mean: object
        var: object

        def __post_init__(self):  # a check that the Jacobian's blocks would fail
            if np.ndim(self.mean) != 0:
                raise ValueError("Stats holds scalars")

    f = lambda x: Stats(np.mean(x), np.var(x))
    x = onp.array([1.0, 2.0, 4.0])
    J = jacobian(f)(x)
    assert isinstance(J, Stats)
    onp.testing.assert_allclose(J.mean, onp.full(3, 1 / 3))
    onp.testing.assert_allclose(J.var, numeric_grad(onp.var, x), rtol=1e-6)
    g = grad(lambda s: s.mean * s.var)(Stats(2.0, 3.0))
    assert isinstance(g, Stats) and float(g.mean) == 3.0 and float(g.var) == 2.0


def test_namedtuples_out_of_the_box():
    g = grad(lambda p: p.x ** 2 * p.y)(Pair(2.0, 3.0))
    assert isinstance(g, Pair) and (float(g.x), float(g.y)) == (12.0, 4.0)


def test_register_pytree_node_refusals():
    with pytest.raises(TypeError, match="container already"):
        register_pytree_node(Affine, lambda a: ((), None), lambda aux, ch: a)
    with pytest.raises(TypeError, match="container already"):
        register_pytree_node(dict, lambda a: ((), None), lambda aux, ch: {})
    with pytest.raises(TypeError, match="callable"):
        register_pytree_node(type("K", (), {}), None, None)
    with pytest.raises(TypeError, match="the class"):
        register_pytree_node(Affine(1.0, 2.0), lambda a: ((), None), lambda aux, ch: a)


def test_a_string_field_is_refused_unless_static():
    @dataclasses.dataclass
    class Named:
        x: object
        label: str
    with pytest.raises(TypeError, match="str"):
        grad(lambda n: n.x ** 2)(Named(1.0, "a"))

    @dataclasses.dataclass
    class Labelled:
        x: object
        label: str = dataclasses.field(metadata={"static": True})
    assert float(grad(lambda n: n.x ** 2)(Labelled(1.5, "a")).x) == 3.0


# ------------------------------------------------------- leaf types of container results
def test_container_gradients_have_0d_array_leaves_as_autograd():
    """autograd 1.9 gives every leaf of a container gradient as a 0-d array, a zero
    leaf included; dualgrad did give np.float64 for a zero leaf. A bare scalar's
    gradient stays as it was (a float64 scalar)."""
    g = grad(lambda d: d[0])([2.0, 3.0])
    assert all(type(v) is onp.ndarray and v.shape == () for v in g)
    g = grad(lambda d: d["a"] * 2)({"a": 1.0, "b": 5.0})
    assert all(type(v) is onp.ndarray for v in g.values())
    g = grad(lambda x, y: x, (0, 1))(2.0, 3.0)
    assert all(type(v) is onp.ndarray and v.shape == () for v in g)
    g = elementwise_grad(lambda d: d[0] * 2)((1.0, 2.0))
    assert all(type(v) is onp.ndarray for v in g)
    assert isinstance(grad(np.sin)(0.5), (float, onp.floating))


def test_container_gradients_match_autograd_types():
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp
    cases = [(lambda d: d[0], lambda d: d[0], [2.0, 3.0]),
             (lambda d: d["a"] * d["b"], lambda d: d["a"] * d["b"], {"a": 2.0, "b": 3.0}),
             (lambda d: np.sin(d[0]) * d[1], lambda d: anp.sin(d[0]) * d[1], (2.0, 3.0))]
    for ours, theirs, x in cases:
        a, b = tree_flatten(grad(ours)(x))[0], tree_flatten(autograd.grad(theirs)(x))[0]
        assert [type(v) for v in a] == [type(v) for v in b]
        onp.testing.assert_allclose(onp.array(a, float), onp.array(b, float))
