"""The tracing core: levels and nesting, the tape, threads, rule tables, errors."""
import threading

import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import deriv, grad, hessian, jacobian, make_jvp, make_vjp
from dualgrad.core import JVP_RULES, VJP_RULES, DifferentiationError, Primitive, getval
from dualgrad.interpreters.forward import push_forward
from dualgrad.interpreters.reverse import pull_back


# ------------------------------------------------------------------ nesting
def _fwd(f):
    return lambda x: push_forward(f, (x,), (1.0,))[1]


def _rev(f):
    return lambda x: pull_back(f, (x,))[1](1.0)[0]


@pytest.mark.parametrize("outer", [_fwd, _rev], ids=["fwd", "rev"])
@pytest.mark.parametrize("inner", [_fwd, _rev], ids=["fwd", "rev"])
def test_perturbation_confusion(outer, inner):
    # d/dx [ x * d/dy (x + y) |_{y=1} ] = d/dx [x * 1] = 1, not 2
    f = lambda x: x * inner(lambda y: x + y)(1.0)
    assert outer(f)(3.0) == 1.0


@pytest.mark.parametrize("outer", [_fwd, _rev], ids=["fwd", "rev"])
@pytest.mark.parametrize("inner", [_fwd, _rev], ids=["fwd", "rev"])
def test_nested_closure_over_outer_variable(outer, inner):
    # d/dx d/dy (x^2 y^3) = 6 x y^2 at x = 2, y = 1 -> 12
    f = lambda x: inner(lambda y: x ** 2 * y ** 3)(1.0)
    assert outer(f)(2.0) == pytest.approx(12.0, abs=1e-12)


def test_fourth_derivative_of_polynomial_is_exact():
    f = lambda x: 3 * x ** 5 - 2 * x ** 4 + x ** 2
    assert grad(grad(grad(grad(f))))(1.5) == 3 * 120 * 1.5 - 2 * 24
    assert deriv(deriv(deriv(deriv(f))))(1.5) == 3 * 120 * 1.5 - 2 * 24
    assert grad(deriv(grad(deriv(f))))(1.5) == 3 * 120 * 1.5 - 2 * 24


def test_hessian_of_quadratic_form():
    A = onp.random.randn(5, 5)
    H = hessian(lambda x: x @ A @ x)(onp.random.randn(5))
    assert onp.allclose(H, A + A.T, atol=1e-12)


# ------------------------------------------------------------------ the tape
def test_long_chain_needs_no_recursion():
    def chain(x):
        for _ in range(100_000):
            x = x * 1.00001
        return x
    g = grad(chain)(1.0)
    assert g == pytest.approx(1.00001 ** 100_000, rel=1e-9)


def test_unused_input_gets_zero_gradient():
    assert grad(lambda x, y: x * 2.0, 1)(1.0, 3.0) == 0.0
    assert onp.all(grad(lambda x: 5.0)(onp.ones(3)) == 0)


