"""Every complex-capable primitive on complex (and mixed real/complex) inputs:
JVP and VJP against all four real partial derivatives per entry (finite
differences, ``check_partials``), check_grads to second order, and the scalar
elementary functions against mpmath's complex derivative at 30 digits."""
import mpmath
import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import deriv, grad, holomorphic_grad


def _rgrad(f):
    """grad of the real part: the convention's du/dx - i du/dy (grad itself wants a
    real output)."""
    return lambda *a: grad(lambda *x: np.real(f(*x)))(*a)
from dualgrad.rules import RULES
from dualgrad.test_util import check_grads
from helpers import check_partials, mp_complex_derivative

RNG = onp.random.default_rng(7)
# Points off every branch cut of the principal branches (log, sqrt, arc*), |Im| < 1.
Z = onp.array([0.3 + 0.4j, -0.7 + 0.5j, 0.6 - 0.8j, -0.4 - 0.3j])
ZSCALAR = [complex(z) for z in Z]


def _cplx(*shape):
    return RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)


#        dualgrad fn      mpmath reference (analytic)
HOLOMORPHIC = [
    (np.exp, mpmath.exp),
    (np.expm1, mpmath.expm1),
    (np.exp2, lambda z: 2 ** z),
    (np.log, mpmath.log),
    (np.log1p, mpmath.log1p),
    (np.log2, lambda z: mpmath.log(z, 2)),
    (np.log10, mpmath.log10),
    (np.sqrt, mpmath.sqrt),
    (np.square, lambda z: z ** 2),
    (np.reciprocal, lambda z: 1 / z),
    (np.sin, mpmath.sin),
    (np.cos, mpmath.cos),
    (np.tan, mpmath.tan),
    (np.arcsin, mpmath.asin),
    (np.arccos, mpmath.acos),
    (np.arctan, mpmath.atan),
    (np.sinh, mpmath.sinh),
    (np.cosh, mpmath.cosh),
    (np.tanh, mpmath.tanh),
    (np.arcsinh, mpmath.asinh),
    (np.arccosh, mpmath.acosh),
    (np.arctanh, mpmath.atanh),
    (np.sinc, lambda z: mpmath.sinc(mpmath.pi * z)),
    (np.negative, lambda z: -z),
    (np.positive, lambda z: z),
]
H_IDS = [f.__name__ for f, _ in HOLOMORPHIC]

NON_HOLOMORPHIC = [np.real, np.imag, np.conj, np.abs, np.angle, np.sign]


@pytest.mark.parametrize("f, ref", HOLOMORPHIC, ids=H_IDS)
def test_holomorphic_partials(f, ref):
    check_partials(f, Z)


