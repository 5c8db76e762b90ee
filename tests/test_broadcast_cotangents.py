"""Cotangents that are broadcasts (the VJP of ``sum`` or ``mean``) stay compact
through ``matmul``'s VJPs.

numpy's ``matmul`` copies an operand with a zero stride into a full contiguous
buffer before multiplying (memory the tape never sees, allocated outside
numpy's tracked allocations), so ``grad(lambda ws: sum(x @ w1 @ w2 ...))``
used to allocate one activation-sized array per layer of the backward pass.
The VJPs contract one line instead. These tests check the values against the
plain product with the cotangent materialised, the compact structure of the
results, and the derivatives (both modes, second order) of losses that take
that path.
"""
import numpy as onp
import pytest
from hypothesis import given, settings, strategies as st

import dualgrad
import dualgrad.numpy as np
from dualgrad.rules.linalg import _matmul_vjp_a, _matmul_vjp_b
from dualgrad.test_util import check_grads

SHAPES = [((5, 3), (3, 4)), ((2, 5, 3), (3, 4)), ((5, 3), (2, 3, 4)),
          ((2, 1, 5, 3), (3, 3, 4)), ((3,), (3, 4)), ((5, 3), (3,))]


def _cotangent(out_shape, kind, rng):
    """A cotangent of ``out_shape`` with zero strides: rows repeated, columns
    repeated, or one number everywhere (the cotangent of a full sum)."""
    if kind == "rows":
        line = rng.standard_normal(out_shape[:-2] + (1, out_shape[-1]))
    elif kind == "columns":
        line = rng.standard_normal(out_shape[:-1] + (1,))
    else:
        line = onp.array(rng.standard_normal())
    return onp.broadcast_to(line, out_shape)


@pytest.mark.parametrize("a_shape, b_shape", SHAPES)
@pytest.mark.parametrize("kind", ["rows", "columns", "one number"])
def test_broadcast_cotangents_give_the_plain_products(a_shape, b_shape, kind):
    rng = onp.random.default_rng(0)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    out = a @ b
    if out.ndim < 2 and kind != "one number":
        pytest.skip("a 1-D answer has no rows and columns to repeat")
    g = _cotangent(out.shape, kind, rng)
    full = onp.ascontiguousarray(g)
    for vjp, x in [(_matmul_vjp_a, a), (_matmul_vjp_b, b)]:
        compact, plain = vjp(g, out, a, b), vjp(full, out, a, b)
        assert onp.shape(compact) == x.shape
        onp.testing.assert_allclose(compact, plain, rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(m=st.integers(2, 6), k=st.integers(1, 5), n=st.integers(2, 6),
       kind=st.sampled_from(["rows", "columns", "one number"]), seed=st.integers(0, 2 ** 16))
def test_any_size_agrees_with_the_materialised_cotangent(m, k, n, kind, seed):
    rng = onp.random.default_rng(seed)
    a, b = rng.standard_normal((m, k)), rng.standard_normal((k, n))
    g = _cotangent((m, n), kind, rng)
    onp.testing.assert_allclose(_matmul_vjp_a(g, None, a, b), onp.ascontiguousarray(g) @ b.T,
                                rtol=1e-12, atol=1e-12)
    onp.testing.assert_allclose(_matmul_vjp_b(g, None, a, b), a.T @ onp.ascontiguousarray(g),
                                rtol=1e-12, atol=1e-12)


def test_repeated_rows_stay_a_broadcast_through_the_layers():
    # g @ w^T of a row-repeated g is row-repeated: returned as a broadcast, so the
    # next layer's VJP takes the compact path again and nothing activation-sized is made
    rng = onp.random.default_rng(1)
    h, w = rng.standard_normal((1000, 8)), rng.standard_normal((8, 8))
    g = onp.broadcast_to(onp.ones((1, 8)), (1000, 8))
    ga = _matmul_vjp_a(g, None, h, w)
    assert ga.shape == (1000, 8) and ga.strides[0] == 0


def test_grad_of_a_summed_matmul_network():
    rng = onp.random.default_rng(2)
    x = rng.standard_normal((50, 4))
    ws = [rng.standard_normal((4, 4)) / 2 for _ in range(3)]

    def loss(ws):
        h = x
        for w in ws:
            h = h @ w
        return np.sum(h)

    got = dualgrad.grad(loss)(ws)
    # by hand: d sum(x W1 W2 W3) / dWk = (x W1..W(k-1))^T 1 (W(k+1)..W3)^T
    ones = onp.ones((50, 4))
    hs = [x]
    for w in ws:
        hs.append(hs[-1] @ w)
    g, want = ones, [None] * 3
    for k in range(2, -1, -1):
        want[k] = hs[k].T @ g
        g = g @ ws[k].T
    for a, b in zip(got, want):
        onp.testing.assert_allclose(a, b, rtol=1e-12)
        assert a.flags.writeable  # a broadcast result is handed out as a fresh array


@pytest.mark.parametrize("loss", [
    lambda a, b: np.sum(a @ b),
    lambda a, b: np.sum(np.mean(a @ b, axis=0)),
    lambda a, b: np.sum(np.mean(a @ b, axis=1) ** 2),
    lambda a, b: np.sum(np.tanh(np.sum(a @ b, axis=0, keepdims=True) @ b.T)),
])
def test_derivatives_through_broadcast_cotangents(loss):
    rng = onp.random.default_rng(3)
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((3, 3))
    check_grads(loss, modes=["fwd", "rev"], order=2)(a, b)
