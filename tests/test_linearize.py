"""linearize and linear_transpose (dualgrad.interpreters.linear, transforms/linearize.py).

Checked: the recorded linear map equals ``jvp`` on whole programs; its transpose passes
the adjoint identity ``<L v, w> = <v, L^T w>`` on every linear primitive, real and complex
(complex maps: the real part of the bilinear pairing, and the whole of it for C-linear
maps, whose transpose is A^T as JAX's; the table
of ``rules.taylor``'s linear primitives is walked, so a new one must be added here) and
on bilinear primitives with one constant factor; ``linear_transpose(linearize(f, x)[1])``
equals the tape's VJP; maps that are not linear are refused, naming the primitive.
"""
import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import grad, jacobian, jvp, linear_transpose, linearize, vjp, vmap
from dualgrad.extend import defjvp, defvjp, primitive
from dualgrad.interpreters.linear import NotLinearError, record_linear
from dualgrad.rules import taylor as taylor_rules
from dualgrad.rules._helpers import astype, sum_to_shape

R = onp.random.default_rng(7)
A = R.normal(size=(4, 6))
M = R.normal(size=(6, 6))

LINEAR_MAPS = {  # functions of a (6,) real vector, each linear in it
    "add_sub_neg": lambda v: -(v + 2 * v) - v[::-1],
    "reshape_transpose": lambda v: np.transpose(np.reshape(v, (2, 3))) * 1.5,
    "getitem": lambda v: v[[0, 2, 2, 5]] + v[1:5],
    "untake": lambda v: grad(lambda u: np.sum(u[[1, 1, 3]] * v[:3]))(onp.zeros(6)),
    "concatenate": lambda v: np.concatenate([v[:2], 3 * v, v[4:]]),
    "sum_mean_cumsum": lambda v: np.cumsum(v) + np.sum(v) + np.mean(np.reshape(v, (3, 2)), axis=1)[0],
    "broadcast": lambda v: np.broadcast_to(v, (3, 6)) * onp.arange(18.0).reshape(3, 6),
    "sum_to_shape": lambda v: sum_to_shape(np.reshape(v, (2, 3)), shape=(1, 3)),
    "real_imag_conj": lambda v: np.real(v) + np.imag(v) + np.conj(v),
    "astype": lambda v: astype(v, onp.float32) * 2.0,
    "index_update": lambda v: _update(v),
    "multiply_divide": lambda v: v * onp.arange(1.0, 7.0) / 3.0 + onp.arange(6.0) * v,
    "matmul_dot": lambda v: A @ v + np.dot(A, v) + (v @ M)[:4],
    "einsum_tensordot": lambda v: np.einsum("ij,j->i", A, v) + np.tensordot(A, v, axes=1),
    "where": lambda v: np.where(onp.arange(6) % 2 == 0, v, 0.0) * 2,
    "roll": lambda v: np.roll(np.reshape(v, (2, 3)), (1, -1), axis=(0, 1)) + np.roll(v, 2, 0)[:3],
}


def _update(v):
    y = v * 2.0
    y[1] = v[3]
    return y


def _record(f):
    return record_linear(f, [((6,), onp.dtype(float))])


C = R.normal(size=(4, 6)) + 1j * R.normal(size=(4, 6))

# functions of a (6,) complex vector (rfft: of a real one), each R-linear in it; the
# C-linear ones (L(a v) = a L(v) for complex a) are marked True
COMPLEX_MAPS = {
    "scale_add": (lambda v: (2 - 1j) * v + 1j * v[::-1], True),
    "matmul_dot": (lambda v: C @ v + np.dot(C, v) + (v @ M)[:4], True),
    "einsum": (lambda v: np.einsum("ij,j->i", C, v), True),
    "fft": (lambda v: np.fft.fft(v) + np.fft.ifft(v[::-1]) * 3j, True),
    "conj": (lambda v: np.conj(v) * (1 + 2j), False),
    "real_imag": (lambda v: np.real(v) * 1j + np.imag(v) * (2 - 1j), False),
    "shapes": (lambda v: np.transpose(np.reshape(v, (2, 3))) * 1j, True),
    "getitem_update": (lambda v: _update(v * 1j), True),
    "where_sum": (lambda v: np.where(onp.arange(6) % 2 == 0, v, 0.0) + np.sum(v) * 1j, True),
}
REAL_TO_COMPLEX = {"rfft": lambda v: np.fft.rfft(v) * (1 - 1j), "times_i": lambda v: v * 1j}
COMPLEX_TO_REAL = {"irfft": lambda v: np.fft.irfft(v[:4], n=6) * 2.0,
                   "abs_free": lambda v: np.real(v * (1 + 1j)) + np.imag(v)}


