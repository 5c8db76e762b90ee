"""numpy.fft rules (rules/fft.py): every transform with n/s/axes/norm, real and
complex inputs, both modes, order 2; values equal numpy's; real-to-real
compositions have the gradients of the direct real computation."""
import numpy as onp
import pytest
from hypothesis import given, settings, strategies as st

import dualgrad.numpy as np
from dualgrad import grad, jacobian
from dualgrad.core import Primitive
from dualgrad.rules import fft as rfft_rules
from dualgrad.test_util import check_grads

R = onp.random.RandomState(3)
NORMS = [None, "backward", "ortho", "forward"]


def rnd(*shape, cplx=False):
    return R.randn(*shape) + (1j * R.randn(*shape) if cplx else 0)


x1, x2, x3 = rnd(6), rnd(3, 4), rnd(2, 3, 4)
z1, z2, z3 = rnd(5, cplx=True), rnd(3, 4, cplx=True), rnd(2, 3, 4, cplx=True)
y5 = rnd(5, cplx=True)  # a half spectrum (5 bins)

CASES = [
    # complex transforms, real and complex inputs
    ("fft", lambda x, norm: np.fft.fft(x, norm=norm), (x1,)),
    ("fft_complex", lambda x, norm: np.fft.fft(x, norm=norm), (z1,)),
    ("fft_pad", lambda x, norm: np.fft.fft(x, n=9, norm=norm), (z1,)),
    ("fft_cut_axis0", lambda x, norm: np.fft.fft(x, n=2, axis=0, norm=norm), (z2,)),
    ("ifft", lambda x, norm: np.fft.ifft(x, norm=norm), (z2,)),
    ("ifft_real_pad", lambda x, norm: np.fft.ifft(x, 7, 0, norm), (x1,)),
    ("fft2", lambda x, norm: np.fft.fft2(x, norm=norm), (x3,)),
    ("fft2_s_axes", lambda x, norm: np.fft.fft2(x, s=(5, 2), axes=(0, 2), norm=norm), (z3,)),
    ("ifft2", lambda x, norm: np.fft.ifft2(x, norm=norm), (z2,)),
    ("fftn", lambda x, norm: np.fft.fftn(x, norm=norm), (z3,)),
    ("fftn_s_axes", lambda x, norm: np.fft.fftn(x, s=(3, 6), axes=(-1, 0), norm=norm), (x3,)),
    ("ifftn_s", lambda x, norm: np.fft.ifftn(x, s=(2, 5), axes=(1, 2), norm=norm), (z3,)),
    ("fftn_s_minus_one", lambda x, norm: np.fft.fftn(x, s=(-1, 6), axes=(0, 2), norm=norm), (z3,)),
    ("ifftn_repeated_axis", lambda x, norm: np.fft.ifftn(x, s=(3, 5), axes=(1, 1), norm=norm), (z2,)),
    # real-input transforms
    ("rfft_even", lambda x, norm: np.fft.rfft(x, norm=norm), (x1,)),
    ("rfft_odd_n", lambda x, norm: np.fft.rfft(x, n=5, norm=norm), (x1,)),
    ("rfft_pad_axis0", lambda x, norm: np.fft.rfft(x, n=6, axis=0, norm=norm), (x2,)),
    ("irfft", lambda y, norm: np.fft.irfft(y, norm=norm), (y5,)),
    ("irfft_odd", lambda y, norm: np.fft.irfft(y, n=9, norm=norm), (y5,)),
    ("irfft_short", lambda y, norm: np.fft.irfft(y, n=4, norm=norm), (y5,)),
    ("irfft_long_odd", lambda y, norm: np.fft.irfft(y, n=13, norm=norm), (y5,)),
    ("irfft_long_even", lambda y, norm: np.fft.irfft(y, n=12, norm=norm), (y5,)),
    ("irfft_axis0", lambda y, norm: np.fft.irfft(y, axis=0, norm=norm), (z2,)),
    ("irfft_real_input", lambda y, norm: np.fft.irfft(y, norm=norm), (x1,)),
    ("rfft2", lambda x, norm: np.fft.rfft2(x, norm=norm), (x3,)),
    ("rfft2_s", lambda x, norm: np.fft.rfft2(x, s=(2, 5), norm=norm), (x2,)),
    ("irfft2", lambda y, norm: np.fft.irfft2(y, norm=norm), (z3,)),
    ("irfft2_s_axes", lambda y, norm: np.fft.irfft2(y, s=(4, 5), axes=(2, 0), norm=norm), (z3,)),
    ("rfftn", lambda x, norm: np.fft.rfftn(x, norm=norm), (x3,)),
    ("rfftn_s_axes", lambda x, norm: np.fft.rfftn(x, s=(4, 3), axes=(0, 1), norm=norm), (x3,)),
    ("irfftn", lambda y, norm: np.fft.irfftn(y, norm=norm), (z3,)),
    ("irfftn_s", lambda y, norm: np.fft.irfftn(y, s=(2, 3, 7), axes=(0, 1, 2), norm=norm), (z3,)),
    ("hfft", lambda y, norm: np.fft.hfft(y, norm=norm), (y5,)),
    ("hfft_n", lambda y, norm: np.fft.hfft(y, n=7, axis=0, norm=norm), (z2,)),
    ("ihfft", lambda x, norm: np.fft.ihfft(x, norm=norm), (x1,)),
    ("ihfft_n", lambda x, norm: np.fft.ihfft(x, n=5, axis=0, norm=norm), (x2,)),
]


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name, f, args", CASES, ids=[c[0] for c in CASES])
def test_fft_rules(name, f, args, norm):
    g = lambda *a: f(*a, norm)  # noqa: E731
    check_grads(g, modes=("fwd", "rev"), order=2)(*args)
    traced = {}
    grad(lambda *a: traced.setdefault("y", g(*a)) is None or 0.0 * np.sum(np.real(a[0])))(*args)
    assert onp.allclose(getattr(traced["y"], "value", traced["y"]), g(*args), atol=1e-12)


