"""A rule the user did not write never blocks a transform that can do without it.

lifelines' ``safe_exp`` pattern (a primitive given ``defvjp`` only, as
autograd's docs show) under hessian, make_hvp, hessian_vector_product and
jacobian; a JVP-only primitive under grad and friends; values against
numerical derivatives, and the errors when no mode has the rules.
"""
from __future__ import annotations

import logging

import numpy as onp
import pytest
from hypothesis import given, settings

import dualgrad.numpy as np
from dualgrad import (deriv, elementwise_grad, grad, hessian, hessian_tensor_product,
                      hessian_vector_product, jacfwd, jacobian, jacrev, jvp, make_hvp,
                      make_jvp, value_and_grad)
from dualgrad.core import DifferentiationError, MissingRuleError
from dualgrad.extend import defjvp, defvjp, primitive
from tests.helpers import real_jacobian_fd, small_arrays

# ---------------------------------------------------------------- primitives
MAX = np.log(np.finfo(float).max) - 75


@primitive
def safe_exp(x):
    """lifelines.utils.safe_exp: exp, capped; its derivative is itself."""
    return np.exp(np.clip(x, -np.inf, MAX))


defvjp(safe_exp, lambda ans, x: lambda g: g * ans)  # a VJP only


@primitive
def cube(x):
    return x ** 3


defjvp(cube, lambda t, ans, x: 3 * x ** 2 * t)  # a JVP only


@primitive
def ruleless(x):
    return 2 * x


A = onp.array([[1.0, 0.5, -0.3], [0.2, -1.0, 0.4], [0.1, 0.3, 0.8]])
X = onp.array([0.3, -0.2, 0.7])
V = onp.array([1.0, -2.0, 0.5])


def loglik(x):
    """A likelihood-shaped function of lifelines' kind: sums of safe_exp of a linear map."""
    return np.sum(safe_exp(A @ x) * x) - np.sum(np.log1p(safe_exp(x)))


def cubic(x):
    return np.sum(cube(A @ x) * x)


def fd(f, x, h=1e-6):
    """The Jacobian of ``f`` at ``x`` by central differences."""
    return real_jacobian_fd(f, x, h).reshape(onp.shape(f(x)) + onp.shape(x))


def fd_hessian(f, x):
    """Differences of the gradient, itself checked against differences of ``f``."""
    g = grad(f)
    onp.testing.assert_allclose(g(x), fd(f, x), rtol=1e-6, atol=1e-8)
    return fd(g, x)


# ------------------------------------------------------------ VJP-only: safe_exp
def test_safe_exp_hessian_is_reverse_over_reverse():
    H = hessian(loglik)(X)
    onp.testing.assert_allclose(H, fd_hessian(loglik, X), rtol=1e-6, atol=1e-7)
    onp.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-12)


