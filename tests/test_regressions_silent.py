"""Regressions: results that were wrong or zero WITHOUT an error (issue 11).

Each test failed on the code before its fix; each checks the mathematics against
a direct reference (the same function written with other primitives, finite
differences, autograd, or a loop over examples)."""
import collections
import copy
import dataclasses
import threading

import numpy as onp
import pytest

import dualgrad.numpy as np
import dualgrad.scipy.special as sps
from dualgrad import (deriv, grad, hessian, jacobian, make_vjp, register_pytree_node,
                      value_and_grad, vmap)
from dualgrad.core import UnexpectedTracerError
from dualgrad.extend import defjvp, defvjp, primitive
from dualgrad.test_util import check_grads

Z = onp.array([[0.3 + 0.5j, -0.2 + 1.1j, 0.7 - 0.4j], [1.0 + 2.0j, 0.1 - 3.0j, -1.0 + 1.0j]])


# ------------------------------------------------------- 1. complex logsumexp
def _lse_ref(z, axis):
    return np.log(np.sum(np.exp(z), axis=axis))


COMPLEX_LSE = [
    ("logsumexp", lambda z, ax: sps.logsumexp(z, axis=ax), _lse_ref),
    ("softmax", lambda z, ax: sps.softmax(z, axis=ax),
     lambda z, ax: np.exp(z) / np.sum(np.exp(z), axis=ax, keepdims=True)),
    ("log_softmax", lambda z, ax: sps.log_softmax(z, axis=ax),
     lambda z, ax: z - np.log(np.sum(np.exp(z), axis=ax, keepdims=True))),
]


@pytest.mark.parametrize("axis", [None, 1])
@pytest.mark.parametrize("name, f, ref", COMPLEX_LSE, ids=[c[0] for c in COMPLEX_LSE])
def test_complex_logsumexp_family_matches_direct_formula(name, f, ref, axis):
    # the traced value keeps the phase, and all four real partials match the
    # formula differentiated directly, in both modes
    val, _ = make_vjp(lambda z: f(z, axis))(Z)[::-1]
    assert onp.allclose(onp.exp(val), onp.exp(ref(Z, axis)))
    for mode in ("fwd", "rev"):
        got = jacobian(lambda z: f(z, axis), mode=mode, complex_layout="real")(Z)
        want = jacobian(lambda z: ref(z, axis), mode=mode, complex_layout="real")(Z)
        assert onp.allclose(got, want), (name, mode)
    check_grads(lambda z: f(z, axis), modes=["fwd", "rev"], order=2)(Z)


def test_complex_logsumexp_grad_matches_autograd():
    import autograd
    import autograd.numpy as anp
    import autograd.scipy.special as asps
    want = autograd.grad(lambda z: anp.real(asps.logsumexp(z) * (1 - 2j)))(Z)
    got = grad(lambda z: np.real(sps.logsumexp(z) * (1 - 2j)))(Z)
    assert onp.allclose(got, want)


def test_complex_logsumexp_return_sign_is_scipys():
    out, sgn = sps.logsumexp(Z, axis=1, return_sign=True)
    traced = make_vjp(lambda z: sps.logsumexp(z, axis=1, return_sign=True)[0])(Z)[1]
    assert onp.allclose(traced, out) and onp.isrealobj(traced)
    assert onp.allclose(grad(lambda z: np.sum(sps.logsumexp(z, axis=1, return_sign=True)[0]))(Z),
                        grad(lambda z: np.sum(np.log(np.abs(np.sum(np.exp(z), axis=1)))))(Z))


# ------------------------------------------------ 2. container-valued primitives
@primitive
def _sincos(x):
    return (onp.sin(x), onp.cos(x))


defvjp(_sincos, lambda ans, x: lambda g: g[0] * np.cos(x) - g[1] * np.sin(x))
defjvp(_sincos, lambda t, ans, x: (t * np.cos(x), -t * np.sin(x)))


@primitive
def _parts(x):
    return {"s": onp.sin(x), "n": 3, "l": [x ** 2, onp.exp(x)]}


