"""The complex convention end to end: its three cases with closed forms,
forward mode with complex tangents, fitting a complex parameter by gradient
descent, vector spaces, and Jacobians/Hessians for every real/complex
combination of input and output."""
import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import (deriv, elementwise_grad, grad, hessian, holomorphic_grad, jacfwd,
                      jacobian, jacrev, jvp, make_jvp, vjp)
from dualgrad.test_util import check_grads
from dualgrad.core.spaces import vspace
from helpers import check_partials, real_jacobian_fd

RNG = onp.random.default_rng(3)


def _cplx(*shape):
    return RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)


def _real_grad(f):
    return grad(lambda w: np.real(f(w)))


# ------------------------------------------------------------ the three cases
@pytest.mark.parametrize("z", [0.3 + 0.4j, -1.2 + 0.7j, 2.0 - 0.5j])
def test_case1_holomorphic_gives_the_complex_derivative(z):
    # grad wants a real output (autograd's rule); holomorphic_grad is grad of the real part
    hgrad = holomorphic_grad
    with pytest.raises(TypeError, match="holomorphic_grad"):
        grad(np.exp)(z)
    assert hgrad(np.exp)(z) == pytest.approx(onp.exp(z), rel=1e-14)
    assert hgrad(lambda w: w ** 3)(z) == pytest.approx(3 * z ** 2, rel=1e-14)
    assert hgrad(lambda w: 1 / w)(z) == pytest.approx(-1 / z ** 2, rel=1e-14)
    assert hgrad(hgrad(lambda w: w ** 3))(z) == pytest.approx(6 * z, rel=1e-14)
    # forward and reverse agree on holomorphic functions, at every order
    for f in (np.exp, lambda w: w ** 3, lambda w: 1 / w, lambda w: np.sin(w) * np.log(w)):
        assert deriv(f)(z) == pytest.approx(hgrad(f)(z), rel=1e-13)
        assert deriv(deriv(f))(z) == pytest.approx(hgrad(hgrad(f))(z), rel=1e-12)
        assert deriv(hgrad(f))(z) == pytest.approx(hgrad(deriv(f))(z), rel=1e-12)
        assert holomorphic_grad(f)(z) == pytest.approx(_real_grad(f)(z), rel=1e-14)


def test_case2_real_loss_of_complex_parameter():
    z = 1.5 - 2.0j
    assert grad(lambda w: np.abs(w) ** 2)(z) == pytest.approx(2 * onp.conj(z))
    assert grad(lambda w: np.real(w * np.conj(w)))(z) == pytest.approx(2 * onp.conj(z))
    assert grad(np.abs)(z) == pytest.approx(onp.conj(z) / abs(z))
    # conj(grad) is the steepest-ascent direction du/dx + i du/dy
    u = lambda w: np.abs(w - 1j) ** 3 + np.real(w)  # noqa: E731
    x, y, h = z.real, z.imag, 1e-6
    du_dx = (u(z + h) - u(z - h)) / (2 * h)
    du_dy = (u(z + 1j * h) - u(z - 1j * h)) / (2 * h)
    assert onp.conj(grad(u)(z)) == pytest.approx(du_dx + 1j * du_dy, rel=1e-8)
    # arrays: the same entrywise
    zs = _cplx(4)
    onp.testing.assert_allclose(grad(lambda w: np.sum(np.abs(w) ** 2))(zs), 2 * onp.conj(zs))


def _dft(n):
    k = onp.arange(n)
    return onp.exp(-2j * onp.pi * onp.outer(k, k) / n)


def _conv_via_complex(x, h):
    """Circular convolution as real(F^-1 (F x * F h)), F the DFT matrix: a real
    function whose inside is complex (and uses the non-holomorphic real())."""
    n = len(x)
    F = _dft(n)
    Finv = onp.conj(F) / n
    return np.real(Finv @ ((F @ x) * (F @ h)))


def _conv_direct(x, h):
    n = len(x)
    idx = (onp.arange(n)[:, None] - onp.arange(n)[None, :]) % n
    return h[idx] @ x  # sum_j h[i - j] x[j]


