"""The seams between features: random programs that combine two or three of them,
each compared with a plain reference.

A seam program is a random program of the shared fuzzer (``test_fuzz_programs``,
plus the sparse fuzzer's pending-array and view operations), wrapped in one or two
*features* and then put through one *transform* (itself maybe under ``jit`` or
``vmap``):

- features: ``checkpoint``, ``jit`` (inside the transform), ``custom_jvp`` and
  ``custom_vjp`` (rules written with dualgrad's own ``jvp``/``vjp``), a
  ``stop_gradient`` term, a dataclass or dict pytree round trip (and a
  ``checkpoint``/``custom_vjp``/``custom_jvp`` returning one), ``vmap`` over two
  copies of x (so a transform differentiates through the batching), a pending array
  (``y = np.zeros(n); y[i] = ...``) and a write through a view;
- transforms: ``grad``, ``value_and_grad``, ``jacfwd``, ``jacrev``, ``hessian``,
  ``vmap(grad)``, ``vmap(jacfwd)``, ``jet``, ``derivatives``, ``laplacian``,
  ``linearize`` and ``linear_transpose``, ``sparse.jacobian`` (each mode),
  ``sparse.hessian``, and ``jit`` of ``grad``, ``jacobian``, ``jet`` and
  ``sparse.jacobian`` (traced at one point, replayed at another); and, at mpmath
  points (30 digits), ``grad``, ``jacfwd``, ``jacrev``, ``hessian`` and ``jet``.

The reference is the same program without the features, through independent
machinery: dense ``jacobian``/``hessian``, ``jvp``/``vjp``, nested ``jvp`` for the
Taylor coefficients, a loop for ``vmap``. A feature that changes the derivative on
purpose carries its own reference (``2 f - stop_gradient(f)`` has f's value and
``2 f``'s derivatives). A result is either right or an error whose message names
what is unsupported (the table ``REFUSED``); a wrong or zero answer fails, and so
does any other exception.

Beside the random draws, a grid puts every feature, alone and inside every other
one, under the transforms (CI: a pair under a third of them in turn; on demand,
all). CI runs ``FUZZ_CI_EXAMPLES`` derandomized examples per property;
``DUALGRAD_FUZZ_EXAMPLES=N`` runs N fresh ones, with longer programs.
"""
from __future__ import annotations

import dataclasses
import re

import mpmath
import numpy as onp
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dualgrad
import dualgrad.numpy as np
from dualgrad import (checkpoint, custom_jvp, custom_vjp, derivatives, grad, hessian, jacfwd,
                      jacrev, jet, jit, jvp, laplacian, linear_transpose, linearize,
                      register_pytree_node, sparse, stop_gradient, value_and_grad, vjp, vmap)
from dualgrad.core import tree_flatten
from test_fuzz_programs import BINARY, UNARY, _ON_DEMAND, Program, _programs, fuzz_settings
from test_sparse_fuzz import SPARSE_BINARY, SPARSE_UNARY

ALL_UNARY, ALL_BINARY = {**UNARY, **SPARSE_UNARY}, {**BINARY, **SPARSE_BINARY}
_STEPS = 6 if _ON_DEMAND else 4
programs = _programs(ALL_UNARY, ALL_BINARY, _STEPS)

# the operations with an mpmath path (no fft, linalg decompositions or special functions
# without one): mpmath programs draw from these
MP_UNARY = {k: UNARY[k] for k in ("sin", "cos", "tanh", "arctan", "exp_sin", "log1p_sq",
                                  "log_1_sq", "sqrt_1_sq", "a_tanh_a", "recip", "power",
                                  "cumsum", "reverse", "roll", "perm", "take", "center",
                                  "view_writes")}
MP_BINARY = {k: BINARY[k] for k in ("add", "sub_half", "mul_tanh", "div", "hypot",
                                    "sum_axis0", "mean_axis1", "view_writes_binary",
                                    "pending_views")}
mp_programs = _programs(MP_UNARY, MP_BINARY, _STEPS)


# --------------------------------------------------------------- features
@dataclasses.dataclass
class Pair:
    """A dataclass pytree (registered below): the head and the tail of x."""
    head: object
    tail: object