defvjp(_parts, lambda ans, x: lambda g: g["s"] * np.cos(x) + g["l"][0] * 2 * x
       + g["l"][1] * np.exp(x))
defjvp(_parts, lambda t, ans, x: {"s": t * np.cos(x), "n": None,
                                  "l": [2 * x * t, t * np.exp(x)]})


def _uses_tuple(x):
    s, c = _sincos(x)
    return s + 2 * c ** 2


def _uses_tuple_ref(x):
    return np.sin(x) + 2 * np.cos(x) ** 2


def _uses_dict(x):
    d = _parts(x)
    return d["s"] * d["l"][0] + d["l"][1] * d["n"]


def _uses_dict_ref(x):
    return np.sin(x) * x ** 2 + 3 * np.exp(x)


@pytest.mark.parametrize("f, ref", [(_uses_tuple, _uses_tuple_ref), (_uses_dict, _uses_dict_ref)])
def test_container_valued_primitive_every_mode_and_order(f, ref):
    x = 0.7
    for d1 in (grad, deriv):
        assert onp.isclose(d1(f)(x), d1(ref)(x))
        for d2 in (grad, deriv):
            assert onp.isclose(d2(d1(f))(x), d2(d1(ref))(x))
    check_grads(f, modes=["fwd", "rev"], order=2)(x)
    xs = onp.linspace(-1.0, 1.0, 4)
    assert onp.allclose(vmap(grad(f))(xs), [grad(ref)(v) for v in xs])
    assert onp.allclose(grad(lambda v: np.sum(vmap(f)(v)))(xs), vmap(grad(ref))(xs))


def test_container_valued_primitive_unused_part_gets_zero_cotangent():
    x = onp.array([0.1, 0.5, 2.0])
    assert onp.allclose(grad(lambda x: np.sum(_sincos(x)[1]))(x), -onp.sin(x))
    assert onp.allclose(jacobian(lambda x: _sincos(x)[0])(x), onp.diag(onp.cos(x)))


@dataclasses.dataclass
class _SinCos:
    s: object
    c: object


register_pytree_node(_SinCos, lambda p: ((p.s, p.c), None), lambda _, ch: _SinCos(*ch))
_SinCosNT = collections.namedtuple("_SinCosNT", "s c")


@pytest.mark.parametrize("box", [_SinCos, _SinCosNT], ids=["registered", "namedtuple"])
def test_primitive_returning_a_registered_class_or_namedtuple(box):
    # Both parts of one answer reach the backward pass: their cotangents are added as
    # containers, which a registered class need not support ('+' raised TypeError),
    # and vmap's loop stacked the answers as one leaf ('Batched' has no attribute 's').
    seen = []

    @primitive
    def sincos(x):
        return box(onp.sin(x), onp.cos(x))

    def sincos_vjp(ans, x):
        def vjp(g):
            seen.append(type(g))
            return g.s * np.cos(x) - g.c * np.sin(x)
        return vjp
    defvjp(sincos, sincos_vjp)

    def f(x):
        p = sincos(x)
        return np.sum(p.s + 2 * p.c)
    x = onp.array([0.3, -0.7, 1.1])
    want = onp.cos(x) - 2 * onp.sin(x)
    assert onp.allclose(grad(f)(x), want)
    assert seen and all(t is box for t in seen)  # the rule sees the user's class
    assert onp.allclose(vmap(grad(f))(onp.stack([x, -x])), onp.stack([want, grad(f)(-x)]))
    assert onp.allclose(vmap(lambda v: sincos(v).c)(onp.stack([x, -x])),
                        onp.cos(onp.stack([x, -x])))


# -------------------------------------------------------------- 3. deepcopy
@pytest.mark.parametrize("cp", [copy.copy, copy.deepcopy])
def test_copy_and_deepcopy_of_traced_values_keep_the_derivative(cp):
    assert grad(lambda x: cp(x) * x)(3.0) == 6.0
    assert deriv(lambda x: cp({"a": x, "b": [x]})["b"][0] * x)(3.0) == 6.0
    xs = onp.arange(3.0)
    assert onp.allclose(vmap(lambda x: cp(x) * x)(xs), xs ** 2)
    assert onp.allclose(vmap(grad(lambda x: cp(x) ** 3))(xs), 3 * xs ** 2)