def test_every_linear_primitive_is_walked():
    real_in = [*LINEAR_MAPS.values(), *REAL_TO_COMPLEX.values()]
    complex_in = [*(f for f, _ in COMPLEX_MAPS.values()), *COMPLEX_TO_REAL.values()]
    seen = {ln.prim.name for f in real_in for ln in _record(f).lines}
    seen |= {ln.prim.name for f in complex_in
             for ln in record_linear(f, [((6,), onp.dtype(complex))]).lines}
    wanted = {p.name for p in taylor_rules._LINEAR}
    assert wanted <= seen, sorted(wanted - seen)


def _cnormal(shape):
    return R.normal(size=shape) + 1j * R.normal(size=shape)


def _complex_cases():
    for name, (f, c_linear) in COMPLEX_MAPS.items():
        yield name, f, _cnormal(6), c_linear
    for name, f in REAL_TO_COMPLEX.items():
        yield name, f, R.normal(size=6), False
    for name, f in COMPLEX_TO_REAL.items():
        yield name, f, _cnormal(6), False


@pytest.mark.parametrize("name, f, v, c_linear", list(_complex_cases()),
                         ids=[c[0] for c in _complex_cases()])
def test_adjoint_identity_of_complex_linear_maps(name, f, v, c_linear):
    """The convention's transpose T (each line's VJP) satisfies Re sum(L(v) w) =
    Re sum(v T(w)) for every R-linear map, and sum(L(v) w) = sum(v T(w)) (JAX's
    unconjugated transpose, A^T for L v = A v) for a C-linear one; it is the VJP."""
    Lv = f(v)
    w = _cnormal(onp.shape(Lv)) if onp.iscomplexobj(Lv) else R.normal(size=onp.shape(Lv))
    (Tw,) = linear_transpose(f, v)(w)
    assert Tw.shape == v.shape and onp.iscomplexobj(Tw) == onp.iscomplexobj(v)
    lhs, rhs = onp.sum(Lv * w), onp.sum(v * Tw)
    assert onp.isclose(lhs.real, rhs.real, rtol=1e-12, atol=1e-12)
    if c_linear:
        assert onp.isclose(lhs, rhs, rtol=1e-12, atol=1e-12)
        # and it is A^T: the complex Jacobian's plain transpose
        A_ = jacobian(f)(v).reshape(-1, 6)
        assert onp.allclose(Tw, A_.T @ w.ravel(), rtol=1e-10)
    (ct_tape,) = vjp(f, v)[1](w)
    assert onp.allclose(Tw, ct_tape, rtol=1e-12, atol=1e-14)


def test_transpose_of_a_complex_linearization_is_the_tapes_vjp():
    f = lambda z: np.tanh(C @ np.exp(z * 1j) + np.conj(z[:4])) * np.abs(z[:4])  # noqa: E731
    z = _cnormal(6)
    y, f_jvp = linearize(f, z)
    v = _cnormal(6)
    assert onp.allclose(f_jvp(v), jvp(f, (z,), (v,))[1], rtol=1e-12)
    w = _cnormal(4)
    (ct,) = linear_transpose(f_jvp, z)(w)
    assert onp.allclose(ct, vjp(f, z)[1](w)[0], rtol=1e-12)


def test_complex_transpose_follows_jaxs_examples():
    # jax.linear_transpose(lambda x: 1j * x, 1.0 + 0j)(1.0 + 0j) == (1j,)
    (t,) = linear_transpose(lambda x: 1j * x, 1.0 + 0j)(1.0 + 0j)
    assert t == 1j
    # a real input keeps the real part: Re(1j * w) = 0
    (t,) = linear_transpose(lambda x: 1j * x, onp.ones(2))(onp.ones(2) + 0j)
    assert onp.array_equal(t, onp.zeros(2)) and t.dtype == float