register_pytree_node(Pair, lambda p: ((p.head, p.tail), None), lambda _, c: Pair(*c))


def _split(x):
    return Pair(x[:1], x[1:])


def _join(p):
    return np.concatenate([p.head, p.tail])


class Feature:
    """``wrap(f)`` is f with the feature; ``deriv_ref(f)`` a plain function with the same
    derivatives (of every order), ``value_ref(f)`` one with the same value."""

    def __init__(self, name, wrap, deriv_ref=None, value_ref=None):
        self.name, self.wrap = name, wrap
        self.deriv_ref = deriv_ref or (lambda f: f)
        self.value_ref = value_ref or (lambda f: f)

    def __repr__(self):
        return self.name


def _custom_jvp(f):
    @custom_jvp
    def g(x):
        return f(x)

    @g.defjvp
    def g_jvp(primals, tangents):
        return jvp(f, primals, tangents)
    return g


def _custom_vjp(f):
    @custom_vjp
    def g(x):
        return f(x)

    def fwd(x):
        return f(x), x

    def bwd(x, ct):
        return vjp(f, x)[1](ct)
    g.defvjp(fwd, bwd)
    return g


def _custom_vjp_tree(f):
    """custom_vjp returning a dataclass, with a dataclass of residuals."""
    @custom_vjp
    def g(x):
        return _split(f(x))

    def fwd(x):
        return g(x), Pair(x, x * 1.0)

    def bwd(res, ct):
        return vjp(f, res.head)[1](_join(ct))
    g.defvjp(fwd, bwd)
    return lambda x: _join(g(x))


def _custom_jvp_tree(f):
    """custom_jvp returning a tuple (its rule's tangent a tuple too)."""
    @custom_jvp
    def g(x):
        y = f(x)
        return y[:1], y[1:]

    @g.defjvp
    def g_jvp(primals, tangents):
        y, t = jvp(f, primals, tangents)
        return (y[:1], y[1:]), (t[:1], t[1:])
    return lambda x: np.concatenate(g(x))


def _stop_gradient(f):
    def g(x):
        y = f(x)
        return 2.0 * y - stop_gradient(y)   # f's value, 2 f's derivatives
    return g


def _pending(f):
    def g(x):
        out = f(x)
        y = np.zeros(out.shape[0], dtype=out.dtype)
        for i in range(out.shape[0]):
            y[i] = out[i]
        return y
    return g


def _view_write(f):
    def g(x):
        out = f(x)
        z = np.zeros((2, out.shape[0]), dtype=out.dtype)
        z[1][:] = out            # a write through a row view
        w = z.T[::-1, 1]
        w *= 1.0                 # through a transposed, reversed view: same values
        return z[1]
    return g


def _tree_checkpoint(f):
    inner = checkpoint(lambda p: {"out": f(_join(p)), "head": p.head})
    return lambda x: inner(_split(x))["out"]


FEATURES = [
    Feature("checkpoint", checkpoint),
    Feature("jit", jit),
    Feature("custom_jvp", _custom_jvp),
    Feature("custom_vjp", _custom_vjp),
    Feature("custom_vjp_tree", _custom_vjp_tree),
    Feature("custom_jvp_tree", _custom_jvp_tree),
    Feature("stop_gradient", _stop_gradient, deriv_ref=lambda f: (lambda x: 2.0 * f(x))),
    Feature("pytree", lambda f: (lambda x: f(_join(_split(x))))),
    Feature("checkpoint_tree", _tree_checkpoint),
    Feature("vmap", lambda f: (lambda x: np.mean(vmap(f)(np.stack([x, x])), axis=0))),
    Feature("pending", _pending),
    Feature("view_write", _view_write),
]
BY_NAME = {f.name: f for f in FEATURES}


class Seam:
    """A program with features: ``fun`` (the program with them), ``deriv_ref`` and
    ``value_ref`` (the plain references)."""

    def __init__(self, prog, features):
        self.prog, self.features = prog, features
        self.fun = self.deriv_ref = self.value_ref = prog
        for feat in features:
            self.fun = feat.wrap(self.fun)
            self.deriv_ref = feat.deriv_ref(self.deriv_ref)
            self.value_ref = feat.value_ref(self.value_ref)

    def __repr__(self):
        return f"Seam({self.prog!r}, {self.features!r})"