# --------------------------------------------- 4. tracers outliving their transform
def _raises_stale(f):
    with pytest.raises(UnexpectedTracerError, match="after that transform"):
        f()


@pytest.mark.parametrize("d", [grad, deriv])
def test_tracer_cached_across_calls_raises(d):
    cache = {}

    def f(x):
        if "y" not in cache:
            cache["y"] = np.sin(x)
        return cache["y"] * x
    assert onp.isclose(d(f)(1.0), onp.sin(1.0) + onp.cos(1.0))
    _raises_stale(lambda: d(f)(2.0))


@pytest.mark.parametrize("d", [grad, deriv])
def test_tracer_returned_through_a_global_raises(d):
    saved = []
    d(lambda x: saved.append(x * 2) or x * x)(1.0)
    _raises_stale(lambda: d(lambda x: saved[0])(2.0))
    _raises_stale(lambda: value_and_grad(lambda x: saved[0] + x)(2.0))
    _raises_stale(lambda: np.sin(saved[0]))


def test_batched_tracer_outliving_vmap_raises():
    saved = []
    vmap(lambda x: saved.append(x) or x)(onp.arange(3.0))
    _raises_stale(lambda: vmap(lambda x: x * saved[0])(onp.arange(3.0)))
    _raises_stale(lambda: saved[0] > 0)


def _says_it_crossed_threads(message):
    """The message of a tracer used on a thread other than its transform's: it says the
    transform is still running (not "used after that transform is running"), and names
    the fix for threads."""
    assert "still running on the thread that started it" in message
    assert "can't cross threads" in message and "inside the worker" in message
    assert "used after" not in message and "finished" not in message


def test_tracer_from_another_threads_grad_raises():
    made, done, box, errors = threading.Event(), threading.Event(), [], []

    def worker():
        def f(x):
            box.append(x * 2)
            made.set()
            done.wait(10)
            return x
        try:
            grad(f)(1.0)
        except Exception as e:  # pragma: no cover (reported below)
            errors.append(e)
    t = threading.Thread(target=worker)
    t.start()
    made.wait(10)
    try:
        for f in (lambda x: box[0], lambda x: box[0] * x, lambda x: x * box[0]):
            with pytest.raises(UnexpectedTracerError, match="another thread") as info:
                value_and_grad(f)(3.0)
            _says_it_crossed_threads(str(info.value))
            with pytest.raises(UnexpectedTracerError, match="another thread") as info:
                deriv(f)(3.0)
            _says_it_crossed_threads(str(info.value))
    finally:
        done.set()
        t.join()
    assert not errors


def test_tracers_of_finished_levels_still_serve_legitimate_uses():
    vjp, val = make_vjp(lambda x: np.sin(x) * x)(0.5)
    assert onp.isclose(vjp(1.0), onp.cos(0.5) * 0.5 + onp.sin(0.5))
    assert onp.isclose(vjp(2.0), 2 * (onp.cos(0.5) * 0.5 + onp.sin(0.5)))
    H = hessian(lambda x: np.sum(np.sin(x) ** 2))(onp.ones(2))
    assert onp.allclose(H, onp.diag(2 * onp.cos(2.0) * onp.ones(2)))


# -------------------------------------------------------- 6. repeated argnum
def test_repeated_argnum_raises_instead_of_a_zero():
    f = lambda x, y: x * x * y                                      # noqa: E731
    for argnum in [(0, 0), (1, -1)]:
        with pytest.raises(ValueError, match="more than once"):
            grad(f, argnum=argnum)(1.0, 1.0)
    assert grad(f, argnum=(1, 0))(2.0, 3.0) == (4.0, 12.0)


