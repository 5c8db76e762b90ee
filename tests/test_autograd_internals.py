"""autograd's extension internals (``dualgrad.compat``: ``autograd.core``, ``.tracer``,
``.extend``, ``.numpy.numpy_boxes``/``numpy_vspaces`` under the alias), each name
driven as the code that uses it drives it: the registries with a user ndarray subclass
and a user vector space, hand-driven ``new_box``/``backward_pass`` (pymoo's way),
user nodes (autograd's ``print_trace``), the rule tables in autograd's maker form, and
nesting with dualgrad's own transforms. Derivatives are checked against closed forms
and numerical differences."""
from __future__ import annotations

import numpy as onp
import pytest

import dualgrad as dg
import dualgrad.numpy as np
from dualgrad.compat.core import (JVPNode, SparseObject, VJPNode, backward_pass,
                                  defjvp_argnums, defvjp_argnums, make_vjp, primitive_jvps,
                                  primitive_vjps)
from dualgrad.compat.extend import VSpace, defjvp, defvjp, primitive, register_notrace, vspace
from dualgrad.compat.numpy_boxes import ArrayBox
from dualgrad.compat.numpy_vspaces import ArrayVSpace, ComplexArrayVSpace
from dualgrad.compat.tracer import Box, Node, getval, isbox, new_box, toposort, trace, trace_stack
from dualgrad.test_util import check_grads

X0 = onp.array([0.3, -0.7, 1.1])


def f(x):
    return np.stack([np.sum(np.sin(x) * x), np.prod(x)])


def J_f(x):
    return onp.stack([onp.cos(x) * x + onp.sin(x), onp.prod(x) / x])


# --------------------------------------------------------------- a user ndarray subclass
class Tagged(onp.ndarray):
    """An ndarray carrying a tag, as PennyLane's tensor carries requires_grad."""

    def __new__(cls, a, tag="t"):
        obj = onp.asarray(a, float).view(cls)
        obj.tag = tag
        return obj

    def __array_finalize__(self, obj):
        self.tag = getattr(obj, "tag", "t")


_made = []


def _tagged_box(value, trace_id, node):
    _made.append(type(value))
    if value.tag == "frozen":  # PennyLane's maker refuses requires_grad=False this way
        raise ValueError("this Tagged is not differentiable")
    return ArrayBox(value, trace_id, node)


@pytest.fixture
def tagged_registered():
    Box.type_mappings[Tagged] = _tagged_box
    VSpace.mappings[Tagged] = lambda x: ArrayVSpace(x)
    _made.clear()
    yield
    del Box.type_mappings[Tagged]
    del VSpace.mappings[Tagged]


def test_a_registered_ndarray_subclass_is_boxed_by_its_maker_and_comes_back_as_itself(
        tagged_registered):
    t = Tagged(X0, tag="w")
    g = dg.grad(lambda x: np.sum(np.sin(x) * x))(t)
    assert _made == [Tagged]  # the transform boxed its input through the registered maker
    assert type(g) is Tagged and g.tag == "w"
    onp.testing.assert_allclose(g, onp.cos(X0) * X0 + onp.sin(X0))
    jac = dg.jacobian(f)(t)
    assert type(jac) is Tagged
    onp.testing.assert_allclose(jac, J_f(X0))
    assert isinstance(vspace(t), ArrayVSpace) and vspace(t).shape == (3,)


def test_a_registered_makers_refusal_reaches_the_caller(tagged_registered):
    with pytest.raises(ValueError, match="not differentiable"):
        dg.grad(lambda x: np.sum(x))(Tagged(X0, tag="frozen"))


def test_a_registered_ndarray_subclass_in_both_modes_matches_numerical_derivatives(
        tagged_registered):
    check_grads(lambda x: np.sum(np.tanh(x) ** 2 * x), modes=["fwd", "rev"], order=2)(
        Tagged(X0))


# --------------------------------------------------------------- a user vector space
class Poly:
    """A polynomial as a vector (its coefficients): a space the user defines."""

    def __init__(self, c):
        self.c = onp.asarray(c, float)
        self.vs = PolyVSpace(self)

    def __add__(self, other):
        return self.vs.add(self, other)

    def __mul__(self, a):
        return self.vs.scalar_mul(self, a)

    __rmul__ = __mul__


class PolyBox(Box, Poly):
    @property
    def c(self):
        return self._value.c


PolyBox.register(Poly)


