"""autograd compatibility names: each is a thin alias onto dualgrad's design."""
from __future__ import annotations

import inspect

import numpy as onp
import pytest

import dualgrad.numpy as dnp
from dualgrad import grad, jvp
from dualgrad.test_util import check_grads, combo_check


def test_tracer_names():
    from dualgrad.core import Tracer
    from dualgrad.tracer import Box, getval, isbox, notrace_primitive, primitive
    seen = {}

    def f(x):
        seen["isbox"], seen["isinstance"], seen["val"] = isbox(x), isinstance(x, Box), getval(x)
        return x * 2.0
    grad(f)(3.0)
    assert seen == {"isbox": True, "isinstance": True, "val": 3.0}
    jvp(f, (3.0,), (1.0,))                         # forward mode: a Box too
    assert seen["isinstance"] and Box is Tracer
    assert not isbox(3.0)
    square = primitive(lambda x: x * x)
    square.def_jvp(lambda t, ans, x: 2 * x * t)
    square.def_vjp(lambda g, ans, x: 2 * x * g)
    check_grads(square)(1.5)
    floor_ = notrace_primitive(onp.floor)
    assert grad(lambda x: floor_(x) * x)(2.5) == 2.0


def test_array_box_alias():
    from dualgrad.numpy.numpy_boxes import ArrayBox
    seen = []
    grad(lambda x: seen.append(isinstance(x, ArrayBox)) or dnp.sum(x))(onp.ones(2))
    jvp(lambda x: seen.append(isinstance(x, ArrayBox)) or dnp.sum(x), (onp.ones(2),),
        (onp.ones(2),))
    assert seen == [True, True] and not isinstance(onp.ones(2), ArrayBox)


def test_core_compatibility_names():
    """autograd.core's names, served by dualgrad.compat.core under the alias."""
    import dualgrad.compat.core as core
    from dualgrad import extend
    from dualgrad.core import spaces as vs_module
    vjp, ans = core.make_vjp(dnp.sin, 0.5)              # autograd.core's unary form
    assert onp.isclose(ans, onp.sin(0.5)) and onp.isclose(vjp(1.0), onp.cos(0.5))
    out, t = core.make_jvp(dnp.sin, 0.5)(1.0)
    assert onp.isclose(out, onp.sin(0.5)) and onp.isclose(t, onp.cos(0.5))
    assert core.vspace is vs_module.vspace and core.VSpace is vs_module.VSpace
    assert core.defjvp is extend.defjvp  # defvjp: dualgrad's, taking SparseObject cotangents too
    assert core.defvjp.__doc__.startswith("``dualgrad.extend.defvjp``")
    # the rule tables in autograd's maker form: maker(argnums, ans, args, kwargs) -> g -> tuple
    x = 0.5
    assert dnp.sin in core.primitive_vjps and dnp.sin in core.primitive_jvps
    (ct,) = core.primitive_vjps[dnp.sin]((0,), onp.sin(x), (x,), {})(2.0)
    assert onp.isclose(ct, 2.0 * onp.cos(x))
    assert onp.isclose(core.primitive_jvps[dnp.sin]((0,), [3.0], onp.sin(x), (x,), {}),
                       3.0 * onp.cos(x))
    with pytest.raises(AttributeError):
        core.no_such_name  # noqa: B018


def test_unary_to_nary():
    from dualgrad.compat.core import make_vjp
    from dualgrad.wrap_util import unary_to_nary

    @unary_to_nary
    def my_grad(fun, x):
        vjp, _ = make_vjp(fun, x)
        return vjp(1.0)
    f = lambda x, y: x * y ** 2  # noqa: E731
    assert my_grad(f)(3.0, 2.0) == 4.0
    assert my_grad(f, 1)(3.0, 2.0) == 12.0
    assert my_grad(f, (0, 1))(3.0, 2.0) == (4.0, 12.0)
    assert my_grad(f, 1).__name__ == "my_grad_of_<lambda>_wrt_argnum_1"
    with pytest.raises(TypeError, match="argnum"):
        my_grad(f, "x")(1.0, 2.0)


def test_util_helpers():
    from dualgrad.util import func, subval, subvals, toposort
    assert subvals((1, 2, 3), [(0, 9), (2, 8)]) == (9, 2, 8)
    assert subval((1, 2), 1, 0) == (1, 0)
    assert func(len) is len

    class N:
        def __init__(self, *parents):
            self.parents = list(parents)
    a = N(); b = N(a); c = N(a, b); d = N(c, b)  # noqa: E702
    order = list(toposort(d))
    assert order[0] is d and set(map(id, order)) == {id(x) for x in (a, b, c, d)}
    for node in order:
        for p in node.parents:
            assert order.index(p) > order.index(node)


def test_check_grads_and_combo_check_signatures_match_autograd():
    ag_tu = pytest.importorskip("autograd.test_util")
    ours = list(inspect.signature(check_grads).parameters)[:4]
    assert ours == ["fun", "argnum", "modes", "order"]
    assert list(inspect.signature(combo_check).parameters) == \
        list(inspect.signature(ag_tu.combo_check).parameters)
    # autograd's usage: combo_check(fun, argnums, modes=..., order=...)(*arg_lists, **kwarg_lists)
    calls = []

    def f(x, axis=None):
        calls.append(axis)
        return dnp.sum(dnp.sin(x), axis=axis)
    combo_check(f, [0], modes=["fwd", "rev"], order=2)([onp.ones((2, 3))], axis=[None, 0, 1])
    assert {None, 0, 1} <= set(calls)
    combo_check(f, argnum=0, order=1)([onp.ones(2)])
    with pytest.raises(AssertionError):                  # a wrong rule fails combo_check
        from dualgrad.extend import primitive
        bad = primitive(onp.sin)
        bad.def_jvp(lambda t, ans, x: t * onp.sin(x))
        bad.def_vjp(lambda g, ans, x: g * onp.sin(x))
        combo_check(bad, [0], order=1)([onp.array([0.3, 1.0])])


def test_autograd_top_level_builtins_and_differential_operators():
    import numpy as onp
    import dualgrad
    from dualgrad import isinstance as dg_isinstance, tuple as dg_tuple
    from dualgrad.differential_operators import grad, make_jvp_reversemode
    assert dualgrad.dict is dict  # tuple(xs) is autograd's: plain, or traced holding tracers
    assert dg_tuple([1.0, 2.0]) == (1.0, 2.0) and type(dg_tuple([1.0])) is tuple
    assert isinstance((1.0,), dg_tuple) and not isinstance([1.0], dg_tuple)
    assert grad(lambda x: dg_isinstance(x, onp.ndarray) * x.sum())(onp.ones(2)).tolist() == [1.0, 1.0]
    assert make_jvp_reversemode(lambda x: x ** 2)(3.0)(1.0) == 6.0  # J v alone, as autograd
