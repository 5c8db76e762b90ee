"""The dtype promise, checked over every rule the tests exercise: float32 inputs
get float32 derivatives (complex64: complex64), in both modes.

The cases are the rule tests' own lists (tests/rules/*.py, test_plain_numpy,
test_complex), run with their float64 arrays cast down: reverse mode must give
each float32 input a float32 cotangent, and forward mode a tangent of the
output's own dtype. A case whose function numpy itself evaluates in float64
for float32 inputs (the output is float64) is held to the first half only."""
import os
import sys

import numpy as onp
import pytest

import dualgrad.numpy as np
import dualgrad.scipy.linalg as sl
import dualgrad.scipy.special as sp
import dualgrad.scipy.stats as st
from dualgrad import jvp, make_vjp
from dualgrad.core.spaces import tree_flatten, vspace

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "rules"))
sys.path.insert(0, os.path.dirname(__file__))
import test_decompositions  # noqa: E402
import test_elementwise  # noqa: E402
import test_fft  # noqa: E402
import test_linalg  # noqa: E402
import test_plain_numpy  # noqa: E402
import test_products_stats  # noqa: E402
import test_scipy_special  # noqa: E402
import test_scipy_stats  # noqa: E402
import test_shape  # noqa: E402

_LOW = {onp.dtype(onp.float64): onp.float32, onp.dtype(onp.complex128): onp.complex64}


def _low(a):
    if isinstance(a, float):
        return onp.float32(a)
    if isinstance(a, onp.ndarray) and a.dtype in _LOW:
        return a.astype(_LOW[a.dtype])
    return a


def _cases():
    out = []
    for name, f, args in test_linalg.CASES + test_decompositions.CASES + test_products_stats.CASES:
        out.append((name, f, args))
    out += [(n, (lambda f: lambda *a: f(*a, None))(f), args) for n, f, args in test_fft.CASES]
    out += [(n, (lambda f: lambda x: f(np, x))(f), (x,)) for n, f, x in test_plain_numpy.ALL_CASES]
    out += [(f.__name__, f, (onp.linspace(lo, hi, 5)[1:-1],))
            for f, (lo, hi), _ in test_elementwise.UNARY]
    out += [(f"{getattr(f, '__name__', 'special')}@{x}", f, (onp.array([x, x * 1.1]),))
            for f, _, x in test_scipy_special.CASES]
    out += [(f"{d}.{m}", _only(getattr(getattr(st, d), m), args, argnums),
             tuple(args[i] for i in argnums)) for d, m, args, argnums in test_scipy_stats.CASES]
    out += [(n, f, (test_shape.X,)) for n, f in test_shape.CASES.items()]
    out += _SCIPY_LINALG
    return out


def _only(f, args, argnums):
    """``f`` of the arguments at ``argnums`` (the others fixed: their rules are gaps)."""
    def g(*xs):
        full = list(args)
        for i, x in zip(argnums, xs):
            full[i] = x
        return f(*full)
    return g


_R = onp.random.RandomState(0)
_A = onp.tril(_R.randn(3, 3)) + 3 * onp.eye(3)
_B = _R.randn(3, 2)
_SCIPY_LINALG = [
    ("solve_triangular", lambda a, b: sl.solve_triangular(a, b, lower=True), (_A, _B)),
    ("solve_triangular_T", lambda a, b: sl.solve_triangular(a.T, b, trans="T"), (_A, _B[:, 0])),
    ("cholesky", lambda a: sl.cholesky(a @ a.T, lower=True), (_A,)),
    ("expm", lambda a: sl.expm(0.3 * a), (_A,)),
    ("solve", lambda a, b: sl.solve(a, b), (_A, _B)),
    ("logsumexp", lambda x: sp.logsumexp(x, axis=0), (_B,)),
]
CASES = _cases()
# Known gaps, each a float64 derivative for float32 input; xfail(strict) so a fix shows.
KNOWN: dict = {}


def _floating(v) -> bool:
    return onp.result_type(v).kind in "fc"


PARAMS = [pytest.param(*c, id=c[0], marks=[pytest.mark.xfail(strict=True, reason=KNOWN[c[0]])]
                        if c[0] in KNOWN else []) for c in CASES]


@pytest.mark.parametrize("name, f, args", PARAMS)
def test_float32_inputs_get_float32_derivatives(name, f, args):
    low = tuple(_low(a) for a in args)
    idx = tuple(i for i, a in enumerate(low) if _floating(a) and onp.result_type(a).itemsize
                <= 8 and onp.result_type(a) in (onp.float32, onp.complex64))
    if not idx:
        pytest.skip("no float argument")
    with onp.errstate(all="ignore"):
        out = f(*low)
        if not any(_floating(o) for o in tree_flatten(out)[0]):
            pytest.skip("integer output")

        def fun(*xs):
            full = list(low)
            for i, x in zip(idx, xs):
                full[i] = x
            return f(*full)
        vjp, ans = make_vjp(fun, argnum=idx)(*[low[i] for i in idx])
        cts = vjp(vspace(ans).ones())
        for i, c in zip(idx, cts):
            assert onp.result_type(c) == onp.result_type(low[i]), (
                f"{name}: reverse mode gives argument {i} ({onp.result_type(low[i])}) a "
                f"{onp.result_type(c)} cotangent")
        _, t = jvp(fun, tuple(low[i] for i in idx), tuple(low[i] for i in idx))
        for o, to in zip(tree_flatten(out)[0], tree_flatten(t)[0]):
            if onp.result_type(o) in (onp.float32, onp.complex64):
                assert onp.result_type(to) == onp.result_type(o), (
                    f"{name}: forward mode gives a {onp.result_type(to)} tangent of a "
                    f"{onp.result_type(o)} output")
