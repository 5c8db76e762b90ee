"""The seams between dualgrad.sparse and the rest of the library: broadcasting in
the einsum/matmul sparsity rules, given patterns, the cache key, traced points,
complex vectors, pending arrays, one-rule primitives, argument checks and dtypes.
Each test here failed before the fix it names (issue 18)."""
import warnings

import numpy as onp
import pytest
import scipy.sparse as sps
import scipy.sparse.linalg as spla

import dualgrad
import dualgrad.numpy as np
from dualgrad import grad, jvp, sparse, vmap
from dualgrad.extend import defjvp, defvjp, primitive

MODES = ("auto", "fwd", "rev", "bi")


def _point(n, seed=3):
    rng = onp.random.default_rng(seed)
    return rng.uniform(0.5, 1.5, n) * rng.choice([-1.0, 1.0], n)


def _dense(f, x):
    return onp.asarray(dualgrad.jacobian(f)(x)).reshape(-1, x.size)


def _dense_hessian(f, x):
    return onp.asarray(dualgrad.hessian(f)(x)).reshape(x.size, x.size)


# ------------------------------------------------------------ 1: einsum/matmul broadcasting
_C13 = onp.array([[1.0, 0.0, 3.0]])        # a constant weight row, a structural zero
_C21 = onp.array([[2.0], [0.0]])


def _X(x):
    return np.reshape(x[:6], (2, 3))


BROADCASTS = {
    "traced (1,3) second": lambda x: np.einsum("ij,ij->i", _X(x), _X(x)[:1]),
    "traced (1,3) first": lambda x: np.einsum("ij,ij->i", _X(x)[:1], _X(x)),
    "constant (1,3) second": lambda x: np.einsum("ij,ij->i", _X(x), _C13),
    "constant (1,3) first": lambda x: np.einsum("ij,ij->i", _C13, _X(x)),
    "column (2,1)": lambda x: np.einsum("ij,ij->ij", _X(x), _X(x)[:, :1]),
    "constant column (2,1)": lambda x: np.einsum("ij,ij->ij", _C21, _X(x)),
    "both size 1": lambda x: np.einsum("ij,ij->ij", _X(x)[:1], _X(x)[:, 1:2]),
    "ellipsis": lambda x: np.einsum("...j,...j->...", _X(x), _X(x)[1:]),
    "ellipsis rank": lambda x: np.einsum("...j,j->...", np.reshape(x, (1, 2, 3)), x[3:]),
    "three operands": lambda x: np.einsum("ij,ij,ij->j", _X(x), _X(x)[1:], _C21),
    "matmul batch (1,2,3)@(2,3,2)": lambda x: np.matmul(
        np.reshape(x, (1, 2, 3)), np.reshape(np.concatenate([x, x[::-1]]), (2, 3, 2))),
    "matmul batch const (2,1,3)@(3,)": lambda x: np.matmul(
        onp.arange(6.0).reshape(2, 1, 3) - 2.0, x[:3]),
    "matmul batch (3,)@(2,3,2)": lambda x: np.matmul(x[:3], np.reshape(
        np.concatenate([x, x]), (2, 3, 2))),
}


@pytest.mark.parametrize("name", sorted(BROADCASTS))
def test_broadcasting_products_have_the_exact_pattern(name):
    f = BROADCASTS[name]
    x = _point(6)
    dense = _dense(f, x)
    P = sparse.jacobian_sparsity(f, x).toarray()
    onp.testing.assert_array_equal(P, dense != 0)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(BROADCASTS))
def test_broadcasting_products_give_the_dense_jacobian(name, mode):
    f = BROADCASTS[name]
    x = _point(6)
    onp.testing.assert_allclose(sparse.jacobian(f, mode=mode)(x).toarray(), _dense(f, x),
                                rtol=1e-13, atol=1e-13)


# ------------------------------------------------------------ 4: given Hessian patterns
def _tridiagonal_objective(x):
    return np.sum(x[1:] * x[:-1] ** 2) + np.sum(x ** 3)


def _tridiagonal(n):
    return onp.abs(onp.subtract.outer(onp.arange(n), onp.arange(n))) <= 1