@pytest.mark.parametrize("name", sorted(LINEAR_MAPS))
def test_adjoint_identity(name):
    f = LINEAR_MAPS[name]
    v = R.normal(size=6)
    Lv = f(v)
    w = R.normal(size=onp.shape(Lv))
    (LTw,) = linear_transpose(f, v)(w)
    tol = 1e-5 if onp.result_type(Lv) == onp.float32 else 1e-12
    assert onp.isclose(onp.sum(Lv * w), onp.sum(v * LTw), rtol=tol)
    # and the transpose is the Jacobian's transpose, and the tape's VJP
    assert onp.allclose(LTw, jacobian(f)(v).reshape(-1, 6).T @ w.ravel(), rtol=tol * 10)
    assert onp.allclose(LTw, vjp(f, v)[1](w)[0], rtol=tol, atol=tol)
    # so is the transpose of its linearization (the map recorded by forward mode)
    assert onp.allclose(linear_transpose(linearize(f, v)[1], v)(w)[0], LTw, rtol=tol, atol=tol)


PROGRAMS = {
    "mlp": lambda x: np.tanh(A @ np.tanh(M @ x + 0.1)),
    "chain": lambda x: np.exp(np.sin(x) * x[::-1]) / (1 + x ** 2) + np.log1p(x @ x),
    "shapes": lambda x: np.sum(np.reshape(x, (2, 3)) ** 3, axis=0) * np.max(x),
    "update": lambda x: _update(np.sin(x)) ** 2,
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_linearize_equals_jvp_and_its_transpose_equals_the_tape(name):
    f = PROGRAMS[name]
    x, v = R.normal(size=6), R.normal(size=6)
    y, f_jvp = linearize(f, x)
    y_ref, t_ref = jvp(f, (x,), (v,))
    assert onp.allclose(y, y_ref) and onp.allclose(f_jvp(v), t_ref)
    w = R.normal(size=onp.shape(y))
    (ct,) = linear_transpose(f_jvp, x)(w)
    (ct_tape,) = vjp(f, x)[1](w)
    assert onp.allclose(ct, ct_tape, rtol=1e-12)


def test_the_linear_map_batches_and_differentiates():
    f = PROGRAMS["mlp"]
    x = R.normal(size=6)
    _, f_jvp = linearize(f, x)
    V = R.normal(size=(5, 6))
    assert onp.allclose(vmap(f_jvp)(V), onp.stack([f_jvp(v) for v in V]))
    J = jacobian(f)(x)
    assert onp.allclose(jacobian(f_jvp)(V[0]), J)  # the derivative of a linear map is itself


def test_source_shows_one_line_per_primitive():
    _, f_jvp = linearize(lambda x: np.sin(x) * 2.0, onp.ones(3))
    src = f_jvp.source()
    assert src.splitlines()[0] == "def f_jvp(t0):" and "multiply" in src
    assert len(src.splitlines()) == 2 + len(f_jvp.lines)


def test_nonlinear_and_affine_maps_are_refused():
    with pytest.raises(NotLinearError, match="'multiply'.*not linear"):
        linear_transpose(lambda v: v * v, onp.ones(3))
    with pytest.raises(NotLinearError, match="not linear"):
        linear_transpose(lambda v: np.sin(v), onp.ones(3))
    with pytest.raises(NotLinearError, match="affine"):
        linear_transpose(lambda v: onp.ones(3), onp.ones(3))


def test_a_map_not_depending_on_its_input_is_zero():
    (ct,) = linear_transpose(lambda v: 0.0 * onp.ones(2), onp.ones(3))(onp.ones(2))
    assert onp.array_equal(ct, onp.zeros(3))


def test_bad_inputs_are_refused():
    with pytest.raises(TypeError, match="integer input"):
        linearize(np.sin, onp.arange(3))
    _, f_jvp = linearize(np.sin, onp.ones(3))
    with pytest.raises(ValueError, match="shape"):
        f_jvp(onp.ones(4))


def test_three_programs_primal_linear_transpose():
    from dualgrad.tools.programs import three_programs
    f = PROGRAMS["mlp"]
    x = R.normal(size=6)
    t = three_programs(f, x)
    names = [ln.prim.name for ln in t.primal.lines]
    assert names.count("tanh") == 2 and names.count("matmul") == 2
    # the transpose program, run, is the VJP; the linear program, run, is the JVP
    w, v = R.normal(size=4), R.normal(size=6)
    assert onp.allclose(t.transpose(w), vjp(f, x)[1](w)[0])
    assert onp.allclose(t.linear(v), jvp(f, (x,), (v,))[1])
    src = str(t)
    assert "def f(" in src and "def f_jvp(" in src and "def f_vjp(" in src
    import matplotlib
    matplotlib.use("Agg")
    fig = t.draw()
    assert [a.get_title() for a in fig.axes][:3] == ["primal: y = f(x)",
                                                     "linearization: t_y = J t",
                                                     "transpose: c = J^T w"]


def _traced_and_plain(f_jvp, v, w):
    """``f_jvp`` applied by its compiled plan (plain tangents) and by the primitives
    (under ``jvp``: a traced tangent, the map's value and its derivative ``f_jvp(w)``)."""
    out, t = jvp(f_jvp, (v,), (w,))
    return f_jvp(v), f_jvp(w), out, t


@pytest.mark.parametrize("name", sorted(LINEAR_MAPS) + sorted(PROGRAMS))
def test_the_compiled_application_equals_the_primitives(name):
    # each line of the plan calls the primitive's function directly: the same
    # numbers as dispatching through the primitive, for every linear primitive
    # (one variable, two, keywords, lists) and whole programs
    f = LINEAR_MAPS.get(name) or PROGRAMS[name]
    x, v, w = R.normal(size=(3, 6))
    _, f_jvp = linearize(f, x)
    plain_v, plain_w, traced_v, traced_w = _traced_and_plain(f_jvp, v, w)
    assert f_jvp._plan is not None and f_jvp._plan[-1]  # the plain plan was used
    tol = 1e-6 if onp.result_type(plain_v) == onp.float32 else 1e-13
    onp.testing.assert_allclose(plain_v, traced_v, rtol=tol, atol=tol)
    onp.testing.assert_allclose(plain_w, traced_w, rtol=tol, atol=tol)
    onp.testing.assert_allclose(plain_v, jvp(f, (x,), (v,))[1], rtol=1e-10, atol=1e-12)


def test_a_map_of_several_inputs_and_one_that_reuses_a_variable():
    f = lambda x, y: np.sin(x) * y + np.tanh(x @ M) * np.sum(y)  # noqa: E731
    x, y, u, v = R.normal(size=(4, 6))
    _, f_jvp = linearize(f, x, y)
    onp.testing.assert_allclose(f_jvp(u, v), jvp(f, (x, y), (u, v))[1], rtol=1e-12)
    _, g_jvp = linearize(lambda x: x * x + x, x)  # t used by three lines
    onp.testing.assert_allclose(g_jvp(u), (2 * x + 1) * u, rtol=1e-12)
    _, i_jvp = linearize(lambda x: x, x)  # no lines: the output is the input
    assert i_jvp(u) is u
    with pytest.raises(TypeError, match="takes 2 argument"):
        f_jvp(u)


def _opaque_multiply(c, t):  # converts its arguments: a tracer given to it is lost
    return onp.asarray(c, dtype=float) * onp.asarray(t, dtype=float)


opaque_multiply = primitive(_opaque_multiply)
defjvp(opaque_multiply, lambda g, ans, c, t: opaque_multiply(g, t),
       lambda g, ans, c, t: opaque_multiply(c, g))
defvjp(opaque_multiply, lambda ans, c, t: lambda g: opaque_multiply(g, t),
       lambda ans, c, t: lambda g: opaque_multiply(c, g))


@pytest.mark.parametrize("f", [PROGRAMS["chain"], lambda x: opaque_multiply(np.sin(x), x)],
                         ids=["chain", "opaque_primitive"])
def test_a_map_linearized_inside_another_transform_keeps_its_tracers(f):
    # the constants are the outer transform's tracers: the plan must not call the
    # functions on them directly (a function that converts its inputs would drop
    # them: a silent zero), and the derivative through them must be right
    x, v = R.normal(size=(2, 6))

    def jv(x):
        _, f_jvp = linearize(f, x)
        return np.sum(f_jvp(v))
    want = jacobian(lambda x: np.sum(jvp(f, (x,), (v,))[1]))(x)
    onp.testing.assert_allclose(grad(jv)(x), want, rtol=1e-10)
    onp.testing.assert_allclose(jacobian(jv)(x), want, rtol=1e-10)


def test_the_plan_follows_edited_lines():
    _, f_jvp = linearize(lambda x: np.sin(x) * 2.0, onp.ones(3))
    v = onp.arange(3.0)
    first = f_jvp(v)
    f_jvp.lines = f_jvp.lines[:1] + f_jvp.lines[1:]  # a new list: the plan is remade
    onp.testing.assert_array_equal(f_jvp(v), first)
    assert f_jvp._plan[0] is f_jvp.lines