@pytest.mark.parametrize("f, ref", HOLOMORPHIC, ids=H_IDS)
def test_holomorphic_against_mpmath(f, ref):
    for z in ZSCALAR:
        d1, d2 = mp_complex_derivative(ref, z, 1), mp_complex_derivative(ref, z, 2)
        for ours in (_rgrad(f)(z), deriv(f)(z), holomorphic_grad(f)(z)):
            assert complex(ours) == pytest.approx(d1, rel=1e-10, abs=1e-12)
        for ours in (_rgrad(_rgrad(f))(z), deriv(deriv(f))(z), deriv(_rgrad(f))(z)):
            assert complex(ours) == pytest.approx(d2, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("f", NON_HOLOMORPHIC, ids=lambda f: f.__name__)
def test_non_holomorphic_partials(f):
    check_partials(f, Z)
    check_partials(f, Z.real)  # real input: real cotangent, zero for imag/angle/sign


@pytest.mark.parametrize("f", HOLOMORPHIC + [(g, None) for g in NON_HOLOMORPHIC],
                         ids=H_IDS + [g.__name__ for g in NON_HOLOMORPHIC])
def test_complex_check_grads_second_order(f):
    fun = f[0] if isinstance(f, tuple) else f
    check_grads(fun, order=2)(Z)


def test_closed_forms_of_non_holomorphic():
    z = 0.6 - 0.8j  # |z| = 1
    assert grad(np.abs)(z) == pytest.approx(onp.conj(z))            # conj(z)/|z|
    assert grad(np.real)(z) == 1
    assert grad(np.imag)(z) == -1j                                  # u = y: -i du/dy
    assert _rgrad(np.conj)(z) == 1                                  # u = x
    assert grad(np.angle)(z) == pytest.approx(onp.conj(1j * z))     # (-y - i x)/|z|^2
    assert grad(lambda w: np.abs(w) ** 2)(z) == pytest.approx(2 * onp.conj(z))
    # the four partials of sign(z) = z/|z| on the unit circle: tangential only.
    s = grad(lambda w: np.real(np.sign(w)))(z)          # u = x/r: (y^2, -x y) / r^3
    assert s == pytest.approx(0.8 ** 2 - 1j * (-0.6 * -0.8))


def test_abs_and_sign_at_zero_take_zero():
    assert grad(np.abs)(0j) == 0
    assert grad(lambda w: np.real(np.sign(w)))(0j) == 0


# --------------------------------------------------------------- binary, mixed
# maximum & co. compare complex numbers lexicographically (numpy's order) and pass
# the derivative of the winner through.
BINARY = [np.add, np.subtract, np.multiply, np.divide, np.power,
          np.maximum, np.minimum, np.fmax, np.fmin]


@pytest.mark.parametrize("f", BINARY, ids=lambda f: f.__name__)
@pytest.mark.parametrize("kinds", ["cc", "cr", "rc"])
def test_binary_partials(f, kinds):
    a = Z if kinds[0] == "c" else onp.abs(Z) + 0.5       # a real base > 0 for power
    b = Z[::-1] * 0.7 if kinds[1] == "c" else onp.array([0.5, -1.2, 2.0, 1.5])
    check_partials(lambda ab: f(ab[0], ab[1]), (a, b))


@pytest.mark.parametrize("f", BINARY, ids=lambda f: f.__name__)
def test_binary_broadcast_partials(f):
    check_partials(lambda ab: f(ab[0], ab[1]), (_cplx(2, 3), 0.9 - 0.4j))


@pytest.mark.parametrize("base, expo", [(0.3 + 0.4j, 2.5 - 0.5j), (-0.7 + 0.5j, 3.0 + 0j),
                                        (1.3, 0.4 + 1.1j)])
def test_power_against_mpmath(base, expo):
    mb, me = mpmath.mpc(base), mpmath.mpc(expo)
    d_base = complex(mpmath.diff(lambda b: b ** me, mb))
    d_expo = complex(mpmath.diff(lambda e: mb ** e, me))
    assert complex(holomorphic_grad(np.power, 1)(base, expo)) == pytest.approx(d_expo, rel=1e-10)
    if isinstance(base, complex):
        assert complex(_rgrad(np.power)(base, expo)) == pytest.approx(d_base, rel=1e-10)
    else:  # a real base: the convention keeps Re of the derivative
        assert _rgrad(np.power)(base, expo) == pytest.approx(d_base.real, rel=1e-10)


# ---------------------------------------------------- reductions, shape, linalg
A = _cplx(3, 3)
V = _cplx(3)
X23 = _cplx(2, 3)
OTHER = [
    ("sum", lambda x: np.sum(x * x, axis=0)),
    ("mean", lambda x: np.mean(x * x, axis=1)),
    ("prod", lambda x: np.prod(x, axis=0)),
    ("max", lambda x: np.max(x, axis=1)),
    ("min", lambda x: np.min(x)),
    ("cumsum", lambda x: np.cumsum(x * x, axis=1)),
    ("var", lambda x: np.var(x, axis=0)),
    ("std", lambda x: np.std(x, axis=1, ddof=1)),
    ("reshape", lambda x: np.reshape(x * x, (3, 2))),
    ("transpose", lambda x: np.transpose(x) * x[0, :2]),
    ("getitem", lambda x: x[1, ::-1] * x[0, 1]),
    ("concatenate", lambda x: np.concatenate([x, x * x], axis=1)),
    ("stack", lambda x: np.stack([x, x ** 2])),
    ("hstack", lambda x: np.hstack([x, 1j * x])),
    ("vstack", lambda x: np.vstack([x, x[0]])),
    ("expand_dims", lambda x: np.expand_dims(x, 1) * x),
    ("squeeze", lambda x: np.squeeze(x[:1])),
    ("ravel", lambda x: np.ravel(x) ** 2),
    ("flip", lambda x: np.flip(x, 1) * x),
    ("swapaxes", lambda x: np.swapaxes(x, 0, 1)),
    ("moveaxis", lambda x: np.moveaxis(x, 0, 1)),
    ("repeat", lambda x: np.repeat(x, 2, axis=0)),
    ("tile", lambda x: np.tile(x, (2, 1))),
    ("broadcast_to", lambda x: np.broadcast_to(x[0], (4, 3))),
    ("atleast_3d", lambda x: np.atleast_3d(x)),
    ("where", lambda x: np.where(onp.array([True, False, True]), x, x * x)),
    ("matmul", lambda x: x @ A),
    ("matmul_vec", lambda x: x @ V),
    ("tensordot", lambda x: np.tensordot(x, A, axes=([1], [0]))),
    ("einsum", lambda x: np.einsum("ij,jk,ik->i", x, A, x)),
    ("einsum_diag", lambda x: np.einsum("ii->i", x[:, :2] * x[0, 2])),
    ("dot", lambda x: np.dot(x, V)),
    ("inner", lambda x: np.inner(x, x)),
    ("outer", lambda x: np.outer(x[0], x[1])),
    ("diagonal", lambda x: np.diagonal(x, 1)),
    ("trace", lambda x: np.trace(x @ A[:, :2])),
    ("diag", lambda x: np.diag(x[0])),
    ("astype", lambda x: x.astype(onp.complex128) * 1j),
    ("vecdot", lambda x: np.vecdot(x, x[0])),
    ("matvec", lambda x: np.matvec(x[:, :2], x[0, :2])),
    ("vecmat", lambda x: np.vecmat(x[:, 0], x)),
    ("matrix_transpose", lambda x: np.matrix_transpose(x) * 1j),
    ("cov", lambda x: np.cov(x)),
    ("corrcoef", lambda x: np.corrcoef(x)),
]


@pytest.mark.parametrize("name, f", OTHER, ids=[n for n, _ in OTHER])
def test_other_primitives_complex(name, f):
    check_partials(f, X23)


# A real operand meeting a complex one (a real weight times a complex signal):
# the real operand's cotangent must be real and equal Re of the complex one.
MIXED = [
    ("matmul", lambda r, c: r @ c),
    ("tensordot", lambda r, c: np.tensordot(r, c, axes=1)),
    ("einsum", lambda r, c: np.einsum("ij,jk->ik", r, c)),
    ("dot", lambda r, c: np.dot(r, c)),
    ("outer", lambda r, c: np.outer(r, c)),
    ("concatenate", lambda r, c: np.concatenate([r, c])),
    ("stack", lambda r, c: np.stack([r, c])),
    ("where", lambda r, c: np.where(onp.array([[True], [False], [True]]), r, c)),
    ("power", lambda r, c: np.power(np.abs(r) + 0.5, c)),
]


@pytest.mark.parametrize("name, f", MIXED, ids=[n for n, _ in MIXED])
def test_real_meets_complex(name, f):
    r = RNG.standard_normal((3, 3))
    c = _cplx(3, 3)
    check_partials(lambda rc: f(rc[0], rc[1]), (r, c))


# ------------------------------------------- the rest of the namespace, fft, linalg
# One line per function numpy accepts complex input for (real-valued ones like
# ptp/median/clip are composed with complex steps). numpy.gradient is left out: it
# fails on traced input even for real arrays (reported).
def _reassemble(w, U):
    return U @ np.diag(w) @ np.conj(U.T)


def _more_cases():
    import dualgrad.numpy.fft as dfft
    import dualgrad.numpy.linalg as dla
    rng = onp.random.default_rng(5)
    C = lambda *s: rng.standard_normal(s) + 1j * rng.standard_normal(s)  # noqa: E731
    X = C(2, 3)
    V = C(4)
    M = C(3, 3)
    cases = {
        "float_power": (lambda x: np.float_power(x, 2.5+0.5j), X),
        "append": (lambda x: np.append(x, x * x), X),
        "average": (lambda x: np.average(x, axis=0, weights=[1., 2.]), X),
        "broadcast_arrays": (lambda x: np.broadcast_arrays(x, x[0])[1], X),
        "choose": (lambda x: np.choose([0, 1, 0], x), X),
        "column_stack": (lambda x: np.column_stack([x[0], x[1]]), X),
        "compress": (lambda x: np.compress([True, False, True], x, axis=1), X),
        "convolve": (lambda v: np.convolve(v, v[::-1] * 1j), V),
        "correlate": (lambda v: np.correlate(v, v[:2] * (1 + 1j), "full"), V),
        "copy": (lambda x: np.copy(x) * x, X),
        "cross": (lambda x: np.cross(x[0], x[1]), X),
        "cumprod": (lambda x: np.cumprod(x, axis=1), X),
        "cumulative_sum": (lambda x: np.cumulative_sum(x, axis=1), X),
        "cumulative_prod": (lambda x: np.cumulative_prod(x, axis=1), X),
        "delete": (lambda x: np.delete(x, 1, axis=1), X),
        "diagflat": (lambda v: np.diagflat(v), V),
        "diff": (lambda x: np.diff(x * x, axis=1), X),
        "dstack": (lambda x: np.dstack([x, x * x]), X),
        "ediff1d": (lambda v: np.ediff1d(v * v), V),
        "extract": (lambda x: np.extract(onp.array([[1, 0, 1], [0, 1, 1]], bool), x), X),
        "fliplr": (lambda x: np.fliplr(x), X),
        "flipud": (lambda x: np.flipud(x), X),
        "insert": (lambda v: np.insert(v, 1, v[0] * 2), V),
        "kron": (lambda x: np.kron(x, x[::-1]), X),
        "mean_w": (lambda x: np.mean(x), X),
        "nansum": (lambda x: np.nansum(x * x, axis=0), X),
        "nanmean": (lambda x: np.nanmean(x * x), X),
        "nanprod": (lambda x: np.nanprod(x), X),
        "nancumsum": (lambda x: np.nancumsum(x), X),
        "nancumprod": (lambda x: np.nancumprod(x), X),
        "nanvar": (lambda x: np.nanvar(x), X),
        "nanstd": (lambda x: np.nanstd(x), X),
        "nan_to_num": (lambda x: np.nan_to_num(x * x), X),
        "pad": (lambda x: np.pad(x, 1), X),
        "permute_dims": (lambda x: np.permute_dims(x, (1, 0)), X),
        "polyval": (lambda v: np.polyval(v, 0.3 + 0.7j), V),
        "polyval_x": (lambda v: np.polyval(onp.array([1., 2j, 3.]), v), V),
        "polyadd": (lambda v: np.polyadd(v, v[:2] * v[:2]), V),
        "polymul": (lambda v: np.polymul(v, v[:2]), V),
        "polyder": (lambda v: np.polyder(v * v), V),
        "polyint": (lambda v: np.polyint(v * v), V),
        "polysub": (lambda v: np.polysub(v, v[:2]), V),
        "prod": (lambda x: np.prod(x), X),
        "resize": (lambda v: np.resize(v, (2, 3)), V),
        "roll": (lambda x: np.roll(x, 1, axis=1), X),
        "rollaxis": (lambda x: np.rollaxis(x, 1), X),
        "rot90": (lambda x: np.rot90(x), X),
        "row_stack": (lambda x: np.vstack([x, x]), X),
        "select": (lambda x: np.select([onp.array([True, False, True])], [x], x * 2), X),
        "split": (lambda x: np.split(x, 3, axis=1)[1], X),
        "array_split": (lambda x: np.array_split(x, 2, axis=1)[0], X),
        "hsplit": (lambda x: np.hsplit(x, 3)[2], X),
        "vsplit": (lambda x: np.vsplit(x, 2)[1], X),
        "take": (lambda x: np.take(x, [2, 0, 2], axis=1), X),
        "take_along_axis": (lambda x: np.take_along_axis(x, onp.array([[0], [2]]), 1), X),
        "trapezoid": (lambda x: np.trapezoid(x * x, axis=1), X),
        "tril": (lambda m: np.tril(m), M),
        "triu": (lambda m: np.triu(m, 1), M),
        "unstack": (lambda x: np.unstack(x)[1], X),
        "vander": (lambda v: np.vander(v, 3), V),
        "vdot": (lambda x: np.vdot(x, x[::-1] * 2j), X),
        "ptp": (lambda x: np.ptp(np.abs(x)), X),
        "sort_complex": (lambda v: np.sort_complex(v), V),
        "real_if_close": (lambda x: np.real_if_close(x * x), X),
        "asarray": (lambda x: np.asarray(x) * x, X),
        "full": (lambda x: np.full((2,), x[0, 0]), X),
        "linspace": (lambda v: np.linspace(v[0], v[1], 4), V),
        "interp_fp": (lambda v: np.interp(onp.array([0.5, 1.5]), onp.arange(4.), v), V),
        "i0": (lambda x: np.i0(np.real(x)), X),
        "median": (lambda x: np.median(np.real(x) * x), X),
        "sinc": (lambda x: np.sinc(x), X),
        "clip": (lambda x: np.clip(np.real(x), -0.5, 0.5) * x, X),
        "unwrap": (lambda v: np.unwrap(np.angle(v)), V),
        "meshgrid": (lambda v: np.meshgrid(v, v[:2])[0], V),
        # linalg
        "inv": (dla.inv, M),
        "det": (dla.det, M),
        "slogdet_logabs": (lambda m: dla.slogdet(m)[1], M),
        "slogdet_sign": (lambda m: dla.slogdet(m)[0], M),
        "solve": (lambda m: dla.solve(m, V[:3]), M),
        "solve_b": (lambda v: dla.solve(M, v), V[:3]),
        "pinv": (dla.pinv, X),
        "matrix_power": (lambda m: dla.matrix_power(m, 3), M),
        "norm_fro": (dla.norm, M),
        "norm_vec": (dla.norm, V),
        "norm_2": (lambda m: dla.norm(m, 2), M),
        "norm_nuc": (lambda m: dla.norm(m, "nuc"), M),
        "vector_norm": (lambda v: dla.vector_norm(v, ord=3), V),
        "matrix_norm": (lambda m: dla.matrix_norm(m), M),
        "cholesky": (lambda m: dla.cholesky(m @ m.conj().T + 3 * onp.eye(3)), M),
        "eigh_vals": (lambda m: dla.eigh(m + m.conj().T)[0], M),
        "eigvalsh": (lambda m: dla.eigvalsh(m + m.conj().T), M),
        "eigvals": (dla.eigvals, M),
        "eig_vals": (lambda m: dla.eig(m)[0], M),
        "svdvals": (dla.svdvals, M),
        "svd_s": (lambda m: dla.svd(m)[1], M),
        "qr_r_abs": (lambda m: np.abs(dla.qr(m)[1]), M),
        "qr_QR": (lambda m: dla.qr(m)[0] @ dla.qr(m)[1], M),
        "lstsq": (lambda m: dla.lstsq(m, V[:3], rcond=None)[0], M),
        "multi_dot": (lambda m: dla.multi_dot([m, m, V[:3]]), M),
        "tensorinv": (lambda m: dla.tensorinv(m, ind=1), M),
        "tensorsolve": (lambda m: dla.tensorsolve(m, V[:3]), M),
        "svd_us": (lambda m: np.abs(dla.svd(m)[0]), M),
        "eigh_vecs_proj": (lambda m: _reassemble(*dla.eigh(m + m.conj().T)), M),
        }
    for name in ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "fftshift", "ifftshift",
                 "irfft", "irfft2", "irfftn", "hfft"]:
        cases["fft." + name] = (getattr(dfft, name), X)
    for name in ["rfft", "rfft2", "rfftn", "ihfft"]:
        cases["fft." + name] = (getattr(dfft, name), X.real.copy())
    cases["fft.fft_n"] = (lambda x: dfft.fft(x, n=5, norm="ortho"), X)
    cases["fft.irfft_n"] = (lambda x: dfft.irfft(x, n=5), X)
    return cases