@pytest.mark.parametrize("part", ["lower", "upper", "full", "lower csr"])
def test_hessian_with_a_given_triangular_pattern_is_symmetrised(part):
    n = 5
    P = {"lower": onp.tril, "upper": onp.triu, "full": lambda p: p,
         "lower csr": lambda p: sps.csr_array(onp.tril(p))}[part](_tridiagonal(n))
    x = _point(n)
    H = sparse.hessian(_tridiagonal_objective, pattern=P)(x).toarray()
    onp.testing.assert_allclose(H, _dense_hessian(_tridiagonal_objective, x), rtol=1e-13)
    onp.testing.assert_array_equal(H, H.T)


def test_hessian_pattern_must_be_square():
    with pytest.raises(ValueError, match="pattern.*square"):
        sparse.hessian(_tridiagonal_objective, pattern=onp.ones((3, 4), bool))


# ------------------------------------------------------------ 5: the cache key
def _head(x, k):
    return x[:k] ** 2 * x[0]


@pytest.mark.parametrize("mode", MODES)
def test_cache_follows_an_argument_that_changes_the_output_shape(mode):
    J = sparse.jacobian(_head, mode=mode)
    x = _point(6)
    for k in (2, 4, 2, 5):
        Jk = J(x, k)
        assert Jk.shape == (k, 6)
        onp.testing.assert_allclose(Jk.toarray(), _dense(lambda v: _head(v, k), x), rtol=1e-14)


@pytest.mark.parametrize("mode", MODES)
def test_cache_follows_the_shape_of_another_argument(mode):
    def f(x, idx):
        return x[idx] * x[0]

    J = sparse.jacobian(f, mode=mode)
    x = _point(6)
    for idx in (onp.array([1, 2]), onp.array([5, 3, 1]), onp.array([1, 2])):
        onp.testing.assert_allclose(J(x, idx).toarray(), _dense(lambda v: f(v, idx), x),
                                    rtol=1e-14)


def test_hessian_cache_follows_the_shape_of_another_argument():
    def f(x, idx):
        return np.sum(x[idx] ** 2 * x[0])

    H = sparse.hessian(f)
    x = _point(6)
    for idx in (onp.array([1]), onp.array([2, 4]), onp.array([1])):
        onp.testing.assert_allclose(H(x, idx).toarray(),
                                    _dense_hessian(lambda v: f(v, idx), x), rtol=1e-14)


def test_cache_follows_the_input_dtype():
    J = sparse.jacobian(lambda v: v[1:] * v[:-1])
    x = _point(4)
    assert J(x).dtype == onp.float64
    assert J(x.astype(onp.float32)).dtype == onp.float32
    assert J(x).dtype == onp.float64


def test_a_pinned_pattern_refuses_an_output_of_another_shape():
    P = onp.ones((2, 6), bool)
    for mode in MODES:
        J = sparse.jacobian(_head, mode=mode, pattern=P)
        J(_point(6), 2)
        with pytest.raises(ValueError, match=r"pattern.*\(2, 6\).*\(4, 6\)"):
            J(_point(6), 4)


def test_a_pinned_pattern_refuses_an_input_of_another_size():
    J = sparse.jacobian(lambda v: v * 2.0, pattern=sps.eye_array(3, dtype=bool))
    J(_point(3))
    with pytest.raises(ValueError, match="pattern.*3 columns.*4"):
        J(_point(4))
    H = sparse.hessian(lambda v: np.sum(v ** 3), pattern=onp.eye(3, dtype=bool))
    with pytest.raises(ValueError, match=r"pattern has shape \(3, 3\).*4 elements"):
        H(_point(4))


# ------------------------------------------------------------ 6: traced points
def _field(x):
    return x ** 2 * np.sum(x)


TRACED = {
    "jacobian at grad's x": lambda x: sparse.jacobian(_field)(x).sum(),
    "jacobian fwd at grad's x": lambda x: sparse.jacobian(_field, mode="fwd")(x).sum(),
    "hessian at grad's x": lambda x: sparse.hessian(lambda v: np.sum(v ** 3))(x).sum(),
    "linear_operator at grad's x": lambda x: np.sum(
        sparse.linear_operator(_field, x) @ onp.ones(3)),
    "jacobian closing over grad's x": lambda w: sparse.jacobian(
        lambda v: w * v ** 2)(onp.ones(3)).sum(),
    "jacobian rev closing over grad's x": lambda w: sparse.jacobian(
        lambda v: w * v ** 2, mode="rev")(onp.ones(3)).sum(),
    "hessian closing over grad's x": lambda w: sparse.hessian(
        lambda v: np.sum(w * v ** 3))(onp.ones(3)).sum(),
    "linear_operator matvec closing over grad's x": lambda w: np.sum(
        sparse.linear_operator(lambda v: w * v ** 2, onp.ones(3)) @ onp.ones(3)),
    "linear_operator rmatvec closing over grad's x": lambda w: np.sum(
        sparse.linear_operator(lambda v: w * v ** 2, onp.ones(3)).T @ onp.ones(3)),
}