def test_threads_do_not_share_levels():
    results, errors = {}, []

    def work(k):
        try:
            for _ in range(200):
                v = grad(lambda x: grad(lambda y: x * y ** 2)(float(k)))(2.0)
            results[k] = v
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
    threads = [threading.Thread(target=work, args=(k,)) for k in range(1, 5)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    assert results == {k: 2.0 * k for k in range(1, 5)}


# ------------------------------------------------------------------ rule tables
def _all_primitives():
    """The library's primitives (not those that tests define for themselves)."""
    def ours(p):
        fun = p.fun
        # a custom_jvp/custom_vjp primitive runs its decorator's method: judge by the user's function
        fun = getattr(getattr(fun, "__self__", None), "fun", fun)
        mod = getattr(fun, "__module__", None) or "numpy"
        return mod.split(".")[0] in ("dualgrad", "numpy", "scipy")
    return [p for p in list(JVP_RULES) if isinstance(p, Primitive) and ours(p)]


def test_every_primitive_has_both_rules():
    from dualgrad.core import ALL, ANY
    missing = []
    for prim in _all_primitives():
        if not (prim.jvps or prim.vjps):
            continue  # user primitives with no rules yet (e.g. in other tests)
        if not prim.jvps:
            missing.append(f"{prim.name}: no JVP")
        if not prim.vjps:
            missing.append(f"{prim.name}: no VJP")
        jv = set(prim.jvps) - {ANY, ALL}
        vj = set(prim.vjps) - {ANY, ALL}
        if ANY not in prim.vjps and ALL not in prim.jvps and ANY not in prim.jvps and jv != vj:
            missing.append(f"{prim.name}: JVPs for {sorted(jv)} but VJPs for {sorted(vj)}")
    assert not missing, "primitives lacking a rule:\n" + "\n".join(missing)


def test_library_primitives_are_listed():
    names = {p.name for p in _all_primitives()}
    for expected in ("sin", "add", "matmul", "sum", "reshape", "getitem", "einsum"):
        assert expected in names


# ------------------------------------------------------------------ errors
def test_integer_input_error():
    with pytest.raises(TypeError, match=r"integer input.*pass a float"):
        grad(lambda x: x ** 2)(1)
    with pytest.raises(TypeError, match="integer"):  # autograd refuses the scalar too
        grad(lambda x: x * x)(onp.int64(3))
    with pytest.warns(UserWarning, match="cast to float64"):  # an array is cast, as autograd
        assert onp.allclose(grad(np.sum)(onp.arange(3)), 1.0)


def test_non_scalar_output_error():
    with pytest.raises(TypeError, match=r"scalar output.*shape \(3,\).*jacobian.*elementwise_grad"):
        grad(lambda x: x * 2)(onp.ones(3))


def test_list_of_tracers_to_a_primitive():
    # a list holding tracers is the array numpy would build from it (issue 10)
    assert grad(lambda x: np.sum([x, x]))(1.0) == 2.0
    assert grad(lambda x: np.sum(np.array([x, x])))(1.0) == 2.0


def test_unsupported_function_names_itself():
    from dualgrad.numpy._wrap import unsupported
    fake = unsupported(onp.sin, "numpy.fake_function")
    with pytest.raises(DifferentiationError, match="numpy.fake_function"):
        grad(lambda x: fake(x))(1.0)
    assert fake(0.0) == 0.0  # untraced inputs are fine


def test_missing_vjp_names_primitive_and_fix():
    p = Primitive(onp.cos, "only_forward")
    p.def_jvp(lambda t, ans, x: -t * np.sin(x))
    assert deriv(p)(0.5) == pytest.approx(-onp.sin(0.5))
    # grad and make_vjp fall back to forward mode (tests/test_mode_fallback.py) ...
    assert grad(p)(0.5) == pytest.approx(-onp.sin(0.5))
    assert make_vjp(p)(0.5)[0](2.0) == pytest.approx(-2 * onp.sin(0.5))
    # ... and a reverse pass that meets it names the primitive and the fix
    from dualgrad.interpreters.reverse import pull_back
    with pytest.raises(DifferentiationError, match=r"No VJP rule for 'only_forward'.*forward"):
        pull_back(p, (0.5,))


def test_concrete_conversion_is_refused():
    with pytest.raises(TypeError, match="drop its derivative"):
        grad(lambda x: float(x) * x)(1.0)


def test_traced_value_into_plain_numpy_array_is_refused():
    def f(x):
        a = onp.zeros(2)
        a[:] = x
        return np.sum(a)
    with pytest.raises(TypeError, match="dualgrad.numpy"):
        grad(f)(1.0)

    def g(x):  # numpy treats a scalar slot specially and gives its own message
        a = onp.zeros(2)
        a[0] = x
        return np.sum(a)
    with pytest.raises((TypeError, ValueError)):
        grad(g)(1.0)


def test_getval_and_make_vjp_jvp_values():
    vjp, ans = make_vjp(np.sin)(0.5)
    assert ans == onp.sin(0.5) and vjp(2.0) == 2 * onp.cos(0.5)
    out, t = make_jvp(np.sin)(0.5)(3.0)
    assert out == onp.sin(0.5) and t == 3 * onp.cos(0.5)
    assert getval(3.0) == 3.0


def test_shared_docstring_parts_are_indented_like_their_placeholder():
    from dualgrad.core.docs import fill_doc, shared_doc

    part = """
    x : float
        The point.
    """
    doc = "Summary.\n\n    Parameters\n    ----------\n    %(x)s\n    y : float\n"
    assert fill_doc(doc, {"x": part}) == (
        "Summary.\n\n    Parameters\n    ----------\n    x : float\n        The point.\n"
        "    y : float\n")
    assert fill_doc(None, {"x": part}) is None  # python -OO strips docstrings

    @shared_doc(x=part)
    def f():
        """Summary.

        %(x)s
        """
    # Python 3.13 dedents docstrings at compile time: compare relative indents
    lines = [line for line in f.__doc__.split("\n") if line.strip()]
    indent = [len(line) - len(line.lstrip()) for line in lines]
    assert [line.strip() for line in lines] == ["Summary.", "x : float", "The point."]
    assert indent[2] == indent[1] + 4
    with pytest.raises(KeyError):
        fill_doc("%(missing)s", {})