MORE = _more_cases()


@pytest.mark.parametrize("name", sorted(MORE))
def test_more_functions_complex(name):
    f, x = MORE[name]
    check_partials(f, x, rtol=1e-5, atol=1e-6)


def test_float32_and_complex64_keep_their_dtypes():
    z = Z.astype(onp.complex64)
    g = grad(lambda w: np.sum(np.abs(w * w)))(z)
    assert g.dtype == onp.complex64
    x = Z.real.astype(onp.float32)
    g = grad(lambda w: np.sum(np.abs(np.exp(1j * w))))(x)
    assert g.dtype == onp.float32


def test_fft_rules_if_present():
    """numpy.fft rules are another module's; once they exist they must follow
    the convention on complex input too."""
    from dualgrad.rules import FFT_RULES
    if not FFT_RULES:
        pytest.skip("no numpy.fft rules registered yet")
    import dualgrad.numpy.fft as dfft
    for name in ("fft", "ifft", "fft2", "ifft2", "fftn", "ifftn"):
        if name in FFT_RULES:
            check_partials(getattr(dfft, name), X23)
    for name in ("rfft", "rfft2", "rfftn"):
        if name in FFT_RULES:
            check_partials(getattr(dfft, name), X23.real)
    for name in ("irfft", "hfft"):
        if name in FFT_RULES:
            check_partials(getattr(dfft, name), X23)