@pytest.mark.parametrize("name", sorted(TRACED))
def test_a_traced_point_is_refused_not_treated_as_constant(name):
    with pytest.raises(TypeError, match=r"dualgrad\.(jacobian|hessian|jvp)"):
        grad(TRACED[name])(onp.array([1.0, 2.0, 3.0]))


def test_a_traced_point_is_refused_under_jvp_and_vmap():
    with pytest.raises(TypeError, match=r"dualgrad\.jacobian"):
        jvp(lambda x: sparse.jacobian(_field)(x).toarray(), (onp.ones(3),), (onp.ones(3),))
    with pytest.raises(TypeError, match=r"dualgrad\.jacobian"):
        vmap(lambda x: sparse.jacobian(_field)(x).toarray())(onp.ones((2, 3)))


def test_a_sparse_jacobian_that_does_not_depend_on_the_outer_value_works():
    x0 = onp.array([1.0, 2.0, 3.0])
    J0 = sparse.jacobian(_field)(x0).sum()
    g = grad(lambda w: w ** 2 * sparse.jacobian(_field)(x0).sum())(1.5)
    assert onp.isclose(g, 3.0 * J0)


def test_the_sparsity_pattern_of_a_traced_point_is_its_value_s():
    # a pattern has no derivative to drop: detection at a traced x is allowed
    def f(x):
        P = sparse.jacobian_sparsity(_field, x)
        return np.sum(x) * P.nnz
    assert onp.allclose(grad(f)(onp.ones(3)), 9.0)


# ------------------------------------------------------------ 7: complex vectors, complex f
_VC = onp.array([1 + 1j, 2.0, 3j])