SHIFTS = [
    ("fftshift", lambda x: np.fft.fftshift(x), (x3,)),
    ("fftshift_axis", lambda x: np.fft.fftshift(x, axes=1), (rnd(2, 5),)),
    ("ifftshift_axes", lambda x: np.fft.ifftshift(x, axes=(0, -1)), (rnd(5, 3, cplx=True),)),
    ("ifftshift_odd", lambda x: np.fft.ifftshift(x), (rnd(7),)),
    ("shift_roundtrip", lambda x: np.fft.ifftshift(np.fft.fftshift(x)) * x, (rnd(3, 5),)),
]


@pytest.mark.parametrize("name, f, args", SHIFTS, ids=[c[0] for c in SHIFTS])
def test_shift_rules(name, f, args):
    check_grads(f, order=2)(*args)


def test_shift_values_match_numpy():
    x = rnd(4, 5)
    for f, ref in ((np.fft.fftshift, onp.fft.fftshift), (np.fft.ifftshift, onp.fft.ifftshift)):
        assert onp.allclose(jacobian(f)(x).reshape(20, 20) @ x.ravel(), ref(x).ravel())


# ------------------------------------------------------------------ real-to-real
@pytest.mark.parametrize("n", [None, 7, 8])
def test_irfft_of_rfft_has_identity_jacobian(n):
    x = rnd(8)[: n or 8]
    for mode in ("fwd", "rev"):
        J = jacobian(lambda x: np.fft.irfft(np.fft.rfft(x), n=len(x)), mode=mode)(x)
        assert onp.allclose(J, onp.eye(len(x)), atol=1e-12)


def _direct_linear_conv(x, k):
    n = len(x) + len(k) - 1
    i, j = onp.arange(n)[:, None], onp.arange(len(x))[None, :]
    lag = i - j
    inside = (lag >= 0) & (lag < len(k))
    toeplitz = np.where(inside, k[onp.clip(lag, 0, len(k) - 1)], 0.0)
    return np.sum(toeplitz * x[None, :], axis=1)


def _fft_linear_conv(x, k, norm):
    n = len(x) + len(k) - 1
    return np.fft.irfft(np.fft.rfft(x, n, norm=norm) * np.fft.rfft(k, n, norm=norm), n, norm=norm)


