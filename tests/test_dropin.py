"""autograd's idioms on dualgrad (issue 10): array_likes holding tracers, numpy's
keyword names, autograd's names and behaviours, and the errors that replace them
where dualgrad differs. Derivatives are checked against finite differences."""
from __future__ import annotations

import warnings

import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import elementwise_grad, grad, jacobian, jvp, vmap
from dualgrad.core import DifferentiationError, primitive
from dualgrad.test_util import check_grads

X3 = onp.array([0.3, -1.2, 2.0])


# ------------------------------------------------- lists and tuples of tracers
@pytest.mark.parametrize("f", [
    lambda x: np.mean([x[0], x[1] * 2.0, x[2] ** 2]),
    lambda x: np.std((x[0], x[1], x[2] * x[0])),
    lambda x: np.var([x[0], 3.0, x[2]]),
    lambda x: np.linalg.norm([x[0], x[1], 1.5]),
    lambda x: np.sum(np.concatenate([x, [x[0] * x[1]]])),
    lambda x: np.sum(np.append(x, [x[2], 2.0]) ** 2),
    lambda x: np.dot([x[0], x[1]], [[1.0, 2.0], [3.0, x[2]]]),
    lambda x: np.sum(np.stack([x, [x[1], 1.0, x[0]]]) ** 2),
    lambda x: np.prod(np.array([[x[0], 1.0], [x[1], x[2]]])),
], ids=["mean", "std", "var", "norm", "concatenate", "append", "dot", "stack", "nested"])
def test_lists_holding_tracers_are_arrays(f):
    check_grads(f)(X3)


def test_lists_holding_tracers_under_vmap_and_jacobian():
    f = lambda x: np.mean([x[0], x[1] ** 2, x[2]])  # noqa: E731
    xs = onp.stack([X3, 2 * X3])
    assert onp.allclose(vmap(f)(xs), [f(x) for x in xs])
    assert onp.allclose(vmap(grad(f))(xs), [grad(f)(x) for x in xs])
    assert onp.allclose(jacobian(lambda x: np.array([np.sum([x[0], x[1]]), x[2]]))(X3),
                        [[1, 1, 0], [0, 0, 1]])


def test_plain_numpy_concatenate_of_a_ragged_list_nep18():
    # numpy's own concatenate dispatches (NEP 18) on the tracer in the list
    f = lambda x: onp.sum(onp.concatenate([x, [x[0]]]) ** 2)  # noqa: E731
    assert onp.allclose(grad(f)(X3), 2 * X3 + onp.array([2 * X3[0], 0, 0]))