def test_safe_exp_make_hvp_and_hessian_vector_products():
    H = fd_hessian(loglik, X)
    hvp, g = make_hvp(loglik)(X)
    onp.testing.assert_allclose(g, grad(loglik)(X), rtol=1e-12)
    onp.testing.assert_allclose(hvp(V), H @ V, rtol=1e-6, atol=1e-7)
    for product in (hessian_vector_product, hessian_tensor_product):
        onp.testing.assert_allclose(product(loglik)(X, V), H @ V, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("mode", ["auto", "fwd"])
def test_safe_exp_jacobian_falls_back_and_explains(mode):
    f = lambda x: safe_exp(A @ x) * x[0]  # square: auto picks forward mode
    J, choice = jacobian(f, mode=mode, explain=True)(X)
    onp.testing.assert_allclose(J, fd(f, X), rtol=1e-6, atol=1e-8)
    assert choice.mode == "rev"
    assert "'safe_exp' has no JVP rule" in choice.reason
    assert "reverse mode was used instead of forward mode" in str(choice)
    onp.testing.assert_allclose(jacfwd(f)(X), J, rtol=1e-12)


def test_explain_says_nothing_when_no_fallback_was_needed():
    _, choice = jacobian(lambda x: np.exp(x), explain=True)(X)
    assert "instead" not in choice.reason


def test_safe_exp_nested_transforms():
    # third order, and explicit forward-mode compositions over a VJP-only primitive
    f = lambda x: np.sum(safe_exp(x) * x)
    h = lambda x: np.sum(hessian(f)(x) * A)
    onp.testing.assert_allclose(grad(h)(X), fd(h, X), rtol=1e-6, atol=1e-7)
    H = fd_hessian(f, X)
    onp.testing.assert_allclose(jacfwd(jacfwd(grad(f)))(X).sum(0), fd(hessian(f), X).sum(0),
                                rtol=1e-6, atol=1e-7)
    onp.testing.assert_allclose(jacfwd(jacrev(f))(X), H, rtol=1e-6, atol=1e-7)
    onp.testing.assert_allclose(jacfwd(grad(f))(X), H, rtol=1e-6, atol=1e-7)


def test_safe_exp_forward_transforms_use_two_reverse_passes():
    e = onp.exp(X)
    out, t = jvp(safe_exp, (X,), (V,))
    onp.testing.assert_allclose(out, e, rtol=1e-14)
    onp.testing.assert_allclose(t, e * V, rtol=1e-14)
    onp.testing.assert_allclose(make_jvp(safe_exp)(X)(V)[1], e * V, rtol=1e-14)
    onp.testing.assert_allclose(deriv(safe_exp)(0.4), onp.exp(0.4), rtol=1e-14)
    z, tz = onp.array([0.3 + 0.2j, -1 + 0.5j]), onp.array([1 + 2j, 0.5 - 1j])
    onp.testing.assert_allclose(jvp(lambda z: safe_exp(z) * np.conj(z), (z,), (tz,))[1],
                                jvp(lambda z: np.exp(z) * np.conj(z), (z,), (tz,))[1],
                                rtol=1e-14)


@settings(max_examples=25, deadline=None)
@given(small_arrays(domain=(-3.0, 3.0), shape=(3,)))
def test_safe_exp_hessian_equals_exp_hessian(x):
    onp.testing.assert_allclose(hessian(loglik)(x),
                                hessian(lambda x: loglik_with(np.exp, x))(x),
                                rtol=1e-10, atol=1e-12)


def loglik_with(exp, x):
    return np.sum(exp(A @ x) * x) - np.sum(np.log1p(exp(x)))


def test_fallback_reruns_the_function_once_and_logs_it(caplog):
    calls = []

    def f(x):
        calls.append(1)
        return safe_exp(x)
    with caplog.at_level(logging.INFO, logger="dualgrad"):
        jacfwd(f)(X)
    assert len(calls) == 2  # the forward attempt stops at safe_exp; reverse runs once
    assert "safe_exp" in caplog.text and "JVP" in caplog.text
    calls.clear()
    jacfwd(np.exp)(X), jacfwd(lambda x: (calls.append(1), np.exp(x))[1])(X)
    assert len(calls) == 1  # rules exist: no second run


# ------------------------------------------------------------------ JVP-only
def test_jvp_only_primitive_under_reverse_transforms():
    J = fd(lambda x: cube(A @ x), X)
    g = grad(cubic)(X)
    onp.testing.assert_allclose(g, fd(cubic, X), rtol=1e-6, atol=1e-8)
    val, g2 = value_and_grad(cubic)(X)
    assert val == pytest.approx(float(onp.sum((A @ X) ** 3 * X)), rel=1e-14)
    onp.testing.assert_allclose(g2, g, rtol=1e-14)
    onp.testing.assert_allclose(elementwise_grad(cube)(X), 3 * X ** 2, rtol=1e-14)
    Jr, choice = jacobian(lambda x: cube(A @ x), mode="rev", explain=True)(X)
    onp.testing.assert_allclose(Jr, J, rtol=1e-6, atol=1e-8)
    assert choice.mode == "fwd" and "'cube' has no VJP rule" in choice.reason
    wide = lambda x: np.sum(cube(x))  # auto picks reverse for R^3 -> R
    assert jacobian(wide, explain=True)(X)[1].mode == "fwd"
    onp.testing.assert_allclose(jacrev(wide)(X), 3 * X ** 2, rtol=1e-14)
    s = grad(lambda t: cube(t))(0.5)
    assert s == pytest.approx(0.75) and onp.ndim(s) == 0


def test_jvp_only_primitive_under_second_order():
    H = fd_hessian(cubic, X)
    onp.testing.assert_allclose(hessian(cubic)(X), H, rtol=1e-6, atol=1e-7)
    hvp, g = make_hvp(cubic)(X)
    onp.testing.assert_allclose(g, grad(cubic)(X), rtol=1e-14)
    onp.testing.assert_allclose(hvp(V), H @ V, rtol=1e-6, atol=1e-7)
    onp.testing.assert_allclose(hessian_vector_product(cubic)(X, V), H @ V, rtol=1e-6,
                                atol=1e-7)
    assert grad(grad(lambda t: cube(t)))(0.5) == pytest.approx(3.0, rel=1e-14)


# ------------------------------------------------------------------ no mode
@pytest.mark.parametrize("transform", [grad, hessian, jacfwd, jacrev, make_jvp,
                                       lambda f: (lambda x: make_hvp(f)(x)[0](V))])
def test_a_rule_missing_in_both_modes_reaches_the_user_as_is(transform):
    f = lambda x: np.sum(ruleless(x) * x)
    with pytest.raises(MissingRuleError, match="'ruleless'.*in either mode"):
        out = transform(f)(X)
        out(V) if callable(out) else out


def test_a_jvp_only_and_a_vjp_only_primitive_together_name_both():
    f = lambda x: np.sum(cube(x) * safe_exp(x))
    for transform in (grad, hessian, jacfwd):
        with pytest.raises(DifferentiationError) as info:
            transform(f)(X)
        assert not isinstance(info.value, MissingRuleError)  # enclosing transforms stop
        msg = str(info.value)
        assert "cannot run in any mode" in msg
        assert "VJP rule for 'cube'" in msg and "JVP rule for 'safe_exp'" in msg


# ------------------------------------------------------------ every transform
# The README's claim: a primitive with only a VJP (or only a JVP) never blocks a
# transform. Each public transform of dualgrad and dualgrad.sparse, called on a
# function of such a primitive, gives what it gives with np.exp (both rules).
@primitive
def vjp_exp(x):
    return onp.exp(x)


defvjp(vjp_exp, lambda ans, x: lambda g: g * ans)


@primitive
def jvp_exp(x):
    return onp.exp(x)


defjvp(jvp_exp, lambda t, ans, x: t * ans)

ONE_RULE = {"VJP only": vjp_exp, "JVP only": jvp_exp}


def _calls(e):
    """Each transform applied to functions of ``e`` (an exp), by name."""
    import dualgrad
    from dualgrad import sparse
    s = lambda x: np.sum(e(x) * x)                                 # noqa: E731  R^3 -> R
    v = lambda x: e(x) * x[::-1]                                   # noqa: E731  R^3 -> R^3
    line = lambda t: np.sum(e(X * t))                              # noqa: E731  R -> R
    two = lambda a, b: s(a) * b                                    # noqa: E731
    d = dualgrad
    return {
        "grad": lambda: d.grad(s)(X),
        "value_and_grad": lambda: d.value_and_grad(s)(X),
        "grad_and_aux": lambda: d.grad_and_aux(lambda x: (s(x), e(x)))(X),
        "elementwise_grad": lambda: d.elementwise_grad(e)(X),
        "deriv": lambda: d.deriv(line)(1.0),
        "make_jvp": lambda: d.make_jvp(v)(X)(V),
        "make_vjp": lambda: d.make_vjp(v)(X)[0](V),
        "vector_jacobian_product": lambda: d.vector_jacobian_product(v)(X, V),
        "tensor_jacobian_product": lambda: d.tensor_jacobian_product(v)(X, V),
        "jacobian": lambda: [d.jacobian(v, mode=m)(X) for m in ("auto", "fwd", "rev")],
        "jacfwd": lambda: d.jacfwd(v)(X),
        "jacrev": lambda: d.jacrev(v)(X),
        "hessian": lambda: d.hessian(s)(X),
        "hessian_tensor_product": lambda: d.hessian_tensor_product(s)(X, V),
        "hessian_vector_product": lambda: d.hessian_vector_product(s)(X, V),
        "make_hvp": lambda: d.make_hvp(s)(X)[0](V),
        "make_ggnvp": lambda: d.make_ggnvp(v)(X)(V),
        "holomorphic_grad": lambda: d.holomorphic_grad(lambda z: np.sum(e(z)))(X + 0.5j),
        "multigrad_dict": lambda: d.multigrad_dict(two)(X, 2.0),
        "grad_named": lambda: d.grad_named(two, "a")(X, 2.0),
        "checkpoint": lambda: [d.grad(d.checkpoint(s))(X), d.jvp(d.checkpoint(v), (X,), (V,))],
        "jvp": lambda: d.jvp(v, (X,), (V,)),
        "vjp": lambda: d.vjp(v, X)[1](V),
        "jet": lambda: d.jet(s, (X,), ((V, V, X),)),
        "taylor": lambda: d.taylor(v, X, V, order=3),
        "derivatives": lambda: d.derivatives(line, order=3)(0.5),
        "laplacian": lambda: d.laplacian(s)(X),
        "linearize": lambda: d.linearize(v, X)[1](V),
        "linear_transpose": lambda: d.linear_transpose(d.linearize(v, X)[1], X)(V),
        "vmap": lambda: [d.vmap(v)(onp.stack([X, V])), d.vmap(d.grad(s))(onp.stack([X, V]))],
        "jit": lambda: [d.jit(v)(X), d.jit(d.grad(s))(X), d.jit(d.jacobian(v))(X),
                        d.grad(d.jit(s))(X)],
        "linear_operator": lambda: (d.linear_operator(v, X) @ V, d.linear_operator(v, X).T @ V),
        "sparse.jacobian": lambda: [sparse.jacobian(v, mode=m)(X).toarray()
                                    for m in ("auto", "fwd", "rev", "bi")],
        "sparse.hessian": lambda: sparse.hessian(s)(X).toarray(),
        # an opaque primitive's pattern is dense (all outputs on all inputs): a superset
        "sparse.jacobian_sparsity": lambda: sparse.jacobian_sparsity(v, X).toarray() | True,
        "sparse.hessian_sparsity": lambda: sparse.hessian_sparsity(s, X).toarray() | True,
    }


# names of dualgrad and dualgrad.sparse that are not transforms of a function
NOT_TRANSFORMS = {
    "primitive", "notrace_primitive", "defjvp", "defvjp", "custom_jvp", "custom_vjp",  # rules
    "stop_gradient", "pick_mode", "ModeChoice", "register_pytree_node",  # values, sizes, types
    "isinstance", "type", "tuple", "list", "dict", "PerformanceWarning",
    "check_grads",  # checks the rules of the modes it is given (below)
    "sparse.SparseJacobian", "sparse.SparseHessian", "sparse.SparseChoice",  # what they return
    "sparse.PatternChanged", "sparse.column_colouring", "sparse.row_colouring",  # of patterns
    "sparse.star_colouring", "sparse.bicolouring", "sparse.linear_operator",  # (= top level)
}


def test_the_walk_covers_every_public_transform():
    import dualgrad
    from dualgrad import sparse
    public = set(dualgrad.__all__) | {f"sparse.{n}" for n in sparse.__all__}
    assert public - NOT_TRANSFORMS == set(_calls(np.exp)), "add the new transform to _calls"


def _flat(r):
    if isinstance(r, dict):
        return _flat([r[k] for k in sorted(r)])
    if isinstance(r, (tuple, list)):
        return onp.concatenate([_flat(p) for p in r]) if r else onp.zeros(0)
    return onp.ravel(onp.asarray(r, dtype=complex))


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("kind", ONE_RULE)
@pytest.mark.parametrize("name", sorted(_calls(np.exp)))
def test_a_one_rule_primitive_never_blocks_a_transform(name, kind):
    expected = _calls(np.exp)[name]()
    got = _calls(ONE_RULE[kind])[name]()
    onp.testing.assert_allclose(_flat(got), _flat(expected), rtol=1e-9, atol=1e-12)


def test_check_grads_checks_the_modes_whose_rules_exist():
    from dualgrad import check_grads
    check_grads(lambda x: vjp_exp(x) * x, modes=("rev",))(X)
    check_grads(lambda x: jvp_exp(x) * x, modes=("fwd",))(X)
    with pytest.raises(MissingRuleError, match="No JVP rule for 'vjp_exp'"):
        check_grads(lambda x: vjp_exp(x) * x, modes=("fwd",))(X)
