"""Building and rearranging arrays: values equal numpy's, derivatives checked in
both modes to order 2. ``CASES`` (name, f(np, x), x) is reused by
tests/test_plain_numpy.py with plain numpy as ``np``."""
import numpy as onp
import pytest

import dualgrad.numpy as dnp
from dualgrad import grad, jacobian
from dualgrad.core import DifferentiationError
from dualgrad.test_util import check_grads

R = onp.random.RandomState(1)
V3 = R.randn(3)
V4 = R.randn(4)
M23 = R.randn(2, 3)
M33 = R.randn(3, 3)
T234 = R.randn(2, 3, 4)
C3 = R.randn(3) + 1j * R.randn(3)
C23 = R.randn(2, 3) + 1j * R.randn(2, 3)

CASES = [
    ("take", lambda np, x: np.take(x, [0, 2, 2, 1]), V3),
    ("take_axis", lambda np, x: np.take(x, [[1, 0]], axis=1), M23),
    ("take_wrap", lambda np, x: np.take(x, [5, -7], mode="wrap"), M23),
    ("take_along_axis", lambda np, x: np.take_along_axis(x, onp.array([[2, 0], [1, 1]]), 1), M23),
    ("choose", lambda np, x: np.choose(onp.array([0, 1, 0]), [x[0], x[1]]), M23),
    ("compress", lambda np, x: np.compress([True, False, True], x, axis=1), M23),
    ("extract", lambda np, x: np.extract(onp.array([[1, 0, 1], [0, 1, 1]]), x), M23),
    ("select", lambda np, x: np.select([x < 0, x > 1], [x ** 2, np.sin(x)], 0.5), M23),
    ("resize", lambda np, x: np.resize(x, (4, 2)), M23),
    ("roll", lambda np, x: np.roll(x, 2), M23),
    ("roll_axes", lambda np, x: np.roll(x, (1, -1), axis=(0, 1)), M23),
    ("roll_axis", lambda np, x: np.roll(x, -4, axis=-1) * x, T234),
    ("roll_one_shift_two_axes", lambda np, x: np.roll(x, 1, axis=(0, 2)), T234),
    ("delete", lambda np, x: np.delete(x, [0, 2], axis=1), M23),
    ("insert", lambda np, x: np.insert(x, 1, x[1] * 3.0), V3),
    ("insert_axis", lambda np, x: np.insert(x, [0, 2], 7.0, axis=1), M23),
    ("append", lambda np, x: np.append(x, x ** 2), M23),
    ("append_axis", lambda np, x: np.append(x, x[:1] * 2, axis=0), M23),
    ("pad_constant", lambda np, x: np.pad(x, ((1, 0), (2, 1)), constant_values=3.0), M23),
    ("pad_edge", lambda np, x: np.pad(x, 2, mode="edge"), M23),
    ("pad_reflect", lambda np, x: np.pad(x, ((1, 2), (3, 1)), mode="reflect"), M23),
    ("pad_symmetric", lambda np, x: np.pad(x, 4, mode="symmetric"), V3),
    ("pad_wrap", lambda np, x: np.pad(x, (2, 5), mode="wrap"), V3),
    ("kron", lambda np, x: np.kron(x, x[:, :2] ** 2), M23),
    ("kron_1d_2d", lambda np, x: np.kron(x[0], x), M23),
    ("cross", lambda np, x: np.cross(x, np.sin(x)), M23),
    ("cross_axis", lambda np, x: np.cross(x.T, x.T ** 2, axis=0), M23),
    ("convolve_full", lambda np, x: np.convolve(x, np.cos(x[:3])), V4),
    ("convolve_same", lambda np, x: np.convolve(x[:2], x, "same"), V4),
    ("convolve_valid", lambda np, x: np.convolve(x, x[:3] ** 2, "valid"), V4),
    ("correlate_valid", lambda np, x: np.correlate(x, x[1:3] ** 2), V4),
    ("correlate_full", lambda np, x: np.correlate(x[:2], np.sin(x), "full"), V4),
    ("correlate_same_cplx", lambda np, x: np.correlate(x, x[:2] * 1j + 1, "same"), C3),
    ("triu", lambda np, x: np.triu(x, 1), M33),
    ("tril", lambda np, x: np.tril(x, -1), T234),
    ("triu_1d", lambda np, x: np.triu(x), V3),
    ("diagflat", lambda np, x: np.diagflat(x, -1), M23),
    ("rot90", lambda np, x: np.rot90(x), M23),
    ("rot90_k3", lambda np, x: np.rot90(x, 3, axes=(2, 0)), T234),
    ("fliplr", lambda np, x: np.fliplr(x), M23),
    ("flipud", lambda np, x: np.flipud(x), M23),
    ("rollaxis", lambda np, x: np.rollaxis(x, 2, 1), T234),
    ("split", lambda np, x: np.split(x, 3, axis=1)[1], M23),
    ("split_idx", lambda np, x: np.concatenate(np.split(x, [1, 3]) [::-1]) * np.arange(4), V4),
    ("array_split", lambda np, x: np.array_split(x, 3)[0], V4),
    ("hsplit", lambda np, x: np.hsplit(x, [1])[1], M23),
    ("vsplit", lambda np, x: np.vsplit(x, 2)[1], M23),
    ("dsplit", lambda np, x: np.dsplit(x, [1, 3])[1], T234),
    ("unstack", lambda np, x: np.unstack(x, axis=1)[2], M23),
    ("column_stack", lambda np, x: np.column_stack([x, x ** 2, onp.ones(3)]), V3),
    ("dstack", lambda np, x: np.dstack([x, np.exp(x)]), M23),
    ("broadcast_arrays", lambda np, x: np.broadcast_arrays(x[:, None], x)[0] * 2.0, V3),
    ("meshgrid_xy", lambda np, x: np.meshgrid(x, x[:2] ** 2)[1], V3),
    ("meshgrid_ij", lambda np, x: np.meshgrid(x, x[:2], x, indexing="ij")[0], V3),
    ("meshgrid_sparse", lambda np, x: np.meshgrid(x, x[:2], sparse=True)[0], V3),
    ("full", lambda np, x: np.full((2, 3), x[0]) * x[1], V3),
    ("linspace", lambda np, x: np.linspace(x[0], x[1], 5), V3),
    ("linspace_vec", lambda np, x: np.linspace(x[:2], x[1:], 4, endpoint=False, axis=1), V3),
    ("logspace", lambda np, x: np.logspace(x[0], x[1], 4), V3),
    ("vander", lambda np, x: np.vander(x, 4), V3),
    ("asarray", lambda np, x: np.asarray(x) * 2.0, V3),
    ("copy", lambda np, x: np.copy(x) * 2.0, V3),
    ("einsum_dot", lambda np, x: np.einsum("ij,jk->ik", x, x.T), M23),
    ("einsum_trace", lambda np, x: np.einsum("ii", x), M33),
    ("einsum_diag", lambda np, x: np.einsum("ii->i", x), M33),
    ("einsum_repeated_3", lambda np, x: np.einsum("iij,kj->ik", np.stack([x, x, x]), x), M33),
    ("einsum_ellipsis", lambda np, x: np.einsum("...j,j->...", x, x[0, 0]), T234),
    ("einsum_ellipsis_bcast", lambda np, x: np.einsum("...ij,...jk", x, x[:1].transpose(0, 2, 1)), T234),
    ("einsum_implicit", lambda np, x: np.einsum("ij,jk", x, x.T), M23),
    ("einsum_sum_out", lambda np, x: np.einsum("ijk->", x), T234),
    ("einsum_three", lambda np, x: np.einsum("ij,jk,kl->il", x, x.T, x, optimize=True), M23),
    ("einsum_greedy", lambda np, x: np.einsum("ij,jk,k", x, x.T, x[:, 0], optimize="greedy"), M23),
    ("einsum_interleaved", lambda np, x: np.einsum(x, [0, 1], x, [2, 1], [0, 2]), M23),
    ("einsum_outer_complex", lambda np, x: np.einsum("i,j->ij", x, x), C3),
    ("einsum_broadcast_1", lambda np, x: np.einsum("ij,ij->i", x, x[:1]), M23),
]


