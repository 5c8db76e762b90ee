"""The tape keeps only what the VJP rules declared they read (dualgrad.core.residuals).

The byte counts of small versions of the memory benchmark's chains
(benchmarks/memory.py) are exact: a rule that stops declaring its residuals,
or declares more than it needs, changes them and fails here.
"""
import os
import sys

import numpy as onp
import pytest

import dualgrad
import dualgrad.numpy as np
from dualgrad import grad
from dualgrad.core import VJP_RULES, Primitive
from dualgrad.tools.counters import count
from dualgrad.extend import defvjp, primitive
from dualgrad.core.residuals import NotKept, ResidualError, declaration, is_declared
from dualgrad.rules import _helpers, complex as cx, elementwise as ew, elementwise_more as em
from dualgrad.rules import linalg as la, reductions as red, scipy_special as ss, shape as shp
from dualgrad.rules.construction import index_update
from dualgrad.test_util import check_grads

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
memory = pytest.importorskip("benchmarks.memory")

N, L = 1000, 20
ACT = 8 * N  # bytes of one float64 activation


def tape_bytes(fun, *args, argnum=0):
    with count() as c:
        g = grad(fun, argnum)(*args)
    return c.tape_bytes, g


def _x():
    return onp.linspace(0.1, 0.9, N)


def _n_arrays(nbytes, act=ACT):
    """(whole activations, remaining bytes): the remainder is scalars and small arrays."""
    return divmod(nbytes, act)


# ---------------------------------------------------------- the benchmark's chains
@pytest.mark.parametrize("loss, what", [
    (memory.sin_loss, "each sin's input"),
    (memory.sin_c_loss, "each sin's input; the constant c is a scalar"),
    (memory.exp_loss, "each exp's answer"),
])
def test_elementwise_chains_keep_one_array_per_layer(loss, what):
    nbytes, _ = tape_bytes(lambda x: loss(np, x), _x())
    arrays, rest = _n_arrays(nbytes)
    assert arrays == L, what
    assert rest < 64  # the scalars: c, the sum's answer


def test_both_traced_factors_are_kept():
    x, y = memory._xy(onp, N)
    nbytes, _ = tape_bytes(lambda x, y: memory.mul_loss(np, x, y), x, y, argnum=(0, 1))
    arrays, rest = _n_arrays(nbytes)
    assert (arrays, rest) == (L + 1, 8)  # x_0 .. x_19, y once (the same array each time); the sum


def test_tanh_mlp_keeps_each_activation_once():
    x, ws, bs = memory._mlp_inputs(onp, N, 3)
    nbytes, _ = tape_bytes(lambda ws, bs: memory.mlp_loss(np, x, ws, bs), ws, bs, argnum=(0, 1))
    w_bytes = sum(w.nbytes for w in ws[1:])  # x is constant: x @ W_0 keeps x, not W_0
    # x (matmul's input), and each tanh answer, which is the next matmul's input too:
    # not the pre-activations (autograd keeps those as well) nor any bias; two scalars
    assert nbytes - w_bytes == (len(ws) + 1) * x.nbytes + 16


def test_relu_mlp_keeps_each_activation_and_a_float16_share():
    x, ws, bs = memory._mlp_inputs(onp, N, 3)
    nbytes, _ = tape_bytes(lambda ws, bs: memory.relu_mlp_loss(np, x, ws, bs), ws, bs,
                           argnum=(0, 1))
    w_bytes = sum(w.nbytes for w in ws[1:])
    # x and each relu answer (the next matmul's input), and per layer the share of the
    # gradient maximum(z, 0) passes to z, computed on the forward pass (float16: a
    # quarter of z); not z itself, which autograd keeps with the answer; three scalars
    # (relu's 0.0, the exponent, the sum)
    assert nbytes - w_bytes == (len(ws) + 1) * x.nbytes + len(ws) * x.nbytes // 4 + 24


@pytest.mark.parametrize("f, kept, what", [
    (lambda x: np.sum(np.maximum(x, 0.0) * 3.0), 2 * N, "the float16 share only"),
    (lambda x: np.sum(np.minimum(x, 0.5) * 3.0), 2 * N, "the float16 share only"),
    (lambda x: np.sum(np.clip(x, -0.5, 0.5) * 3.0), N, "the boolean inside-mask only"),
])
def test_selections_keep_a_mask_computed_on_the_forward_pass(f, kept, what):
    x = onp.linspace(-1, 1, N)
    nbytes, g = tape_bytes(f, x)
    assert nbytes - kept < 64, what
    check_grads(f, modes=["fwd", "rev"], order=2)(onp.linspace(-1, 1, 9) + 0.01)