def test_linear_operator_takes_complex_vectors():
    x = onp.array([1.0, 2.0, 3.0])
    Jd = _dense(_field, x)
    L = sparse.linear_operator(_field, x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        onp.testing.assert_allclose(L @ _VC, Jd @ _VC, rtol=1e-14)
        onp.testing.assert_allclose(L.T @ _VC, Jd.T @ _VC, rtol=1e-14)
        onp.testing.assert_allclose(L.H @ _VC, Jd.conj().T @ _VC, rtol=1e-14)
        V = onp.stack([_VC, _VC[::-1] * 1j], axis=1)
        onp.testing.assert_allclose(L @ V, Jd @ V, rtol=1e-14)
        onp.testing.assert_allclose(L.H @ V, Jd.conj().T @ V, rtol=1e-14)
        onp.testing.assert_allclose(L @ x, Jd @ x, rtol=1e-14)


def test_gmres_with_a_complex_right_hand_side():
    x = onp.array([1.0, 2.0, 3.0])
    f = lambda v: 4.0 * v + v[::-1] ** 2  # noqa: E731  (a well-conditioned J)
    Jd = _dense(f, x)
    b = onp.array([1 + 2j, -1j, 0.5])
    sol, info = spla.gmres(sparse.linear_operator(f, x), b, rtol=1e-12, atol=0)
    assert info == 0
    onp.testing.assert_allclose(sol, onp.linalg.solve(Jd, b), rtol=1e-9)


def test_linear_operator_of_a_complex_function():
    c = onp.array([1 + 2j, 3 - 1j, -0.5j])

    def f(v):
        return c * v ** 2 + np.sin(v[::-1]) * 1j

    x = onp.array([0.3, -1.2, 2.0])
    Jd = onp.asarray(dualgrad.jacobian(f)(x))
    assert onp.iscomplexobj(Jd)
    L = sparse.linear_operator(f, x)
    assert L.dtype.kind == "c"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        onp.testing.assert_allclose(L @ x, Jd @ x, rtol=1e-14)
        onp.testing.assert_allclose(L @ _VC, Jd @ _VC, rtol=1e-14)
        onp.testing.assert_allclose(L.H @ _VC, Jd.conj().T @ _VC, rtol=1e-14)
        onp.testing.assert_allclose(L.T @ _VC, Jd.T @ _VC, rtol=1e-14)
        onp.testing.assert_allclose(L.adjoint() @ x, Jd.conj().T @ x, rtol=1e-14)


# ------------------------------------------------------------ 8: pending arrays
def _pending_field(x):
    y = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        y[i] = x[i] * x[(i + 1) % x.shape[0]]
    y[0] += x[2]
    return y


def _pending_objective(x):
    y = np.zeros(x.shape[0] - 1)
    for i in range(x.shape[0] - 1):
        y[i] = (x[i + 1] - x[i] ** 2) ** 2
    return np.sum(y)


def test_pending_arrays_under_jacobian_sparsity():
    x = _point(5)
    P = sparse.jacobian_sparsity(_pending_field, x).toarray()
    onp.testing.assert_array_equal(P, _dense(_pending_field, x) != 0)


@pytest.mark.parametrize("mode", MODES)
def test_pending_arrays_under_sparse_jacobian(mode):
    x = _point(5)
    onp.testing.assert_allclose(sparse.jacobian(_pending_field, mode=mode)(x).toarray(),
                                _dense(_pending_field, x), rtol=1e-14)


def test_pending_arrays_under_sparse_hessian():
    x = _point(5)
    H = sparse.hessian(_pending_objective)
    onp.testing.assert_allclose(H(x).toarray(), _dense_hessian(_pending_objective, x),
                                rtol=1e-13)
    assert H.pattern.nnz == 13  # tridiagonal: the pending array added no false entries


# ------------------------------------------------------------ 9: one-rule primitives
@primitive
def cube_vjp_only(x):
    return x ** 3


defvjp(cube_vjp_only, lambda ans, x: lambda g: 3.0 * g * x ** 2)


@primitive
def cube_jvp_only(x):
    return x ** 3


defjvp(cube_jvp_only, lambda g, ans, x: 3.0 * g * x ** 2)


def _one_rule(prim):
    def f(x):
        return prim(x[1:]) * x[:-1] + np.sin(x)[1:]
    return f


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("prim", [cube_vjp_only, cube_jvp_only], ids=["vjp-only", "jvp-only"])
def test_a_one_rule_primitive_does_not_block_sparse_jacobian(prim, mode):
    f = _one_rule(prim)
    x = _point(6)
    J = sparse.jacobian(f, mode=mode, explain=True)
    Jx, choice = J(x)
    onp.testing.assert_allclose(Jx.toarray(), _dense(f, x), rtol=1e-14)
    missing = "JVP" if prim is cube_vjp_only else "VJP"
    assert choice.fallbacks == {prim.name: 1}  # its sparsity: all outputs on all inputs
    text = str(choice)
    assert "Dense sparsity fallback" in text and prim.name in text
    assert choice.mode != {"JVP": "fwd", "VJP": "rev"}[missing]
    if mode == {"JVP": "fwd", "VJP": "rev"}[missing]:  # asked for the mode that can't run
        assert f"no {missing} rule" in text and choice.mode != mode
    Jx2, _ = J(_point(6, seed=9))  # the fallback is remembered: the same result again
    onp.testing.assert_allclose(Jx2.toarray(), _dense(f, _point(6, seed=9)), rtol=1e-14)


def test_a_vjp_only_primitive_does_not_block_sparse_jacobian_forward():
    f = _one_rule(cube_vjp_only)
    _, choice = sparse.jacobian(f, mode="fwd", explain=True)(_point(6))
    assert choice.mode == "rev" and "no JVP rule" in str(choice)


@pytest.mark.parametrize("prim", [cube_vjp_only, cube_jvp_only], ids=["vjp-only", "jvp-only"])
def test_a_one_rule_primitive_does_not_block_sparse_hessian(prim):
    def f(x):
        return np.sum(prim(x[1:]) * x[:-1] ** 2)

    x = _point(6)
    H, choice = sparse.hessian(f, explain=True)(x)
    onp.testing.assert_allclose(H.toarray(), _dense_hessian(f, x), rtol=1e-13)
    if prim is cube_vjp_only:
        assert "no JVP rule" in str(choice)


@pytest.mark.parametrize("prim", [cube_vjp_only, cube_jvp_only], ids=["vjp-only", "jvp-only"])
def test_a_one_rule_primitive_does_not_block_linear_operator(prim):
    f = _one_rule(prim)
    x = _point(6)
    Jd = _dense(f, x)
    L = sparse.linear_operator(f, x)
    v, u = _point(6, seed=4), _point(5, seed=5)
    onp.testing.assert_allclose(L @ v, Jd @ v, rtol=1e-14)
    onp.testing.assert_allclose(L.T @ u, Jd.T @ u, rtol=1e-14)
    V = onp.stack([v, 2 * v], axis=1)
    onp.testing.assert_allclose(L @ V, Jd @ V, rtol=1e-14)
    onp.testing.assert_allclose(L.T @ V[:5], Jd.T @ V[:5], rtol=1e-14)


@primitive
def _halves_dict(x):
    return {"head": x[:2] ** 3, "tail": onp.sin(x[2:])}


defvjp(_halves_dict, lambda ans, x: lambda g: onp.concatenate([3 * x[:2] ** 2 * g["head"],
                                                                onp.cos(x[2:]) * g["tail"]]))


@pytest.mark.parametrize("mode", MODES)
def test_a_dict_valued_primitive_is_not_a_constant_to_sparsity_detection(mode):
    # The dense fallback took the dict answer for one leaf and handed it back plain, so
    # its pattern was empty and sparse.jacobian returned zeros (custom_vjp returning a
    # dict or a dataclass did the same).
    def f(x):
        d = _halves_dict(x)
        return np.concatenate([d["tail"], d["head"]]) * x[0]
    x = _point(5)
    assert sparse.jacobian_sparsity(f, x).toarray().all()  # the fallback: all on all
    onp.testing.assert_allclose(sparse.jacobian(f, mode=mode)(x).toarray(), _dense(f, x),
                                rtol=1e-14)


# ------------------------------------------------------------ 14: arguments
@pytest.mark.parametrize("chunk_size", [-1, 0, 1.5, "2", True])
@pytest.mark.parametrize("maker", [sparse.jacobian, sparse.hessian])
def test_chunk_size_is_validated(maker, chunk_size):
    with pytest.raises(ValueError, match="chunk_size must be a positive int"):
        maker(_field, chunk_size=chunk_size)


def test_a_pattern_of_the_wrong_shape_is_named():
    with pytest.raises(ValueError, match=r"pattern has shape \(2, 2\).*\(3, 3\)"):
        sparse.jacobian(_field, pattern=onp.ones((2, 2)))(onp.ones(3))
    with pytest.raises(ValueError, match=r"pattern has shape \(2, 2\).*3 x 3"):
        sparse.hessian(lambda v: np.sum(v ** 3), pattern=onp.ones((2, 2)))(onp.ones(3))


@pytest.mark.parametrize("pattern", [onp.ones(3), onp.ones((1, 3, 3)), "dense", [[1, "a"]]])
def test_a_pattern_that_is_not_a_matrix_is_refused(pattern):
    with pytest.raises((TypeError, ValueError), match="pattern"):
        sparse.jacobian(_field, pattern=pattern)


# ------------------------------------------------------------ also: float32 stays float32
@pytest.mark.parametrize("mode", MODES)
def test_sparse_jacobian_keeps_float32(mode):
    x = _point(6).astype(onp.float32)
    J = sparse.jacobian(_field, mode=mode)(x)
    assert J.dtype == onp.float32
    onp.testing.assert_allclose(J.toarray(), _dense(_field, x.astype(float)), rtol=1e-5)


def test_sparse_hessian_and_linear_operator_keep_float32():
    x = _point(5).astype(onp.float32)
    assert sparse.hessian(_tridiagonal_objective)(x).dtype == onp.float32
    L = sparse.linear_operator(_field, x)
    assert L.dtype == onp.float32
    v = onp.ones(5, onp.float32)
    assert (L @ v).dtype == onp.float32 and (L.T @ v).dtype == onp.float32
    assert (L @ onp.ones((5, 2), onp.float32)).dtype == onp.float32