def seams(progs=programs):
    return st.builds(Seam, progs, st.lists(st.sampled_from(FEATURES), min_size=1, max_size=2))


# --------------------------------------------------------------- checks
def _close(got, want, what, rtol=1e-7, atol=1e-9):
    lg, lw = tree_flatten(got)[0], tree_flatten(want)[0]
    assert len(lg) == len(lw), (what, got, want)
    for g, w in zip(lg, lw):
        g, w = onp.asarray(g, dtype=complex), onp.asarray(w, dtype=complex)
        assert g.shape == w.shape, (what, g.shape, w.shape)
        scale = 1.0 + onp.max(onp.abs(w), initial=0.0)
        assert onp.allclose(g, w, rtol=rtol, atol=atol * scale), (what, g, w)


def _weights(m):
    return onp.linspace(0.5, 1.5, m)


def _dot(y):
    """<w, y>: linear in y, so a feature's derivative reference carries over."""
    return np.sum(_weights(y.shape[0]) * y)


def _scalar(f):
    return lambda x: _dot(f(x))


def _jet_reference(f, x, v, order):
    """d^k/dt^k f(x + t v) at 0, k = 1..order, by nested jvp (no Taylor mode)."""
    out, derivs = [], f
    for _ in range(order):
        derivs = (lambda d: (lambda y: jvp(d, (y,), (v,))[1]))(derivs)
        out.append(derivs(x))
    return out


def _point(seed, n):
    return onp.random.RandomState(seed).uniform(-1.5, 1.5, n)


TRANSFORMS = {}


def transform(name):
    def register(fn):
        TRANSFORMS[name] = fn
        return fn
    return register


@transform("grad")
def _t_grad(seam, x, rng):
    _close(grad(_scalar(seam.fun))(x), grad(_scalar(seam.deriv_ref))(x), "grad")


@transform("value_and_grad")
def _t_value_and_grad(seam, x, rng):
    v, g = value_and_grad(_scalar(seam.fun))(x)
    _close(v, _scalar(seam.value_ref)(x), "value")
    _close(g, dualgrad.jacobian(_scalar(seam.deriv_ref))(x), "grad")


@transform("jacfwd")
def _t_jacfwd(seam, x, rng):
    _close(jacfwd(seam.fun)(x), dualgrad.jacobian(seam.deriv_ref, mode="rev")(x), "jacfwd")


@transform("jacrev")
def _t_jacrev(seam, x, rng):
    _close(jacrev(seam.fun)(x), dualgrad.jacobian(seam.deriv_ref, mode="fwd")(x), "jacrev")


@transform("hessian")
def _t_hessian(seam, x, rng):
    _close(hessian(_scalar(seam.fun))(x), hessian(_scalar(seam.deriv_ref))(x), "hessian",
           rtol=1e-6)


@transform("vmap_grad")
def _t_vmap_grad(seam, x, rng):
    X = onp.stack([x, x[::-1] * 0.5, -x])
    want = onp.stack([grad(_scalar(seam.deriv_ref))(r) for r in X])
    _close(vmap(grad(_scalar(seam.fun)))(X), want, "vmap(grad)")


@transform("vmap_jacfwd")
def _t_vmap_jacfwd(seam, x, rng):
    X = onp.stack([x, -x])
    want = onp.stack([dualgrad.jacobian(seam.deriv_ref)(r) for r in X])
    _close(vmap(jacfwd(seam.fun))(X), want, "vmap(jacfwd)")


@transform("jit_grad")
def _t_jit_grad(seam, x, rng):
    j = jit(grad(_scalar(seam.fun)))
    j(x * 1.01)  # traced at one point, replayed at another
    _close(j(x), grad(_scalar(seam.deriv_ref))(x), "jit(grad)")


@transform("jit_jacobian")
def _t_jit_jacobian(seam, x, rng):
    j = jit(dualgrad.jacobian(seam.fun))
    j(x * 1.01)
    _close(j(x), jacfwd(seam.deriv_ref)(x), "jit(jacobian)")