@pytest.mark.parametrize("name, f, x", CASES, ids=[c[0] for c in CASES])
def test_matches_numpy_and_rules(name, f, x):
    assert onp.allclose(f(dnp, x), f(onp, x))
    check_grads(lambda x: f(dnp, x), order=2)(x)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("n, m", [(4, 2), (2, 4), (3, 3), (1, 3)])
def test_convolve_correlate_all_modes(mode, n, m):
    a, v = R.randn(n) + 1j * R.randn(n), R.randn(m)
    for name in ("convolve", "correlate"):
        ours, theirs = getattr(dnp, name), getattr(onp, name)
        assert onp.allclose(ours(a * onp.ones(1), v, mode), theirs(a, v, mode))
        check_grads(lambda a, v: ours(a, v, mode), order=1)(a, v)


def test_traced_pad_constant_and_full_fill():
    x = V3.copy()
    check_grads(lambda x: dnp.pad(x[1:], 1, constant_values=x[0] ** 2), order=2)(x)
    check_grads(lambda x: dnp.full((2, 2), fill_value=dnp.sin(x[0])), order=2)(x)


def test_interior_pad_modes_unsupported_clearly():
    with pytest.raises(DifferentiationError, match="mean"):
        grad(lambda x: dnp.pad(x, 1, mode="mean").sum())(V3)