class PolyVSpace(VSpace):
    def __init__(self, value):
        self.n = self.size = len(value.c)

    def zeros(self):
        return Poly(onp.zeros(self.n))

    def ones(self):
        return Poly(onp.ones(self.n))

    def _add(self, p, q):
        return Poly(p.c + q.c)

    def _scalar_mul(self, p, a):
        return Poly(p.c * a)

    def _inner_prod(self, p, q):
        return float(p.c @ q.c)


VSpace.register(Poly, lambda p: p.vs)


@primitive
def peval(p, x):
    """p(x) = sum_k c_k x^k."""
    return sum(ck * x ** k for k, ck in enumerate(p.c))


defvjp(peval, lambda ans, p, x: lambda g: Poly(g * x ** onp.arange(len(p.c))),
       lambda ans, p, x: lambda g: g * sum(k * ck * x ** (k - 1) for k, ck in enumerate(p.c)
                                           if k))
defjvp(peval, lambda t, ans, p, x: peval(t, x))  # linear in p


def test_a_user_vector_space_in_reverse_mode():
    p = Poly([1.0, 2.0, 3.0])
    seen = []

    def loss(q):
        seen.append(type(q))
        return peval(q, 2.0) ** 2

    g = dg.grad(loss)(p)
    assert len(seen) == 1 and issubclass(seen[0], PolyBox)  # the registered box class's face
    assert type(g) is Poly
    onp.testing.assert_allclose(g.c, 2 * 17.0 * onp.array([1.0, 2.0, 4.0]))
    assert dg.grad(lambda x: peval(p, x))(2.0) == pytest.approx(2 + 2 * 3 * 2.0)


def test_a_user_vector_space_in_forward_mode():
    p, t = Poly([1.0, 2.0, 3.0]), Poly([1.0, 0.0, 1.0])
    value, tangent = dg.jvp(lambda q: peval(q, 2.0), (p,), (t,))
    assert value == pytest.approx(17.0) and tangent == pytest.approx(5.0)


# --------------------------------------------------------------- hand-driven traces
def test_pymoo_style_new_box_on_a_never_opened_trace_with_boxed_seeds():
    b = new_box(X0, 0, VJPNode.new_root())
    out = f(b)
    assert isbox(out) and isinstance(out._node, VJPNode)
    for i in range(2):
        seed = new_box(onp.eye(2)[i], 0, VJPNode.new_root())  # the seed is a box too
        onp.testing.assert_allclose(getval(backward_pass(seed, out._node)), J_f(X0)[i])


def test_roots_made_the_way_new_root_makes_them_initialize_root_by_hand():
    # autograd's Node.new_root is cls.__new__ then initialize_root(*args): code that builds
    # its roots that way gets the same traces
    root = VJPNode.__new__(VJPNode)
    root.initialize_root()
    with trace_stack.new_trace() as t:
        out = f(new_box(X0, t, root))
    onp.testing.assert_allclose(backward_pass(onp.array([0.0, 1.0]), out._node), J_f(X0)[1])
    v = onp.array([1.0, 2.0, 3.0])
    froot = JVPNode.__new__(JVPNode)
    froot.initialize_root(v)
    with trace_stack.new_trace() as t:
        out = f(new_box(X0, t, froot))
    onp.testing.assert_allclose(out._node.g, J_f(X0) @ v)


def test_new_trace_new_box_backward_pass_and_forward_roots():
    with trace_stack.new_trace() as t:
        assert trace_stack.top == t
        b = new_box(X0, t, VJPNode.new_root())
        out = f(b)
        assert out._trace == b._trace
    cot = backward_pass(onp.array([1.0, 0.0]), out._node)
    assert type(cot) is onp.ndarray
    onp.testing.assert_allclose(cot, J_f(X0)[0])
    v = onp.array([1.0, 2.0, 3.0])
    with trace_stack.new_trace() as t:
        out = f(new_box(X0, t, JVPNode.new_root(v)))
    onp.testing.assert_allclose(out._node.g, J_f(X0) @ v)
    vjp, ans = make_vjp(f, X0)
    onp.testing.assert_allclose(vjp(onp.array([0.0, 1.0])), J_f(X0)[1])
    onp.testing.assert_allclose(ans, [onp.sum(onp.sin(X0) * X0), onp.prod(X0)])


