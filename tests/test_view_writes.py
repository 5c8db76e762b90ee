"""Views of traced arrays: writes through a view update its base, and a view sees the
later writes into its base, as with NumPy (and PyTorch), in every mode.

Each case is a function written with ``dualgrad.numpy``; called on plain arrays it is
plain NumPy, so its plain value is the reference, and ``check_grads`` compares the
derivatives (both modes, order 2: nested) with numerical ones of that NumPy code."""
import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import grad, jacfwd, jacrev, jvp, vmap
from dualgrad.test_util import check_grads

X = onp.array([0.5, -1.2, 2.0, 0.3])


def _square(x):
    return np.reshape(x * 1.0, (2, 2))


def row_then_item(x):
    Z = _square(x)
    Z[0][1] = 7.0 * x[2]
    return Z


def row_slice_then_item(x):
    Z = _square(x)
    Z[0, :][1] = np.sin(x[3])
    return Z


def transpose_item(x):
    Z = _square(x)
    Z.T[0, 1] = x[0] * x[3]
    return Z


def transpose_function_item(x):
    Z = _square(x)
    np.transpose(Z)[1, 0] = x[1] ** 2
    return Z


def reshape_item(x):
    z = x * 1.0
    z.reshape(2, 2)[0, 0] = np.exp(x[1])
    return z


def reshape_function_item(x):
    z = x * 1.0
    np.reshape(z, (2, 2))[1, 1] = 3.0 * x[0]
    return z


def ravel_item(x):
    Z = _square(x)
    Z.ravel()[0] = x[3] ** 3
    return Z


def real_item(x):
    z = x * (1.0 + 2.0j)
    z.real[0] = 3.0 * x[1]
    return np.concatenate([np.real(z), np.imag(z)])


def imag_item(x):
    z = x * (1.0 - 0.5j)
    z.imag[2] = x[0] * x[1]
    return np.concatenate([np.real(z), np.imag(z)])


def real_of_real_array(x):
    z = x * 1.0
    z.real[1] = np.cos(x[2])  # a real array's .real is a view of the array itself
    return z


def slice_augmented(x):
    z = x * 1.0
    w = z[:2]
    w[0] += x[3]
    return z


def view_inplace_operator(x):
    z = x * 1.0
    w = z[1:3]
    w *= x[:2]
    w += 1.0
    return z


def view_of_view(x):
    Z = _square(x)
    Z[1][1:][0] = x[0] - x[2]
    return Z


def row_loop(x):
    Z = _square(x)
    for r in Z:
        r[:] = r * x[:2]
    return Z


def swapaxes_squeeze(x):
    Z = np.reshape(x * 1.0, (2, 1, 2))
    np.swapaxes(Z, 0, 2)[1, 0, 0] = x[1] * 5.0
    np.squeeze(Z)[0, 0] = x[2] ** 2
    return Z


def view_sees_later_write(x):
    z = x * 1.0
    v = z[:2]  # a view taken before the write into z
    z[0] = 10.0 * x[3]
    return np.concatenate([v, z])


def view_sees_later_augmented_write(x):
    Z = _square(x)
    col = Z[:, 1]
    Z += x[0]
    Z[1] *= x[2]
    return col * 1.0


def sibling_views(x):
    z = x * 1.0
    a, b = z[:3], z[1:]
    a[2] = x[0] ** 2  # z[2], which b[1] also is
    return np.concatenate([b, a])


def write_after_write(x):
    # the view must not write stale values back over the earlier write into its base
    z = x * 1.0
    v = z[:2]
    z[0] = x[2] * 2.0
    v[1] = x[3] * 3.0
    return z


def advanced_index_is_a_copy(x):
    Z = _square(x)
    Z[[0]][0, 0] = 100.0 * x[1]  # as numpy: fancy indexing copies; Z is unchanged
    Z[Z > 10.0] = 0.0
    return Z


def strided_reshape_is_a_copy(x):
    Z = _square(x)
    Z.T.reshape(-1)[0] = 100.0 * x[1]  # numpy copies a transposed array to reshape it
    return Z


CASES = [row_then_item, row_slice_then_item, transpose_item, transpose_function_item,
         reshape_item, reshape_function_item, ravel_item, real_item, imag_item,
         real_of_real_array, slice_augmented, view_inplace_operator, view_of_view, row_loop,
         swapaxes_squeeze, view_sees_later_write, view_sees_later_augmented_write,
         sibling_views, write_after_write, advanced_index_is_a_copy, strided_reshape_is_a_copy]


def _numpy_value(f, x):
    out = f(onp.array(x))  # plain arrays: dualgrad.numpy is numpy here
    assert type(out) is onp.ndarray
    return out


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_values_are_numpys(f):
    want = _numpy_value(f, X)
    primal, tangent = jvp(f, (X,), (onp.ones_like(X),))
    onp.testing.assert_allclose(primal, want, rtol=1e-13)
    onp.testing.assert_allclose(vmap(f)(onp.stack([X, 2 * X])),
                                onp.stack([want, _numpy_value(f, 2 * X)]), rtol=1e-13)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_derivatives_in_every_mode(f):
    check_grads(f, modes=("fwd", "rev"), order=2)(X)
    jf, jr = jacfwd(f)(X), jacrev(f)(X)  # batched tangents / cotangents
    onp.testing.assert_allclose(jf, jr, rtol=1e-12, atol=1e-14)
    # per-example gradients: vmap over grad
    loss = lambda x: np.sum(f(x) ** 2)  # noqa: E731
    xs = onp.stack([X, X[::-1], 2 * X])
    onp.testing.assert_allclose(vmap(grad(loss))(xs), onp.stack([grad(loss)(v) for v in xs]),
                                rtol=1e-12)


def test_a_write_through_a_view_moves_the_gradient():
    # Z[0][1] = v: the entry written no longer depends on x[1], and now on x[2]
    g = grad(lambda x: np.sum(row_then_item(x)))(X)
    assert g.tolist() == [1.0, 0.0, 8.0, 1.0]


def test_writes_through_views_nested_in_a_hessian():
    from dualgrad import hessian
    f = lambda x: np.sum(transpose_item(x) ** 2) + np.sum(real_item(x) ** 3)  # noqa: E731
    h = hessian(f)(X)
    onp.testing.assert_allclose(h, h.T, rtol=1e-12)
    check_grads(f, order=3)(X)


def test_imag_of_a_real_array_is_read_only_as_in_numpy():
    with pytest.raises(ValueError, match="read-only"):
        onp.zeros(2).imag[0] = 1.0  # numpy's own behaviour

    def f(x):
        z = x * 1.0
        z.imag[0] = x[1]
        return z
    with pytest.raises(ValueError, match="imag"):
        grad(lambda x: np.sum(f(x)))(X)


def test_an_indexed_scalar_is_not_a_view():
    # Z[0, 1] is a scalar (numpy: a numpy scalar, no item assignment); writing into it
    # must not be silently dropped
    def f(x):
        Z = _square(x)
        s = Z[0, 1]
        s[()] = x[0]
        return Z
    with pytest.raises(TypeError, match="scalar"):
        grad(lambda x: np.sum(f(x)))(X)


def test_copies_are_not_views():
    def f(x):
        z = x * 1.0
        c = z[:2].copy()
        c[0] = 100.0
        d = np.array(z[2:])
        d[0] = 100.0
        return z
    assert jvp(f, (X,), (X,))[0].tolist() == X.tolist()
    assert grad(lambda x: np.sum(f(x)))(X).tolist() == [1.0] * 4
