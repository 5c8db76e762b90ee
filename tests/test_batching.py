"""Batched (one pass) and looped (one pass per direction) Jacobians and
Hessians agree to rounding error, in both modes, chunked, and nested; vmap
gives per-example results; primitives without a batch rule fall back to a loop."""
import os
import warnings

import numpy as onp
import pytest
from hypothesis import given

import dualgrad
import dualgrad.numpy as np
from dualgrad import grad, hessian, jacfwd, jacobian, jacrev, vmap
from dualgrad.interpreters.batching import BATCH_RULES, batched_rule_names
from dualgrad.extend import defjvp, defvjp, primitive
from dualgrad.transforms.directions import _basis

from helpers import small_arrays

RNG = onp.random.default_rng(0)
W = RNG.standard_normal((4, 3))
M = RNG.standard_normal((3, 3))
T3 = RNG.standard_normal((2, 3, 3))

# R^3 -> R^k functions, each exercising a family of batch rules.
FUNCS = {
    "elementwise": lambda x: np.sin(x) * np.exp(x / 3) + x ** 2 / (1.5 + np.cos(x)),
    "binary": lambda x: np.arctan2(x, 2.0) + np.hypot(x, 1.0) + np.logaddexp(x, x[0]),
    "select": lambda x: np.where(x > 0, x, 2 * x) + np.maximum(x, 0.1) + np.clip(x, -0.5, 0.5),
    "broadcast": lambda x: np.ravel(x[:, None] * x[None, :] + x),
    "reduce": lambda x: np.stack([np.sum(x), np.mean(x ** 2), np.prod(x), np.max(x),
                                  np.min(x), np.std(x), np.var(x)]),
    "reduce_axis": lambda x: np.ravel(np.sum(np.outer(x, x), axis=0)
                                      + np.max(np.outer(x, x), axis=1, keepdims=True)),
    "cumsum": lambda x: np.cumsum(np.outer(x, x), axis=1).ravel() + np.cumsum(x).sum(),
    "shape": lambda x: np.concatenate([np.reshape(np.outer(x, x).T, (-1,)), x[::-1], x[[0, 2, 0]],
                                       x[x > 0.1] * 0 + np.sum(x[x > 0.1])]),
    "index": lambda x: np.ravel(np.outer(x, x)[[0, 2], 1:]) + np.ravel(np.tile(x, 2))[:3].sum(),
    "matmul": lambda x: np.concatenate([W @ x, x @ M, np.ravel(np.outer(x, x) @ M),
                                        np.ravel(T3 @ x), np.array([x @ x])]),
    "dot": lambda x: np.concatenate([np.dot(W, x), np.ravel(np.dot(np.outer(x, x), x)),
                                     np.tensordot(T3, x, axes=1).ravel(),
                                     np.tensordot(x, M, axes=([0], [1]))]),
    "einsum": lambda x: np.concatenate([np.einsum("ij,j->i", W, x),
                                        np.einsum("i,i->", x, x)[None],
                                        np.einsum("ij,jk,k->i", M, M, x)]),
    "linalg": lambda x: np.ravel(np.linalg.inv(M + np.diag(x))) if hasattr(np, "linalg") else x,
}
X = onp.array([0.3, -0.7, 1.1])


def _close(a, b):
    onp.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(FUNCS))
@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_batched_jacobian_equals_looped(name, mode):
    f = FUNCS[name]
    looped = jacobian(f, mode=mode, batch=False)(X)
    _close(jacobian(f, mode=mode)(X), looped)
    _close(jacobian(f, mode=mode, chunk_size=2)(X), looped)
    # and the two modes agree with each other
    _close(jacobian(f, mode="rev" if mode == "fwd" else "fwd")(X), looped)


@pytest.mark.parametrize("name", ["elementwise", "reduce", "matmul", "einsum"])
def test_batched_jacobian_equals_autograd(name):
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp
    import dualgrad.numpy as dnp
    # the same source run with autograd's numpy
    src = {"elementwise": lambda np: lambda x: np.sin(x) * np.exp(x / 3) + x ** 2 / (1.5 + np.cos(x)),
           "reduce": lambda np: lambda x: np.stack([np.sum(x), np.prod(x), np.max(x)]),
           "matmul": lambda np: lambda x: np.concatenate([W @ x, x @ M, np.dot(M, x)]),
           "einsum": lambda np: lambda x: np.einsum("ij,jk,k->i", M, M, x)}[name]
    _close(jacobian(src(dnp))(X), autograd.jacobian(src(anp))(X))