def test_saved_values_are_computed_from_the_arguments_off_the_tape():
    # the same rules reached by fallbacks and batching: the values come from their arguments
    f = lambda x: np.sum(np.maximum(x, 0.2) ** 3 + np.clip(x, -0.5, 0.5) * x)
    x = onp.array([-1.0, 0.1, 0.3, 2.0])
    h = dualgrad.hessian(f)(x)
    onp.testing.assert_allclose(h, dualgrad.jacobian(grad(f), mode="rev")(x), rtol=1e-12)
    xs = onp.stack([x, -x, 2 * x])
    onp.testing.assert_allclose(dualgrad.vmap(grad(f))(xs), [grad(f)(v) for v in xs])
    rule = ew.maximum.vjp_rule(0)
    onp.testing.assert_allclose(rule(onp.ones(4), onp.maximum(x, 0.2), x, 0.2), x > 0.2)


def test_saves_needs_a_reads_declaration():
    p = Primitive(lambda x: x, "ident")
    with pytest.raises(TypeError, match="saves= goes with reads="):
        p.def_vjp(lambda g, ans, x, *, m: g, saves={"m": lambda ans, x: 1.0})


def test_matmul_network_keeps_each_layer_input_and_weight():
    x, ws = memory.matmul_inputs(onp, N)
    nbytes, _ = tape_bytes(lambda ws: memory.matmul_loss(np, x, ws), ws)
    assert nbytes == len(ws) * x.nbytes + sum(w.nbytes for w in ws[1:]) + 8


def test_constant_operands_cost_only_what_the_partner_reads():
    x, c = _x(), onp.linspace(1, 2, N)
    for f, kept in [(lambda x: np.sum(x * c), 1),      # x * c: c only
                    (lambda x: np.sum(x + c), 0),      # x + c: nothing
                    (lambda x: np.sum(x / c), 1),      # x / c: c
                    (lambda x: np.sum(c / x), 2),      # c / x: the answer and x
                    (lambda x: np.sum(np.sin(x)), 1)]:  # sin(x): x
        nbytes, _ = tape_bytes(f, x)
        assert _n_arrays(nbytes)[0] == kept


def test_gradients_of_the_benchmark_agree_at_a_tiny_size():
    for chain in memory.CHAINS:
        prints = [memory._fingerprint(memory.gradient(chain, impl, 400))
                  for impl in ("dualgrad", "numpy by hand")]
        assert memory._agree(*prints), chain


def test_checkpoint_keeps_only_its_inputs():
    chain = lambda x: memory.sin_loss(np, x)
    with count() as c:  # the tape recorded on the forward pass (no backward pass yet)
        pull, _ = dualgrad.make_vjp(dualgrad.checkpoint(chain))(_x())
    assert _n_arrays(c.tape_bytes)[0] == 1  # x: the 20 layers are recomputed when pulled back
    onp.testing.assert_allclose(pull(1.0), grad(chain)(_x()), rtol=1e-12)


# ---------------------------------------------------------- declarations
HOT = [ew, cx, red, shp, la, _helpers]


def _primitives(module):
    return [v for v in vars(module).values() if isinstance(v, Primitive) and v.vjps]


def test_every_primitive_of_the_hot_families_declares():
    prims = [p for m in HOT for p in _primitives(m)] + [index_update]
    prims += [p for p in _primitives(em) + _primitives(ss) if p.__dict__.get("elementwise")]
    undeclared = sorted({p.name for p in prims if not is_declared(p)})
    assert not undeclared, undeclared
    assert len(prims) > 90


def test_the_coverage_report_counts_undeclared_primitives():
    from dualgrad.tools.coverage import residual_coverage
    declared, undeclared = residual_coverage()
    assert "sin" in declared and "matmul" in declared and "cholesky" in declared
    assert "odeint" in undeclared  # its adjoint reads the whole trajectory's closure
    assert set(declared) | set(undeclared) == {p.name for p in VJP_RULES
                                               if isinstance(p, Primitive) and p.vjps}


def test_elementwise_derivatives_declare_by_the_names_they_take():
    assert declaration(ew.sin, 0) == (False, frozenset({0}))
    assert declaration(ew.exp, 0) == (True, frozenset())
    assert declaration(ew.multiply, 0) == (False, frozenset({1}))
    with pytest.raises(TypeError, match="takes x, out or"):
        _helpers.elementwise(onp.sin, lambda y: y, "bad")