# ------------------------------------------- 5. vmap over values a rule reads
XS = onp.array([[0.5, 1.5], [2.5, 0.1], [1.0, 2.0]])
XP, FP = onp.array([0.0, 1.0, 2.0, 3.0]), onp.array([0.0, 10.0, 5.0, 7.0])
K = onp.array([[1.0, 2.0], [3.0, 0.0]])


def _poisson(k):
    import dualgrad.scipy.stats as st
    return st.poisson.logpmf(k, 1.3)


def _poisson_grad(k):
    import dualgrad.scipy.stats as st
    return grad(lambda mu: np.sum(st.poisson.logpmf(k, mu)))(1.3)


READS_NUMBERS = [
    ("interp", lambda x: np.interp(x, XP, FP), XS),
    ("interp_grad", lambda x: grad(lambda x: np.sum(np.interp(x, XP, FP) ** 2))(x), XS),
    ("poisson_logpmf", _poisson, K),
    ("poisson_logpmf_grad_mu", _poisson_grad, K),
    ("histogram", lambda x: np.histogram(x, bins=3, range=(0, 3))[0], XS),
    ("unravel_index", lambda i: np.unravel_index(i, (2, 3))[1], onp.array([1, 4, 5])),
]


@pytest.mark.parametrize("name, f, xs", READS_NUMBERS, ids=[c[0] for c in READS_NUMBERS])
def test_vmap_of_functions_reading_values_matches_a_loop(name, f, xs):
    assert onp.allclose(vmap(f)(xs), onp.stack([f(x) for x in xs]))


def test_poisson_logpmf_per_example_values_and_gradient_are_right():
    from scipy.stats import poisson
    assert onp.allclose(vmap(_poisson)(K), poisson.logpmf(K, 1.3))
    assert onp.allclose(vmap(_poisson_grad)(K), onp.sum(K / 1.3 - 1, axis=1))


def test_the_batching_placeholder_gives_no_numbers():
    from dualgrad.core import BatchingError, getval
    seen = []

    def probe(x):
        p = getval(x)
        assert p.shape == (2,) and p.dtype == onp.float64 and onp.shape(p) == (2,)
        for read in (onp.asarray, onp.array, float, onp.exp, lambda p: p + 1.0,
                     lambda p: p > 0, lambda p: p.item(), lambda p: p.tolist(),
                     lambda p: onp.sum(p), lambda p: onp.interp(p, XP, FP)):
            with pytest.raises(BatchingError):
                read(p)
        with pytest.raises(TypeError):
            memoryview(p)  # no buffer to read either
        seen.append(True)
        return x
    from dualgrad.interpreters.batching import BatchLevel, batch_wrap
    with BatchLevel.new(3) as level:
        probe(batch_wrap(level, XS))
    assert seen


# ------------------------------------------------- 7. float32 solve_triangular
def test_solve_triangular_float32_gets_float32_derivatives_from_the_rule_itself():
    import scipy.linalg as sla

    import dualgrad.scipy.linalg as sl
    from dualgrad.rules.scipy_linalg import solve_triangular_p
    A = (onp.tril(onp.arange(1.0, 10.0).reshape(3, 3)) + 3 * onp.eye(3)).astype(onp.float32)
    b = onp.array([1.0, -2.0, 0.5], onp.float32)
    ans = sla.solve_triangular(A, b, lower=True)
    for argnum in (0, 1):  # the rules, not only the boundary, keep float32
        ct = solve_triangular_p.vjp_rule(argnum)(onp.ones(3, onp.float32), ans, A, b, lower=True)
        t = solve_triangular_p.jvp_rule(argnum)((A, b)[argnum], ans, A, b, lower=True)
        assert ct.dtype == onp.float32 and t.dtype == onp.float32
    f = lambda A: np.sum(sl.solve_triangular(A, b, lower=True) ** 2)  # noqa: E731
    g32 = grad(f)(A)
    assert g32.dtype == onp.float32
    assert onp.allclose(g32, grad(f)(A.astype(onp.float64)), rtol=1e-4)