@transform("jet")
def _t_jet(seam, x, rng):
    v = rng.standard_normal(x.shape)
    y0, ys = jet(seam.fun, (x,), ([v, onp.zeros_like(x), onp.zeros_like(x)],))
    _close(y0, seam.value_ref(x), "jet primal")
    _close(ys, _jet_reference(seam.deriv_ref, x, v, 3), "jet series", rtol=1e-6)


@transform("derivatives")
def _t_derivatives(seam, x, rng):
    v = rng.standard_normal(x.shape)
    ds = derivatives(lambda s: seam.fun(x + s * v), order=3)(0.0)
    _close(ds[0], seam.value_ref(x), "derivatives[0]")
    _close(list(ds[1:]), _jet_reference(seam.deriv_ref, x, v, 3), "derivatives", rtol=1e-6)


@transform("laplacian")
def _t_laplacian(seam, x, rng):
    want = onp.trace(hessian(_scalar(seam.deriv_ref))(x))
    _close(laplacian(_scalar(seam.fun))(x), want, "laplacian", rtol=1e-6)


@transform("linearize")
def _t_linearize(seam, x, rng):
    v = rng.standard_normal(x.shape)
    out, f_jvp = linearize(seam.fun, x)
    _close(out, seam.value_ref(x), "linearize out")
    _close(f_jvp(v), jvp(seam.deriv_ref, (x,), (v,))[1], "linearize f_jvp")
    u = rng.standard_normal(onp.shape(out))
    _close(linear_transpose(f_jvp, x)(u), vjp(seam.deriv_ref, x)[1](u),
           "linear_transpose")


@transform("sparse_jacobian")
def _t_sparse_jacobian(seam, x, rng):
    mode = ("auto", "fwd", "rev", "bi")[rng.randint(4)]
    want = onp.asarray(dualgrad.jacobian(seam.deriv_ref)(x)).reshape(-1, x.size)
    _close(sparse.jacobian(seam.fun, mode=mode)(x).toarray(), want, f"sparse.jacobian {mode}")


@transform("sparse_hessian")
def _t_sparse_hessian(seam, x, rng):
    want = hessian(_scalar(seam.deriv_ref))(x)
    _close(sparse.hessian(_scalar(seam.fun))(x).toarray(), want, "sparse.hessian", rtol=1e-6)


@transform("jit_sparse_jacobian")
def _t_jit_sparse_jacobian(seam, x, rng):
    j = jit(sparse.jacobian(seam.fun))  # a replay hands back a scipy csr_array
    j(x * 1.01)
    want = onp.asarray(dualgrad.jacobian(seam.deriv_ref)(x)).reshape(-1, x.size)
    _close(j(x).toarray(), want, "jit(sparse.jacobian)")


@transform("jit_jet")
def _t_jit_jet(seam, x, rng):
    v = rng.standard_normal(x.shape)
    j = jit(lambda x: jet(seam.fun, (x,), ([v, onp.zeros_like(x)],)))
    j(x * 1.01)
    y0, ys = j(x)
    _close(y0, seam.value_ref(x), "jit(jet) primal")
    _close(ys, _jet_reference(seam.deriv_ref, x, v, 2), "jit(jet) series", rtol=1e-6)


# --------------------------------------------------------------- what may be refused
# (feature or transform name, message pattern): a combination holding that name may
# raise an error matching the pattern; nothing else may raise.
REFUSED: list[tuple[str, str]] = [
    # jit keys its cache on numbers: an mpmath array is refused by name
    ("jit", r"TypeError: jit: an array of dtype object as an argument"),
]


def _refused(names, exc):
    text = f"{type(exc).__name__}: {exc}"
    return any(n in names and re.search(p, text) for n, p in REFUSED)


def check(seam, tname, x, seed):
    rng = onp.random.RandomState(seed)
    names = {f.name for f in seam.features} | {tname}
    try:
        with onp.errstate(all="ignore"):
            TRANSFORMS[tname](seam, x, rng)
    except AssertionError:
        raise
    except Exception as exc:
        if not _refused(names, exc):
            raise


@fuzz_settings
@given(seams(), st.sampled_from(sorted(TRANSFORMS)), st.integers(2, 4),
       st.integers(0, 2 ** 31 - 1))