def test_a_rule_reading_an_undeclared_value_fails_loudly():
    f = primitive(lambda x, y: x * y)
    f.def_vjp(lambda g, ans, x, y: g * y, argnum=0, reads=())  # wrong: it reads y
    with pytest.raises(ResidualError, match="reads= declaration"):
        grad(lambda x: np.sum(f(x, onp.ones(3))))(onp.ones(3))


def test_a_declaration_naming_no_parameter_is_refused():
    f = primitive(lambda x: x * 2.0)
    f.def_vjp(lambda g, ans, x: 2.0 * g, reads="z")
    with pytest.raises(ValueError, match="'z', which is not one of its parameters"):
        grad(lambda x: np.sum(f(x)))(onp.ones(3))


def test_undeclared_rules_keep_everything_and_replacing_a_rule_forgets_its_plan():
    f = primitive(lambda x: x ** 3)
    f.def_vjp(lambda g, ans, x: g * 0.0 + 3.0, reads=())  # a wrong derivative, declared
    loss = lambda x: np.sum(f(x))
    x = onp.linspace(1, 2, N)
    nbytes, g = tape_bytes(loss, x)
    assert _n_arrays(nbytes)[0] == 0
    defvjp(f, lambda ans, x: lambda g: 3 * g * x ** 2)  # autograd style, undeclared
    nbytes, g = tape_bytes(loss, x)
    onp.testing.assert_allclose(g, 3 * x ** 2)
    assert _n_arrays(nbytes)[0] == 2  # x and the answer: today's behaviour


def test_stand_ins_have_the_shape_and_dtype_only():
    from dualgrad.core.residuals import stand_in
    x = onp.ones((3, 4), onp.float32)
    s = stand_in(x)
    assert isinstance(s, NotKept) and s.shape == x.shape and s.dtype == x.dtype
    assert s.base is not None and s.strides == (0, 0)  # no memory of its own
    with pytest.raises(ResidualError):
        s + 1
    assert stand_in(2.5) == 2.5 and stand_in((1, 2)) == (1, 2)  # small values are kept


# ---------------------------------------------------------- nesting stays exact
def _chain(x):
    y = x
    for _ in range(3):
        y = np.sin(y) * 1.01 + np.exp(-y) * y
    return np.sum(np.tanh(y) ** 2)


def test_nested_differentiation_through_shape_only_arguments():
    x = onp.linspace(0.2, 0.8, 4)
    check_grads(_chain, modes=["fwd", "rev"], order=2)(x)
    h = dualgrad.hessian(_chain)(x)
    onp.testing.assert_allclose(h, dualgrad.jacfwd(grad(_chain))(x), rtol=1e-10)
    per_example = dualgrad.vmap(grad(lambda v: _chain(v)))(onp.stack([x, 2 * x]))
    onp.testing.assert_allclose(per_example[1], grad(_chain)(2 * x), rtol=1e-12)
    W = onp.linspace(-1, 1, 12).reshape(3, 4)
    J = dualgrad.jacrev(lambda x: np.tanh(W @ x) * x[0])(x)
    onp.testing.assert_allclose(J, dualgrad.jacfwd(lambda x: np.tanh(W @ x) * x[0])(x),
                                rtol=1e-12)


def test_in_place_sums_of_cotangents_stay_exact():
    # a plain cotangent first, then batched ones (vmap of grad), then plain again
    X3 = onp.array([0.3, -1.2, 2.0])
    f = lambda x: np.mean(np.stack([x[0], x[1] ** 2, x[2], x[0] * x[2]]))
    xs = onp.stack([X3, 2 * X3])
    onp.testing.assert_allclose(dualgrad.vmap(grad(f))(xs), [grad(f)(x) for x in xs])
    x = onp.linspace(0.5, 1.5, 5)
    seed = x * 1.0  # a fan-in of 3 onto x, with the user's arrays left untouched
    g = grad(lambda x: np.sum(x * seed + np.sin(x) * x + x))(x)
    onp.testing.assert_allclose(g, seed + onp.cos(x) * x + onp.sin(x) + 1)
    onp.testing.assert_array_equal(seed, x)


def test_graph_record_still_shows_every_value():
    from dualgrad.graph import record
    comp = record(lambda x: np.sum(np.sin(x) * 2.0), onp.ones(3), mode="rev")
    assert all(not isinstance(s.value, NotKept) for s in comp.steps)