def test_case3_real_function_with_complex_inside_matches_real_implementation():
    x, h, w = RNG.standard_normal((3, 6))

    def loss(conv):
        return lambda x, h: np.sum(w * np.tanh(conv(x, h)))

    onp.testing.assert_allclose(_conv_via_complex(x, h), _conv_direct(x, h), atol=1e-12)
    for argnum in (0, 1):
        g_cplx = grad(loss(_conv_via_complex), argnum)(x, h)
        g_real = grad(loss(_conv_direct), argnum)(x, h)
        assert g_cplx.dtype == onp.float64  # a real input gets a real gradient
        onp.testing.assert_allclose(g_cplx, g_real, atol=1e-12)
    # forward mode and second order agree too
    H_c = hessian(loss(_conv_via_complex))(x, h)
    H_r = hessian(loss(_conv_direct))(x, h)
    onp.testing.assert_allclose(H_c, H_r, atol=1e-11)
    onp.testing.assert_allclose(jacfwd(_conv_via_complex)(x, h), jacrev(_conv_direct)(x, h),
                                atol=1e-12)


def test_case3_with_fft_rules_if_present():
    from dualgrad.rules import FFT_RULES
    if not {"fft", "ifft"} <= set(FFT_RULES):
        pytest.skip("numpy.fft rules not registered yet")
    import dualgrad.numpy.fft as dfft
    x, h, w = RNG.standard_normal((3, 8))

    def fft_conv(x, h):
        return np.real(dfft.ifft(dfft.fft(x) * dfft.fft(h)))

    def loss(conv):
        return lambda x, h: np.sum(w * np.tanh(conv(x, h)))

    for argnum in (0, 1):
        onp.testing.assert_allclose(grad(loss(fft_conv), argnum)(x, h),
                                    grad(loss(_conv_direct), argnum)(x, h), atol=1e-12)
    onp.testing.assert_allclose(jacfwd(fft_conv)(x, h), jacrev(_conv_direct)(x, h), atol=1e-12)


def test_real_function_via_complex_exponentials():
    """sum(Re(c e^{i w x})) == sum(|c| cos(w x + angle c)): same value, same derivatives."""
    c, w = _cplx(5), RNG.standard_normal(5)

    def f_cplx(x):
        return np.sum(np.real(c * np.exp(1j * w * x)))

    def f_real(x):
        return np.sum(onp.abs(c) * np.cos(w * x + onp.angle(c)))

    for x in (0.3, -1.1):
        assert f_cplx(x) == pytest.approx(f_real(x))
        for d in (grad, deriv):
            assert d(f_cplx)(x) == pytest.approx(d(f_real)(x), rel=1e-12)
        assert grad(grad(f_cplx))(x) == pytest.approx(grad(grad(f_real))(x), rel=1e-12)
        assert isinstance(grad(f_cplx)(x), float) or onp.isrealobj(grad(f_cplx)(x))


# ------------------------------------------------------------ forward mode
def test_forward_mode_carries_complex_tangents_and_is_the_adjoint_of_reverse():
    A = _cplx(3, 3)

    def f(z):
        return np.exp(A @ z) * np.conj(z) + np.abs(z) ** 2

    z, v, u = _cplx(3), _cplx(3), _cplx(3)
    out, t = jvp(f, (z,), (v,))
    assert onp.iscomplexobj(t)
    out2, pull = vjp(f, z)
    # <u, J v> = <J^T u, v> for the real inner product, with the convention's
    # VJP being conj(J^T conj(u))
    lhs = onp.real(onp.vdot(u, t))
    rhs = onp.real(onp.vdot(onp.conj(pull(onp.conj(u))[0]), v))
    assert lhs == pytest.approx(rhs, rel=1e-12)
    check_partials(f, z)
    check_grads(f, order=2)(z)
    assert make_jvp(f)(z)(v)[1] == pytest.approx(t)


def test_deriv_is_the_jvp_along_one():
    """deriv(f)(z) pushes the tangent 1: du/dx + i dv/dx. Equal to grad for
    holomorphic f; for a real loss grad carries du/dy too."""
    z = 0.7 - 0.2j
    f = lambda w: np.abs(w) ** 2  # noqa: E731
    assert deriv(f)(z) == pytest.approx(2 * z.real)
    assert grad(f)(z) == pytest.approx(2 * onp.conj(z))
    zs = _cplx(4)
    onp.testing.assert_allclose(deriv(np.sin)(zs), elementwise_grad(np.sin)(zs), rtol=1e-13)