def lse_quad(x):
    z = M @ x
    m = np.max(z)
    return m + np.log(np.sum(np.exp(z - m))) + 0.5 * x @ (M @ x) + np.sum(np.sin(x) ** 3)


def test_batched_hessian_equals_looped():
    looped = hessian(lse_quad, batch=False)(X)
    _close(hessian(lse_quad)(X), looped)
    _close(hessian(lse_quad, chunk_size=2)(X), looped)
    _close(looped, looped.T)


def test_hessian_of_vector_function_batched_equals_looped():
    f = FUNCS["matmul"]
    _close(hessian(lambda x: f(x) ** 2)(X), hessian(lambda x: f(x) ** 2, batch=False)(X))


@pytest.mark.parametrize("outer", ["fwd", "rev"])
@pytest.mark.parametrize("inner", ["fwd", "rev"])
def test_nested_jacobians_batched_equal_looped(outer, inner):
    f = FUNCS["elementwise"]
    def J(batch):
        return jacobian(jacobian(f, mode=inner, batch=batch), mode=outer, batch=batch)(X)
    _close(J(True), J(False))


def test_jacobian_inside_grad_batched_equals_looped():
    def loss(x, batch):
        return np.sum(jacobian(FUNCS["matmul"], batch=batch)(x) ** 2)
    _close(grad(loss)(X, True), grad(loss)(X, False))


def test_grad_inside_vmap_inside_jacobian():
    def f(x):
        return vmap(grad(lambda v: np.sum(np.sin(v) * x)))(np.outer(x, x))
    J = jacobian(lambda x: np.ravel(f(x)), batch=False)(X)
    _close(jacobian(lambda x: np.ravel(f(x)))(X), J)


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_container_inputs(mode):
    def f(p):
        a, (b, c) = p["a"], p["bc"]
        return np.tanh(W @ a) * b + c
    p = {"a": X, "bc": (0.5, onp.ones(4))}
    Jb, Jl = jacobian(f, mode=mode)(p), jacobian(f, mode=mode, batch=False)(p)
    for kb, kl in zip(dualgrad.core.spaces.tree_flatten(Jb)[0], dualgrad.core.spaces.tree_flatten(Jl)[0]):
        _close(kb, kl)


def test_complex_basis_has_imaginary_directions():
    z = onp.array([1 + 2j, 3 - 1j])
    B = _basis(z, 0, 4)
    onp.testing.assert_array_equal(B, [[1, 0], [0, 1], [1j, 0], [0, 1j]])
    onp.testing.assert_array_equal(_basis(z, 1, 3), B[1:3])  # chunks of the same basis
    e = list(dualgrad.core.spaces.vspace(z).standard_basis())
    onp.testing.assert_array_equal(B, e)


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_complex_jacobian_batched_equals_looped(mode):
    def f(z):
        return np.exp(z) * z[0]
    z = onp.array([0.3 + 0.2j, -0.5 + 1j])
    _close(jacobian(f, mode=mode)(z), jacobian(f, mode=mode, batch=False)(z))


@given(small_arrays(min_dims=1, max_dims=2))
def test_property_batched_equals_looped(x):
    def f(x):
        return np.ravel(np.tanh(x) * np.sum(x ** 2, axis=-1, keepdims=True))
    for mode in ("fwd", "rev"):
        _close(jacobian(f, mode=mode)(x), jacobian(f, mode=mode, batch=False)(x))


# ------------------------------------------------------------------ fallback
@primitive
def cube(x):
    return x ** 3


defjvp(cube, lambda g, ans, x: g * 3 * x ** 2)
defvjp(cube, lambda ans, x: lambda g: g * 3 * x ** 2)


