"""Vector spaces of values and containers."""
import numpy as onp
import pytest

from dualgrad.core.spaces import tree_flatten, tree_unflatten, vspace


def test_real_array_space():
    vs = vspace(onp.zeros((2, 3)))
    assert vs.size == 6 and vs.shape == (2, 3)
    basis = list(vs.standard_basis())
    assert len(basis) == 6 and onp.allclose(sum(basis), onp.ones((2, 3)))
    x, y = onp.random.randn(2, 3), onp.random.randn(2, 3)
    assert vs.inner_prod(x, y) == pytest.approx(onp.sum(x * y))
    assert onp.allclose(vs.unflatten(vs.flatten(x)), x)


def test_complex_space_counts_real_dimensions():
    vs = vspace(onp.zeros(2, complex))
    assert vs.size == 4
    basis = list(vs.standard_basis())
    assert [complex(b[0]) for b in basis] == [1, 0, 1j, 0]
    z = onp.array([1 + 2j, 3 - 1j])
    w = onp.array([2 - 1j, 1j])
    assert vs.inner_prod(z, w) == pytest.approx(onp.real(onp.vdot(z, w)))
    assert onp.allclose(vs.unflatten(vs.flatten(z)), z)
    assert vspace(1j).size == 2


def test_scalars():
    vs = vspace(1.5)
    assert vs.size == 1 and vs.zeros() == 0.0 and vs.ones() == 1.0
    assert onp.shape(vs.ones()) == ()


def test_container_space():
    value = {"w": onp.ones((2, 2)), "rest": [1.0, (onp.zeros(3), 2j)]}
    vs = vspace(value)
    assert vs.size == 4 + 1 + 3 + 2
    z = vs.zeros()
    assert set(z) == {"w", "rest"} and isinstance(z["rest"], list) and isinstance(z["rest"][1], tuple)
    flat = vs.flatten(value)
    back = vs.unflatten(flat)
    assert onp.allclose(back["w"], value["w"]) and back["rest"][1][1] == 2j
    r = vs.randn(onp.random.default_rng(0))
    s = vs.add(r, vs.scalar_mul(r, -1.0))
    assert vs.inner_prod(s, s) == 0.0
    assert value in vs and onp.zeros(3) not in vs


def test_tree_roundtrip_keeps_types():
    from collections import namedtuple
    P = namedtuple("P", "a b")
    tree = P(a=[1.0, {"k": 2.0}], b=(3.0,))
    leaves, td = tree_flatten(tree)
    assert leaves == [1.0, 2.0, 3.0]
    assert tree_unflatten(td, leaves) == tree


def test_bad_value_is_explained():
    with pytest.raises(TypeError, match="floats, complex numbers, numpy arrays"):
        vspace("not a number")