# ------------------------------------------------------------ fitting
def test_gradient_descent_fits_complex_gain_and_offset_to_least_squares():
    t = onp.linspace(0, 1, 40)
    s = onp.exp(2j * onp.pi * 3 * t) * (1 + 0.3 * t)      # known complex signal
    a_true, b_true = 1.7 * onp.exp(0.6j), -0.2 + 0.1j       # gain & phase, offset
    noise = 0.05 * (RNG.standard_normal(40) + 1j * RNG.standard_normal(40))
    y = a_true * s + b_true + noise

    def loss(params):
        a, b = params
        return np.sum(np.abs(a * s + b - y) ** 2)

    params = (0j, 0j)
    lr = 0.4 / onp.sum(onp.abs(s) ** 2)
    for _ in range(300):
        ga, gb = grad(loss)(params)
        params = (params[0] - lr * onp.conj(ga), params[1] - lr * onp.conj(gb))
    design = onp.stack([s, onp.ones_like(s)], axis=1)
    ls = onp.linalg.lstsq(design, y, rcond=None)[0]
    onp.testing.assert_allclose(params, ls, atol=1e-9)
    assert abs(params[0] - a_true) < 0.05  # and near the truth
    # the gradient vanishes at the least-squares answer
    onp.testing.assert_allclose(grad(loss)(tuple(ls)), (0, 0), atol=1e-9)


def test_stepping_along_grad_instead_of_its_conjugate_goes_wrong():
    """The sign matters: z -= lr * grad (no conj) moves away from the minimum of |z - c|^2
    in the imaginary direction."""
    c = 1.0 + 1.0j
    loss = lambda z: np.abs(z - c) ** 2  # noqa: E731
    good = bad = 0j
    for _ in range(50):
        good = good - 0.1 * onp.conj(grad(loss)(good))
        bad = bad - 0.1 * grad(loss)(bad)
    assert abs(good - c) < 1e-4
    assert abs(bad - c) > 1.0


# ------------------------------------------------------------ vector spaces
def test_complex_vspaces_count_real_dimensions_and_include_imaginary_directions():
    for x in (1j, onp.complex64(1 - 2j), _cplx(2, 3), (1.0, _cplx(2))):
        vs = vspace(x)
        basis = list(vs.standard_basis())
        assert len(basis) == vs.size
        flat = onp.array([vs.flatten(e) for e in basis])
        onp.testing.assert_array_equal(flat, onp.eye(vs.size))
    vs = vspace(_cplx(2))
    assert vs.size == 4
    basis = list(vs.standard_basis())
    onp.testing.assert_array_equal(basis[0], [1, 0])
    onp.testing.assert_array_equal(basis[2], [1j, 0])
    a, b = _cplx(2), _cplx(2)
    assert vs.inner_prod(a, b) == pytest.approx(onp.real(onp.vdot(a, b)))
    assert vs.inner_prod(a, 1j * a) == pytest.approx(0.0)    # i a is orthogonal to a
    onp.testing.assert_array_equal(vs.covector(a), onp.conj(a))
    assert vspace(1j).zeros() == 0 and onp.iscomplexobj(vspace(1j).zeros())
    assert vspace(onp.complex64(1j)).randn().dtype == onp.complex64


# ------------------------------------------------------------ jacobians & hessians
A3 = _cplx(3, 3)
B23 = RNG.standard_normal((2, 3))


def _complex_layout_fd(f, x):
    """The documented complex layout built from finite differences: per entry,
    df/dx for real inputs, du/dx - i du/dy for complex ones."""
    J = real_jacobian_fd(f, x)
    y = onp.asarray(f(x))
    m, n = y.size, onp.size(x)
    U, V = J[:m], (J[m:] if onp.iscomplexobj(y) else 0 * J[:m])
    if onp.iscomplexobj(x):
        out = U[:, :n] - 1j * U[:, n:]
    else:
        out = U + 1j * V if onp.iscomplexobj(y) else U
    return out.reshape(y.shape + onp.shape(x))