def _hand_grad(x):
    """grad of sum(sin(x)^2) by a hand-driven trace: 2 sin cos = sin(2x)."""
    with trace_stack.new_trace() as t:
        out = np.sum(np.sin(new_box(x, t, VJPNode.new_root())) ** 2)
    return backward_pass(1.0, out._node)


@pytest.mark.parametrize("outer", [dg.jacobian, dg.jacfwd, dg.jacrev])
def test_a_hand_driven_trace_inside_dualgrads_transforms(outer):
    onp.testing.assert_allclose(_hand_grad(X0), onp.sin(2 * X0))
    onp.testing.assert_allclose(outer(_hand_grad)(X0), onp.diag(2 * onp.cos(2 * X0)))


def test_dualgrads_grad_inside_a_hand_driven_trace():
    w = onp.array([1.0, 2.0, 3.0])
    with trace_stack.new_trace() as t:
        b = new_box(X0, t, VJPNode.new_root())
        out = np.sum(dg.grad(lambda y: np.sum(np.sin(y) ** 2))(b) * w)
    onp.testing.assert_allclose(backward_pass(1.0, out._node), 2 * onp.cos(2 * X0) * w)


class NameNode(Node):
    """A user node recording the primitive that made each value (print_trace's kind)."""

    __slots__ = ["name", "parents"]

    def __init__(self, value, fun, args, kwargs, parent_argnums, parents):
        self.name, self.parents = fun.__name__, parents

    def initialize_root(self):
        self.name, self.parents = "root", []


def test_user_nodes_see_every_primitive():
    value, end = trace(NameNode.new_root(), lambda x: np.exp(np.sin(x) * 2.0), 0.5)
    assert value == pytest.approx(onp.exp(2 * onp.sin(0.5)))
    assert [n.name for n in toposort(end)] == ["exp", "multiply", "sin", "root"]
    with pytest.warns(UserWarning, match="independent"):
        assert trace(NameNode.new_root(), lambda x: 3.0, 0.5) == (3.0, None)


# --------------------------------------------------------------- the rule tables
def test_primitive_vjps_and_jvps_read_dualgrads_rules_in_autograds_form():
    x = onp.array([0.3, 0.5])
    vjp = primitive_vjps[np.sin]((0,), onp.sin(x), (x,), {})
    onp.testing.assert_allclose(vjp(onp.ones(2))[0], onp.cos(x))
    tangent = primitive_jvps[np.multiply]((0, 1), [onp.ones(2), 2 * onp.ones(2)], x * x, (x, x), {})
    onp.testing.assert_allclose(tangent, 3 * x)


def test_rules_written_in_autograds_form_are_honoured():
    @primitive
    def cube(a, b):
        return a ** 3 * b

    defvjp_argnums(cube, lambda argnums, ans, args, kwargs: lambda g: tuple(
        g * 3 * args[0] ** 2 * args[1] if i == 0 else g * args[0] ** 3 for i in argnums))
    defjvp_argnums(cube, lambda argnums, gs, ans, args, kwargs: sum(
        g * 3 * args[0] ** 2 * args[1] if i == 0 else g * args[0] ** 3
        for i, g in zip(argnums, gs)))
    check_grads(cube, modes=["fwd", "rev"], order=1)(0.5, 2.0)

    @primitive
    def sq(a):
        return a * a

    primitive_vjps[sq] = lambda argnums, ans, args, kwargs: lambda g: (g * 2 * args[0],)
    primitive_jvps[sq] = lambda argnums, gs, ans, args, kwargs: gs[0] * 2 * args[0]
    assert dg.grad(sq)(3.0) == 6.0 and dg.jvp(sq, (3.0,), (1.0,)) == (9.0, 6.0)
    primitive_vjps.pop(sq)
    assert dg.grad(sq)(3.0) == 6.0  # no VJP now: dualgrad's mode fallback uses the JVP
    primitive_jvps.pop(sq)
    with pytest.raises(Exception, match="sq"):
        dg.grad(sq)(3.0)


def test_register_notrace_gives_the_untraced_derivative():
    @primitive
    def stopped(a):
        return a * 1.0

    register_notrace(VJPNode, stopped)
    assert dg.grad(lambda a: stopped(a) * a)(2.0) == 2.0  # d/da (c * a), c = a held fixed