def test_every_complex_capable_rule_is_listed_here():
    """A guard: a new rule for a function numpy accepts complex input for must
    join one of the tables above (or the explicit exclusions)."""
    listed = {f.__name__ for f, _ in HOLOMORPHIC} | {f.__name__ for f in NON_HOLOMORPHIC}
    listed |= {f.__name__ for f in BINARY} | {n for n, _ in OTHER} | {n for n, _ in MIXED}
    listed |= set(MORE) | {"positive"}
    aliases = {"abs", "absolute", "conjugate", "amax", "amin", "true_divide", "array",
               "atleast_1d", "atleast_2d", "einsum_prim", "conj", "acos", "acosh", "asin",
               "asinh", "atan", "atanh", "pow"}
    real_only = set()
    for name, fn in RULES.items():
        numpy_fn = getattr(onp, name, None)
        if numpy_fn is None or not callable(numpy_fn):
            continue
        try:
            with onp.errstate(all="ignore"):
                if isinstance(numpy_fn, onp.ufunc) and numpy_fn.signature:
                    pass  # gufuncs (matvec, vecdot, ...) take complex input: must be listed
                elif isinstance(numpy_fn, onp.ufunc):
                    numpy_fn(*([onp.array([0.5 + 0.5j])] * numpy_fn.nin))
                else:
                    continue  # non-ufuncs: the OTHER/MIXED tables are curated by hand
        except TypeError:
            real_only.add(name)
            continue
        if name not in listed | aliases:
            pytest.fail(f"rule {name!r} accepts complex input but has no complex test; add "
                        "it to a table in tests/rules/test_complex_rules.py")
    assert {"hypot", "arctan2", "cbrt", "fabs", "logaddexp"} <= real_only