CASES = [  # name, f, x
    ("R->C", lambda x: np.exp(1j * (B23 @ x)) * x[0], RNG.standard_normal(3)),
    ("C->R", lambda z: np.abs(A3 @ z) ** 2 + np.angle(z), _cplx(3)),
    ("C->C holomorphic", lambda z: np.sin(A3 @ z) * z, _cplx(3)),
    ("C->C not holomorphic", lambda z: np.exp(A3 @ np.conj(z)) + np.abs(z) * z, _cplx(3)),
    ("C->C wide", lambda z: np.sum(A3 @ (z * np.conj(z[::-1]))), _cplx(3)),
    ("C->R scalar", lambda z: np.sum(np.abs(z) ** 3), _cplx(3)),
]


@pytest.mark.parametrize("name, f, x", CASES, ids=[c[0] for c in CASES])
def test_jacobian_complex_layout(name, f, x):
    expected = _complex_layout_fd(f, x)
    for mode in ("fwd", "rev", "auto"):
        J = jacobian(f, mode=mode)(x)
        assert J.shape == expected.shape
        assert onp.iscomplexobj(J) == (onp.iscomplexobj(x) or onp.iscomplexobj(f(x)))
        onp.testing.assert_allclose(J, expected, rtol=1e-6, atol=1e-7)
    # rows are grad's convention, entry by entry of the output
    J = jacobian(f)(x)
    y = f(x)
    for i in onp.ndindex(onp.shape(y)):
        g = grad(lambda v: np.real(f(v)[i] if onp.ndim(y) else f(v)))(x)
        if onp.iscomplexobj(x):
            onp.testing.assert_allclose(J[i], g, rtol=1e-12, atol=1e-14)
        else:  # real input: grad keeps Re df/dx, the Jacobian all of df/dx
            onp.testing.assert_allclose(onp.real(J[i]), g, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name, f, x", CASES, ids=[c[0] for c in CASES])
def test_jacobian_real_layout(name, f, x):
    expected = real_jacobian_fd(f, x)
    for mode in ("fwd", "rev"):
        J = jacobian(f, mode=mode, complex_layout="real")(x)
        assert J.shape == (vspace(f(x)).size, vspace(x).size)
        assert not onp.iscomplexobj(J)
        onp.testing.assert_allclose(J, expected, rtol=1e-6, atol=1e-7)


def test_holomorphic_jacobians_are_the_complex_derivative():
    z = _cplx(3)
    onp.testing.assert_allclose(jacobian(lambda w: A3 @ w)(z), A3, rtol=1e-14)
    onp.testing.assert_allclose(jacrev(np.exp)(z), onp.diag(onp.exp(z)), rtol=1e-14)
    onp.testing.assert_allclose(jacfwd(np.exp)(z), onp.diag(onp.exp(z)), rtol=1e-14)
    # real layout of a holomorphic map: Cauchy-Riemann blocks [[Re J, -Im J], [Im J, Re J]]
    R = jacobian(lambda w: A3 @ w, complex_layout="real")(z)
    onp.testing.assert_allclose(R, onp.block([[A3.real, -A3.imag], [A3.imag, A3.real]]),
                                atol=1e-14)


def test_full_2x2_real_jacobian_of_non_holomorphic_scalar_functions():
    z = 0.6 + 0.8j  # |z| = 1
    full = lambda f: jacobian(f, complex_layout="real")(z)  # noqa: E731
    onp.testing.assert_allclose(full(np.conj), [[1, 0], [0, -1]])
    onp.testing.assert_allclose(full(np.abs), [[0.6, 0.8]])
    onp.testing.assert_allclose(full(np.real), [[1, 0]])
    onp.testing.assert_allclose(full(lambda w: np.abs(w) * w),       # u = x r, v = y r
                                [[0.6 ** 2 + 1, 0.6 * 0.8], [0.6 * 0.8, 0.8 ** 2 + 1]])
    onp.testing.assert_allclose(full(lambda w: np.exp(w)), real_jacobian_fd(np.exp, z),
                                rtol=1e-7)
    # the complex layout keeps du/dx - i du/dy only
    assert jacobian(np.conj)(z) == 1
    assert jacobian(np.abs)(z) == pytest.approx(0.6 - 0.8j)


def test_jacobian_mixed_real_and_complex_inputs():
    def f(x, z):
        return np.exp(1j * x) * z + np.abs(z) * x

    x, z = RNG.standard_normal(3), _cplx(3)
    Jx, Jz = jacobian(f, (0, 1))(x, z)
    for J, argnum, v in ((Jx, 0, x), (Jz, 1, z)):
        g = (lambda xv: f(xv, z)) if argnum == 0 else (lambda zv: f(x, zv))
        onp.testing.assert_allclose(J, _complex_layout_fd(g, v), rtol=1e-6, atol=1e-7)
    Jr = jacobian(f, (0, 1), complex_layout="real")(x, z)
    onp.testing.assert_allclose(Jr, real_jacobian_fd(lambda xz: f(*xz), (x, z)),
                                rtol=1e-6, atol=1e-7)


def test_hessian_of_real_loss_of_complex_parameter():
    z = _cplx(3)

    def loss(w):
        return np.sum(np.abs(A3 @ w - 1j) ** 2) + np.sum(np.abs(w) ** 4)

    # real layout: the symmetric 2n x 2n Hessian over (x, y)
    H = hessian(loss, complex_layout="real")(z)
    assert H.shape == (6, 6) and not onp.iscomplexobj(H)
    grad_xy = lambda w: onp.conj(grad(loss)(w))  # noqa: E731  (du/dx + i du/dy)
    onp.testing.assert_allclose(H, real_jacobian_fd(grad_xy, z), rtol=1e-6, atol=1e-6)
    onp.testing.assert_allclose(H, H.T, atol=1e-12)
    # default layout: the Jacobian (complex layout) of the gradient
    onp.testing.assert_allclose(hessian(loss)(z), jacobian(grad(loss))(z), rtol=1e-12)
    onp.testing.assert_allclose(hessian(loss)(z), _complex_layout_fd(grad(loss), z),
                                rtol=1e-6, atol=1e-6)
    # sum |z|^2 = sum x^2 + y^2: real Hessian 2 I; default 2 I as well
    onp.testing.assert_allclose(hessian(lambda w: np.sum(np.abs(w) ** 2), complex_layout="real")(z),
                                2 * onp.eye(6), atol=1e-12)
    onp.testing.assert_allclose(hessian(lambda w: np.sum(np.abs(w) ** 2))(z), 2 * onp.eye(3),
                                atol=1e-12)


def test_hessian_of_holomorphic_scalar_function_is_the_second_derivative():
    z = 0.4 - 0.9j
    assert hessian(lambda w: w ** 3)(z) == pytest.approx(6 * z)
    assert hessian(np.exp)(z) == pytest.approx(onp.exp(z))
    zs = _cplx(3)
    H = hessian(lambda w: np.sum(np.sin(w)) * w[0])(zs)
    expected = onp.diag(-onp.sin(zs) * zs[0])
    expected[0, :] += onp.cos(zs)
    expected[:, 0] += onp.cos(zs)
    onp.testing.assert_allclose(H, expected, rtol=1e-12)


def test_hessian_of_complex_valued_function_of_real_input():
    """R -> C: the complex matrix of second derivatives d^2 f / dx_i dx_j."""
    x = onp.array([0.3, -0.4])
    a, b = x
    e = onp.exp(1j * a * b)
    H = hessian(lambda v: np.exp(1j * v[0] * v[1]))(x)
    expected = onp.array([[-b * b * e, 1j * e - a * b * e], [1j * e - a * b * e, -a * a * e]])
    onp.testing.assert_allclose(H, expected, rtol=1e-13)
    assert hessian(lambda t: np.exp(1j * t))(0.3) == pytest.approx(-onp.exp(0.3j))


def test_jacobian_rejects_unknown_layout():
    with pytest.raises(ValueError, match="complex_layout"):
        jacobian(np.exp, complex_layout="wirtinger")


@pytest.mark.needs("docs")
def test_docs_complex_md_examples_run():
    """The python blocks of docs/complex.md run in order and their asserts hold."""
    import pathlib
    import re
    text = (pathlib.Path(__file__).parent.parent / "docs" / "complex.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 6
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/complex.md", "exec"), namespace)