def test_a_sparse_cotangent_is_the_dense_one_it_stands_for():
    @primitive
    def pick(a, i):
        return a[i]

    def pick_vjp(ans, a, i):
        def vjp(g):
            def mut_add(A):
                A[i] += g
                return A
            return SparseObject(vspace(a), mut_add)
        return vjp

    defvjp(pick, pick_vjp)
    a = onp.array([1.0, 2.0, 3.0])
    onp.testing.assert_array_equal(dg.grad(lambda a: pick(a, 1) * 3.0)(a), [0.0, 3.0, 0.0])
    onp.testing.assert_array_equal(dg.grad(lambda a: pick(a, 1) * 3.0 + pick(a, 1) + a[2])(a),
                                   [0.0, 4.0, 1.0])


def test_array_vspaces():
    vs = ArrayVSpace(onp.zeros((2, 3)))
    assert (vs.size, vs.shape, vs.iscomplex) == (6, (2, 3), False)
    cvs = ComplexArrayVSpace(onp.zeros(2))  # autograd's: a real value taken as complex
    assert cvs.iscomplex and cvs.size == 4 and cvs.zeros().dtype.kind == "c"


# --------------------------------------------------------------- integer types
def test_integer_types_are_autograds_subclasses():
    assert not isinstance(onp.int64(0), np.int64)  # as in autograd (pyerrors relies on it)
    assert isinstance(np.int64(0), onp.int64) and isinstance(np.int64(0), np.int64)
    for name in ("int8", "int16", "int32", "int64"):
        assert issubclass(getattr(np, name), getattr(onp, name))
    assert dg.grad(lambda a: a * np.int64(3))(2.0) == 3.0
    assert dg.grad(lambda a: np.int64(a) * a)(2.5) == 2.0  # int() of a traced value: a constant


# ----------------------------------- boxes a primitive's body and rules closed over
# PennyLane's nested parameter-shift (qnode(max_diff=2)): the primitive executing the
# circuits reads the parameters' boxes from the tapes, not from its argument, in its body
# (which runs a second such primitive on them) and in its VJP (which computes with them
# after their trace has ended, leaving an object array of those boxes). autograd lets the
# body's boxes ride along unread and computes on through the finished ones.
def _closing_over(seen):
    @primitive
    def sines(v):  # the body ignores its plain argument: it reads the caller's boxes
        return inner(seen[-1])

    @primitive
    def inner(v):
        return onp.sin(v)

    defvjp(inner, lambda ans, v: lambda g: g * onp.cos(v))
    # the VJP computes with the closed-over boxes; one element at a time, in an object array
    def vjp(ans, v):
        def pull(g):
            out = onp.empty(len(g), dtype=object)
            for i in range(len(g)):
                out[i] = g[i] * np.cos(seen[-1][i])
            return out
        return pull
    defvjp(sines, vjp)

    def f(x):
        seen.append(x)
        return np.sum(x * sines(x))
    return f


@pytest.mark.parametrize("order", ["grad", "hessian", "jacobian of grad"])
def test_boxes_a_primitive_closed_over_add_nothing_to_its_rules(order):
    f = _closing_over([])
    fprime = lambda x: onp.sin(x) + x * onp.cos(x)  # noqa: E731
    if order == "grad":
        got, want = dg.grad(f)(X0), fprime(X0)
    elif order == "hessian":
        got, want = dg.hessian(f)(X0), onp.diag(2 * onp.cos(X0) - X0 * onp.sin(X0))
    else:
        got = dg.jacobian(dg.grad(f))(X0)
        want = onp.diag(2 * onp.cos(X0) - X0 * onp.sin(X0))
    assert type(got) is onp.ndarray and got.dtype == float
    onp.testing.assert_allclose(got, want, rtol=1e-12)


def test_a_primitive_body_answering_with_its_callers_tracer_gives_the_plain_value():
    # inside grad: the body returns a Box of the very level calling it
    seen = []

    @primitive
    def leak(v):
        return seen[-1] * 2.0

    defvjp(leak, lambda ans, v: lambda g: 2.0 * g)

    def f(x):
        seen.append(x)
        y = leak(x)
        assert isbox(y) and not isbox(y.value)  # not a box of the level inside its own
        return y * y

    assert float(dg.grad(f)(1.5)) == pytest.approx(8 * 1.5)
    assert float(dg.deriv(f)(1.5)) == pytest.approx(8 * 1.5)