def test_take_repeated_indices_accumulate():
    g = grad(lambda x: dnp.take(x, [0, 0, 2]).sum())(V3)
    assert g.tolist() == [2.0, 0.0, 1.0]


def test_arange_and_trim_zeros():
    check_grads(lambda x: dnp.arange(x[0], x[0] + 3.0, 0.5), order=2)(V3)
    x = onp.array([0.0, 2.0, 0.0, 3.0, 0.0])
    assert onp.allclose(dnp.trim_zeros(x * onp.ones(1)), onp.trim_zeros(x))
    assert grad(lambda x: dnp.sum(dnp.trim_zeros(x) ** 2))(x).tolist() == [0, 4, 0, 6, 0]


@pytest.mark.parametrize("shape", [(2,), (2, 1, 3)])
def test_kron_shapes(shape):
    a = R.randn(*shape)
    b = R.randn(3, 2)
    assert onp.allclose(dnp.kron(a, b), onp.kron(a, b))
    check_grads(dnp.kron, order=2)(a, b)


def test_einsum_each_operand_and_jacobian_modes_agree():
    a, b, c = R.randn(2, 3), R.randn(3, 3), R.randn(3)
    f = lambda a, b, c: dnp.einsum("ij,jj,j->i", a, b, c)
    check_grads(f, order=2)(a, b, c)
    assert onp.allclose(jacobian(f, argnum=1, mode="fwd")(a, b, c),
                        jacobian(f, argnum=1, mode="rev")(a, b, c))


@pytest.mark.parametrize("shift, axis", [(1, 0), (-2, -1), ((1, 2), (0, 2)), (1, (0, 1)), (5, None)])
def test_roll_batches_detects_and_expands_like_numpy(shift, axis):
    """roll along axes is a primitive of its own: its batch, sparsity and Taylor rules
    agree with numpy and with the dense Jacobian."""
    from dualgrad import jet, sparse, vmap
    f = lambda x: dnp.roll(x, shift, axis) * 2.0
    xs = R.randn(3, 2, 3, 4)
    assert onp.array_equal(vmap(f)(xs), onp.stack([onp.roll(x, shift, axis) * 2.0 for x in xs]))
    J = jacobian(f)(T234).reshape(24, 24)
    P = sparse.jacobian_sparsity(f, T234)
    assert onp.array_equal(P.toarray(), J != 0)
    v = R.randn(2, 3, 4)
    out, (t1, t2) = jet(f, (T234,), ((v, v),))
    assert onp.allclose(t1, onp.roll(v, shift, axis) * 2.0) and onp.allclose(t2, t1)
    check_grads(f, modes=["fwd", "rev"], order=2)(T234 + 1j * R.randn(2, 3, 4))