def test_seam_programs(seam, tname, n, seed):
    check(seam, tname, _point(seed, n), seed)


# --------------------------------------------------------------- mpmath inputs
MP_TRANSFORMS = ("grad", "jacfwd", "jacrev", "hessian", "jet")


def _mp_point(seed, n):
    return onp.array([mpmath.mpf(int(v * 10 ** 6)) / 10 ** 6 for v in _point(seed, n)],
                     dtype=object)


def _mp_run(fun, tname, x, v):
    if tname == "grad":
        return grad(_scalar(fun))(x)
    if tname == "jacfwd":
        return jacfwd(fun)(x)
    if tname == "jacrev":
        return jacrev(fun)(x)
    if tname == "hessian":
        return hessian(_scalar(fun))(x)
    y0, ys = jet(fun, (x,), ([v, v * 0],))
    return [y0, *ys]


def _mp_close(got, want, what):
    lg, lw = tree_flatten(got)[0], tree_flatten(want)[0]
    assert len(lg) == len(lw), what
    for g, w in zip(lg, lw):
        g, w = onp.asarray(g, dtype=object), onp.asarray(w, dtype=object)
        assert g.shape == w.shape, (what, g.shape, w.shape)
        for a, b in zip(g.ravel(), w.ravel()):
            assert isinstance(a, (mpmath.mpf, mpmath.mpc)) or a == 0, (what, type(a), a)
            assert abs(a - b) <= mpmath.mpf(10) ** -25 * (1 + abs(b)), (what, a, b)


def check_mp(seam, tname, x, seed):
    """``tname`` of the program with features at an mpmath point, to 25 digits of the
    program without them (a feature must not round to float64 on the way)."""
    v = onp.array([mpmath.mpf(k + 1) / 3 for k in range(x.size)], dtype=object)
    names = {f.name for f in seam.features} | {tname}
    with mpmath.workdps(30):
        want = _mp_run(seam.deriv_ref, tname, x, v)
        if tname == "jet":  # (numpy's own loops do not take mpf: the value by jet too)
            want[0] = _mp_run(seam.value_ref, tname, x, v)[0]
        try:
            got = _mp_run(seam.fun, tname, x, v)
        except AssertionError:
            raise
        except Exception as exc:
            if not _refused(names | {"mpmath"}, exc):
                raise
            return
        _mp_close(got, want, tname)


@fuzz_settings
@given(seams(mp_programs), st.sampled_from(MP_TRANSFORMS), st.integers(2, 3),
       st.integers(0, 2 ** 31 - 1))
def test_seam_programs_at_mpmath_points(seam, tname, n, seed):
    check_mp(seam, tname, _mp_point(seed, n), seed)


# --------------------------------------------------------------- every pair once
GRID_PROGRAM = Program([("pending_views", 0, 0), ("mul_tanh", 1, 0)], ALL_UNARY, ALL_BINARY)


@pytest.mark.parametrize("first", FEATURES, ids=repr)
def test_every_pair_of_features_under_every_transform(first):
    """Each feature alone and inside each other one, on one program with a pending
    array and views, under every transform: what the random draws reach only by
    chance in CI."""
    x, names = onp.array([0.3, -0.7, 1.1]), sorted(TRANSFORMS)
    for k, features in enumerate([[first]] + [[first, second] for second in FEATURES]):
        # CI: a pair under a third of the transforms (in turn); on demand, under all
        for tname in names if k == 0 or _ON_DEMAND else names[k % 3::3]:
            check(Seam(GRID_PROGRAM, features), tname, x, 0)


@pytest.mark.parametrize("feature", FEATURES, ids=repr)
def test_every_feature_at_mpmath_points(feature):
    prog = Program([("pending_views", 0, 0), ("sin", 1, 0)], MP_UNARY, MP_BINARY)
    for tname in MP_TRANSFORMS:
        check_mp(Seam(prog, [feature]), tname, _mp_point(5, 3), 0)


@pytest.mark.skipif(not _ON_DEMAND, reason="a long run: set DUALGRAD_FUZZ_EXAMPLES")
def test_on_demand_run_is_configured():
    assert fuzz_settings.max_examples == _ON_DEMAND