# ------------------------------- the rule helpers of numpy_vjps/numpy_jvps a user may call
from dualgrad.compat import numpy_jvps as ag_jvps  # noqa: E402
from dualgrad.numpy import numpy_vjps as ag_vjps  # noqa: E402


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 2), -1])
def test_repeat_to_match_shape_in_a_user_rule(axis):
    # a user's sum with its VJP written by autograd's helper; checked to second order
    @primitive
    def total(x, axis=None):
        return onp.sum(x, axis=axis)

    defvjp(total, lambda ans, x, axis=None: lambda g: ag_vjps.repeat_to_match_shape(
        g, onp.shape(x), onp.result_type(x), axis, False)[0])
    x = onp.random.default_rng(0).normal(size=(2, 3, 4))
    check_grads(lambda x: total(x * x, axis=axis), modes=("rev",), order=2)(x)
    G, n = ag_vjps.repeat_to_match_shape(onp.sum(x, axis=axis), x.shape, float, axis, False)
    assert G.shape == x.shape and n == x.size // onp.size(onp.sum(x, axis=axis))


def test_balanced_eq_untake_and_the_others_as_user_rules_use_them():
    @primitive
    def biggest(x, y):
        return onp.maximum(x, y)

    defvjp(biggest, lambda ans, x, y: lambda g: g * ag_vjps.balanced_eq(x, ans, y),
           lambda ans, x, y: lambda g: g * ag_vjps.balanced_eq(y, ans, x))
    x, y = onp.array([1.0, 2.0, 3.0]), onp.array([3.0, 2.0, 1.0])
    gx, gy = dg.grad(lambda x, y: np.sum(biggest(x, y) * X0), argnum=(0, 1))(x, y)
    onp.testing.assert_allclose(gx, [0.0, 0.5 * X0[1], X0[2]])
    onp.testing.assert_allclose(gy, [X0[0], 0.5 * X0[1], 0.0])

    @primitive
    def pick(x, idx):
        return x[idx]

    defvjp(pick, lambda ans, x, idx: lambda g: ag_vjps.untake(g, idx, vspace(x)))
    check_grads(lambda x: pick(x, [0, 2, 0]) ** 2, modes=("rev",), order=2)(X0)
    onp.testing.assert_allclose(dg.grad(lambda x: np.sum(pick(x, [0, 2, 0])))(X0), [2, 0, 1])

    assert ag_vjps.wrapped_reshape(onp.arange(6.0), 2, 3).shape == (2, 3)
    assert ag_vjps.wrapped_reshape(onp.arange(6.0), (3, 2)).shape == (3, 2)
    assert dg.grad(lambda x: np.sum(ag_vjps.wrapped_reshape(x, 3, 1) ** 2))(X0).tolist() == (
        2 * X0).tolist()
    onp.testing.assert_array_equal(ag_vjps.replace_zero(onp.array([0.0, 2.0]), 5.0), [5.0, 2.0])
    assert onp.isrealobj(ag_vjps.match_complex(1.0, onp.array([1 + 2j])))
    assert onp.iscomplexobj(ag_vjps.match_complex(1j, onp.array([1.0])))


def test_broadcast_in_a_user_jvp():
    @primitive
    def plus(x, y):
        return x + y

    defjvp(plus, lambda g, ans, x, y: ag_jvps.broadcast(g, ans),
           lambda g, ans, x, y: ag_jvps.broadcast(g, ans))
    x, y = onp.array([0.5, -1.0, 2.0]), onp.ones((2, 3))
    check_grads(plus, modes=("fwd",), order=1)(x, y)
    assert ag_jvps.broadcast(onp.array([1.0]), onp.zeros((2, 2), complex)).dtype == complex


def test_trace_primitives_map_is_numpys_dispatch_table():
    from dualgrad.compat.tracer import trace_primitives_map
    assert trace_primitives_map[onp.sin] is not None
    # what numpy.sin does on a tracer is what the map holds for it
    assert float(dg.grad(lambda x: trace_primitives_map[onp.sin](x))(0.3)) == pytest.approx(
        onp.cos(0.3))


def test_r_class_c_class_and_custom_where_are_autograds():
    from dualgrad.compat.numpy_wrapper import c_class, custom_where, r_class
    assert float(dg.grad(lambda x: np.sum(r_class()[x, 2.0 * x] ** 2))(1.5)) == pytest.approx(
        2 * 1.5 + 8 * 1.5)
    onp.testing.assert_array_equal(c_class()[[1.0, 2.0], [3.0, 4.0]], onp.c_[[1.0, 2.0], [3.0, 4.0]])
    assert custom_where is np.where