# ------------------------------------------------ crashes where an answer exists
def test_clip_whose_bounds_broadcast_the_value_both_modes():
    x = onp.array([0.45])
    lo = onp.array([[0.0, 0.6, 0.2], [0.1, 0.1, 0.7]])
    hi = lo + 0.3
    for m in ("fwd", "rev"):
        J = jacobian(lambda x: np.clip(x, lo, hi), mode=m)(x)
        assert onp.allclose(J.ravel(), ((lo <= 0.45) & (0.45 <= hi)).ravel())
    check_grads(lambda x: np.clip(x, lo, hi), modes=["fwd", "rev"], order=2)(x)
    check_grads(lambda lo, hi: np.clip(x, lo, hi), modes=["fwd", "rev"])(lo, hi)


SINGULAR = [onp.array([[1.0, 2.0], [2.0, 4.0]]), onp.array([[1.0, 2, 3], [2, 4, 6], [0, 1, 1]]),
            onp.zeros((3, 3)), onp.array([[[1.0, 2.0], [2.0, 4.0]], [[1.0, 0.0], [0.0, 0.0]]])]


def _adjugate_ref(a):
    """adj(A)_ji = (-1)^(i+j) det(A without row i, column j), with numpy."""
    n = a.shape[-1]
    cof = onp.empty_like(a)
    for i in range(n):
        for j in range(n):
            minor = onp.delete(onp.delete(a, i, axis=-2), j, axis=-1)
            cof[..., i, j] = (-1) ** (i + j) * onp.linalg.det(minor)
    return onp.swapaxes(cof, -1, -2)


@pytest.mark.parametrize("a", SINGULAR, ids=["2x2", "3x3_rank2", "zeros", "stack"])
def test_det_at_a_singular_matrix_uses_the_adjugate(a):
    want = onp.swapaxes(_adjugate_ref(a), -1, -2)  # d det / dA = adj(A)^T
    assert onp.allclose(grad(lambda a: np.sum(np.linalg.det(a)))(a), want)
    assert onp.allclose(jacobian(np.linalg.det, mode="fwd")(a), jacobian(np.linalg.det)(a))
    check_grads(np.linalg.det, modes=["fwd", "rev"], order=2)(a)


E4 = onp.arange(12.0).reshape(4, 3)
I3 = onp.array([0, 2, 3])
BATCHED_INDICES = [
    ("E[i]", lambda i: E4[i]), ("take", lambda i: np.take(E4, i, axis=0)),
    ("eye[i]", lambda i: np.eye(4)[i]), ("choose", lambda i: np.choose(i, [1.0, 2.0, 3.0, 4.0])),
    ("traced E[i]", lambda i: grad(lambda E: np.sum(E[i] ** 2))(E4)),
]


@pytest.mark.parametrize("name, f", BATCHED_INDICES, ids=[c[0] for c in BATCHED_INDICES])
def test_vmap_with_batched_integer_indices_matches_a_loop(name, f):
    assert onp.allclose(vmap(f)(I3), onp.stack([f(i) for i in I3]))


def test_vmap_with_batched_boolean_masks_matches_a_loop():
    X = onp.arange(6.0).reshape(2, 3)
    M = onp.array([[True, False, True], [False, True, True]])
    f = lambda x, m: np.sum(x[m] ** 2)                              # noqa: E731
    assert onp.allclose(vmap(f)(X, M), [f(x, m) for x, m in zip(X, M)])
    assert onp.allclose(vmap(grad(f))(X, M), 2 * X * M)
    assert onp.allclose(vmap(lambda x: np.sum(x[x > 1]))(X), [2.0, 12.0])


def test_float32_through_batched_forward_and_per_example_gradients():
    # the constant 2/sqrt(pi) in erf's derivative is float64: it must not promote
    x = onp.array([0.2, 0.5], onp.float32)
    want = 2 / onp.sqrt(onp.pi) * onp.exp(-x.astype(float) ** 2)
    for got in (onp.diag(jacobian(sps.erf, mode="fwd")(x)), vmap(grad(sps.erf))(x),
                onp.diag(jacobian(sps.erf, mode="rev")(x))):
        assert got.dtype == onp.float32 and onp.allclose(got, want, rtol=1e-6)