@pytest.mark.parametrize("norm", NORMS)
def test_fft_convolution_gradients_equal_direct(norm):
    x, k, w = rnd(5), rnd(3), rnd(7)
    scale = {None: 1, "backward": 1, "ortho": onp.sqrt(7), "forward": 7}[norm]
    direct = lambda x, k: np.sum(w * _direct_linear_conv(x, k) ** 2)  # noqa: E731
    viafft = lambda x, k: np.sum(w * (scale * _fft_linear_conv(x, k, norm)) ** 2)  # noqa: E731
    assert onp.allclose(viafft(x, k), direct(x, k))
    for argnum in (0, 1):
        g_direct = grad(direct, argnum)(x, k)
        g_fft = grad(viafft, argnum)(x, k)
        assert g_fft.dtype == onp.float64
        assert onp.allclose(g_fft, g_direct, atol=1e-10)
    check_grads(viafft, order=2)(x, k)


def test_circular_convolution_2d_hessian_matches_direct():
    x, k = rnd(3, 4), rnd(3, 4)
    conv = lambda x: np.fft.irfft2(np.fft.rfft2(x) * np.fft.rfft2(k), s=x.shape)  # noqa: E731
    ref = onp.zeros((12, 12))  # the circular convolution as a matrix
    for a in range(3):
        for b in range(4):
            e = onp.zeros((3, 4))
            e[a, b] = 1
            ref[:, 4 * a + b] = onp.real(onp.fft.ifft2(onp.fft.fft2(e) * onp.fft.fft2(k))).ravel()
    for mode in ("fwd", "rev"):
        assert onp.allclose(jacobian(conv, mode=mode)(x).reshape(12, 12), ref, atol=1e-12)


@settings(max_examples=6, deadline=None)
@given(st.integers(1, 6), st.integers(1, 9), st.sampled_from(NORMS))
def test_rfft_irfft_any_lengths(m, n, norm):
    """Every combination of input length and n (cut, pad, odd, even)."""
    rs = onp.random.RandomState(m * 10 + n)
    check_grads(lambda x: np.fft.rfft(x, n, norm=norm), order=1)(rs.randn(m))
    check_grads(lambda y: np.fft.irfft(y, n, norm=norm), order=1)(rs.randn(m) + 1j * rs.randn(m))


def test_out_argument_refused_when_traced():
    with pytest.raises(TypeError, match="out="):
        grad(lambda x: np.sum(np.real(np.fft.fft(x, out=onp.zeros(4, complex)))))(rnd(4))


# ------------------------------------------------------------------ guard
def test_a_wrong_fft_rule_is_caught():
    """irfft's VJP without the doubling of the non-edge bins must fail check_grads."""
    def undoubled_vjp(g, ans, y, n=None, axis=-1, norm=None):
        bins = ans.shape[axis] // 2 + 1
        half = rfft_rules._fit(rfft_rules.fft_p(g, axis=axis, norm=norm, inverse=True), bins, axis)
        return rfft_rules._fit(half, y.shape[axis], axis)

    bad = Primitive(lambda y, **kw: onp.fft.irfft(y, **kw), "bad_irfft")
    bad.def_jvp(lambda t, ans, y, **kw: onp.fft.irfft(t, **kw))
    bad.def_vjp(undoubled_vjp)
    with pytest.raises(AssertionError, match="reverse mode"):
        check_grads(bad, order=1)(y5)


@pytest.mark.parametrize("n", [1, 4, 5])
def test_fftfreq_is_differentiable_in_the_spacing(n):
    # k / (n d): the frequencies used to ignore a traced d (a silently zero derivative).
    for ours, theirs in ((np.fft.fftfreq, onp.fft.fftfreq), (np.fft.rfftfreq, onp.fft.rfftfreq)):
        assert onp.allclose(jacobian(lambda d: ours(n, d))(0.3), -theirs(n, 0.3) / 0.3)
        check_grads(lambda d: ours(n, d), order=2)(0.3)
        assert onp.array_equal(ours(n, 0.3), theirs(n, 0.3))