def test_user_primitives_get_lists_as_they_are():
    seen = []

    @primitive
    def f(xs):
        seen.append(type(xs))
        return xs[0] * 2.0
    f.defgrad(lambda ans, xs: lambda g: [g * 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert f([1.0]) == 2.0
    assert seen == [list]


@pytest.mark.parametrize("f", [
    lambda x: np.sum(np.r_[x, 2 * x, 0:2]),
    lambda x: np.sum(np.r_["0,2", x, x ** 2] * onp.arange(6).reshape(2, 3)),
    lambda x: np.sum(np.c_[x, x ** 2, onp.ones(3)] * onp.arange(9).reshape(3, 3)),
    lambda x: np.sum(np.r_[x[:2], [x[2]], 7.0] ** 2),
], ids=["r_", "r_ndmin", "c_", "r_mixed"])
def test_index_concatenators(f):
    check_grads(f)(X3)


def test_index_concatenators_plain():
    assert onp.array_equal(np.r_[1:3, [5]], onp.r_[1:3, [5]])
    assert onp.array_equal(np.c_[[1, 2], [3, 4]], onp.c_[[1, 2], [3, 4]])


# ------------------------------------------------------ keywords, clip, where
@pytest.mark.parametrize("f", [
    lambda x: np.std(a=x),
    lambda x: np.sum(np.transpose(a=np.outer(x, x)) * onp.arange(9).reshape(3, 3)),
    lambda x: np.sum(np.sinc(x=x)),
    lambda x: np.sum(np.real(val=x * x)),
    lambda x: np.sum(np.clip(x, a_min=-1.0, a_max=1.0)),
    lambda x: np.sum(np.clip(x, min=-1.0, max=1.0)),
    lambda x: np.sum(np.clip(x, x[0] - 0.5, None)),
    lambda x: np.sum(np.sin(x, out=None)),
], ids=["std", "transpose", "sinc", "real", "clip_a_min", "clip_min", "clip_traced", "out"])
def test_keywords(f):
    check_grads(f)(X3)


def test_where_one_argument_and_python_values():
    assert onp.array_equal(np.where(X3 > 0)[0], [0, 2])
    assert type(np.where(True, 1, 2)) is int and np.where(True, [1, 2], [3, 4]) == [1, 2]
    check_grads(lambda x: np.sum(np.where(x > 0, x ** 2, y=-x)))(X3)


# ------------------------------------------------------------ autograd's names
def test_numpy_names():
    assert np.__version__ == onp.__version__
    D = onp.random.randn(3, 4)
    A = np.make_diagonal(D, axis1=-1, axis2=-2)
    assert onp.allclose(onp.diagonal(A, axis1=-1, axis2=-2), D)
    assert onp.count_nonzero(A) == 12
    check_grads(lambda d: np.make_diagonal(d, axis1=-1, axis2=-2))(D)
    M = onp.random.randn(3, 2)
    assert onp.allclose(np.linalg._dot(np.linalg.T(M), M), M.T @ M)


def test_real_if_close_of_a_complex_scalar():
    assert grad(lambda x: np.real_if_close(x * (1 + 0j)))(1.5) == 1.0


def test_integer_copy_of_a_tracer_is_plain():
    W = onp.random.randn(5, 3)
    W[:, -1] = [0.5, 1.5, 2.5, 1.5, 0.5]  # away from integers: finite differences keep idx

    def f(W):
        idx = np.int64(W[:, -1])
        assert idx.dtype == onp.int64
        return np.sum(W[idx, :2] ** 2)
    check_grads(f)(W)


def test_builtins_box_names_and_test_util_names():
    from dualgrad.builtins import DictBox, ListBox, SequenceBox, TupleBox, DictVSpace
    from dualgrad.test_util import check_equivalent, check_jvp, check_vjp, scalar_close
    assert not isinstance({"a": 1.0}, DictBox) and issubclass(ListBox, SequenceBox)
    assert TupleBox is not ListBox and DictVSpace is not None
    with pytest.raises(TypeError, match="does not box dicts"):
        DictBox()
    assert scalar_close(1.0, 1.0 + 1e-9) and not scalar_close(1.0, 1.1)
    check_equivalent(onp.ones(3), onp.ones(3))
    check_vjp(np.sin, X3)
    check_jvp(np.sin, X3)


def test_check_grads_message_names_the_check():
    @primitive
    def foo(x):
        return x * 2.0
    from dualgrad.extend import defvjp
    defvjp(foo, lambda ans, x: lambda g: g * 2.001)
    with pytest.raises(AssertionError, match=r"\(VJP\) check of foo failed"):
        check_grads(foo, modes=["rev"])(1.0)


def test_const_graph_replays_without_running_python():
    from dualgrad.misc import const_graph
    from dualgrad.misc.tracers import full_graph
    calls = []

    def f(x, y):
        calls.append(1)
        return grad(lambda x: np.sin(x) * y)(x * y)
    cached = const_graph(f)
    for x, y in [(0.3, 1.5), (1.0, 0.5), (2.0, -1.0)]:
        assert onp.isclose(cached(x, y), onp.cos(x * y) * y)
    assert len(calls) == 1
    node = full_graph(lambda x: np.exp(np.sin(x)), 0.5)
    fun, args, kwargs, parents = node.recipe
    assert node.value == pytest.approx(onp.exp(onp.sin(0.5))) and len(parents) == 1


# ------------------------------------------------ behaviours and their errors
def test_grad_of_complex_output_names_holomorphic_grad():
    with pytest.raises(TypeError, match="holomorphic_grad"):
        grad(lambda x: x * (1.0 + 0.2j))(1.0)


def test_grad_of_boolean_output_raises():
    with pytest.raises(TypeError, match="boolean"):
        grad(lambda x: np.allclose(x, x * 3.0 / 3.0))(X3)


def test_missing_rule_is_also_not_implemented():
    f = primitive(lambda x: 2.0 * x)
    assert issubclass(DifferentiationError, NotImplementedError)
    with pytest.raises(NotImplementedError):
        grad(f)(1.0)
    with pytest.raises(NotImplementedError):
        jvp(f, (1.0,), (1.0,))


def test_elementwise_grad_of_integer_arrays():
    # autograd 1.9.1 differentiates integer arrays as floats in grad and
    # elementwise_grad (its answer: 2 x); dualgrad casts them with a warning.
    # Integer scalars raise in both libraries.
    with pytest.warns(UserWarning, match="cast to float64"):
        d = elementwise_grad(lambda x: x ** 2)(onp.array([1, 2, 3]))
    assert d.dtype == onp.float64 and onp.allclose(d, [2.0, 4.0, 6.0])
    with pytest.warns(UserWarning, match="cast to float64"):
        g = grad(lambda x: np.sum(np.sin(x)))(onp.array([1, 2, 3]))
    assert onp.allclose(g, onp.cos([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="integer"):
        grad(np.sin)(1)


def test_plain_ndarray_method_on_a_tracer_names_the_fix():
    A = onp.ones((3, 3))
    with pytest.raises(TypeError, match=r"np\.dot\(A, x\) or A @ x"):
        grad(lambda x: np.sum(A.dot(x)))(X3)


def test_assignment_into_a_plain_array_says_so():
    def f(x):
        a = onp.zeros((2, 3))
        a[0] = x
        return np.sum(a)
    with pytest.raises(TypeError, match="assigned into a plain numpy array"):
        grad(f)(X3)


def test_deprecated_autograd_spellings():
    @primitive
    def mul(x, y):
        return x * y
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mul.defvjp(lambda g, ans, vs, gvs, x, y: y * g)
        mul.defgrad(lambda ans, x, y: lambda g: x * g, argnum=1)
        check_grads(mul, modes=["rev"], order=1)(1.5, -2.0)
        from dualgrad.util import quick_grad_check
        quick_grad_check(lambda x, y: x ** 2 + y, 1.0, (2.0,))


# ------------------------------------- y = np.zeros(n); y[i] = f(x)  (issue 10)
def _filled(x):
    y = np.zeros(3)
    y[0] = np.sin(x[0])
    y[1] = 2.0                      # a plain value: written in place
    y[2] = x[1] * x[2]
    w = np.eye(3)
    w[0, 1] = x[0]
    return w @ y ** 2


def test_zeros_then_assign_traced_values():
    check_grads(_filled)(X3)
    J = jacobian(_filled)(X3)
    assert onp.allclose(J, jacobian(lambda x: _filled(x), mode="fwd")(X3))


def test_zeros_like_loop_and_inplace_ops():
    def g(x):
        y = np.zeros_like(x)
        for i in range(3):
            y[i] = x[i] ** 3
        y += x
        return y
    check_grads(g)(X3)
    assert onp.allclose(elementwise_grad(g)(X3), 3 * X3 ** 2 + 1)


def test_pending_arrays_stay_plain_for_plain_code():
    import scipy.linalg

    def f(x):
        a = np.ones(2)
        assert isinstance(onp.asarray(a), onp.ndarray)
        assert float(a[0]) == 1.0 and a.tolist() == [1.0, 1.0]
        b = scipy.linalg.solve(np.eye(2) * 2.0, a)   # scipy gets plain arrays
        return np.sum(x * b[0])
    assert onp.allclose(grad(f)(X3), 0.5)
    assert type(np.zeros(3)) is onp.ndarray  # outside any transform: numpy's own


def test_pending_arrays_nested_and_integer():
    def inner(x):
        y = np.zeros(2)
        y[0] = x ** 2
        y[1] = np.zeros(1, dtype=int)[0] + x   # an integer array is numpy's
        return np.sum(y)
    assert grad(grad(inner))(1.5) == pytest.approx(2.0)
    assert grad(lambda x: grad(inner)(x) * x)(1.5) == pytest.approx(4 * 1.5 + 1)


def test_pending_array_returned_untouched_is_a_constant():
    val, g = __import__("dualgrad").value_and_grad(lambda x: np.sum(x) + np.sum(np.zeros(2)))(X3)
    assert val == pytest.approx(X3.sum()) and onp.allclose(g, 1.0)


# ------------------------------------------------- vspaces, scipy, xarray, names
def test_vspace_inner_product_is_differentiable():
    from dualgrad.core.spaces import vspace
    y = onp.array([0.5, -1.0, 2.0])
    check_grads(lambda x: vspace(x).inner_prod(x, y))(X3)
    check_grads(lambda x: vspace([x, x]).inner_prod([x, y], [y, x * x]))(X3)


def test_multivariate_normal_with_a_singular_constant_covariance():
    import scipy.stats as sst

    import dualgrad.scipy.stats as st
    cov = onp.zeros((4, 4))
    cov[0, 0], cov[1, 1], cov[0, 1], cov[1, 0] = 1.0, 2.0, 0.3, 0.3
    m = onp.array([0.2, -0.4, 0.0, 0.0])
    x = onp.array([0.5, 0.1, 0.0, 0.0])
    mvn = st.multivariate_normal
    for v in (x, onp.stack([x, x + [0, 0, 0, 1.0]])):
        assert onp.allclose(mvn.logpdf(v, m, cov, allow_singular=True),
                            sst.multivariate_normal.logpdf(v, m, cov, allow_singular=True))
    check_grads(lambda x, m: mvn.logpdf(np.concatenate([x[:2], m[2:]]), m, cov,
                                        allow_singular=True))(x, m)
    with pytest.raises(NotImplementedError, match="singular"):
        grad(lambda c: mvn.logpdf(x, m, c, allow_singular=True))(cov + onp.eye(4))


def test_xarray_dataarray_holds_tracers():
    xr = pytest.importorskip("xarray")
    base = onp.array([1.0, 2.0, 3.0])

    def f(x):
        da = xr.DataArray(base) * x
        return np.sum((x * da).data)
    assert grad(f)(2.0) == pytest.approx(4.0 * base.sum())
    check_grads(f)(2.0)


def test_grad_names_as_autograd():
    def foo(x):
        return x
    assert grad(foo, 1).__name__ == "grad_of_foo_wrt_argnum_1"
    assert grad(foo).__doc__.startswith("    grad of function foo with")


@pytest.mark.parametrize("fun, args, want", [
    (grad(lambda x, y: x * y, argnum=(0, 1)), (2.0, 3.0), (onp.array(3.0), onp.array(2.0))),
    (grad(lambda t: t[0] * t[1]), ((2.0, 3.0),), (onp.array(3.0), onp.array(2.0))),
    (grad(lambda t: t[0] * t[1]), ([2.0, 3.0],), [onp.array(3.0), onp.array(2.0)]),
    (grad(lambda d: d["a"] * d["b"]), ({"a": 2.0, "b": 3.0},),
     {"a": onp.array(3.0), "b": onp.array(2.0)}),
])
def test_scalars_inside_containers_get_0d_arrays_as_in_autograd(fun, args, want):
    got = fun(*args)
    assert type(got) is type(want)
    for g, w in zip(got.values() if isinstance(got, dict) else got,
                    want.values() if isinstance(want, dict) else want):
        assert type(g) is onp.ndarray and g.ndim == 0 and g == w and g.flags.writeable


def test_a_scalar_argument_alone_gets_a_numpy_scalar_as_in_autograd():
    g = grad(lambda x, y: x * y)(2.0, 3.0)
    assert type(g) is onp.float64 and g == 3.0


def test_row_stack_is_there_on_every_numpy():
    # numpy 2.5 removed row_stack; autograd.numpy has it (= vstack), so dualgrad.numpy too
    x = onp.array([1.0, 2.0])
    assert onp.array_equal(np.row_stack([x, 2 * x]), onp.vstack([x, 2 * x]))
    check_grads(lambda v: np.row_stack([v, v ** 2]), order=2)(x)
