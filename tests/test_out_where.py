"""numpy's output keywords on traced values, walked over every public function of
``dualgrad.numpy`` (and .linalg, .fft) whose numpy counterpart takes them:
``out=None`` and ``where=True`` are numpy's defaults, so they change nothing (the
same value and derivative as without them); an ``out=`` array cannot hold a traced
result, and every function refuses it with one message. Plain numpy functions on
tracers (NEP 13/18) and the ndarray methods behave the same."""
import functools
import inspect
import os
import sys

import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import grad, jvp

sys.path.insert(0, os.path.dirname(__file__))
from test_lists_of_tracers import CALLS, EXCLUDED, INPUTS, NAMES, _fun, _leaves, _loss  # noqa: E402

OUT = "dualgrad can't write into `out=`; assign the result"


def _kinds(name):
    mod, _, short = name.rpartition(".")
    return (getattr(np, mod) if mod else np).KINDS.get(short)


def _io_keywords(name):
    """Which of out=/where= numpy's function takes."""
    f = _fun(name, onp)
    if isinstance(f, onp.ufunc):
        return {"out", "where"}
    try:
        return {"out", "where"} & set(inspect.signature(f).parameters)
    except (TypeError, ValueError):
        return set()


def _numpy_takes_floats(name):
    """False for numpy's integer-only functions (bitwise, gcd, shifts): numpy refuses a
    float array there, traced or not, so they have no traced call to walk."""
    call, kind = _call(name)
    try:
        with onp.errstate(all="ignore"):
            call(_fun(name, onp), INPUTS[kind])
    except TypeError:
        return False
    return True


def _call(name):
    return CALLS.get(name, ((lambda f, a: f(a)), "m"))


WALKED = [n for n in NAMES if n not in EXCLUDED and _kinds(n) in ("differentiable", "nondiff")
          and _io_keywords(n) and _numpy_takes_floats(n)]


def _grad_and_tangent(name, **kw):
    call, kind = _call(name)
    f = functools.partial(_fun(name, np), **kw)
    x0 = INPUTS[kind]
    g = grad(lambda x: _loss(call(f, x), []) + 0.0 * np.sum(x))(x0)
    out, tan = jvp(lambda x: call(f, x), (x0,), (onp.cos(x0),))
    return [g, *_leaves(out), *_leaves(tan)]


def test_the_walk_is_wide():
    assert len(WALKED) > 150


@pytest.mark.parametrize("name", WALKED)
def test_out_none_and_where_true_change_nothing(name):
    with onp.errstate(all="ignore"):
        want = _grad_and_tangent(name)
        for kw in ({"out": None}, {"where": True}, {"out": None, "where": True}):
            if set(kw) <= _io_keywords(name):
                got = _grad_and_tangent(name, **kw)
                assert len(got) == len(want)
                for a, b in zip(got, want):
                    onp.testing.assert_allclose(onp.asarray(a), onp.asarray(b), equal_nan=True)


@pytest.mark.parametrize("name", [n for n in WALKED if "out" in _io_keywords(n)])
def test_out_an_array_is_refused_with_one_message(name):
    call, kind = _call(name)
    x0 = INPUTS[kind]
    with onp.errstate(all="ignore"):
        plain = call(_fun(name, onp), x0)
    out = tuple(onp.empty_like(p) for p in plain) if isinstance(plain, tuple) else \
        onp.empty_like(plain)
    f = functools.partial(_fun(name, np), out=out)
    for transform in (lambda h: grad(lambda x: _loss(h(x), []) + 0.0 * np.sum(x))(x0),
                      lambda h: jvp(h, (x0,), (x0,))):
        with pytest.raises(TypeError, match=OUT.replace("`", ".")):
            transform(lambda x: call(f, x))


def test_plain_numpy_and_methods_take_the_same_keywords():
    x0 = INPUTS["m"]
    cases = [lambda x: onp.multiply(x, x, out=None, where=True), lambda x: onp.sum(x, out=None),
             lambda x: x.sum(out=None, where=True), lambda x: x.max(axis=0, out=None),
             lambda x: onp.cumsum(x, out=None), lambda x: x.clip(0.3, 0.6)]
    plain = [lambda x: x * x, np.sum, np.sum, lambda x: np.max(x, axis=0), np.cumsum,
             lambda x: np.clip(x, 0.3, 0.6)]
    for f, g in zip(cases, plain):
        onp.testing.assert_allclose(grad(lambda x: np.sum(f(x) ** 2))(x0),
                                    grad(lambda x: np.sum(g(x) ** 2))(x0))
    for f in [lambda x: onp.multiply(x, x, out=onp.empty((3, 3))),
              lambda x: onp.sum(x, out=onp.empty(())), lambda x: x.sum(out=onp.empty(())),
              lambda x: onp.exp(x, out=(onp.empty((3, 3)),))]:
        with pytest.raises(TypeError, match=OUT.replace("`", ".")):
            grad(lambda x: np.sum(f(x)))(x0)


def test_plain_arrays_still_write_into_out():
    out = onp.empty(3)
    np.multiply(onp.arange(3.0), 2.0, out=out)
    onp.testing.assert_array_equal(out, [0.0, 2.0, 4.0])
    total = onp.empty(())
    np.sum(onp.arange(3.0), out=total)
    assert total == 3.0


def test_in_place_operator_on_a_plain_array_names_the_operator():
    def f(x):
        a = onp.ones(3)
        a += x
        return a.sum()
    with pytest.raises(TypeError, match=r"a \+= x"):
        grad(f)(onp.arange(3.0))