def test_primitive_without_batch_rule_loops_and_agrees():
    assert cube not in BATCH_RULES
    f = lambda x: cube(np.sin(x)) * 2
    expected = onp.diag(6 * onp.sin(X) ** 2 * onp.cos(X))
    for mode in ("fwd", "rev"):
        _close(jacobian(f, mode=mode)(X), expected)
    _close(vmap(cube)(onp.outer(X, X)), onp.outer(X, X) ** 3)


# ------------------------------------------------------------------ vmap
def test_vmap_per_example_gradients():
    params = onp.array([0.5, -1.0, 2.0])
    data = RNG.standard_normal((5, 3))
    loss = lambda p, d: np.sum(np.tanh(d * p) ** 2) + p @ (M @ d)
    per_example = vmap(grad(loss), in_axes=(None, 0))(params, data)
    _close(per_example, onp.stack([grad(loss)(params, d) for d in data]))


def test_vmap_comparisons_and_shapes_per_example():
    X2 = RNG.standard_normal((4, 3))
    f = lambda x: np.where(x > 0, x, 0.0) * x.shape[0] + np.sum(x[x.argmax()])
    _close(vmap(f)(X2), onp.stack([f(x) for x in X2]))


def test_vmap_loops_when_a_rule_reads_batched_values():
    # sort's derivative needs each example's own order (an argsort of the values): under
    # vmap the values are batched, so one pass cannot serve all examples; vmap loops.
    from dualgrad.interpreters.batching import BatchingError
    X2 = RNG.standard_normal((3, 2))
    w = onp.array([1.0, 2.0])
    g = grad(lambda x: np.sum(np.sort(x) * w))
    _close(vmap(g)(X2), onp.stack([g(x) for x in X2]))
    seen = dualgrad.interpreters.batching.Batched(X2, dualgrad.interpreters.batching.BatchLevel(1, 3)).value
    assert seen.shape == (2,) and seen.dtype == X2.dtype
    with pytest.raises(BatchingError, match="batched value"):
        seen == 0
    with pytest.raises(BatchingError, match="batched value"):
        onp.where(seen, 1.0, 0.0)


# ------------------------------------------------------------------ masks in one pass
# Rules whose derivative needs a mask of the primal values (which entry wins, where x
# is 0, which side of a bound): the mask is one elementwise call on the stacked
# examples, so vmap of their gradient, and Jacobians of them, stay one batched pass.
_MASKED = {
    "maximum": lambda x: np.maximum(x, 0.0) + np.maximum(x[::-1], x),
    "minimum": lambda x: np.minimum(x, 0.0) + np.minimum(0.5, x * x),
    "fmax": lambda x: np.fmax(x, 0.1) + np.fmax(x[::-1], x),
    "fmin": lambda x: np.fmin(x, -0.1),
    "abs": lambda x: np.abs(x) * x,
    "abs_complex": lambda x: np.abs(x + 2j * x[::-1]),
    "clip": lambda x: np.clip(x, -0.5, 0.5) + np.clip(x, x[::-1], None),
    "where": lambda x: np.where(x > 0, x, 0.1 * x) ** 2,
    "power": lambda x: (np.abs(x) + 1.0) ** x + np.abs(x) ** 1.5,
    "max_min": lambda x: np.max(x) * x + np.min(x ** 2) + np.max(np.outer(x, x), axis=1),
    "std": lambda x: np.std(x) + np.std(np.outer(x, x), axis=0),
    "select": lambda x: np.select([x > 0.5, x < -0.5], [x, x ** 2], 3 * x),
    "copysign_heaviside": lambda x: np.copysign(x, -x[::-1]) + np.heaviside(x, x * x),
    "remainder": lambda x: np.remainder(x * 3.0, 1.7 + x * x) + np.fmod(x * 5.0, 1.3),
    "sinc": lambda x: np.sinc(x),
}


@pytest.mark.parametrize("name", list(_MASKED))
def test_mask_rules_batch_in_one_pass(name, monkeypatch):
    f = _MASKED[name]
    X8 = RNG.standard_normal((8, 3))
    X8[0, 1] = 0.0  # a zero, and a tie with the bound 0 of maximum and minimum
    loops = _spy_on_loops(monkeypatch)
    g = grad(lambda x: np.sum(f(x)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", dualgrad.PerformanceWarning)  # no loop, no fallback
        per_example = vmap(g)(X8)
        jacobians = vmap(jacfwd(f))(X8)
        jac_rev = jacrev(f)(X8[1])
    assert not loops, f"fell back to a loop for {loops}"
    _close(per_example, onp.stack([g(x) for x in X8]))
    _close(jacobians, onp.stack([jacfwd(f, batch=False)(x) for x in X8]))
    _close(jac_rev, jacfwd(f, batch=False)(X8[1]))


def _relu_mlp_loss(params, x, y):
    W1, b1, W2 = params
    h = np.maximum(x @ W1 + b1, 0.0)
    return np.sum((h @ W2 - y) ** 2)


def test_vmap_grad_of_a_relu_mlp_is_one_pass(monkeypatch):
    params = (RNG.standard_normal((5, 16)), RNG.standard_normal(16), RNG.standard_normal(16))
    xs, ys = RNG.standard_normal((32, 5)), RNG.standard_normal(32)
    loops = _spy_on_loops(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error", dualgrad.PerformanceWarning)
        per_example = vmap(grad(_relu_mlp_loss), in_axes=(None, 0, 0))(params, xs, ys)
    assert not loops
    looped = [grad(_relu_mlp_loss)(params, x, y) for x, y in zip(xs, ys)]
    for k in range(3):
        _close(per_example[k], onp.stack([g[k] for g in looped]))


def test_the_coverage_list_of_looping_functions_is_what_loops(monkeypatch):
    # Every case of the rule tests, as vmap of its gradient over two examples: the
    # functions that fall back to a loop are exactly those coverage lists.
    import sys
    import dualgrad.interpreters.batching as batching
    from dualgrad.core.spaces import tree_flatten
    from dualgrad.tools.coverage import VMAP_LOOPS
    sys.path.insert(0, os.path.dirname(__file__))
    import test_dtypes_every_rule
    vmap_module = sys.modules["dualgrad.transforms.vmap"]
    seen = set()
    monkeypatch.setattr(vmap_module, "warn_fallback",
                        lambda who, n, e, what="": seen.add(batching.culprit(e)))
    for name, f, args in test_dtypes_every_rule._cases():
        traced = [i for i, a in enumerate(args) if onp.result_type(a).kind in "fc"]
        if not traced:
            continue
        total = lambda *a, f=f: sum(np.sum(np.real(leaf)) for leaf in tree_flatten(f(*a))[0]
                                    if onp.result_type(leaf).kind in "fc")
        stacked = [onp.stack([a, a]) if i in traced else a for i, a in enumerate(args)]
        axes = tuple(0 if i in traced else None for i in range(len(args)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            vmap(grad(total, argnum=traced[0]), in_axes=axes)(*stacked)
    assert None not in seen, "a fallback whose cause was not named"
    assert seen == set(VMAP_LOOPS), (f"loop now: {sorted(seen - set(VMAP_LOOPS))}; "
                                     f"batched now: {sorted(set(VMAP_LOOPS) - seen)}")


def test_batched_rule_coverage_report():
    names = batched_rule_names()
    print("\nprimitives with a fast batch rule:", ", ".join(names))
    for must in ("add", "multiply", "sin", "sum", "reshape", "transpose", "getitem", "matmul",
                 "tensordot", "einsum", "concatenate", "broadcast_to", "sum_to_shape"):
        assert must in names


@pytest.mark.parametrize("batch", [True, False])
def test_nested_levels_against_closed_forms(batch):
    # tracers inside tracers (Box(Dual), Dual(Box)) must re-dispatch, not reach numpy
    x = onp.array([0.5, -1.5, 2.0])
    _close(hessian(lambda x: np.sum(np.sin(x) * x ** 3), batch=batch)(x),
           onp.diag(-onp.sin(x) * x ** 3 + 6 * onp.cos(x) * x ** 2 + 6 * x * onp.sin(x)))
    d2 = grad(lambda v: dualgrad.deriv(np.sin)(v))(0.3)
    _close(d2, -onp.sin(0.3))
    _close(jacobian(lambda x: grad(lambda y: np.sum(np.exp(y) * x))(x), batch=batch,
                    mode="fwd")(x), onp.diag(onp.exp(x) * (1 + x)))


def test_elementwise_primitives_from_other_families_batch_in_one_call():
    import dualgrad.scipy.special as sp
    from dualgrad.tools.coverage import primitive_batching
    table = primitive_batching()
    assert table["gammaln"] == table["erf"] == table["sin"] == "batched"
    assert table["odeint"] == "loop"  # an ODE solve per example
    x = onp.linspace(0.5, 2.0, 5)
    f = lambda x: sp.gammaln(x) * sp.erf(x)  # noqa: E731
    looped = jacfwd(f, batch=False)(x)
    assert onp.allclose(jacfwd(f)(x), looped, rtol=1e-13, atol=1e-14)
    assert onp.allclose(jacrev(f)(x), looped, rtol=1e-13, atol=1e-14)


_R = onp.random.RandomState(11)
_A = _R.randn(3, 3) + 3 * onp.eye(3)
_b = _R.randn(3)
LINALG_FFT = {
    "fft": lambda x: np.real(np.fft.fft(x * x)) + np.fft.irfft(np.fft.rfft(x), 3),
    "fft2": lambda x: np.abs(np.fft.fft2(np.outer(x, x))).ravel(),
    "solve_vector_b": lambda x: np.linalg.solve(_A, x),
    "solve_a": lambda x: np.linalg.solve(_A + np.diag(x), _b),
    "solve_matrix_b": lambda x: np.linalg.solve(_A + np.diag(x), np.outer(_b, x)).ravel(),
    "inv": lambda x: np.linalg.inv(_A + np.diag(x)).ravel(),
    "det": lambda x: np.linalg.det(_A + np.outer(x, x)),
    "slogdet": lambda x: np.linalg.slogdet(_A + np.outer(x, x))[1],
    "eigh": lambda x: np.linalg.eigh(_A @ _A.T + np.diag(x))[0],
    "svd": lambda x: np.linalg.svd(_A + np.diag(x), compute_uv=False),
    "qr": lambda x: np.linalg.qr(_A + np.diag(x))[1].ravel(),
    "cholesky": lambda x: np.linalg.cholesky(_A @ _A.T + np.diag(x)).ravel(),
    "pinv": lambda x: np.linalg.pinv(_A + np.diag(x)).ravel(),
    "eig": lambda x: np.real(np.sort(np.linalg.eigvals(_A + np.diag(x)))),
}


def _spy_on_loops(monkeypatch) -> list:
    """The names of the primitives that fall back to the per-example loop."""
    import dualgrad.interpreters.batching as batching
    loops, real_loop = [], batching._loop
    monkeypatch.setattr(batching, "_loop", lambda prim, *a, **k: loops.append(prim.name)
                        or real_loop(prim, *a, **k))
    return loops


@pytest.mark.parametrize("name", list(LINALG_FFT))
def test_linalg_and_fft_batch_in_one_call(name, monkeypatch):
    f = LINALG_FFT[name]
    x, X = _R.randn(3) * 0.3, _R.randn(4, 3) * 0.3
    looped = jacfwd(f, batch=False)(x)
    loops = _spy_on_loops(monkeypatch)
    assert onp.allclose(jacfwd(f)(x), looped, rtol=1e-9, atol=1e-10)
    assert onp.allclose(jacrev(f)(x), looped, rtol=1e-9, atol=1e-10)
    assert onp.allclose(hessian(lambda x: np.sum(f(x)))(x),
                        hessian(lambda x: np.sum(f(x)), batch=False)(x), rtol=1e-8, atol=1e-9)
    assert onp.allclose(vmap(f)(X), onp.stack([f(row) for row in X]))
    assert not loops, f"fell back to a loop for {loops}"


def _special_cases():
    import dualgrad.scipy.special as sp
    return {
        "beta": lambda x: sp.beta(x + 2.0, 1.5 * x[::-1] + 2.0),
        "jv": lambda x: sp.jv(1.5, x + 1.0) + sp.iv(0.5, x + 1.0) + sp.kv(1.0, x + 1.0),
        "gammainc": lambda x: sp.gammainc(2.0, x + 1.0) + sp.gammaincc(1.5, x + 2.0),
        "polygamma": lambda x: sp.polygamma(1, x + 2.0) + sp.multigammaln(x + 3.0, 2),
        "binom_poch": lambda x: sp.binom(x + 4.0, x + 1.0) + sp.poch(x + 2.0, 1.5),
        "kl_div": lambda x: sp.kl_div(x + 2.0, 1.5) + sp.rel_entr(x + 2.0, x * x + 1.0),
        "remainder": lambda x: np.remainder(x * 3.0, 1.7) + np.fmod(x * 5.0, 1.3),
        "copysign_ldexp": lambda x: np.copysign(x, -1.0) + np.ldexp(x, 3) +
        np.heaviside(x, x * x),
    }


@pytest.mark.parametrize("name", list(_special_cases()))
def test_binary_elementwise_primitives_batch_in_one_call(name, monkeypatch):
    f = _special_cases()[name]
    x, X = onp.array([0.3, 0.7, 1.1]), onp.array([[0.3, 0.7, 1.1], [0.2, 0.9, 0.4]])
    looped = jacfwd(f, batch=False)(x)
    loops = _spy_on_loops(monkeypatch)
    assert onp.allclose(jacfwd(f)(x), looped, rtol=1e-9, atol=1e-10)
    assert onp.allclose(jacrev(f)(x), looped, rtol=1e-9, atol=1e-10)
    assert not loops, f"fell back to a loop for {loops}"
    loops.clear()  # vmap may loop here: rules read primal masks (copysign, heaviside)
    assert onp.allclose(vmap(f)(X), onp.stack([f(row) for row in X]))


# ------------------------------------------------------------------ PerformanceWarning
@primitive
def quartic(x):  # a user primitive without a batch rule: vmap loops over it
    return x ** 4


defjvp(quartic, lambda t, ans, x: t * 4 * x ** 3)
defvjp(quartic, lambda ans, x: lambda g: g * 4 * x ** 3)


@primitive
def doubled(x):  # linear, its rules call it on tangents: jacobian loops over it too
    return 2.0 * x


defjvp(doubled, lambda t, ans, x: doubled(t))
defvjp(doubled, lambda ans, x: lambda g: doubled(g))


def _performance_warnings(fun, *args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fun(*args)
    return [w for w in caught if issubclass(w.category, dualgrad.PerformanceWarning)]


def test_performance_warning_is_public():
    from dualgrad.core.errors import PerformanceWarning
    assert dualgrad.PerformanceWarning is PerformanceWarning
    assert "PerformanceWarning" in dualgrad.__all__ and issubclass(PerformanceWarning, Warning)


def test_a_looping_primitive_warns_once_naming_it_at_the_users_line():
    X10 = RNG.standard_normal((10, 3))
    caught = _performance_warnings(vmap(quartic), X10)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "'quartic'" in message and "no batched rule" in message
    assert caught[0].filename == __file__  # the user's line, not dualgrad's
    with pytest.warns(dualgrad.PerformanceWarning):
        _close(vmap(quartic)(X10), X10 ** 4)  # and the result is right
    # jacobian pushes its 12 directions through doubled's loop, in either mode
    for jac in (jacfwd, jacrev):
        caught = _performance_warnings(jac(lambda x: np.sin(doubled(x))), X10[0].repeat(4))
        assert len(caught) == 1 and "'doubled'" in str(caught[0].message)
        assert caught[0].filename == __file__


def test_a_rule_that_reads_values_warns_naming_the_primitive_and_the_cause():
    g = grad(lambda x: np.sum(np.sort(x) * onp.arange(3.0)))
    caught = _performance_warnings(vmap(g), RNG.standard_normal((10, 3)))
    assert len(caught) == 1 and caught[0].filename == __file__
    assert "'sort'" in str(caught[0].message) and "read the numbers" in str(caught[0].message)
    # Python control flow on a batched value: the cause is the user's code
    caught = _performance_warnings(vmap(lambda x: x if x[0] > 0 else -x),
                                   RNG.standard_normal((10, 3)))
    assert len(caught) == 1 and "Python control flow" in str(caught[0].message)


def test_the_sparse_tools_warn_too():
    from dualgrad import sparse
    x = onp.linspace(0.1, 1, 12)
    f = lambda x: doubled(np.outer(x, x[:6]).ravel())  # noqa: E731  (dense: 6+ colours)
    for mode in ("fwd", "rev"):
        caught = _performance_warnings(sparse.jacobian(f, mode=mode), x)
        assert len(caught) == 1 and "sparse.jacobian" in str(caught[0].message)
        assert "'doubled'" in str(caught[0].message) and caught[0].filename == __file__


def test_batched_primitives_and_short_loops_stay_silent():
    X10 = RNG.standard_normal((10, 3))
    assert not _performance_warnings(vmap(grad(lambda x: np.sum(np.tanh(x) ** 2))), X10)
    assert not _performance_warnings(jacobian(np.sin), X10[0])
    assert not _performance_warnings(vmap(quartic), X10[:3])  # 3 examples: cheap enough
    from dualgrad import sparse
    x = onp.linspace(0.1, 1, 12)
    dense = lambda x: np.tanh(np.outer(x, x[:6]).ravel())  # noqa: E731  (6+ colours)
    for mode in ("fwd", "rev"):
        assert not _performance_warnings(sparse.jacobian(dense, mode=mode), x)
    assert not _performance_warnings(vmap(grad(lambda x: np.sum(np.maximum(x, 0.0) ** 2))), X10)


def test_one_warning_per_call_site_under_the_default_filter():
    import inspect
    X10 = RNG.standard_normal((10, 3))
    g = vmap(grad(lambda x: np.sum(np.sort(x) * onp.arange(3.0))))

    def user_helper(x):  # a warning raised under the user's own function: its line
        return jacfwd(lambda v: np.sin(doubled(v)))(x)
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        warnings.simplefilter("default")
        first = inspect.currentframe().f_lineno + 2
        for _ in range(3):
            vmap(quartic)(X10)  # three calls from one line: one warning
            vmap(quartic)(X10)  # another call site: one more
            g(X10)
            user_helper(X10[0].repeat(4))
    sites = [(w.filename, w.lineno) for w in caught
             if issubclass(w.category, dualgrad.PerformanceWarning)]
    helper = user_helper.__code__.co_firstlineno + 1
    assert sites == [(__file__, first), (__file__, first + 1), (__file__, first + 2),
                     (__file__, helper)]


def test_the_debug_log_keeps_the_detail(caplog):
    import logging
    with caplog.at_level(logging.DEBUG, logger="dualgrad"):
        _performance_warnings(vmap(grad(lambda x: np.sum(np.sort(x)))), RNG.standard_normal((6, 2)))
    assert any("one batched pass failed" in r.getMessage() and "looping over the 6" in
               r.getMessage() for r in caplog.records)


def test_a_traced_list_of_differently_shaped_items_under_vmap_says_what_to_do():
    # autograd's list([x, x[:2]]) is one traced value; vmap loops over it and stacks the
    # examples' lists, which numpy cannot do when the items differ in shape: the error
    # names the cause and the way out instead of numpy's "inhomogeneous shape"
    import dualgrad.builtins

    X = onp.arange(12.0).reshape(3, 4)

    def f(x):
        items = dualgrad.builtins.list([x, x[:2] * 2])
        return np.sum(items[0]) + np.sum(items[1] ** 2)
    with pytest.raises(ValueError, match="different shapes.*plain Python list"):
        dualgrad.vmap(f)(X)

    def plain(x):  # the way out: a plain list
        items = [x, x[:2] * 2]
        return np.sum(items[0]) + np.sum(items[1] ** 2)
    onp.testing.assert_allclose(dualgrad.vmap(plain)(X), [f(x) for x in X])
    onp.testing.assert_allclose(dualgrad.vmap(dualgrad.grad(plain))(X),
                                [dualgrad.grad(f)(x) for x in X])

    def same(x):  # items of one shape stack as before
        items = dualgrad.builtins.list([x, x * 2])
        return np.sum(items[0]) + np.sum(items[1] ** 2)
    onp.testing.assert_allclose(dualgrad.vmap(same)(X), [same(x) for x in X])
